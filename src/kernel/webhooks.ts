import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { Queryable } from './db.ts';
import { AppError } from './errors.ts';
import type { App } from './http.ts';
import type { DeliveredEvent, Outbox } from './outbox.ts';

/*
 * Signed webhooks between the platform and department systems (部门业务办理系统).
 *
 * Scheme (the Standard Webhooks scheme, https://www.standardwebhooks.com, as Stripe and
 * Svix do it, so department systems can verify with an off-the-shelf library):
 *
 *   POST <endpoint>                      content-type: application/json
 *   webhook-id: <id>                     the message id, the same on every retry: receivers dedupe on it
 *   webhook-timestamp: <unix seconds>    when this attempt was signed
 *   webhook-signature: v1,<base64 sig>   one or more, space-separated
 *
 *   sig = base64(HMAC-SHA256(secret, `${id}.${timestamp}.${raw body bytes}`))
 *
 * - The id is `[A-Za-z0-9_-]{1,128}` (no dot, so the signed content splits one way only);
 *   for outbox events it is the event id.
 * - A secret is 24 to 64 bytes: a `whsec_<base64>` string (Standard Webhooks form, the
 *   bytes are the decoded base64), any other string (its UTF-8 bytes) or raw bytes.
 * - Rotation: the sender signs with every secret it is given (new and old), one `v1,`
 *   signature each; the receiver accepts the request when any signature matches any of
 *   its secrets. Add the new secret on both sides, then drop the old one.
 * - The receiver refuses a timestamp more than `toleranceSeconds` (300) away from its
 *   clock, in the past (replayed capture) or the future, and compares in constant time.
 *   Every attempt is signed afresh, so a retry hours later still verifies.
 * - Signatures of other versions (`v1a,` asymmetric ...) are ignored.
 *
 * Sending: `deliverWebhook` POSTs once; 2xx is delivered, anything else throws a
 * `WebhookDeliveryError`: `PermanentWebhookError` for a refusal that a retry cannot fix
 * (4xx other than 408/429, a redirect, a URL that is not http(s)), `RetryableWebhookError`
 * for the rest (5xx, 408, 429, network error, timeout), with `retryAfterSeconds` when the
 * receiver sent Retry-After. Redirects are never followed.
 *
 * Retries and dead letters are the outbox's: `webhookSubscriber` registers an outbox
 * subscriber whose handler delivers each event, so a failed delivery is retried with the
 * outbox backoff, becomes a dead letter after `maxAttempts`, and an administrator replays
 * it with `outbox.replay`. The outbox has no immediate dead letter yet, so a
 * PermanentWebhookError is retried up to maxAttempts like any failure (harmless: the
 * receiver keeps refusing; the error text in `last_error` says it is permanent).
 *
 * Receiving (department systems reporting progress and results back): a route verifies
 * the raw body, so its scope registers `registerRawJsonBody`, and it records the id with
 * `recordReceipt` in the transaction of its effect, so a redelivered callback is
 * acknowledged without being processed twice:
 *
 *   app.register(async (scope) => {
 *     registerRawJsonBody(scope);
 *     scope.post('/api/v1/departments/:code/callbacks', async (request, reply) => {
 *       const { id } = verifyWebhookRequest(request, secretsOf(request.params.code));
 *       await db.transaction(async (tx) => {
 *         if (!(await recordReceipt(tx, `department:${code}`, id))) return; // already processed
 *         ... apply request.body ...
 *       });
 *       return reply.code(204).send();
 *     });
 *   });
 *
 * A duplicate must get a 2xx too, or the sender keeps retrying it.
 */

/** A shared secret: `whsec_<base64>`, another string (UTF-8) or raw bytes; 24 to 64 bytes. */
export type WebhookSecret = string | Uint8Array;
export type WebhookSecrets = WebhookSecret | readonly WebhookSecret[];

export const WEBHOOK_ID_HEADER = 'webhook-id';
export const WEBHOOK_TIMESTAMP_HEADER = 'webhook-timestamp';
export const WEBHOOK_SIGNATURE_HEADER = 'webhook-signature';

/** A type alias, not an interface, so that it is assignable to a plain header record. */
export type WebhookHeaders = {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
};

