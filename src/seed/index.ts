import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { FieldCipher } from '../kernel/crypto.ts';
import type { Database } from '../kernel/db.ts';
import {
  createBundle,
  importCatalog,
  listBundles,
  replicateEntries,
  setPopularity,
  type BundleInput,
  type EntryUnit,
} from '../modules/catalog/index.ts';
import { getRegion, implementingBodies, seedDemoDirectory } from '../modules/directory/index.ts';
import { seedDemoIdentities, type DemoIdentities } from '../modules/identity/index.ts';
import { installResources } from '../modules/exchange/index.ts';
import { seedDemoRegistries } from '../modules/registries/index.ts';
import { seedDemoCases } from './cases.ts';
import { DEMO_LICENSING_ITEM, seedDemoLicensing } from './licensing.ts';

/**
 * Demo data: the fictional 示例市 with its districts, streets and communities, its
 * departments, the shared catalog (a copy of shared/data/items.csv) replicated as
 * implementation entries for the city, every district and every street, 一件事
 * bundles, synthetic residents and enterprises, and (given the field cipher) demo
 * staff and citizen accounts. Every step is idempotent.
 */
export type Scale = 'small' | 'city';

export const ITEMS_CSV = new URL('./items.csv', import.meta.url);
const actor = { actor: 'system:seed' };

export async function isSeeded(db: Database): Promise<boolean> {
  const [row] = await db.query<{ n: number }>('select count(*)::int as n from catalog_item');
  return (row?.n ?? 0) > 0;
}

