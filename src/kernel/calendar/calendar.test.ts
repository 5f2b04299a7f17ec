import { describe, expect, it } from 'vitest';
import { CalendarRangeError, WorkingCalendar } from './calendar.ts';
import { formatChinaInstant } from './china-time.ts';

const calendar = new WorkingCalendar();
/** An instant given in China time, e.g. cst('2026-02-12T10:00'). */
const cst = (local: string) => new Date(`${local}:00+08:00`);
const shown = (instant: Date | null) => instant && formatChinaInstant(instant);
const workingDates = (from: string, to: string) =>
  calendar
    .days(from, to)
    .filter((day) => day.working)
    .map((day) => day.date);

describe('WorkingCalendar: 2026 official data', () => {
  it('takes the Spring Festival off (Feb 15-23) and works the make-up Saturdays Feb 14 and Feb 28', () => {
    for (const date of ['2026-02-15', '2026-02-16', '2026-02-20', '2026-02-23']) {
      expect(calendar.isWorkingDay(date), date).toBe(false);
    }
    expect(calendar.isWorkingDay('2026-02-13')).toBe(true);
    expect(calendar.isWorkingDay('2026-02-14')).toBe(true);
    expect(calendar.isWorkingDay('2026-02-24')).toBe(true);
    expect(calendar.isWorkingDay('2026-02-28')).toBe(true);
    expect(calendar.isWorkingDay('2026-03-01')).toBe(false);
    expect(workingDates('2026-02-09', '2026-03-01')).toEqual([
      ...['2026-02-09', '2026-02-10', '2026-02-11', '2026-02-12', '2026-02-13', '2026-02-14'],
      ...['2026-02-24', '2026-02-25', '2026-02-26', '2026-02-27', '2026-02-28'],
    ]);
  });

  it('takes National Day off (Oct 1-7) and works Sunday Sep 20 and Saturday Oct 10', () => {
    for (const date of ['2026-10-01', '2026-10-05', '2026-10-07']) {
      expect(calendar.isWorkingDay(date), date).toBe(false);
    }
    expect(calendar.isWorkingDay('2026-09-20')).toBe(true);
    expect(calendar.isWorkingDay('2026-10-10')).toBe(true);
    expect(calendar.isWorkingDay('2026-10-08')).toBe(true);
    expect(calendar.isWorkingDay('2026-10-11')).toBe(false);
  });

  it('explains each day: weekday, weekend, holiday with its name, make-up day', () => {
    expect(calendar.describe('2026-02-12')).toEqual({ date: '2026-02-12', working: true, kind: 'workday' });
    expect(calendar.describe('2026-03-01')).toEqual({ date: '2026-03-01', working: false, kind: 'weekend' });
    expect(calendar.describe('2026-02-17')).toEqual({
      date: '2026-02-17',
      working: false,
      kind: 'holiday',
      name: '春节',
      nameEn: 'Spring Festival',
    });
    expect(calendar.describe('2026-09-20')).toMatchObject({ working: true, kind: 'makeup', name: '国庆节' });
    expect(calendar.describe('2026-01-01')).toMatchObject({ working: false, kind: 'holiday', name: '元旦' });
  });

  it('falls back to Monday-Friday in years the official data does not cover', () => {
    // 2003-10-01 (National Day, a Wednesday) predates the data that starts in 2004.
    expect(calendar.describe('2003-10-01')).toEqual({ date: '2003-10-01', working: true, kind: 'workday' });
    expect(calendar.describe('2150-01-03')).toEqual({ date: '2150-01-03', working: false, kind: 'weekend' });
  });

  it('finds the next working day across the Spring Festival', () => {
    expect(calendar.nextWorkingDay('2026-02-13')).toBe('2026-02-14');
    expect(calendar.nextWorkingDay('2026-02-14')).toBe('2026-02-24');
    expect(calendar.nextWorkingDay('2026-02-18')).toBe('2026-02-24');
  });
});

