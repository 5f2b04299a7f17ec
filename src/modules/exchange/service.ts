import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { sha256, type FieldCipher } from '../../kernel/crypto.ts';
import type { Database, Queryable } from '../../kernel/db.ts';
import {
  AppError,
  conflict,
  fieldError,
  forbidden,
  notFound,
  unauthorized,
  validationError,
} from '../../kernel/errors.ts';
import { checkIdentifier } from '../../kernel/identifiers/index.ts';
import { checkLicenceId } from '../../kernel/identifiers/licence-id.ts';
import { getOrganisation } from '../directory/index.ts';
import type { TransparencyLog } from '../licenses/index.ts';
import type { AccessRow, AccessWriter } from './access-writer.ts';
import { getResource, shapeRecord, type KeyKind, type Resource } from './resources.ts';

/**
 * Consumers, grants and queries of shared data. A consumer (a department's application)
 * holds an API key or an OIDC client of the platform's provider; it asks the provider for a
 * grant (purpose, fields); the provider approves it with the fields to mask, for a time.
 * Every query is checked against an approved, unexpired grant of the consumer for that
 * resource and purpose, answers only the granted fields (masked as granted), and is
 * recorded, allowed or denied, in `exchange_access`, which the sequencer seals into the
 * exchange transparency log.
 */
export interface ExchangeDeps {
  db: Database;
  cipher: FieldCipher;
  log: TransparencyLog<AccessEntry>;
  /**
   * Consumers by key id and resources by code, read once per `CACHE_MS` (the hot path of a
   * lookup is then the record and the grant-and-record statement). This process clears them
   * on every change it makes; another process sees a change within `CACHE_MS`.
   */
  cache: {
    consumers: Map<string, Cached<Record<string, unknown>>>;
    resources: Map<string, Cached<Resource>>;
    /** By consumer, resource and purpose: the active grant, or null (read once a second). */
    grants: Map<string, Cached<ActiveGrant | null>>;
  };
  /** Writes access rows with group commit. */
  accesses: AccessWriter;
  /** Reads one record of a resource by key; null when there is none. */
  records: Record<string, (db: Queryable, key: string) => Promise<Record<string, unknown>[] | null>>;
}

/** The log entry that seals one access row (canonical JSON of the row's facts). */
export interface AccessEntry extends Omit<AccessRow, 'consumerName' | 'grantId'> {
  kind: 'exchange.access';
  loggedAt: string;
  accessId: number;
  at: string;
}

export interface Cached<T> {
  value: T;
  until: number;
}
export const CACHE_MS = 5_000;

export const emptyCache = (): ExchangeDeps['cache'] => ({
  consumers: new Map(),
  resources: new Map(),
  grants: new Map(),
});

/** A grant as queries need it. */
export interface ActiveGrant {
  id: string;
  fields: string[];
  masked: string[];
  expiresAt: number;
}
export const GRANT_CACHE_MS = 1_000;

async function cached<T>(
  map: Map<string, Cached<T>>,
  key: string,
  load: () => Promise<T | undefined>,
  ms = CACHE_MS,
): Promise<T | undefined> {
  const hit = map.get(key);
  if (hit && hit.until > Date.now()) return hit.value;
  const value = await load();
  if (value === undefined) map.delete(key);
  else map.set(key, { value, until: Date.now() + ms });
  return value;
}

/** The resource, cached. */
export const resourceOf = async (deps: Pick<ExchangeDeps, 'db' | 'cache'>, code: string): Promise<Resource> =>
  (await cached(deps.cache.resources, code, () => getResource(deps.db, code)))!;

// ---- consumers -----------------------------------------------------------------------

export interface Consumer {
  id: string;
  code: string;
  name: string;
  organisationId: number;
  status: 'active' | 'disabled';
  keyId: string;
  /** The OIDC client whose client credentials tokens act as this consumer, if any. */
  oidcClientId: string | null;
  createdAt: string;
}

const API_KEY = /^dxk_([A-Za-z0-9_-]{16})\.([A-Za-z0-9_-]{43})$/;
const newSecret = () => randomBytes(32).toString('base64url');

