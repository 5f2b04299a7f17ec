import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/helpers/app.ts';
import { personSession } from '../../../test/helpers/identity.ts';
import type { Principal } from '../../kernel/auth.ts';
import { calendarServiceFor } from '../../kernel/calendar/index.ts';
import { AppError } from '../../kernel/errors.ts';
import { seed } from '../../seed/index.ts';
import { placeOf, type PlaceOfItem } from '../catalog/index.ts';
import { HallService, type Booker } from './service.ts';
import type { Appointment } from './store.ts';
import { hallSettings } from './settings.ts';

/**
 * The hall's rules on a real database with an injected clock: slots on working days only
 * (console overrides included), check-in window, the no-show sweep and the booking ban.
 */
describe('hall service', () => {
  let t: TestApp;
  let place: PlaceOfItem;
  let now: Date;
  let hall: HallService;
  let staff: Principal;
  const actor = { actor: 'test' };
  const at = (iso: string) => new Date(iso);

  const booker = async (): Promise<Booker> => {
    const person = await personSession(t.app, t.db, { assurance: 2 });
    return { sub: person.accountId, name: '测试用户', acting: null };
  };
  const refusal = async (promise: Promise<unknown>) => {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  };

  beforeAll(async () => {
    t = await createTestApp();
    await seed(t.db, 'small');
    const [entry] = await t.db.query<{ code: string }>(
      `select e.code from catalog_entry e join catalog_item_version v on v.item_id = e.item_id and v.status = 'published'
        where v.name = '内地居民结婚登记' order by e.code limit 1`,
    );
    place = (await placeOf(t.db, entry!.code))!;
    await calendarServiceFor(t.db).setOverride(
      '2026-06-10',
      { working: false, reason: '办事大厅设备检修' },
      actor,
    );
    now = at('2026-06-08T10:05:00+08:00');
    hall = new HallService({
      db: t.db,
      settings: hallSettings(t.app.hall.service.deps.settings),
      calendar: () => calendarServiceFor(t.db).calendar(),
      now: () => now,
      phoneOf: async () => '13912345678',
    });
    staff = {
      sub: 'staff-test',
      kind: 'staff',
      name: '窗口人员',
      sessionId: 's',
      channel: 'bearer',
      assurance: 1,
      roles: ['window_clerk'],
      permissions: new Set(['case.receive']),
      jurisdiction: { regionCodes: [place.region.code], organisationIds: [place.implementingBody.id] },
      organisationId: place.implementingBody.id,
      acting: null,
    };
  }, 180_000);
  afterAll(() => t.drop());

  it('lists working days only (a console override included), without started slots', async () => {
    now = at('2026-06-08T10:05:00+08:00');
    const slots = await hall.slots(place.code, {});
    expect(slots.days.map((d) => d.date)).toEqual([
      '2026-06-08',
      '2026-06-09',
      '2026-06-11',
      '2026-06-12',
      '2026-06-15',
      '2026-06-16',
      '2026-06-17',
      '2026-06-18',
      '2026-06-22',
      '2026-06-23',
    ]);
    expect(slots.days[0]!.slots[0]!.startsAt).toBe('2026-06-08T10:30:00.000+08:00');
    const refused = await refusal(
      hall.book(await booker(), { place: place.code, startsAt: '2026-06-10T09:00:00+08:00' }, actor),
    );
    expect(refused.errors?.[0]).toMatchObject({ field: 'startsAt', rule: 'notWorkingDay' });
    const started = await refusal(
      hall.book(await booker(), { place: place.code, startsAt: '2026-06-08T10:00:00+08:00' }, actor),
    );
    expect(started.errors?.[0]).toMatchObject({ field: 'startsAt', rule: 'past' });
  });

  it('takes a seat per booking and gives it back on cancel; a started booking cannot be cancelled', async () => {
    now = at('2026-06-08T10:05:00+08:00');
    const startsAt = '2026-06-09T14:00:00+08:00';
    const remaining = async () =>
      (await hall.slots(place.code, { from: '2026-06-09', days: 1 })).days[0]!.slots.find(
        (s) => s.startsAt === '2026-06-09T14:00:00.000+08:00',
      )!.remaining;
    const a = await hall.book(await booker(), { place: place.code, startsAt }, actor);
    const bPerson = await booker();
    const b = await hall.book(bPerson, { place: place.code, startsAt }, actor);
    expect(a.number).toMatch(/^YY20260609-\d{4}$/);
    expect(await remaining()).toBe(1);
    await hall.cancel(bPerson.sub, b.id, actor);
    expect(await remaining()).toBe(2);
    const late = await booker();
    const c = await hall.book(late, { place: place.code, startsAt }, actor);
    now = at('2026-06-09T14:00:00+08:00');
    const refused = await refusal(hall.cancel(late.sub, c.id, actor));
    expect(refused.status).toBe(409);
    const trail = await t.db.query<{ action: string }>(
      `select action from audit_log where entity = 'hall_appointment' and entity_id = $1 order by id`,
      [b.id],
    );
    expect(trail.map((r) => r.action)).toEqual(['hall.appointment.book', 'hall.appointment.cancel']);
  });

  it('checks people in from 30 minutes before the start until the end of the slot', async () => {
    now = at('2026-06-08T10:05:00+08:00');
    const first = await hall.book(
      await booker(),
      { place: place.code, startsAt: '2026-06-11T09:00:00+08:00' },
      actor,
    );
    const second = await hall.book(
      await booker(),
      { place: place.code, startsAt: '2026-06-11T09:00:00+08:00' },
      actor,
    );
    now = at('2026-06-11T08:29:00+08:00');
    expect((await refusal(hall.arrive(staff, first.id, actor))).status).toBe(409);
    now = at('2026-06-11T08:30:00+08:00');
    const arrived = await hall.arrive(staff, first.id, actor);
    expect(arrived.status).toBe('arrived');
    expect(arrived.arrivedAt).toBe('2026-06-11T08:30:00.000+08:00');
    expect((await refusal(hall.arrive(staff, first.id, actor))).extra).toMatchObject({
      currentStatus: 'arrived',
    });
    now = at('2026-06-11T09:30:00+08:00');
    expect((await refusal(hall.arrive(staff, second.id, actor))).status).toBe(409);
    // Staff of another department do not see it at all.
    const outsider: Principal = {
      ...staff,
      jurisdiction: {
        regionCodes: [place.region.code],
        organisationIds: [place.implementingBody.id + 100_000],
      },
    };
    now = at('2026-06-11T09:10:00+08:00');
    expect((await refusal(hall.arrive(outsider, second.id, actor))).status).toBe(404);
    expect(await hall.staffList(outsider, { date: '2026-06-11' })).toEqual([]);
    const list = await hall.staffList(staff, { date: '2026-06-11' });
    expect(list.map((a) => [a.id, a.status])).toEqual([
      [first.id, 'arrived'],
      [second.id, 'booked'],
    ]);
    expect(list[0]!.applicant).toEqual({ name: '测试用户', phone: '139****5678' });
  });

  it('records the enterprise a person books for', async () => {
    now = at('2026-06-08T10:05:00+08:00');
    const person = { ...(await booker()), acting: { uscc: '91350100M000100Y43', name: '示例餐饮有限公司' } };
    const booked = await hall.book(
      person,
      { place: place.code, startsAt: '2026-06-12T15:00:00+08:00' },
      actor,
    );
    const [row] = await t.db.query<{ acting_for: string }>(
      'select acting_for from hall_appointment where id = $1',
      [booked.id],
    );
    expect(row!.acting_for).toBe('enterprise:91350100M000100Y43');
    const listed = (await hall.staffList(staff, { date: '2026-06-12' })).find((a) => a.id === booked.id);
    expect(listed!.applicant.name).toBe('示例餐饮有限公司（测试用户）');
    // The person owns the booking: it is among theirs, and they may cancel it.
    expect((await hall.mine(person.sub)).map((a) => a.id)).toEqual([booked.id]);
  });

  it('runs the sweep as a periodic job of the server', () => {
    expect(t.app.jobs.find((job) => job.name === 'hall.no-shows')?.everyMs).toBe(60_000);
  });

  it('sweeps no-shows after the grace time and bans a person after 3 in 90 days for 30 days', async () => {
    now = at('2026-06-08T10:05:00+08:00');
    const person = await booker();
    const starts = ['2026-06-12T09:00:00+08:00', '2026-06-15T09:00:00+08:00', '2026-06-16T09:00:00+08:00'];
    const booked: Appointment[] = [];
    for (const startsAt of starts)
      booked.push(await hall.book(person, { place: place.code, startsAt }, actor));

    // The last slot ends at 09:30; 14 minutes later it is not a no-show yet.
    now = at('2026-06-16T09:44:00+08:00');
    await hall.sweepNoShows();
    const statuses = async () =>
      (await hall.mine(person.sub)).filter((a) => booked.some((b) => b.id === a.id)).map((a) => a.status);
    expect((await statuses()).sort()).toEqual(['booked', 'no_show', 'no_show']);
    expect(await hall.bannedUntil(person.sub)).toBeNull();

    now = at('2026-06-16T09:45:00+08:00');
    expect(await hall.sweepNoShows()).toBeGreaterThanOrEqual(1);
    expect(await statuses()).toEqual(['no_show', 'no_show', 'no_show']);
    const events = await t.db.query<{ n: number }>(
      `select count(*)::int as n from outbox_event where topic = 'hall.appointment.no_show' and key = any($1::text[])`,
      [booked.map((b) => b.id)],
    );
    expect(events[0]!.n).toBe(3);

    const banned = await refusal(
      hall.book(person, { place: place.code, startsAt: '2026-06-17T09:00:00+08:00' }, actor),
    );
    expect(banned.code).toBe('booking_banned');
    expect(banned.status).toBe(403);
    expect(banned.extra).toEqual({ until: '2026-07-16T09:00:00.000+08:00' });

    // Someone else with the same history minus one no-show may book.
    expect(await hall.bannedUntil((await booker()).sub)).toBeNull();

    // The ban ends 30 days after the latest no-show.
    now = at('2026-07-16T09:01:00+08:00');
    const again = await hall.book(
      person,
      { place: place.code, startsAt: '2026-07-17T09:00:00+08:00' },
      actor,
    );
    expect(again.status).toBe('booked');
  });
});
