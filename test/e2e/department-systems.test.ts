import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyChain } from '../../src/kernel/chain.ts';
import { Outbox } from '../../src/kernel/outbox.ts';
import { signWebhook, verifyWebhook } from '../../src/kernel/webhooks.ts';
import { findCase } from '../../src/modules/cases/index.ts';
import {
  deliveryHandler,
  DELIVERY_SUBSCRIBER,
  DELIVERY_TOPICS,
  type CaseMessage,
} from '../../src/modules/department-systems/index.ts';
import { seed } from '../../src/seed/index.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { fileCase as fileTestCase, publishParallelItem, type ParallelItem } from '../helpers/cases.ts';
import { personSession, staffSession } from '../helpers/identity.ts';

/**
 * Department systems end to end (issue 4 item 8): registration by an administrator,
 * signed case events to real HTTP receivers on 127.0.0.1 (retries, Retry-After, dead
 * letters, replay), signed reports that take steps on cases, idempotent both ways, and
 * the refusals: forged or expired signatures, another department's case, steps the
 * workflow does not allow.
 */

interface Received {
  id: string;
  body: CaseMessage;
  /** The signature verified with the receiver's secrets. */
  verified: boolean;
}

/** A department system's webhook endpoint: verifies, records, answers as told. */
class Receiver {
  readonly server: Server;
  url = '';
  /** The outbound secrets the department holds. */
  secrets: string[] = [];
  received: Received[] = [];
  /** Answers to give, in order (status, Retry-After); then 204. */
  answers: { status: number; retryAfter?: number }[] = [];

  constructor() {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const raw = Buffer.concat(chunks);
        let verified = true;
        try {
          verifyWebhook({ headers: request.headers, body: raw, secrets: this.secrets });
        } catch {
          verified = false;
        }
        this.received.push({
          id: String(request.headers['webhook-id']),
          body: JSON.parse(raw.toString('utf8')) as CaseMessage,
          verified,
        });
        const answer = verified ? (this.answers.shift() ?? { status: 204 }) : { status: 401 };
        if (answer.retryAfter !== undefined) response.setHeader('retry-after', String(answer.retryAfter));
        response.statusCode = answer.status;
        response.end(answer.status >= 400 ? `refused: ${answer.status}` : undefined);
      });
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    this.url = `http://127.0.0.1:${address.port}/tongban/events`;
    return this;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  of(caseId: string): Received[] {
    return this.received.filter((r) => r.body.caseId === caseId);
  }
}

interface Registered {
  code: string;
  outboundSecret: string;
  inboundSecret: string;
}

