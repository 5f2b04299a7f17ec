import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkIdentifier } from '../../src/kernel/identifiers/index.ts';
import { seed } from '../../src/seed/index.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { personSession, verifiedPersonSession } from '../helpers/identity.ts';

/**
 * Legal persons end to end: the legal representative binds the enterprise, appoints an
 * administrator, who appoints an agent for one item until an expiry; the agent switches
 * to acting for the enterprise, may apply for that item and no other, and stops acting at
 * once when the mandate expires or is revoked. Every refused request changes nothing.
 */
describe('enterprises, administrators and agents', () => {
  let t: TestApp;
  let active: { uscc: string; repId: string; repName: string };
  let other: { uscc: string; repId: string; repName: string };
  let itemX: string;
  let itemY: string;

  interface Caller {
    accountId: string;
    phone: string;
    authorization: string;
  }

  /** A person whose verified real name and ID number are those given (as after 实名认证). */
  const verifiedPerson = async (idNumber?: string, name = '测试用户'): Promise<Caller> => {
    return verifiedPersonSession(t.app, t.db, { name, idNumber: idNumber ?? null });
  };

  const call = (
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    url: string,
    caller?: Caller | string,
    body?: object,
  ) =>
    t.app.inject({
      method,
      url,
      headers: caller ? { authorization: typeof caller === 'string' ? caller : caller.authorization } : {},
      ...(body !== undefined && { payload: body }),
    });

  /** Rows the identity of enterprises consists of; a refused request must leave them as they are. */
  const state = async () =>
    (
      await t.db.query<Record<string, number>>(
        `select (select count(*)::int from identity_enterprise) as enterprises,
                (select count(*)::int from identity_enterprise_member) as members,
                (select count(*)::int from identity_enterprise_member where revoked_at is null) as live,
                (select count(*)::int from identity_session where revoked_at is null) as sessions`,
      )
    )[0]!;

  const expectRefused = async (
    response: Awaited<ReturnType<typeof call>>,
    status: number,
    before: Record<string, number>,
  ) => {
    expect(response.statusCode, response.body).toBe(status);
    expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(await state()).toEqual(before);
    return response.json() as { code: string; errors?: { field: string; rule: string }[] };
  };

  const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();

  beforeAll(async () => {
    t = await createTestApp();
    await seed(t.db, 'small');
    const reps = await t.db.query<{ uscc: string; repId: string; repName: string }>(
      `select e.uscc, e.legal_representative_id as "repId", p.name as "repName"
         from registry_enterprise e join registry_person p on p.id_number = e.legal_representative_id
        where e.status in ('存续', '在业') order by e.uscc limit 2`,
    );
    expect(reps).toHaveLength(2);
    [active, other] = [reps[0]!, reps[1]!];
    const items = await t.db.query<{ code: string }>('select code from catalog_item order by code limit 2');
    [itemX, itemY] = [items[0]!.code, items[1]!.code];
  }, 120_000);
  afterAll(() => t.drop());

  let owner: Caller;
  /** The legal representative of the other enterprise, a stranger to the first one. */
  let otherRep: Caller;
  let admin: Caller;
  let agent: Caller;
  let enterpriseId: string;
  let adminMemberId: string;
  let agentMemberId: string;

  describe('binding an enterprise', () => {
    it('refuses anonymous callers (401) and persons without a verified real name (403)', async () => {
      const before = await state();
      await expectRefused(
        await call('POST', '/api/v1/identity/enterprises', undefined, { uscc: active.uscc }),
        401,
        before,
      );
      const phoneOnly = await personSession(t.app, t.db, { assurance: 1 });
      await expectRefused(
        await call('POST', '/api/v1/identity/enterprises', phoneOnly, { uscc: active.uscc }),
        403,
        await state(),
      );
    });

    it('refuses an invalid credit code with a 400 naming the field and the check-digit rule, and audits it', async () => {
      owner = await verifiedPerson(active.repId, active.repName);
      const last = active.uscc.at(-1) === '0' ? '1' : '0';
      const forged = active.uscc.slice(0, 17) + last;
      expect(checkIdentifier('uscc', forged).ok).toBe(false);
      const before = await state();
      const problem = await expectRefused(
        await call('POST', '/api/v1/identity/enterprises', owner, { uscc: forged }),
        400,
        before,
      );
      expect(problem.errors).toEqual([expect.objectContaining({ field: 'uscc', rule: 'checkDigit' })]);
      const [refusal] = await t.db.query<{ actor: string }>(
        `select actor from audit_log where action = 'identity.enterprise.bind.refused' and entity_id = $1`,
        [forged],
      );
      expect(refusal?.actor).toBe(owner.accountId);
    });

    it('refuses a person who is not the legal representative (403)', async () => {
      otherRep = await verifiedPerson(other.repId, other.repName);
      const before = await state();
      await expectRefused(
        await call('POST', '/api/v1/identity/enterprises', otherRep, { uscc: active.uscc }),
        403,
        before,
      );
    });

    it('refuses an entity deregistered in the registry (422)', async () => {
      await t.db.query(`update registry_enterprise set status = '注销' where uscc = $1`, [other.uscc]);
      const before = await state();
      const problem = await expectRefused(
        await call('POST', '/api/v1/identity/enterprises', otherRep, { uscc: other.uscc }),
        422,
        before,
      );
      expect(problem).toMatchObject({ code: 'unprocessable', registryStatus: '注销' });
      await t.db.query(`update registry_enterprise set status = '存续' where uscc = $1`, [other.uscc]);
    });

    it('binds the enterprise for its legal representative, who becomes its owner', async () => {
      const response = await call('POST', '/api/v1/identity/enterprises', owner, { uscc: active.uscc });
      expect(response.statusCode, response.body).toBe(201);
      const body = response.json();
      enterpriseId = body.id;
      expect(body).toMatchObject({
        uscc: active.uscc,
        legalRepresentativeName: active.repName,
        status: 'active',
        mandate: { role: 'owner', itemCodes: null, expiresAt: null },
      });
      expect(body.members).toEqual([
        expect.objectContaining({ accountId: owner.accountId, role: 'owner', name: active.repName }),
      ]);
      expect(body.members[0].phone).toMatch(/^\d{3}\*{4}\d{4}$/);
      expect(response.body).not.toContain(active.repId);
      const [row] = await t.db.query<{ on_behalf_of: string; actor: string }>(
        `select actor, on_behalf_of from audit_log where action = 'identity.enterprise.bind' and entity_id = $1`,
        [enterpriseId],
      );
      expect(row).toEqual({ actor: owner.accountId, on_behalf_of: `enterprise:${active.uscc}` });
    });

    it('refuses to bind the same enterprise twice (409)', async () => {
      const before = await state();
      await expectRefused(
        await call('POST', '/api/v1/identity/enterprises', owner, { uscc: active.uscc }),
        409,
        before,
      );
    });
  });

  describe('appointing administrators and agents', () => {
    it('lets the owner appoint an administrator named by phone and verified name', async () => {
      admin = await verifiedPerson(undefined, '王管理');
      const response = await call('POST', `/api/v1/identity/enterprises/${enterpriseId}/members`, owner, {
        phone: admin.phone,
        name: '王管理',
        role: 'admin',
      });
      expect(response.statusCode, response.body).toBe(201);
      expect(response.json()).toMatchObject({ accountId: admin.accountId, role: 'admin', itemCodes: null });
      adminMemberId = response.json().id;
    });

    it('refuses an appointee whose phone and verified name do not match (422)', async () => {
      agent = await verifiedPerson(undefined, '李经办');
      const before = await state();
      await expectRefused(
        await call('POST', `/api/v1/identity/enterprises/${enterpriseId}/members`, admin, {
          phone: agent.phone,
          name: '李某某',
          role: 'agent',
          itemCodes: [itemX],
          expiresAt: inDays(30),
        }),
        422,
        before,
      );
    });

    it('refuses an administrator appointing another administrator (403)', async () => {
      const before = await state();
      await expectRefused(
        await call('POST', `/api/v1/identity/enterprises/${enterpriseId}/members`, admin, {
          phone: agent.phone,
          name: '李经办',
          role: 'admin',
        }),
        403,
        before,
      );
    });

    it('refuses agent mandates without scope, with unknown items or an expiry in the past (400)', async () => {
      const before = await state();
      const url = `/api/v1/identity/enterprises/${enterpriseId}/members`;
      const base = { phone: agent.phone, name: '李经办', role: 'agent' };
      const noScope = await expectRefused(
        await call('POST', url, admin, { ...base, expiresAt: inDays(30) }),
        400,
        before,
      );
      expect(noScope.errors).toEqual([expect.objectContaining({ field: 'itemCodes', rule: 'required' })]);
      const unknown = await expectRefused(
        await call('POST', url, admin, { ...base, itemCodes: ['NO-SUCH-ITEM'], expiresAt: inDays(30) }),
        400,
        before,
      );
      expect(unknown.errors).toEqual([expect.objectContaining({ field: 'itemCodes[0]', rule: 'exists' })]);
      const past = await expectRefused(
        await call('POST', url, admin, { ...base, itemCodes: [itemX], expiresAt: inDays(-1) }),
        400,
        before,
      );
      expect(past.errors).toEqual([expect.objectContaining({ field: 'expiresAt', rule: 'future' })]);
      const tooLong = await expectRefused(
        await call('POST', url, admin, { ...base, itemCodes: [itemX], expiresAt: inDays(4 * 366) }),
        400,
        before,
      );
      expect(tooLong.errors).toEqual([expect.objectContaining({ field: 'expiresAt', rule: 'maximum' })]);
    });

    it('lets the administrator appoint an agent for one item until an expiry', async () => {
      const response = await call('POST', `/api/v1/identity/enterprises/${enterpriseId}/members`, admin, {
        phone: agent.phone,
        name: '李经办',
        role: 'agent',
        itemCodes: [itemX],
        expiresAt: inDays(30),
      });
      expect(response.statusCode, response.body).toBe(201);
      expect(response.json()).toMatchObject({ role: 'agent', itemCodes: [itemX], status: 'active' });
      agentMemberId = response.json().id;
      const [row] = await t.db.query<{ actor: string; on_behalf_of: string }>(
        `select actor, on_behalf_of from audit_log where action = 'identity.enterprise.member.appoint' and entity_id = $1`,
        [agentMemberId],
      );
      expect(row).toEqual({ actor: admin.accountId, on_behalf_of: `enterprise:${active.uscc}` });
    });

    it('refuses an agent appointing anyone (403) and appointing the same person twice (409)', async () => {
      const someone = await verifiedPerson(undefined, '赵某');
      const before = await state();
      await expectRefused(
        await call('POST', `/api/v1/identity/enterprises/${enterpriseId}/members`, agent, {
          phone: someone.phone,
          name: '赵某',
          role: 'agent',
          itemCodes: [itemX],
          expiresAt: inDays(10),
        }),
        403,
        before,
      );
      await expectRefused(
        await call('POST', `/api/v1/identity/enterprises/${enterpriseId}/members`, owner, {
          phone: agent.phone,
          name: '李经办',
          role: 'agent',
          itemCodes: [itemY],
          expiresAt: inDays(10),
        }),
        409,
        before,
      );
    });

    it('shows every member to the administrator, only themselves to the agent, nothing to strangers', async () => {
      const seenByAdmin = (await call('GET', `/api/v1/identity/enterprises/${enterpriseId}`, admin)).json();
      expect(seenByAdmin.members.map((m: { role: string }) => m.role)).toEqual(['owner', 'admin', 'agent']);
      const seenByAgent = await call('GET', `/api/v1/identity/enterprises/${enterpriseId}`, agent);
      expect(seenByAgent.statusCode).toBe(200);
      expect(seenByAgent.json().members).toEqual([
        expect.objectContaining({ id: agentMemberId, role: 'agent' }),
      ]);
      const stranger = await verifiedPerson();
      expect((await call('GET', `/api/v1/identity/enterprises/${enterpriseId}`, stranger)).statusCode).toBe(
        404,
      );
      expect((await call('GET', `/api/v1/identity/enterprises/${enterpriseId}`)).statusCode).toBe(401);
      const list = (await call('GET', '/api/v1/identity/enterprises', agent)).json();
      expect(list.items).toEqual([
        expect.objectContaining({
          id: enterpriseId,
          role: 'agent',
          itemCodes: [itemX],
          memberId: agentMemberId,
        }),
      ]);
      expect(list.items[0].expiresAt).toEqual(expect.any(String));
    });
  });

  describe('acting for the enterprise', () => {
    const mandate = (caller: Caller, item: string) =>
      call('GET', `/api/v1/identity/acting/items/${item}/mandate`, caller);

    it('does not act for the enterprise before switching explicitly', async () => {
      expect((await mandate(agent, itemX)).statusCode).toBe(403);
      expect((await call('GET', '/api/v1/identity/acting', agent)).json().acting).toBeNull();
    });

    it('refuses a switch without a live mandate (403), changing nothing', async () => {
      const stranger = await verifiedPerson();
      const before = await state();
      await expectRefused(
        await call('PUT', '/api/v1/identity/acting', stranger, { enterpriseId }),
        403,
        before,
      );
      await expectRefused(
        await call('PUT', '/api/v1/identity/acting', undefined, { enterpriseId }),
        401,
        before,
      );
    });

    it('switches in a new session: the old token stops working, the new one acts within scope', async () => {
      const old = agent.authorization;
      const response = await call('PUT', '/api/v1/identity/acting', agent, { enterpriseId });
      expect(response.statusCode, response.body).toBe(200);
      const body = response.json();
      expect(body.acting).toMatchObject({
        enterpriseId,
        uscc: active.uscc,
        role: 'agent',
        itemCodes: [itemX],
      });
      expect(body.session.token).toEqual(expect.any(String));
      agent = { ...agent, authorization: `Bearer ${body.session.token}` };
      expect((await call('GET', '/api/v1/identity/acting', old)).statusCode).toBe(401);
      expect((await call('GET', '/api/v1/identity/acting', agent)).json().acting).toMatchObject({
        enterpriseId,
      });

      const allowed = await mandate(agent, itemX);
      expect(allowed.statusCode, allowed.body).toBe(200);
      expect(allowed.json()).toMatchObject({
        allowed: true,
        itemCode: itemX,
        uscc: active.uscc,
        role: 'agent',
      });
      const refused = await mandate(agent, itemY);
      expect(refused.statusCode).toBe(403);
      expect(refused.headers['content-type']).toMatch(/application\/problem\+json/);

      const rows = await t.db.query<{ action: string; actor: string; on_behalf_of: string }>(
        `select action, actor, on_behalf_of from audit_log
          where action in ('identity.acting.switch', 'identity.mandate.check.refused', 'access.denied')
            and actor = $1 order by id`,
        [agent.accountId],
      );
      expect(rows).toEqual([
        // Not acting yet: the kernel guard refuses and records it.
        { action: 'access.denied', actor: agent.accountId, on_behalf_of: null },
        {
          action: 'identity.acting.switch',
          actor: agent.accountId,
          on_behalf_of: `enterprise:${active.uscc}`,
        },
        {
          action: 'identity.mandate.check.refused',
          actor: agent.accountId,
          on_behalf_of: `enterprise:${active.uscc}`,
        },
      ]);
    });

    it('lets owners and administrators act for every item', async () => {
      const response = await call('PUT', '/api/v1/identity/acting', owner, { enterpriseId });
      expect(response.statusCode).toBe(200);
      owner = { ...owner, authorization: `Bearer ${response.json().session.token}` };
      expect((await mandate(owner, itemY)).statusCode).toBe(200);
    });

    it('switches a browser session only with its CSRF token, and sets new cookies', async () => {
      const opened = await t.app.identity.sessions.open(t.db, admin.accountId, 'cookie', {});
      const cookies = { tb_session: opened.token, tb_csrf: opened.csrfToken! };
      const before = await state();
      const forged = await t.app.inject({
        method: 'PUT',
        url: '/api/v1/identity/acting',
        cookies,
        payload: { enterpriseId },
      });
      await expectRefused(forged, 403, before);
      const response = await t.app.inject({
        method: 'PUT',
        url: '/api/v1/identity/acting',
        cookies,
        headers: { 'x-csrf-token': opened.csrfToken! },
        payload: { enterpriseId },
      });
      expect(response.statusCode, response.body).toBe(200);
      expect(response.json().acting).toMatchObject({ enterpriseId, role: 'admin' });
      expect(response.json().session.token).toBeUndefined();
      const session = response.cookies.find((c) => c.name === 'tb_session');
      expect(session).toMatchObject({ httpOnly: true });
      expect(session!.value).not.toBe(opened.token);
      const acting = await t.app.inject({
        url: '/api/v1/identity/acting',
        cookies: { tb_session: session!.value },
      });
      expect(acting.json().acting).toMatchObject({ enterpriseId, role: 'admin' });
    });

    it('stops acting on the next request once the mandate has expired', async () => {
      await t.db.query(
        `update identity_enterprise_member set expires_at = now() - interval '1 minute' where id = $1`,
        [agentMemberId],
      );
      const refused = await mandate(agent, itemX);
      expect(refused.statusCode).toBe(403);
      expect((await call('GET', '/api/v1/identity/acting', agent)).json().acting).toBeNull();
      expect((await call('GET', '/api/v1/identity/enterprises', agent)).json().items).toEqual([]);
      const before = await state();
      await expectRefused(await call('PUT', '/api/v1/identity/acting', agent, { enterpriseId }), 403, before);
    });

    it('lets the administrator appoint the agent anew in place of the expired mandate', async () => {
      const response = await call('POST', `/api/v1/identity/enterprises/${enterpriseId}/members`, admin, {
        phone: agent.phone,
        name: '李经办',
        role: 'agent',
        itemCodes: [itemX, itemY],
        expiresAt: inDays(7),
      });
      expect(response.statusCode, response.body).toBe(201);
      agentMemberId = response.json().id;
      const switched = await call('PUT', '/api/v1/identity/acting', agent, { enterpriseId });
      expect(switched.statusCode).toBe(200);
      agent = { ...agent, authorization: `Bearer ${switched.json().session.token}` };
      expect((await mandate(agent, itemY)).statusCode).toBe(200);
    });

    it('revokes a mandate at once: the agent’s very next request no longer acts', async () => {
      const revoked = await call(
        'DELETE',
        `/api/v1/identity/enterprises/${enterpriseId}/members/${agentMemberId}`,
        admin,
      );
      expect(revoked.statusCode, revoked.body).toBe(204);
      expect((await mandate(agent, itemX)).statusCode).toBe(403);
      expect((await call('GET', '/api/v1/identity/acting', agent)).json().acting).toBeNull();
      const [row] = await t.db.query<{ actor: string; on_behalf_of: string }>(
        `select actor, on_behalf_of from audit_log where action = 'identity.enterprise.member.revoke' and entity_id = $1`,
        [agentMemberId],
      );
      expect(row).toEqual({ actor: admin.accountId, on_behalf_of: `enterprise:${active.uscc}` });
    });

    it('switches back to acting for oneself', async () => {
      const response = await call('PUT', '/api/v1/identity/acting', owner, { enterpriseId: null });
      expect(response.statusCode).toBe(200);
      expect(response.json().acting).toBeNull();
      owner = { ...owner, authorization: `Bearer ${response.json().session.token}` };
      expect((await mandate(owner, itemX)).statusCode).toBe(403);
    });
  });

  describe('revoking', () => {
    it('never revokes the owner, and only the owner revokes administrators', async () => {
      const [ownerMember] = await t.db.query<{ id: string }>(
        `select id from identity_enterprise_member where enterprise_id = $1 and role = 'owner' and revoked_at is null`,
        [enterpriseId],
      );
      const before = await state();
      const url = (id: string) => `/api/v1/identity/enterprises/${enterpriseId}/members/${id}`;
      await expectRefused(await call('DELETE', url(ownerMember!.id), admin), 409, before);
      await expectRefused(await call('DELETE', url(ownerMember!.id), owner), 409, before);
      await expectRefused(await call('DELETE', url(adminMemberId), admin), 403, before);
      await expectRefused(await call('DELETE', url(adminMemberId), agent), 404, before);
      await expectRefused(await call('DELETE', url(adminMemberId)), 401, before);
      expect((await call('DELETE', url(adminMemberId), owner)).statusCode).toBe(204);
      expect((await call('GET', `/api/v1/identity/enterprises/${enterpriseId}`, admin)).statusCode).toBe(404);
    });
  });

  describe('a change of legal representative in the registry', () => {
    it('hands ownership to the new legal representative when they refresh', async () => {
      const successor = otherRep;
      const before = await state();
      await expectRefused(
        await call('POST', `/api/v1/identity/enterprises/${enterpriseId}/refresh`, successor),
        404,
        before,
      );
      await t.db.query(
        `update registry_enterprise set legal_representative_id = $2, legal_representative_name = $3 where uscc = $1`,
        [active.uscc, other.repId, other.repName],
      );
      const response = await call('POST', `/api/v1/identity/enterprises/${enterpriseId}/refresh`, successor);
      expect(response.statusCode, response.body).toBe(200);
      expect(response.json()).toMatchObject({
        legalRepresentativeName: other.repName,
        mandate: { role: 'owner' },
      });
      expect((await call('GET', `/api/v1/identity/enterprises/${enterpriseId}`, owner)).statusCode).toBe(404);
      const owners = await t.db.query<{ account_id: string }>(
        `select account_id from identity_enterprise_member where enterprise_id = $1 and role = 'owner' and revoked_at is null`,
        [enterpriseId],
      );
      expect(owners).toEqual([{ account_id: successor.accountId }]);
    });
  });
});