const WEBHOOK_ID = /^[A-Za-z0-9_-]{1,128}$/;
const UNIX_SECONDS = /^[0-9]{1,12}$/;
const MIN_SECRET_BYTES = 24;
const MAX_SECRET_BYTES = 64;
/** More signatures than this in one header is not a rotation but an attempt to make us work. */
const MAX_SIGNATURES = 10;
const MAX_ERROR_SNIPPET_BYTES = 512;

function secretBytes(secret: WebhookSecret): Buffer {
  const bytes =
    typeof secret !== 'string'
      ? Buffer.from(secret)
      : secret.startsWith('whsec_')
        ? Buffer.from(secret.slice('whsec_'.length), 'base64')
        : Buffer.from(secret, 'utf8');
  if (bytes.length < MIN_SECRET_BYTES || bytes.length > MAX_SECRET_BYTES) {
    throw new TypeError(`A webhook secret must be ${MIN_SECRET_BYTES} to ${MAX_SECRET_BYTES} bytes`);
  }
  return bytes;
}

function secretList(secrets: WebhookSecrets): Buffer[] {
  const list = typeof secrets === 'string' || secrets instanceof Uint8Array ? [secrets] : [...secrets];
  if (list.length === 0) throw new TypeError('At least one webhook secret is required');
  return list.map(secretBytes);
}

function hmac(secret: Buffer, id: string, timestamp: number, body: string | Uint8Array): Buffer {
  return createHmac('sha256', secret)
    .update(`${id}.${timestamp}.`, 'utf8')
    .update(typeof body === 'string' ? Buffer.from(body, 'utf8') : body)
    .digest();
}

export interface SignInput {
  id: string;
  /** Unix seconds, or a Date (rounded down to the second). */
  timestamp: number | Date;
  /** The exact bytes sent as the body. */
  body: string | Uint8Array;
  /** Every secret signs: pass the new and the old one during a rotation. */
  secrets: WebhookSecrets;
}

/** The three headers that sign `body` (see the module comment). */
export function signWebhook({ id, timestamp, body, secrets }: SignInput): WebhookHeaders {
  if (!WEBHOOK_ID.test(id)) throw new TypeError(`Invalid webhook id "${id}"`);
  const seconds = timestamp instanceof Date ? Math.floor(timestamp.getTime() / 1000) : timestamp;
  if (!Number.isSafeInteger(seconds) || seconds < 0) throw new TypeError('Invalid webhook timestamp');
  const signatures = secretList(secrets).map(
    (secret) => `v1,${hmac(secret, id, seconds, body).toString('base64')}`,
  );
  return {
    'webhook-id': id,
    'webhook-timestamp': String(seconds),
    'webhook-signature': signatures.join(' '),
  };
}

/** Why a webhook was refused; in the problem document as `reason`. */
export type WebhookRefusal =
  | 'missing_header'
  | 'invalid_id'
  | 'invalid_timestamp'
  | 'stale_timestamp'
  | 'future_timestamp'
  | 'bad_signature';

const refuse = (reason: WebhookRefusal, detail: string) =>
  new AppError('unauthorized', detail, undefined, { reason });

export interface VerifyInput {
  /** Request headers (lower-case names, as Node gives them). */
  headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** The raw body exactly as received (not re-serialised JSON). */
  body: string | Uint8Array;
  secrets: WebhookSecrets;
  /** How far the timestamp may be from `now`, either way (default 300 seconds). */
  toleranceSeconds?: number;
  now?: Date;
}

export interface VerifiedWebhook {
  id: string;
  /** Unix seconds. */
  timestamp: number;
}

function singleHeader(headers: VerifyInput['headers'], name: string): string {
  const value = headers[name];
  const single = Array.isArray(value) ? (value.length === 1 ? value[0] : undefined) : value;
  if (typeof single !== 'string' || single.trim() === '') {
    throw refuse('missing_header', `Missing ${name} header (or sent more than once)`);
  }
  return single.trim();
}

/**
 * Checks a received webhook. Returns its id and timestamp; throws 401 unauthorized with a
 * `reason` (WebhookRefusal) and a detail saying what is wrong.
 */
