import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/helpers/app.ts';
import { staffSession } from '../../../test/helpers/identity.ts';

/** The console's routes: the administrators' item list and changing a bundle. */

const item = (name: string, department: string, typeCode = '20') => ({
  name,
  subSituation: null,
  typeCode,
  department,
  legalBasis: [{ title: '《测试条例》第一条' }],
  audience: ['natural_person'],
  handlingType: 'immediate',
  legalLimitDays: 0,
  promisedLimitDays: 0,
  visits: 0,
  onlineDepth: 'IV',
  fee: { charged: false },
  materials: [],
  process: [],
  specialProcedures: [],
  resultLicence: null,
  lifeEvents: [],
  keywords: [],
});

describe('catalog management', () => {
  let t: TestApp;
  let admin: string;
  const codes: Record<string, string> = {};

  const send = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: object, authorization = admin) =>
    t.app.inject({ method, url, headers: { authorization }, ...(payload && { payload }) });
  const list = async (query: string) => {
    const res = await send('GET', `/api/v1/catalog/manage/items?${query}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as { items: { code: string; status: string; version: number }[]; total: number };
  };

  beforeAll(async () => {
    t = await createTestApp();
    ({ authorization: admin } = await staffSession(t.app, t.db, ['catalog_admin']));
    for (const [key, name, department, type] of [
      ['draft', '管理列表草稿事项', '民政局', '20'],
      ['published', '管理列表已发布事项', '民政局', '07'],
      ['other', '管理列表人社事项', '人力资源和社会保障局', '20'],
    ] as const) {
      const res = await send('POST', '/api/v1/catalog/items', item(name, department, type));
      expect(res.statusCode, res.body).toBe(201);
      codes[key] = res.json().code;
    }
    for (const key of ['published', 'other']) {
      for (const action of ['submit', 'publish'])
        expect((await send('POST', `/api/v1/catalog/items/${codes[key]}/${action}`)).statusCode).toBe(200);
    }
    // A second version of a published item is a draft beside the published one.
    const draft = await send(
      'PUT',
      `/api/v1/catalog/items/${codes.published}/draft`,
      item('管理列表已发布事项', '民政局', '07'),
    );
    expect(draft.json()).toMatchObject({ version: 2, status: 'draft' });
  });
  afterAll(() => t.drop());

  it('lists drafts beside published items with the newest version, and filters in SQL', async () => {
    const all = await list('q=管理列表');
    expect(all.total).toBe(3);
    const byCode = Object.fromEntries(all.items.map((i) => [i.code, i]));
    expect(byCode[codes.draft!]).toMatchObject({ version: 1, status: 'draft', publishedVersion: null });
    expect(byCode[codes.published!]).toMatchObject({ version: 2, status: 'draft', publishedVersion: 1 });

    expect((await list('q=管理列表&status=published')).items.map((i) => i.code).sort()).toEqual(
      [codes.published, codes.other].sort(),
    );
    expect((await list('q=管理列表&status=draft')).items.map((i) => i.code).sort()).toEqual(
      [codes.draft, codes.published].sort(),
    );
    expect((await list('department=人力资源和社会保障局')).items.map((i) => i.code)).toEqual([codes.other]);
    expect((await list('q=管理列表&type=07')).items.map((i) => i.code)).toEqual([codes.published]);
    expect((await list(`q=${codes.other!.slice(0, 10)}`)).items.map((i) => i.code)).toContain(codes.other);
    // A LIKE wildcard in the words is a character, not "anything".
    expect((await list('q=%25')).total).toBe(0);
    const paged = await list('q=管理列表&size=2&page=2');
    expect(paged).toMatchObject({ total: 3 });
    expect(paged.items).toHaveLength(1);
    expect((await send('GET', '/api/v1/catalog/manage/items')).json().departments).toEqual(
      expect.arrayContaining(['民政局', '人力资源和社会保障局']),
    );
  });

  it('is for catalog administrators only', async () => {
    expect((await t.app.inject('/api/v1/catalog/manage/items')).statusCode).toBe(401);
    const clerk = await t.bearer('window_clerk');
    expect((await send('GET', '/api/v1/catalog/manage/items', undefined, clerk)).statusCode).toBe(403);
  });

  it('changes the items of a bundle and audits the change', async () => {
    const created = await send('POST', '/api/v1/catalog/bundles', {
      code: 'manage-test',
      name: '管理测试一件事',
      audience: 'natural_person',
      itemCodes: [codes.published, codes.other],
    });
    expect(created.statusCode, created.body).toBe(201);
    const body = {
      name: '管理测试一件事（改）',
      lifeEvent: '其他',
      audience: 'natural_person',
      description: '改过的说明',
      itemCodes: [codes.other, codes.published],
    };
    const changed = await send('PUT', '/api/v1/catalog/bundles/manage-test', body);
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json()).toMatchObject({
      name: '管理测试一件事（改）',
      description: '改过的说明',
      items: [{ code: codes.other }, { code: codes.published }],
    });
    const listed = (await t.app.inject('/api/v1/catalog/bundles')).json().items;
    expect(listed.find((b: { code: string }) => b.code === 'manage-test').items).toHaveLength(2);

    const draftOnly = await send('PUT', '/api/v1/catalog/bundles/manage-test', {
      ...body,
      itemCodes: [codes.other, codes.draft],
    });
    expect(draftOnly.statusCode).toBe(400);
    expect(draftOnly.json().errors).toMatchObject([{ field: 'itemCodes[1]', rule: 'publishedItem' }]);
    expect((await t.app.inject('/api/v1/catalog/bundles/manage-test')).json().name).toBe(
      '管理测试一件事（改）',
    );
    expect((await send('PUT', '/api/v1/catalog/bundles/no-such', body)).statusCode).toBe(404);

    const [audit] = await t.db.query<{ before: { name: string }; after: { name: string } }>(
      `select before, after from audit_log where entity = 'catalog_bundle' and entity_id = 'manage-test'
        and action = 'catalog.bundle.update'`,
    );
    expect(audit).toMatchObject({
      before: { name: '管理测试一件事' },
      after: { name: '管理测试一件事（改）' },
    });
  });
});
