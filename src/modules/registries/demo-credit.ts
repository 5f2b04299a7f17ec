import type { Rng } from '../../kernel/identifiers/index.ts';
import type { CreditKind, NewCreditRecord } from './credit.ts';
import type { Enterprise, Person } from './queries.ts';

/**
 * Synthetic credit records on demo residents and enterprises: what the bodies of a
 * district publish (courts, market regulation, tax, environment ...). Issued by bodies
 * of the subject's own county, decided in the six years before the reference day.
 */
const DAY = 86_400_000;
const YEAR = 365.25 * DAY;
const LOOKBACK = 6 * YEAR;

interface Template {
  kind: CreditKind;
  share: number;
  /** Issuing body after the county prefix (示例市长安区 + 人民法院). */
  authority: readonly string[];
  titles: readonly string[];
  /** Years in force from the decision; null = open-ended (until removed). */
  years: number | null;
  details: (rng: Rng, decided: { year: number; county: string; serial: number }) => Record<string, unknown>;
}

const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;
const pickShare = <T extends { share: number }>(rng: Rng, items: readonly T[]): T => {
  let r = rng();
  return items.find((item) => (r -= item.share) < 0) ?? items[0]!;
};
const amount = (rng: Rng, max: number) => Math.round((500 + rng() ** 3 * max) / 100) * 100;

const dishonestDebtor: Template = {
  kind: 'dishonest_debtor',
  share: 0,
  authority: ['人民法院'],
  titles: [
    '有履行能力而拒不履行生效法律文书确定义务',
    '违反财产报告制度',
    '违反限制消费令',
    '以虚假诉讼、虚假仲裁或者以隐匿、转移财产等方法规避执行',
  ],
  years: 2,
  details: (rng, { year, county, serial }) => ({
    caseNumber: `（${year}）示${county.slice(2)}执${serial}号`,
    amountCny: amount(rng, 2_000_000),
    performance: pick(rng, ['全部未履行', '全部未履行', '部分未履行']),
  }),
};

const penaltyDetails =
  (prefix: string): Template['details'] =>
  (rng, { year, serial }) => ({
    decisionNumber: `示${prefix}罚〔${year}〕${serial}号`,
    amountCny: amount(rng, 200_000),
  });

/** Enterprises: shares sum to 1. */
const ENTERPRISE_TEMPLATES: readonly Template[] = [
  {
    kind: 'abnormal_operation',
    share: 0.3,
    authority: ['市场监督管理局'],
    titles: [
      '未依照规定报送年度报告',
      '通过登记的住所或者经营场所无法联系',
      '公示企业信息隐瞒真实情况、弄虚作假',
      '未在责令的期限内公示有关企业信息',
    ],
    years: null,
    details: (rng, { year, serial }) => ({ decisionNumber: `示市监异〔${year}〕${serial}号` }),
  },
  {
    kind: 'administrative_penalty',
    share: 0.3,
    authority: ['市场监督管理局'],
    titles: [
      '经营不符合食品安全标准的食品',
      '未取得食品经营许可从事食品经营活动',
      '发布虚假广告',
      '销售不合格产品',
    ],
    years: 1,
    details: penaltyDetails('市监'),
  },
  {
    kind: 'honour',
    share: 0.2,
    authority: ['税务局', '市场监督管理局'],
    titles: ['纳税信用A级纳税人', '守合同重信用企业'],
    years: 1,
    details: (rng, { year }) => ({ evaluationYear: year - 1 }),
  },
  { ...dishonestDebtor, share: 0.1 },
  {
    kind: 'serious_violation',
    share: 0.1,
    authority: ['市场监督管理局'],
    titles: ['被列入经营异常名录届满3年仍未履行相关义务', '提交虚假材料取得市场主体登记'],
    years: 3,
    details: (rng, { year, serial }) => ({ decisionNumber: `示市监严〔${year}〕${serial}号` }),
  },
];

/** Residents: shares sum to 1. */
const PERSON_TEMPLATES: readonly Template[] = [
  { ...dishonestDebtor, share: 0.5 },
  {
    kind: 'administrative_penalty',
    share: 0.2,
    authority: ['城市管理局', '生态环境局'],
    titles: ['未经批准擅自搭建建筑物', '违规焚烧垃圾', '占道经营'],
    years: 1,
    details: penaltyDetails('城管'),
  },
  {
    kind: 'honour',
    share: 0.3,
    authority: ['卫生健康委员会', '精神文明建设委员会办公室'],
    titles: ['全国无偿献血奉献奖', '优秀志愿者', '道德模范'],
    years: null,
    details: (rng, { year }) => ({ awardYear: year }),
  },
];

const isoDay = (ms: number) => new Date(Math.floor(ms / DAY) * DAY).toISOString().slice(0, 10);

/**
 * `count` records over the residents and enterprises, about three in five on an
 * enterprise. `prefixOf` names the county of a region code (示例市长安区). The same rng
 * state gives the same records; no two share subject, kind, title and decision date.
 */
export function demoCreditRecords(
  rng: Rng,
  count: number,
  {
    persons,
    enterprises,
    prefixOf,
    referenceDay,
  }: {
    persons: Pick<Person, 'idNumber' | 'birthDate' | 'regionCode'>[];
    enterprises: Pick<Enterprise, 'uscc' | 'regionCode' | 'establishedOn'>[];
    prefixOf: (regionCode: string) => string;
    referenceDay: number;
  },
): NewCreditRecord[] {
  const adults = persons.filter((p) => Date.parse(p.birthDate) + 18 * YEAR < referenceDay - LOOKBACK);
  const taken = new Set<string>();
  const records: NewCreditRecord[] = [];
  let serial = 100;
  while (records.length < count) {
    const onEnterprise = enterprises.length > 0 && (adults.length === 0 || rng() < 0.6);
    const subject = onEnterprise ? pick(rng, enterprises) : pick(rng, adults);
    const template = pickShare(rng, onEnterprise ? ENTERPRISE_TEMPLATES : PERSON_TEMPLATES);
    const earliest = Math.max(
      referenceDay - LOOKBACK,
      'uscc' in subject ? Date.parse(subject.establishedOn) : 0,
    );
    const decided = earliest + rng() * (referenceDay - earliest);
    const subjectKey = 'uscc' in subject ? subject.uscc : subject.idNumber;
    const title = pick(rng, template.titles);
    const decidedOn = isoDay(decided);
    const identity = `${subjectKey}|${template.kind}|${title}|${decidedOn}`;
    if (taken.has(identity)) continue;
    taken.add(identity);
    const year = Number(decidedOn.slice(0, 4));
    serial += 1 + Math.floor(rng() * 40);
    records.push({
      subjectKind: 'uscc' in subject ? 'enterprise' : 'person',
      subjectKey,
      kind: template.kind,
      title,
      authority: `${prefixOf(subject.regionCode)}${pick(rng, template.authority)}`,
      decidedOn,
      validUntil: template.years === null ? null : isoDay(decided + template.years * YEAR),
      details: template.details(rng, { year, county: subject.regionCode.slice(0, 6), serial }),
    });
  }
  return records;
}
