import { describe, expect, it } from 'vitest';
import { WorkingCalendar } from '../../kernel/calendar/index.ts';
import { bookableDays, checkSlot, horizonDays, slotsOfDay, formatDate, type SlotSettings } from './slots.ts';

const settings: SlotSettings = {
  slotMinutes: 30,
  capacity: 3,
  hours: [
    { from: '09:00', to: '12:00' },
    { from: '13:30', to: '17:00' },
  ],
  horizonDays: 10,
};
const calendar = new WorkingCalendar({ overrides: { '2026-06-10': { working: false, reason: '停电检修' } } });
const dayOf = (date: string) => Date.parse(`${date}T00:00:00Z`) / 86_400_000;
const at = (iso: string) => new Date(iso);
const hhmm = (d: Date) => new Date(d.getTime() + 8 * 3_600_000).toISOString().slice(11, 16);

describe('appointment slots', () => {
  it('cuts the opening hours into slots that end within each range (China time)', () => {
    const slots = slotsOfDay(dayOf('2026-06-08'), settings);
    expect(slots).toHaveLength(13);
    expect(slots[0]!.startsAt.toISOString()).toBe('2026-06-08T01:00:00.000Z');
    expect(slots.map((s) => `${hhmm(s.startsAt)}-${hhmm(s.endsAt)}`)).toEqual([
      '09:00-09:30',
      '09:30-10:00',
      '10:00-10:30',
      '10:30-11:00',
      '11:00-11:30',
      '11:30-12:00',
      '13:30-14:00',
      '14:00-14:30',
      '14:30-15:00',
      '15:00-15:30',
      '15:30-16:00',
      '16:00-16:30',
      '16:30-17:00',
    ]);
    // A 45-minute slot does not overrun 12:00: 09:00, 09:45, 10:30 (11:15-12:00 fits too).
    const long = slotsOfDay(dayOf('2026-06-08'), { ...settings, slotMinutes: 45 });
    expect(long.filter((s) => hhmm(s.startsAt) < '12:00').map((s) => hhmm(s.startsAt))).toEqual([
      '09:00',
      '09:45',
      '10:30',
      '11:15',
    ]);
    expect(long.filter((s) => hhmm(s.startsAt) > '12:00').map((s) => hhmm(s.endsAt))).toEqual([
      '14:15',
      '15:00',
      '15:45',
      '16:30',
    ]);
  });

  it('books only working days within the horizon, skipping weekends, holidays and overrides', () => {
    const now = at('2026-06-08T10:05:00+08:00');
    expect(horizonDays(calendar, now, 10).map(formatDate)).toEqual([
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
    const days = bookableDays(calendar, now, settings);
    expect(days.map((d) => d.date)).toEqual(horizonDays(calendar, now, 10).map(formatDate));
    // Started slots are left out: at 10:05 the first is 10:30.
    expect(hhmm(days[0]!.slots[0]!.startsAt)).toBe('10:30');
    expect(days[0]!.slots).toHaveLength(10);
    // From a later day, for a number of days; never beyond the horizon.
    expect(
      bookableDays(calendar, now, settings, { from: dayOf('2026-06-13'), count: 3 }).map((d) => d.date),
    ).toEqual(['2026-06-15', '2026-06-16', '2026-06-17']);
    expect(
      bookableDays(calendar, now, settings, { from: dayOf('2026-06-22'), count: 10 }).map((d) => d.date),
    ).toEqual(['2026-06-22', '2026-06-23']);
    expect(bookableDays(calendar, now, settings, { count: 50 })).toHaveLength(10);
  });

  it('drops today once all its slots have started', () => {
    const evening = at('2026-06-08T16:45:00+08:00');
    const days = bookableDays(calendar, evening, settings);
    expect(days[0]!.date).toBe('2026-06-09');
    expect(days).toHaveLength(9);
  });

  it('says why an instant is not a bookable slot', () => {
    const now = at('2026-06-08T10:05:00+08:00');
    const check = (iso: string) => {
      const result = checkSlot(calendar, now, settings, at(iso));
      return typeof result === 'string' ? result : `${hhmm(result.startsAt)}-${hhmm(result.endsAt)}`;
    };
    expect(check('2026-06-09T09:00:00+08:00')).toBe('09:00-09:30');
    expect(check('2026-06-09T01:00:00Z')).toBe('09:00-09:30');
    expect(check('2026-06-08T10:00:00+08:00')).toBe('past');
    expect(check('2026-06-10T09:00:00+08:00')).toBe('notWorkingDay');
    expect(check('2026-06-13T09:00:00+08:00')).toBe('notWorkingDay');
    expect(check('2026-06-19T09:00:00+08:00')).toBe('notWorkingDay');
    expect(check('2026-06-24T09:00:00+08:00')).toBe('beyondHorizon');
    expect(check('2026-06-09T09:10:00+08:00')).toBe('notSlot');
    expect(check('2026-06-09T12:00:00+08:00')).toBe('notSlot');
    expect(check('2026-06-09T17:00:00+08:00')).toBe('notSlot');
  });
});
