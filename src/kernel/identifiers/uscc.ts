import { Type, type Static } from 'typebox';
import { defineMessages } from '../i18n.ts';
import { type Check, generated, invalid, normalise, pick, type Rng, valid } from './check.ts';
import { checkOrgCode, generateOrgCode, USCC_ALPHABET } from './org-code.ts';
import { checkRegionCode, generateRegionCode } from './region-code.ts';

/**
 * Unified social credit codes (统一社会信用代码, GB 32100): registering authority,
 * category, 6-digit region of the registering office, 9-character organisation code
 * (GB 11714, with its own check character) and a check character modulo 31. The
 * weights 3^i mod 31 are non-zero modulo the prime 31 and every alphabet character
 * has a distinct value below 31, so every single substitution is detected.
 */

const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/** Registering authorities and the categories each may register (GB 32100 and its amendment). */
export const USCC_AUTHORITIES = {
  '1': {
    name: '机构编制',
    categories: { '1': '机关', '2': '事业单位', '3': '中央编办直接管理机构编制的群众团体', '9': '其他' },
  },
  '2': { name: '外交', categories: { '1': '外国常驻新闻机构', '9': '其他' } },
  '3': {
    name: '司法行政',
    categories: {
      '1': '律师执业机构',
      '2': '公证处',
      '3': '基层法律服务所',
      '4': '司法鉴定机构',
      '5': '仲裁委员会',
      '9': '其他',
    },
  },
  '4': { name: '文化', categories: { '1': '外国在华文化中心', '9': '其他' } },
  '5': { name: '民政', categories: { '1': '社会团体', '2': '民办非企业单位', '3': '基金会', '9': '其他' } },
  '6': {
    name: '旅游',
    categories: {
      '1': '外国旅游部门常驻代表机构',
      '2': '港澳台地区旅游部门常驻内地（大陆）代表机构',
      '9': '其他',
    },
  },
  '7': { name: '宗教', categories: { '1': '宗教活动场所', '2': '宗教院校', '9': '其他' } },
  '8': { name: '工会', categories: { '1': '基层工会', '9': '其他' } },
  '9': { name: '市场监督管理', categories: { '1': '企业', '2': '个体工商户', '3': '农民专业合作社' } },
  A: { name: '中央军委改革和编制办公室', categories: { '1': '军队事业单位', '9': '其他' } },
  N: {
    name: '农业',
    categories: { '1': '组级集体经济组织', '2': '村级集体经济组织', '3': '乡镇级集体经济组织', '9': '其他' },
  },
  Y: { name: '其他', categories: { '1': '其他' } },
} as const satisfies Record<string, { name: string; categories: Record<string, string> }>;
export type UsccAuthority = keyof typeof USCC_AUTHORITIES;

/** Bodies registered at national level carry this region code (e.g. ministries: 11100000...). */
const NATIONAL_REGION = '100000';

const Coded = Type.Object({ code: Type.String(), name: Type.String() });
export const UsccInfo = Type.Object({
  authority: Coded,
  category: Coded,
  region: Type.Object({
    code: Type.String(),
    known: Type.Boolean({
      description: 'The region code is in the bundled table (or is the national 100000)',
    }),
    name: Type.Optional(Type.String()),
    fullName: Type.Optional(Type.String()),
  }),
  orgCode: Type.String({ description: 'The embedded organisation code (GB 11714)' }),
});
export type UsccInfo = Static<typeof UsccInfo>;

