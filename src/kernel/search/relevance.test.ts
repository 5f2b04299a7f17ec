import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { pinyin } from 'pinyin-pro';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/helpers/db.ts';
import {
  analyzeQuery,
  createPlaceIndex,
  documentVector,
  rankSql,
  searchWithFallback,
  type AnalyzedQuery,
  type SearchDocument,
} from './index.ts';

// The reference catalog (a copy of shared/data/items.csv that the seed imports).
const ITEMS_CSV = new URL('../../seed/items.csv', import.meta.url);

interface CsvItem {
  name: string;
  sub_situation: string;
  type_name: string;
  department: string;
  materials: string;
  result_licence: string;
  life_event: string;
  keywords: string;
}

const list = (text: string): string[] =>
  text
    .split(';')
    .map((part) => part.trim())
    .filter(Boolean);

function toDocument(item: CsvItem): SearchDocument {
  return {
    name: item.name,
    subSituation: item.sub_situation,
    typeName: item.type_name,
    department: item.department,
    keywords: list(item.keywords),
    lifeEvents: list(item.life_event),
    // Materials carry their source as a mark ([自备], [可共享]); only the name is searched.
    materials: list(item.materials).map((material) => material.replace(/\[[^\]]*\]$/, '')),
    resultLicence: item.result_licence,
  };
}

const places = createPlaceIndex([
  { code: '320100', name: '示例市' },
  { code: '320102', name: '玄武区' },
  { code: '320104', name: '秦淮区' },
]);

/** Colloquial, synonym, pinyin, typo, traditional and place queries -> the item expected first. */
const FIRST: [query: string, expected: string][] = [
  ['我要结婚', '内地居民结婚登记'],
  ['领证', '内地居民结婚登记'],
  ['結婚登記', '内地居民结婚登记'],
  ['结婚登记', '内地居民结婚登记'],
  ['jiehun', '内地居民结婚登记'],
  ['jie hun', '内地居民结婚登记'],
  ['jhdj', '内地居民结婚登记'],
  ['结昏登记', '内地居民结婚登记'],
  ['示例市玄武区结婚登记', '内地居民结婚登记'],
  ['营业执招', '有限责任公司设立登记'],
  ['办营业执照', '有限责任公司设立登记'],
  ['开公司', '有限责任公司设立登记'],
  ['我想开公司', '有限责任公司设立登记'],
  ['公积金提取', '住房公积金提取(购买自住住房)'],
  ['租房提取公积金', '住房公积金提取(租房)'],
  ['住房公积金提取（租房）', '住房公积金提取(租房)'],
  ['社保卡丢了', '社会保障卡补换'],
  ['玄武区社保卡丢了', '社会保障卡补换'],
  ['社保卡', '社会保障卡申领'],
  ['shebaoka', '社会保障卡申领'],
  ['身份证', '居民身份证首次申领'],
  ['身份证过期了', '居民身份证换领'],
  ['身份证丢了', '居民身份证补领'],
  ['上户口', '出生登记'],
  ['新生儿落户', '出生登记'],
  ['生孩子上户口', '出生登记'],
  ['准生证', '生育登记'],
  ['退休', '职工正常退休(职)申请'],
  ['买房过户', '不动产转移登记(存量房买卖)'],
  ['二手房过户', '不动产转移登记(存量房买卖)'],
  ['房产证丢了', '不动产权证书补发'],
  ['驾照换证', '机动车驾驶证期满换证'],
  ['驾照丢了', '机动车驾驶证补领'],
  ['结婚证丢了', '补领结婚证'],
  ['离婚', '内地居民离婚登记'],
  ['看病报销', '医疗费用手工(零星)报销'],
  ['失业金', '失业保险金申领'],
  ['找工作', '就业失业登记'],
  ['低保', '最低生活保障审核确认'],
  ['公租房', '公共租赁住房资格审核'],
  ['开饭店', '食品经营许可(新办)'],
  ['示例市开饭店', '食品经营许可(新办)'],
  ['开药店', '药品零售企业经营许可证核发'],
  ['开网吧', '互联网上网服务营业场所经营单位设立审批'],
  ['KTV', '娱乐场所经营许可'],
  ['刻章', '印章刻制备案'],
  ['新车上牌', '机动车注册登记'],
  ['违章', '交通违法处理'],
  ['去香港', '往来港澳通行证签发'],
  ['護照', '普通护照签发'],
  ['戶口遷移', '户口迁移(市内)'],
  ['出声登记', '出生登记'],
  ['工伤认走', '工伤认定'],
  ['公积斤提取', '住房公积金提取(购买自住住房)'],
];

