import type { AddressInfo } from 'node:net';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from '../../src/kernel/crypto.ts';
import { createRng, generateUscc } from '../../src/kernel/identifiers/index.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { personSession } from '../helpers/identity.ts';

/**
 * Single sign-on as a department system does it: openid-client against the platform
 * listening on a real port, a browser simulated by fetch with a cookie jar.
 */

const REDIRECT_URI = 'http://127.0.0.1:9/callback';
const POST_LOGOUT_URI = 'http://127.0.0.1:9/signed-out';
const insecure = { execute: [oidc.allowInsecureRequests] };
/** A failed client_secret_basic authentication: 401 with a Basic challenge naming the error. */
const invalidClient = { status: 401, cause: [{ scheme: 'basic', parameters: { error: 'invalid_client' } }] };

interface Cookie {
  value: string;
  path: string;
}

/** A browser: follows nothing by itself, keeps cookies by name and path. */
class Browser {
  readonly cookies = new Map<string, Cookie>();

  constructor(readonly origin: string) {}

  cookieHeader(url: URL): string {
    return [...this.cookies.entries()]
      .filter(([, c]) => url.pathname.startsWith(c.path))
      .map(([name, c]) => `${name}=${c.value}`)
      .join('; ');
  }

  async fetch(target: string, init: RequestInit = {}): Promise<Response> {
    const url = new URL(target, this.origin);
    const headers = new Headers(init.headers);
    const cookie = this.cookieHeader(url);
    if (cookie) headers.set('cookie', cookie);
    const response = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';').map((s) => s.trim());
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq);
      const value = pair!.slice(eq + 1);
      const path = attributes.find((a) => a.toLowerCase().startsWith('path='))?.slice(5) ?? '/';
      const expires = attributes.find((a) => a.toLowerCase().startsWith('expires='))?.slice(8);
      if (value === '' || (expires && new Date(expires).getTime() < Date.now())) this.cookies.delete(name);
      else this.cookies.set(name, { value, path });
    }
    return response;
  }

  /** Follows 3xx redirects within the platform; stops at (and returns) the first one leaving it. */
  async navigate(target: string): Promise<{ response: Response; url: string }> {
    let url = new URL(target, this.origin).toString();
    for (let hops = 0; hops < 10; hops++) {
      const response = await this.fetch(url);
      const location = response.headers.get('location');
      if (response.status < 300 || response.status >= 400 || !location) return { response, url };
      url = new URL(location, url).toString();
      if (!url.startsWith(this.origin)) return { response, url };
    }
    throw new Error('too many redirects');
  }
}

