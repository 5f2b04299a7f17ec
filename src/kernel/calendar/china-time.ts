/**
 * Calendar days in China Standard Time (Asia/Shanghai, UTC+8; the summer time of
 * 1986-1991 predates anything this platform handles and is ignored). A day is numbered
 * by whole days since 1970-01-01 and written 'YYYY-MM-DD'; instants are Dates. Nothing
 * here reads the machine's time zone.
 */

export const MS_PER_DAY = 86_400_000;
const CHINA_OFFSET_MS = 8 * 3_600_000;
const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The day number of a 'YYYY-MM-DD' date, or undefined when it is not a real date (2026-02-30). */
export function parseDate(date: string): number | undefined {
  const match = DATE_PATTERN.exec(date);
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const ms = Date.UTC(year, month - 1, day);
  // Date.UTC rolls 2026-02-30 over to March 2; a real date survives the round trip.
  return formatDate(ms / MS_PER_DAY) === date ? ms / MS_PER_DAY : undefined;
}

/** 'YYYY-MM-DD' of a day number. */
export function formatDate(day: number): string {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
}

/** The day number of the China date on which `instant` falls. */
export function chinaDayOf(instant: Date): number {
  return Math.floor((instant.getTime() + CHINA_OFFSET_MS) / MS_PER_DAY);
}

/** The China date ('YYYY-MM-DD') on which `instant` falls. */
export function chinaDateOf(instant: Date): string {
  return formatDate(chinaDayOf(instant));
}

/** 00:00:00.000 +08:00 of a day. */
export function startOfChinaDay(day: number): Date {
  return new Date(day * MS_PER_DAY - CHINA_OFFSET_MS);
}

/** 23:59:59.999 +08:00 of a day: the last instant a deadline on that day allows. */
export function endOfChinaDay(day: number): Date {
  return new Date((day + 1) * MS_PER_DAY - CHINA_OFFSET_MS - 1);
}

/** ISO 8601 with the +08:00 offset, as people in China read it: 2026-02-26T23:59:59.999+08:00. */
export function formatChinaInstant(instant: Date): string {
  return new Date(instant.getTime() + CHINA_OFFSET_MS).toISOString().replace('Z', '+08:00');
}

/** Monday = 1 ... Saturday = 6, Sunday = 0 (as Date#getDay), of a day number. */
export function weekdayOf(day: number): number {
  // 1970-01-01 was a Thursday.
  return (((day + 4) % 7) + 7) % 7;
}

const INSTANT_PATTERN = /^(\d{4}-\d{2}-\d{2})[Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:[Zz]|[+-]\d{2}:?\d{2})$/;

/**
 * An ISO 8601 instant that names its offset (2026-02-12T09:30:00+08:00), or undefined:
 * without an offset the moment is ambiguous, and Date.parse alone accepts 2026-02-30.
 */
export function parseInstant(value: string): Date | undefined {
  const match = INSTANT_PATTERN.exec(value);
  if (!match || parseDate(match[1]!) === undefined) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : new Date(ms);
}
