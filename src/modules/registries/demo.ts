import type { Database } from '../../kernel/db.ts';
import {
  createRng,
  generateResidentId,
  generateUscc,
  type Rng,
  type Sex,
} from '../../kernel/identifiers/index.ts';
import { getRegion, type DemoScale } from '../directory/index.ts';
import { countCreditRecords, insertCreditRecords } from './credit.ts';
import { demoCreditRecords } from './demo-credit.ts';
import {
  countRegistries,
  insertEnterprises,
  insertPersons,
  type Enterprise,
  type Person,
} from './queries.ts';

/**
 * Synthetic residents and enterprises for the demo city. Every ID number and credit code
 * is valid; names are drawn from common surnames and given-name characters. Dates are
 * counted from a fixed day, not today, so the same seed gives the same people on any day.
 */
const COUNTS = {
  small: { persons: 200, enterprises: 50, credit: 40 },
  city: { persons: 20_000, enterprises: 5_000, credit: 4_000 },
} as const satisfies Record<DemoScale, { persons: number; enterprises: number; credit: number }>;

const REFERENCE_DAY = Date.UTC(2025, 5, 30);
const DAY = 86_400_000;
const YEAR = 365.25 * DAY;

/** Most common first: `pickSkewed` draws the first ones far more often, as in the population. */
const SURNAMES = [
  ...'王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤'.split(
    '',
  ),
  ...['欧阳', '司马', '诸葛', '上官'],
];
const GIVEN_NAME_CHARS: Record<Sex, string> = {
  male: '伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆帅旭宁龙林洋峰建国志文博晨阳子轩睿泽宸皓一诚思源嘉豪天佑铭',
  female: '芳娜敏静丽艳娟霞秀玲桂英华慧婷雪琳晶颖倩洁燕梅兰红萍怡欣悦涵萱雨诗琪梦佳可馨彤瑶紫语若妍',
};
const TRADE_NAME_CHARS = '瑞鑫华恒宏金永佳盛泰丰通达源诚信德隆昌兴安和嘉润博创卓锦汇宇聚鼎航远';
const INDUSTRIES = [
  ...[
    '餐饮',
    '商贸',
    '科技',
    '建筑工程',
    '物流',
    '文化传媒',
    '信息技术',
    '医疗器械',
    '教育咨询',
    '房地产经纪',
  ],
  ...[
    '物业管理',
    '环保科技',
    '食品',
    '服装',
    '电子商务',
    '广告',
    '装饰工程',
    '汽车服务',
    '农业科技',
    '旅行社',
  ],
];
const SHOPS = [
  ...['面馆', '小吃店', '便利店', '水果店', '五金店', '理发店', '快餐店', '早餐店', '烟酒店', '服装店'],
  ...['干洗店', '汽车修理部', '花店', '茶叶店', '文具店', '家电维修部', '馒头店', '卤菜店'],
];
/** Registered capital in units of 10,000 yuan (万元). */
const CAPITALS = [3, 10, 30, 50, 100, 200, 300, 500, 1000, 2000, 5000];
const SMALL_CAPITALS = CAPITALS.slice(0, 5);
/**
 * Entity types with their share, credit-code category (9-1 企业, 9-2 个体工商户), how
 * names end and the registered capitals drawn (none for a 个体工商户).
 */
const ENTERPRISE_TYPES = [
  { type: '有限责任公司', share: 0.55, category: '1', suffix: '有限公司', capitals: CAPITALS },
  { type: '个体工商户', share: 0.3, category: '2', suffix: '', capitals: [] },
  { type: '股份有限公司', share: 0.05, category: '1', suffix: '股份有限公司', capitals: CAPITALS.slice(5) },
  { type: '个人独资企业', share: 0.05, category: '1', suffix: '经营部', capitals: SMALL_CAPITALS },
  { type: '合伙企业', share: 0.05, category: '1', suffix: '合伙企业（有限合伙）', capitals: SMALL_CAPITALS },
] as const;
const STATUSES = [
  { status: '存续', share: 0.88 },
  { status: '在业', share: 0.05 },
  { status: '注销', share: 0.05 },
  { status: '吊销', share: 0.02 },
] as const;
const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;
const pickSkewed = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() ** 2 * items.length)]!;
const pickShare = <T extends { share: number }>(rng: Rng, items: readonly T[]): T => {
  let r = rng();
  return items.find((item) => (r -= item.share) < 0) ?? items[0]!;
};
const isoDay = (ms: number) => new Date(Math.floor(ms / DAY) * DAY).toISOString().slice(0, 10);
const digits = (rng: Rng, n: number) => Array.from({ length: n }, () => Math.floor(rng() * 10)).join('');

/** Drawn until it is not in `taken`, then taken. */
function unique<T>(taken: Set<T>, draw: () => T): T {
  let value: T;
  do value = draw();
  while (taken.has(value));
  taken.add(value);
  return value;
}