export function verifyWebhook({
  headers,
  body,
  secrets,
  toleranceSeconds = 300,
  now = new Date(),
}: VerifyInput): VerifiedWebhook {
  const keys = secretList(secrets);
  const id = singleHeader(headers, WEBHOOK_ID_HEADER);
  const timestampText = singleHeader(headers, WEBHOOK_TIMESTAMP_HEADER);
  const signatureText = singleHeader(headers, WEBHOOK_SIGNATURE_HEADER);
  if (!WEBHOOK_ID.test(id))
    throw refuse('invalid_id', `${WEBHOOK_ID_HEADER} must match [A-Za-z0-9_-]{1,128}`);
  if (!UNIX_SECONDS.test(timestampText)) {
    throw refuse('invalid_timestamp', `${WEBHOOK_TIMESTAMP_HEADER} must be a unix time in seconds`);
  }
  const timestamp = Number(timestampText);
  const nowSeconds = Math.floor(now.getTime() / 1000);
  if (timestamp < nowSeconds - toleranceSeconds) {
    throw refuse(
      'stale_timestamp',
      `${WEBHOOK_TIMESTAMP_HEADER} is more than ${toleranceSeconds} seconds old: a replay, or a clock out of sync`,
    );
  }
  if (timestamp > nowSeconds + toleranceSeconds) {
    throw refuse(
      'future_timestamp',
      `${WEBHOOK_TIMESTAMP_HEADER} is more than ${toleranceSeconds} seconds in the future: a clock out of sync`,
    );
  }
  const received = signatureText
    .split(/\s+/)
    .slice(0, MAX_SIGNATURES)
    .filter((token) => token.startsWith('v1,'))
    .map((token) => Buffer.from(token.slice(3), 'base64'));
  const expected = keys.map((key) => hmac(key, id, timestamp, body));
  // Every pair is compared (no early exit), so the time taken does not tell which one matched.
  let matched = false;
  for (const candidate of received) {
    for (const digest of expected) {
      if (candidate.length === digest.length && timingSafeEqual(candidate, digest)) matched = true;
    }
  }
  if (!matched) {
    throw refuse(
      'bad_signature',
      `No ${WEBHOOK_SIGNATURE_HEADER} matches the body: wrong secret, or the body was altered`,
    );
  }
  return { id, timestamp };
}

// Sending

/** A failed delivery attempt. `retryable` says whether trying again later may succeed. */
export class WebhookDeliveryError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    /** The HTTP status, when the receiver answered. */
    readonly status?: number,
    /** Seconds the receiver asked us to wait (Retry-After), when it did. */
    readonly retryAfterSeconds?: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'WebhookDeliveryError';
  }
}

/** 5xx, 408, 429, network failure or timeout: retry later. */
export class RetryableWebhookError extends WebhookDeliveryError {
  /** Retry-After in milliseconds, for a retry scheduler that honours it. */
  readonly retryAfterMs: number | undefined;
  constructor(message: string, status?: number, retryAfterSeconds?: number, options?: ErrorOptions) {
    super(message, true, status, retryAfterSeconds, options);
    this.name = 'RetryableWebhookError';
    this.retryAfterMs = retryAfterSeconds === undefined ? undefined : retryAfterSeconds * 1000;
  }
}

/**
 * The receiver refused for good (4xx other than 408/429), redirected, or the URL is not
 * usable: retrying does not help until someone fixes the endpoint or the event; dead-letter it.
 */
export class PermanentWebhookError extends WebhookDeliveryError {
  readonly permanent = true;
  constructor(message: string, status?: number, options?: ErrorOptions) {
    super(message, false, status, undefined, options);
    this.name = 'PermanentWebhookError';
  }
}

export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

export interface DeliverInput {
  /** The endpoint: http(s) only, without credentials. */
  url: string;
  secrets: WebhookSecrets;
  /** The message id (webhook-id): the same on every attempt of one message. */
  id: string;
  /** Sent as JSON. */
  body: unknown;
  /** Covers connecting, the response headers and reading the error snippet (default 10000). */
  timeoutMs?: number;
  fetchImpl?: FetchLike;
  /** The clock for the timestamp header. */
  now?: () => Date;
  /** Sent as User-Agent. */
  userAgent?: string;
}

export interface DeliveryReceipt {
  status: number;
}

