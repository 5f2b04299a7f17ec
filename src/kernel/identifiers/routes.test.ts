import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testConfig } from '../../../test/helpers/app.ts';
import { createTestDatabase, type TestDatabase } from '../../../test/helpers/db.ts';
import { type App, buildApp } from '../http.ts';
import { identifiersModule } from './routes.ts';

describe('GET /api/v1/identifiers/{kind}/{value}', () => {
  let database: TestDatabase;
  let app: App;
  beforeAll(async () => {
    database = await createTestDatabase();
    app = await buildApp({
      config: testConfig(),
      db: database.db,
      modules: [identifiersModule],
      logger: false,
    });
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    await database.drop();
  });

  it('answers a valid identifier with its normalised value and what it says', async () => {
    const res = await app.inject('/api/v1/identifiers/residentId/11010519491231002x');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      valid: true,
      kind: 'residentId',
      value: '11010519491231002X',
      info: {
        region: { code: '110105', known: true, name: '朝阳区', fullName: '北京市朝阳区' },
        birthDate: '1949-12-31',
        sex: 'female',
      },
    });
  });

  it('serialises the info of every kind', async () => {
    const uscc = await app.inject('/api/v1/identifiers/uscc/91350100M000100Y43');
    expect(uscc.json()).toMatchObject({
      valid: true,
      info: { authority: { code: '9' }, orgCode: 'M000100Y4' },
    });
    const orgCode = await app.inject('/api/v1/identifiers/orgCode/M000100Y-4');
    expect(orgCode.json()).toEqual({
      valid: true,
      kind: 'orgCode',
      value: 'M000100Y4',
      info: { display: 'M000100Y-4' },
    });
    const region = await app.inject('/api/v1/identifiers/regionCode/110101001001');
    expect(region.json()).toMatchObject({
      valid: true,
      info: { level: 'village', fullName: '北京市东城区' },
    });
    const licence = '1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.U';
    const res = await app.inject(`/api/v1/identifiers/licenceId/${licence}`);
    expect(res.json()).toMatchObject({ valid: true, value: licence, info: { serial: '20230000403' } });
  });

  it('answers an invalid identifier with the rule it breaks, in both languages', async () => {
    const res = await app.inject('/api/v1/identifiers/residentId/110105194912310021');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      valid: false,
      rule: 'checkDigit',
      message: '校验码不正确，请核对号码是否输入有误',
      messageEn: 'The check character does not match; the number may be mistyped',
    });
  });

  it('rejects an unknown kind and an overlong value as problem+json', async () => {
    const kind = await app.inject('/api/v1/identifiers/passport/E12345678');
    expect(kind.statusCode).toBe(400);
    expect(kind.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(kind.json()).toMatchObject({
      code: 'validation_failed',
      errors: [{ field: 'kind', rule: 'enum' }],
    });
    const long = await app.inject(`/api/v1/identifiers/regionCode/${'1'.repeat(129)}`);
    expect(long.statusCode).toBe(400);
    expect(long.json()).toMatchObject({ errors: [{ field: 'value', rule: 'maxLength' }] });
  });

  it('appears in the OpenAPI document', async () => {
    const doc = (await app.inject('/api/docs/openapi.json')).json();
    expect(Object.keys(doc.paths)).toContain('/api/v1/identifiers/{kind}/{value}');
  });
});
