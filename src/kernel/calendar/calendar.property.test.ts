import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WorkingCalendar, type Pause } from './calendar.ts';
import { chinaDayOf, endOfChinaDay, formatDate, MS_PER_DAY, startOfChinaDay } from './china-time.ts';

const calendar = new WorkingCalendar();
const inclusive = new WorkingCalendar({ countStartDay: true });

/** Instants from 2025 to 2027: official data, its end, and the Monday-Friday fallback after it. */
const instant = fc.date({
  min: new Date('2025-01-01T00:00:00+08:00'),
  max: new Date('2027-12-31T23:59:59+08:00'),
  noInvalidDate: true,
});
const limit = fc.integer({ min: 0, max: 300 });
/** A closed pause: up to 60 days from its start. */
const closedPause = fc
  .tuple(instant, fc.integer({ min: 0, max: 60 * MS_PER_DAY }))
  .map(([from, length]): Pause => ({ from, to: new Date(from.getTime() + length) }));
const pause = fc.oneof(
  { weight: 4, arbitrary: closedPause },
  { weight: 1, arbitrary: instant.map((from): Pause => ({ from, to: null })) },
);

const isWorking = (cal: WorkingCalendar, day: number) => cal.isWorkingDay(formatDate(day));

/** The obvious day-by-day walk the fast calendar must agree with. */
function naiveDeadline(cal: WorkingCalendar, start: Date, n: number, pauses: Pause[]): Date | null {
  const startDay = chinaDayOf(start);
  if (n === 0) return endOfChinaDay(startDay);
  const paused = (day: number) =>
    pauses.some((p) => day > chinaDayOf(p.from) && (p.to == null || day <= chinaDayOf(p.to)));
  const lastClosedPauseDay = Math.max(startDay, ...pauses.map((p) => (p.to ? chinaDayOf(p.to) : startDay)));
  let counted = 0;
  for (let day = cal.countStartDay ? startDay : startDay + 1; ; day++) {
    // Past every closed pause and inside an open one, no day will ever count again.
    if (day > lastClosedPauseDay && pauses.some((p) => p.to == null && day > chinaDayOf(p.from))) return null;
    if (isWorking(cal, day) && !paused(day) && ++counted === n) return endOfChinaDay(day);
  }
}

describe('WorkingCalendar properties', () => {
  it('agrees with a day-by-day walk, with and without pauses, in both counting conventions', () => {
    fc.assert(
      fc.property(
        fc.boolean(),
        instant,
        limit,
        fc.array(pause, { maxLength: 4 }),
        (countStart, start, n, ps) => {
          const cal = countStart ? inclusive : calendar;
          expect(cal.deadline(start, n, ps)).toEqual(naiveDeadline(cal, start, n, ps));
        },
      ),
    );
  });

  it('ends a deadline on a working day at 23:59:59.999 +08:00, after the start', () => {
    fc.assert(
      fc.property(instant, fc.integer({ min: 1, max: 300 }), (start, n) => {
        const deadline = calendar.addWorkingDays(start, n);
        const day = chinaDayOf(deadline);
        expect(deadline).toEqual(endOfChinaDay(day));
        expect(isWorking(calendar, day)).toBe(true);
        expect(deadline.getTime()).toBeGreaterThan(start.getTime());
      }),
    );
  });

  it('counts back exactly the days it added', () => {
    fc.assert(
      fc.property(instant, limit, (start, n) => {
        expect(calendar.countWorkingDays(start, calendar.addWorkingDays(start, n))).toBe(n);
        if (n > 0) expect(inclusive.countWorkingDays(start, inclusive.addWorkingDays(start, n))).toBe(n);
      }),
    );
  });

  it('is monotonic in the limit, in the start, and in the end of a count', () => {
    fc.assert(
      fc.property(instant, instant, limit, limit, (a, b, n, m) => {
        const [early, late] = a <= b ? [a, b] : [b, a];
        const [few, many] = n <= m ? [n, m] : [m, n];
        expect(calendar.addWorkingDays(early, few) <= calendar.addWorkingDays(early, many)).toBe(true);
        expect(calendar.addWorkingDays(early, n) <= calendar.addWorkingDays(late, n)).toBe(true);
        expect(calendar.countWorkingDays(early, early)).toBe(0);
        expect(calendar.countWorkingDays(a, early)).toBeLessThanOrEqual(calendar.countWorkingDays(a, late));
      }),
    );
  });

  it('never makes a deadline earlier because of a pause', () => {
    fc.assert(
      fc.property(instant, limit, fc.array(closedPause, { maxLength: 4 }), (start, n, pauses) => {
        const deadline = calendar.deadline(start, n, pauses)!;
        expect(deadline >= calendar.addWorkingDays(start, n)).toBe(true);
        expect(calendar.deadline(start, n, [...pauses].reverse())).toEqual(deadline);
      }),
    );
  });

  it('does not move a deadline for a pause over days off only', () => {
    fc.assert(
      fc.property(instant, limit, instant, fc.nat(MS_PER_DAY - 1), (start, n, near, offset) => {
        // The run of days off (a weekend, a holiday) at or after `near`, if any.
        let first = chinaDayOf(near);
        while (isWorking(calendar, first)) first++;
        let last = first;
        while (!isWorking(calendar, last + 1)) last++;
        // Paused days are those after the day it begins up to the day it ends.
        const pause = {
          from: new Date(startOfChinaDay(first - 1).getTime() + offset),
          to: endOfChinaDay(last),
        };
        expect(calendar.deadline(start, n, [pause])).toEqual(calendar.addWorkingDays(start, n));
      }),
    );
  });

  it('has used up exactly the limit at its deadline, and none before the start day ends', () => {
    fc.assert(
      fc.property(
        instant,
        fc.integer({ min: 1, max: 300 }),
        fc.array(pause, { maxLength: 4 }),
        (start, n, ps) => {
          const deadline = calendar.deadline(start, n, ps);
          if (deadline) {
            expect(calendar.elapsedWorkingDays(start, deadline, ps)).toBe(n);
            expect(calendar.remainingWorkingDays(start, n, deadline, ps)).toBe(0);
          }
          expect(calendar.elapsedWorkingDays(start, start, ps)).toBe(0);
        },
      ),
    );
  });
});