function demoPerson(rng: Rng, regionCode: string, idNumbers: Set<string>): Person {
  const sex: Sex = rng() < 0.5 ? 'male' : 'female';
  // About one in six is a child; adults up to 90.
  const age = rng() < 0.16 ? rng() * 18 : 18 + rng() * 72;
  const birthDate = isoDay(REFERENCE_DAY - age * YEAR);
  const chars = GIVEN_NAME_CHARS[sex];
  const givenName = Array.from({ length: rng() < 0.7 ? 2 : 1 }, () => pick(rng, [...chars])).join('');
  return {
    idNumber: unique(idNumbers, () =>
      generateResidentId(rng, { regionCode: regionCode.slice(0, 6), birthDate, sex }),
    ),
    name: `${pickSkewed(rng, SURNAMES)}${givenName}`,
    sex,
    birthDate,
    regionCode,
    phone: age >= 14 ? `1${pick(rng, ['3', '5', '7', '8', '9'])}${digits(rng, 9)}` : null,
  };
}

function demoEnterprise(
  rng: Rng,
  regionCode: string,
  prefix: string,
  adults: Person[],
  taken: { uscc: Set<string>; names: Set<string> },
): Enterprise {
  const kind = pickShare(rng, ENTERPRISE_TYPES);
  const representative = pick(rng, adults);
  const tradeName = () => {
    const first = pick(rng, [...TRADE_NAME_CHARS]);
    return first + pick(rng, [...TRADE_NAME_CHARS.replace(first, '')]);
  };
  const name = unique(taken.names, () =>
    kind.type === '个体工商户'
      ? `${prefix}${rng() < 0.5 ? `${[...representative.name][0]}记` : tradeName()}${pick(rng, SHOPS)}`
      : `${prefix}${tradeName()}${pick(rng, INDUSTRIES)}${kind.suffix}`,
  );
  // Founded since 1995, by someone of age.
  const earliest = Math.max(Date.UTC(1995, 0, 1), Date.parse(representative.birthDate) + 18 * YEAR);
  return {
    uscc: unique(taken.uscc, () =>
      generateUscc(rng, { authority: '9', category: kind.category, regionCode: regionCode.slice(0, 6) }),
    ),
    name,
    type: kind.type,
    legalRepresentative: { idNumber: representative.idNumber, name: representative.name },
    regionCode,
    registeredCapitalCny: kind.capitals.length ? pick(rng, kind.capitals) * 10_000 : null,
    establishedOn: isoDay(earliest + rng() * (REFERENCE_DAY - earliest)),
    status: pickShare(rng, STATUSES).status,
  };
}

/**
 * The prefix of enterprise names registered in a region: its city and county as the
 * code's GB/T 2260 part names them (示例市长安区), from the directory.
 */
async function namePrefix(db: Database, regionCode: string): Promise<string> {
  const region = await getRegion(db, regionCode);
  const chain = [...region.ancestors, region];
  const county = chain.find((r) => r.code === regionCode.slice(0, 6).padEnd(12, '0')) ?? region;
  return chain.length > 1 && county !== chain[0]
    ? county.fullName.slice(chain[0]!.name.length)
    : county.fullName;
}

const CHUNK = 5000;

/**
 * Fills the registries with residents registered in `regionCodes` (directory regions;
 * ID numbers carry their county), enterprises there run by some of them, and credit
 * records on both. Idempotent for a seed: the same people, enterprises and records are
 * generated again and those already registered are kept. Returns the registries' sizes
 * afterwards.
 */
export async function seedDemoRegistries(
  db: Database,
  { scale, seed = 2026, regionCodes }: { scale: DemoScale; seed?: number; regionCodes: string[] },
): Promise<{ persons: number; enterprises: number; credit: number }> {
  if (regionCodes.length === 0) throw new RangeError('seedDemoRegistries needs at least one region');
  // The prefix depends on the county only: look it up once per county.
  const prefixes = new Map<string, string>();
  for (const code of regionCodes) {
    const county = code.slice(0, 6);
    if (!prefixes.has(county)) prefixes.set(county, await namePrefix(db, code));
  }
  const rng = createRng(seed);
  const counts = COUNTS[scale];
  const idNumbers = new Set<string>();
  const persons = Array.from({ length: counts.persons }, () =>
    demoPerson(rng, pick(rng, regionCodes), idNumbers),
  );
  const adults = persons.filter((p) => p.birthDate <= isoDay(REFERENCE_DAY - 22 * YEAR));
  const taken = { uscc: new Set<string>(), names: new Set<string>() };
  const enterprises = Array.from({ length: counts.enterprises }, () => {
    const regionCode = pick(rng, regionCodes);
    return demoEnterprise(rng, regionCode, prefixes.get(regionCode.slice(0, 6))!, adults, taken);
  });
  // Drawn after the residents and enterprises, so adding credit left them as they were.
  const credit = demoCreditRecords(rng, counts.credit, {
    persons,
    enterprises,
    prefixOf: (regionCode) => prefixes.get(regionCode.slice(0, 6))!,
    referenceDay: REFERENCE_DAY,
  });
  return db.transaction(async (tx) => {
    for (let i = 0; i < persons.length; i += CHUNK) await insertPersons(tx, persons.slice(i, i + CHUNK));
    for (let i = 0; i < enterprises.length; i += CHUNK) {
      await insertEnterprises(tx, enterprises.slice(i, i + CHUNK));
    }
    for (let i = 0; i < credit.length; i += CHUNK) await insertCreditRecords(tx, credit.slice(i, i + CHUNK));
    return { ...(await countRegistries(tx)), credit: await countCreditRecords(tx) };
  });
}
