import { Type, type Static } from 'typebox';
import { defineMessages } from '../i18n.ts';
import { type Check, generated, invalid, normalise, randomString, type Rng, valid } from './check.ts';
import { calendarDate } from './resident-id.ts';

/**
 * The unified application number (统一申办编号) an applicant quotes at a window, on the
 * hotline or in a search: `{region}-{date}-{serial}-{check}`, e.g. `329901-20261122-000123-5`.
 * The region is the 6-digit county code of the handling body, the date the day of
 * submission in China time, the serial the submission of that region on that day; the
 * check character is ISO/IEC 7064 MOD 11-2 over the 20 digits (0-9 or X, as in resident ID
 * numbers): a pure system, so every mistyped digit and every swap of two different
 * neighbours is caught before anything is looked up. Hyphens and spaces are optional.
 */

const SHAPE = /^(\d{6})(\d{8})(\d{6})([0-9X])$/;

/** ISO/IEC 7064 MOD 11-2 check character of a string of digits. */
export function mod11_2CheckChar(digits: string): string {
  let sum = 0;
  for (const digit of digits) sum = ((sum + Number(digit)) * 2) % 11;
  const check = (12 - sum) % 11;
  return check === 10 ? 'X' : String(check);
}

export const ApplicationNumberInfo = Type.Object({
  regionCode: Type.String({ description: '6-digit county code of the handling body' }),
  date: Type.String({ format: 'date', description: 'Day of submission (China time)' }),
  serial: Type.Integer({ minimum: 1, description: 'Submission of the region on that day' }),
  formatted: Type.String({ description: 'Grouped for reading aloud: 329901-20261122-000123-5' }),
});
export type ApplicationNumberInfo = Static<typeof ApplicationNumberInfo>;

defineMessages({
  'identifier.applicationNumber.shape': {
    zh: '申办编号应为“6位区划代码-8位日期-6位序号-校验位”，如 329901-20261122-000123-5',
    en: 'An application number reads {6-digit region}-{8-digit date}-{6-digit serial}-{check}, e.g. 329901-20261122-000123-5',
  },
  'identifier.applicationNumber.date': {
    zh: '申办编号中的日期无效',
    en: 'The date in the number is not a valid date',
  },
  'identifier.applicationNumber.serial': {
    zh: '申办编号的序号不能为0',
    en: 'The serial of the number cannot be 0',
  },
  'identifier.applicationNumber.checkDigit': {
    zh: '校验位不正确，请核对编号是否输入有误',
    en: 'The check character does not match; the number may be mistyped',
  },
});

export function checkApplicationNumber(input: string): Check<ApplicationNumberInfo> {
  const compact = normalise(input).replace(/[-\s]/g, '');
  const parts = SHAPE.exec(compact);
  if (!parts) return invalid('shape', 'identifier.applicationNumber.shape');
  const [regionCode, date, serial, check] = parts.slice(1) as [string, string, string, string];
  const day = calendarDate(date);
  if (!day || day < '2000-01-01') return invalid('date', 'identifier.applicationNumber.date');
  if (Number(serial) === 0) return invalid('shape', 'identifier.applicationNumber.serial');
  if (mod11_2CheckChar(`${regionCode}${date}${serial}`) !== check) {
    return invalid('checkDigit', 'identifier.applicationNumber.checkDigit');
  }
  return valid(compact, {
    regionCode,
    date: day,
    serial: Number(serial),
    formatted: `${regionCode}-${date}-${serial}-${check}`,
  });
}

/** The number of the `serial`-th submission of `regionCode` on `date` (YYYY-MM-DD, China time). */
export function applicationNumber(regionCode: string, date: string, serial: number): string {
  if (!/^\d{6}$/.test(regionCode)) throw new RangeError(`region code ${regionCode}: 6 digits expected`);
  if (!Number.isInteger(serial) || serial < 1 || serial > 999_999) {
    throw new RangeError(`serial ${serial}: 1 to 999999 expected`);
  }
  const data = `${regionCode}${date.replace(/-/g, '')}${String(serial).padStart(6, '0')}`;
  return generated(checkApplicationNumber(`${data}${mod11_2CheckChar(data)}`), 'applicationNumber');
}

/** A valid application number for demo data. */
export function generateApplicationNumber(rng: Rng): string {
  const day = 1 + Math.floor(rng() * 28);
  return applicationNumber(
    `32${randomString(rng, '0123456789', 4)}`,
    `2026-${String(1 + Math.floor(rng() * 12)).padStart(2, '0')}-${String(day).padStart(2, '0')}`,
    1 + Math.floor(rng() * 999_999),
  );
}
