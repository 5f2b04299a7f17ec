import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueLicences } from '../../src/modules/licenses/index.ts';
import { seed } from '../../src/seed/index.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { personSession, verifiedPersonSession } from '../helpers/identity.ts';

/**
 * The guide page's 免提交 marks: which materials of an item the caller would not have to
 * submit (GET /api/v1/applications/exemptions), decided as applying decides it.
 */
describe('material exemptions for a guide', () => {
  let t: TestApp;
  /** A verified resident holding a 结婚证. */
  let married: string;
  /** A verified resident without licences. */
  let verified: string;
  /** Signed in with a phone only. */
  let unverified: string;
  /** 内地居民离婚登记: 居民身份证, 户口簿, 结婚证 (government), 离婚协议书 (applicant). */
  const DIVORCE = '0700000204';
  const url = (item: string) => `/api/v1/applications/exemptions?item=${item}`;
  const exemptions = async (authorization: string, item = DIVORCE) => {
    const res = await t.app.inject({ url: url(item), headers: { authorization } });
    expect(res.statusCode, res.body).toBe(200);
    return Object.fromEntries(
      (res.json().items as { name: string; from: string | null }[]).map((m) => [m.name, m.from]),
    );
  };

  beforeAll(async () => {
    t = await createTestApp();
    await seed(t.db, 'small');
    const residents = await t.db.query<{ idNumber: string; name: string }>(
      `select p.id_number as "idNumber", p.name from registry_person p
        where p.birth_date < date '2000-01-01' order by p.id_number limit 2`,
    );
    married = (await verifiedPersonSession(t.app, t.db, residents[0]!)).authorization;
    verified = (await verifiedPersonSession(t.app, t.db, residents[1]!)).authorization;
    unverified = (await personSession(t.app, t.db)).authorization;
    const [civilAffairs] = await t.db.query<{ id: number }>(
      `select id from organisation where kind = 'department' and short_name = '民政局' order by id limit 1`,
    );
    const spouse = residents[0]!;
    await issueLicences(
      t.app.licenses,
      [
        {
          type: '结婚证',
          organisationId: civilAffairs!.id,
          holder: { kind: 'person', name: spouse.name, identifier: spouse.idNumber },
          face: {
            name: spouse.name,
            idNumber: spouse.idNumber,
            registeredOn: '2024-05-20',
            spouseName: '王某某',
          },
        },
      ],
      'test',
    );
  }, 180_000);
  afterAll(() => t.drop());

  it('marks a held licence and the population records as 免提交 for a verified resident', async () => {
    expect(await exemptions(married)).toEqual({
      居民身份证: 'population',
      户口簿: 'population',
      结婚证: 'licence',
      双方共同签署的离婚协议书: null,
    });
  });

  it('asks for a licence the resident does not hold', async () => {
    const marks = await exemptions(verified);
    expect(marks.结婚证).toBeNull();
    expect(marks.居民身份证).toBe('population');
  });

  it('exempts nothing before the real name is verified', async () => {
    expect(Object.values(await exemptions(unverified))).toEqual([null, null, null, null]);
  });

  it('needs a signed-in person (401) and a published item (404)', async () => {
    expect((await t.app.inject({ url: url(DIVORCE) })).statusCode).toBe(401);
    const unknown = await t.app.inject({ url: url('9999999999'), headers: { authorization: married } });
    expect(unknown.statusCode).toBe(404);
  });
});