/** Registers a consumer; the API key is returned once (`dxk_<key id>.<secret>`). */
export async function createConsumer(
  db: Queryable,
  input: { code: string; name: string; organisationId: number },
  actor: string,
): Promise<{ consumer: Consumer; apiKey: string }> {
  await getOrganisation(db, input.organisationId);
  const keyId = randomBytes(12).toString('base64url');
  const secret = newSecret();
  try {
    const [row] = await db.query<Record<string, unknown>>(
      `insert into exchange_consumer (code, name, organisation_id, key_id, key_hash, created_by)
       values ($1, $2, $3, $4, $5, $6) returning ${CONSUMER_COLUMNS}`,
      [input.code, input.name, input.organisationId, keyId, sha256(secret), actor],
    );
    return { consumer: toConsumer(row!), apiKey: `dxk_${keyId}.${secret}` };
  } catch (error) {
    if ((error as { code?: string }).code === '23505') throw conflict(`A consumer ${input.code} exists`);
    throw error;
  }
}

/** A new secret; the old one keeps working for `graceHours` so the consumer can switch. */
export async function rotateConsumerKey(db: Queryable, id: string, graceHours: number): Promise<string> {
  const secret = newSecret();
  const [row] = await db.query<{ key_id: string }>(
    `update exchange_consumer set previous_key_hash = key_hash, previous_key_until = now() + make_interval(hours => $3),
            key_hash = $2 where id = $1 returning key_id`,
    [id, sha256(secret), graceHours],
  );
  if (!row) throw notFound(`No consumer ${id}`);
  return `dxk_${row.key_id}.${secret}`;
}

export async function setConsumerStatus(
  db: Queryable,
  id: string,
  status: Consumer['status'],
): Promise<Consumer> {
  const [row] = await db.query<Record<string, unknown>>(
    `update exchange_consumer set status = $2 where id = $1 returning ${CONSUMER_COLUMNS}`,
    [id, status],
  );
  if (!row) throw notFound(`No consumer ${id}`);
  return toConsumer(row);
}

export async function findConsumer(db: Queryable, id: string): Promise<Consumer | null> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
  const [row] = await db.query<Record<string, unknown>>(
    `select ${CONSUMER_COLUMNS} from exchange_consumer where id = $1`,
    [id],
  );
  return row ? toConsumer(row) : null;
}

export async function listConsumers(db: Queryable, organisationIds: number[] | null): Promise<Consumer[]> {
  const rows = await db.query<Record<string, unknown>>(
    `select ${CONSUMER_COLUMNS} from exchange_consumer where $1::bigint[] is null or organisation_id = any($1) order by created_at`,
    [organisationIds],
  );
  return rows.map(toConsumer);
}

const CONSUMER_COLUMNS = `id, code, name, organisation_id, status, key_id, oidc_client_id, created_at`;
const toConsumer = (r: Record<string, unknown>): Consumer => ({
  id: r.id as string,
  code: r.code as string,
  name: r.name as string,
  organisationId: Number(r.organisation_id),
  status: r.status as Consumer['status'],
  keyId: r.key_id as string,
  oidcClientId: (r.oidc_client_id as string | null) ?? null,
  createdAt: (r.created_at as Date).toISOString(),
});

/** The active consumer an API key belongs to; 401 for anything else (unknown, wrong secret, disabled). */
export async function authenticateConsumer(
  deps: Pick<ExchangeDeps, 'db' | 'cache'>,
  apiKey: string | undefined,
): Promise<Consumer> {
  const match = apiKey ? API_KEY.exec(apiKey) : null;
  if (!match) throw unauthorized('An X-Api-Key header with a consumer key (dxk_…) is required');
  const row = await cached(deps.cache.consumers, match[1]!, async () => {
    const [found] = await deps.db.query<Record<string, unknown>>(
      `select ${CONSUMER_COLUMNS}, key_hash, previous_key_hash, previous_key_until > now() as previous_valid
         from exchange_consumer where key_id = $1`,
      [match[1]],
      { prepare: true },
    );
    return found;
  });
  // Stored hashes are hex SHA-256, so both sides of the constant-time comparison are 32 bytes.
  const hash = createHash('sha256').update(match[2]!, 'utf8').digest();
  const matches = (stored: unknown) =>
    typeof stored === 'string' && stored.length === 64 && timingSafeEqual(hash, Buffer.from(stored, 'hex'));
  const valid =
    row && (matches(row.key_hash) || (row.previous_valid === true && matches(row.previous_key_hash)));
  if (!valid || row.status !== 'active') throw unauthorized('The API key is not valid');
  return toConsumer(row);
}

/** Scope an OIDC client credentials token needs to act as a consumer. */
export const EXCHANGE_SCOPE = 'exchange';

