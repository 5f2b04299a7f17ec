import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from '../../src/kernel/crypto.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { personSession } from '../helpers/identity.ts';

let t: TestApp;
let phone: { accountId: string; authorization: string };

beforeAll(async () => {
  t = await createTestApp();
  phone = await personSession(t.app, t.db, { assurance: 2 });
});
afterAll(async () => {
  await t?.drop();
});

interface Desktop {
  code: string;
  binding: string;
}

/** A desktop browser asks for a code; returns it with the binding cookie the browser keeps. */
async function desktop(): Promise<Desktop> {
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/v1/identity/qr-logins',
    headers: { 'user-agent': 'Mozilla/5.0 (Windows NT 10.0) Chrome/130' },
    remoteAddress: '203.0.113.9',
  });
  expect(res.statusCode).toBe(201);
  const cookie = res.cookies.find((c) => c.name === 'tb_qr')!;
  return { code: res.json().code, binding: cookie.value };
}

const asDesktop = (method: 'GET' | 'POST', url: string, binding?: string) =>
  t.app.inject({ method, url, ...(binding !== undefined && { cookies: { tb_qr: binding } }) });

const onPhone = (code: string, step: 'scan' | 'approve' | 'deny', authorization = phone.authorization) =>
  t.app.inject({
    method: 'POST',
    url: `/api/v1/identity/qr-logins/${code}/${step}`,
    headers: authorization ? { authorization } : {},
  });

/** Redeems as the desktop that asked, or as another (`null`: a browser without the binding cookie). */
const redeem = (d: Desktop, binding: string | null = d.binding) =>
  asDesktop('POST', `/api/v1/identity/qr-logins/${d.code}/session`, binding ?? undefined);

async function sessionCount(accountId: string): Promise<number> {
  const [row] = await t.db.query<{ n: number }>(
    'select count(*)::int as n from identity_session where account_id = $1',
    [accountId],
  );
  return row!.n;
}

async function refusals(code: string): Promise<unknown[]> {
  const rows = await t.db.query<{ after: { reason: string } }>(
    `select after from audit_log where action = 'identity.qr.refused' and entity_id = $1 order by id`,
    [sha256(code).slice(0, 16)],
  );
  return rows.map((r) => r.after.reason);
}

