import { audit, type Actor } from '../../kernel/audit.ts';
import { jurisdictionClause, type Principal } from '../../kernel/auth.ts';
import { chinaDayOf, formatChinaInstant, type WorkingCalendar } from '../../kernel/calendar/index.ts';
import { checkDate, checkInstant } from '../../kernel/calendar/validation.ts';
import { maskPhone } from '../../kernel/crypto.ts';
import { sqlState, type Database, type Queryable } from '../../kernel/db.ts';
import { AppError, conflict, notFound, textFieldError, validationError } from '../../kernel/errors.ts';
import { publish } from '../../kernel/outbox.ts';
import { placeOf, type PlaceOfItem } from '../catalog/index.ts';
import { settingsOf, type HallSettings } from './settings.ts';
import { bookableDays, checkSlot, formatDate, type SlotRefusal } from './slots.ts';
import {
  APPOINTMENT_COLUMNS,
  eventOf,
  RETURNING_COLUMNS,
  toAppointment,
  toStaffAppointment,
  type Appointment,
  type AppointmentRow,
  type StaffAppointment,
} from './store.ts';
import {
  HALL_TOPICS,
  isOpen,
  nextStatus,
  type AppointmentAction,
  type AppointmentStatus,
} from './workflow.ts';

/**
 * The hall's use cases: slots of a place, booking (capacity held by a counter row per slot,
 * one live booking per person, place and day), cancelling, the staff's list of the day and
 * check-in, and the no-show sweep with its booking ban. Every change is one transaction
 * with its audit record and its outbox event.
 */

export interface HallDeps {
  db: Database;
  /** The platform's settings (a place may override the slot settings). */
  settings: HallSettings;
  calendar: () => Promise<WorkingCalendar>;
  /** The clock; tests pass their own. */
  now: () => Date;
  /** A person's mobile number (identity), for the staff list, masked; null without one. */
  phoneOf: (sub: string) => Promise<string | null>;
}

/** Who books: the signed-in person and, when acting for an enterprise, which. */
export interface Booker {
  sub: string;
  name: string;
  acting: { uscc: string; name: string } | null;
}

export interface SlotView {
  startsAt: string;
  endsAt: string;
  capacity: number;
  remaining: number;
}

export interface PlaceSlots {
  place: {
    code: string;
    implementingBody: { id: number; name: string };
    address: string | null;
    phone: string | null;
    officeHours: string | null;
  };
  item: { code: string; name: string };
  days: { date: string; slots: SlotView[] }[];
}

const SWEEP_BATCH = 200;
const DAY_MS = 86_400_000;
const SYSTEM_ACTOR: Actor = { actor: 'system:hall.no-shows' };

const REFUSAL_TEXTS: Record<SlotRefusal, string> = {
  past: 'hall.past',
  notWorkingDay: 'hall.notWorkingDay',
  beyondHorizon: 'hall.beyondHorizon',
  notSlot: 'hall.notSlot',
};

export class HallService {
  constructor(readonly deps: HallDeps) {}

  /** The place by its implementation code; 404 when unknown or not published. */
  async place(code: string): Promise<PlaceOfItem> {
    const place = await placeOf(this.deps.db, code);
    if (!place) throw notFound(`No place (published implementation entry) with code ${code}`);
    return place;
  }

  /** The settings in force at a place. */
  settingsAt(code: string) {
    return settingsOf(this.deps.db, code, this.deps.settings);
  }