export async function seed(
  db: Database,
  scale: Scale,
  log: (line: string) => void = () => {},
  identities?: { cipher: FieldCipher },
): Promise<DemoIdentities | undefined> {
  const timed = async <T>(label: string, step: () => Promise<T>, describe: (r: T) => string): Promise<T> => {
    const started = Date.now();
    const result = await step();
    log(`${label}: ${describe(result)} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    return result;
  };

  const directory = await timed(
    'regions and organisations',
    () => seedDemoDirectory(db, { scale }),
    (d) =>
      `${d.districts.length} districts, ${d.streets.length} streets, ${d.communities.length} communities, ${d.organisations} bodies`,
  );
  const report = await timed(
    'catalog',
    () => importCatalog(db, readFileSync(ITEMS_CSV), 'csv', actor, { publish: true }),
    (r) =>
      `${r.created} created, ${r.updated} updated, ${r.unchanged} unchanged, ${r.errors.length} bad rows`,
  );
  for (const e of report.errors) log(`  row ${e.row} ${e.column}: ${e.messageEn}`);
  await setPopularity(db, await demoPopularity(db));
  await timed(
    'licensing example (并联审批)',
    () => seedDemoLicensing(db),
    (code) => (code ? `${DEMO_LICENSING_ITEM} ${code}` : `no ${DEMO_LICENSING_ITEM} in the catalog`),
  );
  await timed(
    'bundles (一件事)',
    () => seedBundles(db),
    (n) => `${n} new`,
  );

  const bodies = await implementingBodies(db, directory.cityCode);
  const unitCodes = [directory.cityCode, ...directory.districts, ...directory.streets];
  const units: EntryUnit[] = [];
  for (const code of unitCodes) {
    const region = await getRegion(db, code);
    units.push({
      region: { code, name: region.fullName },
      bodies: bodies.filter((b) => b.regionCode === code),
    });
  }
  await timed(
    'implementation entries',
    () => replicateEntries(db, units, actor),
    (r) => `${r.created} new in ${units.length} regions${r.unbound ? `, ${r.unbound} without a body` : ''}`,
  );
  await timed(
    'residents and enterprises',
    () =>
      seedDemoRegistries(db, {
        scale,
        regionCodes: directory.communities.length ? directory.communities : directory.streets,
      }),
    (r) => JSON.stringify(r),
  );
  // The data-sharing catalog's providers are departments of the directory just built.
  await installResources(db);
  if (!identities) return undefined;
  const demo = await timed(
    'demo accounts',
    () => seedDemoIdentities(identities, db),
    (d) => `${d.staff.length} staff, ${d.persons.length} citizens`,
  );
  await timed(
    'cases under way (workbench)',
    () => seedDemoCases(db),
    (n) => `${n} new`,
  );
  return demo;
}

/** Items people use most get a higher popularity; the rest a stable pseudo-random one. */
const POPULAR = [
  '内地居民结婚登记',
  '居民身份证换领',
  '社会保障卡申领',
  '住房公积金提取(租房)',
  '住房公积金提取(购买自住住房)',
  '出生登记',
  '不动产转移登记(存量房买卖)',
  '机动车驾驶证期满换证',
  '个体工商户设立登记',
  '有限责任公司设立登记',
  '食品经营许可(新办)',
  '居住证申领',
  '义务教育阶段入学登记',
  '普通护照签发',
  '异地就医备案',
];

async function demoPopularity(db: Database): Promise<Map<string, number>> {
  const rows = await db.query<{ code: string; name: string }>(
    `select i.code, v.name from catalog_item i join catalog_item_version v on v.item_id = i.id and v.status = 'published'`,
  );
  return new Map(
    rows.map(({ code, name }) => {
      const rank = POPULAR.indexOf(name);
      const base = createHash('sha256').update(name).digest().readUInt16BE(0) % 900;
      return [code, rank >= 0 ? 20_000 - rank * 1000 : 100 + base];
    }),
  );
}

const BUNDLES: (Omit<BundleInput, 'itemCodes'> & { itemNames: string[] })[] = [
  {
    code: 'newborn',
    name: '新生儿出生一件事',
    lifeEvent: '出生',
    audience: 'natural_person',
    description: '出生医学证明、户口登记、医保参保、社保卡申领、预防接种证一次办。',
    itemNames: [
      '出生医学证明签发',
      '出生登记',
      '城乡居民基本医疗保险参保登记',
      '社会保障卡申领',
      '预防接种证办理',
    ],
  },
  {
    code: 'business-startup',
    name: '企业开办一件事',
    lifeEvent: '开办',
    audience: 'legal_person',
    description: '营业执照、印章刻制、涉税信息确认、发票领用、社保和公积金登记一次办。',
    itemNames: [
      '有限责任公司设立登记',
      '印章刻制备案',
      '新办纳税人涉税信息确认',
      '发票领用',
      '单位社会保险参保登记',
      '住房公积金单位缴存登记',
    ],
  },
  {
    code: 'restaurant-opening',
    name: '开餐馆一件事',
    lifeEvent: '准营',
    audience: 'legal_person',
    description: '个体工商户登记、食品经营许可、公共场所卫生许可等开饭店所需事项一次办。',
    itemNames: ['个体工商户设立登记', '食品经营许可(新办)', '公共场所卫生许可', '户外广告设施设置审批'],
  },
  {
    code: 'after-death',
    name: '身后一件事',
    lifeEvent: '身后',
    audience: 'natural_person',
    description: '死亡户口注销、殡葬费用减免、不动产继承登记等身后事项一次办。',
    itemNames: ['死亡户口注销', '殡葬基本服务费用减免', '不动产转移登记(继承)'],
  },
];

async function seedBundles(db: Database): Promise<number> {
  const existing = new Set((await listBundles(db)).map((b) => b.code));
  const codes = new Map(
    (
      await db.query<{ code: string; name: string }>(
        `select i.code, v.name from catalog_item i join catalog_item_version v on v.item_id = i.id and v.status = 'published'`,
      )
    ).map((r) => [r.name, r.code]),
  );
  let created = 0;
  for (const { itemNames, ...bundle } of BUNDLES) {
    if (existing.has(bundle.code)) continue;
    const itemCodes = itemNames.map((n) => codes.get(n)).filter((c): c is string => c !== undefined);
    await createBundle(db, { ...bundle, itemCodes }, actor);
    created++;
  }
  return created;
}
