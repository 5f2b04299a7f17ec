import { chinaDayOf, endOfChinaDay, formatDate, parseDate, weekdayOf } from './china-time.ts';
import { officialCalendar } from './official.ts';

/** The days the calendar knows; far wider than any time limit needs. */
export const CALENDAR_FIRST_DATE = '1970-01-01';
export const CALENDAR_LAST_DATE = '2199-12-31';
const LAST_DAY = parseDate(CALENDAR_LAST_DATE)!;

/** A date or instant outside CALENDAR_FIRST_DATE..CALENDAR_LAST_DATE. */
export class CalendarRangeError extends RangeError {
  constructor(what: string) {
    super(`${what} is outside the calendar (${CALENDAR_FIRST_DATE} to ${CALENDAR_LAST_DATE})`);
    this.name = 'CalendarRangeError';
  }
}

/** An administrator's decision that a day is (or is not) a working day, e.g. a local holiday. */
export interface DayOverride {
  working: boolean;
  reason: string;
}

/** Why a day is or is not a working day; an override wins over everything else. */
export type DayKind = 'workday' | 'weekend' | 'holiday' | 'makeup' | 'override';

export interface DayInfo {
  date: string;
  working: boolean;
  kind: DayKind;
  /** The public holiday a holiday or make-up day belongs to (春节), in Chinese and English. */
  name?: string;
  nameEn?: string;
  override?: DayOverride;
}

/**
 * A stretch of time during which the clock stops (补正: waiting for the applicant's
 * supplement; 特别程序: hearing, inspection, testing, expert review ...). `to` null or
 * undefined = still paused.
 *
 * Counted in whole days, with the same convention as the start of a time limit: the day
 * the pause begins still counts, the days after it up to and including the day it ends
 * do not, and counting resumes on the next working day (as on a fresh acceptance).
 */
export interface Pause {
  from: Date;
  to?: Date | null;
}

export interface WorkingCalendarOptions {
  /** Administrator overrides by date ('YYYY-MM-DD'); they win over the official data. */
  overrides?: Readonly<Record<string, DayOverride>>;
  /**
   * Whether the start day itself counts. The usual reading of "自受理之日起 N 个工作日"
   * (and the default) is that it does not: the first counted day is the next working day.
   * Some provinces count the day of acceptance when it is a working day. (configurable)
   */
  countStartDay?: boolean;
}

/**
 * Working days (工作日): Monday-Friday, minus public holidays, plus make-up weekend days
 * (调休), from the official data of the `chinese-days` package; years that data does not
 * cover fall back to plain Monday-Friday until an administrator adds overrides. Pure and
 * precomputed: prefix sums over every day make counting O(1) and adding O(log days).
 */
export class WorkingCalendar {
  readonly countStartDay: boolean;
  private readonly overrides = new Map<number, DayOverride>();
  /** 1 where the day (by day number) is a working day. */
  private readonly working = new Uint8Array(LAST_DAY + 1);
  /** workingBefore[d] = working days in [CALENDAR_FIRST_DATE, day d). */
  private readonly workingBefore = new Int32Array(LAST_DAY + 2);

  constructor({ overrides = {}, countStartDay = false }: WorkingCalendarOptions = {}) {
    this.countStartDay = countStartDay;
    for (let day = 0; day <= LAST_DAY; day++) {
      const weekday = weekdayOf(day);
      this.working[day] = weekday >= 1 && weekday <= 5 ? 1 : 0;
    }
    for (const date of officialCalendar.holidays.keys()) this.working[this.day(date)] = 0;
    for (const date of officialCalendar.makeupDays.keys()) this.working[this.day(date)] = 1;
    for (const [date, override] of Object.entries(overrides)) {
      const day = this.day(date);
      this.overrides.set(day, override);
      this.working[day] = override.working ? 1 : 0;
    }
    for (let day = 0; day <= LAST_DAY; day++) {
      this.workingBefore[day + 1] = this.workingBefore[day]! + this.working[day]!;
    }
  }

  isWorkingDay(date: string): boolean {
    return this.working[this.day(date)] === 1;
  }

  describe(date: string): DayInfo {
    const day = this.day(date);
    const override = this.overrides.get(day);
    const holiday = officialCalendar.holidays.get(date);
    const makeup = officialCalendar.makeupDays.get(date);
    const weekday = weekdayOf(day);
    const kind: DayKind = override
      ? 'override'
      : holiday
        ? 'holiday'
        : makeup
          ? 'makeup'
          : weekday === 0 || weekday === 6
            ? 'weekend'
            : 'workday';
    const name = holiday ?? makeup;
    return {
      date,
      working: this.working[day] === 1,
      kind,
      ...(name && { name: name.zh, nameEn: name.en }),
      ...(override && { override: { working: override.working, reason: override.reason } }),
    };
  }

  /** Every day from `from` to `to`, both included. */
  days(from: string, to: string): DayInfo[] {
    const days: DayInfo[] = [];
    for (let day = this.day(from), last = this.day(to); day <= last; day++) {
      days.push(this.describe(formatDate(day)));
    }
    return days;
  }