describe('department systems', () => {
  let t: TestApp;
  let item: ParallelItem;
  let admin: string;
  let clerk: string;
  let applicant: { accountId: string; authorization: string };
  /** The lead department's system (市场监督管理局), the housing branch's, and an unrelated department's. */
  let market: Registered;
  let housing: Registered;
  let other: Registered;
  const receivers = { market: new Receiver(), housing: new Receiver(), other: new Receiver() };

  beforeAll(async () => {
    t = await createTestApp();
    await seed(t.db, 'small');
    item = await publishParallelItem(t.db);
    applicant = await personSession(t.app, t.db, { assurance: 2 });
    admin = (await staffSession(t.app, t.db, ['system_admin'])).authorization;
    clerk = (
      await staffSession(t.app, t.db, ['window_clerk'], {
        organisationId: item.lead.id,
        regionCodes: [item.regionCode],
      })
    ).authorization;
    for (const receiver of Object.values(receivers)) await receiver.start();
    const housingId = item.branches[1]!.organisationId;
    const [unrelated] = await t.db.query<{ id: number }>(
      'select id from organisation where id <> all($1::bigint[]) order by id limit 1',
      [[item.lead.id, housingId]],
    );
    market = await register('scjg-approval', item.lead.id, receivers.market);
    housing = await register('zjj-approval', housingId, receivers.housing);
    other = await register('mz-approval', unrelated!.id, receivers.other);
  }, 120_000);
  afterAll(async () => {
    for (const receiver of Object.values(receivers)) await receiver.stop();
    await t.drop();
  });

  async function register(code: string, organisationId: number, receiver: Receiver): Promise<Registered> {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/department-systems',
      headers: { authorization: admin },
      payload: { code, name: `${code} 审批系统`, organisationId, endpointUrl: receiver.url },
    });
    expect(res.statusCode, res.body).toBe(201);
    const body = res.json() as Registered;
    receiver.secrets = [body.outboundSecret];
    return body;
  }

  const fileCase = () => fileTestCase(t.db, item, applicant.accountId);

  let reportSequence = 0;
  /** A report signed as the system would sign it (or as told: another secret, an old timestamp). */
  const report = (
    code: string,
    secret: string | string[],
    body: Record<string, unknown>,
    options: { id?: string; timestamp?: Date; headers?: Record<string, string | undefined> } = {},
  ): Promise<LightMyRequestResponse> => {
    const json = JSON.stringify(body);
    const id = options.id ?? `rpt_${++reportSequence}`;
    const signed = signWebhook({
      id,
      timestamp: options.timestamp ?? new Date(),
      body: json,
      secrets: secret,
    });
    const headers: Record<string, string> = { ...signed, 'content-type': 'application/json' };
    for (const [name, value] of Object.entries(options.headers ?? {})) {
      if (value === undefined) delete headers[name];
      else headers[name] = value;
    }
    return t.app.inject({
      method: 'POST',
      url: `/api/v1/department-systems/${code}/reports`,
      headers,
      payload: json,
    });
  };

  const version = async (id: string) => (await findCase(t.db, id))!.version;
  const eventIds = async (caseId: string) =>
    (
      await t.db.query<{ id: number }>('select id from outbox_event where key = $1 order by id', [caseId])
    ).map((r) => r.id);
  const timeline = async (id: string) => {
    const res = await t.app.inject({ url: `/api/v1/cases/${id}`, headers: { authorization: clerk } });
    expect(res.statusCode, res.body).toBe(200);
    return res.json().timeline as { action: string; role: string; actor?: string }[];
  };
  const expectProblem = (res: LightMyRequestResponse, status: number) => {
    expect(res.statusCode, res.body).toBe(status);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    return res.json() as { code: string; reason?: string; detail?: string };
  };

  describe('registration', () => {
    it('returns the secrets once, keeps them encrypted, lists without them and audits every change', async () => {
      expect(market.outboundSecret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
      expect(market.inboundSecret).toMatch(/^whsec_/);
      expect(market.inboundSecret).not.toBe(market.outboundSecret);
      const stored = await t.db.query<Record<string, string>>(
        'select outbound_secret_enc, inbound_secret_enc from department_system where code = $1',
        [market.code],
      );
      expect(JSON.stringify(stored)).not.toContain(market.outboundSecret.slice(6));
      expect(JSON.stringify(stored)).not.toContain(market.inboundSecret.slice(6));

      const list = await t.app.inject({
        url: '/api/v1/department-systems',
        headers: { authorization: admin },
      });
      expect(list.statusCode).toBe(200);
      expect(list.json().items.map((s: { code: string }) => s.code)).toEqual([
        'mz-approval',
        'scjg-approval',
        'zjj-approval',
      ]);
      expect(list.body).not.toContain('whsec_');
      const one = await t.app.inject({
        url: `/api/v1/department-systems/${market.code}`,
        headers: { authorization: admin },
      });
      expect(one.json()).toMatchObject({
        code: market.code,
        organisationId: item.lead.id,
        organisationName: item.lead.name,
        endpointUrl: receivers.market.url,
        enabled: true,
        secretsRotatedAt: null,
      });
      expect(one.body).not.toContain('whsec_');

      const renamed = await t.app.inject({
        method: 'PATCH',
        url: `/api/v1/department-systems/${market.code}`,
        headers: { authorization: admin },
        payload: { name: '市场监管审批系统' },
      });
      expect(renamed.statusCode, renamed.body).toBe(200);
      expect(renamed.json().name).toBe('市场监管审批系统');
      const trail = await t.db.query<{ action: string; after: Record<string, unknown> }>(
        `select action, after from audit_log where entity = 'department_system' and entity_id = $1 order by id`,
        [market.code],
      );
      expect(trail.map((a) => a.action)).toEqual(['department_system.create', 'department_system.update']);
      expect(JSON.stringify(trail)).not.toContain('whsec_');
    });

    it('refuses a taken code, a reserved one, a bad endpoint, an unknown department and non-administrators', async () => {
      const create = (payload: Record<string, unknown>, authorization = admin) =>
        t.app.inject({
          method: 'POST',
          url: '/api/v1/department-systems',
          headers: { authorization },
          payload,
        });
      const valid = {
        code: 'new-system',
        name: '新系统',
        organisationId: item.lead.id,
        endpointUrl: 'https://x.test/h',
      };
      expect(expectProblem(await create({ ...valid, code: market.code }), 409).code).toBe('conflict');
      const reserved = expectProblem(await create({ ...valid, code: 'dead-letters' }), 400) as {
        errors?: unknown[];
      };
      expect(reserved.errors).toMatchObject([{ field: 'code', rule: 'reserved' }]);
      for (const endpointUrl of ['ftp://x.test/h', 'https://user:pw@x.test/h', 'not a url at all']) {
        const bad = expectProblem(await create({ ...valid, endpointUrl }), 400) as { errors?: unknown[] };
        expect(bad.errors).toMatchObject([{ field: 'endpointUrl' }]);
      }
      const unknown = expectProblem(await create({ ...valid, organisationId: 99_999_999 }), 400) as {
        errors?: unknown[];
      };
      expect(unknown.errors).toMatchObject([{ field: 'organisationId', rule: 'exists' }]);
      expectProblem(await create(valid, clerk), 403);
      expectProblem(await create(valid, ''), 401);
      const count = await t.db.query('select 1 from department_system');
      expect(count).toHaveLength(3);
    });
  });

  describe('case events to department systems', () => {
    it('sends each step, signed, to the systems of the departments that handle the case', async () => {
      const id = await fileCase();
      await t.app.outbox.drain();
      const [submitted] = await eventIds(id);
      const atMarket = receivers.market.of(id);
      expect(atMarket).toHaveLength(1);
      expect(atMarket[0]).toMatchObject({ id: `evt_${submitted}_scjg-approval`, verified: true });
      const c = (await findCase(t.db, id))!;
      expect(atMarket[0]!.body).toMatchObject({
        type: 'case.submitted',
        caseId: id,
        caseNumber: c.number,
        applicationNumber: c.applicationNumber,
        itemCode: item.itemCode,
        itemName: c.itemName,
        organisationId: item.lead.id,
        action: 'submit',
        stepCode: null,
        from: null,
        to: 'submitted',
        version: 1,
        reason: null,
        needed: null,
      });
      // The housing department reviews a parallel branch: its system hears of the case too.
      expect(receivers.housing.of(id)).toMatchObject([
        { id: `evt_${submitted}_zjj-approval`, verified: true },
      ]);
      expect(receivers.other.of(id)).toEqual([]);
      const delivered = await t.db.query('select 1 from department_system_delivery where event_id = $1', [
        submitted,
      ]);
      expect(delivered).toHaveLength(2);
    });

    it('retries a failing system with backoff and Retry-After, without sending the others again', async () => {
      let clock = new Date();
      const failures: unknown[] = [];
      const outbox = new Outbox(t.db, {
        now: () => clock,
        baseBackoffMs: 1000,
        onError: (error) => failures.push(error),
      });
      outbox.subscribe(
        DELIVERY_SUBSCRIBER,
        DELIVERY_TOPICS,
        deliveryHandler({ db: t.db, cipher: t.app.identity.cipher }),
      );
      receivers.market.answers = [{ status: 500 }, { status: 503, retryAfter: 120 }];
      const id = await fileCase();
      const drained = await outbox.drain();
      expect(drained).toMatchObject({ delivered: 0, retried: 1, dead: 0 });
      expect(receivers.market.of(id).length).toBe(1);
      expect(receivers.housing.of(id).length).toBe(1);
      // Not due yet.
      expect((await outbox.drain()).retried + (await outbox.drain()).delivered).toBe(0);

      clock = new Date(clock.getTime() + 2_000);
      expect(await outbox.drain()).toMatchObject({ delivered: 0, retried: 1 });
      expect(receivers.market.of(id).length).toBe(2);
      // The receiver asked for 120 seconds: a normal backoff later is still too early.
      clock = new Date(clock.getTime() + 10_000);
      expect(await outbox.drain()).toMatchObject({ delivered: 0, retried: 0 });
      clock = new Date(clock.getTime() + 120_000);
      expect(await outbox.drain()).toMatchObject({ delivered: 1, retried: 0 });

      const atMarket = receivers.market.of(id);
      expect(atMarket).toHaveLength(3);
      // The same message id every time, so the department dedupes; every attempt verifies.
      expect(new Set(atMarket.map((r) => r.id)).size).toBe(1);
      expect(atMarket.every((r) => r.verified)).toBe(true);
      expect(receivers.housing.of(id)).toHaveLength(1);
      expect(failures.map((f) => (f as Error).message)).toEqual([
        expect.stringMatching(/^scjg-approval: .* 500: refused: 500$/),
        expect.stringMatching(/^scjg-approval: .* 503 \(retry after 120 s\)/),
      ]);
    });

    it('dead-letters a refused message at once; an administrator lists and replays it', async () => {
      receivers.market.answers = [{ status: 400 }];
      const id = await fileCase();
      const drained = await t.app.outbox.drain();
      expect(drained.dead).toBe(1);
      expect(receivers.market.of(id)).toHaveLength(1);
      expect(receivers.housing.of(id)).toHaveLength(1);

      const list = async () => {
        const res = await t.app.inject({
          url: '/api/v1/department-systems/dead-letters',
          headers: { authorization: admin },
        });
        expect(res.statusCode, res.body).toBe(200);
        return res.json().items as {
          deliveryId: number;
          caseId: string;
          lastError: string;
          attempts: number;
        }[];
      };
      const letter = (await list()).find((l) => l.caseId === id)!;
      expect(letter).toMatchObject({ attempts: 1, topic: 'case.submitted', action: 'submit' });
      expect(letter.lastError).toMatch(/scjg-approval: .*refused with 400/);
      expect(letter.lastError).not.toContain('zjj-approval');

      const replay = (deliveryId: number, authorization = admin) =>
        t.app.inject({
          method: 'POST',
          url: `/api/v1/department-systems/dead-letters/${deliveryId}/replay`,
          headers: { authorization },
        });
      expectProblem(await replay(letter.deliveryId, clerk), 403);
      const replayed = await replay(letter.deliveryId);
      expect(replayed.statusCode, replayed.body).toBe(202);
      expect(replayed.json()).toEqual({ deliveryId: letter.deliveryId, status: 'pending' });
      expectProblem(await replay(letter.deliveryId), 409);
      const [messaging] = await t.db.query<{ id: number }>(
        `select id from outbox_delivery where subscriber <> $1 order by id limit 1`,
        [DELIVERY_SUBSCRIBER],
      );
      expectProblem(await replay(messaging!.id), 404);
      expectProblem(await replay(999_999_999), 404);

      expect((await t.app.outbox.drain()).delivered).toBeGreaterThanOrEqual(1);
      const atMarket = receivers.market.of(id);
      expect(atMarket).toHaveLength(2);
      expect(atMarket[1]!.id).toBe(atMarket[0]!.id);
      expect(receivers.housing.of(id)).toHaveLength(1);
      expect((await list()).some((l) => l.caseId === id)).toBe(false);
      const trail = await t.db.query<{ actor: string }>(
        `select actor from audit_log where action = 'department_system.replay' and entity_id = $1`,
        [String(letter.deliveryId)],
      );
      expect(trail).toHaveLength(1);
    });

    it('sends nothing to a disabled system', async () => {
      const toggle = (enabled: boolean) =>
        t.app.inject({
          method: 'PATCH',
          url: `/api/v1/department-systems/${housing.code}`,
          headers: { authorization: admin },
          payload: { enabled },
        });
      expect((await toggle(false)).json().enabled).toBe(false);
      const id = await fileCase();
      await t.app.outbox.drain();
      expect(receivers.market.of(id)).toHaveLength(1);
      expect(receivers.housing.of(id)).toHaveLength(0);
      // Its reports are refused while it is disabled.
      expectProblem(
        await report(housing.code, housing.inboundSecret, { caseId: id, action: 'receive' }),
        403,
      );
      expect((await toggle(true)).json().enabled).toBe(true);
    });
  });

  describe('reports from department systems', () => {
    it('takes steps as the department system: versions, timeline, hash chain, events', async () => {
      const id = await fileCase();
      const received = await report(market.code, market.inboundSecret, {
        caseId: id,
        action: 'receive',
        version: 1,
      });
      expect(received.statusCode, received.body).toBe(200);
      expect(received.json()).toMatchObject({
        duplicate: false,
        action: 'receive',
        case: { id, version: 2 },
      });
      // By step code and result, at the current version.
      const accepted = await report(market.code, market.inboundSecret, {
        caseNumber: (await findCase(t.db, id))!.number,
        stepCode: '110',
        result: 'approve',
      });
      expect(accepted.statusCode, accepted.body).toBe(200);
      expect(accepted.json()).toMatchObject({ action: 'accept', case: { status: 'accepted', version: 3 } });

      const steps = await timeline(id);
      expect(steps.map((s) => [s.action, s.role])).toEqual([
        ['submit', 'applicant'],
        ['receive', 'department_system'],
        ['accept', 'department_system'],
      ]);
      expect(steps[2]!.actor).toBe(`system:${market.code}`);
      expect(await verifyChain(t.db, `case:${id}`)).toMatchObject({ ok: true, length: 3 });

      // The department's own steps come back to it as events, with their step codes.
      await t.app.outbox.drain();
      expect(receivers.market.of(id).map((r) => [r.body.action, r.body.stepCode, r.body.version])).toEqual([
        ['submit', null, 1],
        ['receive', '110', 2],
        ['accept', '110', 3],
      ]);
    });

    it('processes a report sent twice once, and acknowledges the duplicate', async () => {
      const id = await fileCase();
      const body = { caseId: id, action: 'receive', version: 1 };
      const first = await report(market.code, market.inboundSecret, body, { id: 'rpt_twice' });
      expect(first.json().duplicate).toBe(false);
      // A retry signs afresh (new timestamp), with the same message id.
      const again = await report(market.code, market.inboundSecret, body, {
        id: 'rpt_twice',
        timestamp: new Date(Date.now() + 1000),
      });
      expect(again.statusCode, again.body).toBe(200);
      expect(again.json()).toEqual({ duplicate: true });
      expect(await version(id)).toBe(2);
      const steps = await t.db.query('select 1 from case_event where case_id = $1', [id]);
      expect(steps).toHaveLength(2);
      // The same report twice at once: one step; and two different steps at once: one wins.
      const raced = await fileCase();
      const race = { caseId: raced, action: 'receive', version: 1 };
      const both = await Promise.all([
        report(market.code, market.inboundSecret, race, { id: 'rpt_race' }),
        report(market.code, market.inboundSecret, race, { id: 'rpt_race' }),
      ]);
      expect(both.map((r) => r.statusCode)).toEqual([200, 200]);
      expect(both.map((r) => r.json().duplicate).sort()).toEqual([false, true]);
      const conflicting = await Promise.all([
        report(market.code, market.inboundSecret, { caseId: raced, action: 'accept', version: 2 }),
        report(market.code, market.inboundSecret, {
          caseId: raced,
          action: 'reject',
          version: 2,
          reason: '不符合条件',
        }),
      ]);
      expect(conflicting.map((r) => r.statusCode).sort()).toEqual([200, 409]);
      expect(await version(raced)).toBe(3);
      // Message ids are per system: another system may use the same one.
      const receipts = await t.db.query<{ source: string }>(
        `select source from webhook_receipt where id = 'rpt_twice'`,
      );
      expect(receipts.map((r) => r.source)).toEqual([`department-system:${market.code}`]);
    });

    it('refuses a forged, tampered, expired or unsigned report with 401 and changes nothing', async () => {
      const id = await fileCase();
      const body = { caseId: id, action: 'receive', version: 1 };
      const refusals: [LightMyRequestResponse, string][] = [
        [await report(market.code, housing.inboundSecret, body), 'bad_signature'],
        [await report(market.code, market.outboundSecret, body), 'bad_signature'],
        [await report(market.code, `whsec_${Buffer.alloc(32, 7).toString('base64')}`, body), 'bad_signature'],
        [
          await report(market.code, market.inboundSecret, body, {
            timestamp: new Date(Date.now() - 600_000),
          }),
          'stale_timestamp',
        ],
        [
          await report(market.code, market.inboundSecret, body, {
            timestamp: new Date(Date.now() + 600_000),
          }),
          'future_timestamp',
        ],
        [
          await report(market.code, market.inboundSecret, body, {
            headers: { 'webhook-signature': undefined },
          }),
          'missing_header',
        ],
      ];
      // Tampered: signed for one body, sent with another.
      const signed = signWebhook({
        id: 'rpt_tampered',
        timestamp: new Date(),
        body: JSON.stringify(body),
        secrets: market.inboundSecret,
      });
      const tampered = await t.app.inject({
        method: 'POST',
        url: `/api/v1/department-systems/${market.code}/reports`,
        headers: { ...signed, 'content-type': 'application/json' },
        payload: JSON.stringify({ ...body, action: 'return', reason: '伪造' }),
      });
      refusals.push([tampered, 'bad_signature']);
      for (const [response, reason] of refusals) {
        const problem = expectProblem(response, 401);
        expect(problem).toMatchObject({ code: 'unauthorized', reason });
      }
      expect(await version(id)).toBe(1);
      expect(
        await t.db.query(
          `select 1 from webhook_receipt where source = 'department-system:scjg-approval' and id = 'rpt_tampered'`,
        ),
      ).toEqual([]);
      // Not even the body's shape is revealed before the signature checks out.
      expectProblem(await report(market.code, housing.inboundSecret, { nonsense: true }), 401);
      expectProblem(await report('no-such-system', market.inboundSecret, body), 404);
    });

    it('answers 404 for a case of another department, and the workflow’s refusals as they are', async () => {
      const id = await fileCase();
      expectProblem(await report(other.code, other.inboundSecret, { caseId: id, action: 'receive' }), 404);
      expectProblem(
        await report(market.code, market.inboundSecret, { caseId: randomUUID(), action: 'receive' }),
        404,
      );
      expectProblem(
        await report(market.code, market.inboundSecret, { caseNumber: 'NO-SUCH', action: 'receive' }),
        404,
      );
      const refusals: [Record<string, unknown>, number, string][] = [
        [{ caseId: id, action: 'decide_approve' }, 409, 'conflict'], // not from submitted
        [{ caseId: id, action: 'receive', version: 7 }, 409, 'conflict'], // stale version
        [{ caseId: id, action: 'return' }, 400, 'validation_failed'], // a reason is required
        [{ caseId: id, stepCode: '110' }, 400, 'validation_failed'], // which result?
        [{ caseId: id, action: 'accept', stepCode: '150' }, 400, 'validation_failed'],
        [{ action: 'receive' }, 400, 'validation_failed'], // which case?
        [{ caseId: id, action: 'receive', extra: 1 }, 400, 'validation_failed'],
        // The housing department only reviews its branch.
        [{ caseId: id, action: 'receive' }, 403, 'forbidden'],
      ];
      for (const [body, status, code] of refusals) {
        const system = status === 403 ? housing : market;
        expect(expectProblem(await report(system.code, system.inboundSecret, body), status).code).toBe(code);
      }
      expect(await version(id)).toBe(1);
      // A refused report leaves no receipt: the corrected one may reuse its id.
      expectProblem(
        await report(market.code, market.inboundSecret, { caseId: id, action: 'return' }, { id: 'rpt_fix' }),
        400,
      );
      const fixed = await report(
        market.code,
        market.inboundSecret,
        { caseId: id, action: 'return', reason: '申请事项有误' },
        { id: 'rpt_fix' },
      );
      expect(fixed.statusCode, fixed.body).toBe(200);
      expect(fixed.json().case.status).toBe('returned');
    });

    it('runs a parallel review with each department’s system giving its own opinion', async () => {
      const id = await fileCase();
      const send = (system: Registered, body: Record<string, unknown>) =>
        report(system.code, system.inboundSecret, { caseId: id, ...body });
      expect((await send(market, { action: 'receive' })).statusCode).toBe(200);
      expect((await send(market, { stepCode: '110', result: 'approve' })).statusCode).toBe(200);
      // The housing system may not give the market branch's opinion.
      expectProblem(await send(housing, { stepCode: '120', result: 'approve', branch: 'market' }), 403);
      expect((await send(market, { stepCode: '120', result: 'approve', branch: 'market' })).statusCode).toBe(
        200,
      );
      const housingOpinion = await send(housing, { stepCode: '120', result: 'approve' });
      expect(housingOpinion.statusCode, housingOpinion.body).toBe(200);
      const decided = await send(market, { stepCode: '150', result: 'approve' });
      expect(decided.statusCode, decided.body).toBe(200);
      const completed = await send(market, { action: 'complete' });
      expect(completed.json().case).toMatchObject({ status: 'completed', version: 7 });
      const c = (await findCase(t.db, id))!;
      expect(c.opinions.map((o) => [o.branch, o.opinion, o.by])).toEqual([
        ['market', 'approve', 'system:scjg-approval'],
        ['housing', 'approve', 'system:zjj-approval'],
      ]);
      expect((await timeline(id)).slice(1).every((s) => s.role === 'department_system')).toBe(true);
      expect(await verifyChain(t.db, `case:${id}`)).toMatchObject({ ok: true, length: 7 });

      await t.app.outbox.drain();
      const opinions = receivers.housing.of(id).filter((r) => r.body.action === 'review_approve');
      expect(opinions.map((r) => [r.body.stepCode, r.body.stage, r.body.branch])).toEqual([
        ['120', 'review', 'market'],
        ['120', 'review', 'housing'],
      ]);
    });
  });

  it('purges report receipts and delivery records after the retention period, hourly', async () => {
    await t.db.query(
      `insert into webhook_receipt (source, id, received_at)
       values ('department-system:scjg-approval', 'rpt_old', now() - interval '31 days')`,
    );
    const [system] = await t.db.query<{ id: number }>('select id from department_system where code = $1', [
      market.code,
    ]);
    await t.db.query(
      `insert into department_system_delivery (event_id, system_id, webhook_id, status_code, delivered_at)
       values (999999, $1, 'evt_999999_scjg-approval', 204, now() - interval '31 days')`,
      [system!.id],
    );
    const job = t.app.jobs.find((j) => j.name === 'department_systems.purge')!;
    expect(job.everyMs).toBe(3_600_000);
    expect(await job.run()).toEqual({ receipts: 1, deliveries: 1 });
    // Recent ones stay.
    expect((await t.db.query('select 1 from webhook_receipt')).length).toBeGreaterThan(0);
    expect((await t.db.query('select 1 from department_system_delivery')).length).toBeGreaterThan(0);
  });

  describe('secret rotation', () => {
    it('signs with the old and the new secret during the grace period, and accepts reports signed with either', async () => {
      const rotate = (graceHours?: number) =>
        t.app.inject({
          method: 'POST',
          url: `/api/v1/department-systems/${market.code}/rotate-secrets`,
          headers: { authorization: admin },
          payload: graceHours === undefined ? {} : { graceHours },
        });
      const old = market;
      const res = await rotate();
      expect(res.statusCode, res.body).toBe(200);
      const fresh = res.json() as Registered & { previousSecretsUntil: string; secretsRotatedAt: string };
      expect(fresh.outboundSecret).not.toBe(old.outboundSecret);
      expect(fresh.inboundSecret).not.toBe(old.inboundSecret);
      expect(new Date(fresh.previousSecretsUntil).getTime() - Date.now()).toBeGreaterThan(23 * 3_600_000);

      // The department still holds only the old secret: the message verifies.
      const first = await fileCase();
      await t.app.outbox.drain();
      expect(receivers.market.of(first)).toMatchObject([{ verified: true }]);
      // Once it switched to the new one, too.
      receivers.market.secrets = [fresh.outboundSecret];
      const second = await fileCase();
      await t.app.outbox.drain();
      expect(receivers.market.of(second)).toMatchObject([{ verified: true }]);

      expect(
        (await report(market.code, old.inboundSecret, { caseId: first, action: 'receive' })).statusCode,
      ).toBe(200);
      expect(
        (await report(market.code, fresh.inboundSecret, { caseId: second, action: 'receive' })).statusCode,
      ).toBe(200);

      // Without a grace period the replaced secrets stop at once.
      const abrupt = (await rotate(0)).json() as Registered & { previousSecretsUntil: string | null };
      expect(abrupt.previousSecretsUntil).toBeNull();
      expectProblem(
        await report(market.code, fresh.inboundSecret, { caseId: first, action: 'prereview' }),
        401,
      );
      expect(
        (await report(market.code, abrupt.inboundSecret, { caseId: first, action: 'prereview' })).statusCode,
      ).toBe(200);
      receivers.market.secrets = [fresh.outboundSecret];
      const third = await fileCase();
      await t.app.outbox.drain();
      expect(receivers.market.of(third)).toMatchObject([{ verified: false }]);
      expect((await t.app.outbox.deadLetters(DELIVERY_SUBSCRIBER)).some((l) => l.key === third)).toBe(true);
      receivers.market.secrets = [abrupt.outboundSecret];
      market = { ...market, ...abrupt };

      const trail = await t.db.query<{ action: string }>(
        `select action from audit_log where entity = 'department_system' and entity_id = $1 and action = 'department_system.rotate_secrets'`,
        [market.code],
      );
      expect(trail).toHaveLength(2);
    });
  });
});
