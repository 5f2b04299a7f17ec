import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../kernel/http.ts';
import { createRng, generateUscc } from '../../kernel/identifiers/index.ts';
import { testConfig } from '../../../test/helpers/app.ts';
import { createTestDatabase, type TestDatabase } from '../../../test/helpers/db.ts';
import { registriesModule } from '../registries/index.ts';
import { identityModule } from '../identity/index.ts';
import { bearerFor, type TestRole } from '../../../test/helpers/identity.ts';
import { directoryModule, seedDemoDirectory } from './index.ts';

const CHANGAN = '329901000000';

describe('directory routes', () => {
  let t: TestDatabase;
  let app: App;
  let bearer: (...roles: TestRole[]) => Promise<string>;
  const rng = createRng(11);
  const freshUscc = () => generateUscc(rng, { authority: '1', category: '1', regionCode: '329901' });

  beforeAll(async () => {
    t = await createTestDatabase();
    await seedDemoDirectory(t.db, { scale: 'small' });
    const config = testConfig();
    app = await buildApp({
      config,
      db: t.db,
      modules: [identityModule, directoryModule, registriesModule],
      logger: false,
    });
    await app.ready();
    bearer = (...roles) => bearerFor(app, t.db, ...roles);
  });
  afterAll(async () => {
    await app.close();
    await t.drop();
  });

  it('lists regions by parent, paginated', async () => {
    const res = await app.inject(`/api/v1/regions?parent=${CHANGAN}&size=2`);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ total: 3, page: 1, size: 2 });
    expect(body.items).toHaveLength(2);
    expect(body.items[0]).toMatchObject({ parentCode: CHANGAN, level: 4, levelName: '乡级' });
  });

  it('shows one region with its ancestors and child count, also by its 6-digit code', async () => {
    const res = await app.inject('/api/v1/regions/329901');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      code: CHANGAN,
      fullName: '江苏省示例市长安区',
      childCount: 3,
      ancestors: [{ code: '320000000000' }, { code: '329900000000' }],
    });
  });

  it('answers a malformed code with 400 naming the rule, an unknown one with 404', async () => {
    const bad = await app.inject('/api/v1/regions/32990100000A');
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(bad.json().errors).toEqual([expect.objectContaining({ field: 'code', rule: 'charset' })]);
    const badFilter = await app.inject('/api/v1/regions?parent=3299');
    expect(badFilter.json().errors).toEqual([expect.objectContaining({ field: 'parent', rule: 'length' })]);
    expect((await app.inject('/api/v1/regions/329988000000')).statusCode).toBe(404);
    expect((await app.inject('/api/v1/regions?size=1000')).statusCode).toBe(400);
  });

  it('creates a region for a catalog admin only', async () => {
    const payload = { code: '329901005000', name: '新城街道', parentCode: CHANGAN };
    expect((await app.inject({ method: 'POST', url: '/api/v1/regions', payload })).statusCode).toBe(401);
    const forbidden = await app.inject({
      method: 'POST',
      url: '/api/v1/regions',
      payload,
      headers: { authorization: await bearer('window_clerk') },
    });
    expect(forbidden.statusCode).toBe(403);
    const headers = { authorization: await bearer('system_admin') };
    const created = await app.inject({ method: 'POST', url: '/api/v1/regions', payload, headers });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({
      code: '329901005000',
      level: 4,
      fullName: '江苏省示例市长安区新城街道',
    });
    const again = await app.inject({ method: 'POST', url: '/api/v1/regions', payload, headers });
    expect(again.statusCode).toBe(409);
    const orphan = await app.inject({
      method: 'POST',
      url: '/api/v1/regions',
      payload: { ...payload, code: '329988001000', parentCode: '329988000000' },
      headers,
    });
    expect(orphan.statusCode).toBe(404);
  });

  it('lists organisations of a region and finds one by id or credit code', async () => {
    const list = await app.inject(`/api/v1/organisations?region=${CHANGAN}&kind=department&q=民政`);
    expect(list.statusCode).toBe(200);
    const [civil] = list.json().items;
    expect(civil).toMatchObject({ name: '示例市长安区民政局', shortName: '民政局', regionCode: CHANGAN });
    expect((await app.inject(`/api/v1/organisations/${civil.id}`)).json()).toEqual(civil);
    expect((await app.inject(`/api/v1/organisations/${civil.uscc}`)).json()).toEqual(civil);
    expect((await app.inject('/api/v1/organisations/999999')).statusCode).toBe(404);
    const bad = await app.inject('/api/v1/organisations/not-a-code');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0]).toMatchObject({ field: 'uscc' });
    const within = await app.inject(`/api/v1/organisations?within=${CHANGAN}&kind=street_office`);
    expect(within.json().total).toBe(3);
  });

  it('creates an organisation, rejecting a bad check digit (field uscc) and a taken code', async () => {
    const headers = { authorization: await bearer('system_admin') };
    const uscc = freshUscc();
    const payload = {
      name: '示例市长安区数据局',
      shortName: '数据局',
      uscc,
      regionCode: CHANGAN,
      kind: 'department',
    };
    const wrong = uscc.slice(0, 17) + (uscc[17] === '0' ? '1' : '0');
    const bad = await app.inject({
      method: 'POST',
      url: '/api/v1/organisations',
      payload: { ...payload, uscc: wrong },
      headers,
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({
      code: 'validation_failed',
      errors: [
        { field: 'uscc', rule: 'checkDigit', message: expect.any(String), messageEn: expect.any(String) },
      ],
    });
    const created = await app.inject({ method: 'POST', url: '/api/v1/organisations', payload, headers });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ uscc, shortName: '数据局', kind: 'department' });
    const taken = await app.inject({
      method: 'POST',
      url: '/api/v1/organisations',
      payload: { ...payload, name: '示例市长安区另一个局' },
      headers,
    });
    expect(taken.statusCode).toBe(409);
    const unknownKind = await app.inject({
      method: 'POST',
      url: '/api/v1/organisations',
      payload: { ...payload, uscc: freshUscc(), name: '某机构', kind: 'guild' },
      headers,
    });
    expect(unknownKind.json().errors).toEqual([expect.objectContaining({ field: 'kind', rule: 'exists' })]);
    const staff = await app.inject({
      method: 'POST',
      url: '/api/v1/organisations',
      payload,
      headers: { authorization: await bearer('window_clerk') },
    });
    expect(staff.statusCode).toBe(403);
  });

  it('documents its routes in OpenAPI', async () => {
    const paths = Object.keys((await app.inject('/api/docs/openapi.json')).json().paths);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/api/v1/regions',
        '/api/v1/regions/{code}',
        '/api/v1/organisations',
        '/api/v1/organisations/{id}',
        '/api/v1/registries/persons/{idNumber}',
        '/api/v1/registries/enterprises/{uscc}',
      ]),
    );
  });
});
