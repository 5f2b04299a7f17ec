import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/db.ts';
import { testConfig } from '../../test/helpers/app.ts';
import type { Database } from './db.ts';
import { AppError } from './errors.ts';
import { buildApp, type App } from './http.ts';
import { Outbox, publish } from './outbox.ts';
import {
  deliverWebhook,
  parseRetryAfter,
  PermanentWebhookError,
  purgeReceipts,
  rawBodyOf,
  recordReceipt,
  registerRawJsonBody,
  RetryableWebhookError,
  signWebhook,
  verifyWebhook,
  verifyWebhookRequest,
  webhookSubscriber,
  type WebhookEventBody,
  type WebhookRefusal,
} from './webhooks.ts';

const SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const OLD_SECRET = 'an-old-shared-secret-of-enough-bytes-1234';
const T0 = new Date('2026-03-02T01:00:00Z');
const T0_SECONDS = Math.floor(T0.getTime() / 1000);

/** The refusal reason of a verification expected to fail. */
function refusal(verify: () => unknown): { reason: WebhookRefusal; detail: string | undefined } {
  try {
    verify();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    const appError = error as AppError;
    expect(appError.status).toBe(401);
    expect(appError.code).toBe('unauthorized');
    return { reason: appError.extra!.reason as WebhookRefusal, detail: appError.detail };
  }
  throw new Error('the webhook was accepted');
}

