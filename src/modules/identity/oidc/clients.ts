import { audit, type Actor } from '../../../kernel/audit.ts';
import { randomToken, type FieldCipher } from '../../../kernel/crypto.ts';
import type { Database } from '../../../kernel/db.ts';
import { notFound, textFieldError, validationError, type FieldError } from '../../../kernel/errors.ts';
import { defineMessages } from '../../../kernel/i18n.ts';

/** `exchange`: a data-sharing consumer's machine access (client credentials), see the exchange module. */
export const OIDC_SCOPES = [
  'openid',
  'profile',
  'phone',
  'enterprise',
  'offline_access',
  'exchange',
] as const;
export type OidcScope = (typeof OIDC_SCOPES)[number];
export const CLIENT_GRANT_TYPES = ['authorization_code', 'refresh_token', 'client_credentials'] as const;
export type ClientGrantType = (typeof CLIENT_GRANT_TYPES)[number];
export const CLIENT_AUTH_METHODS = ['client_secret_basic', 'client_secret_post'] as const;
export type ClientAuthMethod = (typeof CLIENT_AUTH_METHODS)[number];

const SECRET_PURPOSE = 'oidcClientSecret';

defineMessages({
  'oidc.redirectUri.scheme': {
    zh: '回调地址必须使用 https（非生产环境可使用 http://localhost 或 http://127.0.0.1）',
    en: 'must be an https URL (http://localhost or http://127.0.0.1 outside production)',
  },
  'oidc.redirectUri.fragment': { zh: '回调地址不能包含片段（#）', en: 'must not contain a fragment (#)' },
  'oidc.redirectUris.required': {
    zh: '授权码模式至少需要一个回调地址',
    en: 'the authorization_code grant needs at least one redirect URI',
  },
  'oidc.grantTypes.refreshNeedsCode': {
    zh: 'refresh_token 需要同时允许 authorization_code',
    en: 'refresh_token requires authorization_code',
  },
  'oidc.scopes.openidRequired': {
    zh: '授权码模式必须允许 openid 范围',
    en: 'the authorization_code grant requires the openid scope',
  },
  'oidc.grantTypes.duplicate': { zh: '取值重复', en: 'has duplicate values' },
});

export interface ClientRow {
  client_id: string;
  name: string;
  secret_enc: string;
  redirect_uris: string[];
  post_logout_redirect_uris: string[];
  grant_types: ClientGrantType[];
  scopes: OidcScope[];
  token_endpoint_auth_method: ClientAuthMethod;
  created_by: string | null;
  created_at: Date;
}

export interface ClientInput {
  name: string;
  redirectUris?: string[] | undefined;
  postLogoutRedirectUris?: string[] | undefined;
  grantTypes: ClientGrantType[];
  scopes: OidcScope[];
  tokenEndpointAuthMethod?: ClientAuthMethod | undefined;
}

/** A client as administrators see it (the secret is shown only once, at registration). */
export interface ClientView {
  clientId: string;
  name: string;
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  grantTypes: ClientGrantType[];
  scopes: OidcScope[];
  tokenEndpointAuthMethod: ClientAuthMethod;
  createdBy: string | null;
  createdAt: string;
}

const fieldErr = (field: string, key: string): FieldError =>
  textFieldError(field, key.split('.').pop()!, key);

/**
 * https only; plain http to the loopback host is allowed outside production so that a
 * department system can be developed on a laptop. No fragments (RFC 6749 3.1.2).
 */
function uriProblem(uri: string, production: boolean): string | null {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return 'oidc.redirectUri.scheme';
  }
  if (url.hash !== '' || uri.includes('#')) return 'oidc.redirectUri.fragment';
  if (url.protocol === 'https:') return null;
  const loopback = url.hostname === 'localhost' || url.hostname === '127.0.0.1';
  if (url.protocol === 'http:' && loopback && !production) return null;
  return 'oidc.redirectUri.scheme';
}

export function validateClientInput(input: ClientInput, production: boolean): void {
  const errors: FieldError[] = [];
  const redirectUris = input.redirectUris ?? [];
  redirectUris.forEach((uri, i) => {
    const problem = uriProblem(uri, production);
    if (problem) errors.push(fieldErr(`redirectUris[${i}]`, problem));
  });
  (input.postLogoutRedirectUris ?? []).forEach((uri, i) => {
    const problem = uriProblem(uri, production);
    if (problem) errors.push(fieldErr(`postLogoutRedirectUris[${i}]`, problem));
  });
  if (new Set(input.grantTypes).size !== input.grantTypes.length) {
    errors.push(fieldErr('grantTypes', 'oidc.grantTypes.duplicate'));
  }
  const code = input.grantTypes.includes('authorization_code');
  if (code && redirectUris.length === 0) errors.push(fieldErr('redirectUris', 'oidc.redirectUris.required'));
  if (code && !input.scopes.includes('openid')) errors.push(fieldErr('scopes', 'oidc.scopes.openidRequired'));
  if (input.grantTypes.includes('refresh_token') && !code) {
    errors.push(fieldErr('grantTypes', 'oidc.grantTypes.refreshNeedsCode'));
  }
  if (errors.length > 0) throw validationError(errors);
}