  /** The bookable days and slots of a place with the seats left in each. */
  async slots(
    code: string,
    query: { from?: string | undefined; days?: number | undefined },
  ): Promise<PlaceSlots> {
    let from: number | undefined;
    if (query.from !== undefined) {
      const day = checkDate('from', query.from);
      if (typeof day !== 'number') throw validationError([day]);
      from = day;
    }
    const place = await this.place(code);
    const settings = await this.settingsAt(code);
    const now = this.deps.now();
    const days = bookableDays(await this.deps.calendar(), now, settings, { from, count: query.days });
    const booked = new Map<number, number>();
    if (days.length > 0) {
      const rows = await this.deps.db.query<{ starts_at: Date; booked: number }>(
        `select starts_at, booked from hall_slot where place_code = $1 and starts_at >= $2 and starts_at <= $3`,
        [code, days[0]!.slots[0]!.startsAt, days[days.length - 1]!.slots.at(-1)!.startsAt],
      );
      for (const row of rows) booked.set(row.starts_at.getTime(), row.booked);
    }
    return {
      place: {
        code: place.code,
        implementingBody: place.implementingBody,
        address: place.address,
        phone: place.phone,
        officeHours: place.officeHours,
      },
      item: place.item,
      days: days.map((day) => ({
        date: day.date,
        slots: day.slots.map((slot) => ({
          startsAt: formatChinaInstant(slot.startsAt),
          endsAt: formatChinaInstant(slot.endsAt),
          capacity: settings.capacity,
          remaining: Math.max(0, settings.capacity - (booked.get(slot.startsAt.getTime()) ?? 0)),
        })),
      })),
    };
  }

  /** Until when a person may not book because of no-shows; null when they may. */
  async bannedUntil(sub: string, db: Queryable = this.deps.db): Promise<Date | null> {
    const { banNoShows, banWindowDays, banDays } = this.deps.settings;
    const now = this.deps.now();
    const [row] = await db.query<{ n: number; latest: Date | null }>(
      `select count(*)::int as n, max(starts_at) as latest from hall_appointment
        where person_sub = $1 and status = 'no_show' and starts_at > $2`,
      [sub, new Date(now.getTime() - banWindowDays * DAY_MS)],
    );
    if (!row || row.n < banNoShows || !row.latest) return null;
    const until = new Date(row.latest.getTime() + banDays * DAY_MS);
    return until.getTime() > now.getTime() ? until : null;
  }

  /** Books the slot starting at `startsAt` at a place for the person. */
  async book(booker: Booker, input: { place: string; startsAt: string }, actor: Actor): Promise<Appointment> {
    const { db } = this.deps;
    const place = await this.place(input.place);
    const startsAt = parseStart(input.startsAt);
    const settings = await this.settingsAt(place.code);
    const now = this.deps.now();
    const slot = checkSlot(await this.deps.calendar(), now, settings, startsAt);
    if (typeof slot === 'string') {
      throw validationError([
        textFieldError('startsAt', slot, REFUSAL_TEXTS[slot], { days: settings.horizonDays }),
      ]);
    }
    const until = await this.bannedUntil(booker.sub);
    if (until) {
      throw new AppError(
        'booking_banned',
        `After ${settings.banNoShows} no-shows within ${settings.banWindowDays} days you may book again from ${formatChinaInstant(until)}`,
        undefined,
        { until: formatChinaInstant(until) },
      );
    }
    const day = formatDate(chinaDayOf(slot.startsAt));
    const phone = await this.deps.phoneOf(booker.sub);
    const applicantName = booker.acting
      ? `${booker.acting.name}（${booker.name || '经办人'}）`
      : booker.name || (phone ? maskPhone(phone) : '');
    const alreadyBooked = () =>
      new AppError('already_booked', `You already have a booking at ${place.code} on ${day}`, undefined, {
        place: place.code,
        date: day,
      });
    try {
      return await db.transaction(async (tx) => {
        const existing = await tx.query(
          `select 1 from hall_appointment
            where person_sub = $1 and place_code = $2 and day = $3 and status = 'booked'`,
          [booker.sub, place.code, day],
        );
        if (existing.length > 0) throw alreadyBooked();
        await tx.query(
          `insert into hall_slot (place_code, starts_at, ends_at, capacity) values ($1, $2, $3, $4)
           on conflict (place_code, starts_at) do nothing`,
          [place.code, slot.startsAt, slot.endsAt, settings.capacity],
        );
        const taken = await tx.query(
          `update hall_slot set booked = booked + 1, capacity = $3
            where place_code = $1 and starts_at = $2 and booked < $3 returning booked`,
          [place.code, slot.startsAt, settings.capacity],
        );
        if (taken.length === 0) {
          throw new AppError('slot_full', `The slot at ${input.startsAt} is fully booked`, undefined, {
            startsAt: formatChinaInstant(slot.startsAt),
          });
        }
        const [counter] = await tx.query<{ last: number }>(
          `insert into hall_number_counter (day, last) values ($1, 1)
           on conflict (day) do update set last = hall_number_counter.last + 1 returning last`,
          [day],
        );
        const number = `YY${day.replaceAll('-', '')}-${String(counter!.last).padStart(4, '0')}`;
        const [row] = await tx.query<AppointmentRow>(
          `insert into hall_appointment (number, person_sub, acting_for, applicant_name, applicant_phone_masked,
             item_code, item_name, place_code, organisation_id, organisation_name, region_code, address, phone,
             day, starts_at, ends_at, created_at)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
           returning ${RETURNING_COLUMNS}`,
          [
            number,
            booker.sub,
            booker.acting ? `enterprise:${booker.acting.uscc}` : null,
            applicantName,
            phone ? maskPhone(phone) : null,
            place.item.code,
            place.item.name,
            place.code,
            place.implementingBody.id,
            place.implementingBody.name,
            place.region.code,
            place.address,
            place.phone,
            day,
            slot.startsAt,
            slot.endsAt,
            now,
          ],
        );
        await this.record(tx, row!, 'hall.appointment.book', null, actor, HALL_TOPICS.booked, now);
        return toAppointment(row!);
      });
    } catch (error) {
      // Two bookings of one person racing: the unique index lets only one through.
      if (sqlState(error) === '23505') throw alreadyBooked();
      throw error;
    }
  }

