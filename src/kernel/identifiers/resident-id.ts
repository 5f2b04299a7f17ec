import { Type, type Static } from 'typebox';
import { defineMessages } from '../i18n.ts';
import { type Check, generated, invalid, normalise, type Rng, valid } from './check.ts';
import { checkRegionCode, generateRegionCode, isProvinceCode } from './region-code.ts';

/**
 * Resident ID numbers (公民身份号码, GB 11643): 6-digit region, 8-digit birth date,
 * 3-digit sequence (odd for men) and a check character over ISO 7064 MOD 11-2.
 * The weights 2^(17-i) mod 11 are all non-zero modulo the prime 11, so every single
 * substitution of a digit changes the sum and is caught by the check character.
 */

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARS = '10X98765432';
/** Taiwan residents' residence permits carry 830000, which is no GB/T 2260 code. */
const TAIWAN_RESIDENTS = '830000';
/**
 * GB 11643's own example was born in 1880, so the 18xx century is allowed; the
 * earliest date only stops typing slips such as 0990 for 1990.
 */
const EARLIEST_BIRTH_DATE = '1800-01-01';

export const SEXES = ['male', 'female'] as const;
export type Sex = (typeof SEXES)[number];

export const ResidentIdInfo = Type.Object({
  region: Type.Object({
    code: Type.String(),
    known: Type.Boolean({ description: 'The region code is in the bundled table (retired codes are not)' }),
    name: Type.Optional(Type.String()),
    fullName: Type.Optional(Type.String()),
  }),
  birthDate: Type.String({ format: 'date' }),
  sex: Type.Enum(SEXES),
});
export type ResidentIdInfo = Static<typeof ResidentIdInfo>;

defineMessages({
  'identifier.residentId.length': {
    zh: '公民身份号码应为18位，实为{length}位',
    en: 'A resident ID number has 18 characters, not {length}',
  },
  'identifier.residentId.charset': {
    zh: '公民身份号码前17位应为数字，第18位应为数字或X',
    en: 'A resident ID number has 17 digits followed by a digit or X',
  },
  'identifier.residentId.region': {
    zh: '地址码的省级代码{province}不存在',
    en: 'The region code starts with {province}, which is no province',
  },
  'identifier.residentId.birthDate': {
    zh: '出生日期{date}不是有效日期',
    en: 'The birth date {date} is not a calendar date',
  },
  'identifier.residentId.birthDateFuture': {
    zh: '出生日期{date}晚于今天',
    en: 'The birth date {date} is in the future',
  },
  'identifier.residentId.birthDateEarly': {
    zh: '出生日期{date}早于{earliest}',
    en: 'The birth date {date} is before {earliest}',
  },
  // The expected character is not revealed: the slip is more often elsewhere, and
  // "correcting" the check character would turn a wrong number into a valid-looking one.
  'identifier.residentId.checkDigit': {
    zh: '校验码不正确，请核对号码是否输入有误',
    en: 'The check character does not match; the number may be mistyped',
  },
});

/** The check character for the first 17 digits. */
export function residentIdCheckChar(first17: string): string {
  const sum = WEIGHTS.reduce((total, weight, i) => total + Number(first17[i]) * weight, 0);
  return CHECK_CHARS[sum % 11]!;
}