/**
 * The active consumer a client credentials token of the platform's OIDC provider acts
 * for: 401 when the token is unknown, expired or revoked (`verified` is null); 403 when it
 * lacks the exchange scope, or its client is no consumer or a disabled one.
 */
export async function consumerOfClient(
  deps: Pick<ExchangeDeps, 'db' | 'cache'>,
  verified: { clientId: string; scopes: string[] } | null,
): Promise<Consumer> {
  if (!verified) throw unauthorized('The access token is not valid (unknown, expired or revoked)');
  if (!verified.scopes.includes(EXCHANGE_SCOPE))
    throw forbidden(`The access token lacks the ${EXCHANGE_SCOPE} scope`);
  const row = await cached(deps.cache.consumers, `oidc:${verified.clientId}`, async () => {
    const [found] = await deps.db.query<Record<string, unknown>>(
      `select ${CONSUMER_COLUMNS} from exchange_consumer where oidc_client_id = $1`,
      [verified.clientId],
    );
    return found;
  });
  if (!row) throw forbidden('The client is not a data-sharing consumer');
  if (row.status !== 'active') throw forbidden('The consumer is disabled');
  return toConsumer(row);
}

/** Links the consumer to its OIDC client (null: none). */
export async function setConsumerClient(
  db: Queryable,
  id: string,
  clientId: string | null,
): Promise<Consumer> {
  const [row] = await db.query<Record<string, unknown>>(
    `update exchange_consumer set oidc_client_id = $2 where id = $1 returning ${CONSUMER_COLUMNS}`,
    [id, clientId],
  );
  if (!row) throw notFound(`No consumer ${id}`);
  return toConsumer(row);
}

// ---- grants --------------------------------------------------------------------------

export type GrantStatus = 'requested' | 'approved' | 'rejected' | 'revoked';

export interface Grant {
  id: string;
  consumerId: string;
  consumerName: string;
  consumerOrganisationId: number;
  resourceCode: string;
  providerOrganisationId: number | null;
  purpose: string;
  fields: string[];
  masked: string[];
  status: GrantStatus;
  /** Approved and not yet expired. */
  active: boolean;
  requestedBy: string;
  requestedAt: string;
  decidedBy: string | null;
  decidedAt: string | null;
  decisionReason: string | null;
  expiresAt: string;
  revokedAt: string | null;
}

const GRANT_SQL = `select g.id, g.consumer_id, c.name as consumer_name, c.organisation_id as consumer_organisation_id,
  g.resource_code, r.provider_organisation_id, g.purpose, g.fields, g.masked, g.status, g.requested_by, g.requested_at,
  g.decided_by, g.decided_at, g.decision_reason, g.expires_at, g.revoked_at,
  (g.status = 'approved' and g.expires_at > now()) as active
  from exchange_grant g join exchange_consumer c on c.id = g.consumer_id join exchange_resource r on r.code = g.resource_code`;

const toGrant = (r: Record<string, unknown>): Grant => ({
  id: r.id as string,
  consumerId: r.consumer_id as string,
  consumerName: r.consumer_name as string,
  consumerOrganisationId: Number(r.consumer_organisation_id),
  resourceCode: r.resource_code as string,
  providerOrganisationId: r.provider_organisation_id === null ? null : Number(r.provider_organisation_id),
  purpose: r.purpose as string,
  fields: r.fields as string[],
  masked: r.masked as string[],
  status: r.status as GrantStatus,
  active: r.active === true,
  requestedBy: r.requested_by as string,
  requestedAt: (r.requested_at as Date).toISOString(),
  decidedBy: (r.decided_by as string | null) ?? null,
  decidedAt: (r.decided_at as Date | null)?.toISOString() ?? null,
  decisionReason: (r.decision_reason as string | null) ?? null,
  expiresAt: (r.expires_at as Date).toISOString(),
  revokedAt: (r.revoked_at as Date | null)?.toISOString() ?? null,
});

export async function getGrant(db: Queryable, id: string): Promise<Grant> {
  const [row] = /^[0-9a-f-]{36}$/i.test(id)
    ? await db.query<Record<string, unknown>>(`${GRANT_SQL} where g.id = $1`, [id])
    : [];
  if (!row) throw notFound(`No grant ${id}`);
  return toGrant(row);
}