describe('WorkingCalendar: adding and counting working days', () => {
  it('counts from the day after acceptance and ends at 23:59:59.999 +08:00', () => {
    const accepted = cst('2026-02-12T10:00');
    expect(shown(calendar.addWorkingDays(accepted, 1))).toBe('2026-02-13T23:59:59.999+08:00');
    expect(shown(calendar.addWorkingDays(accepted, 2))).toBe('2026-02-14T23:59:59.999+08:00');
    expect(shown(calendar.addWorkingDays(accepted, 3))).toBe('2026-02-24T23:59:59.999+08:00');
    expect(shown(calendar.addWorkingDays(accepted, 8))).toBe('2026-03-02T23:59:59.999+08:00');
    expect(calendar.countWorkingDays(accepted, cst('2026-02-24T08:00'))).toBe(3);
    expect(calendar.countWorkingDays(accepted, cst('2026-02-23T23:59'))).toBe(2);
  });

  it('makes an immediate item (0 days) due at the end of the day it starts', () => {
    expect(shown(calendar.addWorkingDays(cst('2026-02-16T10:00'), 0))).toBe('2026-02-16T23:59:59.999+08:00');
  });

  it('uses the China date of the start, whatever zone it is written in', () => {
    // 17:00 UTC on Feb 13 is 01:00 on Saturday Feb 14 in China: Feb 14 is the start day.
    const start = new Date('2026-02-13T17:00:00Z');
    expect(shown(calendar.addWorkingDays(start, 1))).toBe('2026-02-24T23:59:59.999+08:00');
    expect(shown(calendar.addWorkingDays(new Date('2026-02-13T15:59:59Z'), 1))).toBe(
      '2026-02-14T23:59:59.999+08:00',
    );
  });

  it('can count the start day itself where a province does so', () => {
    const inclusive = new WorkingCalendar({ countStartDay: true });
    expect(shown(inclusive.addWorkingDays(cst('2026-02-12T10:00'), 1))).toBe('2026-02-12T23:59:59.999+08:00');
    expect(shown(inclusive.addWorkingDays(cst('2026-02-12T10:00'), 3))).toBe('2026-02-14T23:59:59.999+08:00');
    // Accepted on a holiday: the first counted day is the next working day.
    expect(shown(inclusive.addWorkingDays(cst('2026-02-16T10:00'), 1))).toBe('2026-02-24T23:59:59.999+08:00');
    expect(inclusive.countWorkingDays(cst('2026-02-12T10:00'), cst('2026-02-12T18:00'))).toBe(1);
  });

  it('counts nothing when the end is not after the start day', () => {
    expect(calendar.countWorkingDays(cst('2026-02-12T10:00'), cst('2026-02-12T18:00'))).toBe(0);
    expect(calendar.countWorkingDays(cst('2026-02-12T10:00'), cst('2026-02-02T18:00'))).toBe(0);
  });

  it('adds a thousand working days', () => {
    const start = cst('2026-02-12T10:00');
    const deadline = calendar.addWorkingDays(start, 1000);
    expect(calendar.countWorkingDays(start, deadline)).toBe(1000);
    expect(calendar.isWorkingDay(formatChinaInstant(deadline).slice(0, 10))).toBe(true);
  });
});

describe('WorkingCalendar: overrides', () => {
  const overridden = new WorkingCalendar({
    overrides: {
      '2026-03-07': { working: true, reason: '防汛值班' },
      '2026-03-09': { working: false, reason: '地方纪念日' },
    },
  });

  it('wins over the weekend and over a weekday', () => {
    expect(overridden.isWorkingDay('2026-03-07')).toBe(true);
    expect(overridden.isWorkingDay('2026-03-09')).toBe(false);
    expect(overridden.describe('2026-03-09')).toEqual({
      date: '2026-03-09',
      working: false,
      kind: 'override',
      override: { working: false, reason: '地方纪念日' },
    });
    expect(calendar.isWorkingDay('2026-03-07')).toBe(false);
  });

  it('moves deadlines', () => {
    const friday = cst('2026-03-06T10:00');
    expect(shown(calendar.addWorkingDays(friday, 1))).toBe('2026-03-09T23:59:59.999+08:00');
    expect(shown(overridden.addWorkingDays(friday, 1))).toBe('2026-03-07T23:59:59.999+08:00');
    expect(shown(overridden.addWorkingDays(friday, 2))).toBe('2026-03-10T23:59:59.999+08:00');
  });

  it('can give a holiday back as a working day, keeping the holiday name', () => {
    const cal = new WorkingCalendar({ overrides: { '2026-02-16': { working: true, reason: '应急' } } });
    expect(cal.describe('2026-02-16')).toMatchObject({ working: true, kind: 'override', name: '春节' });
  });

  it('rejects an override on a day that does not exist', () => {
    expect(
      () => new WorkingCalendar({ overrides: { '2026-02-30': { working: true, reason: 'x' } } }),
    ).toThrow(RangeError);
  });
});