/** Queries with several equally right answers: the expected items are all in the top 3. */
const TOP3: [query: string, expected: string[]][] = [
  ['开个小饭馆要办什么证', ['小餐饮登记', '食品经营许可(新办)']],
  ['生孩子', ['生育登记', '出生医学证明签发']],
  ['办营业执照', ['有限责任公司设立登记', '个体工商户设立登记']],
];

describe('search relevance on the reference catalog', () => {
  let t: TestDatabase;
  const items = parse(readFileSync(ITEMS_CSV), { columns: true }) as CsvItem[];
  const sql = `select id, name, ${rankSql('vector', '$2', 'popularity')} as score
    from t where vector @@ $1::tsquery order by score desc, id limit 10`;

  /** The two-step protocol of the catalog: strict query, then the fuzzy one when it finds too little. */
  async function search(q: string | AnalyzedQuery): Promise<string[]> {
    const query = typeof q === 'string' ? analyzeQuery(q, places) : q;
    const { rows } = await searchWithFallback(
      query,
      10,
      (filter) => t.db.query<{ id: number; name: string }>(sql, [filter, query.rankTsquery]),
      (row) => row.id,
    );
    return rows.map((row) => row.name);
  }

  beforeAll(async () => {
    t = await createTestDatabase();
    await t.db
      .exec(`create table t (id int primary key, name text, vector tsvector, popularity int default 0);
      create index t_vector on t using gin (vector);`);
    await t.db.query(
      `insert into t (id, name, vector) select n, name, vector::tsvector
         from unnest($1::text[], $2::text[]) with ordinality as d(name, vector, n)`,
      [items.map((item) => item.name), items.map((item) => documentVector(toDocument(item)))],
    );
  });
  afterAll(() => t.drop());

  it.each(FIRST)('ranks the right item first for %s', async (q, expected) => {
    expect((await search(q))[0]).toBe(expected);
  });

  it.each(TOP3)('ranks all the right items in the top 3 for %s', async (q, expected) => {
    const top = (await search(q)).slice(0, 3);
    for (const name of expected) expect(top).toContain(name);
  });

  it('finds the food-business items first for a small restaurant', async () => {
    expect(['小餐饮登记', '食品经营许可(新办)']).toContain((await search('开个小饭馆要办什么证'))[0]);
  });

  it('reads the district out of the query', () => {
    expect(analyzeQuery('示例市玄武区结婚登记', places).place).toEqual({ code: '320102', name: '玄武区' });
  });

  it('ranks an exact name first, for every item, and most colloquial keywords first for their item', async () => {
    for (const item of items) expect((await search(item.name))[0], item.name).toBe(item.name);
    const misses: string[] = [];
    for (const item of items) {
      for (const keyword of list(item.keywords)) {
        if ((await search(keyword))[0] !== item.name) misses.push(keyword);
      }
    }
    // 户口迁入 is a keyword of 户口迁移(市内) and the start of the name 户口迁入(投靠落户).
    expect(misses).toEqual(['户口迁入']);
  });

  it('prefers the base item over its lost / renewal variants when the query names neither', async () => {
    const names = await search('社会保障卡');
    expect(names.indexOf('社会保障卡申领')).toBeLessThan(names.indexOf('社会保障卡补换'));
    const ids = await search('居民身份证');
    expect(ids[0]).toBe('居民身份证首次申领');
    expect(await search('个体工商户')).toEqual(
      expect.arrayContaining(['个体工商户设立登记', '个体工商户变更登记', '个体工商户注销登记']),
    );
    expect((await search('个体工商户'))[0]).toBe('个体工商户设立登记');
  });

  it('tolerates one mistyped character in names of 4 or more characters', async () => {
    const byPinyin = new Map<string, Set<string>>();
    for (const char of items.flatMap((item) => Array.from(item.name + item.keywords + item.materials))) {
      // Polyphones (了 le / liao) are read by context, so they make no reliable homophone.
      const readings = new Set(pinyin(char, { toneType: 'none', multiple: true, type: 'array' }));
      if (!/\p{Script=Han}/u.test(char) || readings.size !== 1) continue;
      const key = pinyin(char, { toneType: 'none' });
      byPinyin.set(key, (byPinyin.get(key) ?? new Set()).add(char));
    }
    const firstFound = { homophone: [0, 0], other: [0, 0] };
    for (const { name } of items) {
      const chars = Array.from(name);
      const han = chars.flatMap((char, i) => (/\p{Script=Han}/u.test(char) ? [i] : []));
      if (han.length < 4) continue;
      const at = han[Math.floor(han.length / 2)] as number;
      const original = chars[at] as string;
      const homophone = [...(byPinyin.get(pinyin(original, { toneType: 'none' })) ?? [])].find(
        (c) => c !== original,
      );
      for (const [kind, typo] of [
        ['homophone', homophone],
        ['other', '鑫'],
      ] as const) {
        if (!typo) continue;
        const found = await search(chars.map((char, i) => (i === at ? typo : char)).join(''));
        firstFound[kind][0]! += found[0] === name ? 1 : 0;
        firstFound[kind][1]! += 1;
      }
    }
    expect(firstFound.homophone[1]).toBeGreaterThan(100);
    expect(firstFound.homophone[0]).toBe(firstFound.homophone[1]);
    // A replaced character may be the one telling two items apart (垚婚 could be 结婚 or 离婚).
    expect(firstFound.other[0]! / firstFound.other[1]!).toBeGreaterThan(0.95);
  });

  it('weighs name over keyword over department or licence over material, and popularity only between equals', async () => {
    const docs: [name: string, doc: SearchDocument, popularity: number][] = [
      ['material', { name: '甲事项', materials: ['公积金缴存证明'] }, 1_000_000],
      ['licence', { name: '乙事项', resultLicence: '公积金凭证' }, 1_000],
      ['keyword', { name: '丙事项', keywords: ['公积金业务'] }, 0],
      ['name', { name: '公积金丁事项' }, 0],
      ['popular name', { name: '公积金戊事项' }, 50],
    ];
    await t.db.exec(`create table w (id int primary key, name text, vector tsvector, popularity int)`);
    for (const [i, [name, doc, popularity]] of docs.entries()) {
      await t.db.query('insert into w values ($1, $2, $3::tsvector, $4)', [
        i,
        name,
        documentVector(doc),
        popularity,
      ]);
    }
    const q = analyzeQuery('公积金');
    const rows = await t.db.query<{ name: string }>(
      `select name from w where vector @@ $1::tsquery order by ${rankSql('vector', '$2', 'popularity')} desc`,
      [q.tsquery, q.rankTsquery],
    );
    expect(rows.map((row) => row.name)).toEqual(['popular name', 'name', 'keyword', 'licence', 'material']);
  });

  it('builds queries that PostgreSQL parses for any input, the fuzzy one matching whatever the strict one does', async () => {
    const han = fc.constantFrom(
      ...Array.from(new Set(items.flatMap((item) => Array.from(item.name + item.keywords)))),
    );
    const query = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.string({ unit: fc.constantFrom(...`'"\\:&|!()*<>-. \u3000，。？abcAB12`.split('')), maxLength: 20 }),
      fc.array(han, { maxLength: 12 }).map((chars) => chars.join('')),
    );
    await fc.assert(
      fc.asyncProperty(query, async (q) => {
        const analyzed = analyzeQuery(q, places);
        const [row] = await t.db.query<{ strict_only: number }>(
          `select count(*) filter (where vector @@ $1::tsquery and not vector @@ $2::tsquery)::int as strict_only,
                  count(*) filter (where vector @@ $3::tsquery) as ranked
             from t`,
          [analyzed.tsquery, analyzed.fuzzyTsquery, analyzed.rankTsquery],
        );
        expect(row?.strict_only).toBe(0);
        expect(analyzed.empty).toBe(analyzed.tsquery === '');
      }),
      { numRuns: 150 },
    );
  });

  it('builds document vectors that PostgreSQL parses for any text', async () => {
    const text = fc.string({ unit: 'binary', maxLength: 30 });
    await fc.assert(
      fc.asyncProperty(text, fc.array(text, { maxLength: 3 }), text, async (name, keywords, subSituation) => {
        const vector = documentVector({
          name,
          keywords,
          materials: keywords,
          subSituation,
          department: name,
        });
        const [row] = await t.db.query<{ ok: boolean }>('select length($1::tsvector) >= 0 as ok', [vector]);
        expect(row?.ok).toBe(true);
      }),
      { numRuns: 100 },
    );
  });
});
