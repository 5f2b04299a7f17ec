import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/helpers/app.ts';
import { anyOrganisation, personSession, staffSession } from '../../../test/helpers/identity.ts';
import { createRng, generateUscc } from '../../kernel/identifiers/index.ts';
import { createItem, transitionItem } from './service.ts';

/**
 * The console's history of an item names who did what: the versions list and the audit
 * trail carry, beside each actor id, the staff member's name and department, the platform
 * for system actors, and null for anyone else (a citizen is never named here).
 */

const elements = (name: string) => ({
  name,
  subSituation: null,
  typeCode: '20' as const,
  department: '民政局',
  legalBasis: [{ title: '《测试条例》第一条' }],
  audience: ['natural_person' as const],
  handlingType: 'immediate' as const,
  legalLimitDays: 0,
  promisedLimitDays: 0,
  visits: 0,
  onlineDepth: 'IV' as const,
  fee: { charged: false },
  materials: [],
  process: [],
  specialProcedures: [],
  resultLicence: null,
  lifeEvents: [],
  keywords: [],
});

interface Named {
  createdBy: string;
  createdByName: string | null;
  createdByDepartment: string | null;
  publishedBy: string | null;
  publishedByName: string | null;
  publishedByDepartment: string | null;
  version: number;
  status: string;
}
interface AuditRow {
  action: string;
  actor: string;
  actorName: string | null;
  actorDepartment: string | null;
  at: string;
}

describe('catalog history names its actors', () => {
  let t: TestApp;
  let drafter: { accountId: string; authorization: string };
  let reviewer: { accountId: string; authorization: string };
  let drafterDepartment: string;

  const get = (url: string, headers: Record<string, string> = {}) =>
    t.app.inject({ url, headers: { authorization: drafter.authorization, ...headers } });

  beforeAll(async () => {
    t = await createTestApp();
    const home = await anyOrganisation(t.db);
    const [other] = await t.db.query<{ id: number }>(
      `insert into organisation (name, short_name, uscc, region_code, kind)
       values ('测试省政务服务管理局', '政务服务管理局', $1, $2, 'department') returning id`,
      [generateUscc(createRng(11), { authority: '1', category: '1' }), home.regionCode],
    );
    drafter = await staffSession(t.app, t.db, ['catalog_admin'], { organisationId: home.id });
    reviewer = await staffSession(t.app, t.db, ['catalog_admin'], { organisationId: other!.id });
    await t.db.query(`update identity_account set name = '王起草' where id = $1`, [drafter.accountId]);
    await t.db.query(`update identity_account set name = '李审核' where id = $1`, [reviewer.accountId]);
    const [row] = await t.db.query<{ name: string }>('select name from organisation where id = $1', [
      home.id,
    ]);
    drafterDepartment = row!.name;
  });
  afterAll(() => t.drop());

  it('names the staff member who drafted and the one who published, with their departments', async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/catalog/items',
      headers: { authorization: drafter.authorization },
      payload: elements('操作人姓名测试事项'),
    });
    expect(created.statusCode, created.body).toBe(201);
    const code = created.json().code as string;
    for (const action of ['submit', 'publish']) {
      const moved = await t.app.inject({
        method: 'POST',
        url: `/api/v1/catalog/items/${code}/${action}`,
        headers: { authorization: reviewer.authorization },
      });
      expect(moved.statusCode, moved.body).toBe(200);
    }

    // The drafter reads the history: the reviewer is another staff member, named all the same.
    const versions = await get(`/api/v1/catalog/items/${code}/versions`);
    expect(versions.statusCode, versions.body).toBe(200);
    const [first] = versions.json().items as Named[];
    expect(first).toMatchObject({
      version: 1,
      status: 'published',
      createdBy: drafter.accountId,
      createdByName: '王起草',
      createdByDepartment: drafterDepartment,
      publishedBy: reviewer.accountId,
      publishedByName: '李审核',
      publishedByDepartment: '测试省政务服务管理局',
    });
    // The elements are still all there beside the names (the editor starts from them).
    expect(versions.json().items[0]).toMatchObject({ name: '操作人姓名测试事项', legalBasis: [{}] });

    const trail = await get(`/api/v1/catalog/items/${code}/audit`);
    expect(trail.statusCode, trail.body).toBe(200);
    const rows = trail.json().items as AuditRow[];
    expect(rows.map((r) => [r.action, r.actorName, r.actorDepartment])).toEqual([
      ['catalog.item.create', '王起草', drafterDepartment],
      ['catalog.item.submit', '李审核', '测试省政务服务管理局'],
      ['catalog.item.publish', '李审核', '测试省政务服务管理局'],
    ]);
    expect(rows[1]!.actor).toBe(reviewer.accountId);
    expect(Number.isNaN(Date.parse(rows[0]!.at))).toBe(false);
  });

  it('calls system actors the platform in the reader’s language, and leaves others unnamed', async () => {
    const item = await createItem(t.db, elements('系统导入姓名测试事项'), { actor: 'system:import' });
    // Only the console moves items along, but the history must not name a citizen if one ever did.
    const citizen = await personSession(t.app, t.db, { assurance: 2 });
    await transitionItem(t.db, item.code, 'submit', { actor: citizen.accountId });
    await transitionItem(t.db, item.code, 'publish', { actor: 'anonymous' });

    const zh = (await get(`/api/v1/catalog/items/${item.code}/versions`)).json().items as Named[];
    expect(zh[0]).toMatchObject({
      createdBy: 'system:import',
      createdByName: '系统',
      createdByDepartment: null,
      publishedBy: 'anonymous',
      publishedByName: null,
      publishedByDepartment: null,
    });
    const en = await get(`/api/v1/catalog/items/${item.code}/versions`, { 'accept-language': 'en' });
    expect(en.headers['content-language']).toBe('en');
    expect((en.json().items as Named[])[0]!.createdByName).toBe('The platform');

    const trail = (await get(`/api/v1/catalog/items/${item.code}/audit`)).json().items as AuditRow[];
    expect(trail.map((r) => [r.actor, r.actorName])).toEqual([
      ['system:import', '系统'],
      [citizen.accountId, null],
      ['anonymous', null],
    ]);
  });
});
