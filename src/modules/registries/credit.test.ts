import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maskIdNumber } from '../../kernel/crypto.ts';
import { checkIdentifier, createRng, generateResidentId } from '../../kernel/identifiers/index.ts';
import { createTestApp, type TestApp } from '../../../test/helpers/app.ts';
import { staffSession } from '../../../test/helpers/identity.ts';
import { seedDemoDirectory } from '../directory/index.ts';
import { demoCreditRecords } from './demo-credit.ts';
import {
  CREDIT_KINDS,
  getCreditRecords,
  insertCreditRecords,
  seedDemoRegistries,
  type CreditRecord,
  type CreditRecordList,
} from './index.ts';

describe('credit registry (信用库)', () => {
  let t: TestApp;
  let districts: string[];
  let records: CreditRecord[];
  const districtOf = (regionCode: string) => `${regionCode.slice(0, 6)}000000`;

  beforeAll(async () => {
    t = await createTestApp();
    let communities: string[];
    ({ districts, communities } = await seedDemoDirectory(t.db, { scale: 'small' }));
    await seedDemoRegistries(t.db, { scale: 'small', regionCodes: communities });
    const keys = await t.db.query<{ key: string }>(
      `select distinct subject_key as key from registry_credit order by 1`,
    );
    records = [];
    for (const { key } of keys) records.push(...(await getCreditRecords(t.db, key)).records);
  });
  afterAll(async () => {
    await t.drop();
  });

  /** The registered region of a record's subject. */
  async function regionOf(record: CreditRecord): Promise<string> {
    const [row] = await t.db.query<{ regionCode: string }>(
      record.subjectKind === 'person'
        ? `select region_code as "regionCode" from registry_person where id_number = $1`
        : `select region_code as "regionCode" from registry_enterprise where uscc = $1`,
      [record.subjectKey],
    );
    return row!.regionCode;
  }

  describe('demo records (small)', () => {
    it('records 40 on registered residents and enterprises with valid identifiers', async () => {
      expect(records).toHaveLength(40);
      for (const record of records) {
        const check = checkIdentifier(
          record.subjectKind === 'person' ? 'residentId' : 'uscc',
          record.subjectKey,
        );
        expect(check.ok, record.subjectKey).toBe(true);
        expect(await regionOf(record)).toMatch(/^\d{12}$/);
        expect(CREDIT_KINDS).toContain(record.kind);
        if (record.kind === 'abnormal_operation') expect(record.subjectKind).toBe('enterprise');
        if (record.validUntil !== null) expect(record.validUntil >= record.decidedOn).toBe(true);
        expect(record.authority).toMatch(/^示例市/);
        expect(record.decidedOn <= '2025-06-30').toBe(true);
      }
      const subjectKinds = new Set(records.map((r) => r.subjectKind));
      expect(subjectKinds).toEqual(new Set(['person', 'enterprise']));
      const identities = records.map((r) => `${r.subjectKey}|${r.kind}|${r.title}|${r.decidedOn}`);
      expect(new Set(identities).size).toBe(records.length);
    });

    it('draws the same records from the same seed', async () => {
      const persons = await t.db.query<{ idNumber: string; birthDate: string; regionCode: string }>(
        `select id_number as "idNumber", birth_date as "birthDate", region_code as "regionCode"
           from registry_person order by id_number`,
      );
      const enterprises = await t.db.query<{ uscc: string; regionCode: string; establishedOn: string }>(
        `select uscc, region_code as "regionCode", established_on as "establishedOn"
           from registry_enterprise order by uscc`,
      );
      const draw = (seed: number) =>
        demoCreditRecords(createRng(seed), 30, {
          persons,
          enterprises,
          prefixOf: () => '示例市长安区',
          referenceDay: Date.UTC(2025, 5, 30),
        });
      expect(draw(5)).toEqual(draw(5));
      expect(draw(5)).not.toEqual(draw(6));
    });
  });

  describe('GET /api/v1/registries/credit/:key', () => {
    const url = (key: string) => `/api/v1/registries/credit/${key}`;
    const personRecord = () => records.find((r) => r.subjectKind === 'person')!;
    const enterpriseRecord = () => records.find((r) => r.subjectKind === 'enterprise')!;

    it('answers 401 without a session and 403 without registry.read', async () => {
      const key = personRecord().subjectKey;
      expect((await t.app.inject(url(key))).statusCode).toBe(401);
      for (const role of ['citizen', 'catalog_admin', 'hall_manager'] as const) {
        const res = await t.app.inject({ url: url(key), headers: { authorization: await t.bearer(role) } });
        expect(res.statusCode, role).toBe(403);
      }
    });

    it("returns a resident's records in full to a holder of pii.read_full, newest first", async () => {
      const key = personRecord().subjectKey;
      const res = await t.app.inject({
        url: url(key),
        headers: { authorization: await t.bearer('window_clerk') },
      });
      expect(res.statusCode).toBe(200);
      expect(res.headers['cache-control']).toBe('no-store');
      const body = res.json<CreditRecordList>();
      const [person] = await t.db.query<{ name: string }>(
        `select name from registry_person where id_number = $1`,
        [key],
      );
      expect(body.subject).toEqual({ kind: 'person', key, name: person!.name });
      expect(body).toEqual(await getCreditRecords(t.db, key));
      expect(body.records.map((r) => r.id).sort()).toEqual(
        records
          .filter((r) => r.subjectKey === key)
          .map((r) => r.id)
          .sort(),
      );
      const dates = body.records.map((r) => r.decidedOn);
      expect(dates).toEqual([...dates].sort().reverse());
    });

    it("masks a resident's ID number without pii.read_full; an enterprise's credit code is not masked", async () => {
      const authorization = await t.bearer('system_admin');
      const key = personRecord().subjectKey;
      const masked = (
        await t.app.inject({ url: url(key), headers: { authorization } })
      ).json<CreditRecordList>();
      expect(masked.subject.key).toBe(maskIdNumber(key));
      expect(masked.records.length).toBeGreaterThan(0);
      for (const record of masked.records) expect(record.subjectKey).toBe(maskIdNumber(key));
      expect(JSON.stringify(masked)).not.toContain(key);

      const uscc = enterpriseRecord().subjectKey;
      const enterprise = await t.app.inject({ url: url(uscc.toLowerCase()), headers: { authorization } });
      expect(enterprise.statusCode).toBe(200);
      expect(enterprise.json()).toEqual(await getCreditRecords(t.db, uscc));
      expect(enterprise.json().subject.kind).toBe('enterprise');
    });

    it('answers 400 naming the rule for a wrong check digit, before looking anything up', async () => {
      const headers = { authorization: await t.bearer('window_clerk') };
      const person = await t.app.inject({ url: url('110105194912310021'), headers });
      expect(person.statusCode).toBe(400);
      expect(person.json().errors).toEqual([expect.objectContaining({ field: 'key', rule: 'checkDigit' })]);
      const uscc = enterpriseRecord().subjectKey;
      const wrong = uscc.slice(0, 17) + (uscc[17] === '0' ? '1' : '0');
      const enterprise = await t.app.inject({ url: url(wrong), headers });
      expect(enterprise.statusCode).toBe(400);
      expect(enterprise.json().errors).toEqual([
        expect.objectContaining({ field: 'key', rule: 'checkDigit' }),
      ]);
      const garbage = await t.app.inject({ url: url('not-an-identifier'), headers });
      expect(garbage.statusCode).toBe(400);
      expect(garbage.json().errors[0].field).toBe('key');
    });

    it('answers 404 for a subject neither registered nor recorded, an empty list for a registered one without records', async () => {
      const headers = { authorization: await t.bearer('window_clerk') };
      const unknown = await t.app.inject({ url: url('11010519491231002X'), headers });
      expect(unknown.statusCode).toBe(404);
      expect(unknown.json().code).toBe('not_found');
      const [clean] = await t.db.query<{ key: string }>(
        `select id_number as key from registry_person p
          where not exists (select 1 from registry_credit c where c.subject_key = p.id_number) limit 1`,
      );
      const res = await t.app.inject({ url: url(clean!.key), headers });
      expect(res.statusCode).toBe(200);
      expect(res.json().records).toEqual([]);
    });

    it("answers 404 (not 403) for a subject outside the reader's jurisdiction", async () => {
      expect(districts.length).toBeGreaterThanOrEqual(2);
      const record = personRecord();
      const home = districtOf(await regionOf(record));
      const other = districts.find((d) => d !== home)!;
      const inside = await staffSession(t.app, t.db, ['window_clerk'], { regionCodes: [home] });
      const outside = await staffSession(t.app, t.db, ['window_clerk'], { regionCodes: [other] });
      const seen = await t.app.inject({
        url: url(record.subjectKey),
        headers: { authorization: inside.authorization },
      });
      expect(seen.statusCode).toBe(200);
      const hidden = await t.app.inject({
        url: url(record.subjectKey),
        headers: { authorization: outside.authorization },
      });
      expect(hidden.statusCode).toBe(404);
    });

    it('judges a subject no registry holds by the county its identifier carries', async () => {
      const [home, other] = districts as [string, string];
      const idNumber = generateResidentId(createRng(99), {
        regionCode: home.slice(0, 6),
        birthDate: '1980-02-29',
        sex: 'female',
      });
      const registered = await t.db.query(`select 1 from registry_person where id_number = $1`, [idNumber]);
      expect(registered).toHaveLength(0);
      await insertCreditRecords(t.db, [
        {
          subjectKind: 'person',
          subjectKey: idNumber,
          kind: 'dishonest_debtor',
          title: '违反财产报告制度',
          authority: '示例市中级人民法院',
          decidedOn: '2024-03-01',
          validUntil: '2026-03-01',
          details: { caseNumber: '（2024）示01执9号' },
        },
      ]);
      const inside = await staffSession(t.app, t.db, ['approver'], { regionCodes: [home] });
      const outside = await staffSession(t.app, t.db, ['approver'], { regionCodes: [other] });
      const seen = await t.app.inject({
        url: url(idNumber),
        headers: { authorization: inside.authorization },
      });
      expect(seen.statusCode).toBe(200);
      expect(seen.json().subject).toEqual({ kind: 'person', key: idNumber, name: null });
      expect(seen.json().records).toEqual([
        expect.objectContaining({
          kind: 'dishonest_debtor',
          validUntil: '2026-03-01',
          details: { caseNumber: '（2024）示01执9号' },
        }),
      ]);
      const hidden = await t.app.inject({
        url: url(idNumber),
        headers: { authorization: outside.authorization },
      });
      expect(hidden.statusCode).toBe(404);
    });

    it('refuses rows the shape checks reject: abnormal operation of a resident, a malformed key', async () => {
      const person = personRecord();
      await expect(
        t.db.query(
          `insert into registry_credit (subject_kind, subject_key, kind, title, authority, decided_on)
           values ('person', $1, 'abnormal_operation', 'x', 'y', '2024-01-01')`,
          [person.subjectKey],
        ),
      ).rejects.toThrow(/registry_credit_abnormal_operation_check/);
      await expect(
        t.db.query(
          `insert into registry_credit (subject_kind, subject_key, kind, title, authority, decided_on)
           values ('enterprise', $1, 'honour', 'x', 'y', '2024-01-01')`,
          ['91110000O00000000A'],
        ),
      ).rejects.toThrow(/registry_credit_subject_key_check/);
    });
  });
});
