import type { Database, Queryable } from '../../kernel/db.ts';
import { createRng, generateUscc } from '../../kernel/identifiers/index.ts';
import { insertOrganisations, insertRegions, type NewOrganisation, type NewRegion } from './queries.ts';

/**
 * The demo city 示例市: a fictional city in the real 江苏省, under the city code 3299,
 * which GB/T 2260 leaves unused. Names are drawn from pools with a seeded generator, one
 * generator per district and per street, so the small scale is an exact part of the
 * city scale and reruns build the same city.
 */
export type DemoScale = 'small' | 'city';

export interface DemoDirectory {
  cityCode: string;
  districts: string[];
  streets: string[];
  communities: string[];
  /** Organisations in the city, all levels. */
  organisations: number;
}

const PROVINCE = { code: '320000000000', name: '江苏省' };
const CITY = { code: '329900000000', name: '示例市' };

/** Districts (区, codes 01-20) then counties (县, codes 21 on), as GB/T 2260 numbers them. */
const DISTRICTS = [
  { code: '329901000000', name: '长安区' },
  { code: '329902000000', name: '临江区' },
  { code: '329903000000', name: '青山区' },
  { code: '329904000000', name: '新城区' },
  { code: '329905000000', name: '湖滨区' },
  { code: '329906000000', name: '高新区' },
  { code: '329907000000', name: '白鹭区' },
  { code: '329908000000', name: '星湖区' },
  { code: '329909000000', name: '望江区' },
  { code: '329921000000', name: '云台县' },
  { code: '329922000000', name: '松溪县' },
  { code: '329923000000', name: '梅岭县' },
] as const;

/**
 * Per district: streets, and communities per street. 'city' makes 12 districts and 720
 * streets: with the ~170 catalog items replicated per district and street that is over
 * 120,000 implementation entries, the size of Nanjing's street-level list.
 */
const SCALES = {
  small: { districts: 2, streets: 3 },
  city: { districts: 12, streets: 60 },
} as const satisfies Record<DemoScale, { districts: number; streets: number }>;
const COMMUNITIES_PER_STREET = 3;
/** A county seat has a few 街道; the rest of a county are towns (镇). */
const COUNTY_STREETS = 4;

const PLACE_NAMES = [
  ...'和平 朝阳 江南 新华 解放 人民 建设 东风 胜利 长江 湖滨 梅园 桃源 松山 杏林 玉泉 金沙 银河 翠竹 凤凰'.split(
    ' ',
  ),
  ...'龙池 锦绣 文昌 光明 幸福 友谊 团结 振兴 繁荣 向阳 红星 青年 学府 书院 花园 白云 紫金 清水 双塘 石桥'.split(
    ' ',
  ),
  ...'柳湾 荷塘 桂苑 兰亭 竹溪 枫林 樱花 丹桂 牡丹 芙蓉 海棠 东湖 南湖 北湖 东关 西关 南门 北门 东岗 西岗'.split(
    ' ',
  ),
  ...'青龙 白马 金山 银山 宝塔 古楼 新港 滨江 江心 沙洲 云梦 仙林 麒麟 凤栖 鹤鸣 雁塔 鹿苑 龙华 虹桥 月湖'.split(
    ' ',
  ),
  ...'春江 秋浦 晓庄 晨光 碧水 清溪 云岭 松岭 梅林 茶亭 竹园 杨柳 槐树 榆林 桑园 稻香 麦田 丰收 富民 安居'.split(
    ' ',
  ),
  ...'康宁 永安 太平 长乐 福寿 吉祥 瑞金 嘉禾 新河 旧城 城南 城北 城东 城西 港口 高桥 板桥 汤泉 温泉 华阳'.split(
    ' ',
  ),
];
const COMMUNITY_NAMES = [
  ...'春晖 秋实 星光 明月 清风 朝霞 彩虹 阳光 绿洲 翠园 锦园 和园 馨园 逸园 颐园 乐园 怡景 丽景 华景 雅居'.split(
    ' ',
  ),
  ...'新村 花苑 兰苑 竹苑 梅苑 菊苑 荷苑 桂园 枫园 松园 柏园 杉园 樟园 桃园 李园 杏园 梨园 果园 茶园 菱湖'.split(
    ' ',
  ),
];
const VILLAGE_NAMES = [
  ...'王庄 李庄 张家 刘家 陈湾 杨桥 黄墩 赵店 周营 吴圩 徐楼 孙集 马坊 朱湾 胡庄 郭村 何桥 高庄 林塘 罗店'.split(
    ' ',
  ),
];