describe('QR-code login', () => {
  it('signs the desktop in as the person who approved on the phone', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/identity/qr-logins',
      headers: { 'user-agent': 'Mozilla/5.0 (Windows NT 10.0) Chrome/130' },
      remoteAddress: '203.0.113.9',
    });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body.qrContent).toBe(`tongban://qr-login?code=${body.code as string}`);
    expect(new Date(body.expiresAt).getTime()).toBeGreaterThan(Date.now());
    const cookie = res.cookies.find((c) => c.name === 'tb_qr')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', secure: true });
    const d = { code: body.code as string, binding: cookie.value };

    // Only hashes are stored.
    const [row] = await t.db.query<{ id: string; desktop_binding_hash: string }>(
      'select id, desktop_binding_hash from identity_qr_login',
    );
    expect(row).toEqual({ id: sha256(d.code), desktop_binding_hash: sha256(d.binding) });

    const status = async () =>
      (await asDesktop('GET', `/api/v1/identity/qr-logins/${d.code}`, d.binding)).json().status;
    expect(await status()).toBe('pending');
    // The phone is shown where the sign-in would happen before approving.
    expect((await onPhone(d.code, 'scan')).json()).toEqual({
      status: 'scanned',
      desktop: {
        ip: '203.0.113.9',
        userAgent: 'Mozilla/5.0 (Windows NT 10.0) Chrome/130',
        requestedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      },
    });
    expect(await status()).toBe('scanned');
    expect((await onPhone(d.code, 'approve')).json()).toEqual({ status: 'approved' });
    expect(await status()).toBe('approved');

    const signedIn = await redeem(d);
    expect(signedIn.statusCode).toBe(200);
    expect(signedIn.json()).toMatchObject({ accountId: phone.accountId, session: { channel: 'cookie' } });
    const session = signedIn.cookies.find((c) => c.name === 'tb_session')!;
    expect(session).toMatchObject({ httpOnly: true });
    const me = await t.app.inject({
      method: 'GET',
      url: '/api/v1/identity/me',
      cookies: { tb_session: session.value },
    });
    expect(me.statusCode).toBe(200);
    expect(me.json().id).toBe(phone.accountId);
    expect(await status()).toBe('consumed');

    const history = await t.db.query<{ action: string; after: { method?: string } }>(
      `select action, after from audit_log where entity = 'identity_account' and entity_id = $1 order by id`,
      [phone.accountId],
    );
    expect(history.map((h) => h.action)).toEqual(
      expect.arrayContaining(['identity.qr.approved', 'identity.login']),
    );
    expect(JSON.stringify(history)).not.toContain(d.code);
  });

  it('refuses a replayed code and opens no second session', async () => {
    const d = await desktop();
    await onPhone(d.code, 'approve');
    expect((await redeem(d)).statusCode).toBe(200);
    const before = await sessionCount(phone.accountId);
    const replay = await redeem(d);
    expect(replay.statusCode).toBe(409);
    expect(replay.headers['content-type']).toContain('application/problem+json');
    expect(replay.json()).toMatchObject({ qrStatus: 'consumed' });
    expect(replay.cookies.find((c) => c.name === 'tb_session')).toBeUndefined();
    expect(await sessionCount(phone.accountId)).toBe(before);
    expect(await refusals(d.code)).toEqual(['replayed']);
  });

  it('refuses an expired code, on the phone and on the desktop', async () => {
    const d = await desktop();
    await t.db.query(`update identity_qr_login set expires_at = now() - interval '1 second' where id = $1`, [
      sha256(d.code),
    ]);
    const approve = await onPhone(d.code, 'approve');
    expect(approve.statusCode).toBe(409);
    expect(approve.json()).toMatchObject({ qrStatus: 'expired' });

    const late = await desktop();
    await onPhone(late.code, 'approve');
    await t.db.query(`update identity_qr_login set expires_at = now() - interval '1 second' where id = $1`, [
      sha256(late.code),
    ]);
    const before = await sessionCount(phone.accountId);
    const res = await redeem(late);
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ qrStatus: 'expired' });
    expect(await sessionCount(phone.accountId)).toBe(before);
    expect(await refusals(late.code)).toEqual(['expired']);
  });

  it('refuses another desktop, with or without a binding cookie of its own', async () => {
    const d = await desktop();
    const other = await desktop();
    await onPhone(d.code, 'approve');
    const before = await sessionCount(phone.accountId);

    const noCookie = await redeem(d, null);
    expect(noCookie.statusCode).toBe(403);
    const foreign = await redeem(d, other.binding);
    expect(foreign.statusCode).toBe(403);
    const poll = await asDesktop('GET', `/api/v1/identity/qr-logins/${d.code}`, other.binding);
    expect(poll.statusCode).toBe(403);
    expect(await sessionCount(phone.accountId)).toBe(before);
    expect(await refusals(d.code)).toEqual(['no_binding', 'foreign_desktop', 'foreign_desktop']);

    // The refusals consumed nothing: the right desktop still signs in.
    expect((await redeem(d)).statusCode).toBe(200);
  });

  it('refuses a code that was not approved, or was denied', async () => {
    const d = await desktop();
    await onPhone(d.code, 'scan');
    const pending = await redeem(d);
    expect(pending.statusCode).toBe(409);
    expect(pending.json()).toMatchObject({ qrStatus: 'scanned' });

    expect((await onPhone(d.code, 'deny')).json()).toEqual({ status: 'denied' });
    const denied = await redeem(d);
    expect(denied.statusCode).toBe(409);
    expect(denied.json()).toMatchObject({ qrStatus: 'denied' });
    // A denied code cannot be approved afterwards.
    expect((await onPhone(d.code, 'approve')).statusCode).toBe(409);
    expect(await refusals(d.code)).toEqual(['not_approved', 'denied', 'denied']);
  });

  it('requires a signed-in person on the phone', async () => {
    const d = await desktop();
    const anonymous = await onPhone(d.code, 'approve', '');
    expect(anonymous.statusCode).toBe(401);
    const staff = await onPhone(d.code, 'approve', await t.bearer('window_clerk'));
    expect(staff.statusCode).toBe(403);
    const [row] = await t.db.query<{ status: string; account_id: string | null }>(
      'select status, account_id from identity_qr_login where id = $1',
      [sha256(d.code)],
    );
    expect(row).toEqual({ status: 'pending', account_id: null });
  });

  it('answers 404 for an unknown code', async () => {
    const res = await onPhone('A'.repeat(32), 'approve');
    expect(res.statusCode).toBe(404);
  });
});