describe('OIDC provider (single sign-on)', () => {
  let t: TestApp;
  let issuer: string;
  let adminAuth: string;
  let clientId: string;
  let clientSecret: string;
  let config: oidc.Configuration;
  let person: { accountId: string; phone: string; authorization: string };
  let enterprise: { id: string; uscc: string; memberId: string };

  /** A browser signed in to the platform with a cookie session (acting for the enterprise if asked). */
  async function signedInBrowser(
    acting = false,
  ): Promise<{ browser: Browser; csrf: string; sessionToken: string }> {
    const opened = await t.app.identity.sessions.open(t.db, person.accountId, 'cookie', {
      actingMemberId: acting ? enterprise.memberId : null,
    });
    const browser = new Browser(issuer);
    browser.cookies.set('tb_session', { value: opened.token, path: '/' });
    browser.cookies.set('tb_csrf', { value: opened.csrfToken!, path: '/' });
    return { browser, csrf: opened.csrfToken!, sessionToken: opened.token };
  }

  async function startLogin(scope: string, extra: Record<string, string> = {}) {
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT_URI,
      scope,
      state,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      ...extra,
    });
    return { url: url.toString(), verifier, state };
  }

  beforeAll(async () => {
    t = await createTestApp();
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    issuer = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    // Read by the provider when first used, after the port is known.
    process.env.OIDC_ISSUER = issuer;
    adminAuth = await t.bearer('system_admin');

    person = await personSession(t.app, t.db, { assurance: 2 });
    const uscc = generateUscc(createRng(42));
    const [created] = await t.db.query<{ id: string }>(
      `insert into identity_enterprise (uscc, name, legal_representative_name, region_code, verified_at, created_by)
       values ($1, '示例市测试科技有限公司', '测试用户', '990000000000', now(), $2) returning id`,
      [uscc, person.accountId],
    );
    const [member] = await t.db.query<{ id: string }>(
      `insert into identity_enterprise_member (enterprise_id, account_id, role, appointed_by)
       values ($1, $2, 'owner', $2) returning id`,
      [created!.id, person.accountId],
    );
    enterprise = { id: created!.id, uscc, memberId: member!.id };

    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/identity/oidc-clients',
      headers: { authorization: adminAuth },
      payload: {
        name: '市场监管业务系统',
        redirectUris: [REDIRECT_URI],
        postLogoutRedirectUris: [POST_LOGOUT_URI],
        grantTypes: ['authorization_code', 'refresh_token'],
        scopes: ['openid', 'profile', 'phone', 'enterprise', 'offline_access'],
      },
    });
    expect(response.statusCode, response.body).toBe(201);
    ({ clientId, clientSecret } = response.json<{ clientId: string; clientSecret: string }>());
    config = await oidc.discovery(
      new URL(issuer),
      clientId,
      clientSecret,
      oidc.ClientSecretBasic(clientSecret),
      insecure,
    );
  });

  afterAll(async () => {
    delete process.env.OIDC_ISSUER;
    await t?.drop();
  });

  it('publishes discovery with the endpoints under /oidc and PKCE S256', () => {
    const server = config.serverMetadata();
    expect(server.issuer).toBe(issuer);
    expect(server.authorization_endpoint).toBe(`${issuer}/oidc/auth`);
    expect(server.token_endpoint).toBe(`${issuer}/oidc/token`);
    expect(server.userinfo_endpoint).toBe(`${issuer}/oidc/me`);
    expect(server.end_session_endpoint).toBe(`${issuer}/oidc/session/end`);
    expect(server.introspection_endpoint).toBe(`${issuer}/oidc/token/introspection`);
    expect(server.revocation_endpoint).toBe(`${issuer}/oidc/token/revocation`);
    expect(server.code_challenge_methods_supported).toEqual(['S256']);
    expect(server.scopes_supported).toEqual(expect.arrayContaining(['openid', 'phone', 'enterprise']));
  });

  it('signs a person in with the platform session, with consent for the acting enterprise, then refreshes and logs out', async () => {
    const { browser, csrf, sessionToken } = await signedInBrowser(true);
    const login = await startLogin('openid profile phone enterprise');

    // The authorization request lands on the interaction, which asks for consent (JSON here).
    const interaction = await browser.navigate(login.url);
    expect(interaction.response.status).toBe(200);
    expect(new URL(interaction.url).pathname).toMatch(/^\/oidc\/interaction\/[\w-]+$/);
    const consent = (await interaction.response.json()) as { confirm: string };
    expect(consent).toMatchObject({
      client: { clientId, name: '市场监管业务系统' },
      enterprise: { uscc: enterprise.uscc, role: 'owner' },
    });

    // Confirming is a cookie-authenticated POST: without the CSRF header it is refused.
    const noCsrf = await browser.fetch(consent.confirm, { method: 'POST' });
    expect(noCsrf.status).toBe(403);
    const confirmed = await browser.fetch(consent.confirm, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-csrf-token': csrf },
      body: JSON.stringify({ releaseEnterprise: true }),
    });
    expect(confirmed.status).toBe(200);
    const { redirectTo } = (await confirmed.json()) as { redirectTo: string };
    const back = await browser.navigate(redirectTo);
    expect(back.url.startsWith(REDIRECT_URI)).toBe(true);

    const tokens = await oidc.authorizationCodeGrant(config, new URL(back.url), {
      pkceCodeVerifier: login.verifier,
      expectedState: login.state,
    });
    const idToken = tokens.claims()!;
    expect(idToken.sub).toBe(person.accountId);
    expect(idToken.acr).toBe('urn:tongban:loa:2');
    expect(idToken.auth_time).toEqual(expect.any(Number));
    expect(tokens.refresh_token).toBeTruthy();

    const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, person.accountId);
    expect(userinfo).toMatchObject({
      sub: person.accountId,
      assurance_level: 2,
      real_name_verified: false,
      name: '测试用户',
      phone_number: person.phone,
      acting_enterprise: { uscc: enterprise.uscc, name: '示例市测试科技有限公司', role: 'owner' },
    });

    const introspected = await oidc.tokenIntrospection(config, tokens.access_token);
    expect(introspected).toMatchObject({ active: true, sub: person.accountId, client_id: clientId });

    // Refresh: a new access token works.
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    expect(refreshed.access_token).not.toBe(tokens.access_token);
    expect((await oidc.fetchUserInfo(config, refreshed.access_token, person.accountId)).sub).toBe(
      person.accountId,
    );

    // A second sign-in of the same browser goes straight through (consent remembered for this grant).
    const again = await startLogin('openid enterprise');
    const direct = await browser.navigate(again.url);
    expect(direct.url.startsWith(REDIRECT_URI)).toBe(true);

    // RP-initiated logout: the confirmation form, then back to the registered URI.
    const endSession = oidc.buildEndSessionUrl(config, {
      id_token_hint: tokens.id_token!,
      post_logout_redirect_uri: POST_LOGOUT_URI,
      state: 'bye',
    });
    const form = await browser.navigate(endSession.toString());
    expect(form.response.status).toBe(200);
    const html = await form.response.text();
    const action = /action="([^"]+)"/.exec(html)![1]!;
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(html)![1]!;
    const loggedOut = await browser.fetch(action.replaceAll('&amp;', '&'), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ xsrf, logout: 'yes' }).toString(),
    });
    expect(loggedOut.status).toBe(303);
    expect(loggedOut.headers.get('location')).toBe(`${POST_LOGOUT_URI}?state=bye`);

    // Logged out everywhere: the platform session and the refresh token are dead.
    expect(
      await t.app.identity.sessions.resolve(sessionToken, 'cookie', { ip: '127.0.0.1', id: 'test' }),
    ).toBeNull();
    await expect(oidc.refreshTokenGrant(config, refreshed.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });

    const actions = await t.db.query<{ action: string }>(
      `select action from audit_log where action like 'oidc.%' order by id`,
    );
    expect(actions.map((a) => a.action)).toEqual(
      expect.arrayContaining(['oidc.client.register', 'oidc.consent', 'oidc.login', 'oidc.logout']),
    );
  });

  it('releases no enterprise when the person withholds it, and no phone without the phone scope', async () => {
    const { browser, csrf } = await signedInBrowser(true);
    const login = await startLogin('openid enterprise');
    const interaction = await browser.navigate(login.url);
    const page = await browser.fetch(interaction.url, { headers: { accept: 'text/html' } });
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await page.text()).toContain('示例市测试科技有限公司');
    const consent = (await interaction.response.json()) as { confirm: string };
    const confirmed = await browser.fetch(consent.confirm, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-csrf-token': csrf },
      body: JSON.stringify({ releaseEnterprise: false }),
    });
    const back = await browser.navigate(((await confirmed.json()) as { redirectTo: string }).redirectTo);
    const tokens = await oidc.authorizationCodeGrant(config, new URL(back.url), {
      pkceCodeVerifier: login.verifier,
      expectedState: login.state,
    });
    const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, person.accountId);
    expect(userinfo.sub).toBe(person.accountId);
    expect(userinfo.assurance_level).toBe(2);
    expect(userinfo).not.toHaveProperty('acting_enterprise');
    expect(userinfo).not.toHaveProperty('phone_number');
    expect(userinfo).not.toHaveProperty('name');

    // Refresh tokens rotate: replaying a spent one is refused and revokes the whole grant.
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    await expect(oidc.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
    await expect(oidc.refreshTokenGrant(config, refreshed.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
  });

  it('sends a browser without a platform session to the login page', async () => {
    const browser = new Browser(issuer);
    const login = await startLogin('openid');
    const toInteraction = await browser.fetch(login.url);
    expect(toInteraction.status).toBe(303);
    const response = await browser.fetch(toInteraction.headers.get('location')!);
    expect(response.status).toBe(303);
    const target = new URL(response.headers.get('location')!, issuer);
    expect(target.pathname).toBe('/login');
    expect(target.searchParams.get('return')).toMatch(/^\/oidc\/interaction\/[\w-]+$/);
  });

  it('refuses a wrong PKCE verifier with invalid_grant', async () => {
    const { browser } = await signedInBrowser(false);
    const login = await startLogin('openid');
    const back = await browser.navigate(login.url);
    expect(back.url.startsWith(REDIRECT_URI)).toBe(true);
    await expect(
      oidc.authorizationCodeGrant(config, new URL(back.url), {
        pkceCodeVerifier: oidc.randomPKCECodeVerifier(),
        expectedState: login.state,
      }),
    ).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('asks for the platform login again once the platform session has ended', async () => {
    const { browser, sessionToken } = await signedInBrowser(false);
    const first = await browser.navigate((await startLogin('openid')).url);
    expect(first.url.startsWith(REDIRECT_URI)).toBe(true);
    await t.app.identity.sessions.revoke(t.db, sha256(sessionToken), 'logout');
    const second = await browser.fetch((await startLogin('openid')).url);
    expect(second.status).toBe(303);
    const interaction = await browser.fetch(second.headers.get('location')!);
    expect(interaction.status).toBe(303);
    expect(new URL(interaction.headers.get('location')!, issuer).pathname).toBe('/login');
  });

  it('requires PKCE and refuses an unregistered redirect URI without redirecting to it', async () => {
    const { browser } = await signedInBrowser(false);
    const noPkce = oidc.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT_URI,
      scope: 'openid',
      state: 's1',
    });
    const refused = await browser.navigate(noPkce.toString());
    const error = new URL(refused.url);
    expect(`${error.origin}${error.pathname}`).toBe(REDIRECT_URI);
    expect(error.searchParams.get('error')).toBe('invalid_request');

    const evil = await startLogin('openid', { redirect_uri: 'http://127.0.0.1:9/evil' });
    const response = await browser.fetch(evil.url);
    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
    expect(await response.json()).toMatchObject({ error: 'invalid_redirect_uri' });
  });

  it('issues client credentials tokens to a client allowed the grant, and forgets a removed client', async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/identity/oidc-clients',
      headers: { authorization: adminAuth },
      payload: { name: '部门应用', grantTypes: ['client_credentials'], scopes: [] },
    });
    expect(created.statusCode, created.body).toBe(201);
    const machine = created.json<{ clientId: string; clientSecret: string }>();
    const machineConfig = await oidc.discovery(
      new URL(issuer),
      machine.clientId,
      machine.clientSecret,
      oidc.ClientSecretBasic(machine.clientSecret),
      insecure,
    );
    const token = await oidc.clientCredentialsGrant(machineConfig);
    expect(token.access_token).toBeTruthy();
    expect(await oidc.tokenIntrospection(machineConfig, token.access_token)).toMatchObject({
      active: true,
      client_id: machine.clientId,
    });
    // Another client learns nothing about it.
    expect(await oidc.tokenIntrospection(config, token.access_token)).toMatchObject({ active: false });

    const wrongSecret = await oidc.discovery(
      new URL(issuer),
      machine.clientId,
      'not-the-secret',
      oidc.ClientSecretBasic('not-the-secret'),
      insecure,
    );
    await expect(oidc.clientCredentialsGrant(wrongSecret)).rejects.toMatchObject(invalidClient);

    const removed = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/identity/oidc-clients/${machine.clientId}`,
      headers: { authorization: adminAuth },
    });
    expect(removed.statusCode).toBe(204);
    await expect(oidc.clientCredentialsGrant(machineConfig)).rejects.toMatchObject(invalidClient);
  });

  it('rotates a client secret: the new one works, the old one is refused at once', async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/identity/oidc-clients',
      headers: { authorization: adminAuth },
      payload: { name: '轮换密钥的应用', grantTypes: ['client_credentials'], scopes: [] },
    });
    const machine = created.json<{ clientId: string; clientSecret: string }>();
    const withSecret = (secret: string) =>
      oidc.discovery(new URL(issuer), machine.clientId, secret, oidc.ClientSecretBasic(secret), insecure);
    const before = await withSecret(machine.clientSecret);
    expect((await oidc.clientCredentialsGrant(before)).access_token).toBeTruthy();

    const rotated = await t.app.inject({
      method: 'POST',
      url: `/api/v1/identity/oidc-clients/${machine.clientId}/rotate-secret`,
      headers: { authorization: adminAuth },
    });
    expect(rotated.statusCode, rotated.body).toBe(200);
    const { clientSecret, clientId } = rotated.json<{ clientId: string; clientSecret: string }>();
    expect(clientId).toBe(machine.clientId);
    expect(clientSecret).not.toBe(machine.clientSecret);
    expect((await oidc.clientCredentialsGrant(await withSecret(clientSecret))).access_token).toBeTruthy();
    await expect(oidc.clientCredentialsGrant(before)).rejects.toMatchObject(invalidClient);

    const unknown = await t.app.inject({
      method: 'POST',
      url: '/api/v1/identity/oidc-clients/tbc_nobody/rotate-secret',
      headers: { authorization: adminAuth },
    });
    expect(unknown.statusCode).toBe(404);
  });

  describe('client administration', () => {
    const body = {
      name: '测试系统',
      redirectUris: ['https://dept.example.gov.cn/callback'],
      grantTypes: ['authorization_code'],
      scopes: ['openid'],
    };

    it('lists and reads clients without their secrets', async () => {
      const list = await t.app.inject({
        method: 'GET',
        url: '/api/v1/identity/oidc-clients',
        headers: { authorization: adminAuth },
      });
      expect(list.statusCode).toBe(200);
      const items = list.json<{ items: { clientId: string }[] }>().items;
      expect(items.map((c) => c.clientId)).toContain(clientId);
      expect(list.body).not.toContain(clientSecret);
      const one = await t.app.inject({
        method: 'GET',
        url: `/api/v1/identity/oidc-clients/${clientId}`,
        headers: { authorization: adminAuth },
      });
      expect(one.json()).toMatchObject({ clientId, redirectUris: [REDIRECT_URI] });
      expect(one.body).not.toContain(clientSecret);
      const [stored] = await t.db.query<{ secret_enc: string }>(
        'select secret_enc from oidc_client where client_id = $1',
        [clientId],
      );
      expect(stored!.secret_enc).not.toContain(clientSecret);
    });

    it('refuses anonymous callers (401) and callers without oidc.manage (403)', async () => {
      const anonymous = await t.app.inject({
        method: 'POST',
        url: '/api/v1/identity/oidc-clients',
        payload: body,
      });
      expect(anonymous.statusCode).toBe(401);
      const anonymousList = await t.app.inject({ method: 'GET', url: '/api/v1/identity/oidc-clients' });
      expect(anonymousList.statusCode).toBe(401);
      for (const role of ['citizen', 'catalog_admin'] as const) {
        const response = await t.app.inject({
          method: 'POST',
          url: '/api/v1/identity/oidc-clients',
          headers: { authorization: await t.bearer(role) },
          payload: body,
        });
        expect(response.statusCode).toBe(403);
      }
      const del = await t.app.inject({
        method: 'DELETE',
        url: `/api/v1/identity/oidc-clients/${clientId}`,
        headers: { authorization: person.authorization },
      });
      expect(del.statusCode).toBe(403);
      const [count] = await t.db.query<{ n: number }>(
        'select count(*)::int as n from oidc_client where deleted_at is null and client_id = $1',
        [clientId],
      );
      expect(count!.n).toBe(1);
    });

    it('refuses plain-http redirect URIs to other hosts, fragments, and a code client without redirect URIs', async () => {
      const response = await t.app.inject({
        method: 'POST',
        url: '/api/v1/identity/oidc-clients',
        headers: { authorization: adminAuth },
        payload: {
          ...body,
          redirectUris: ['http://dept.example.gov.cn/callback', 'https://dept.example.gov.cn/cb#x'],
        },
      });
      expect(response.statusCode).toBe(400);
      expect(response.json().errors.map((e: { field: string }) => e.field)).toEqual([
        'redirectUris[0]',
        'redirectUris[1]',
      ]);
      const noRedirect = await t.app.inject({
        method: 'POST',
        url: '/api/v1/identity/oidc-clients',
        headers: { authorization: adminAuth },
        payload: { ...body, redirectUris: [] },
      });
      expect(noRedirect.statusCode).toBe(400);
      const unknown = await t.app.inject({
        method: 'GET',
        url: '/api/v1/identity/oidc-clients/tbc_nope',
        headers: { authorization: adminAuth },
      });
      expect(unknown.statusCode).toBe(404);
    });
  });
});
