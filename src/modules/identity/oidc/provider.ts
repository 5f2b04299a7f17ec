import { createHmac } from 'node:crypto';
import Provider, {
  interactionPolicy,
  type Account,
  type Configuration,
  type KoaContextWithOIDC,
} from 'oidc-provider';
import { SESSION_COOKIE } from '../../../kernel/auth.ts';
import type { IdentityContext } from '../context.ts';
import { sqlAdapterFactory } from './adapter.ts';
import { OIDC_SCOPES } from './clients.ts';
import { loadSigningKeys } from './keys.ts';

export const ASSURANCE_ACR = (assurance: number) => `urn:tongban:loa:${assurance}`;
const ACR_VALUES = [0, 1, 2, 3].map(ASSURANCE_ACR);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Where the provider's endpoints live (discovery stays at /.well-known/openid-configuration). */
export const OIDC_ROUTES = {
  authorization: '/oidc/auth',
  token: '/oidc/token',
  userinfo: '/oidc/me',
  jwks: '/oidc/jwks',
  end_session: '/oidc/session/end',
  introspection: '/oidc/token/introspection',
  revocation: '/oidc/token/revocation',
} as const;

export const interactionPath = (uid: string) => `/oidc/interaction/${uid}`;

interface ClaimsRow {
  name: string | null;
  username: string | null;
  phone_enc: string | null;
  assurance: number;
  real_name_verified_at: Date | null;
}

interface EnterpriseRow {
  uscc: string;
  name: string;
  role: string;
}

/** Issuer: OIDC_ISSUER, else the platform on localhost (read when the provider is first needed). */
export function oidcIssuer(port: number): string {
  return (process.env.OIDC_ISSUER || `http://localhost:${port}`).replace(/\/+$/, '');
}

/**
 * Claims of an account for a department system. `sub` is the account id; the assurance
 * level is always released (systems decide what a user may do with it); the name with
 * `profile`; the real phone number only with `phone`; the acting enterprise only with
 * `enterprise` and when the person consented for this grant, while the mandate is live.
 */
async function findAccount(ctx: IdentityContext, sub: string, grantId: string | undefined) {
  if (!UUID.test(sub)) return undefined;
  const [account] = await ctx.db.query<ClaimsRow>(
    `select name, username, phone_enc, assurance, real_name_verified_at
       from identity_account where id = $1 and status = 'active'`,
    [sub],
  );
  if (!account) return undefined;
  const result: Account = {
    accountId: sub,
    async claims(_use, scope) {
      const scopes = new Set(scope.split(' '));
      const claims: Record<string, unknown> & { sub: string } = {
        sub,
        assurance_level: account.assurance,
        real_name_verified: account.real_name_verified_at !== null,
      };
      if (scopes.has('profile')) claims.name = account.name ?? account.username ?? undefined;
      if (scopes.has('phone') && account.phone_enc) {
        claims.phone_number = ctx.cipher.decrypt(account.phone_enc, 'phone');
        claims.phone_number_verified = true;
      }
      if (scopes.has('enterprise') && grantId) {
        const [enterprise] = await ctx.db.query<EnterpriseRow>(
          `select e.uscc, e.name, m.role
             from oidc_grant_enterprise g
             join identity_enterprise_member m on m.id = g.member_id and m.account_id = g.account_id
                  and m.revoked_at is null and (m.expires_at is null or m.expires_at > now())
             join identity_enterprise e on e.id = m.enterprise_id and e.status = 'active'
            where g.grant_id = $1 and g.account_id = $2`,
          [grantId, sub],
        );
        if (enterprise)
          claims.acting_enterprise = { uscc: enterprise.uscc, name: enterprise.name, role: enterprise.role };
      }
      return claims;
    },
  };
  return result;
}

/**
 * The platform session is the login: a provider session whose account is no longer the
 * one signed in to the platform in this browser (logged out, or someone else signed in)
 * must go through the interaction again.
 */
function platformSessionCheck(ctx: IdentityContext) {
  return new interactionPolicy.Check(
    'platform_session',
    'The platform session ended or belongs to another account',
    async (koa: KoaContextWithOIDC) => {
      const { oidc } = koa;
      if (oidc.result?.login) return interactionPolicy.Check.NO_NEED_TO_PROMPT;
      const accountId = oidc.session?.accountId;
      if (!accountId) return interactionPolicy.Check.REQUEST_PROMPT;
      const token = koa.cookies.get(SESSION_COOKIE, { signed: false });
      const resolved = token ? await ctx.sessions.resolve(token, 'cookie', { ip: koa.ip, id: 'oidc' }) : null;
      return resolved?.principal.sub === accountId
        ? interactionPolicy.Check.NO_NEED_TO_PROMPT
        : interactionPolicy.Check.REQUEST_PROMPT;
    },
  );
}