export async function listGrants(
  db: Queryable,
  filter: { organisationIds: number[] | null; status?: GrantStatus | undefined },
): Promise<Grant[]> {
  const rows = await db.query<Record<string, unknown>>(
    `${GRANT_SQL} where ($1::bigint[] is null or c.organisation_id = any($1) or r.provider_organisation_id = any($1))
        and ($2::text is null or g.status = $2) order by g.requested_at desc limit 500`,
    [filter.organisationIds, filter.status ?? null],
  );
  return rows.map(toGrant);
}

const MAX_GRANT_DAYS = 366;

/**
 * A consumer asks for a resource: the purpose and the fields it needs. 不予共享 resources
 * are refused; 无条件共享 ones are granted at once with the fields asked; 有条件共享 ones
 * wait for the provider.
 */
export async function requestGrant(
  db: Queryable,
  input: { consumerId: string; resourceCode: string; purpose: string; fields: string[]; days: number },
  actor: string,
): Promise<Grant> {
  const resource = await getResource(db, input.resourceCode);
  const errors = input.fields
    .filter((f) => !resource.fields.some((x) => x.name === f))
    .map((f) => fieldError('fields', 'known', `资源没有字段“${f}”`, `The resource has no field ${f}`));
  if (input.days < 1 || input.days > MAX_GRANT_DAYS)
    errors.push(
      fieldError(
        'days',
        'range',
        `授权期限应为1至${MAX_GRANT_DAYS}天`,
        `days must be 1 to ${MAX_GRANT_DAYS}`,
      ),
    );
  if (errors.length) throw validationError(errors);
  if (resource.sharingType === 'none')
    throw conflict(`${resource.name} is not shared (不予共享)`, { sharingType: 'none' });
  const approved = resource.sharingType === 'unconditional';
  const [row] = await db.query<{ id: string }>(
    `insert into exchange_grant (consumer_id, resource_code, purpose, fields, status, requested_by, expires_at,
                                 decided_by, decided_at, decision_reason)
     values ($1, $2, $3, $4, $5, $6, now() + make_interval(days => $7), $8, case when $8::text is null then null else now() end, $9)
     returning id`,
    [
      input.consumerId,
      resource.code,
      input.purpose.trim(),
      [...new Set(input.fields)],
      approved ? 'approved' : 'requested',
      actor,
      input.days,
      approved ? 'system:unconditional' : null,
      approved ? '无条件共享' : null,
    ],
  );
  return getGrant(db, row!.id);
}

/** The provider decides: approve (with the fields to mask, optionally fewer fields and a shorter time) or reject. */
export async function decideGrant(
  db: Queryable,
  id: string,
  decision:
    | { approve: true; masked: string[]; fields?: string[]; expiresAt?: Date }
    | { approve: false; reason: string },
  actor: string,
): Promise<Grant> {
  const grant = await getGrant(db, id);
  if (grant.status !== 'requested') throw conflict(`The grant is ${grant.status}`, { status: grant.status });
  if (decision.approve) {
    const fields = decision.fields ?? grant.fields;
    const outside = [...fields, ...decision.masked].filter((f) => !grant.fields.includes(f));
    if (outside.length || !decision.masked.every((f) => fields.includes(f)))
      throw validationError([
        fieldError(
          'masked',
          'subset',
          '只能批准或脱敏申请的字段',
          'Only requested fields can be granted or masked',
        ),
      ]);
    if (decision.expiresAt && decision.expiresAt.getTime() > Date.parse(grant.expiresAt))
      throw validationError([
        fieldError('expiresAt', 'maximum', '不能长于申请的期限', 'Not beyond the requested time'),
      ]);
    await db.query(
      `update exchange_grant set status = 'approved', fields = $2, masked = $3, decided_by = $4, decided_at = now(),
              expires_at = coalesce($5, expires_at) where id = $1`,
      [id, fields, decision.masked, actor, decision.expiresAt ?? null],
    );
  } else {
    await db.query(
      `update exchange_grant set status = 'rejected', decided_by = $2, decided_at = now(), decision_reason = $3 where id = $1`,
      [id, actor, decision.reason],
    );
  }
  return getGrant(db, id);
}

export async function revokeGrant(db: Queryable, id: string, reason: string, actor: string): Promise<Grant> {
  const grant = await getGrant(db, id);
  if (grant.status !== 'approved') throw conflict(`The grant is ${grant.status}`, { status: grant.status });
  await db.query(
    `update exchange_grant set status = 'revoked', revoked_at = now(), decision_reason = $2, decided_by = $3 where id = $1`,
    [id, reason, actor],
  );
  return getGrant(db, id);
}

