import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Auth, type Role } from '../../kernel/auth.ts';
import { buildApp, type App } from '../../kernel/http.ts';
import { checkIdentifier } from '../../kernel/identifiers/index.ts';
import { testConfig } from '../../../test/helpers/app.ts';
import { createTestDatabase, type TestDatabase } from '../../../test/helpers/db.ts';
import { directoryModule, seedDemoDirectory } from '../directory/index.ts';
import { getEnterprise, registriesModule, seedDemoRegistries, type Enterprise } from './index.ts';

/** A resident as stored (sex as its one-letter code). */
interface PersonRow {
  idNumber: string;
  name: string;
  sex: 'M' | 'F';
  birthDate: string;
  regionCode: string;
  phone: string | null;
}

describe('registries', () => {
  let t: TestDatabase;
  let app: App;
  let bearer: (...roles: Role[]) => Promise<string>;
  let communities: string[];
  let persons: PersonRow[];
  let enterprises: Enterprise[];

  beforeAll(async () => {
    t = await createTestDatabase();
    communities = (await seedDemoDirectory(t.db, { scale: 'small' })).communities;
    const config = testConfig();
    app = await buildApp({ config, db: t.db, modules: [directoryModule, registriesModule], logger: false });
    await app.ready();
    const auth = new Auth(config.sessionSecret);
    bearer = async (...roles) => `Bearer ${await auth.issue({ sub: 'test', name: 'Test', roles })}`;
    await seedDemoRegistries(t.db, { scale: 'small', regionCodes: communities });
    persons = await t.db.query<PersonRow>(
      `select id_number as "idNumber", name, sex, birth_date as "birthDate", region_code as "regionCode", phone
         from registry_person`,
    );
    const usccs = await t.db.query<{ uscc: string }>(`select uscc from registry_enterprise`);
    enterprises = await Promise.all(usccs.map((e) => getEnterprise(t.db, e.uscc)));
  });
  afterAll(async () => {
    await app.close();
    await t.drop();
  });

  describe('demo residents and enterprises (small)', () => {
    it('registers 200 residents and 50 enterprises, and adds nothing when run again', async () => {
      expect(persons).toHaveLength(200);
      expect(enterprises).toHaveLength(50);
      expect(await seedDemoRegistries(t.db, { scale: 'small', regionCodes: communities })).toEqual({
        persons: 200,
        enterprises: 50,
      });
    });

    it('gives every resident a valid ID number carrying their county, birth date and sex', () => {
      for (const person of persons) {
        const check = checkIdentifier('residentId', person.idNumber);
        if (!check.ok) throw new Error(`${person.idNumber}: ${check.rule}`);
        expect(communities).toContain(person.regionCode);
        expect(check.info.region.code).toBe(person.regionCode.slice(0, 6));
        expect(check.info.birthDate).toBe(person.birthDate);
        expect(person.sex).toBe(check.info.sex === 'male' ? 'M' : 'F');
        expect(person.name).toMatch(/^\p{Script=Han}{2,4}$/u);
      }
    });

    it('gives every enterprise a valid market-regulation credit code of its county and a registered representative', () => {
      const ids = new Set(persons.map((p) => p.idNumber));
      for (const enterprise of enterprises) {
        const check = checkIdentifier('uscc', enterprise.uscc);
        if (!check.ok) throw new Error(`${enterprise.uscc}: ${check.rule}`);
        expect(check.info.authority.code).toBe('9');
        expect(check.info.category.code).toBe(enterprise.type === '个体工商户' ? '2' : '1');
        expect(check.info.region.code).toBe(enterprise.regionCode.slice(0, 6));
        expect(ids.has(enterprise.legalRepresentative.idNumber!)).toBe(true);
        expect(enterprise.name).toMatch(/^示例市(长安区|临江区)/);
        expect(enterprise.registeredCapitalCny === null).toBe(enterprise.type === '个体工商户');
      }
      expect(new Set(enterprises.map((e) => e.name)).size).toBe(enterprises.length);
    });
  });

  describe('routes', () => {
    it('requires a staff or system role', async () => {
      const url = `/api/v1/registries/persons/${persons[0]!.idNumber}`;
      expect((await app.inject(url)).statusCode).toBe(401);
      const citizen = await app.inject({ url, headers: { authorization: await bearer('citizen') } });
      expect(citizen.statusCode).toBe(403);
      for (const role of ['staff', 'system'] as const) {
        const res = await app.inject({ url, headers: { authorization: await bearer(role) } });
        expect(res.statusCode).toBe(200);
      }
    });

    it('returns a resident by ID number, accepting a lower-case x', async () => {
      const person = persons.find((p) => p.idNumber.endsWith('X')) ?? persons[0]!;
      const res = await app.inject({
        url: `/api/v1/registries/persons/${person.idNumber.toLowerCase()}`,
        headers: { authorization: await bearer('staff') },
      });
      expect(res.json()).toEqual({ ...person, sex: person.sex === 'M' ? 'male' : 'female' });
    });

    it('validates the ID number first: 400 with the rule, then 404 when valid but unknown', async () => {
      const headers = { authorization: await bearer('staff') };
      const wrongCheck = await app.inject({ url: '/api/v1/registries/persons/110105194912310021', headers });
      expect(wrongCheck.statusCode).toBe(400);
      expect(wrongCheck.json().errors).toEqual([
        expect.objectContaining({ field: 'idNumber', rule: 'checkDigit' }),
      ]);
      const unknown = await app.inject({ url: '/api/v1/registries/persons/11010519491231002X', headers });
      expect(unknown.statusCode).toBe(404);
    });

    it('returns an enterprise by credit code; 400 naming the rule for a bad one, 404 for an unknown one', async () => {
      const headers = { authorization: await bearer('system') };
      const enterprise = enterprises[0]!;
      const found = await app.inject({ url: `/api/v1/registries/enterprises/${enterprise.uscc}`, headers });
      expect(found.json()).toEqual(enterprise);
      const wrong = enterprise.uscc.slice(0, 17) + (enterprise.uscc[17] === '0' ? '1' : '0');
      const bad = await app.inject({ url: `/api/v1/registries/enterprises/${wrong}`, headers });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().errors).toEqual([expect.objectContaining({ field: 'uscc', rule: 'checkDigit' })]);
      const unknown = await app.inject({ url: '/api/v1/registries/enterprises/91350100M000100Y43', headers });
      expect(unknown.statusCode).toBe(404);
    });
  });
});
