import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maskIdNumber, maskPhone } from '../../kernel/crypto.ts';
import { checkIdentifier } from '../../kernel/identifiers/index.ts';
import { createTestApp, type TestApp } from '../../../test/helpers/app.ts';
import { staffSession } from '../../../test/helpers/identity.ts';
import { seedDemoDirectory } from '../directory/index.ts';
import { getEnterprise, seedDemoRegistries, type Enterprise } from './index.ts';

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
  let t: TestApp;
  let districts: string[];
  let communities: string[];
  let persons: PersonRow[];
  let enterprises: Enterprise[];

  beforeAll(async () => {
    t = await createTestApp();
    ({ districts, communities } = await seedDemoDirectory(t.db, { scale: 'small' }));
    await seedDemoRegistries(t.db, { scale: 'small', regionCodes: communities });
    persons = await t.db.query<PersonRow>(
      `select id_number as "idNumber", name, sex, birth_date as "birthDate", region_code as "regionCode", phone
         from registry_person order by id_number`,
    );
    const usccs = await t.db.query<{ uscc: string }>(`select uscc from registry_enterprise order by uscc`);
    enterprises = await Promise.all(usccs.map((e) => getEnterprise(t.db, e.uscc)));
  });
  afterAll(async () => {
    await t.drop();
  });

  describe('demo residents and enterprises (small)', () => {
    it('registers 200 residents, 50 enterprises and 40 credit records, and adds nothing when run again', async () => {
      expect(persons).toHaveLength(200);
      expect(enterprises).toHaveLength(50);
      expect(await seedDemoRegistries(t.db, { scale: 'small', regionCodes: communities })).toEqual({
        persons: 200,
        enterprises: 50,
        credit: 40,
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
    const asJson = (p: PersonRow) => ({ ...p, sex: p.sex === 'M' ? 'male' : 'female' });
    const districtOf = (regionCode: string) => `${regionCode.slice(0, 6)}000000`;

    it('answers 401 without a session and 403 to a citizen or a staff role without registry.read', async () => {
      const url = `/api/v1/registries/persons/${persons[0]!.idNumber}`;
      const anonymous = await t.app.inject(url);
      expect(anonymous.statusCode).toBe(401);
      expect(anonymous.headers['content-type']).toMatch(/^application\/problem\+json/);
      for (const role of ['citizen', 'catalog_admin', 'hall_manager'] as const) {
        const res = await t.app.inject({ url, headers: { authorization: await t.bearer(role) } });
        expect(res.statusCode, role).toBe(403);
      }
      const enterprise = `/api/v1/registries/enterprises/${enterprises[0]!.uscc}`;
      expect((await t.app.inject(enterprise)).statusCode).toBe(401);
      const supervisor = await t.app.inject({
        url: enterprise,
        headers: { authorization: await t.bearer('supervisor') },
      });
      expect(supervisor.statusCode).toBe(403);
    });

    it('returns a resident in full to a holder of pii.read_full, accepting a lower-case x', async () => {
      const person = persons.find((p) => p.idNumber.endsWith('X')) ?? persons[0]!;
      const res = await t.app.inject({
        url: `/api/v1/registries/persons/${person.idNumber.toLowerCase()}`,
        headers: { authorization: await t.bearer('window_clerk') },
      });
      expect(res.statusCode).toBe(200);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.json()).toEqual(asJson(person));
    });

    it('masks the ID number and phone for a reader without pii.read_full', async () => {
      const person = persons.find((p) => p.phone !== null)!;
      // system_admin reads registries but is not granted the full personal data.
      const res = await t.app.inject({
        url: `/api/v1/registries/persons/${person.idNumber}`,
        headers: { authorization: await t.bearer('system_admin') },
      });
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body).toEqual({
        ...asJson(person),
        idNumber: maskIdNumber(person.idNumber),
        phone: maskPhone(person.phone!),
      });
      expect(body.idNumber).toMatch(/^\d{4}\*{10}[\dX]{4}$/);
      expect(body.phone).not.toContain(person.phone!.slice(3, 7));
    });

    it("masks the legal representative's ID number without pii.read_full, shows it in full with it", async () => {
      const enterprise = enterprises[0]!;
      const url = `/api/v1/registries/enterprises/${enterprise.uscc}`;
      const masked = await t.app.inject({ url, headers: { authorization: await t.bearer('system_admin') } });
      expect(masked.json()).toEqual({
        ...enterprise,
        legalRepresentative: {
          ...enterprise.legalRepresentative,
          idNumber: maskIdNumber(enterprise.legalRepresentative.idNumber!),
        },
      });
      const full = await t.app.inject({ url, headers: { authorization: await t.bearer('approver') } });
      expect(full.json()).toEqual(enterprise);
    });

    it("answers 404 (not 403) for a resident or enterprise outside the reader's jurisdiction", async () => {
      expect(districts.length).toBeGreaterThanOrEqual(2);
      const [home, other] = districts as [string, string];
      const { authorization } = await staffSession(t.app, t.db, ['window_clerk'], { regionCodes: [home] });
      const headers = { authorization };
      const inside = persons.find((p) => districtOf(p.regionCode) === home)!;
      const outside = persons.find((p) => districtOf(p.regionCode) === other)!;
      const seen = await t.app.inject({ url: `/api/v1/registries/persons/${inside.idNumber}`, headers });
      expect(seen.statusCode).toBe(200);
      expect(seen.json().idNumber).toBe(inside.idNumber);
      const hidden = await t.app.inject({ url: `/api/v1/registries/persons/${outside.idNumber}`, headers });
      expect(hidden.statusCode).toBe(404);
      expect(hidden.json().code).toBe('not_found');

      const insideEnterprise = enterprises.find((e) => districtOf(e.regionCode) === home)!;
      const outsideEnterprise = enterprises.find((e) => districtOf(e.regionCode) === other)!;
      const seenEnterprise = await t.app.inject({
        url: `/api/v1/registries/enterprises/${insideEnterprise.uscc}`,
        headers,
      });
      expect(seenEnterprise.statusCode).toBe(200);
      const hiddenEnterprise = await t.app.inject({
        url: `/api/v1/registries/enterprises/${outsideEnterprise.uscc}`,
        headers,
      });
      expect(hiddenEnterprise.statusCode).toBe(404);
    });

    it('narrows to a single street: a resident of another street in the same district is hidden', async () => {
      const person = persons[0]!;
      const street = person.regionCode.slice(0, 9) + '000';
      const { authorization } = await staffSession(t.app, t.db, ['approver'], { regionCodes: [street] });
      const same = await t.app.inject({
        url: `/api/v1/registries/persons/${person.idNumber}`,
        headers: { authorization },
      });
      expect(same.statusCode).toBe(200);
      const neighbour = persons.find((p) => p.regionCode.slice(0, 9) + '000' !== street)!;
      const hidden = await t.app.inject({
        url: `/api/v1/registries/persons/${neighbour.idNumber}`,
        headers: { authorization },
      });
      expect(hidden.statusCode).toBe(404);
    });

    it('validates the ID number first: 400 with the rule, then 404 when valid but unknown', async () => {
      const headers = { authorization: await t.bearer('window_clerk') };
      const wrongCheck = await t.app.inject({
        url: '/api/v1/registries/persons/110105194912310021',
        headers,
      });
      expect(wrongCheck.statusCode).toBe(400);
      expect(wrongCheck.json().errors).toEqual([
        expect.objectContaining({ field: 'idNumber', rule: 'checkDigit' }),
      ]);
      const unknown = await t.app.inject({ url: '/api/v1/registries/persons/11010519491231002X', headers });
      expect(unknown.statusCode).toBe(404);
    });

    it('returns an enterprise by credit code; 400 naming the rule for a bad one, 404 for an unknown one', async () => {
      const headers = { authorization: await t.bearer('department_head') };
      const enterprise = enterprises[0]!;
      const found = await t.app.inject({ url: `/api/v1/registries/enterprises/${enterprise.uscc}`, headers });
      expect(found.json()).toEqual(enterprise);
      const wrong = enterprise.uscc.slice(0, 17) + (enterprise.uscc[17] === '0' ? '1' : '0');
      const bad = await t.app.inject({ url: `/api/v1/registries/enterprises/${wrong}`, headers });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().errors).toEqual([expect.objectContaining({ field: 'uscc', rule: 'checkDigit' })]);
      const unknown = await t.app.inject({
        url: '/api/v1/registries/enterprises/91350100M000100Y43',
        headers,
      });
      expect(unknown.statusCode).toBe(404);
    });
  });
});