// ---- queries -------------------------------------------------------------------------

export interface QueryMeta {
  consumer: Consumer;
  purpose: string;
}

function checkKey(kind: KeyKind, key: string): { value: string; subject: string | null } | FieldErrorList {
  if (kind === 'licenceId') {
    const checked = checkLicenceId(key);
    return checked.ok
      ? { value: checked.value, subject: null }
      : [fieldError('key', checked.rule, checked.message, checked.messageEn)];
  }
  const kinds = kind === 'subject' ? (['residentId', 'uscc'] as const) : ([kind] as const);
  let last: FieldErrorList = [];
  for (const k of kinds) {
    const checked = checkIdentifier(k, key);
    if (checked.ok) return { value: checked.value, subject: checked.value };
    last = [fieldError('key', checked.rule, checked.message, checked.messageEn)];
  }
  return last;
}
type FieldErrorList = ReturnType<typeof fieldError>[];

interface Recorded {
  grant: Pick<ActiveGrant, 'id' | 'fields'> | null;
  operation: AccessEntry['operation'];
  subjects: (string | null)[];
  resultCount: number;
  outcome: 'allowed' | 'denied';
  reason: string | null;
}

async function record(deps: ExchangeDeps, resource: Resource, meta: QueryMeta, r: Recorded): Promise<void> {
  const subjects = r.subjects.length ? r.subjects : [null];
  await deps.accesses.write(
    subjects.map((subject) => ({
      consumerId: meta.consumer.id,
      consumerName: meta.consumer.name,
      grantId: r.grant?.id ?? null,
      resource: resource.code,
      operation: r.operation,
      subjectIndex: subject ? deps.cipher.index(subject, 'dataSubject') : null,
      purpose: meta.purpose,
      fields: r.grant?.fields ?? [],
      resultCount: r.resultCount,
      outcome: r.outcome,
      reason: r.reason,
    })),
  );
}

/**
 * The consumer's active grant of the resource for exactly this purpose, or null; read at
 * most once a second per consumer, resource and purpose (this process clears it on every
 * grant change; another process sees a revocation within GRANT_CACHE_MS).
 */
async function activeGrant(
  deps: ExchangeDeps,
  resource: Resource,
  meta: QueryMeta,
): Promise<ActiveGrant | null> {
  const grant = await cached(
    deps.cache.grants,
    `${meta.consumer.id}\u0000${resource.code}\u0000${meta.purpose}`,
    async () => {
      const [row] = await deps.db.query<{ id: string; fields: string[]; masked: string[]; expires_at: Date }>(
        `select id, fields, masked, expires_at from exchange_grant
          where consumer_id = $1 and resource_code = $2 and purpose = $3 and status = 'approved' and expires_at > now()
          order by decided_at desc limit 1`,
        [meta.consumer.id, resource.code, meta.purpose],
        { prepare: true },
      );
      return row
        ? { id: row.id, fields: row.fields, masked: row.masked, expiresAt: row.expires_at.getTime() }
        : null;
    },
    GRANT_CACHE_MS,
  );
  return grant && grant.expiresAt > Date.now() ? grant : null;
}

/** The consumer's active grant of the resource for exactly this purpose, or a recorded 403. */
async function grantFor(
  deps: ExchangeDeps,
  resource: Resource,
  meta: QueryMeta,
  operation: AccessEntry['operation'],
  subjects: (string | null)[],
): Promise<ActiveGrant> {
  const grant = await activeGrant(deps, resource, meta);
  if (grant) return grant;
  await record(deps, resource, meta, {
    grant: null,
    operation,
    subjects,
    resultCount: 0,
    outcome: 'denied',
    reason: 'no_grant',
  });
  throw noGrant(resource);
}

function keyOrThrow(resource: Resource, key: string, field = 'key') {
  const checked = checkKey(resource.keyKind, key);
  if (Array.isArray(checked)) throw validationError(checked.map((e) => ({ ...e, field })));
  return checked;
}

async function recordsOf(deps: ExchangeDeps, resource: Resource, key: string) {
  const read = deps.records[resource.code];
  if (!read) throw conflict(`${resource.name} has no query interface here`);
  return (await read(deps.db, key)) ?? [];
}

