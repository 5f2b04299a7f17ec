import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/helpers/app.ts';
import { staffSession } from '../../../test/helpers/identity.ts';
import { ITEMS_CSV, seed } from '../../seed/index.ts';

const CSV_HEADER =
  'name,sub_situation,type_code,type_name,department,audience,handling_type,legal_limit_days,promised_limit_days,visits,online_depth,fee,materials,legal_basis,result_licence,life_event,keywords';

function newItem(overrides: Record<string, unknown> = {}) {
  return {
    name: '测试事项许可',
    subSituation: '新设',
    typeCode: '01',
    department: '民政局',
    legalBasis: [{ title: '《测试条例》第一条' }],
    audience: ['natural_person'],
    handlingType: 'promised',
    legalLimitDays: 20,
    promisedLimitDays: 5,
    visits: 0,
    onlineDepth: 'IV',
    fee: { charged: false },
    materials: [
      {
        name: '居民身份证',
        source: 'government',
        form: 'either',
        copies: 1,
        required: true,
        tolerated: false,
      },
      { name: '申请书', source: 'applicant', form: 'either', copies: 1, required: true, tolerated: true },
    ],
    process: [{ name: '受理' }, { name: '审查', limitDays: 3 }, { name: '决定' }],
    specialProcedures: [],
    resultLicence: '测试许可证',
    lifeEvents: ['其他'],
    keywords: ['测试'],
    ...overrides,
  };
}

