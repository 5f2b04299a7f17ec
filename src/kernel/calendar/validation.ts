import { textFieldError, validationError, type FieldError } from '../errors.ts';
import { defineMessages } from '../i18n.ts';
import { CALENDAR_FIRST_DATE, CALENDAR_LAST_DATE } from './calendar.ts';
import { chinaDateOf, parseDate, parseInstant } from './china-time.ts';

defineMessages({
  'calendar.date': { zh: '应为有效日期（YYYY-MM-DD）', en: 'must be a real date (YYYY-MM-DD)' },
  'calendar.range': { zh: '应在{first}至{last}之间', en: 'must be between {first} and {last}' },
  'calendar.beyond': {
    zh: '截止日期将超出日历范围（{last}之后）',
    en: 'would put the deadline after the end of the calendar ({last})',
  },
  'calendar.order': { zh: '不能早于{other}', en: 'must not be before {other}' },
  'calendar.reason': {
    zh: '长度应为{min}至{max}个字符（不计首尾空格）',
    en: 'must be {min} to {max} characters, not counting surrounding spaces',
  },
  'calendar.pauseOrder': { zh: '暂停的结束时间不能早于开始时间', en: 'must not end before it begins' },
  'calendar.span': { zh: '查询范围最多{limit}天', en: 'must be at most {limit} days' },
  'calendar.instant': {
    zh: '应为带时区的 ISO 8601 时间，如 2026-02-12T09:30:00+08:00',
    en: 'must be an ISO 8601 instant with offset, e.g. 2026-02-12T09:30:00+08:00',
  },
  'calendar.pause': {
    zh: '应为“开始时间/结束时间”（带时区的 ISO 8601；仍在暂停时结束时间留空）',
    en: 'must be "start/end" ISO 8601 instants with offset (end empty while still paused)',
  },
});

/** The day number of `date`, or a field error when it is not a real date inside the calendar. */
export function checkDate(field: string, date: string): number | FieldError {
  const day = parseDate(date);
  if (day === undefined) return textFieldError(field, 'date', 'calendar.date');
  if (date < CALENDAR_FIRST_DATE || date > CALENDAR_LAST_DATE) return rangeError(field);
  return day;
}

/** The instant `value` names, or a field error when it is malformed or outside the calendar. */
export function checkInstant(field: string, value: string): Date | FieldError {
  const instant = parseInstant(value);
  if (!instant) return textFieldError(field, 'format', 'calendar.instant');
  const date = chinaDateOf(instant);
  if (date < CALENDAR_FIRST_DATE || date > CALENDAR_LAST_DATE) return rangeError(field);
  return instant;
}

function rangeError(field: string): FieldError {
  return textFieldError(field, 'range', 'calendar.range', {
    first: CALENDAR_FIRST_DATE,
    last: CALENDAR_LAST_DATE,
  });
}

/** Throws a validation error unless `date` is a real date inside the calendar. */
export function requireDate(field: string, date: string): number {
  const day = checkDate(field, date);
  if (typeof day !== 'number') throw validationError([day]);
  return day;
}