describe('WorkingCalendar: pauses (补正, 特别程序)', () => {
  const accepted = cst('2026-03-02T10:00'); // Monday
  const limit = 5; // plain: due Monday 2026-03-09

  it('is the plain deadline without pauses', () => {
    expect(shown(calendar.deadline(accepted, limit, []))).toBe('2026-03-09T23:59:59.999+08:00');
  });

  it('stops the clock from the day after the pause begins to the day it ends', () => {
    // Supplement notice Tuesday, materials back Thursday: Wed and Thu do not count.
    const pause = { from: cst('2026-03-03T15:00'), to: cst('2026-03-05T09:00') };
    expect(shown(calendar.deadline(accepted, limit, [pause]))).toBe('2026-03-11T23:59:59.999+08:00');
    expect(calendar.elapsedWorkingDays(accepted, cst('2026-03-05T18:00'), [pause])).toBe(1);
    expect(calendar.elapsedWorkingDays(accepted, cst('2026-03-11T18:00'), [pause])).toBe(5);
  });

  it('ignores a pause that begins and ends on the same day', () => {
    const pause = { from: cst('2026-03-03T09:00'), to: cst('2026-03-03T17:00') };
    expect(shown(calendar.deadline(accepted, limit, [pause]))).toBe('2026-03-09T23:59:59.999+08:00');
  });

  it('merges overlapping pauses given in any order', () => {
    const pauses = [
      { from: cst('2026-03-04T10:00'), to: cst('2026-03-06T10:00') }, // Thu, Fri
      { from: cst('2026-03-03T10:00'), to: cst('2026-03-05T10:00') }, // Wed, Thu
    ];
    // Wed-Fri off the clock: Tue, Mon 9, Tue 10, Wed 11, Thu 12.
    expect(shown(calendar.deadline(accepted, limit, pauses))).toBe('2026-03-12T23:59:59.999+08:00');
    expect(shown(calendar.deadline(accepted, limit, [...pauses].reverse()))).toBe(
      '2026-03-12T23:59:59.999+08:00',
    );
  });

  it('has no deadline while an open pause holds the clock', () => {
    const open = { from: cst('2026-03-03T15:00'), to: null };
    expect(calendar.deadline(accepted, limit, [open])).toBeNull();
    expect(calendar.elapsedWorkingDays(accepted, cst('2026-04-30T12:00'), [open])).toBe(1);
    expect(calendar.remainingWorkingDays(accepted, limit, cst('2026-04-30T12:00'), [open])).toBe(4);
  });

  it('keeps the deadline when an open pause begins after the limit was used up', () => {
    const late = { from: cst('2026-03-10T09:00') };
    expect(shown(calendar.deadline(accepted, limit, [late]))).toBe('2026-03-09T23:59:59.999+08:00');
  });

  it('does not let a pause over the Spring Festival move the deadline', () => {
    const start = cst('2026-02-12T10:00');
    const holiday = { from: cst('2026-02-14T18:00'), to: cst('2026-02-23T18:00') };
    expect(calendar.deadline(start, 3, [holiday])).toEqual(calendar.addWorkingDays(start, 3));
  });

  it('tells remaining working days for warnings, negative once overdue', () => {
    expect(calendar.remainingWorkingDays(accepted, limit, cst('2026-03-02T18:00'), [])).toBe(5);
    expect(calendar.remainingWorkingDays(accepted, limit, cst('2026-03-06T09:00'), [])).toBe(1);
    expect(calendar.remainingWorkingDays(accepted, limit, cst('2026-03-09T09:00'), [])).toBe(0);
    expect(calendar.remainingWorkingDays(accepted, limit, cst('2026-03-11T09:00'), [])).toBe(-2);
  });
});

describe('WorkingCalendar: bad input', () => {
  it('rejects impossible dates and instants', () => {
    expect(() => calendar.isWorkingDay('2026-02-30')).toThrow(RangeError);
    expect(() => calendar.addWorkingDays(new Date('nope'), 1)).toThrow(RangeError);
  });

  it('rejects negative or fractional limits', () => {
    expect(() => calendar.addWorkingDays(cst('2026-03-02T10:00'), -1)).toThrow(RangeError);
    expect(() => calendar.addWorkingDays(cst('2026-03-02T10:00'), 1.5)).toThrow(RangeError);
  });

  it('rejects a pause that ends before it begins', () => {
    const pause = { from: cst('2026-03-05T10:00'), to: cst('2026-03-03T10:00') };
    expect(() => calendar.deadline(cst('2026-03-02T10:00'), 5, [pause])).toThrow(/cannot end before/);
  });

  it('names the calendar range when a day or a deadline falls outside it', () => {
    expect(() => calendar.isWorkingDay('1969-12-31')).toThrow(CalendarRangeError);
    expect(() => calendar.isWorkingDay('2200-01-01')).toThrow(CalendarRangeError);
    expect(() => calendar.addWorkingDays(cst('2199-06-01T10:00'), 3650)).toThrow(CalendarRangeError);
  });
});