/**
 * City departments (职能部门). Every department named in the catalog's reference items is
 * here, since the catalog binds an item to the department of that short name. A name that
 * starts with another department's name is a unit of it (公安局交通管理局 under 公安局).
 */
export const DEMO_DEPARTMENTS = [
  ...[
    '发展和改革委员会',
    '教育局',
    '科学技术局',
    '工业和信息化局',
    '民族宗教事务局',
    '公安局',
    '公安局交通管理局',
  ],
  ...[
    '公安局交通管理局车辆管理所',
    '公安局出入境管理支队',
    '民政局',
    '司法局',
    '财政局',
    '人力资源和社会保障局',
  ],
  ...[
    '自然资源和规划局',
    '生态环境局',
    '住房和城乡建设局',
    '交通运输局',
    '水务局',
    '农业农村局',
    '林业局',
    '商务局',
  ],
  ...[
    '文化和旅游局',
    '卫生健康委员会',
    '退役军人事务局',
    '应急管理局',
    '审计局',
    '市场监督管理局',
    '体育局',
    '统计局',
  ],
  ...[
    '医疗保障局',
    '城市管理局',
    '人民防空办公室',
    '政务服务管理办公室',
    '公共资源交易中心',
    '不动产登记中心',
  ],
  ...[
    '住房公积金管理中心',
    '档案馆',
    '残疾人联合会',
    '税务局',
    '气象局',
    '消防救援支队',
    '烟草专卖局',
    '中国人民银行',
  ],
] as const;

/** Bodies whose official name does not simply follow the place name. */
const OFFICIAL_NAMES: Record<string, (place: string) => string> = {
  税务局: (place) => `国家税务总局${place}税务局`,
  中国人民银行: (place) => `中国人民银行${place}分行`,
};

const departmentParent = (name: string): string | null =>
  DEMO_DEPARTMENTS.filter((other) => other !== name && name.startsWith(other)).sort(
    (a, b) => b.length - a.length,
  )[0] ?? null;

/** A generator for one part of the city, independent of how much else is generated. */
const rngFor = (seed: number, ...keys: number[]) =>
  createRng(keys.reduce((state, key) => Math.imul(state ^ (key + 1), 0x9e3779b1) >>> 0, seed >>> 0));