const deriveKey = (secret: string, label: string) =>
  createHmac('sha256', secret).update(`tongban:oidc:${label}`).digest('base64url');

export const page = (title: string, body: string) =>
  `<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title></head><body>${body}</body></html>`;

export interface PlatformLogout {
  (koa: KoaContextWithOIDC): Promise<void>;
}

/** Builds the provider: keys from the database, clients and artefacts through the SQL adapter. */
export async function createProvider(
  ctx: IdentityContext,
  issuer: string,
  onPlatformLogout: PlatformLogout,
): Promise<Provider> {
  const { config } = ctx;
  const jwks = await loadSigningKeys(ctx.db, ctx.cipher);
  const policy = interactionPolicy.base();
  policy.get('login')!.checks.add(platformSessionCheck(ctx));
  const sessionSeconds = config.sessionAbsoluteHours * 3600;

  const configuration: Configuration = {
    adapter: sqlAdapterFactory(ctx.db, ctx.cipher),
    jwks: jwks as Configuration['jwks'],
    cookies: {
      keys: [deriveKey(config.sessionSecret, 'cookies')],
      names: { session: 'tb_oidc_session', interaction: 'tb_oidc_interaction', resume: 'tb_oidc_resume' },
    },
    routes: OIDC_ROUTES,
    scopes: [...OIDC_SCOPES],
    claims: {
      acr: null,
      auth_time: null,
      iss: null,
      sid: null,
      // acr and auth_time always: a department system decides by the assurance of the login.
      openid: ['sub', 'acr', 'auth_time', 'assurance_level', 'real_name_verified'],
      profile: ['name'],
      phone: ['phone_number', 'phone_number_verified'],
      enterprise: ['acting_enterprise'],
    },
    acrValues: ACR_VALUES,
    responseTypes: ['code'],
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: {
        enabled: true,
        // A department system learns about its own tokens only.
        allowedPolicy: async (_koa, client, token) => token.clientId === client.clientId,
      },
      revocation: {
        enabled: true,
        allowedPolicy: async (_koa, client, token) => token.clientId === client.clientId,
      },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (koa, form) => {
          koa.body = page(
            '退出登录 Sign out',
            `<h1>退出统一身份认证？<br>Sign out of the platform?</h1>${form}
             <button type="submit" form="op.logoutForm" name="logout" value="yes">退出 Sign out</button>
             <button type="submit" form="op.logoutForm">保持登录 Stay signed in</button>`,
          );
        },
        postLogoutSuccessSource: async (koa) => {
          koa.body = page('已退出 Signed out', '<h1>您已安全退出。<br>You are signed out.</h1>');
        },
      },
      // Access tokens are opaque and for the userinfo endpoint; resource servers come later.
      resourceIndicators: { enabled: false },
      pushedAuthorizationRequests: { enabled: false },
    },
    // A refresh token for every client allowed the grant (rotated at each use); without
    // offline_access it dies with the provider session, hence with RP-initiated logout.
    issueRefreshToken: async (_koa, client) => client.grantTypeAllowed('refresh_token'),
    rotateRefreshToken: true,
    ttl: {
      AccessToken: 15 * 60,
      AuthorizationCode: 60,
      ClientCredentials: 10 * 60,
      IdToken: 60 * 60,
      Interaction: 15 * 60,
      RefreshToken: sessionSeconds,
      Session: sessionSeconds,
      Grant: sessionSeconds,
    },
    interactions: { policy, url: async (_koa, interaction) => interactionPath(interaction.uid) },
    findAccount: (koa, sub, token) =>
      findAccount(
        ctx,
        sub,
        (token as { grantId?: string } | undefined)?.grantId ?? koa.oidc.entities.Grant?.jti,
      ),
    clientBasedCORS: () => false,
    renderError: async (koa, out) => {
      koa.type = 'application/problem+json';
      koa.body = {
        type: 'https://tongban.dev/problems/bad-request',
        code: 'bad_request',
        status: koa.status,
        title: '单点登录请求无法处理',
        titleEn: 'The sign-on request cannot be processed',
        error: out.error,
        detail: out.error_description,
      };
    },
  };
  const provider = new Provider(issuer, configuration);
  // Behind a TLS-terminating proxy (an https issuer served by plain-HTTP Node), trust X-Forwarded-*.
  provider.proxy = issuer.startsWith('https:');
  provider.on('end_session.success', (koa: KoaContextWithOIDC) => {
    if (koa.oidc.params?.logout) (koa.state as { platformLogout?: boolean }).platformLogout = true;
  });
  provider.use(async (koa, next) => {
    await next();
    if ((koa.state as { platformLogout?: boolean }).platformLogout)
      await onPlatformLogout(koa as KoaContextWithOIDC);
  });
  return provider;
}