defineMessages({
  'identifier.uscc.length': {
    zh: '统一社会信用代码应为18位，实为{length}位',
    en: 'A unified social credit code has 18 characters, not {length}',
  },
  'identifier.uscc.charset': {
    zh: '统一社会信用代码只能由数字和大写字母组成，且不使用I、O、S、V、Z',
    en: 'A unified social credit code consists of digits and capital letters other than I, O, S, V, Z',
  },
  'identifier.uscc.registrationAuthority': {
    zh: '第1位登记管理部门代码{authority}不存在',
    en: 'The registering authority {authority} (1st character) does not exist',
  },
  'identifier.uscc.category': {
    zh: '第2位机构类别代码{category}不属于登记管理部门{authority}',
    en: 'The category {category} (2nd character) does not exist for authority {authority}',
  },
  'identifier.uscc.region': {
    zh: '第3-8位登记管理机关行政区划码{region}无效',
    en: 'The region code {region} (characters 3-8) is not valid',
  },
  'identifier.uscc.orgCodeCheckDigit': {
    zh: '第9-17位组织机构代码{orgCode}的校验码不正确',
    en: 'The organisation code {orgCode} (characters 9-17) has a wrong check character',
  },
  'identifier.uscc.checkDigit': {
    zh: '校验码不正确，请核对代码是否输入有误',
    en: 'The check character does not match; the code may be mistyped',
  },
});

/** The check character for the first 17 characters. */
export function usccCheckChar(first17: string): string {
  const sum = WEIGHTS.reduce((total, weight, i) => total + USCC_ALPHABET.indexOf(first17[i]!) * weight, 0);
  return USCC_ALPHABET[(31 - (sum % 31)) % 31]!;
}

function categoriesOf(authority: string): Record<string, string> | undefined {
  return Object.hasOwn(USCC_AUTHORITIES, authority)
    ? USCC_AUTHORITIES[authority as UsccAuthority].categories
    : undefined;
}

function regionOf(code: string): UsccInfo['region'] | undefined {
  if (code === NATIONAL_REGION) return { code, known: true, name: '全国', fullName: '全国' };
  const region = checkRegionCode(code);
  if (!region.ok) return undefined;
  const { known, name, fullName } = region.info;
  return { code, known, ...(name !== undefined && { name, fullName }) };
}

export function checkUscc(input: string): Check<UsccInfo> {
  const code = normalise(input);
  if (code.length !== 18) return invalid('length', 'identifier.uscc.length', { length: code.length });
  if (![...code].every((c) => USCC_ALPHABET.includes(c)))
    return invalid('charset', 'identifier.uscc.charset');
  const [authority, category] = [code[0]!, code[1]!];
  const categories = categoriesOf(authority);
  if (categories === undefined) {
    return invalid('registrationAuthority', 'identifier.uscc.registrationAuthority', { authority });
  }
  if (!Object.hasOwn(categories, category)) {
    return invalid('category', 'identifier.uscc.category', { authority, category });
  }
  const region = regionOf(code.slice(2, 8));
  if (region === undefined) return invalid('region', 'identifier.uscc.region', { region: code.slice(2, 8) });
  const orgCode = code.slice(8, 17);
  if (!checkOrgCode(orgCode).ok)
    return invalid('orgCodeCheckDigit', 'identifier.uscc.orgCodeCheckDigit', { orgCode });
  if (usccCheckChar(code) !== code[17]) return invalid('checkDigit', 'identifier.uscc.checkDigit');
  return valid(code, {
    authority: { code: authority, name: USCC_AUTHORITIES[authority as UsccAuthority].name },
    category: { code: category, name: categories[category]! },
    region,
    orgCode,
  });
}

export interface UsccOptions {
  /** `9` (market regulation) by default. */
  authority?: UsccAuthority;
  /** A random category of the authority by default. */
  category?: string;
  /** Six-digit region code (or the national 100000); a random real county by default. */
  regionCode?: string;
}

/** A valid unified social credit code for demo data. */
export function generateUscc(rng: Rng, options: UsccOptions = {}): string {
  const authority = options.authority ?? '9';
  const category = options.category ?? pick(rng, Object.keys(USCC_AUTHORITIES[authority].categories));
  const first17 = `${authority}${category}${options.regionCode ?? generateRegionCode(rng)}${generateOrgCode(rng)}`;
  return generated(checkUscc(first17 + usccCheckChar(first17)), 'generateUscc');
}
