import { Type, type Static } from 'typebox';
import { defineMessages } from '../i18n.ts';
import { type Check, invalid, normalise, pick, type Rng, valid } from './check.ts';
import regionTable from './regions.json' with { type: 'json' };

/**
 * Region codes: GB/T 2260 (six digits: province, prefecture-level city, county) and the
 * statistical twelve-digit form that appends a town (3) and a village (3) code. Region
 * codes carry no check digit: a well-formed code whose province exists is valid, and
 * `known` says whether its six-digit part is in the bundled table (regions.json, built by
 * scripts/build-regions.ts). Codes retired since (old IDs still carry them) are unknown.
 */

const REGIONS: ReadonlyMap<string, string> = new Map(Object.entries(regionTable));

/** City-level codes that group counties rather than name a city (`110100 市辖区`). */
const GROUPINGS = new Set(['市辖区', '县', '省直辖县级行政区划', '自治区直辖县级行政区划']);

export const Region = Type.Object({
  code: Type.String({ description: 'Six-digit GB/T 2260 code' }),
  name: Type.String({ description: 'Official name' }),
});
export type Region = Static<typeof Region>;

export const REGION_LEVELS = ['province', 'city', 'county', 'town', 'village'] as const;
export type RegionLevel = (typeof REGION_LEVELS)[number];

export const RegionInfo = Type.Object({
  level: Type.Enum(REGION_LEVELS, { description: 'The lowest level the code names' }),
  known: Type.Boolean({ description: 'The six-digit part is in the bundled region table' }),
  name: Type.Optional(Type.String({ description: 'Name of the six-digit part, when known' })),
  fullName: Type.Optional(Type.String({ description: 'Province to county, e.g. 北京市东城区, when known' })),
  ancestors: Type.Array(Region, { description: 'The known regions above the code, province first' }),
});
export type RegionInfo = Static<typeof RegionInfo>;

defineMessages({
  'identifier.regionCode.charset': {
    zh: '行政区划代码只能由数字组成',
    en: 'A region code consists of digits only',
  },
  'identifier.regionCode.length': {
    zh: '行政区划代码应为6位或12位，实为{length}位',
    en: 'A region code has 6 or 12 digits, not {length}',
  },
  'identifier.regionCode.shape': {
    zh: '上级代码为零时下级代码也应为零',
    en: 'A lower level cannot be non-zero below a zero level',
  },
  'identifier.regionCode.region': {
    zh: '{province}不是有效的省级行政区划代码',
    en: '{province} is not a valid province code',
  },
});

/** Name of a six-digit code in the bundled table. */
export const regionName = (code: string): string | undefined => REGIONS.get(code);

/** Whether the first two digits of `code` are a real province (or province-level region). */
export const isProvinceCode = (code: string): boolean => REGIONS.has(`${code.slice(0, 2)}0000`);

/** Province, city and county codes of the six-digit part of `code`, without repeats (`441900`). */
const lineage = (code: string) => [
  ...new Set([`${code.slice(0, 2)}0000`, `${code.slice(0, 4)}00`, code.slice(0, 6)]),
];

/** The known regions above `code` (6 or 12 digits), province first. */
export const regionAncestors = (code: string): Region[] =>
  lineage(code).flatMap((ancestor) => {
    const name = REGIONS.get(ancestor);
    return ancestor === code || name === undefined ? [] : [{ code: ancestor, name }];
  });

/** The lowest level a well-formed code names: trailing zero groups are unused levels. */
function levelOf(code: string): RegionLevel {
  if (code.length === 12 && code.slice(9) !== '000') return 'village';
  if (code.length === 12 && code.slice(6, 9) !== '000') return 'town';
  if (code.slice(4, 6) !== '00') return 'county';
  return code.slice(2, 4) === '00' ? 'province' : 'city';
}

const isZero = (digits: string) => /^0+$/.test(digits);

export function checkRegionCode(input: string): Check<RegionInfo> {
  const code = normalise(input);
  if (!/^\d*$/.test(code)) return invalid('charset', 'identifier.regionCode.charset');
  if (code.length !== 6 && code.length !== 12) {
    return invalid('length', 'identifier.regionCode.length', { length: code.length });
  }
  // Levels below the province: city 2, county 2, town 3, village 3 digits; once one is zero, all below are.
  const levels = [code.slice(2, 4), code.slice(4, 6), code.slice(6, 9), code.slice(9, 12)].filter(Boolean);
  const firstZero = levels.findIndex(isZero);
  if (firstZero >= 0 && !levels.slice(firstZero).every(isZero)) {
    return invalid('shape', 'identifier.regionCode.shape');
  }
  if (!isProvinceCode(code)) {
    return invalid('region', 'identifier.regionCode.region', { province: code.slice(0, 2) });
  }
  const name = regionName(code.slice(0, 6));
  const info: RegionInfo = {
    level: levelOf(code),
    known: name !== undefined,
    ancestors: regionAncestors(code),
  };
  if (name === undefined) return valid(code, info);
  const fullName = lineage(code)
    .map((part) => REGIONS.get(part))
    .filter((part) => part !== undefined && !GROUPINGS.has(part))
    .join('');
  return valid(code, { ...info, name, fullName });
}

const COUNTIES = [...REGIONS.keys()].filter((code) => levelOf(code) === 'county');
const CITIES = [...REGIONS.keys()].filter((code) => levelOf(code) === 'city');

/** A real region code of the given level from the bundled table (for demo data). */
export const generateRegionCode = (rng: Rng, level: 'city' | 'county' = 'county'): string =>
  pick(rng, level === 'city' ? CITIES : COUNTIES);