  /** The person's appointments: upcoming booked ones first (soonest first), then the rest, newest first. */
  async mine(sub: string): Promise<Appointment[]> {
    const rows = await this.deps.db.query<AppointmentRow>(
      `select ${APPOINTMENT_COLUMNS} from hall_appointment a
        where a.person_sub = $1
        order by (a.status = 'booked' and a.ends_at > $2) desc,
                 case when a.status = 'booked' and a.ends_at > $2 then a.starts_at end asc,
                 a.starts_at desc, a.created_at desc
        limit 500`,
      [sub, this.deps.now()],
    );
    return rows.map(toAppointment);
  }

  /** Cancels the person's own booking before its start, freeing the seat. Others' bookings are 404. */
  async cancel(sub: string, id: string, actor: Actor): Promise<Appointment> {
    const now = this.deps.now();
    return this.deps.db.transaction(async (tx) => {
      const [before] = await tx.query<AppointmentRow>(
        `select ${APPOINTMENT_COLUMNS} from hall_appointment a where a.id = $1 and a.person_sub = $2 for update`,
        [id, sub],
      );
      if (!before) throw notFound(`No appointment ${id}`);
      this.assertAllowed(before, 'cancel', now);
      const [row] = await tx.query<AppointmentRow>(
        `update hall_appointment set status = 'cancelled', cancelled_at = $2 where id = $1
         returning ${RETURNING_COLUMNS}`,
        [id, now],
      );
      await tx.query(
        `update hall_slot set booked = booked - 1 where place_code = $1 and starts_at = $2 and booked > 0`,
        [before.place_code, before.starts_at],
      );
      await this.record(
        tx,
        row!,
        'hall.appointment.cancel',
        before.status,
        actor,
        HALL_TOPICS.cancelled,
        now,
      );
      return toAppointment(row!);
    });
  }

  /** The appointments of a day at the places in the staff member's jurisdiction, by time. */
  async staffList(
    principal: Principal,
    filter: { date: string; status?: AppointmentStatus | undefined },
  ): Promise<StaffAppointment[]> {
    const day = checkDate('date', filter.date);
    if (typeof day !== 'number') throw validationError([day]);
    const params: unknown[] = [filter.date, filter.status ?? null];
    const scope = jurisdictionClause(
      principal,
      { region: 'a.region_code', organisation: 'a.organisation_id' },
      params,
    );
    const rows = await this.deps.db.query<AppointmentRow>(
      `select ${APPOINTMENT_COLUMNS} from hall_appointment a
        where a.day = $1 and ($2::text is null or a.status = $2) and ${scope}
        order by a.starts_at, a.number
        limit 2000`,
      params,
    );
    return rows.map(toStaffAppointment);
  }