describe('signing and verifying', () => {
  const body = JSON.stringify({ caseId: 42, status: '已受理' });
  const signed = (secrets: string | string[] = SECRET, at = T0_SECONDS, id = 'evt_1') =>
    signWebhook({ id, timestamp: at, body, secrets });

  it('verifies what it signed, from a string or the raw bytes', () => {
    const headers = signed();
    expect(headers['webhook-id']).toBe('evt_1');
    expect(headers['webhook-timestamp']).toBe(String(T0_SECONDS));
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    expect(verifyWebhook({ headers, body, secrets: SECRET, now: T0 })).toEqual({
      id: 'evt_1',
      timestamp: T0_SECONDS,
    });
    expect(verifyWebhook({ headers, body: Buffer.from(body), secrets: [SECRET], now: T0 }).id).toBe('evt_1');
  });

  it('matches the Standard Webhooks reference signature', () => {
    const headers = signWebhook({
      id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      timestamp: 1614265330,
      body: '{"test": 2432232314}',
      secrets: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    });
    expect(headers['webhook-signature']).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('refuses a tampered body, a wrong secret, a changed id and another timestamp as bad signatures', () => {
    const headers = signed();
    const tampered = body.replace('42', '43');
    expect(refusal(() => verifyWebhook({ headers, body: tampered, secrets: SECRET, now: T0 })).reason).toBe(
      'bad_signature',
    );
    expect(refusal(() => verifyWebhook({ headers, body, secrets: OLD_SECRET, now: T0 })).reason).toBe(
      'bad_signature',
    );
    const otherId = { ...headers, 'webhook-id': 'evt_2' };
    expect(refusal(() => verifyWebhook({ headers: otherId, body, secrets: SECRET, now: T0 })).reason).toBe(
      'bad_signature',
    );
    const otherTime = { ...headers, 'webhook-timestamp': String(T0_SECONDS + 1) };
    expect(refusal(() => verifyWebhook({ headers: otherTime, body, secrets: SECRET, now: T0 })).reason).toBe(
      'bad_signature',
    );
    const garbage = { ...headers, 'webhook-signature': 'v1,AAAA v2,xyz' };
    expect(refusal(() => verifyWebhook({ headers: garbage, body, secrets: SECRET, now: T0 })).reason).toBe(
      'bad_signature',
    );
  });

  it('refuses stale and future timestamps beyond the tolerance, and accepts them within it', () => {
    const headers = signed();
    const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
    const stale = refusal(() => verifyWebhook({ headers, body, secrets: SECRET, now: at(301) }));
    expect(stale.reason).toBe('stale_timestamp');
    expect(stale.detail).toMatch(/more than 300 seconds old/);
    const future = refusal(() => verifyWebhook({ headers, body, secrets: SECRET, now: at(-301) }));
    expect(future.reason).toBe('future_timestamp');
    expect(future.detail).toMatch(/in the future/);
    expect(verifyWebhook({ headers, body, secrets: SECRET, now: at(300) }).id).toBe('evt_1');
    expect(verifyWebhook({ headers, body, secrets: SECRET, now: at(-300) }).id).toBe('evt_1');
    expect(
      refusal(() => verifyWebhook({ headers, body, secrets: SECRET, now: at(61), toleranceSeconds: 60 }))
        .reason,
    ).toBe('stale_timestamp');
  });

  it('names the missing header, and refuses malformed ids and timestamps', () => {
    const headers = signed();
    for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature'] as const) {
      const without: Record<string, string> = { ...headers };
      delete without[name];
      const missing = refusal(() => verifyWebhook({ headers: without, body, secrets: SECRET, now: T0 }));
      expect(missing.reason).toBe('missing_header');
      expect(missing.detail).toContain(name);
    }
    const twice = { ...headers, 'webhook-id': ['evt_1', 'evt_1'] };
    expect(refusal(() => verifyWebhook({ headers: twice, body, secrets: SECRET, now: T0 })).reason).toBe(
      'missing_header',
    );
    const dotted = { ...headers, 'webhook-id': 'evt.1' };
    expect(refusal(() => verifyWebhook({ headers: dotted, body, secrets: SECRET, now: T0 })).reason).toBe(
      'invalid_id',
    );
    const notSeconds = { ...headers, 'webhook-timestamp': '2026-03-02T01:00:00Z' };
    expect(refusal(() => verifyWebhook({ headers: notSeconds, body, secrets: SECRET, now: T0 })).reason).toBe(
      'invalid_timestamp',
    );
  });

  it('verifies during a secret rotation: either side may hold the old or the new secret', () => {
    const bothSigned = signed([SECRET, OLD_SECRET]);
    expect(bothSigned['webhook-signature'].split(' ')).toHaveLength(2);
    expect(verifyWebhook({ headers: bothSigned, body, secrets: OLD_SECRET, now: T0 }).id).toBe('evt_1');
    expect(verifyWebhook({ headers: bothSigned, body, secrets: SECRET, now: T0 }).id).toBe('evt_1');
    const oldSigned = signed(OLD_SECRET);
    expect(verifyWebhook({ headers: oldSigned, body, secrets: [SECRET, OLD_SECRET], now: T0 }).id).toBe(
      'evt_1',
    );
    expect(refusal(() => verifyWebhook({ headers: oldSigned, body, secrets: SECRET, now: T0 })).reason).toBe(
      'bad_signature',
    );
  });

  it('refuses weak secrets, ids with a dot and negative timestamps when signing', () => {
    expect(() => signWebhook({ id: 'a', timestamp: 1, body, secrets: 'short' })).toThrow(/24 to 64 bytes/);
    expect(() => signWebhook({ id: 'a', timestamp: 1, body, secrets: [] })).toThrow(TypeError);
    expect(() => signWebhook({ id: 'a.b', timestamp: 1, body, secrets: SECRET })).toThrow(/webhook id/);
    expect(() => signWebhook({ id: 'a', timestamp: -1, body, secrets: SECRET })).toThrow(/timestamp/);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    expect(parseRetryAfter('120')).toBe(120);
    expect(parseRetryAfter(new Date(T0.getTime() + 90_000).toUTCString(), T0)).toBe(90);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
  });
});

describe('delivering to a receiver', () => {
  let database: TestDatabase;
  let db: Database;
  let receiver: App;
  let base: string;
  type Mode = 'ok' | 'fail500' | 'refuse400' | 'busy429' | 'hang' | 'redirect';
  let mode: Mode;
  /** Bodies the receiver processed (after verifying and recording the receipt). */
  let processed: { id: string; body: WebhookEventBody }[];
  let acknowledgedDuplicates: number;
  let redirectTargetHits: number;
  let hanging: (() => void)[];

  beforeAll(async () => {
    database = await createTestDatabase();
    db = database.db;
    receiver = await buildApp({ config: testConfig(), db, modules: [], logger: false });
    await receiver.register(async (scope) => {
      registerRawJsonBody(scope);
      scope.post('/hook', async (request, reply) => {
        const { id } = verifyWebhookRequest(request, [SECRET]);
        if (mode === 'fail500') return reply.code(500).send({ error: 'department system is down' });
        if (mode === 'refuse400') return reply.code(400).send({ error: 'unknown item code' });
        if (mode === 'busy429') return reply.code(429).header('retry-after', '120').send();
        if (mode === 'redirect') return reply.redirect(`${base}/elsewhere`, 302);
        if (mode === 'hang') {
          await new Promise<void>((resolve) => hanging.push(resolve));
          return reply.code(503).send();
        }
        const fresh = await db.transaction((tx) => recordReceipt(tx, 'platform', id));
        if (fresh) processed.push({ id, body: request.body as WebhookEventBody });
        else acknowledgedDuplicates++;
        return reply.code(204).send();
      });
      scope.post('/elsewhere', async (_request, reply) => {
        redirectTargetHits++;
        return reply.code(204).send();
      });
    });
    receiver.post('/plain', async (request) => ({ raw: rawBodyOf(request) !== undefined }));
    receiver.post('/plain-signed', async (request) => verifyWebhookRequest(request, SECRET));
    await receiver.listen({ host: '127.0.0.1', port: 0 });
    const address = receiver.server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    base = `http://127.0.0.1:${address.port}`;
  });
  afterAll(async () => {
    await receiver.close();
    await database.drop();
  });
  beforeEach(async () => {
    mode = 'ok';
    processed = [];
    acknowledgedDuplicates = 0;
    redirectTargetHits = 0;
    hanging = [];
    await db.exec(
      'delete from webhook_receipt; delete from outbox_delivery; delete from outbox_event; delete from outbox_subscription;',
    );
  });
  afterEach(() => {
    for (const release of hanging) release();
  });

  const send = (id: string, body: unknown = { hello: '世界' }, timeoutMs?: number) =>
    deliverWebhook({ url: `${base}/hook`, secrets: SECRET, id, body, ...(timeoutMs && { timeoutMs }) });

  it('delivers a signed webhook that the receiver verifies, parses and records', async () => {
    await expect(send('evt_1', { caseId: 7, note: '材料齐全' })).resolves.toEqual({ status: 204 });
    expect(processed).toEqual([{ id: 'evt_1', body: { caseId: 7, note: '材料齐全' } }]);
  });

  it('processes a duplicate delivery (same id) once, and acknowledges it', async () => {
    await send('evt_dup');
    await expect(send('evt_dup')).resolves.toEqual({ status: 204 });
    expect(processed.map((p) => p.id)).toEqual(['evt_dup']);
    expect(acknowledgedDuplicates).toBe(1);
    const receipts = await db.query('select 1 from webhook_receipt where source = $1 and id = $2', [
      'platform',
      'evt_dup',
    ]);
    expect(receipts).toHaveLength(1);
    expect(await db.transaction((tx) => recordReceipt(tx, 'another-sender', 'evt_dup'))).toBe(true);
  });

  it('keeps no receipt when the transaction of the effect rolls back', async () => {
    await expect(
      db.transaction(async (tx) => {
        expect(await recordReceipt(tx, 'platform', 'evt_rolled_back')).toBe(true);
        throw new Error('the effect failed');
      }),
    ).rejects.toThrow('the effect failed');
    expect(await db.transaction((tx) => recordReceipt(tx, 'platform', 'evt_rolled_back'))).toBe(true);
  });

  it('purges old receipts only', async () => {
    await db.query(
      `insert into webhook_receipt (source, id, received_at) values ('platform', 'old', now() - interval '40 days'),
         ('platform', 'recent', now())`,
    );
    expect(await purgeReceipts(db, new Date(Date.now() - 30 * 86_400_000))).toBe(1);
    const left = await db.query<{ id: string }>('select id from webhook_receipt');
    expect(left.map((r) => r.id)).toEqual(['recent']);
  });

  it('makes a 500 a retryable error carrying the status and what the receiver said', async () => {
    mode = 'fail500';
    const error = await send('evt_500').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetryableWebhookError);
    expect(error).toMatchObject({ status: 500, retryable: true });
    expect((error as Error).message).toContain('department system is down');
    expect(processed).toEqual([]);
  });

  it('makes a 429 retryable and surfaces Retry-After', async () => {
    mode = 'busy429';
    const error = await send('evt_429').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetryableWebhookError);
    expect(error).toMatchObject({ status: 429, retryAfterSeconds: 120, retryAfterMs: 120_000 });
  });

  it('makes a 400 a permanent error', async () => {
    mode = 'refuse400';
    const error = await send('evt_400').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermanentWebhookError);
    expect(error).toMatchObject({ status: 400, retryable: false, permanent: true });
    expect((error as Error).message).toContain('unknown item code');
  });

  it('makes a 401 from a receiver with another secret a permanent error', async () => {
    const error = await deliverWebhook({
      url: `${base}/hook`,
      secrets: OLD_SECRET,
      id: 'evt_wrong_secret',
      body: {},
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermanentWebhookError);
    expect(error).toMatchObject({ status: 401 });
    expect((error as Error).message).toContain('No webhook-signature matches');
    expect(processed).toEqual([]);
  });

  it('makes a receiver that does not answer in time a retryable error', async () => {
    mode = 'hang';
    const error = await send('evt_slow', {}, 200).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetryableWebhookError);
    expect((error as Error).message).toMatch(/no response within 200 ms/);
  });

  it('makes an unreachable receiver a retryable error', async () => {
    const closed = await buildApp({ config: testConfig(), db, modules: [], logger: false });
    await closed.listen({ host: '127.0.0.1', port: 0 });
    const { port } = closed.server.address() as { port: number };
    await closed.close();
    const error = await deliverWebhook({
      url: `http://127.0.0.1:${port}/hook`,
      secrets: SECRET,
      id: 'evt_down',
      body: {},
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetryableWebhookError);
    expect((error as RetryableWebhookError).status).toBeUndefined();
  });

  it('does not follow a redirect, and fails permanently', async () => {
    mode = 'redirect';
    const error = await send('evt_redirect').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermanentWebhookError);
    expect(error).toMatchObject({ status: 302 });
    expect((error as Error).message).toContain('/elsewhere');
    expect(redirectTargetHits).toBe(0);
  });

  it('refuses URLs that are not http(s) or that carry credentials, before sending anything', async () => {
    for (const url of [
      'file:///etc/passwd',
      'ftp://127.0.0.1/hook',
      'not a url',
      `http://u:p@127.0.0.1/hook`,
    ]) {
      await expect(deliverWebhook({ url, secrets: SECRET, id: 'evt_url', body: {} })).rejects.toBeInstanceOf(
        PermanentWebhookError,
      );
    }
  });

  it('answers 401 with a reason to a tampered request, 400 to invalid JSON, 415 without a raw body', async () => {
    const body = JSON.stringify({ caseId: 1 });
    const headers = signWebhook({ id: 'evt_tampered', timestamp: new Date(), body, secrets: SECRET });
    const tampered = await fetch(`${base}/hook`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ caseId: 2 }),
    });
    expect(tampered.status).toBe(401);
    expect(await tampered.json()).toMatchObject({ code: 'unauthorized', reason: 'bad_signature' });

    const invalid = '{"caseId": ';
    const invalidResponse = await fetch(`${base}/hook`, {
      method: 'POST',
      headers: {
        ...signWebhook({ id: 'evt_invalid', timestamp: new Date(), body: invalid, secrets: SECRET }),
        'content-type': 'application/json',
      },
      body: invalid,
    });
    expect(invalidResponse.status).toBe(400);

    const poisoned = '{"__proto__": {"admin": true}}';
    const poisonedResponse = await fetch(`${base}/hook`, {
      method: 'POST',
      headers: {
        ...signWebhook({ id: 'evt_poison', timestamp: new Date(), body: poisoned, secrets: SECRET }),
        'content-type': 'application/json',
      },
      body: poisoned,
    });
    expect(poisonedResponse.status).toBe(400);
    expect(processed).toEqual([]);

    // Outside the scope, the default parser is untouched and no raw body is kept.
    const plain = await fetch(`${base}/plain`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(await plain.json()).toEqual({ raw: false });
    const plainSigned = await fetch(`${base}/plain-signed`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body,
    });
    expect(plainSigned.status).toBe(415);
  });

  describe('through the outbox', () => {
    let clock: Date;
    const outbox = () =>
      new Outbox(db, {
        baseBackoffMs: 1000,
        maxAttempts: 3,
        now: () => clock,
        onError: () => {},
      });
    const subscribe = (box: Outbox) =>
      webhookSubscriber<{ caseId: number; department: string | null }>(box, {
        name: 'department.fgw',
        topicPattern: 'case.*',
        endpointFor: (event) =>
          event.payload.department === 'fgw' ? { url: `${base}/hook`, secrets: [SECRET, OLD_SECRET] } : null,
      });
    const publishCase = (topic: string, caseId: number, department: string | null = 'fgw') =>
      db.transaction((tx) => publish(tx, { topic, key: `case-${caseId}`, payload: { caseId, department } }));

    beforeEach(() => {
      clock = new Date(T0);
    });

    it('delivers a published event as a webhook whose id is the event id', async () => {
      const box = outbox();
      subscribe(box);
      const eventId = await publishCase('case.accepted', 11);
      const skipped = await publishCase('case.accepted', 12, null);
      expect(await box.drain()).toEqual({ dispatched: 2, delivered: 2, retried: 0, dead: 0 });
      expect(processed).toEqual([
        {
          id: String(eventId),
          body: {
            id: String(eventId),
            topic: 'case.accepted',
            key: 'case-11',
            occurredAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) as unknown as string,
            payload: { caseId: 11, department: 'fgw' },
          },
        },
      ]);
      expect(processed.some((p) => p.id === String(skipped))).toBe(false);
    });

    it('retries a failing receiver, dead-letters the event, and delivers it on replay', async () => {
      const box = outbox();
      subscribe(box);
      mode = 'fail500';
      const eventId = await publishCase('case.submitted', 21);
      expect(await box.drain()).toMatchObject({ dispatched: 1, retried: 1, dead: 0 });
      clock = new Date(clock.getTime() + 1000);
      expect(await box.drain()).toMatchObject({ retried: 1, dead: 0 });
      clock = new Date(clock.getTime() + 2000);
      expect(await box.drain()).toMatchObject({ retried: 0, dead: 1 });
      expect(processed).toEqual([]);

      const [dead] = await box.deadLetters('department.fgw');
      expect(dead).toMatchObject({ eventId, attempts: 3 });
      expect(dead!.lastError).toMatch(
        /RetryableWebhookError: Webhook \d+ to http:\/\/127\.0\.0\.1:\d+\/hook: 500/,
      );

      mode = 'ok';
      await box.replay(dead!.deliveryId);
      expect(await box.drain()).toMatchObject({ delivered: 1 });
      expect(processed.map((p) => p.id)).toEqual([String(eventId)]);
      expect(await box.deadLetters('department.fgw')).toEqual([]);
    });
  });
});
