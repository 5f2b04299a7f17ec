import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { staffSession } from '../helpers/identity.ts';
import type { DemoSmsProvider } from '../../src/modules/identity/providers/sms.ts';

/** Sign-up, sign-in, sessions, CSRF and brute-force protection, through the HTTP API. */
describe('identity: sign-up, sign-in and sessions', () => {
  let t: TestApp;
  let ipCounter = 0;
  /** Each scenario comes from its own address so per-address limits do not interfere. */
  const freshIp = () => `198.51.100.${++ipCounter}`;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.drop());

  const post = (
    url: string,
    payload: object,
    headers: Record<string, string> = {},
    remoteAddress = '198.51.100.250',
  ) => t.app.inject({ method: 'POST', url, payload, headers, remoteAddress });
  const count = async (sql: string, params: unknown[] = []) =>
    Number((await t.db.query<{ n: number }>(`select count(*)::int as n from (${sql}) q`, params))[0]!.n);
  const cookiesOf = (res: LightMyRequestResponse) => Object.fromEntries(res.cookies.map((c) => [c.name, c]));

  async function sendCode(phone: string, purpose: string, ip = freshIp()) {
    const res = await post('/api/v1/identity/sms-codes', { phone, purpose }, {}, ip);
    expect(res.statusCode).toBe(202);
    return (t.app.identity.sms as DemoSmsProvider).lastCode(phone)!;
  }

  async function signUp(phone: string, password?: string, client: 'api' | 'browser' = 'api') {
    const code = await sendCode(phone, 'signup');
    const res = await post('/api/v1/identity/signup', { phone, code, password, client }, {}, freshIp());
    expect(res.statusCode).toBe(201);
    return res;
  }

  it('signs a person up with an SMS code at assurance level 1 and stores the phone encrypted', async () => {
    const res = await signUp('13800000001', undefined, 'api');
    const body = res.json();
    expect(body).toMatchObject({ kind: 'person', assurance: 1, session: { channel: 'bearer' } });
    expect(body.session.token).toMatch(/^tb_/);
    const me = await t.app.inject({
      url: '/api/v1/identity/sessions',
      headers: { authorization: `Bearer ${body.session.token}` },
    });
    expect(me.statusCode).toBe(200);
    expect(me.json().items).toEqual([expect.objectContaining({ current: true, channel: 'bearer' })]);
    const [row] = await t.db.query<{ phone_enc: string }>(
      'select phone_enc from identity_account where id = $1',
      [body.accountId],
    );
    expect(row!.phone_enc).not.toContain('13800000001');
    expect(t.app.identity.cipher.decrypt(row!.phone_enc, 'phone')).toBe('13800000001');
    // The token itself is never stored.
    expect(await count('select 1 from identity_session where id = $1', [body.session.token])).toBe(0);
    // The audit has the event, and neither the code nor the token.
    const events = await t.db.query<{ action: string; after: unknown }>(
      `select action, after from audit_log where actor = $1 or entity_id = '138****0001' order by id`,
      [body.accountId],
    );
    expect(events.map((e) => e.action)).toEqual(
      expect.arrayContaining(['identity.signup', 'identity.login']),
    );
    expect(JSON.stringify(events)).not.toContain(body.session.token);
  });

  it('refuses a wrong SMS code with a field error, audits it and creates nothing', async () => {
    const phone = '13800000002';
    const code = await sendCode(phone, 'signup');
    const wrong = code === '000000' ? '111111' : '000000';
    const before = await count('select 1 from identity_account');
    const res = await post('/api/v1/identity/signup', { phone, code: wrong }, {}, freshIp());
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.json().errors).toEqual([expect.objectContaining({ field: 'code', rule: 'mismatch' })]);
    expect(await count('select 1 from identity_account')).toBe(before);
    // A code works once: the right one still works after a wrong guess, then never again.
    expect(
      (await post('/api/v1/identity/signup', { phone, code, client: 'api' }, {}, freshIp())).statusCode,
    ).toBe(201);
    const replay = await post('/api/v1/identity/login/sms', { phone, code, client: 'api' }, {}, freshIp());
    expect(replay.statusCode).toBe(400);
    expect(replay.json().errors[0]).toMatchObject({ field: 'code', rule: 'expired' });
    expect(
      await count(
        `select 1 from audit_log where action = 'identity.sms.rejected' and entity_id = '138****0002'`,
      ),
    ).toBe(2);
  });

  it('validates the phone number and explains it in Chinese and English', async () => {
    const res = await post('/api/v1/identity/sms-codes', { phone: '12345', purpose: 'signup' });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual([
      expect.objectContaining({ field: 'phone', rule: 'format', message: expect.stringMatching(/手机/) }),
    ]);
  });

  it('limits SMS codes: one per minute per number, with Retry-After', async () => {
    const phone = '13800000003';
    await sendCode(phone, 'login');
    const again = await post('/api/v1/identity/sms-codes', { phone, purpose: 'login' }, {}, freshIp());
    expect(again.statusCode).toBe(429);
    expect(Number(again.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('reports a number the gateway cannot reach and keeps no code for it', async () => {
    const res = await post(
      '/api/v1/identity/sms-codes',
      { phone: '17000001234', purpose: 'signup' },
      {},
      freshIp(),
    );
    expect(res.statusCode).toBe(422);
    expect(res.json().errors[0]).toMatchObject({ field: 'phone', rule: 'reachable' });
    expect(
      await count('select 1 from identity_sms_code where phone_index = $1', [
        t.app.identity.cipher.index('17000001234', 'phone'),
      ]),
    ).toBe(0);
  });

  it('signs in with an SMS code and with a password', async () => {
    const phone = '13800000004';
    await signUp(phone, 'Secret#2026');
    const code = await sendCode(phone, 'login');
    const bySms = await post('/api/v1/identity/login/sms', { phone, code, client: 'api' }, {}, freshIp());
    expect(bySms.statusCode).toBe(200);
    const byPassword = await post(
      '/api/v1/identity/login/password',
      { phone, password: 'Secret#2026', client: 'api' },
      {},
      freshIp(),
    );
    expect(byPassword.statusCode).toBe(200);
    expect(byPassword.json().session.token).not.toBe(bySms.json().session.token);
    const unknown = await post(
      '/api/v1/identity/login/password',
      { phone: '13800009999', password: 'Secret#2026' },
      {},
      freshIp(),
    );
    expect(unknown.statusCode).toBe(401);
  });

  it('refuses a weak password at sign-up', async () => {
    const phone = '13800000005';
    const code = await sendCode(phone, 'signup');
    const res = await post('/api/v1/identity/signup', { phone, code, password: 'abc' }, {}, freshIp());
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0]).toMatchObject({ field: 'password', rule: 'passwordStrength' });
  });

  it('refuses the 6th wrong password within the window without checking it', async () => {
    const phone = '13800000006';
    await signUp(phone, 'Right#Pass1');
    const attempt = (password: string) =>
      post('/api/v1/identity/login/password', { phone, password, client: 'api' }, {}, freshIp());
    for (let i = 0; i < 5; i++) expect((await attempt(`Wrong#Pass${i}`)).statusCode).toBe(401);
    // The right password now is refused too: the password is not even looked at.
    const locked = await attempt('Right#Pass1');
    expect(locked.statusCode).toBe(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    expect(
      await count(
        `select 1 from audit_log where action = 'identity.login.refused' and entity_id = '138****0006'`,
      ),
    ).toBe(1);
    const failures = await count(
      `select 1 from audit_log where action = 'identity.login.failed' and after->>'method' = 'password'
      and actor in (select id::text from identity_account where phone_index = $1)`,
      [t.app.identity.cipher.index(phone, 'phone')],
    );
    expect(failures).toBe(5);
  });

  it('throttles one address guessing across many accounts', async () => {
    const ip = '203.0.113.77';
    // The per-address limit is higher (50 by default) than the per-account one.
    for (let i = 0; i < 50; i++) {
      const res = await post(
        '/api/v1/identity/login/password',
        { phone: `1390000${String(i).padStart(4, '0')}`, password: 'Nope#1234' },
        {},
        ip,
      );
      expect(res.statusCode).toBe(401);
    }
    const res = await post(
      '/api/v1/identity/login/password',
      { phone: '13900009999', password: 'Nope#1234' },
      {},
      ip,
    );
    expect(res.statusCode).toBe(429);
  });

  it('signs staff in by username and password', async () => {
    const { accountId } = await staffSession(t.app, t.db, ['window_clerk']);
    const [{ username }] = (await t.db.query<{ username: string }>(
      'select username from identity_account where id = $1',
      [accountId],
    )) as [{ username: string }];
    const { hashPassword } = await import('../../src/kernel/crypto.ts');
    await t.db.query('update identity_account set password_hash = $2 where id = $1', [
      accountId,
      await hashPassword('Staff#Pass1'),
    ]);
    const res = await post(
      '/api/v1/identity/login/password',
      { username, password: 'Staff#Pass1', client: 'api' },
      {},
      freshIp(),
    );
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ kind: 'staff', accountId });
    const neither = await post('/api/v1/identity/login/password', { password: 'x' });
    expect(neither.statusCode).toBe(400);
  });

  describe('browser sessions', () => {
    let cookies: Record<string, { value: string; httpOnly?: boolean; secure?: boolean; sameSite?: string }>;

    beforeAll(async () => {
      const res = await signUp('13800000007', 'Browser#Pass1', 'browser');
      expect(res.json().session.token).toBeUndefined();
      cookies = cookiesOf(res);
    });
    const cookieHeader = () => `tb_session=${cookies.tb_session!.value}; tb_csrf=${cookies.tb_csrf!.value}`;

    it('sets an httpOnly, Secure, SameSite=Lax session cookie and a readable CSRF cookie', () => {
      expect(cookies.tb_session).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Lax' });
      expect(cookies.tb_csrf!.httpOnly).toBeFalsy();
    });

    it('replaces the browser session when the same browser signs in again', async () => {
      const first = cookieHeader();
      const again = await t.app.inject({
        method: 'POST',
        url: '/api/v1/identity/login/password',
        payload: { phone: '13800000007', password: 'Browser#Pass1' },
        headers: { cookie: first, 'x-csrf-token': cookies.tb_csrf!.value },
        remoteAddress: freshIp(),
      });
      expect(again.statusCode).toBe(200);
      expect(
        (await t.app.inject({ url: '/api/v1/identity/sessions', headers: { cookie: first } })).statusCode,
      ).toBe(401);
      cookies = cookiesOf(again);
      expect(cookieHeader()).not.toBe(first);
    });

    it('reads with the cookie, and refuses a change without the CSRF header', async () => {
      const list = await t.app.inject({
        url: '/api/v1/identity/sessions',
        headers: { cookie: cookieHeader() },
      });
      expect(list.statusCode).toBe(200);
      const noCsrf = await t.app.inject({
        method: 'POST',
        url: '/api/v1/identity/logout',
        headers: { cookie: cookieHeader() },
      });
      expect(noCsrf.statusCode).toBe(403);
      const wrongCsrf = await t.app.inject({
        method: 'POST',
        url: '/api/v1/identity/logout',
        headers: { cookie: cookieHeader(), 'x-csrf-token': 'forged' },
      });
      expect(wrongCsrf.statusCode).toBe(403);
      // Still signed in: the refused requests changed nothing.
      expect(
        (await t.app.inject({ url: '/api/v1/identity/sessions', headers: { cookie: cookieHeader() } }))
          .statusCode,
      ).toBe(200);
      const logout = await t.app.inject({
        method: 'POST',
        url: '/api/v1/identity/logout',
        headers: { cookie: cookieHeader(), 'x-csrf-token': cookies.tb_csrf!.value },
      });
      expect(logout.statusCode).toBe(204);
      const after = await t.app.inject({
        url: '/api/v1/identity/sessions',
        headers: { cookie: cookieHeader() },
      });
      expect(after.statusCode).toBe(401);
    });
  });

  it('ends idle and expired sessions, and rejects forged tokens', async () => {
    const token = (await signUp('13800000008')).json().session.token as string;
    const read = (authorization: string) =>
      t.app.inject({ url: '/api/v1/identity/sessions', headers: { authorization } });
    expect((await read(`Bearer ${token}`)).statusCode).toBe(200);
    const forged = await read(`Bearer ${token.slice(0, -2)}xx`);
    expect(forged.statusCode).toBe(401);
    expect(forged.headers['content-type']).toMatch(/problem\+json/);
    const { sha256 } = await import('../../src/kernel/crypto.ts');
    await t.db.query(
      `update identity_session set last_seen_at = now() - interval '31 minutes' where id = $1`,
      [sha256(token)],
    );
    expect((await read(`Bearer ${token}`)).statusCode).toBe(401);
    await t.db.query(
      `update identity_session set last_seen_at = now(), expires_at = now() - interval '1 second' where id = $1`,
      [sha256(token)],
    );
    expect((await read(`Bearer ${token}`)).statusCode).toBe(401);
    // Each refusal is in the audit trail with its reason, under the account when known.
    const rejected = await t.db.query<{ entity: string; after: { reason: string } }>(
      `select entity, after from audit_log where action = 'identity.session.rejected' order by id desc limit 3`,
    );
    expect(rejected.map((r) => r.after.reason)).toEqual(['expired', 'idle', 'unknown']);
    expect(rejected.map((r) => r.entity)).toEqual([
      'identity_account',
      'identity_account',
      'identity_session',
    ]);
  });

  it('logs out everywhere, and ends one chosen session', async () => {
    const phone = '13800000009';
    await signUp(phone, 'Every#Where1');
    const login = async () =>
      `Bearer ${(await post('/api/v1/identity/login/password', { phone, password: 'Every#Where1', client: 'api' }, {}, freshIp())).json().session.token}`;
    const [a, b, c] = [await login(), await login(), await login()];
    const sessions = (
      await t.app.inject({ url: '/api/v1/identity/sessions', headers: { authorization: a } })
    ).json().items;
    const other = sessions.find((s: { current: boolean }) => !s.current);
    const end = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/identity/sessions/${other.id}`,
      headers: { authorization: a },
    });
    expect(end.statusCode).toBe(204);
    const everywhere = await t.app.inject({
      method: 'POST',
      url: '/api/v1/identity/logout-everywhere',
      headers: { authorization: a },
    });
    expect(everywhere.statusCode).toBe(200);
    for (const token of [a, b, c]) {
      expect(
        (await t.app.inject({ url: '/api/v1/identity/sessions', headers: { authorization: token } }))
          .statusCode,
      ).toBe(401);
    }
  });

  it('requires a session for session routes', async () => {
    expect((await t.app.inject({ url: '/api/v1/identity/sessions' })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/identity/logout' })).statusCode).toBe(401);
    const change = await post('/api/v1/identity/sms-codes', {
      phone: '13800000010',
      purpose: 'change_phone',
    });
    expect(change.statusCode).toBe(401);
  });
});