  /** Checks the person in at the hall (staff in the place's jurisdiction; others get 404). */
  async arrive(principal: Principal, id: string, actor: Actor): Promise<Appointment> {
    const now = this.deps.now();
    return this.deps.db.transaction(async (tx) => {
      const params: unknown[] = [id];
      const scope = jurisdictionClause(
        principal,
        { region: 'a.region_code', organisation: 'a.organisation_id' },
        params,
      );
      const [before] = await tx.query<AppointmentRow>(
        `select ${APPOINTMENT_COLUMNS} from hall_appointment a where a.id = $1 and ${scope} for update`,
        params,
      );
      if (!before) throw notFound(`No appointment ${id}`);
      this.assertAllowed(before, 'arrive', now);
      const [row] = await tx.query<AppointmentRow>(
        `update hall_appointment set status = 'arrived', arrived_at = $2, arrived_by = $3 where id = $1
         returning ${RETURNING_COLUMNS}`,
        [id, now, principal.sub],
      );
      await this.record(tx, row!, 'hall.appointment.arrive', before.status, actor, HALL_TOPICS.arrived, now);
      return toAppointment(row!);
    });
  }

  /** Marks booked appointments whose slot ended more than the grace time ago as no-shows. Returns how many. */
  async sweepNoShows(): Promise<number> {
    const now = this.deps.now();
    const cutoff = new Date(now.getTime() - this.deps.settings.noShowGraceMinutes * 60_000);
    let total = 0;
    for (;;) {
      const swept = await this.deps.db.transaction(async (tx) => {
        const rows = await tx.query<AppointmentRow>(
          `with due as (
             select id from hall_appointment
              where status = 'booked' and ends_at <= $1
              order by ends_at limit ${SWEEP_BATCH} for update skip locked)
           update hall_appointment a set status = 'no_show', no_show_at = $2
             from due where a.id = due.id
           returning ${APPOINTMENT_COLUMNS}`,
          [cutoff, now],
        );
        for (const row of rows) {
          await this.record(
            tx,
            row,
            'hall.appointment.no_show',
            'booked',
            SYSTEM_ACTOR,
            HALL_TOPICS.noShow,
            now,
          );
        }
        return rows.length;
      });
      total += swept;
      if (swept < SWEEP_BATCH) return total;
    }
  }

  /** 409 unless `action` is allowed in the appointment's status and open now. */
  private assertAllowed(row: AppointmentRow, action: AppointmentAction, now: Date): void {
    if (!nextStatus(row.status, action)) {
      throw conflict(`The appointment is ${row.status}; it cannot be ${ACTION_PAST[action]}`, {
        currentStatus: row.status,
      });
    }
    const slot = { startsAt: row.starts_at, endsAt: row.ends_at };
    if (!isOpen(action, slot, this.deps.settings, now)) {
      throw conflict(windowDetail(action, this.deps.settings.arriveEarlyMinutes), {
        currentStatus: row.status,
        startsAt: formatChinaInstant(row.starts_at),
        endsAt: formatChinaInstant(row.ends_at),
      });
    }
  }

  private async record(
    tx: Queryable,
    row: AppointmentRow,
    action: string,
    before: AppointmentStatus | null,
    actor: Actor,
    topic: string,
    now: Date,
  ): Promise<void> {
    await audit(tx, {
      ...actor,
      action,
      entity: 'hall_appointment',
      entityId: row.id,
      before: before && { status: before },
      after: { status: row.status, number: row.number, place: row.place_code, startsAt: row.starts_at },
    });
    await publish(tx, { topic, key: row.id, payload: eventOf(row, now) });
  }
}

const ACTION_PAST: Record<AppointmentAction, string> = {
  cancel: 'cancelled',
  arrive: 'checked in',
  no_show: 'marked a no-show',
};

function windowDetail(action: AppointmentAction, arriveEarlyMinutes: number): string {
  switch (action) {
    case 'cancel':
      return 'The appointment has started; it can no longer be cancelled';
    case 'arrive':
      return `Check-in is open from ${arriveEarlyMinutes} minutes before the start of the slot until its end`;
    case 'no_show':
      return 'The slot and its grace time have not ended yet';
  }
}

/** The instant of `startsAt`, or a 400 naming the field. */
function parseStart(value: string): Date {
  const instant = checkInstant('startsAt', value);
  if (!(instant instanceof Date)) throw validationError([instant]);
  return instant;
}