/** Parses Retry-After (delay-seconds or an HTTP date) into seconds from now. */
export function parseRetryAfter(value: string | null, now: Date = new Date()): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^[0-9]{1,10}$/.test(text)) return Number(text);
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, Math.ceil((date - now.getTime()) / 1000));
}

/** Checks an endpoint URL; throws PermanentWebhookError when it cannot be delivered to. */
export function webhookEndpoint(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new PermanentWebhookError('The webhook URL is not a valid URL');
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new PermanentWebhookError(`Webhook URLs must be http or https, not ${parsed.protocol}`);
  }
  if (parsed.username !== '' || parsed.password !== '') {
    throw new PermanentWebhookError('Webhook URLs must not carry credentials; the signature authenticates');
  }
  return parsed;
}

/** The first bytes of a response body, for the error message; the rest is discarded. */
async function snippet(response: Response): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  try {
    while (length < MAX_ERROR_SNIPPET_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      length += value.length;
    }
  } catch {
    // The body is only informative; a failure to read it changes nothing.
  } finally {
    void reader.cancel().catch(() => {});
  }
  return Buffer.concat(chunks)
    .subarray(0, MAX_ERROR_SNIPPET_BYTES)
    .toString('utf8')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * POSTs one signed webhook. Resolves when the receiver answers 2xx; otherwise throws a
 * PermanentWebhookError or a RetryableWebhookError (see the module comment).
 */
export async function deliverWebhook({
  url,
  secrets,
  id,
  body,
  timeoutMs = 10_000,
  fetchImpl = fetch,
  now = () => new Date(),
  userAgent = 'Tongban-Webhooks/1',
}: DeliverInput): Promise<DeliveryReceipt> {
  const endpoint = webhookEndpoint(url);
  const json = JSON.stringify(body);
  if (json === undefined) throw new TypeError('The webhook body is not JSON-serialisable');
  const headers = signWebhook({ id, timestamp: now(), body: json, secrets });
  const where = `${endpoint.origin}${endpoint.pathname}`;
  const signal = AbortSignal.timeout(timeoutMs);
  let response: Response;
  try {
    response = await fetchImpl(endpoint.href, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json', 'user-agent': userAgent },
      body: json,
      redirect: 'manual',
      signal,
    });
  } catch (error) {
    const timedOut = signal.aborted;
    throw new RetryableWebhookError(
      timedOut
        ? `Webhook ${id} to ${where}: no response within ${timeoutMs} ms`
        : `Webhook ${id} to ${where}: ${error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error)}`,
      undefined,
      undefined,
      { cause: error },
    );
  }
  const status = response.status;
  if (status >= 200 && status < 300) {
    void response.body?.cancel().catch(() => {});
    return { status };
  }
  const text = await snippet(response);
  const said = text ? `: ${text}` : '';
  // A fetch with redirect 'manual' in a browser gives an opaque response of status 0.
  if ((status >= 300 && status < 400) || response.type === 'opaqueredirect') {
    const location = response.headers.get('location');
    throw new PermanentWebhookError(
      `Webhook ${id} to ${where}: redirected (${status}${location ? ` to ${location}` : ''}), not followed; fix the endpoint URL`,
      status,
    );
  }
  if (status >= 400 && status < 500 && status !== 408 && status !== 429) {
    throw new PermanentWebhookError(`Webhook ${id} to ${where}: refused with ${status}${said}`, status);
  }
  const retryAfter = parseRetryAfter(response.headers.get('retry-after'), now());
  throw new RetryableWebhookError(
    `Webhook ${id} to ${where}: ${status}${retryAfter !== undefined ? ` (retry after ${retryAfter} s)` : ''}${said}`,
    status,
    retryAfter,
  );
}

// Outbox subscriber

export interface WebhookEndpoint {
  url: string;
  secrets: WebhookSecrets;
}

/** What a department system receives for an outbox event. */
export interface WebhookEventBody<P = unknown> {
  /** The event id (also the webhook-id header). */
  id: string;
  topic: string;
  /** The aggregate the event is about (a case id ...). */
  key: string;
  /** ISO 8601. */
  occurredAt: string;
  payload: P;
}