describe('catalog', () => {
  let t: TestApp;
  let admin: string;
  let adminId: string;

  beforeAll(async () => {
    t = await createTestApp();
    await seed(t.db, 'small');
    ({ authorization: admin, accountId: adminId } = await staffSession(t.app, t.db, ['catalog_admin']));
  });
  afterAll(() => t.drop());

  describe('import of the shared catalog', () => {
    it('imported every row of items.csv, published and searchable', async () => {
      const rows = readFileSync(ITEMS_CSV, 'utf8').trim().split('\n').length - 1;
      const res = await t.app.inject({ url: '/api/v1/catalog/items?size=100' });
      expect(res.statusCode).toBe(200);
      expect(res.json().total).toBe(rows);
      const [{ n }] = (await t.db.query<{ n: number }>('select count(*)::int as n from catalog_search')) as [
        { n: number },
      ];
      expect(n).toBe(rows);
    });

    it('re-importing the same file changes nothing', async () => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/catalog/import?publish=true',
        headers: { authorization: admin, 'content-type': 'text/csv' },
        payload: readFileSync(ITEMS_CSV),
      });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ created: 0, updated: 0, errors: [] });
      expect(res.json().unchanged).toBe(res.json().rows);
    });

    it('reports each bad row by row, column and rule and still imports the good rows', async () => {
      const csv = [
        CSV_HEADER,
        '导入测试甲事项,,20,公共服务,民政局,自然人,即办件,0,0,1,IV,不收费,身份证[可共享],《甲条例》,,其他,甲',
        '导入测试乙事项,,99,公共服务,民政局,自然人,即办件,0,0,1,IV,不收费,身份证[可共享],《乙条例》,,其他,乙',
        '导入测试丙事项,新设,01,行政许可,民政局,自然人,承诺件,5,10,1,IV,不收费,申请书,《丙条例》,,其他,丙',
        '导入测试丁事项,,20,公共服务,民政局,外星人,即办件,0,0,1,V,不收费,身份证[可共享],《丁条例》,,火星,丁',
        '导入测试戊事项,延续,20,公共服务,民政局,"自然人,法人",承诺件,10,3,0,III,工本费5元,申请书[自备、容缺],《戊条例》,,就业,戊',
      ].join('\n');
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/catalog/import?publish=true',
        headers: { authorization: admin, 'content-type': 'text/csv' },
        payload: csv,
      });
      expect(res.statusCode).toBe(200);
      const report = res.json();
      expect(report, JSON.stringify(report.errors)).toMatchObject({ rows: 5, created: 2 });
      const at = (row: number) => report.errors.filter((e: { row: number }) => e.row === row);
      expect(at(2)).toEqual([]);
      expect(at(3)).toMatchObject([{ column: 'type_code', rule: 'enum' }]);
      expect(at(4).map((e: { column: string; rule: string }) => `${e.column}:${e.rule}`)).toEqual([
        'materials:material',
      ]);
      expect(at(4)[0].message).toMatch(/自备/);
      expect(
        at(5)
          .map((e: { column: string }) => e.column)
          .sort(),
      ).toEqual(['audience', 'life_event', 'online_depth']);
      expect(at(6)).toEqual([]);
      const detail = await t.app.inject(`/api/v1/catalog/items/${report.codes[1]}`);
      expect(detail.json()).toMatchObject({
        name: '导入测试戊事项',
        audience: ['natural_person', 'legal_person'],
        fee: { charged: true, standard: '工本费5元' },
        materials: [{ name: '申请书', source: 'applicant', tolerated: true }],
      });
    });

    it('rejects a promised limit above the legal limit in a row, naming both columns’ rule', async () => {
      const csv = `${CSV_HEADER}\n限时测试事项,新设,01,行政许可,民政局,自然人,承诺件,5,10,1,IV,不收费,申请书[自备],《条例》,,其他,x`;
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/catalog/import',
        headers: { authorization: admin, 'content-type': 'text/csv' },
        payload: csv,
      });
      expect(res.json().errors).toMatchObject([
        { row: 2, column: 'promised_limit_days', rule: 'promisedWithinLegal' },
      ]);
    });

    it('refuses a file without the required columns as a whole', async () => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/catalog/import',
        headers: { authorization: admin, 'content-type': 'text/csv' },
        payload: 'foo,bar\n1,2',
      });
      expect(res.statusCode).toBe(400);
      expect(res.json().errors[0]).toMatchObject({ field: 'file', rule: 'columns' });
    });

    it('exports CSV and XLSX that import back unchanged', async () => {
      for (const format of ['csv', 'xlsx'] as const) {
        const exported = await t.app.inject(`/api/v1/catalog/export?format=${format}`);
        expect(exported.statusCode).toBe(200);
        const res = await t.app.inject({
          method: 'POST',
          url: `/api/v1/catalog/import?format=${format}&publish=true`,
          headers: { authorization: admin, 'content-type': 'application/octet-stream' },
          payload: exported.rawPayload,
        });
        expect(res.json()).toMatchObject({ created: 0, updated: 0, errors: [] });
        expect(res.json().unchanged).toBeGreaterThan(170);
      }
    });

    it('lists the most used items first for the portal (sort=popular), by code otherwise', async () => {
      const popular = await t.app.inject({ url: '/api/v1/catalog/items?sort=popular&size=3' });
      expect(popular.statusCode).toBe(200);
      const names = (popular.json().items as { name: string }[]).map((i) => i.name);
      expect(names[0]).toBe('内地居民结婚登记');
      const byCode = await t.app.inject({ url: '/api/v1/catalog/items?size=3' });
      const codes = (byCode.json().items as { code: string }[]).map((i) => i.code);
      expect(codes).toEqual([...codes].sort());
      expect((byCode.json().items as { name: string }[]).map((i) => i.name)).not.toEqual(names);
    });

    it('says where to go for an item: its entries with address, phone and hours, by basic or entry code', async () => {
      const res = await t.app.inject({ url: '/api/v1/catalog/items/0700000101/places' });
      expect(res.statusCode).toBe(200);
      const places = res.json().items as {
        code: string;
        implementingBody: { name: string };
        address: string;
      }[];
      expect(places.length).toBeGreaterThan(0);
      expect(places.every((p) => p.code.startsWith('0700000101-'))).toBe(true);
      expect(places[0]!.implementingBody.name).toContain('民政局');
      const byEntry = await t.app.inject({ url: `/api/v1/catalog/items/${places[0]!.code}/places` });
      expect(byEntry.json().items).toEqual(places);
      const none = await t.app.inject({ url: '/api/v1/catalog/items/9999999999/places' });
      expect(none.json().items).toEqual([]);
    });
  });

  describe('lifecycle, versions and audit', () => {
    it('requires a catalog administrator to write', async () => {
      const anonymous = await t.app.inject({
        method: 'POST',
        url: '/api/v1/catalog/items',
        payload: newItem(),
      });
      expect(anonymous.statusCode).toBe(401);
      const citizen = await t.app.inject({
        method: 'POST',
        url: '/api/v1/catalog/items',
        headers: { authorization: await t.bearer('citizen') },
        payload: newItem(),
      });
      expect(citizen.statusCode).toBe(403);
      expect(citizen.headers['content-type']).toMatch(/problem\+json/);
    });

    it('validates elements and names the field and rule in both languages', async () => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/catalog/items',
        headers: { authorization: admin },
        payload: newItem({ promisedLimitDays: 30, typeCode: '77' }),
      });
      expect(res.statusCode).toBe(400);
      expect(res.json().errors).toEqual(
        expect.arrayContaining([expect.objectContaining({ field: 'typeCode', rule: 'enum' })]),
      );
      const limits = await t.app.inject({
        method: 'POST',
        url: '/api/v1/catalog/items',
        headers: { authorization: admin },
        payload: newItem({ promisedLimitDays: 30 }),
      });
      expect(limits.json().errors).toEqual([
        expect.objectContaining({
          field: 'promisedLimitDays',
          rule: 'promisedWithinLegal',
          message: expect.stringMatching(/法定/),
        }),
      ]);
    });

    it('goes draft -> in review -> published, versions on change, keeps history and audits every step', async () => {
      const created = await t.app.inject({
        method: 'POST',
        url: '/api/v1/catalog/items',
        headers: { authorization: admin },
        payload: newItem(),
      });
      expect(created.statusCode).toBe(201);
      const { code, status, version, formSchema } = created.json();
      expect({ status, version }).toEqual({ status: 'draft', version: 1 });
      expect(formSchema.required).toEqual(['applicantName', 'idNumber', 'phone']);

      expect((await t.app.inject(`/api/v1/catalog/items/${code}`)).statusCode).toBe(404);
      const act = (action: string) =>
        t.app.inject({
          method: 'POST',
          url: `/api/v1/catalog/items/${code}/${action}`,
          headers: { authorization: admin },
        });
      const early = await act('publish');
      expect(early.statusCode).toBe(409);
      expect(early.json()).toMatchObject({ currentStatus: 'draft', allowedActions: ['submit'] });
      expect((await act('submit')).json().status).toBe('in_review');
      expect((await act('publish')).json().status).toBe('published');
      expect((await t.app.inject(`/api/v1/catalog/items/${code}`)).json()).toMatchObject({
        name: '测试事项许可',
        version: 1,
      });

      // A published version cannot be edited, not even in SQL.
      await expect(
        t.db.query(
          `update catalog_item_version set name = 'x' where status = 'published' and item_id = (select id from catalog_item where code = $1)`,
          [code],
        ),
      ).rejects.toThrow(/immutable/);

      const draft = await t.app.inject({
        method: 'PUT',
        url: `/api/v1/catalog/items/${code}/draft`,
        headers: { authorization: admin },
        payload: newItem({ promisedLimitDays: 3 }),
      });
      expect(draft.json()).toMatchObject({ version: 2, status: 'draft' });
      expect((await t.app.inject(`/api/v1/catalog/items/${code}`)).json().promisedLimitDays).toBe(5);
      await act('submit');
      await act('publish');
      expect((await t.app.inject(`/api/v1/catalog/items/${code}`)).json()).toMatchObject({
        version: 2,
        promisedLimitDays: 3,
      });

      const history = await t.app.inject({
        url: `/api/v1/catalog/items/${code}/versions`,
        headers: { authorization: admin },
      });
      expect(
        history.json().items.map((v: { version: number; status: string }) => `${v.version}:${v.status}`),
      ).toEqual(['1:superseded', '2:published']);
      const v1 = await t.app.inject({
        url: `/api/v1/catalog/items/${code}/versions/1`,
        headers: { authorization: admin },
      });
      expect(v1.json().promisedLimitDays).toBe(5);

      const trail = await t.app.inject({
        url: `/api/v1/catalog/items/${code}/audit`,
        headers: { authorization: admin },
      });
      const actions = trail.json().items.map((a: { action: string }) => a.action);
      expect(actions).toEqual([
        'catalog.item.create',
        'catalog.item.submit',
        'catalog.item.publish',
        'catalog.item.draft',
        'catalog.item.submit',
        'catalog.item.publish',
      ]);
      expect(trail.json().items[3]).toMatchObject({
        actor: adminId,
        before: null,
        after: { version: 2 },
      });

      expect((await act('retire')).json().status).toBe('retired');
      expect((await t.app.inject(`/api/v1/catalog/items/${code}`)).statusCode).toBe(404);
    });

    it('builds the item hierarchy 主项 -> 业务办理项 with chosen codes', async () => {
      const create = (payload: object) =>
        t.app.inject({
          method: 'POST',
          url: '/api/v1/catalog/items',
          headers: { authorization: admin },
          payload,
        });
      const main = await create({
        ...newItem({ name: '层级测试主项', subSituation: null }),
        code: 'HIER000100',
      });
      expect(main.json().code).toBe('HIER000100');
      const child = await create({
        ...newItem({ name: '层级测试主项（变更）', subSituation: '变更' }),
        parentCode: 'HIER000100',
      });
      expect(child.statusCode).toBe(201);
      const orphan = await create({ ...newItem({ name: '层级测试孤项' }), parentCode: 'NOSUCH0001' });
      expect(orphan.json().errors).toEqual([
        expect.objectContaining({ field: 'parentCode', rule: 'knownItem' }),
      ]);
      const badCode = await create({ ...newItem({ name: '层级测试坏码' }), code: 'bad code' });
      expect(badCode.json().errors).toEqual([expect.objectContaining({ field: 'code', rule: 'pattern' })]);
      for (const code of ['HIER000100', child.json().code]) {
        for (const action of ['submit', 'publish']) {
          await t.app.inject({
            method: 'POST',
            url: `/api/v1/catalog/items/${code}/${action}`,
            headers: { authorization: admin },
          });
        }
      }
      expect((await t.app.inject('/api/v1/catalog/items/HIER000100')).json()).toMatchObject({
        parentCode: null,
        childCodes: [child.json().code],
      });
      expect((await t.app.inject(`/api/v1/catalog/items/${child.json().code}`)).json()).toMatchObject({
        parentCode: 'HIER000100',
        childCodes: [],
      });
    });

    it('refuses a second item with the same name and situation', async () => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/catalog/items',
        headers: { authorization: admin },
        payload: newItem({
          name: '内地居民结婚登记',
          subSituation: '新设',
          typeCode: '07',
          handlingType: 'immediate',
          legalLimitDays: 0,
          promisedLimitDays: 0,
        }),
      });
      expect(res.statusCode).toBe(409);
      expect(res.json().existingCode).toMatch(/^07/);
    });
  });

  describe('implementation entries (三级四同)', () => {
    it('replicated every item for the city, each district and each street', async () => {
      const [{ n }] = (await t.db.query<{ n: number }>(
        `select count(*)::int as n from catalog_entry e join catalog_entry_version v on v.entry_id = e.id and v.status = 'published'`,
      )) as [{ n: number }];
      const [{ units }] = (await t.db.query<{ units: number }>(
        `select count(distinct region_code)::int as units from catalog_entry`,
      )) as [{ units: number }];
      expect(units).toBe(1 + 2 + 6);
      expect(n).toBeGreaterThanOrEqual(units * 172);
    });

    it('inherits name, code, type and basis, and refuses to diverge from them', async () => {
      const [entry] = await t.db.query<{ code: string; region_code: string }>(
        `select e.code, e.region_code from catalog_entry e join catalog_item i on i.id = e.item_id
           join catalog_item_version v on v.item_id = i.id and v.status = 'published'
          where v.name = '内地居民结婚登记' and e.region_code like '3299%' order by e.region_code desc limit 1`,
      );
      const detail = (await t.app.inject(`/api/v1/catalog/items/${entry!.code}`)).json();
      expect(detail).toMatchObject({
        name: '内地居民结婚登记',
        type: { code: '07' },
        region: { code: entry!.region_code },
      });
      expect(entry!.code.startsWith(`${detail.basicCode}-${entry!.region_code}-000-`)).toBe(true);

      const diverge = await t.app.inject({
        method: 'PUT',
        url: `/api/v1/catalog/entries/${entry!.code}/draft`,
        headers: { authorization: admin },
        payload: { name: '结婚', typeCode: '01', phone: '025-12345' },
      });
      expect(diverge.statusCode).toBe(400);
      expect(
        diverge
          .json()
          .errors.map((e: { field: string; rule: string }) => `${e.field}:${e.rule}`)
          .sort(),
      ).toEqual(['name:inherited', 'typeCode:inherited']);

      const local = await t.app.inject({
        method: 'PUT',
        url: `/api/v1/catalog/entries/${entry!.code}/draft`,
        headers: { authorization: admin },
        payload: { phone: '025-12345', visits: 0 },
      });
      expect(local.json()).toMatchObject({ version: 2, status: 'draft', phone: '025-12345' });
      for (const action of ['submit', 'publish']) {
        await t.app.inject({
          method: 'POST',
          url: `/api/v1/catalog/entries/${entry!.code}/${action}`,
          headers: { authorization: admin },
        });
      }
      expect((await t.app.inject(`/api/v1/catalog/items/${entry!.code}`)).json()).toMatchObject({
        name: '内地居民结婚登记',
        phone: '025-12345',
        visits: 0,
        entryVersion: 2,
      });
    });

    it('lets a district administrator keep only the entries of the district, not basic items', async () => {
      const [district, other] = await t.db.query<{ code: string }>(
        `select code from region where level = 3 order by code limit 2`,
      );
      const district_ = (
        await staffSession(t.app, t.db, ['catalog_admin'], { regionCodes: [district!.code] })
      ).authorization;
      const entryIn = async (regionCode: string) =>
        (
          await t.db.query<{ code: string }>(
            `select e.code from catalog_entry e where e.region_code = $1 order by e.code limit 1`,
            [regionCode],
          )
        )[0]!.code;
      const draft = (code: string) =>
        t.app.inject({
          method: 'PUT',
          url: `/api/v1/catalog/entries/${code}/draft`,
          headers: { authorization: district_ },
          payload: { phone: '025-86000000' },
        });
      expect((await draft(await entryIn(district!.code))).statusCode).toBe(200);
      const outside = await draft(await entryIn(other!.code));
      expect(outside.statusCode).toBe(403);
      expect(outside.json().detail).toMatch(/outside your jurisdiction/);
      const [basic] = await t.db.query<{ code: string }>(
        'select code from catalog_item order by code limit 1',
      );
      const item = await t.app.inject({
        method: 'POST',
        url: `/api/v1/catalog/items/${basic!.code}/submit`,
        headers: { authorization: district_ },
      });
      expect(item.statusCode).toBe(403);
    });

    it('lists the entries of a region and filters them in SQL', async () => {
      const [{ code: district }] = (await t.db.query<{ code: string }>(
        `select code from region where level = 3 order by code limit 1`,
      )) as [{ code: string }];
      const res = await t.app.inject(`/api/v1/catalog/items?region=${district}&type=07&size=5`);
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body.items).toHaveLength(5);
      expect(body.total).toBeGreaterThan(5);
      for (const item of body.items) {
        expect(item.type.code).toBe('07');
        expect(item.region.code.slice(0, 6)).toBe(district.slice(0, 6));
      }
      const short = await t.app.inject(`/api/v1/catalog/items?region=${district.slice(0, 6)}&type=07&size=5`);
      expect(short.json().total).toBe(body.total);
      const beyond = await t.app.inject(`/api/v1/catalog/items?region=${district}&type=07&size=5&page=9999`);
      expect(beyond.json()).toMatchObject({ items: [], total: body.total, page: 9999 });
      const unknown = await t.app.inject('/api/v1/catalog/items?region=329999999999');
      expect(unknown.statusCode).toBe(400);
      expect(unknown.json().errors[0]).toMatchObject({ field: 'region', rule: 'knownRegion' });
    });
  });

  describe('bundles (一件事)', () => {
    it('merges the forms and lists each material once', async () => {
      const res = await t.app.inject('/api/v1/catalog/bundles/newborn');
      expect(res.statusCode).toBe(200);
      const bundle = res.json();
      expect(bundle.items.length).toBe(5);
      const names = bundle.materials.map((m: { name: string }) => m.name);
      expect(new Set(names).size).toBe(names.length);
      const shared = (name: string) => bundle.materials.find((m: { name: string }) => m.name === name);
      expect(shared('居民身份证').items).toHaveLength(2);
      expect(shared('出生医学证明')).toMatchObject({ source: 'government' });
      expect(shared('出生医学证明').items).toHaveLength(2);
      expect(Object.keys(bundle.formSchema.properties)).toEqual(
        expect.arrayContaining(['applicantName', 'idNumber', 'phone']),
      );
    });
  });

  describe('bad input', () => {
    it('answers unknown codes with 404 and malformed ones with 400', async () => {
      expect((await t.app.inject('/api/v1/catalog/items/0199999999')).statusCode).toBe(404);
      const bad = await t.app.inject('/api/v1/catalog/items/abc%20def');
      expect(bad.statusCode).toBe(400);
      expect(bad.json().errors[0]).toMatchObject({ field: 'code', rule: 'pattern' });
      expect((await t.app.inject('/api/v1/catalog/items?page=0')).statusCode).toBe(400);
      expect((await t.app.inject('/api/v1/catalog/items?size=abc')).statusCode).toBe(400);
    });
  });
});
