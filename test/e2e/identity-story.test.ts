import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DemoSmsProvider } from '../../src/modules/identity/providers/sms.ts';
import { seed } from '../../src/seed/index.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';

/**
 * The story, through the HTTP API only: a new user signs up, verifies their real
 * name, binds their enterprise, appoints an agent, and the agent acts for the enterprise
 * within scope and until the mandate ends. The clock is the one thing moved by SQL.
 */
describe('identity: from sign-up to an agent acting for an enterprise', () => {
  let t: TestApp;
  let owner: { phone: string; name: string; idNumber: string; uscc: string };
  let agent: { phone: string; name: string; idNumber: string };
  let items: [string, string];

  beforeAll(async () => {
    t = await createTestApp();
    await seed(t.db, 'small');
    const [row] = await t.db.query<{ idNumber: string; name: string; uscc: string }>(
      `select p.id_number as "idNumber", p.name, e.uscc from registry_enterprise e
         join registry_person p on p.id_number = e.legal_representative_id
        where e.status in ('存续', '在业') order by e.uscc limit 1`,
    );
    owner = { ...row!, phone: '15800000001' };
    const [other] = await t.db.query<{ idNumber: string; name: string }>(
      `select id_number as "idNumber", name from registry_person where id_number <> $1
        order by id_number limit 1`,
      [owner.idNumber],
    );
    agent = { ...other!, phone: '15800000002' };
    const codes = await t.db.query<{ code: string }>('select code from catalog_item order by code limit 2');
    items = [codes[0]!.code, codes[1]!.code];
  });
  afterAll(() => t.drop());

  let ip = 0;
  const call = async (method: string, url: string, authorization?: string, payload?: object) =>
    t.app.inject({
      method: method as 'GET',
      url,
      payload,
      remoteAddress: `192.0.2.${++ip}`,
      headers: authorization ? { authorization } : {},
    });

  /** Sign-up with an SMS code and real-name verification; returns the (rotated) bearer. */
  async function becomeVerifiedPerson(person: { phone: string; name: string; idNumber: string }) {
    expect(
      (
        await call('POST', '/api/v1/identity/sms-codes', undefined, {
          phone: person.phone,
          purpose: 'signup',
        })
      ).statusCode,
    ).toBe(202);
    const code = (t.app.identity.sms as DemoSmsProvider).lastCode(person.phone)!;
    const signup = await call('POST', '/api/v1/identity/signup', undefined, {
      phone: person.phone,
      code,
      client: 'api',
    });
    expect(signup.statusCode).toBe(201);
    expect(signup.json().assurance).toBe(1);
    const l1 = `Bearer ${signup.json().session.token}`;
    // Level 1 may not bind an enterprise.
    expect((await call('POST', '/api/v1/identity/enterprises', l1, { uscc: owner.uscc })).statusCode).toBe(
      403,
    );
    const verified = await call('POST', '/api/v1/identity/me/real-name', l1, {
      name: person.name,
      idNumber: person.idNumber,
    });
    expect(verified.statusCode).toBe(200);
    expect(verified.json().assurance).toBe(2);
    const l2 = `Bearer ${verified.json().session.token}`;
    // The session rotated at the privilege change: the old token is worthless.
    expect((await call('GET', '/api/v1/identity/me', l1)).statusCode).toBe(401);
    const me = (await call('GET', '/api/v1/identity/me', l2)).json();
    expect(me).toMatchObject({ assurance: 2, name: person.name });
    expect(me.idNumber).toBe(`${person.idNumber.slice(0, 4)}**********${person.idNumber.slice(-4)}`);
    return l2;
  }

  it('runs the whole story and stops the agent at the edge of the mandate', async () => {
    const ownerToken = await becomeVerifiedPerson(owner);
    const bound = await call('POST', '/api/v1/identity/enterprises', ownerToken, { uscc: owner.uscc });
    expect(bound.statusCode).toBe(201);
    const enterpriseId = bound.json().id as string;

    const agentToken = await becomeVerifiedPerson(agent);
    const expiresAt = new Date(Date.now() + 30 * 86400_000).toISOString();
    const appointed = await call('POST', `/api/v1/identity/enterprises/${enterpriseId}/members`, ownerToken, {
      phone: agent.phone,
      name: agent.name,
      role: 'agent',
      itemCodes: [items[0]],
      expiresAt,
    });
    expect(appointed.statusCode).toBe(201);

    // The agent switches explicitly to acting for the enterprise.
    const switched = await call('PUT', '/api/v1/identity/acting', agentToken, { enterpriseId });
    expect(switched.statusCode).toBe(200);
    expect(switched.json().acting).toMatchObject({ uscc: owner.uscc, role: 'agent' });
    const acting = `Bearer ${switched.json().session.token}`;

    const mandate = (item: string) => call('GET', `/api/v1/identity/acting/items/${item}/mandate`, acting);
    expect((await mandate(items[0])).statusCode).toBe(200);
    const outOfScope = await mandate(items[1]);
    expect(outOfScope.statusCode).toBe(403);
    expect(outOfScope.headers['content-type']).toMatch(/problem\+json/);
    // An agent cannot appoint anyone.
    const appointByAgent = await call(
      'POST',
      `/api/v1/identity/enterprises/${enterpriseId}/members`,
      acting,
      {
        phone: owner.phone,
        name: owner.name,
        role: 'agent',
        itemCodes: [items[0]],
        expiresAt,
      },
    );
    expect(appointByAgent.statusCode).toBe(403);

    // The audit trail records who acted and for whom.
    const [switchedEvent] = await t.db.query<{ on_behalf_of: string }>(
      `select on_behalf_of from audit_log where action like 'identity.acting%' order by id desc limit 1`,
    );
    expect(switchedEvent!.on_behalf_of).toBe(`enterprise:${owner.uscc}`);

    // Time passes beyond the mandate: the very next request no longer acts.
    await t.db.query(
      `update identity_enterprise_member set expires_at = now() - interval '1 second' where id = $1`,
      [appointed.json().id],
    );
    const expired = await mandate(items[0]);
    expect(expired.statusCode).toBe(403);
    expect((await call('GET', '/api/v1/identity/acting', acting)).json().acting).toBeNull();
    expect((await call('PUT', '/api/v1/identity/acting', acting, { enterpriseId })).statusCode).toBe(403);
  });
});
