import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/helpers/db.ts';
import { auditTrail } from '../audit.ts';
import { AppError } from '../errors.ts';
import { formatChinaInstant } from './china-time.ts';
import { CalendarService, calendarServiceFor } from './service.ts';

const admin = { actor: 'admin-1', ip: '10.0.0.1', requestId: 'req-1' };
const friday = new Date('2026-03-06T10:00:00+08:00');
const SATURDAY = '2026-03-07';
const MONDAY = '2026-03-09';

describe('CalendarService', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(() => t.drop());

  it('makes a Saturday working and a Monday off, and the calendar follows at once', async () => {
    const service = new CalendarService(t.db);
    const before = await service.calendar();
    expect(formatChinaInstant(before.addWorkingDays(friday, 1))).toBe('2026-03-09T23:59:59.999+08:00');

    const saved = await service.setOverride(SATURDAY, { working: true, reason: ' 防汛值班 ' }, admin);
    expect(saved).toMatchObject({ date: SATURDAY, working: true, reason: '防汛值班', updatedBy: 'admin-1' });
    expect(saved.updatedAt).toBeInstanceOf(Date);
    await service.setOverride(MONDAY, { working: false, reason: '地方纪念日' }, admin);

    const after = await service.calendar();
    expect(after.isWorkingDay(SATURDAY)).toBe(true);
    expect(after.isWorkingDay(MONDAY)).toBe(false);
    expect(after.describe(MONDAY)).toMatchObject({ kind: 'override', override: { reason: '地方纪念日' } });
    expect(formatChinaInstant(after.addWorkingDays(friday, 2))).toBe('2026-03-10T23:59:59.999+08:00');

    const listed = await service.listOverrides();
    expect(listed.map((o) => [o.date, o.working])).toEqual([
      [SATURDAY, true],
      [MONDAY, false],
    ]);
  });

  it('audits every change with before and after', async () => {
    const service = new CalendarService(t.db);
    const date = '2026-03-21'; // a Saturday
    await service.setOverride(date, { working: true, reason: '防汛值班' }, admin);
    await service.setOverride(date, { working: false, reason: '取消值班' }, admin);
    await service.removeOverride(date, admin);
    const trail = await auditTrail(t.db, 'calendar_override', date);
    expect(trail.map(({ actor, action, before, after }) => ({ actor, action, before, after }))).toEqual([
      {
        actor: 'admin-1',
        action: 'calendar.override.set',
        before: null,
        after: { working: true, reason: '防汛值班' },
      },
      {
        actor: 'admin-1',
        action: 'calendar.override.set',
        before: { working: true, reason: '防汛值班' },
        after: { working: false, reason: '取消值班' },
      },
      {
        actor: 'admin-1',
        action: 'calendar.override.delete',
        before: { working: false, reason: '取消值班' },
        after: null,
      },
    ]);
    expect((await service.calendar()).describe(date)).toEqual({ date, working: false, kind: 'weekend' });
  });

  it('picks up changes made by another process once its cache expires', async () => {
    let now = 0;
    const here = new CalendarService(t.db, { ttlMs: 30_000, clock: () => now });
    const elsewhere = new CalendarService(t.db);
    const date = '2026-03-14'; // a Saturday
    expect((await here.calendar()).isWorkingDay(date)).toBe(false);

    await elsewhere.setOverride(date, { working: true, reason: '补班' }, admin);
    now = 29_999;
    expect((await here.calendar()).isWorkingDay(date)).toBe(false);
    now = 30_000;
    expect((await here.calendar()).isWorkingDay(date)).toBe(true);
  });

  it('reuses the cached calendar within its lifetime', async () => {
    const service = new CalendarService(t.db, { clock: () => 0 });
    expect(await service.calendar()).toBe(await service.calendar());
  });

  it('counts the start day where configured', async () => {
    const service = new CalendarService(t.db, { countStartDay: true });
    expect(formatChinaInstant((await service.calendar()).addWorkingDays(friday, 1))).toBe(
      '2026-03-06T23:59:59.999+08:00',
    );
  });

  it('rejects bad dates and reasons, and removing what is not there', async () => {
    const service = new CalendarService(t.db);
    const failure = (promise: Promise<unknown>) =>
      promise.then(
        () => undefined,
        (error: unknown) => error,
      );

    const badDate = await failure(service.setOverride('2026-02-30', { working: true, reason: 'x' }, admin));
    expect(badDate).toBeInstanceOf(AppError);
    expect((badDate as AppError).errors).toMatchObject([{ field: 'date', rule: 'date' }]);

    const outside = await failure(service.setOverride('2200-01-01', { working: true, reason: 'x' }, admin));
    expect((outside as AppError).errors).toMatchObject([{ field: 'date', rule: 'range' }]);

    const blank = await failure(service.setOverride('2026-05-06', { working: true, reason: '   ' }, admin));
    expect((blank as AppError).errors).toMatchObject([{ field: 'reason', rule: 'length' }]);

    const missing = await failure(service.removeOverride('2026-05-06', admin));
    expect((missing as AppError).code).toBe('not_found');
    expect(await service.listOverrides()).not.toContainEqual(expect.objectContaining({ date: '2026-05-06' }));
  });

  it('shares one service per database within a process', () => {
    expect(calendarServiceFor(t.db)).toBe(calendarServiceFor(t.db));
  });
});
