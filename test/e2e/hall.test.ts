import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DemoMessagingSmsProvider } from '../../src/modules/messaging/index.ts';
import { seed } from '../../src/seed/index.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { personSession, staffSession } from '../helpers/identity.ts';

/**
 * Booking a visit to the hall (预约办理) over HTTP: a resident finds the places of
 * 内地居民结婚登记, reads the free slots without signing in, books one (confirmed in-app and
 * by SMS), sees it in their appointments and cancels it; capacity holds under concurrent
 * bookings; staff of the place's department see the day's bookings, others see nothing;
 * bad input is a problem naming the field in both languages.
 */
describe('hall appointments', () => {
  let t: TestApp;
  let place: { code: string; implementingBody: { id: number; name: string }; region: { code: string } };
  let itemCode: string;
  let clerk: string;
  let otherDepartment: string;

  type Slot = { startsAt: string; endsAt: string; capacity: number; remaining: number };
  type Day = { date: string; slots: Slot[] };

  const inject = (
    method: 'GET' | 'POST' | 'PUT',
    url: string,
    authorization?: string,
    payload?: unknown,
    headers: Record<string, string> = {},
  ) =>
    t.app.inject({
      method,
      url,
      headers: { ...(authorization ? { authorization } : {}), ...headers },
      ...(payload === undefined ? {} : { payload: payload as object }),
    });

  const days = async (): Promise<Day[]> => {
    const res = await inject('GET', `/api/v1/hall/places/${place.code}/slots`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json().days as Day[];
  };
  const slotAt = async (startsAt: string): Promise<Slot | undefined> =>
    (await days()).flatMap((d) => d.slots).find((s) => s.startsAt === startsAt);
  /** A slot of the n-th bookable day (not today's: it may start while the test runs). */
  const laterSlot = async (dayIndex: number, slotIndex: number): Promise<Slot> => {
    const list = (await days()).filter(
      (d) => d.date > new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10),
    );
    return list[dayIndex]!.slots[slotIndex]!;
  };
  const book = (authorization: string, startsAt: string, headers: Record<string, string> = {}) =>
    inject('POST', '/api/v1/hall/appointments', authorization, { place: place.code, startsAt }, headers);

  beforeAll(async () => {
    t = await createTestApp();
    await seed(t.db, 'small');
    const [item] = await t.db.query<{ code: string }>(
      `select i.code from catalog_item i join catalog_item_version v on v.item_id = i.id and v.status = 'published'
        where v.name = '内地居民结婚登记'`,
    );
    itemCode = item!.code;
    const places = await inject('GET', `/api/v1/catalog/items/${itemCode}/places`);
    expect(places.statusCode, places.body).toBe(200);
    place = places.json().items[0];
    clerk = (
      await staffSession(t.app, t.db, ['window_clerk'], {
        organisationId: place.implementingBody.id,
        regionCodes: [place.region.code],
        organisationIds: [place.implementingBody.id],
      })
    ).authorization;
    const [other] = await t.db.query<{ id: number }>(
      `select id from organisation where kind = 'department' and region_code = $1 and id <> $2 order by id limit 1`,
      [place.region.code, place.implementingBody.id],
    );
    otherDepartment = (
      await staffSession(t.app, t.db, ['window_clerk'], {
        organisationId: other!.id,
        regionCodes: [place.region.code],
        organisationIds: [other!.id],
      })
    ).authorization;
  }, 180_000);
  afterAll(() => t.drop());

  it('lists the working days and free slots of a place without sign-in', async () => {
    const res = await inject('GET', `/api/v1/hall/places/${place.code}/slots`);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.item).toEqual({ code: itemCode, name: '内地居民结婚登记' });
    expect(body.place.code).toBe(place.code);
    expect(body.place.implementingBody).toEqual({
      id: place.implementingBody.id,
      name: place.implementingBody.name,
    });
    const list = body.days as Day[];
    // The horizon: 10 working days, today included (today drops out once its slots have all started).
    expect(list.length).toBeGreaterThanOrEqual(9);
    expect(list.length).toBeLessThanOrEqual(10);
    for (const day of list) {
      const weekday = new Date(`${day.date}T00:00:00Z`).getUTCDay();
      // The calendar may make a weekend a make-up working day, but most listed days are weekdays.
      expect(day.slots.length).toBeGreaterThan(0);
      expect(day.slots.every((s) => s.startsAt.startsWith(day.date) && s.startsAt.endsWith('+08:00'))).toBe(
        true,
      );
      if (weekday === 0 || weekday === 6) continue;
      expect(day.slots.every((s) => s.capacity === 3 && s.remaining === 3)).toBe(true);
    }
    const full = list[list.length - 1]!.slots.map(
      (s) => `${s.startsAt.slice(11, 16)}-${s.endsAt.slice(11, 16)}`,
    );
    expect(full[0]).toBe('09:00-09:30');
    expect(full).toContain('11:30-12:00');
    expect(full).not.toContain('12:00-12:30');
    expect(full).toContain('13:30-14:00');
    expect(full.at(-1)).toBe('16:30-17:00');
    expect(full).toHaveLength(13);

    const two = await inject('GET', `/api/v1/hall/places/${place.code}/slots?from=${list[2]!.date}&days=2`);
    expect(two.json().days.map((d: Day) => d.date)).toEqual([list[2]!.date, list[3]!.date]);
  });

  it('books a slot, confirms it in-app and by SMS, lists it and cancels it, freeing the seat', async () => {
    const person = await personSession(t.app, t.db, { assurance: 2 });
    const slot = await laterSlot(0, 0);
    const res = await book(person.authorization, slot.startsAt, { 'idempotency-key': 'book-once-1' });
    expect(res.statusCode, res.body).toBe(201);
    const appointment = res.json();
    expect(appointment).toMatchObject({
      status: 'booked',
      item: { code: itemCode, name: '内地居民结婚登记' },
      place: { code: place.code, implementingBody: { id: place.implementingBody.id } },
      startsAt: slot.startsAt,
      endsAt: slot.endsAt,
      cancelledAt: null,
      arrivedAt: null,
    });
    expect(appointment.number).toMatch(
      new RegExp(`^YY${slot.startsAt.slice(0, 10).replaceAll('-', '')}-\\d{4}$`),
    );
    expect((await slotAt(slot.startsAt))!.remaining).toBe(2);

    // A retry with the same key is the same booking, not a second one.
    const again = await book(person.authorization, slot.startsAt, { 'idempotency-key': 'book-once-1' });
    expect(again.statusCode).toBe(201);
    expect(again.json().id).toBe(appointment.id);
    expect((await slotAt(slot.startsAt))!.remaining).toBe(2);

    await t.app.outbox.drain();
    const inbox = await inject('GET', '/api/v1/messages', person.authorization);
    expect(inbox.statusCode, inbox.body).toBe(200);
    const message = inbox.json().items.find((m: { kind: string }) => m.kind === 'hall.booked');
    expect(message.body).toContain(appointment.number);
    expect(message.body).toContain('内地居民结婚登记');
    const sms = (t.app.messaging.sms as DemoMessagingSmsProvider).outbox.filter(
      (s) => s.phone === person.phone,
    );
    expect(sms).toHaveLength(1);
    expect(sms[0]!.text).toContain(appointment.number);
    expect(sms[0]!.text).toContain(slot.startsAt.slice(11, 16));

    const mine = await inject('GET', '/api/v1/hall/appointments/mine', person.authorization);
    expect(mine.statusCode, mine.body).toBe(200);
    expect(mine.json().items.map((a: { id: string }) => a.id)).toEqual([appointment.id]);

    const stranger = await personSession(t.app, t.db, { assurance: 2 });
    const notYours = await inject(
      'POST',
      `/api/v1/hall/appointments/${appointment.id}/cancel`,
      stranger.authorization,
    );
    expect(notYours.statusCode).toBe(404);

    const cancelled = await inject(
      'POST',
      `/api/v1/hall/appointments/${appointment.id}/cancel`,
      person.authorization,
    );
    expect(cancelled.statusCode, cancelled.body).toBe(200);
    expect(cancelled.json().status).toBe('cancelled');
    expect(cancelled.json().cancelledAt).toMatch(/\+08:00$/);
    expect((await slotAt(slot.startsAt))!.remaining).toBe(3);

    const twice = await inject(
      'POST',
      `/api/v1/hall/appointments/${appointment.id}/cancel`,
      person.authorization,
    );
    expect(twice.statusCode).toBe(409);
    expect(twice.json().currentStatus).toBe('cancelled');
  });

  it('holds capacity under 10 concurrent bookings of a 3-seat slot', async () => {
    const slot = await laterSlot(1, 2);
    const people = await Promise.all(
      Array.from({ length: 10 }, () => personSession(t.app, t.db, { assurance: 2 })),
    );
    const results = await Promise.all(people.map((p) => book(p.authorization, slot.startsAt)));
    const statuses = results.map((r) => r.statusCode).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(3);
    expect(statuses.filter((s) => s === 409)).toHaveLength(7);
    for (const r of results.filter((r) => r.statusCode === 409)) {
      expect(r.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(r.json()).toMatchObject({ type: 'https://tongban.dev/problems/slot-full', code: 'slot_full' });
      expect(r.json().title).toBeTruthy();
      expect(r.json().titleEn).toBeTruthy();
    }
    expect((await slotAt(slot.startsAt))!.remaining).toBe(0);
    const numbers = results.filter((r) => r.statusCode === 201).map((r) => r.json().number);
    expect(new Set(numbers).size).toBe(3);
  });

  it('allows one booking per person, place and day', async () => {
    const person = await personSession(t.app, t.db, { assurance: 2 });
    const first = await laterSlot(2, 0);
    const second = await laterSlot(2, 1);
    expect((await book(person.authorization, first.startsAt)).statusCode).toBe(201);
    const res = await book(person.authorization, second.startsAt);
    expect(res.statusCode, res.body).toBe(409);
    expect(res.json()).toMatchObject({ type: 'https://tongban.dev/problems/already-booked' });
    expect((await slotAt(second.startsAt))!.remaining).toBe(3);
    // Another day is fine.
    expect((await book(person.authorization, (await laterSlot(3, 0)).startsAt)).statusCode).toBe(201);
  });

  it('shows staff the day’s bookings of their department only, phones masked', async () => {
    const person = await personSession(t.app, t.db, { assurance: 2, phone: '13812341234' });
    const slot = await laterSlot(4, 5);
    const booked = (await book(person.authorization, slot.startsAt)).json();
    const date = slot.startsAt.slice(0, 10);

    const list = await inject('GET', `/api/v1/hall/appointments?date=${date}`, clerk);
    expect(list.statusCode, list.body).toBe(200);
    const mine = list.json().items.find((a: { id: string }) => a.id === booked.id);
    expect(mine.applicant.phone).toBe('138****1234');
    expect(mine.status).toBe('booked');
    const times = list.json().items.map((a: { startsAt: string }) => a.startsAt);
    expect(times).toEqual([...times].sort());
    const arrivedOnly = await inject('GET', `/api/v1/hall/appointments?date=${date}&status=arrived`, clerk);
    expect(arrivedOnly.json().items).toEqual([]);

    const other = await inject('GET', `/api/v1/hall/appointments?date=${date}`, otherDepartment);
    expect(other.statusCode).toBe(200);
    expect(other.json().items).toEqual([]);
    expect(
      (await inject('POST', `/api/v1/hall/appointments/${booked.id}/arrive`, otherDepartment)).statusCode,
    ).toBe(404);
    // Days ahead: check-in is not open yet.
    const early = await inject('POST', `/api/v1/hall/appointments/${booked.id}/arrive`, clerk);
    expect(early.statusCode).toBe(409);
    expect(early.json().currentStatus).toBe('booked');

    // A person may not read the staff list; staff may not book.
    expect(
      (await inject('GET', `/api/v1/hall/appointments?date=${date}`, person.authorization)).statusCode,
    ).toBe(403);
    expect((await book(clerk, slot.startsAt)).statusCode).toBe(403);
    expect((await book('', slot.startsAt)).statusCode).toBe(401);
  });

  it('lets the place’s hall manager change its slots, capacity and hours; others are refused', async () => {
    const scope = (organisationId: number) => ({
      organisationId,
      regionCodes: [place.region.code],
      organisationIds: [organisationId],
    });
    const manager = (await staffSession(t.app, t.db, ['hall_manager'], scope(place.implementingBody.id)))
      .authorization;
    const url = `/api/v1/hall/places/${place.code}/settings`;
    const defaults = await inject('GET', url, manager);
    expect(defaults.statusCode, defaults.body).toBe(200);
    expect(defaults.json()).toMatchObject({
      slotMinutes: 30,
      capacity: 3,
      hours: [
        { from: '09:00', to: '12:00' },
        { from: '13:30', to: '17:00' },
      ],
      horizonDays: 10,
      own: false,
      noShow: { graceMinutes: 15, banNoShows: 3, banWindowDays: 90, banDays: 30 },
    });

    const bad = await inject('PUT', url, manager, {
      slotMinutes: 60,
      capacity: 5,
      hours: [
        { from: '09:00', to: '09:30' },
        { from: '09:00', to: '12:00' },
      ],
      horizonDays: 5,
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors.map((e: { field: string }) => e.field)).toEqual([
      'hours[0].to',
      'hours[1].from',
    ]);

    const saved = await inject('PUT', url, manager, {
      slotMinutes: 60,
      capacity: 5,
      hours: [{ from: '09:00', to: '12:00' }],
      horizonDays: 5,
    });
    expect(saved.statusCode, saved.body).toBe(200);
    expect(saved.json()).toMatchObject({ slotMinutes: 60, capacity: 5, horizonDays: 5, own: true });
    const list = await days();
    expect(list.length).toBeLessThanOrEqual(5);
    const last = list[list.length - 1]!;
    expect(last.slots.map((s) => s.startsAt.slice(11, 16))).toEqual(['09:00', '10:00', '11:00']);
    expect(last.slots.every((s) => s.capacity === 5 && s.remaining === 5)).toBe(true);

    const [other] = await t.db.query<{ id: number }>(
      `select id from organisation where kind = 'department' and region_code = $1 and id <> $2 order by id limit 1`,
      [place.region.code, place.implementingBody.id],
    );
    const outsider = (await staffSession(t.app, t.db, ['hall_manager'], scope(other!.id))).authorization;
    expect((await inject('GET', url, outsider)).statusCode).toBe(403);
    expect((await inject('PUT', url, clerk, saved.json())).statusCode).toBe(403);

    // Back to the defaults' shape for the other tests.
    await inject('PUT', url, manager, {
      slotMinutes: 30,
      capacity: 3,
      hours: [
        { from: '09:00', to: '12:00' },
        { from: '13:30', to: '17:00' },
      ],
      horizonDays: 10,
    });
  });

  it('refuses bad input with a problem naming the field in Chinese and English', async () => {
    const person = await personSession(t.app, t.db, { assurance: 2 });
    const problem = (res: {
      statusCode: number;
      json(): Record<string, unknown>;
      headers: Record<string, unknown>;
    }) => {
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      return res.json() as { errors: { field: string; rule: string; message: string; messageEn: string }[] };
    };

    const badDate = await inject('GET', `/api/v1/hall/places/${place.code}/slots?from=2026-02-30`);
    expect(badDate.statusCode).toBe(400);
    expect(problem(badDate).errors[0]).toMatchObject({ field: 'from' });
    expect(problem(badDate).errors[0]!.message).toBeTruthy();
    expect(problem(badDate).errors[0]!.messageEn).toBeTruthy();

    const unknown = await inject('GET', '/api/v1/hall/places/NOPE/slots');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().type).toBe('https://tongban.dev/problems/not-found');
    const unknownBooking = await inject('POST', '/api/v1/hall/appointments', person.authorization, {
      place: `${place.code.slice(0, -2)}99`,
      startsAt: (await laterSlot(0, 0)).startsAt,
    });
    expect(unknownBooking.statusCode).toBe(404);

    const slot = await laterSlot(0, 1);
    const notSlot = await book(person.authorization, slot.startsAt.replace(/T(\d\d):(\d\d)/, 'T$1:10'));
    expect(notSlot.statusCode, notSlot.body).toBe(400);
    expect(problem(notSlot).errors[0]).toMatchObject({ field: 'startsAt', rule: 'notSlot' });
    expect(problem(notSlot).errors[0]!.message).toMatch(/预约时段/);
    expect(problem(notSlot).errors[0]!.messageEn).toMatch(/slot/);

    const lunch = await book(person.authorization, `${slot.startsAt.slice(0, 10)}T12:30:00+08:00`);
    expect(problem(lunch).errors[0]).toMatchObject({ field: 'startsAt', rule: 'notSlot' });

    const past = await book(person.authorization, '2020-01-02T09:00:00+08:00');
    expect(problem(past).errors[0]).toMatchObject({ field: 'startsAt', rule: 'past' });

    const far = await book(person.authorization, '2099-01-05T09:00:00+08:00');
    expect(problem(far).errors[0]).toMatchObject({ field: 'startsAt', rule: 'beyondHorizon' });

    const noOffset = await book(person.authorization, '2026-02-30T09:00:00');
    expect(noOffset.statusCode).toBe(400);
    expect(problem(noOffset).errors[0]).toMatchObject({ field: 'startsAt', rule: 'format' });

    const missing = await inject('POST', '/api/v1/hall/appointments', person.authorization, {
      place: place.code,
    });
    expect(missing.statusCode).toBe(400);
    expect(problem(missing).errors[0]).toMatchObject({ field: 'startsAt', rule: 'required' });

    const badStatus = await inject('GET', '/api/v1/hall/appointments?status=gone', clerk);
    expect(badStatus.statusCode).toBe(400);
    expect(problem(badStatus).errors[0]).toMatchObject({ field: 'status' });
  });
});
