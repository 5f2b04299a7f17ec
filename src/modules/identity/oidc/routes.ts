/**
 * Single sign-on (统一身份认证): a built-in OpenID Connect provider (oidc-provider, a Koa
 * app) mounted inside the platform. Department systems registered by administrators sign
 * users in with the platform identity: authorization code + PKCE, refresh tokens,
 * RP-initiated logout, introspection, revocation, client credentials.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import { Type } from 'typebox';
import { audit } from '../../../kernel/audit.ts';
import { actorOf, SESSION_COOKIE, type Principal } from '../../../kernel/auth.ts';
import { sha256 } from '../../../kernel/crypto.ts';
import { AppError } from '../../../kernel/errors.ts';
import type { App } from '../../../kernel/http.ts';
import type { IdentityContext } from '../context.ts';
import {
  CLIENT_AUTH_METHODS,
  CLIENT_GRANT_TYPES,
  deleteClient,
  rotateClientSecret,
  getClient,
  listClients,
  OIDC_SCOPES,
  registerClient,
} from './clients.ts';
import { escapeHtml } from '../../../kernel/html.ts';
import { ASSURANCE_ACR, createProvider, interactionPath, oidcIssuer, page } from './provider.ts';
import { purgeExpired } from './adapter.ts';

const PURGE_INTERVAL_MS = 10 * 60_000;
// Dynamic registration is off, so the provider answers only these (OPTIONS: CORS preflight).
const PROTOCOL_METHODS = ['GET', 'HEAD', 'POST', 'OPTIONS'] as const;
const DISCOVERY_METHODS = ['GET', 'HEAD', 'OPTIONS'] as const;

const tags = ['identity'];
const security: Record<string, string[]>[] = [{ bearer: [] }, { cookie: [] }];

const ClientBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    redirectUris: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 500 }), { maxItems: 20 })),
    postLogoutRedirectUris: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 500 }), { maxItems: 20 }),
    ),
    grantTypes: Type.Array(Type.Enum([...CLIENT_GRANT_TYPES]), { minItems: 1, maxItems: 3 }),
    scopes: Type.Array(Type.Enum([...OIDC_SCOPES]), { maxItems: OIDC_SCOPES.length, uniqueItems: true }),
    tokenEndpointAuthMethod: Type.Optional(Type.Enum([...CLIENT_AUTH_METHODS])),
  },
  { additionalProperties: false },
);

const ClientView = Type.Object({
  clientId: Type.String(),
  name: Type.String(),
  redirectUris: Type.Array(Type.String()),
  postLogoutRedirectUris: Type.Array(Type.String()),
  grantTypes: Type.Array(Type.String()),
  scopes: Type.Array(Type.String()),
  tokenEndpointAuthMethod: Type.String(),
  createdBy: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
});

const ClientIdParams = Type.Object({ clientId: Type.String({ minLength: 1, maxLength: 100 }) });
const UidParams = Type.Object({
  uid: Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9_-]+$' }),
});

const ConsentView = Type.Object({
  uid: Type.String(),
  client: Type.Object({ clientId: Type.String(), name: Type.String() }),
  scopes: Type.Array(Type.String()),
  enterprise: Type.Object({ uscc: Type.String(), name: Type.String(), role: Type.String() }),
  confirm: Type.String({ description: 'POST here (with x-csrf-token) to consent' }),
  abort: Type.String({ description: 'POST here (with x-csrf-token) to refuse' }),
});
const Redirect = Type.Object({ redirectTo: Type.String() });

type InteractionDetails = Awaited<ReturnType<Provider['interactionDetails']>>;

export async function oidcRoutes(app: App, ctx: IdentityContext): Promise<void> {
  const { db, auth, cipher, config } = ctx;
  const production = config.nodeEnv === 'production';

  let providerPromise: Promise<Provider> | undefined;
  let callback: ReturnType<Provider['callback']> | undefined;
  // Created on first use: the issuer (OIDC_ISSUER) may only be known once the server listens.
  const getProvider = () =>
    (providerPromise ??= createProvider(ctx, oidcIssuer(config.port), (koa) => platformLogout(koa)).then(
      (provider) => {
        provider.on('server_error', (_koa: unknown, err: Error) =>
          app.log.error({ err }, 'OIDC provider error'),
        );
        callback = provider.callback();
        return provider;
      },
      (error: unknown) => {
        providerPromise = undefined;
        throw error;
      },
    ));

  // Resource servers of the platform (data sharing) accept the provider's client credentials tokens.
  ctx.clientCredentialsToken = async (token) => {
    const found = await (await getProvider()).ClientCredentials.find(token);
    return found ? { clientId: found.clientId!, scopes: [...found.scopes] } : null;
  };

  /** A full logout at the provider (RP-initiated) also ends the platform session of the browser. */
  async function platformLogout(koa: KoaContextWithOIDC): Promise<void> {
    const token = koa.cookies.get(SESSION_COOKIE, { signed: false });
    if (!token) return;
    const resolved = await ctx.sessions.resolve(token, 'cookie', { ip: koa.ip, id: 'oidc' });
    await ctx.sessions.revoke(db, sha256(token), 'oidc_logout');
    koa.cookies.set(SESSION_COOKIE, null, { signed: false, path: '/' });
    if (resolved) {
      await audit(db, {
        actor: resolved.principal.sub,
        action: 'oidc.logout',
        entity: 'identity_account',
        entityId: resolved.principal.sub,
        after: { clientId: koa.oidc.client?.clientId ?? null },
        ip: koa.ip,
      });
    }
  }

  const purge = setInterval(() => {
    purgeExpired(db).catch((err: unknown) => app.log.warn({ err }, 'OIDC purge failed'));
  }, PURGE_INTERVAL_MS);
  purge.unref();
  app.addHook('onClose', async () => clearInterval(purge));

  // The protocol endpoints belong to the provider: Fastify hands it the untouched request
  // (its body unread, so the provider parses the token endpoint's form itself).
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, _payload, done) => done(null));
    const handler = async (request: FastifyRequest, reply: FastifyReply) => {
      await getProvider();
      reply.hijack();
      await callback!(request.raw, reply.raw);
    };
    const options = { config: { ownAuthentication: true }, schema: { hide: true } };
    scope.route({
      method: [...DISCOVERY_METHODS],
      url: '/.well-known/openid-configuration',
      ...options,
      handler,
    });
    scope.route({ method: [...PROTOCOL_METHODS], url: '/oidc/*', ...options, handler });
  });

  // --- Login and consent interaction: the platform session is the login -----------------

  const loadInteraction = async (
    request: FastifyRequest,
    reply: FastifyReply,
    uid: string,
  ): Promise<InteractionDetails> => {
    const provider = await getProvider();
    let details: InteractionDetails;
    try {
      details = await provider.interactionDetails(request.raw, reply.raw);
    } catch {
      throw new AppError(
        'bad_request',
        'The sign-on request expired or was finished: start again from the department system',
      );
    }
    if (details.uid !== uid)
      throw new AppError('bad_request', 'The sign-on request does not match this browser');
    return details;
  };

  const requestedScopes = (details: InteractionDetails) =>
    String(details.params.scope ?? '')
      .split(' ')
      .filter((s) => s !== '');

  /** True when the acting enterprise would be released and the person has not consented to it for this grant. */
  const needsEnterpriseConsent = async (details: InteractionDetails, principal: Principal) => {
    if (!principal.acting || !requestedScopes(details).includes('enterprise')) return false;
    if (!details.grantId) return true;
    const rows = await db.query(
      'select 1 from oidc_grant_enterprise where grant_id = $1 and member_id = $2 and account_id = $3',
      [details.grantId, principal.acting.memberId, principal.sub],
    );
    return rows.length === 0;
  };

  /** Finishes the interaction: login as the platform principal, consent to the requested scopes. */
  const finish = async (
    request: FastifyRequest,
    reply: FastifyReply,
    details: InteractionDetails,
    principal: Principal,
    releaseEnterprise: boolean,
  ): Promise<string> => {
    const provider = await getProvider();
    const clientId = String(details.params.client_id);
    // Every requested scope is granted; the acting enterprise is released only with the consent row below.
    const release = releaseEnterprise && principal.acting !== null;
    const scopes = requestedScopes(details);
    let grant = details.grantId ? await provider.Grant.find(details.grantId) : undefined;
    if (grant && (grant.accountId !== principal.sub || grant.clientId !== clientId)) grant = undefined;
    grant ??= new provider.Grant({ accountId: principal.sub, clientId });
    grant.addOIDCScope(scopes.join(' '));
    const missingClaims = details.prompt.details.missingOIDCClaims as string[] | undefined;
    if (missingClaims?.length) grant.addOIDCClaims(missingClaims);
    const grantId = await grant.save();
    const acr = ASSURANCE_ACR(principal.assurance);
    const actor = actorOf(request);
    await db.transaction(async (tx) => {
      await tx.query('delete from oidc_grant_enterprise where grant_id = $1', [grantId]);
      if (release) {
        await tx.query(
          'insert into oidc_grant_enterprise (grant_id, account_id, member_id) values ($1, $2, $3)',
          [grantId, principal.sub, principal.acting!.memberId],
        );
        await audit(tx, {
          ...actor,
          action: 'oidc.consent',
          entity: 'oidc_client',
          entityId: clientId,
          after: { scopes, actingEnterprise: principal.acting!.uscc },
        });
      }
      await audit(tx, {
        ...actor,
        action: 'oidc.login',
        entity: 'identity_account',
        entityId: principal.sub,
        after: { clientId, scopes, acr },
      });
    });
    return provider.interactionResult(
      request.raw,
      reply.raw,
      { login: { accountId: principal.sub, acr, remember: true }, consent: { grantId } },
      { mergeWithLastSubmission: false },
    );
  };

  /** The consent answers need the platform session; the provider decides the rest. */
  const sessionFirst = { preHandler: ctx.auth.signedIn() };

  app.get(
    '/oidc/interaction/:uid',
    {
      schema: {
        tags,
        summary: 'Single sign-on: sign in with the platform session, or show what a department system asks',
        description:
          'Without a platform session the browser is sent to /login?return=<this URL>. With one, the sign-in ' +
          'finishes (303 to the department system) unless the system asks for the acting enterprise, which ' +
          'needs consent: then the request is described (JSON, or a small page for browsers).',
        params: UidParams,
        security,
        response: { 200: ConsentView },
      },
    },
    async (request, reply) => {
      const { uid } = request.params;
      const details = await loadInteraction(request, reply, uid);
      const principal = request.principal;
      if (!principal) {
        return reply.redirect(`/login?return=${encodeURIComponent(interactionPath(uid))}`, 303);
      }
      reply.header('cache-control', 'no-store');
      if (!(await needsEnterpriseConsent(details, principal))) {
        return reply.redirect(await finish(request, reply, details, principal, false), 303);
      }
      const provider = await getProvider();
      const client = await provider.Client.find(String(details.params.client_id));
      const view = {
        uid,
        client: {
          clientId: String(details.params.client_id),
          name: client?.clientName ?? String(details.params.client_id),
        },
        scopes: requestedScopes(details),
        enterprise: {
          uscc: principal.acting!.uscc,
          name: principal.acting!.name,
          role: principal.acting!.role,
        },
        confirm: `${interactionPath(uid)}/confirm`,
        abort: `${interactionPath(uid)}/abort`,
      };
      if (!String(request.headers.accept ?? '').includes('text/html')) return view;
      return reply.type('text/html; charset=utf-8').send(consentPage(view) as never);
    },
  );

  app.post(
    '/oidc/interaction/:uid/confirm',
    {
      ...sessionFirst,
      schema: {
        tags,
        summary: 'Single sign-on: consent and finish the sign-in',
        description:
          'releaseEnterprise (default true) releases the acting enterprise to the department system.',
        params: UidParams,
        body: Type.Optional(
          Type.Object({ releaseEnterprise: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
        ),
        security,
        response: { 200: Redirect },
      },
    },
    async (request, reply) => {
      const principal = request.principal!;
      const details = await loadInteraction(request, reply, request.params.uid);
      reply.header('cache-control', 'no-store');
      const release = request.body?.releaseEnterprise ?? true;
      return { redirectTo: await finish(request, reply, details, principal, release) };
    },
  );

  app.post(
    '/oidc/interaction/:uid/abort',
    {
      ...sessionFirst,
      schema: {
        tags,
        summary: 'Single sign-on: refuse; the department system gets access_denied',
        params: UidParams,
        security,
        response: { 200: Redirect },
      },
    },
    async (request, reply) => {
      await loadInteraction(request, reply, request.params.uid);
      const provider = await getProvider();
      const redirectTo = await provider.interactionResult(
        request.raw,
        reply.raw,
        { error: 'access_denied', error_description: 'The user refused the sign-in' },
        { mergeWithLastSubmission: false },
      );
      return { redirectTo };
    },
  );

  // --- Client registration by administrators ---------------------------------------------

  const admin = { preHandler: auth.require('oidc.manage') };

  app.post(
    '/api/v1/identity/oidc-clients',
    {
      ...admin,
      schema: {
        tags,
        summary: 'Register a department system for single sign-on (the secret is shown only now)',
        body: ClientBody,
        security,
        response: { 201: Type.Intersect([ClientView, Type.Object({ clientSecret: Type.String() })]) },
      },
    },
    async (request, reply) => {
      const created = await registerClient(db, cipher, request.body, actorOf(request), production);
      reply.header('cache-control', 'no-store');
      return reply.code(201).send(created);
    },
  );

  app.get(
    '/api/v1/identity/oidc-clients',
    {
      ...admin,
      schema: {
        tags,
        summary: 'Department systems registered for single sign-on',
        security,
        response: { 200: Type.Object({ items: Type.Array(ClientView) }) },
      },
    },
    async () => ({ items: await listClients(db) }),
  );

  app.get(
    '/api/v1/identity/oidc-clients/:clientId',
    {
      ...admin,
      schema: {
        tags,
        summary: 'One department system registered for single sign-on',
        params: ClientIdParams,
        security,
        response: { 200: ClientView },
      },
    },
    async (request) => getClient(db, request.params.clientId),
  );

  app.post(
    '/api/v1/identity/oidc-clients/:clientId/rotate-secret',
    {
      ...admin,
      schema: {
        tags,
        summary: 'A new client secret (shown only now); the old one stops working at once',
        params: ClientIdParams,
        security,
        response: { 200: Type.Intersect([ClientView, Type.Object({ clientSecret: Type.String() })]) },
      },
    },
    async (request, reply) => {
      const rotated = await rotateClientSecret(db, cipher, request.params.clientId, actorOf(request));
      reply.header('cache-control', 'no-store');
      return rotated;
    },
  );

  app.delete(
    '/api/v1/identity/oidc-clients/:clientId',
    {
      ...admin,
      schema: {
        tags,
        summary: 'Remove a department system: its tokens stop working at once',
        params: ClientIdParams,
        security,
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      await deleteClient(db, request.params.clientId, actorOf(request));
      return reply.code(204).send(null);
    },
  );
}

function consentPage(view: {
  client: { name: string };
  scopes: string[];
  enterprise: { uscc: string; name: string; role: string };
  confirm: string;
  abort: string;
}): string {
  const script = `
    const csrf = (document.cookie.match(/(?:^|; )tb_csrf=([^;]*)/) || [])[1] || '';
    async function go(url, body) {
      const response = await fetch(url, { method: 'POST', credentials: 'same-origin',
        headers: { 'content-type': 'application/json', 'x-csrf-token': decodeURIComponent(csrf) }, body: JSON.stringify(body) });
      const result = await response.json();
      if (result.redirectTo) location.href = result.redirectTo;
    }
    document.getElementById('allow').onclick = () => go(${JSON.stringify(view.confirm)}, { releaseEnterprise: true });
    document.getElementById('withhold').onclick = () => go(${JSON.stringify(view.confirm)}, { releaseEnterprise: false });
    document.getElementById('abort').onclick = () => go(${JSON.stringify(view.abort)}, {});`;
  return page(
    '授权确认 Consent',
    `<h1>${escapeHtml(view.client.name)} 请求获取以下信息<br>${escapeHtml(view.client.name)} asks for</h1>
     <ul><li>身份与认证等级 Identity and assurance level</li>
     <li>当前代办企业 The enterprise you act for: ${escapeHtml(view.enterprise.name)}（${escapeHtml(view.enterprise.uscc)}，${escapeHtml(view.enterprise.role)}）</li></ul>
     <p>范围 Scopes: ${view.scopes.map(escapeHtml).join(' ')}</p>
     <button id="allow">同意 Allow</button> <button id="withhold">不提供企业信息 Without the enterprise</button>
     <button id="abort">拒绝 Refuse</button><script>${script.replace(/</g, '\\u003c')}</script>`,
  );
}