/** `YYYY-MM-DD` of `yyyymmdd` if it is a real calendar date, else undefined. */
export function calendarDate(yyyymmdd: string): string | undefined {
  const iso = `${yyyymmdd.slice(0, 4)}-${yyyymmdd.slice(4, 6)}-${yyyymmdd.slice(6, 8)}`;
  const date = new Date(`${iso}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(iso) ? iso : undefined;
}

/** Today in China (UTC+8, no daylight saving), as `YYYY-MM-DD`; recomputed once a minute. */
let today = { value: '', until: 0 };
const todayInChina = () => {
  const now = Date.now();
  if (now >= today.until)
    today = { value: new Date(now + 8 * 3600_000).toISOString().slice(0, 10), until: now + 60_000 };
  return today.value;
};

/*
 * Bulk exchange checks hundreds of thousands of numbers a second, and they share a few
 * thousand region codes and tens of thousands of birth dates: both are computed once.
 */
const BIRTH_DATES = new Map<string, string | undefined>();
const REGION_INFOS = new Map<string, ResidentIdInfo['region']>();
const MEMO_LIMIT = 100_000;

function memo<V>(map: Map<string, V>, key: string, compute: () => V): V {
  if (map.has(key)) return map.get(key)!;
  const value = compute();
  if (map.size >= MEMO_LIMIT) map.clear();
  map.set(key, value);
  return value;
}

function regionOf(regionCode: string): ResidentIdInfo['region'] {
  return memo(REGION_INFOS, regionCode, () => {
    const region = checkRegionCode(regionCode);
    const { known, name, fullName } = region.ok ? region.info : { known: false };
    return { code: regionCode, known, ...(name !== undefined && { name, fullName }) };
  });
}

export function checkResidentId(input: string): Check<ResidentIdInfo> {
  const id = normalise(input);
  if (id.length !== 18) return invalid('length', 'identifier.residentId.length', { length: id.length });
  if (!/^\d{17}[\dX]$/.test(id)) return invalid('charset', 'identifier.residentId.charset');
  const regionCode = id.slice(0, 6);
  if (!isProvinceCode(regionCode) && regionCode !== TAIWAN_RESIDENTS) {
    return invalid('region', 'identifier.residentId.region', { province: id.slice(0, 2) });
  }
  const printed = id.slice(6, 14);
  const birthDate = memo(BIRTH_DATES, printed, () => calendarDate(printed));
  if (birthDate === undefined) {
    return invalid('birthDate', 'identifier.residentId.birthDate', { date: printed });
  }
  if (birthDate > todayInChina()) {
    return invalid('birthDate', 'identifier.residentId.birthDateFuture', { date: birthDate });
  }
  if (birthDate < EARLIEST_BIRTH_DATE) {
    return invalid('birthDate', 'identifier.residentId.birthDateEarly', {
      date: birthDate,
      earliest: EARLIEST_BIRTH_DATE,
    });
  }
  if (residentIdCheckChar(id) !== id[17]) return invalid('checkDigit', 'identifier.residentId.checkDigit');
  return valid(id, {
    region: { ...regionOf(regionCode) },
    birthDate,
    sex: Number(id[16]) % 2 === 1 ? 'male' : 'female',
  });
}

export interface ResidentIdOptions {
  /** Six-digit region code; a random real county by default. */
  regionCode?: string;
  /** `YYYY-MM-DD`; a random date in 1940-2005 by default. */
  birthDate?: string;
  sex?: Sex;
}

const DAY = 86_400_000;
const DEFAULT_BIRTH_RANGE = [Date.UTC(1940, 0, 1), Date.UTC(2005, 11, 31)] as const;

/** A valid resident ID number for demo data. */
export function generateResidentId(rng: Rng, options: ResidentIdOptions = {}): string {
  const region = options.regionCode ?? generateRegionCode(rng);
  const [from, to] = DEFAULT_BIRTH_RANGE;
  const birthDate =
    options.birthDate ?? new Date(from + Math.floor(rng() * ((to - from) / DAY + 1)) * DAY).toISOString();
  const sex = options.sex ?? (rng() < 0.5 ? 'male' : 'female');
  // 001-999: odd for men, even (from 002) for women.
  const sequence = sex === 'male' ? 1 + 2 * Math.floor(rng() * 500) : 2 + 2 * Math.floor(rng() * 499);
  const first17 = `${region}${birthDate.slice(0, 10).replaceAll('-', '')}${String(sequence).padStart(3, '0')}`;
  return generated(checkResidentId(first17 + residentIdCheckChar(first17)), 'generateResidentId');
}
