import { chinaDayOf, type WorkingCalendar } from '../../kernel/calendar/index.ts';

/**
 * Appointment slots (pure: no database). A place opens on working days during its hours
 * (China time); each range of hours is cut into slots of `slotMinutes`, the last one
 * ending at or before the range's end. People may book the slots of the first
 * `horizonDays` working days, today included, that have not started yet.
 */

export interface OpeningHours {
  /** 'HH:MM', China time. */
  from: string;
  to: string;
}

export interface SlotSettings {
  slotMinutes: number;
  capacity: number;
  hours: OpeningHours[];
  horizonDays: number;
}

export interface Slot {
  startsAt: Date;
  endsAt: Date;
}

const MS_PER_MINUTE = 60_000;
const MS_PER_DAY = 86_400_000;
const CHINA_OFFSET_MS = 8 * 3_600_000;

/** 'YYYY-MM-DD' of a day number (days since 1970-01-01, as the calendar counts them). */
export const formatDate = (day: number) => new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
/** 00:00 China time of a day number. */
const startOfChinaDay = (day: number) => new Date(day * MS_PER_DAY - CHINA_OFFSET_MS);
const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** The slots of one day (a day number), whether or not it is a working day. */
export function slotsOfDay(day: number, settings: Pick<SlotSettings, 'slotMinutes' | 'hours'>): Slot[] {
  const midnight = startOfChinaDay(day).getTime();
  const slots: Slot[] = [];
  for (const range of settings.hours) {
    const end = minutesOf(range.to);
    for (
      let start = minutesOf(range.from);
      start + settings.slotMinutes <= end;
      start += settings.slotMinutes
    ) {
      slots.push({
        startsAt: new Date(midnight + start * MS_PER_MINUTE),
        endsAt: new Date(midnight + (start + settings.slotMinutes) * MS_PER_MINUTE),
      });
    }
  }
  return slots;
}

/** The bookable working days (day numbers) at `now`: the first `horizonDays`, today included. */
export function horizonDays(calendar: WorkingCalendar, now: Date, horizon: number): number[] {
  const days: number[] = [];
  const today = chinaDayOf(now);
  // Bounded: a run of days an administrator closed cannot make the search run off the calendar.
  for (let day = today; days.length < horizon && day < today + horizon * 7 + 366; day++) {
    if (calendar.isWorkingDay(formatDate(day))) days.push(day);
  }
  return days;
}

export interface BookableDay {
  date: string;
  slots: Slot[];
}

/**
 * The days and slots a person may book at `now`, from `from` (a day number; default
 * today) for at most `count` working days, inside the horizon. Started slots are left out,
 * and so is a day whose slots have all started.
 */
export function bookableDays(
  calendar: WorkingCalendar,
  now: Date,
  settings: SlotSettings,
  options: { from?: number | undefined; count?: number | undefined } = {},
): BookableDay[] {
  const from = options.from ?? chinaDayOf(now);
  const count = Math.min(options.count ?? settings.horizonDays, settings.horizonDays);
  const days: BookableDay[] = [];
  for (const day of horizonDays(calendar, now, settings.horizonDays)) {
    if (day < from) continue;
    if (days.length >= count) break;
    const slots = slotsOfDay(day, settings).filter((slot) => slot.startsAt.getTime() > now.getTime());
    if (slots.length > 0) days.push({ date: formatDate(day), slots });
  }
  return days;
}

/** Why an instant is not a slot a person may book now; null when it is one. */
export type SlotRefusal = 'past' | 'notWorkingDay' | 'beyondHorizon' | 'notSlot';

/** The slot starting at `startsAt` if a person may book it at `now`, else the reason. */
export function checkSlot(
  calendar: WorkingCalendar,
  now: Date,
  settings: SlotSettings,
  startsAt: Date,
): Slot | SlotRefusal {
  if (startsAt.getTime() <= now.getTime()) return 'past';
  const day = chinaDayOf(startsAt);
  if (!calendar.isWorkingDay(formatDate(day))) return 'notWorkingDay';
  if (!horizonDays(calendar, now, settings.horizonDays).includes(day)) return 'beyondHorizon';
  const slot = slotsOfDay(day, settings).find((s) => s.startsAt.getTime() === startsAt.getTime());
  return slot ?? 'notSlot';
}
