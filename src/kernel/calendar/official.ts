// The data file rather than the package's functions: those parse dates with the
// machine's local time zone, and a per-date lookup is all we need anyway.
import chineseDays from 'chinese-days/dist/chinese-days.json' with { type: 'json' };

export interface HolidayName {
  zh: string;
  en: string;
}

/**
 * The State Council's holiday arrangements, as published in the `chinese-days` package
 * (version 1.5.7 covers 2004 to 2026; a newer version brings each new year's notice).
 * Days of years it does not cover are neither, so they fall back to Monday-Friday.
 */
export interface OfficialCalendar {
  /** Public holidays (days off), by date. */
  holidays: ReadonlyMap<string, HolidayName>;
  /** Weekend days worked to make up for a holiday (调休上班), by date. */
  makeupDays: ReadonlyMap<string, HolidayName>;
}

/** Entries look like "Spring Festival,春节,4": English name, Chinese name, statutory days off. */
function parseEntries(entries: Record<string, string>): Map<string, HolidayName> {
  const parsed = new Map<string, HolidayName>();
  for (const [date, entry] of Object.entries(entries)) {
    const parts = entry.split(',');
    parsed.set(date, { en: parts.slice(0, -2).join(','), zh: parts.at(-2) ?? '' });
  }
  return parsed;
}

export const officialCalendar: OfficialCalendar = {
  holidays: parseEntries(chineseDays.holidays as Record<string, string>),
  makeupDays: parseEntries(chineseDays.workdays as Record<string, string>),
};