/** One record (or a list, for resources with several per subject) by key, shaped by the grant. */
export async function lookup(deps: ExchangeDeps, resourceCode: string, key: string, meta: QueryMeta) {
  const resource = await resourceOf(deps, resourceCode);
  const checked = keyOrThrow(resource, key);
  const grant = await grantFor(deps, resource, meta, 'lookup', [checked.subject]);
  const found = await recordsOf(deps, resource, checked.value);
  // The answer leaves only once its access row is committed.
  await record(deps, resource, meta, {
    grant,
    operation: 'lookup',
    subjects: [checked.subject],
    resultCount: found.length,
    outcome: 'allowed',
    reason: null,
  });
  // A resource listing records per subject (credit) answers an empty list; others 404.
  if (found.length === 0 && resource.keyKind !== 'subject')
    throw notFound(`No record ${resourceCode}/${key}`);
  const records = found.map((r) => shapeRecord(resource, r, grant));
  return { resource: resource.code, key: checked.value, records, fields: grant.fields, masked: grant.masked };
}

const noGrant = (resource: Resource) =>
  new AppError('forbidden', `No active grant of ${resource.code} for this purpose`, undefined, {
    message: '没有该资源在此用途下的有效授权',
  });

/** Many keys at once (up to 1,000): every key answered or reported, each key recorded. */
export async function batchLookup(deps: ExchangeDeps, resourceCode: string, keys: string[], meta: QueryMeta) {
  const resource = await resourceOf(deps, resourceCode);
  const checked = keys.map((key, i) => ({ key, i, checked: checkKey(resource.keyKind, key) }));
  const bad = checked.filter((c) => Array.isArray(c.checked));
  if (bad.length)
    throw validationError(
      bad.flatMap((c) => (c.checked as FieldErrorList).map((e) => ({ ...e, field: `keys[${c.i}]` }))),
    );
  const valid = checked.map((c) => c.checked as { value: string; subject: string | null });
  const grant = await grantFor(
    deps,
    resource,
    meta,
    'batch',
    valid.map((v) => v.subject),
  );
  const found: Record<string, unknown>[][] = [];
  for (const v of valid) found.push(await recordsOf(deps, resource, v.value));
  await record(deps, resource, meta, {
    grant,
    operation: 'batch',
    subjects: valid.map((v) => v.subject),
    resultCount: found.reduce((n, records) => n + records.length, 0),
    outcome: 'allowed',
    reason: null,
  });
  const results = valid.map((v, i) => ({
    key: v.value,
    found: found[i]!.length > 0,
    records: found[i]!.map((r) => shapeRecord(resource, r, grant)),
  }));
  return { resource: resource.code, results, fields: grant.fields, masked: grant.masked };
}

/**
 * 比对: does the record say what the consumer claims? Only yes or no, never the data. The
 * claims must be fields of the grant; `active` asks whether an enterprise is 存续/在业.
 */
export async function verifyClaims(
  deps: ExchangeDeps,
  resourceCode: string,
  key: string,
  claims: Record<string, string | boolean>,
  meta: QueryMeta,
): Promise<{ match: boolean }> {
  const resource = await resourceOf(deps, resourceCode);
  const checked = keyOrThrow(resource, key);
  const grant = await grantFor(deps, resource, meta, 'verify', [checked.subject]);
  const unknown = Object.keys(claims).filter(
    (c) => !(c === 'active' && resource.code === 'legal_entity.enterprise') && !grant.fields.includes(c),
  );
  if (unknown.length)
    throw validationError(
      unknown.map((c) =>
        fieldError(`claims.${c}`, 'granted', `授权不包含字段“${c}”`, `The grant does not cover ${c}`),
      ),
    );
  const [found] = await recordsOf(deps, resource, checked.value);
  const match =
    found !== undefined &&
    Object.entries(claims).every(([name, claimed]) =>
      name === 'active'
        ? ['存续', '在业'].includes(found.status as string) === (String(claimed) === 'true') // the body may coerce to text
        : String(found[name] ?? '') === String(claimed),
    );
  await record(deps, resource, meta, {
    grant,
    operation: 'verify',
    subjects: [checked.subject],
    resultCount: found ? 1 : 0,
    outcome: 'allowed',
    reason: null,
  });
  return { match };
}

/** Refuses a staff member outside the organisation (providers and consumers act for their own). */
export function assertOwnOrganisation(
  organisationIds: number[] | null,
  organisationId: number | null,
  what: string,
) {
  if (organisationIds !== null && (organisationId === null || !organisationIds.includes(organisationId)))
    throw forbidden(`${what} belongs to another organisation`);
}
