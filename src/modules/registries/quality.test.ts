import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maskIdNumber, maskName, maskUscc } from '../../kernel/crypto.ts';
import { createRng, generateResidentId } from '../../kernel/identifiers/index.ts';
import { createTestApp, type TestApp } from '../../../test/helpers/app.ts';
import { seedDemoDirectory } from '../directory/index.ts';
import { qualityReport, seedDemoRegistries, type QualityReport } from './index.ts';

/** The same identifier with its last character (the check digit) changed. */
const wrongCheckDigit = (key: string) => key.slice(0, 17) + (key[17] === '0' ? '1' : '0');

describe('data-quality reports', () => {
  let t: TestApp;
  let clean: Record<'population' | 'legal_entity' | 'credit', QualityReport>;
  let person: { idNumber: string; name: string; sex: string; birthDate: string; regionCode: string };

  beforeAll(async () => {
    t = await createTestApp();
    const { communities } = await seedDemoDirectory(t.db, { scale: 'small' });
    await seedDemoRegistries(t.db, { scale: 'small', regionCodes: communities });
    clean = {
      population: await qualityReport(t.db, 'population'),
      legal_entity: await qualityReport(t.db, 'legal_entity'),
      credit: await qualityReport(t.db, 'credit'),
    };
    const [first] = await t.db.query<typeof person>(
      `select id_number as "idNumber", name, sex, birth_date as "birthDate", region_code as "regionCode"
         from registry_person where phone is not null order by id_number limit 1`,
    );
    person = first!;
  });
  afterAll(async () => {
    await t.drop();
  });

  const completenessOf = (report: QualityReport, field: string) =>
    report.completeness.find((c) => c.field === field)!;

  it('finds nothing wrong with fresh demo data and counts every row', () => {
    expect(clean.population.totalRows).toBe(200);
    expect(clean.legal_entity.totalRows).toBe(50);
    expect(clean.credit.totalRows).toBe(40);
    for (const report of Object.values(clean)) {
      expect(report.invalidIdentifiers).toEqual({ count: 0, byRule: {}, samples: [] });
      expect(report.stale.count).toBe(0);
      expect(report.stale.staleAfterDays).toBe(365);
    }
    expect(clean.legal_entity.duplicates).toMatchObject({ on: ['name'], groups: 0, rows: 0 });
    expect(clean.credit.duplicates).toMatchObject({ groups: 0, rows: 0 });
    expect(completenessOf(clean.population, 'idNumber')).toEqual({
      field: 'idNumber',
      filled: 200,
      share: 1,
    });
    // Children have no phone; 个体工商户 no registered capital.
    expect(completenessOf(clean.population, 'phone').share).toBeLessThan(1);
    expect(completenessOf(clean.legal_entity, 'registeredCapitalCny').share).toBeLessThan(1);
    expect(completenessOf(clean.legal_entity, 'legalRepresentativeId').share).toBe(1);
  });

  it('reports an ID number whose check digit is wrong, masked, across pages of the scan', async () => {
    const bad = wrongCheckDigit(
      generateResidentId(createRng(41), {
        regionCode: person.regionCode.slice(0, 6),
        birthDate: '1990-05-17',
      }),
    );
    await t.db.query(
      `insert into registry_person (id_number, name, sex, birth_date, region_code) values ($1, '错号', 'M', '1990-05-17', $2)`,
      [bad, person.regionCode],
    );
    for (const pageSize of [10_000, 7, 1]) {
      const report = await qualityReport(t.db, 'population', { pageSize });
      expect(report.totalRows).toBe(201);
      expect(report.invalidIdentifiers.count, `pageSize ${pageSize}`).toBe(1);
      expect(report.invalidIdentifiers.byRule).toEqual({ checkDigit: 1 });
      expect(report.invalidIdentifiers.samples).toEqual([
        { key: maskIdNumber(bad), rule: 'checkDigit', messageEn: expect.any(String) },
      ]);
    }
    await t.db.query(`delete from registry_person where id_number = $1`, [bad]);
  });

  it('reports a duplicate resident (same name, birth date and region) with both keys masked', async () => {
    const twin = generateResidentId(createRng(42), {
      regionCode: person.regionCode.slice(0, 6),
      birthDate: person.birthDate,
      sex: person.sex === 'M' ? 'male' : 'female',
    });
    await t.db.query(
      `insert into registry_person (id_number, name, sex, birth_date, region_code) values ($1, $2, $3, $4, $5)`,
      [twin, person.name, person.sex, person.birthDate, person.regionCode],
    );
    const report = await qualityReport(t.db, 'population', { sampleSize: 100 });
    expect(report.duplicates.on).toEqual(['name', 'birthDate', 'regionCode']);
    expect(report.duplicates.groups).toBe(clean.population.duplicates.groups + 1);
    expect(report.duplicates.rows).toBe(clean.population.duplicates.rows + 2);
    const group = report.duplicates.samples.find((s) => s.keys.includes(maskIdNumber(twin)));
    expect(group).toEqual({
      values: { name: maskName(person.name), birthDate: person.birthDate, regionCode: person.regionCode },
      count: 2,
      keys: [person.idNumber, twin].sort().map(maskIdNumber),
    });
    await t.db.query(`delete from registry_person where id_number = $1`, [twin]);
  });

  it('reports a record not updated for two years as stale; an update without updated_at refreshes it', async () => {
    await t.db.query(
      `update registry_person set updated_at = now() - interval '2 years' where id_number = $1`,
      [person.idNumber],
    );
    const report = await qualityReport(t.db, 'population');
    expect(report.stale.count).toBe(1);
    expect(report.stale.samples).toEqual([
      { key: maskIdNumber(person.idNumber), updatedAt: expect.any(String) },
    ]);
    const age = Date.parse(report.generatedAt) - Date.parse(report.stale.samples[0]!.updatedAt);
    expect(age / 86_400_000).toBeGreaterThan(700);
    expect(Date.parse(report.stale.updatedBefore)).toBe(Date.parse(report.generatedAt) - 365 * 86_400_000);
    expect((await qualityReport(t.db, 'population', { staleAfterDays: 1000 })).stale.count).toBe(0);

    // The trigger keeps updated_at current for writers that do not set it.
    await t.db.query(`update registry_person set phone = phone where id_number = $1`, [person.idNumber]);
    expect((await qualityReport(t.db, 'population')).stale.count).toBe(0);
  });

  it('reports completeness below 1 for a field nulled out, and counts a blank value as missing', async () => {
    const [enterprise] = await t.db.query<{ uscc: string; id: string }>(
      `select uscc, legal_representative_id as id from registry_enterprise order by uscc limit 1`,
    );
    await t.db.query(`update registry_enterprise set legal_representative_id = null where uscc = $1`, [
      enterprise!.uscc,
    ]);
    const entities = await qualityReport(t.db, 'legal_entity');
    expect(completenessOf(entities, 'legalRepresentativeId')).toEqual({
      field: 'legalRepresentativeId',
      filled: 49,
      share: 49 / 50,
    });
    await t.db.query(`update registry_enterprise set legal_representative_id = $2 where uscc = $1`, [
      enterprise!.uscc,
      enterprise!.id,
    ]);

    await t.db.query(`update registry_person set phone = '  ' where id_number = $1`, [person.idNumber]);
    const population = await qualityReport(t.db, 'population');
    expect(completenessOf(population, 'phone').filled).toBe(
      completenessOf(clean.population, 'phone').filled - 1,
    );
  });

  it('reports duplicate and invalid credit records: record ids of the group, the subject masked', async () => {
    const [original] = await t.db.query<{
      id: number;
      subjectKey: string;
      kind: string;
      subjectKind: string;
    }>(
      `select id, subject_key as "subjectKey", kind, subject_kind as "subjectKind" from registry_credit
        where subject_kind = 'enterprise' order by id limit 1`,
    );
    const [copy] = await t.db.query<{ id: number }>(
      `insert into registry_credit (subject_kind, subject_key, kind, title, authority, decided_on, details)
       select subject_kind, subject_key, kind, title, authority, decided_on, details from registry_credit where id = $1
       returning id`,
      [original!.id],
    );
    const bad = wrongCheckDigit(original!.subjectKey);
    await t.db.query(
      `insert into registry_credit (subject_kind, subject_key, kind, title, authority, decided_on)
       values ('enterprise', $1, 'honour', '纳税信用A级纳税人', '示例市税务局', '2024-04-01')`,
      [bad],
    );
    const report = await qualityReport(t.db, 'credit');
    expect(report.totalRows).toBe(42);
    expect(report.duplicates.groups).toBe(1);
    expect(report.duplicates.rows).toBe(2);
    expect(report.duplicates.samples).toEqual([
      {
        values: expect.objectContaining({ subjectKey: maskUscc(original!.subjectKey), kind: original!.kind }),
        count: 2,
        keys: [String(original!.id), String(copy!.id)],
      },
    ]);
    expect(report.invalidIdentifiers).toEqual({
      count: 1,
      byRule: { checkDigit: 1 },
      samples: [{ key: maskUscc(bad), rule: 'checkDigit', messageEn: expect.any(String) }],
    });
    // Demo records all carry details; the inserted one has none.
    expect(completenessOf(report, 'details').filled).toBe(41);
    expect(completenessOf(report, 'validUntil').share).toBeLessThan(1);
  });

  describe('GET /api/v1/registries/quality/:resource', () => {
    it('answers 401 without a session and 403 without registry.read', async () => {
      const url = '/api/v1/registries/quality/population';
      expect((await t.app.inject(url)).statusCode).toBe(401);
      for (const role of ['citizen', 'catalog_admin'] as const) {
        const res = await t.app.inject({ url, headers: { authorization: await t.bearer(role) } });
        expect(res.statusCode, role).toBe(403);
      }
    });

    it('returns the report with its options, and 400 for an unknown resource or a bad option', async () => {
      const headers = { authorization: await t.bearer('system_admin') };
      const res = await t.app.inject({
        url: '/api/v1/registries/quality/legal_entity?staleAfterDays=30&sampleSize=2',
        headers,
      });
      expect(res.statusCode).toBe(200);
      expect(res.headers['cache-control']).toBe('no-store');
      const body = res.json<QualityReport>();
      expect(body.resource).toBe('legal_entity');
      expect(body.totalRows).toBe(50);
      expect(body.stale.staleAfterDays).toBe(30);
      expect(body.completeness.map((c) => c.field)).toContain('uscc');
      // The same report as the function gives, but for the time it was made.
      const timeless = (r: QualityReport) => ({
        ...r,
        generatedAt: '',
        stale: { ...r.stale, updatedBefore: '' },
      });
      const direct = await qualityReport(t.db, 'legal_entity', { staleAfterDays: 30, sampleSize: 2 });
      expect(timeless(body)).toEqual(timeless(direct));

      const unknown = await t.app.inject({ url: '/api/v1/registries/quality/weather', headers });
      expect(unknown.statusCode).toBe(400);
      const badOption = await t.app.inject({
        url: '/api/v1/registries/quality/credit?sampleSize=1000',
        headers,
      });
      expect(badOption.statusCode).toBe(400);
    });
  });
});