/** The client metadata oidc-provider expects, with the secret decrypted. */
export function clientMetadata(row: ClientRow, cipher: FieldCipher): Record<string, unknown> {
  const code = row.grant_types.includes('authorization_code');
  return {
    client_id: row.client_id,
    client_secret: cipher.decrypt(row.secret_enc, SECRET_PURPOSE),
    client_name: row.name,
    redirect_uris: row.redirect_uris,
    post_logout_redirect_uris: row.post_logout_redirect_uris,
    grant_types: row.grant_types,
    response_types: code ? ['code'] : [],
    ...(row.scopes.length > 0 && { scope: row.scopes.join(' ') }),
    token_endpoint_auth_method: row.token_endpoint_auth_method,
    id_token_signed_response_alg: 'RS256',
  };
}

function toView(row: ClientRow): ClientView {
  return {
    clientId: row.client_id,
    name: row.name,
    redirectUris: row.redirect_uris,
    postLogoutRedirectUris: row.post_logout_redirect_uris,
    grantTypes: row.grant_types,
    scopes: row.scopes,
    tokenEndpointAuthMethod: row.token_endpoint_auth_method,
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
  };
}

const COLUMNS = `client_id, name, secret_enc, redirect_uris, post_logout_redirect_uris, grant_types, scopes,
  token_endpoint_auth_method, created_by, created_at`;

/** Registers a department system; the plain secret is in the result and nowhere else in clear. */
export async function registerClient(
  db: Database,
  cipher: FieldCipher,
  input: ClientInput,
  actor: Actor,
  production: boolean,
): Promise<ClientView & { clientSecret: string }> {
  validateClientInput(input, production);
  const clientId = `tbc_${randomToken(12)}`;
  const clientSecret = randomToken(32);
  return db.transaction(async (tx) => {
    const [row] = await tx.query<ClientRow>(
      `insert into oidc_client (client_id, name, secret_enc, redirect_uris, post_logout_redirect_uris,
                                grant_types, scopes, token_endpoint_auth_method, created_by)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9) returning ${COLUMNS}`,
      [
        clientId,
        input.name,
        cipher.encrypt(clientSecret, SECRET_PURPOSE),
        input.redirectUris ?? [],
        input.postLogoutRedirectUris ?? [],
        input.grantTypes,
        input.scopes,
        input.tokenEndpointAuthMethod ?? 'client_secret_basic',
        actor.actor === 'anonymous' ? null : actor.actor,
      ],
    );
    const view = toView(row!);
    await audit(tx, {
      ...actor,
      action: 'oidc.client.register',
      entity: 'oidc_client',
      entityId: clientId,
      after: view,
    });
    return { ...view, clientSecret };
  });
}

export async function listClients(db: Database): Promise<ClientView[]> {
  const rows = await db.query<ClientRow>(
    `select ${COLUMNS} from oidc_client where deleted_at is null order by created_at, client_id`,
  );
  return rows.map(toView);
}

export async function getClient(db: Database, clientId: string): Promise<ClientView> {
  const [row] = await db.query<ClientRow>(
    `select ${COLUMNS} from oidc_client where client_id = $1 and deleted_at is null`,
    [clientId],
  );
  if (!row) throw notFound(`No OIDC client ${clientId}`);
  return toView(row);
}

/** A new secret for a client (shown once); the old one stops working at once. */
export async function rotateClientSecret(
  db: Database,
  cipher: FieldCipher,
  clientId: string,
  actor: Actor,
): Promise<ClientView & { clientSecret: string }> {
  const clientSecret = randomToken(32);
  return db.transaction(async (tx) => {
    const [row] = await tx.query<ClientRow>(
      `update oidc_client set secret_enc = $2 where client_id = $1 and deleted_at is null returning ${COLUMNS}`,
      [clientId, cipher.encrypt(clientSecret, SECRET_PURPOSE)],
    );
    if (!row) throw notFound(`No OIDC client ${clientId}`);
    await audit(tx, {
      ...actor,
      action: 'oidc.client.rotate_secret',
      entity: 'oidc_client',
      entityId: clientId,
    });
    return { ...toView(row), clientSecret };
  });
}

/** Removes a client: it stops working at once, and its grants and tokens are deleted. */
export async function deleteClient(db: Database, clientId: string, actor: Actor): Promise<void> {
  await db.transaction(async (tx) => {
    const [row] = await tx.query<ClientRow>(
      `update oidc_client set deleted_at = now(), deleted_by = $2
        where client_id = $1 and deleted_at is null returning ${COLUMNS}`,
      [clientId, actor.actor === 'anonymous' ? null : actor.actor],
    );
    if (!row) throw notFound(`No OIDC client ${clientId}`);
    await tx.query(`delete from oidc_payload where payload->>'clientId' = $1`, [clientId]);
    await audit(tx, {
      ...actor,
      action: 'oidc.client.delete',
      entity: 'oidc_client',
      entityId: clientId,
      before: toView(row),
    });
  });
}