export interface WebhookSubscriberOptions<P = unknown> {
  /** The outbox subscriber name: its deliveries, dead letters and replays go by it. */
  name: string;
  topicPattern: string | readonly string[];
  /** Where an event goes; null when nobody receives it (the delivery then counts as done). */
  endpointFor(
    event: DeliveredEvent<P>,
  ): WebhookEndpoint | null | undefined | Promise<WebhookEndpoint | null | undefined>;
  timeoutMs?: number;
  fetchImpl?: FetchLike;
  now?: () => Date;
}

/** The body `webhookSubscriber` sends for an event. */
export function webhookEventBody<P>(event: DeliveredEvent<P>): WebhookEventBody<P> {
  return {
    id: String(event.id),
    topic: event.topic,
    key: event.key,
    occurredAt: event.occurredAt.toISOString(),
    payload: event.payload,
  };
}

/**
 * Subscribes an outbox handler that delivers every matching event as a signed webhook
 * (webhook-id = the event id). Retries, backoff, dead letters and replay are the outbox's.
 */
export function webhookSubscriber<P = unknown>(outbox: Outbox, options: WebhookSubscriberOptions<P>): void {
  outbox.subscribe<P>(options.name, options.topicPattern, async (event) => {
    const endpoint = await options.endpointFor(event);
    if (!endpoint) return;
    await deliverWebhook({
      url: endpoint.url,
      secrets: endpoint.secrets,
      id: String(event.id),
      body: webhookEventBody(event),
      ...(options.timeoutMs !== undefined && { timeoutMs: options.timeoutMs }),
      ...(options.fetchImpl && { fetchImpl: options.fetchImpl }),
      ...(options.now && { now: options.now }),
    });
  });
}

// Receiving

const rawBodies = new WeakMap<FastifyRequest, Buffer>();

/**
 * Makes the application/json parser of `scope` keep the raw body (for verifyWebhookRequest)
 * besides parsing it (Fastify's own parser: 400 on invalid JSON, prototype poisoning
 * refused). Call it in an encapsulated plugin holding only the webhook routes, so the
 * other routes keep the default parser.
 */
export function registerRawJsonBody(
  scope: Pick<
    App,
    'addContentTypeParser' | 'hasContentTypeParser' | 'removeContentTypeParser' | 'getDefaultJsonParser'
  >,
): void {
  const parseJson = scope.getDefaultJsonParser('error', 'error');
  if (scope.hasContentTypeParser('application/json')) scope.removeContentTypeParser('application/json');
  scope.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const raw = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    rawBodies.set(request, raw);
    parseJson(request, raw.toString('utf8'), done);
  });
}

/** The raw body of a request parsed by registerRawJsonBody; undefined otherwise. */
export function rawBodyOf(request: FastifyRequest): Buffer | undefined {
  return rawBodies.get(request);
}

/** verifyWebhook on a request of a scope with registerRawJsonBody; 415 when it had no JSON body. */
export function verifyWebhookRequest(
  request: FastifyRequest,
  secrets: WebhookSecrets,
  options: { toleranceSeconds?: number; now?: Date } = {},
): VerifiedWebhook {
  const body = rawBodies.get(request);
  if (body === undefined) {
    throw new AppError('unsupported_media_type', 'A signed webhook must have an application/json body');
  }
  return verifyWebhook({ headers: request.headers, body, secrets, ...options });
}

/**
 * Records that the message `id` from `source` was received (table webhook_receipt).
 * True the first time, false when it was seen before. Call it in the transaction of the
 * message's effect: if that rolls back, the receipt does too and a retry processes it.
 */
export async function recordReceipt(tx: Queryable, source: string, id: string): Promise<boolean> {
  const rows = await tx.query(
    'insert into webhook_receipt (source, id) values ($1, $2) on conflict do nothing returning 1',
    [source, id],
  );
  return rows.length > 0;
}

/**
 * Deletes receipts older than `before`. Keep them longer than a sender may retry or an
 * administrator may replay (30 days is ample); a message arriving after its receipt was
 * purged would be processed again.
 */
export async function purgeReceipts(db: Queryable, before: Date): Promise<number> {
  const rows = await db.query('delete from webhook_receipt where received_at < $1 returning 1', [before]);
  return rows.length;
}
