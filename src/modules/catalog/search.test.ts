import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/helpers/app.ts';
import { seed } from '../../seed/index.ts';

interface Hit {
  code: string;
  basicCode: string;
  name: string;
  department: string;
  score: number;
  highlight: string;
}

describe('catalog search', () => {
  let t: TestApp;
  const search = async (query: string) => {
    const res = await t.app.inject(`/api/v1/catalog/search?${query}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as { items: Hit[]; total: number; tookMs: number };
  };
  const top = async (q: string, n = 1) =>
    (await search(`q=${encodeURIComponent(q)}`)).items.slice(0, n).map((h) => h.name);

  beforeAll(async () => {
    t = await createTestApp();
    await seed(t.db, 'small');
  });
  afterAll(() => t.drop());

  it.each([
    ['我要结婚', '内地居民结婚登记'],
    ['领证', '内地居民结婚登记'],
    ['结婚登记', '内地居民结婚登记'],
    ['結婚登記', '内地居民结婚登记'],
    ['jiehun', '内地居民结婚登记'],
    ['jhdj', '内地居民结婚登记'],
    ['结昏登记', '内地居民结婚登记'],
    ['营业执招', null],
    ['开饭店', null],
    ['开个小饭馆要办什么证', null],
    ['公积金租房提取', '住房公积金提取(租房)'],
    ['身份证丢了', '居民身份证补领'],
    ['生孩子上户口', '出生登记'],
  ])('finds the right item for %s', async (q, expected) => {
    const names = await top(q, 3);
    expect(names.length).toBeGreaterThan(0);
    if (expected) expect(names[0]).toBe(expected);
  });

  it('answers a small restaurant with the food-business items', async () => {
    const names = await top('开个小饭馆要办什么证', 3);
    expect(['小餐饮登记', '食品经营许可(新办)']).toContain(names[0]);
    expect(names).toContain('食品经营许可(新办)');
  });

  it('answers 营业执照 with a typo with the registrations that issue it', async () => {
    const names = await top('营业执招', 3);
    expect(names.some((n) => /设立登记/.test(n))).toBe(true);
  });

  it('understands a place named in the query and answers with that region’s entry', async () => {
    const [district] = await t.db.query<{ code: string; name: string }>(
      `select code, name from region where level = 3 order by code limit 1`,
    );
    const result = await search(`q=${encodeURIComponent(`${district!.name}结婚登记`)}`);
    expect(result.items[0]!.name).toBe('内地居民结婚登记');
    expect(result.items[0]!.code).toContain(`-${district!.code}-000-`);
    expect(result.items[0]!.department).toContain(district!.name);
  });

  it('filters by region and audience, returning the nearest entry', async () => {
    const [street] = await t.db.query<{ code: string }>(
      `select code from region where level = 4 order by code limit 1`,
    );
    const result = await search(`q=${encodeURIComponent('结婚')}&region=${street!.code}`);
    expect(result.items[0]!.code).toContain(`-${street!.code}-000-`);
    const enterprises = await search(`q=${encodeURIComponent('登记')}&audience=legal_person&limit=50`);
    expect(enterprises.items.map((h) => h.name)).not.toContain('内地居民结婚登记');
  });

  it('returns scores best first, a total and a highlight', async () => {
    const result = await search(`q=${encodeURIComponent('公积金')}&limit=3`);
    expect(result.items).toHaveLength(3);
    expect(result.total).toBeGreaterThanOrEqual(5);
    const scores = result.items.map((h) => h.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    expect(result.items[0]!.highlight).toContain('<em>');
    expect(result.tookMs).toBeGreaterThanOrEqual(0);
  });

  it('suggests names from characters, pinyin and initials', async () => {
    for (const q of ['结婚', 'jiehun', 'jhdj']) {
      const res = await t.app.inject(`/api/v1/catalog/suggest?q=${encodeURIComponent(q)}`);
      expect(res.statusCode).toBe(200);
      expect(res.json().items.map((i: { name: string }) => i.name)).toContain('内地居民结婚登记');
    }
  });

  it('answers bad queries with a 400 naming the parameter, and nonsense with nothing', async () => {
    const long = await t.app.inject(`/api/v1/catalog/search?q=${'办'.repeat(201)}`);
    expect(long.statusCode).toBe(400);
    expect(long.json().errors[0]).toMatchObject({ field: 'q', rule: 'maxLength' });
    expect((await t.app.inject('/api/v1/catalog/search')).json().errors[0]).toMatchObject({
      field: 'q',
      rule: 'required',
    });
    expect((await t.app.inject('/api/v1/catalog/search?q=x&limit=500')).statusCode).toBe(400);
    expect((await t.app.inject('/api/v1/catalog/search?q=x&region=12')).statusCode).toBe(400);
    for (const q of ["'&|!:*()<>", '\\', '的了吗', '   ']) {
      const res = await t.app.inject(`/api/v1/catalog/search?q=${encodeURIComponent(q)}`);
      expect(res.statusCode, q).toBeLessThan(500);
    }
  });

  it('never answers arbitrary input with a server error', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 250 }), fc.string({ maxLength: 30 }), async (q, code) => {
        for (const url of [
          `/api/v1/catalog/search?q=${encodeURIComponent(q)}`,
          `/api/v1/catalog/suggest?q=${encodeURIComponent(q)}`,
          `/api/v1/catalog/items/${encodeURIComponent(code) || 'x'}`,
          `/api/v1/catalog/items?department=${encodeURIComponent(q)}`,
        ]) {
          const res = await t.app.inject(url);
          expect(res.statusCode, url).toBeLessThan(500);
        }
      }),
      { numRuns: 60 },
    );
  });
});
