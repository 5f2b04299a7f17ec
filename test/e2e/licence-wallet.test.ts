import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { createEntry, createItem, publishItem } from '../../src/modules/catalog/index.ts';
import { transitionEntry } from '../../src/modules/catalog/service.ts';
import { canonicalJson } from '../../src/modules/licenses/canonical.ts';
import { issueLicences } from '../../src/modules/licenses/index.ts';
import { changeLicenceStatus, licenceIdentifier } from '../../src/modules/licenses/service.ts';
import { importPublicKey, verifyBytes, type SignatureAlgorithm } from '../../src/modules/licenses/signing.ts';
import { seed } from '../../src/seed/index.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { itemElements, publishParallelItem, type ParallelItem } from '../helpers/cases.ts';
import { personSession, staffSession, verifiedPersonSession } from '../helpers/identity.ts';

/**
 * The licence wallet (亮证/用证) end to end: holders list and read their licences, nobody
 * else sees them; authorisations for a department or a third party (token, single use,
 * expiry, revocation); every read attempt, allowed or denied, in the holder's "who looked
 * at my licence"; and applications filling 营业执照 / 结婚证 from the wallet.
 */
describe('licence wallet', () => {
  let t: TestApp;
  let item: ParallelItem;
  let enterprise: { uscc: string; name: string };
  /** The owner of the enterprise, acting for it. */
  let owner: string;
  /** A person with a verified real name, holder of a 结婚证. */
  let spouse: { accountId: string; authorization: string; idNumber: string; name: string };
  let stranger: string;
  let unverified: string;
  /** Staff of the lead department (the grantee) and of another department. */
  let leadStaff: string;
  let otherStaff: string;
  let otherDepartment: { id: number; name: string };
  let businessLicence: string;
  let marriageLicence: string;
  let divorceLicence: string;

  const call = (
    method: 'GET' | 'POST' | 'DELETE',
    url: string,
    authorization?: string,
    body?: object,
    headers: Record<string, string> = {},
  ): Promise<LightMyRequestResponse> =>
    t.app.inject({
      method,
      url,
      headers: { ...headers, ...(authorization && { authorization }) },
      ...(body !== undefined && { payload: body }),
    });
  const my = (id: string, rest = '') => `/api/v1/my/licenses/${encodeURIComponent(id)}${rest}`;
  const sharedUrl = (id: string) => `/api/v1/licenses/${encodeURIComponent(id)}/shared`;
  const readWithToken = (id: string, token?: string) =>
    call('GET', sharedUrl(id), undefined, undefined, token === undefined ? {} : { 'x-licence-token': token });
  const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();

  const expectRefused = (response: LightMyRequestResponse, reason: string) => {
    expect(response.statusCode, response.body).toBe(403);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    const problem = response.json();
    expect(problem).toMatchObject({ code: 'forbidden', reason });
    expect(problem.message).toMatch(/[\u4e00-\u9fff]/); // why, in Chinese
    expect(problem.detail).toMatch(/[a-z]/); // and in English
    return problem as Record<string, unknown>;
  };

  const accessRows = (licenceId: string) =>
    t.db.query<{ outcome: string; accessor: string; reason: string | null; authorisation_id: string | null }>(
      `select outcome, accessor, reason, authorisation_id from licence_access
        where licence_id = $1 and kind = 'read' order by id`,
      [licenceId],
    );

  const authoriseThirdParty = async (
    licenceId: string,
    authorization: string,
    extra: Record<string, unknown> = {},
  ) => {
    const response = await call('POST', my(licenceId, '/authorisations'), authorization, {
      granteeKind: 'third_party',
      granteeName: '某某银行股份有限公司',
      purpose: '开立对公账户',
      expiresAt: inDays(7),
      ...extra,
    });
    expect(response.statusCode, response.body).toBe(201);
    return response.json() as { id: string; token: string; shareUrl: string; state: string };
  };

  const verifiedPerson = async (resident: { idNumber: string; name: string }) => {
    const person = await verifiedPersonSession(t.app, t.db, resident);
    return { ...person, ...resident };
  };

  beforeAll(async () => {
    t = await createTestApp();
    await seed(t.db, 'small');
    item = await publishParallelItem(t.db, { audience: ['legal_person'] });
    otherDepartment = await t.db
      .query<{ id: number; name: string }>(`select id, name from organisation where id = $1`, [
        item.branches[1]!.organisationId,
      ])
      .then((rows) => rows[0]!);

    // An enterprise of the demo data, its legal representative acting for it as owner.
    const [e] = await t.db.query<{
      uscc: string;
      name: string;
      regionCode: string;
      repId: string;
      repName: string;
    }>(
      `select e.uscc, e.name, e.region_code as "regionCode", p.id_number as "repId", p.name as "repName"
         from registry_enterprise e join registry_person p on p.id_number = e.legal_representative_id
        where e.status in ('存续', '在业') order by e.uscc limit 1`,
    );
    enterprise = { uscc: e!.uscc, name: e!.name };
    const rep = await verifiedPerson({ idNumber: e!.repId, name: e!.repName });
    const [row] = await t.db.query<{ id: string }>(
      `insert into identity_enterprise (uscc, name, legal_representative_name, region_code, verified_at, created_by)
       values ($1, $2, $3, $4, now(), $5) returning id`,
      [e!.uscc, e!.name, e!.repName, e!.regionCode, rep.accountId],
    );
    const [member] = await t.db.query<{ id: string }>(
      `insert into identity_enterprise_member (enterprise_id, account_id, role, appointed_by)
       values ($1, $2, 'owner', $2) returning id`,
      [row!.id, rep.accountId],
    );
    owner = `Bearer ${(await t.app.identity.sessions.open(t.db, rep.accountId, 'bearer', { actingMemberId: member!.id })).token}`;

    const residents = await t.db.query<{ idNumber: string; name: string }>(
      `select p.id_number as "idNumber", p.name from registry_person p
        where not exists (select 1 from registry_enterprise e where e.legal_representative_id = p.id_number)
          and p.birth_date < date '2000-01-01'
        order by p.id_number limit 2`,
    );
    spouse = await verifiedPerson(residents[0]!);
    stranger = (await verifiedPerson(residents[1]!)).authorization;
    unverified = (await personSession(t.app, t.db, { assurance: 2 })).authorization;

    const department = (organisationId: number, role: 'approver' | 'window_clerk') =>
      staffSession(t.app, t.db, [role], {
        organisationId,
        regionCodes: [item.regionCode],
        organisationIds: [organisationId],
      });
    leadStaff = (await department(item.lead.id, 'approver')).authorization;
    otherStaff = (await department(otherDepartment.id, 'approver')).authorization;

    const [civilAffairs] = await t.db.query<{ id: number }>(
      `select id from organisation where kind = 'department' and short_name = '民政局' order by id limit 1`,
    );
    const issued = await issueLicences(
      t.app.licenses,
      [
        {
          type: '营业执照',
          organisationId: item.lead.id,
          holder: { kind: 'enterprise', name: enterprise.name, identifier: enterprise.uscc },
          face: { name: enterprise.name, creditCode: enterprise.uscc, businessScope: '日用百货销售' },
        },
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
        {
          type: '离婚证',
          organisationId: civilAffairs!.id,
          holder: { kind: 'person', name: spouse.name, identifier: spouse.idNumber },
          face: { name: spouse.name, idNumber: spouse.idNumber, registeredOn: '2020-01-02' },
        },
      ],
      'test',
    );
    [businessLicence, marriageLicence, divorceLicence] = issued.map((l) => l.id) as [string, string, string];
  }, 180_000);
  afterAll(() => t.drop());

  describe('the holder’s wallet', () => {
    it('lists a person’s licences and the acting enterprise’s, each only to its holder', async () => {
      const mine = await call('GET', '/api/v1/my/licenses', spouse.authorization);
      expect(mine.statusCode, mine.body).toBe(200);
      expect(mine.headers['cache-control']).toBe('no-store');
      const ids = (mine.json() as { id: string }[]).map((l) => l.id);
      expect(ids.sort()).toEqual([marriageLicence, divorceLicence].sort());
      expect(mine.json().find((l: { id: string }) => l.id === marriageLicence)).toMatchObject({
        typeName: '结婚证',
        holderName: spouse.name,
        status: 'valid',
        validUntil: null,
        issuerName: expect.stringContaining('民政局'),
        issueDate: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
      });

      const theirs = await call('GET', '/api/v1/my/licenses', owner);
      expect(theirs.statusCode, theirs.body).toBe(200);
      expect(theirs.json()).toEqual([expect.objectContaining({ id: businessLicence, typeName: '营业执照' })]);

      const strangers = await call('GET', '/api/v1/my/licenses', stranger);
      expect(strangers.json()).toEqual([]);
    });

    it('shows the holder the full face and the seal signature, which verifies', async () => {
      const response = await call('GET', my(marriageLicence), spouse.authorization);
      expect(response.statusCode, response.body).toBe(200);
      const body = response.json();
      expect(body.face).toContainEqual({ key: 'idNumber', label: '公民身份号码', value: spouse.idNumber });
      expect(body.data).toMatchObject({ id: marriageLicence, holder: { identifier: spouse.idNumber } });
      const [key] = await t.db.query<{ public_key: string }>(
        `select public_key from seal_key where key_id = $1`,
        [body.signature.keyId],
      );
      const algorithm = body.signature.algorithm as SignatureAlgorithm;
      const ok = verifyBytes(
        algorithm,
        importPublicKey(algorithm, key!.public_key),
        Buffer.from(canonicalJson(body.data), 'utf8'),
        Buffer.from(body.signature.value, 'base64'),
      );
      expect(ok).toBe(true);
    });

    it('answers 404 to anyone else, whether the licence exists or not, and 403 without a verified real name', async () => {
      for (const url of [
        my(marriageLicence),
        my(marriageLicence, '/authorisations'),
        my(marriageLicence, '/accesses'),
      ]) {
        const response = await call('GET', url, stranger);
        expect(response.statusCode, `${url}: ${response.body}`).toBe(404);
      }
      // The enterprise's owner acting for it is not the person holding the 结婚证, and vice versa.
      expect((await call('GET', my(marriageLicence), owner)).statusCode).toBe(404);
      expect((await call('GET', my(businessLicence), spouse.authorization)).statusCode).toBe(404);
      const attempt = await call('POST', my(marriageLicence, '/authorisations'), stranger, {
        granteeKind: 'third_party',
        granteeName: '某某银行',
        purpose: '开户',
        expiresAt: inDays(1),
      });
      expect(attempt.statusCode, attempt.body).toBe(404);

      const noIdentity = await call('GET', '/api/v1/my/licenses', unverified);
      expect(noIdentity.statusCode, noIdentity.body).toBe(403);
      expect(noIdentity.json().message).toMatch(/实名认证/);
      expect((await call('GET', '/api/v1/my/licenses', leadStaff)).statusCode).toBe(403);
      expect((await call('GET', my('not-an-identifier'), spouse.authorization)).statusCode).toBe(400);
    });

    it('refuses an authorisation with a bad purpose, a past or too distant end, or an unknown department (400)', async () => {
      const cases: [Record<string, unknown>, string][] = [
        [{ purpose: ' 开' }, 'purpose'],
        [{ expiresAt: new Date(Date.now() - 60_000).toISOString() }, 'expiresAt'],
        [{ expiresAt: inDays(400) }, 'expiresAt'],
        [
          { granteeKind: 'organisation', organisationId: 987_654_321, granteeName: undefined },
          'organisationId',
        ],
      ];
      for (const [change, field] of cases) {
        const response = await call('POST', my(marriageLicence, '/authorisations'), spouse.authorization, {
          granteeKind: 'third_party',
          granteeName: '某某银行',
          purpose: '开立账户',
          expiresAt: inDays(3),
          ...change,
        });
        expect(response.statusCode, response.body).toBe(400);
        expect(response.json().errors.map((e: { field: string }) => e.field)).toContain(field);
      }
      const [count] = await t.db.query<{ n: number }>(`select count(*)::int as n from licence_authorisation`);
      expect(count!.n).toBe(0);
    });
  });

  describe('a third party with a token', () => {
    let token: string;
    let authorisationId: string;

    it('gets the token once, stored only as its hash, with a share link for a QR code', async () => {
      const created = await authoriseThirdParty(marriageLicence, spouse.authorization);
      ({ token, id: authorisationId } = created);
      expect(token).toMatch(/^lsa_[A-Za-z0-9_-]{43}$/);
      expect(created.shareUrl).toMatch(new RegExp(`/licence-share#${token}$`));
      expect(created.state).toBe('active');
      const [stored] = await t.db.query<{ token_hash: string }>(
        `select token_hash from licence_authorisation where id = $1`,
        [authorisationId],
      );
      expect(stored!.token_hash).not.toContain(token);
      const listed = await call('GET', my(marriageLicence, '/authorisations'), spouse.authorization);
      expect(listed.json()).toEqual([expect.objectContaining({ id: authorisationId, state: 'active' })]);
      expect(listed.body).not.toContain(token);
    });

    it('reads the licence with a valid token (200), logged with its name and purpose', async () => {
      const response = await readWithToken(marriageLicence, token);
      expect(response.statusCode, response.body).toBe(200);
      expect(response.json()).toMatchObject({
        licenceId: marriageLicence,
        status: 'valid',
        sealValid: true,
        licence: { id: marriageLicence, holder: { name: spouse.name, identifier: spouse.idNumber } },
        authorisation: { id: authorisationId, purpose: '开立对公账户', singleUse: false },
      });
      expect((await accessRows(marriageLicence)).at(-1)).toEqual({
        outcome: 'allowed',
        accessor: '某某银行股份有限公司',
        reason: null,
        authorisation_id: authorisationId,
      });
    });

    it('refuses without a token, with a wrong one and with another licence’s (403), logging each attempt', async () => {
      const before = (await accessRows(marriageLicence)).length;
      expectRefused(await readWithToken(marriageLicence), 'no_authorisation');
      expectRefused(await readWithToken(marriageLicence, `lsa_${'A'.repeat(43)}`), 'no_authorisation');
      expectRefused(await readWithToken(marriageLicence, 'garbage'), 'no_authorisation');
      const other = await authoriseThirdParty(businessLicence, owner);
      expectRefused(await readWithToken(marriageLicence, other.token), 'another_licence');
      // A person's session is no authorisation either.
      expectRefused(await call('GET', sharedUrl(marriageLicence), stranger), 'no_authorisation');
      const rows = (await accessRows(marriageLicence)).slice(before);
      expect(rows.map((r) => [r.outcome, r.reason])).toEqual([
        ['denied', 'no_authorisation'],
        ['denied', 'no_authorisation'],
        ['denied', 'no_authorisation'],
        ['denied', 'another_licence'],
        ['denied', 'no_authorisation'],
      ]);
      // Nothing of the other holder's authorisation leaks into this licence's log.
      expect(rows.every((r) => r.authorisation_id === null && r.accessor === '未经授权的第三方')).toBe(true);
    });

    it('refuses an expired authorisation (403), logged', async () => {
      const expiring = await authoriseThirdParty(marriageLicence, spouse.authorization);
      expect((await readWithToken(marriageLicence, expiring.token)).statusCode).toBe(200);
      await t.db.query(
        `update licence_authorisation set expires_at = now() - interval '1 second' where id = $1`,
        [expiring.id],
      );
      expectRefused(await readWithToken(marriageLicence, expiring.token), 'expired');
      expect((await accessRows(marriageLicence)).at(-1)).toMatchObject({
        outcome: 'denied',
        reason: 'expired',
        authorisation_id: expiring.id,
      });
    });

    it('refuses once the holder revokes it (403); revoking again changes nothing (200)', async () => {
      const revoked = await call(
        'DELETE',
        my(marriageLicence, `/authorisations/${authorisationId}`),
        spouse.authorization,
      );
      expect(revoked.statusCode, revoked.body).toBe(200);
      expect(revoked.json()).toMatchObject({ id: authorisationId, state: 'revoked' });
      const again = await call(
        'DELETE',
        my(marriageLicence, `/authorisations/${authorisationId}`),
        spouse.authorization,
      );
      expect(again.statusCode, again.body).toBe(200);
      expect(again.json().revokedAt).toBe(revoked.json().revokedAt);
      // Only the holder revokes, and only an authorisation of that licence.
      const foreign = await call(
        'DELETE',
        my(marriageLicence, `/authorisations/${authorisationId}`),
        stranger,
      );
      expect(foreign.statusCode).toBe(404);
      const wrongLicence = await call(
        'DELETE',
        my(divorceLicence, `/authorisations/${authorisationId}`),
        spouse.authorization,
      );
      expect(wrongLicence.statusCode).toBe(404);

      expectRefused(await readWithToken(marriageLicence, token), 'revoked');
      expect((await accessRows(marriageLicence)).at(-1)).toMatchObject({
        outcome: 'denied',
        reason: 'revoked',
      });
    });

    it('lets a single-use token through once; of two concurrent reads exactly one gets it', async () => {
      const once = await authoriseThirdParty(marriageLicence, spouse.authorization, { singleUse: true });
      expect((await readWithToken(marriageLicence, once.token)).statusCode).toBe(200);
      expectRefused(await readWithToken(marriageLicence, once.token), 'used');

      const race = await authoriseThirdParty(marriageLicence, spouse.authorization, { singleUse: true });
      const responses = await Promise.all([
        readWithToken(marriageLicence, race.token),
        readWithToken(marriageLicence, race.token),
      ]);
      expect(responses.map((r) => r.statusCode).sort()).toEqual([200, 403]);
      const raceRows = (await accessRows(marriageLicence)).filter((r) => r.authorisation_id === race.id);
      expect(raceRows.map((r) => r.outcome).sort()).toEqual(['allowed', 'denied']);
      const listed = await call('GET', my(marriageLicence, '/authorisations'), spouse.authorization);
      expect(listed.json().find((a: { id: string }) => a.id === race.id)).toMatchObject({ state: 'used' });
    });

    it('logs an attempt at an identifier no licence has (403, never 404), and refuses a malformed one (400)', async () => {
      const [row] = await t.db.query<{ series: string }>(`select series from licence where id = $1`, [
        marriageLicence,
      ]);
      const unknown = licenceIdentifier(row!.series, 99);
      expectRefused(await readWithToken(unknown, token), 'another_licence');
      expectRefused(await readWithToken(unknown), 'no_authorisation');
      expect(await accessRows(unknown)).toHaveLength(2);
      expect((await readWithToken('1.2.3', token)).statusCode).toBe(400);
    });
  });

  describe('a department', () => {
    it('reads with a staff session once authorised (200); another department is refused (403), both logged', async () => {
      const before = await call('GET', sharedUrl(businessLicence), leadStaff);
      expectRefused(before, 'no_authorisation');

      const created = await call('POST', my(businessLicence, '/authorisations'), owner, {
        granteeKind: 'organisation',
        organisationId: item.lead.id,
        purpose: '核查经营主体资格',
        expiresAt: inDays(30),
      });
      expect(created.statusCode, created.body).toBe(201);
      expect(created.json()).toMatchObject({
        granteeKind: 'organisation',
        organisationId: item.lead.id,
        granteeName: item.lead.name,
        token: null,
        shareUrl: null,
      });

      const read = await call('GET', sharedUrl(businessLicence), leadStaff);
      expect(read.statusCode, read.body).toBe(200);
      expect(read.json()).toMatchObject({ licence: { holder: { identifier: enterprise.uscc } } });
      expectRefused(await call('GET', sharedUrl(businessLicence), otherStaff), 'no_authorisation');

      const rows = (await accessRows(businessLicence)).slice(-3);
      expect(rows.map((r) => [r.outcome, r.accessor])).toEqual([
        ['denied', item.lead.name],
        ['allowed', item.lead.name],
        ['denied', otherDepartment.name],
      ]);
    });
  });

  describe('a licence that is no longer valid', () => {
    it('refuses reads through a valid authorisation (403 naming the status) and new authorisations (409)', async () => {
      const created = await authoriseThirdParty(divorceLicence, spouse.authorization);
      expect((await readWithToken(divorceLicence, created.token)).statusCode).toBe(200);
      await changeLicenceStatus(t.app.licenses, divorceLicence, 'revoke', '登记错误，依法撤销');
      const problem = expectRefused(await readWithToken(divorceLicence, created.token), 'licence_status');
      expect(problem.licenceStatus).toBe('revoked');
      expect(problem.message).toMatch(/已注销/);
      expect((await accessRows(divorceLicence)).at(-1)).toMatchObject({
        outcome: 'denied',
        reason: 'licence_revoked',
        authorisation_id: created.id,
      });
      const refused = await call('POST', my(divorceLicence, '/authorisations'), spouse.authorization, {
        granteeKind: 'third_party',
        granteeName: '某某银行',
        purpose: '开立账户',
        expiresAt: inDays(3),
      });
      expect(refused.statusCode, refused.body).toBe(409);
      const listed = await call('GET', '/api/v1/my/licenses', spouse.authorization);
      expect(listed.json().find((l: { id: string }) => l.id === divorceLicence)).toMatchObject({
        status: 'revoked',
      });
    });
  });

  describe('who looked at my licence', () => {
    it('shows the holder every verification, read and download, allowed or denied, newest first', async () => {
      const verified = await call(
        'GET',
        `/api/v1/licenses/${encodeURIComponent(marriageLicence)}/verification`,
      );
      expect(verified.statusCode, verified.body).toBe(200);
      const response = await call('GET', my(marriageLicence, '/accesses'), spouse.authorization);
      expect(response.statusCode, response.body).toBe(200);
      const { items, total } = response.json() as {
        items: {
          id: number;
          at: string;
          kind: string;
          outcome: string;
          accessor: string;
          reason: string | null;
          reasonText: string | null;
          purpose: string | null;
        }[];
        total: number;
      };
      const [count] = await t.db.query<{ n: number }>(
        `select count(*)::int as n from licence_access where licence_id = $1`,
        [marriageLicence],
      );
      expect(total).toBe(count!.n);
      expect(items).toHaveLength(total);
      expect(items[0]).toMatchObject({ kind: 'verification', outcome: 'allowed', accessor: '公众核验' });
      // Newest first by time (two concurrent reads may commit in the other order than they began).
      const times = items.map((i) => Date.parse(i.at));
      expect(times).toEqual([...times].sort((a, b) => b - a));
      expect(items).toContainEqual(
        expect.objectContaining({
          kind: 'read',
          outcome: 'allowed',
          accessor: '某某银行股份有限公司',
          purpose: '开立对公账户',
        }),
      );
      const reasons = new Set(items.filter((i) => i.outcome === 'denied').map((i) => i.reason));
      expect([...reasons].sort()).toEqual([
        'another_licence',
        'expired',
        'no_authorisation',
        'revoked',
        'used',
      ]);
      expect(items.find((i) => i.reason === 'revoked')!.reasonText).toMatch(/撤销/);

      const paged = await call('GET', my(marriageLicence, '/accesses?page=2&size=2'), spouse.authorization);
      expect(paged.json()).toMatchObject({ total, page: 2, size: 2, items: items.slice(2, 4) });
    });
  });

  describe('applications reuse held licences (免提交)', () => {
    const actor = { actor: 'test' };

    it('fills 营业执照 from the enterprise’s wallet, read through an authorisation for the implementing body', async () => {
      const response = await call('POST', '/api/v1/applications', owner, {
        itemCode: item.itemCode,
        regionCode: item.regionCode,
      });
      expect(response.statusCode, response.body).toBe(201);
      const body = response.json();
      expect(body.filled).toContain('营业执照');
      const material = body.materials.find((m: { name: string }) => m.name === '营业执照');
      expect(material).toMatchObject({
        status: 'provided',
        exempt: true,
        provided: {
          source: 'licence',
          record: {
            registry: 'licence',
            key: businessLicence,
            data: {
              name: enterprise.name,
              creditCode: enterprise.uscc,
              holderName: enterprise.name,
              validUntil: null,
            },
            authorisationId: expect.any(String),
          },
        },
      });
      const authorisationId = material.provided.record.authorisationId as string;
      const [authorisation] = await t.db.query<{
        grantee_organisation_id: number;
        purpose: string;
        licence_id: string;
      }>(`select grantee_organisation_id, purpose, licence_id from licence_authorisation where id = $1`, [
        authorisationId,
      ]);
      expect(authorisation).toEqual({
        grantee_organisation_id: item.lead.id,
        purpose: `办理申请 ${body.id}`,
        licence_id: businessLicence,
      });
      const log = await call('GET', my(businessLicence, '/accesses'), owner);
      expect(log.json().items[0]).toMatchObject({
        kind: 'read',
        outcome: 'allowed',
        accessor: item.lead.name,
        purpose: `办理申请 ${body.id}`,
        authorisationId,
      });
    });

    it('fills 结婚证 from a person’s wallet with ID numbers masked, and leaves it to be supplied for someone without one', async () => {
      const elements = itemElements({ audience: ['natural_person'] });
      const created = await createItem(
        t.db,
        {
          ...elements,
          materials: [
            {
              name: '结婚证',
              source: 'government',
              form: 'either',
              copies: 1,
              required: true,
              tolerated: false,
            },
            {
              name: '申请书',
              source: 'applicant',
              form: 'either',
              copies: 1,
              required: true,
              tolerated: false,
            },
          ],
        },
        actor,
      );
      await publishItem(t.db, created.code, actor);
      const [lead] = await t.db.query<{ uscc: string; region_name: string }>(
        `select o.uscc, r.full_name as region_name from organisation o join region r on r.code = o.region_code where o.id = $1`,
        [item.lead.id],
      );
      const entry = await createEntry(
        t.db,
        {
          itemCode: created.code,
          organisation: { id: item.lead.id, name: item.lead.name, uscc: lead!.uscc },
          region: { code: item.regionCode, name: lead!.region_name },
        },
        {},
        actor,
      );
      await transitionEntry(t.db, entry.code, 'submit', actor);
      await transitionEntry(t.db, entry.code, 'publish', actor);

      const before = (await accessRows(marriageLicence)).length;
      const response = await call('POST', '/api/v1/applications', spouse.authorization, {
        itemCode: created.code,
        regionCode: item.regionCode,
      });
      expect(response.statusCode, response.body).toBe(201);
      const body = response.json();
      expect(body.filled).toEqual(['结婚证']);
      const material = body.materials.find((m: { name: string }) => m.name === '结婚证');
      expect(material).toMatchObject({
        exempt: true,
        provided: {
          source: 'licence',
          record: { registry: 'licence', key: marriageLicence, data: { spouseName: '王某某' } },
        },
      });
      expect(material.provided.record.data.idNumber).toMatch(/\*/);
      expect(response.body).not.toContain(spouse.idNumber);
      const [stored] = await t.db.query<{ record: { data: { idNumber: string } } }>(
        `select record from application_material where application_id = $1 and name = '结婚证'`,
        [body.id],
      );
      expect(stored!.record.data.idNumber).toBe(spouse.idNumber);
      const rows = (await accessRows(marriageLicence)).slice(before);
      expect(rows).toEqual([expect.objectContaining({ outcome: 'allowed', accessor: item.lead.name })]);

      // Filling again keeps the licence already read: no second authorisation, no second read.
      const refill = await call(
        'POST',
        `/api/v1/applications/${body.id}/materials/fill`,
        spouse.authorization,
      );
      expect(refill.statusCode, refill.body).toBe(200);
      expect((await accessRows(marriageLicence)).slice(before)).toHaveLength(1);

      const other = await call('POST', '/api/v1/applications', stranger, {
        itemCode: created.code,
        regionCode: item.regionCode,
      });
      expect(other.statusCode, other.body).toBe(201);
      expect(other.json().filled).toEqual([]);
      expect(other.json().materials.find((m: { name: string }) => m.name === '结婚证')).toMatchObject({
        status: 'to_be_supplied',
      });
    });
  });
});