  /** The first working day after `date`. */
  nextWorkingDay(date: string): string {
    return formatDate(this.nthWorkingDayAfter(this.day(date), 1));
  }

  /**
   * The deadline of a limit of `n` working days from `start`: the end (23:59:59.999
   * +08:00) of the n-th counted working day (see `countStartDay`). n = 0 (即办件, handled
   * on the spot) is due at the end of the start day.
   */
  addWorkingDays(start: Date, n: number): Date {
    return this.deadline(start, n, [])!;
  }

  /**
   * Working days counted from `from` up to and including the day of `to`; the inverse of
   * addWorkingDays: countWorkingDays(s, addWorkingDays(s, n)) === n for n >= 1.
   */
  countWorkingDays(from: Date, to: Date): number {
    return this.countAfter(this.baseDay(from), this.dayOf(to));
  }

  /**
   * Like addWorkingDays, but working days inside pauses do not count (行政许可法 art. 45).
   * Returns null while an open pause holds the clock before the limit is used up: there
   * is no deadline until the pause ends. Pauses may overlap and come in any order.
   */
  deadline(start: Date, limitDays: number, pauses: readonly Pause[]): Date | null {
    checkLimit(limitDays);
    const startDay = this.dayOf(start);
    if (limitDays === 0) return endOfChinaDay(startDay);
    let base = this.baseDay(start);
    let remaining = limitDays;
    for (const [first, last] of this.pausedDays(pauses)) {
      const available = this.countAfter(base, first - 1);
      if (available >= remaining) break;
      remaining -= available;
      if (last === Infinity) return null;
      base = Math.max(base, last);
    }
    return endOfChinaDay(this.nthWorkingDayAfter(base, remaining));
  }

  /** Working days used up from `start` to the day of `now`, pauses excluded (open ones up to now). */
  elapsedWorkingDays(start: Date, now: Date, pauses: readonly Pause[]): number {
    const base = this.baseDay(start);
    const today = this.dayOf(now);
    let elapsed = this.countAfter(base, today);
    for (const [first, last] of this.pausedDays(pauses)) {
      const paused = this.countAfter(Math.max(first - 1, base), Math.min(last, today));
      elapsed -= paused;
    }
    return elapsed;
  }

  /**
   * Working days left of the limit, today included as used; 0 = due today, negative =
   * that many working days overdue. Overdue is best tested as `now > deadline(...)`:
   * after a Friday deadline the weekend does not make this negative.
   */
  remainingWorkingDays(start: Date, limitDays: number, now: Date, pauses: readonly Pause[]): number {
    checkLimit(limitDays);
    return limitDays - this.elapsedWorkingDays(start, now, pauses);
  }

  /** The day after which working days are counted. */
  private baseDay(start: Date): number {
    return this.dayOf(start) - (this.countStartDay ? 1 : 0);
  }

  /** Working days in (base, last]. */
  private countAfter(base: number, last: number): number {
    return last <= base ? 0 : this.workingBefore[last + 1]! - this.workingBefore[base + 1]!;
  }

  /** The n-th (n >= 1) working day after `base`, by binary search over the prefix sums. */
  private nthWorkingDayAfter(base: number, n: number): number {
    const target = this.workingBefore[base + 1]! + n;
    let low = base + 2;
    let high = LAST_DAY + 1;
    if (this.workingBefore[high]! < target) throw new CalendarRangeError(`the ${n}th working day`);
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.workingBefore[middle]! >= target) high = middle;
      else low = middle + 1;
    }
    return low - 1;
  }

  /** The days the pauses stop the clock, as sorted, disjoint, inclusive [first, last] ranges. */
  private pausedDays(pauses: readonly Pause[]): [number, number][] {
    const ranges = pauses
      .map((pause): [number, number] => {
        const to = pause.to ?? undefined;
        if (to && to < pause.from) throw new RangeError('A pause cannot end before it begins');
        return [this.dayOf(pause.from) + 1, to ? this.dayOf(to) : Infinity];
      })
      .filter(([first, last]) => first <= last)
      .sort((a, b) => a[0] - b[0]);
    const merged: [number, number][] = [];
    for (const range of ranges) {
      const previous = merged.at(-1);
      if (previous && range[0] <= previous[1] + 1) previous[1] = Math.max(previous[1], range[1]);
      else merged.push(range);
    }
    return merged;
  }

  private day(date: string): number {
    const day = parseDate(date);
    if (day === undefined) throw new RangeError(`${date} is not a date (YYYY-MM-DD)`);
    if (day < 0 || day > LAST_DAY) throw new CalendarRangeError(date);
    return day;
  }

  private dayOf(instant: Date): number {
    const day = chinaDayOf(instant);
    if (Number.isNaN(day)) throw new RangeError('Invalid Date');
    if (day < 0 || day > LAST_DAY) throw new CalendarRangeError(instant.toISOString());
    return day;
  }
}

function checkLimit(limitDays: number): void {
  if (!Number.isSafeInteger(limitDays) || limitDays < 0) {
    throw new RangeError(`A limit in working days must be a whole number >= 0, not ${limitDays}`);
  }
}