function shuffled<T>(rng: () => number, items: readonly T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

const pad3 = (n: number) => String(n).padStart(3, '0');

/** The regions of the demo city, parents before children. */
export function demoRegions(scale: DemoScale, seed: number): NewRegion[] {
  const { districts, streets } = SCALES[scale];
  const province: NewRegion = {
    ...PROVINCE,
    fullName: PROVINCE.name,
    level: 1,
    parentCode: null,
    path: [PROVINCE.code],
  };
  const city: NewRegion = {
    ...CITY,
    fullName: `${PROVINCE.name}${CITY.name}`,
    level: 2,
    parentCode: PROVINCE.code,
    path: [PROVINCE.code, CITY.code],
  };
  const regions = [province, city];
  const child = (parent: NewRegion, code: string, name: string): NewRegion => {
    const region = {
      code,
      name,
      fullName: `${parent.fullName}${name}`,
      level: parent.level + 1,
      parentCode: parent.code,
      path: [...parent.path, code],
    };
    regions.push(region);
    return region;
  };
  DISTRICTS.slice(0, districts).forEach(({ code, name }, d) => {
    const district = child(city, code, name);
    const isCounty = name.endsWith('县');
    const streetNames = shuffled(rngFor(seed, d), PLACE_NAMES);
    for (let s = 0; s < streets; s++) {
      // GB/T 10114 numbering: 街道 001-099, 镇 100-199; 居委会 001-199, 村委会 200-399.
      const isTown = isCounty && s >= COUNTY_STREETS;
      const street = isTown
        ? child(district, `${code.slice(0, 6)}${100 + s - COUNTY_STREETS}000`, `${streetNames[s]}镇`)
        : child(district, `${code.slice(0, 6)}${pad3(s + 1)}000`, `${streetNames[s]}街道`);
      const rng = rngFor(seed, d, s);
      const communities = shuffled(rng, COMMUNITY_NAMES);
      const villages = shuffled(rng, VILLAGE_NAMES);
      for (let c = 0; c < COMMUNITIES_PER_STREET; c++) {
        // A town has one 社区 in its seat; the rest are villages.
        if (isTown && c > 0) child(street, `${street.code.slice(0, 9)}${199 + c}`, `${villages[c]}村`);
        else child(street, `${street.code.slice(0, 9)}${pad3(c + 1)}`, `${communities[c]}社区`);
      }
    }
  });
  return regions;
}

type DemoOrganisation = Omit<NewOrganisation, 'parentId'> & { parentShortName: string | null };

/**
 * The organisations of the city and of its districts (departments and a service centre
 * each) and of its streets (the street office or town government), built from the regions
 * as stored. Grouped by depth: a unit comes after the body it belongs to.
 */
function demoOrganisations(
  city: StoredRegion,
  districts: StoredRegion[],
  streets: StoredRegion[],
  seed: number,
): DemoOrganisation[][] {
  const rng = rngFor(seed, 1_000_000);
  const taken = new Set<string>();
  const uscc = (regionCode: string) => {
    let code: string;
    do code = generateUscc(rng, { authority: '1', category: '1', regionCode: regionCode.slice(0, 6) });
    while (taken.has(code));
    taken.add(code);
    return code;
  };
  const depth = (name: string): number => {
    const parent = departmentParent(name);
    return parent ? depth(parent) + 1 : 0;
  };
  const byDepth: DemoOrganisation[][] = [[], [], [], []];
  const placeOf = (region: StoredRegion) => (region === city ? city.name : `${city.name}${region.name}`);
  for (const region of [city, ...districts]) {
    const place = placeOf(region);
    for (const name of DEMO_DEPARTMENTS) {
      byDepth[depth(name)]!.push({
        name: OFFICIAL_NAMES[name]?.(place) ?? `${place}${name}`,
        shortName: name,
        uscc: uscc(region.code),
        regionCode: region.code,
        kind: 'department',
        parentShortName: departmentParent(name),
      });
    }
    byDepth[1]!.push({
      name: `${place}政务服务中心`,
      shortName: '政务服务中心',
      uscc: uscc(region.code),
      regionCode: region.code,
      kind: 'centre',
      parentShortName: '政务服务管理办公室',
    });
  }
  for (const street of streets) {
    const district = districts.find((d) => d.code === street.parentCode)!;
    const shortName = street.name.endsWith('镇') ? `${street.name}人民政府` : `${street.name}办事处`;
    byDepth[0]!.push({
      name: `${placeOf(district)}${shortName}`,
      shortName,
      uscc: uscc(street.code),
      regionCode: street.code,
      kind: 'street_office',
      parentShortName: null,
    });
  }
  return byDepth;
}

interface StoredRegion {
  code: string;
  name: string;
  parentCode: string | null;
}

const CHUNK = 5000;

async function inChunks<T>(rows: T[], insert: (chunk: T[]) => Promise<void>): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) await insert(rows.slice(i, i + CHUNK));
}

/**
 * Builds 江苏省 → 示例市 → districts → streets → communities and their organisations.
 * Idempotent: what exists (same code, or same organisation name in a region) is kept,
 * so running it twice, or 'small' then 'city', adds only what is missing.
 */
export async function seedDemoDirectory(
  db: Database,
  { scale, seed = 2026 }: { scale: DemoScale; seed?: number },
): Promise<DemoDirectory> {
  return db.transaction(async (tx) => {
    await inChunks(demoRegions(scale, seed), (chunk) => insertRegions(tx, chunk));
    // Organisations follow the regions as stored, which an earlier run may have named.
    const below = (parentCodes: string[]) =>
      tx.query<StoredRegion>(
        `select code, name, parent_code as "parentCode" from region where parent_code = any ($1::text[]) order by code`,
        [parentCodes],
      );
    const [city] = await tx.query<StoredRegion>(
      `select code, name, parent_code as "parentCode" from region where code = $1`,
      [CITY.code],
    );
    const districts = await below([CITY.code]);
    const streets = await below(districts.map((d) => d.code));
    const communities = await below(streets.map((s) => s.code));
    for (const group of demoOrganisations(city!, districts, streets, seed)) {
      await inChunks(group, (chunk) => insertOrganisations(tx, chunk));
    }
    return {
      cityCode: CITY.code,
      districts: districts.map((d) => d.code),
      streets: streets.map((s) => s.code),
      communities: communities.map((c) => c.code),
      organisations: await countOrganisationsWithin(tx, CITY.code),
    };
  });
}

async function countOrganisationsWithin(db: Queryable, code: string): Promise<number> {
  const [row] = await db.query<{ n: number }>(
    `select count(*) as n from organisation o join region r on r.code = o.region_code where r.path @> array[$1::text]`,
    [code],
  );
  return row!.n;
}
