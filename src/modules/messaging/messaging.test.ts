import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/helpers/app.ts';
import { personSession, staffSession } from '../../../test/helpers/identity.ts';
import { applicationNumber } from '../../kernel/identifiers/index.ts';
import { publish } from '../../kernel/outbox.ts';
import type { CaseDeadlineEvent, CaseStepEvent } from '../cases/index.ts';
import { seedDemoDirectory } from '../directory/index.ts';
import { DemoMessagingSmsProvider, listSms, SMS_MAX_ATTEMPTS, type MessageView } from './index.ts';
import { deliverSms } from './service.ts';

/**
 * Messaging end to end: real case events published through the outbox, delivered by
 * `drain()`, read back through the HTTP routes and the demo SMS gateway (app.messaging.sms).
 */

interface Person {
  accountId: string;
  phone: string;
  authorization: string;
}

describe('messaging', () => {
  let t: TestApp;
  let sms: DemoMessagingSmsProvider;
  let organisation: { id: number; regionCode: string; name: string };
  let otherDepartment: { id: number; regionCode: string; name: string };
  let serial = 0;

  const send = (
    method: 'GET' | 'POST',
    url: string,
    authorization: string,
    headers: Record<string, string> = {},
  ): Promise<LightMyRequestResponse> => t.app.inject({ method, url, headers: { ...headers, authorization } });

  const inbox = async (who: { authorization: string }, query = '', language?: string) => {
    const response = await send(
      'GET',
      `/api/v1/messages${query}`,
      who.authorization,
      language ? { 'accept-language': language } : {},
    );
    expect(response.statusCode, response.body).toBe(200);
    return response.json<{ items: MessageView[]; nextCursor: string | null }>();
  };

  const unread = async (who: { authorization: string }) => {
    const response = await send('GET', '/api/v1/messages/unread-count', who.authorization);
    expect(response.statusCode, response.body).toBe(200);
    return response.json<{ unread: number }>().unread;
  };

  /** A case as the cases module describes it in its events (realistic numbers and names). */
  const caseOf = (applicant: Person, name = '张三') => {
    const number = applicationNumber(organisation.regionCode.slice(0, 6), '2026-03-02', ++serial);
    return {
      caseId: randomUUID(),
      caseNumber: number,
      applicationId: randomUUID(),
      applicationNumber: number,
      part: 1,
      itemCode: '11330100MB0000000X-XK-0001-01',
      itemName: '食品经营许可（新办）',
      organisationId: organisation.id,
      organisationName: organisation.name,
      regionCode: organisation.regionCode,
      applicant: { sub: applicant.accountId, kind: 'person' as const, name, enterpriseUscc: null },
    };
  };
  type CaseRef = ReturnType<typeof caseOf>;

  const step = (ref: CaseRef, action: string, changes: Partial<CaseStepEvent> = {}): CaseStepEvent => ({
    ...ref,
    action,
    from: action === 'submit' ? null : 'prereviewing',
    to: action === 'submit' ? 'submitted' : 'accepted',
    terminal: false,
    concernsApplicant: true,
    actorRole: action === 'submit' ? 'applicant' : 'window_clerk',
    reason: null,
    needed: null,
    documents: [],
    version: 2,
    at: '2026-03-02T06:30:00.000Z',
    ...changes,
  });

  const publishStep = (event: CaseStepEvent) =>
    t.db.transaction((tx) =>
      publish(tx, {
        topic: event.action === 'submit' ? 'case.submitted' : 'case.transitioned',
        key: event.caseId,
        payload: event,
      }),
    );

  /** Messages stored for an account (a disabled one cannot sign in to look). */
  const storedFor = async (sub: string) =>
    (
      await t.db.query<{ n: number }>(
        'select count(*)::int as n from inbox_message where recipient_sub = $1',
        [sub],
      )
    )[0]!.n;

  const person = (phone?: string) => personSession(t.app, t.db, { assurance: 2, ...(phone && { phone }) });

  beforeAll(async () => {
    t = await createTestApp();
    sms = t.app.messaging.sms as DemoMessagingSmsProvider;
    await seedDemoDirectory(t.db, { scale: 'small' });
    const departments = await t.db.query<{ id: number; regionCode: string; name: string }>(
      `select id, region_code as "regionCode", name from organisation where kind = 'department' order by id limit 2`,
    );
    organisation = departments[0]!;
    otherDepartment = departments[1]!;
  });
  afterAll(() => t.drop());

  describe('steps that concern the applicant', () => {
    it('write one message in zh-CN (en on request) and send one SMS per step', async () => {
      const applicant = await person();
      const ref = caseOf(applicant);
      await publishStep(step(ref, 'submit'));
      const noticeId = randomUUID();
      await publishStep(
        step(ref, 'accept', { documents: [{ id: noticeId, kind: 'acceptance_notice' }], version: 3 }),
      );
      const drained = await t.app.outbox.drain();
      expect(drained.dead).toBe(0);

      const { items, nextCursor } = await inbox(applicant);
      expect(nextCursor).toBeNull();
      expect(items.map((m) => m.kind)).toEqual(['case_step.accept', 'case_step.submit']);
      const [accepted, submitted] = items as [MessageView, MessageView];
      expect(accepted.title).toBe('【已受理】食品经营许可（新办）');
      expect(accepted.body).toContain(`${organisation.name}已于2026年3月2日受理您的办件${ref.caseNumber}`);
      expect(accepted.body).toContain('目前无需您操作');
      expect(accepted.body).toContain(`受理通知书：/api/v1/cases/${ref.caseId}/documents/${noticeId}`);
      expect(accepted.body).toContain(`查看办件：/my/cases/${ref.caseId}`);
      expect(accepted.links).toEqual([
        { rel: 'document', href: `/api/v1/cases/${ref.caseId}/documents/${noticeId}`, label: '受理通知书' },
        { rel: 'case', href: `/my/cases/${ref.caseId}`, label: '查看办件' },
      ]);
      expect(accepted).toMatchObject({
        caseId: ref.caseId,
        caseNumber: ref.caseNumber,
        readAt: null,
        needed: null,
      });
      expect(submitted.body).toContain(
        `您申请的“食品经营许可（新办）”已于2026年3月2日提交，办件编号${ref.caseNumber}`,
      );

      const english = await inbox(applicant, '', 'en-US,en;q=0.9');
      expect(english.items[0]!.title).toBe('[accepted] 食品经营许可（新办）');
      expect(english.items[0]!.body).toContain(`accepted your case ${ref.caseNumber}`);
      expect(english.items[0]!.links[0]!.label).toBe('acceptance notice');

      const texts = sms.sentTo(applicant.phone);
      expect(texts.map((m) => m.text)).toEqual([
        `【通办】您的办件${ref.caseNumber}（食品经营许可（新办））已提交。详情请登录通办查看：/my/cases/${ref.caseId}`,
        `【通办】您的办件${ref.caseNumber}（食品经营许可（新办））已受理。详情请登录通办查看：/my/cases/${ref.caseId}`,
      ]);
      const rows = await listSms(t.db, { caseId: ref.caseId });
      expect(rows).toHaveLength(2);
      for (const row of rows) {
        expect(row).toMatchObject({
          recipientSub: applicant.accountId,
          phoneMasked: `${applicant.phone.slice(0, 3)}****${applicant.phone.slice(-4)}`,
          template: 'case_step',
          status: 'sent',
          provider: 'demo',
          attempts: 1,
          error: null,
        });
        expect(texts.map((m) => m.messageId)).toContain(row.providerMessageId);
      }
      expect(await unread(applicant)).toBe(2);
    });

    it('list every needed material with its problem, and the reason, for a supplement notice', async () => {
      const applicant = await person();
      const ref = caseOf(applicant);
      const needed = [
        { name: '营业执照', problem: '复印件不清晰，无法辨认统一社会信用代码' },
        { name: '食品安全管理制度', problem: '缺少进货查验记录制度' },
      ];
      await publishStep(
        step(ref, 'request_supplement', {
          to: 'supplementing',
          reason: '申请材料不齐全',
          needed,
          documents: [{ id: randomUUID(), kind: 'supplement_notice' }],
        }),
      );
      await t.app.outbox.drain();
      const [message] = (await inbox(applicant)).items;
      expect(message!.needed).toEqual(needed);
      expect(message!.body.split('\n')).toEqual([
        `${organisation.name}于2026年3月2日对您的办件${ref.caseNumber}（食品经营许可（新办））作出补齐补正告知（一次性告知），补正期间办理时限暂停计算。`,
        '理由：申请材料不齐全',
        '请一次性补交以下2项材料：',
        '1. 营业执照：复印件不清晰，无法辨认统一社会信用代码',
        '2. 食品安全管理制度：缺少进货查验记录制度',
        expect.stringMatching(/^补正材料通知书（一次性告知书）：\/api\/v1\/cases\/.+\/documents\/.+$/),
        `查看办件：/my/cases/${ref.caseId}`,
      ]);
      const english = (await inbox(applicant, '', 'en')).items[0]!;
      expect(english.body).toContain('Reason: 申请材料不齐全');
      expect(english.body).toContain('Please supply these 2 materials, all at once:');
      expect(sms.sentTo(applicant.phone).map((m) => m.params.hint)).toEqual(['请补交材料2项。']);
    });

    it('tell nothing of a step that does not concern the applicant', async () => {
      const applicant = await person();
      await publishStep(step(caseOf(applicant), 'prereview', { concernsApplicant: false }));
      await t.app.outbox.drain();
      expect((await inbox(applicant)).items).toEqual([]);
      expect(sms.sentTo(applicant.phone)).toEqual([]);
    });

    it('tell a person without a phone in-app only', async () => {
      const applicant = await person();
      await t.db.query('update identity_account set phone_enc = null, phone_index = null where id = $1', [
        applicant.accountId,
      ]);
      const ref = caseOf(applicant);
      await publishStep(step(ref, 'submit'));
      await t.app.outbox.drain();
      expect((await inbox(applicant)).items).toHaveLength(1);
      expect(await listSms(t.db, { caseId: ref.caseId })).toEqual([]);
      expect(sms.sentTo(applicant.phone)).toEqual([]);
    });
    it('sends no SMS to a closed account', async () => {
      const applicant = await person();
      await t.db.query(`update identity_account set status = 'closed', closed_at = now() where id = $1`, [
        applicant.accountId,
      ]);
      const ref = caseOf(applicant);
      await publishStep(step(ref, 'accept'));
      await t.app.outbox.drain();
      expect(await listSms(t.db, { caseId: ref.caseId })).toEqual([]);
      expect(sms.sentTo(applicant.phone)).toEqual([]);
    });
  });

  describe('delivery', () => {
    it('writes nothing new and sends no second SMS when an event is delivered again', async () => {
      const applicant = await person();
      const ref = caseOf(applicant);
      const eventId = await publishStep(step(ref, 'accept'));
      await t.app.outbox.drain();
      expect((await t.app.outbox.drain()).delivered).toBe(0);
      // At least once: a worker that crashed after the handler succeeded, or a lease that ran
      // out, hands the same event to the subscribers again.
      const again = await t.db.query(
        `update outbox_delivery set status = 'pending', attempts = 0, finished_at = null, available_at = now()
          where event_id = $1 and subscriber like 'messaging.%' returning id`,
        [eventId],
      );
      expect(again).toHaveLength(2);
      expect((await t.app.outbox.drain()).delivered).toBe(2);
      expect((await inbox(applicant)).items).toHaveLength(1);
      expect(sms.sentTo(applicant.phone)).toHaveLength(1);
      const [row] = await listSms(t.db, { caseId: ref.caseId });
      expect(row).toMatchObject({ status: 'sent', attempts: 1 });
    });

    it('records an unreachable number as failed for good, and the message is there all the same', async () => {
      const applicant = await person('17000003456');
      const ref = caseOf(applicant);
      const before = sms.attempts.length;
      await publishStep(
        step(ref, 'reject', { to: 'rejected', terminal: true, reason: '不属于本机关职权范围' }),
      );
      const drained = await t.app.outbox.drain();
      expect(drained).toMatchObject({ retried: 0, dead: 0 });
      const [message] = (await inbox(applicant)).items;
      expect(message!.kind).toBe('case_step.reject');
      expect(message!.body).toContain('理由：不属于本机关职权范围');
      expect(message!.body).toContain('申请行政复议');
      const [row] = await listSms(t.db, { caseId: ref.caseId });
      expect(row).toMatchObject({
        status: 'failed',
        attempts: 1,
        phoneMasked: '170****3456',
        providerMessageId: null,
      });
      expect(row!.error).toMatch(/unreachable/);
      expect(sms.attempts.slice(before)).toEqual([
        { phone: '17000003456', reference: row!.id, outcome: 'failed' },
      ]);
      expect(sms.sentTo('17000003456')).toEqual([]);
      expect(await t.app.outbox.deadLetters('messaging.sms')).toEqual([]);
      // Nothing is retried later.
      await sleep(1100);
      expect((await t.app.outbox.drain()).delivered).toBe(0);
    });

    it('retries a transient gateway failure through the outbox until the SMS is sent', async () => {
      const applicant = await person('17000017788');
      const ref = caseOf(applicant);
      await publishStep(step(ref, 'accept'));
      const first = await t.app.outbox.drain();
      expect(first).toMatchObject({ retried: 1, dead: 0 });
      // The in-app message does not wait for the SMS.
      expect((await inbox(applicant)).items).toHaveLength(1);
      const [pending] = await listSms(t.db, { caseId: ref.caseId });
      expect(pending).toMatchObject({ status: 'pending', attempts: 1, providerMessageId: null });
      expect(pending!.error).toMatch(/busy/);
      expect(sms.sentTo('17000017788')).toEqual([]);

      await sleep(1100); // the outbox's first backoff (1 s) and the gateway's Retry-After (0.5 s)
      const second = await t.app.outbox.drain();
      expect(second).toMatchObject({ delivered: 1, retried: 0 });
      const [sent] = await listSms(t.db, { caseId: ref.caseId });
      expect(sent).toMatchObject({ status: 'sent', attempts: 2 });
      expect(sms.sentTo('17000017788')).toHaveLength(1);
      expect(sms.attempts.filter((a) => a.reference === sent!.id).map((a) => a.outcome)).toEqual([
        'failed',
        'sent',
      ]);
      expect((await inbox(applicant)).items).toHaveLength(1);
    });

    it('dead-letters a malformed event at once instead of retrying it', async () => {
      const applicant = await person();
      const broken = { ...step(caseOf(applicant), 'accept'), caseNumber: undefined };
      const eventId = await t.db.transaction((tx) =>
        publish(tx, { topic: 'case.transitioned', key: broken.caseId, payload: broken }),
      );
      const drained = await t.app.outbox.drain();
      expect(drained.dead).toBe(2);
      const dead = (await t.app.outbox.deadLetters()).filter((d) => d.eventId === eventId);
      expect(dead.map((d) => d.subscriber).sort()).toEqual(['messaging.inbox', 'messaging.sms']);
      expect(dead[0]!.lastError).toMatch(/payload.caseNumber is missing/);
      expect((await inbox(applicant)).items).toEqual([]);
    });

    it('gives up on an SMS after SMS_MAX_ATTEMPTS transient failures, recording it failed', async () => {
      // A gateway that is always busy, driven through the subscriber's own handler.
      const busy = new DemoMessagingSmsProvider({ failureRate: 1, delayMs: 0 });
      const deps = { db: t.db, identity: t.app.identity, sms: busy };
      const applicant = await person();
      const event = step(caseOf(applicant), 'accept');
      const delivered = {
        id: 9_000_000 + serial,
        topic: 'case.transitioned',
        key: event.caseId,
        payload: event,
        occurredAt: new Date(),
        subscriber: 'messaging.sms',
        deliveryId: 1,
        attempt: 1,
      };
      for (let attempt = 1; attempt < SMS_MAX_ATTEMPTS; attempt++) {
        await expect(deliverSms(deps, { ...delivered, attempt })).rejects.toMatchObject({
          retryAfterMs: 500,
        });
      }
      const last = await deliverSms(deps, { ...delivered, attempt: SMS_MAX_ATTEMPTS });
      expect(last).toMatchObject({ status: 'failed', attempts: SMS_MAX_ATTEMPTS, providerMessageId: null });
      expect(last!.error).toMatch(/gave up after 5 attempts/);
      expect(busy.attempts).toHaveLength(SMS_MAX_ATTEMPTS);
      // Delivered again after that: nothing more is tried.
      expect(await deliverSms(deps, { ...delivered, attempt: SMS_MAX_ATTEMPTS + 1 })).toMatchObject({
        status: 'failed',
      });
      expect(busy.attempts).toHaveLength(SMS_MAX_ATTEMPTS);
    });
  });

  describe('deadline warnings', () => {
    it('reach the active staff of the responsible department holding the role, and nobody else', async () => {
      const inDepartment = { organisationId: organisation.id };
      const approver = await staffSession(t.app, t.db, ['approver'], inDepartment);
      const head = await staffSession(t.app, t.db, ['approver', 'department_head'], inDepartment);
      const clerk = await staffSession(t.app, t.db, ['window_clerk'], inDepartment);
      const disabled = await staffSession(t.app, t.db, ['approver'], inDepartment);
      await t.db.query(`update identity_account set status = 'disabled' where id = $1`, [disabled.accountId]);
      const elsewhere = await staffSession(t.app, t.db, ['approver'], { organisationId: otherDepartment.id });
      const applicant = await person();
      const ref = caseOf(applicant, '李四');

      const warning = (level: 'yellow' | 'red', role: string | null): CaseDeadlineEvent => ({
        ...ref,
        warning: {
          type: `case.deadline.${level}`,
          key: `${ref.caseId}:stage:review/health:${level}`,
          caseId: ref.caseId,
          clock: 'stage:review/health',
          level,
          deadline: '2026-03-13T15:59:59.999Z',
          limitDays: 10,
          usedWorkingDays: level === 'red' ? 11 : 8,
          remainingWorkingDays: level === 'red' ? -1 : 2,
          shareUsed: level === 'red' ? 1.1 : 0.8,
          at: '2026-03-11T01:00:00.000Z',
        },
        responsibleOrganisationId: organisation.id,
        responsibleRole: role,
      });
      await t.db.transaction(async (tx) => {
        await publish(tx, {
          topic: 'case.deadline.yellow',
          key: ref.caseId,
          payload: warning('yellow', 'approver'),
        });
      });
      await t.app.outbox.drain();

      for (const member of [approver, head]) {
        const [message] = (await inbox(member)).items;
        expect(message).toMatchObject({ kind: 'case_deadline.yellow', caseId: ref.caseId, needed: null });
        expect(message!.title).toBe(`【时限预警】${ref.caseNumber} 食品经营许可（新办）`);
        expect(message!.body).toContain(
          `办件${ref.caseNumber}（食品经营许可（新办），申请人李四）的“review”环节（health）时限已用8个工作日（共10个，80%），剩余2个工作日，2026年3月13日到期。`,
        );
        expect(message!.links).toEqual([
          { rel: 'case', href: `/workbench/cases/${ref.caseId}`, label: '办理办件' },
        ]);
      }
      for (const member of [clerk, elsewhere]) expect(await unread(member)).toBe(0);
      expect(await storedFor(disabled.accountId)).toBe(0);
      expect(await unread(applicant)).toBe(0);
      expect(sms.sentTo(applicant.phone)).toEqual([]);

      // Without a role: every active member of the department.
      await t.db.transaction(async (tx) => {
        await publish(tx, { topic: 'case.deadline.red', key: ref.caseId, payload: warning('red', null) });
      });
      await t.app.outbox.drain();
      for (const member of [approver, head, clerk]) {
        const [latest] = (await inbox(member)).items;
        expect(latest!.kind).toBe('case_deadline.red');
        expect(latest!.title).toBe(`【已超期】${ref.caseNumber} 食品经营许可（新办）`);
      }
      const english = (await inbox(clerk, '', 'en')).items[0]!;
      expect(english.title).toBe(`[Overdue] ${ref.caseNumber} 食品经营许可（新办）`);
      expect(english.body).toContain('time limit of the stage review (health)');
      expect(await unread(elsewhere)).toBe(0);
      expect(await storedFor(disabled.accountId)).toBe(0);
      expect(await unread(approver)).toBe(2);
      expect(await unread(clerk)).toBe(1);
    });
  });

  describe('the inbox', () => {
    it('lets nobody read or mark another person’s message (404), nor see it listed', async () => {
      const owner = await person();
      const intruder = await person();
      const staff = await staffSession(t.app, t.db, ['system_admin']);
      await publishStep(step(caseOf(owner), 'accept'));
      await t.app.outbox.drain();
      const [message] = (await inbox(owner)).items;
      for (const caller of [intruder, staff]) {
        const read = await send('POST', `/api/v1/messages/${message!.id}/read`, caller.authorization);
        expect(read.statusCode, read.body).toBe(404);
        expect(read.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect((await inbox(caller)).items).toEqual([]);
        const all = await send('POST', '/api/v1/messages/read-all', caller.authorization);
        expect(all.json()).toEqual({ marked: 0 });
      }
      expect(await unread(owner)).toBe(1);
      const anonymous = await t.app.inject({ method: 'GET', url: '/api/v1/messages' });
      expect(anonymous.statusCode).toBe(401);
    });

    it('pages newest first with a cursor, filters unread ones, and marks read once', async () => {
      const reader = await person();
      const ref = caseOf(reader);
      const actions = ['submit', 'receive', 'accept', 'suspend', 'resume', 'extend', 'decide_approve'];
      for (let i = 0; i < 25; i++)
        await publishStep(step(ref, actions[i % actions.length]!, { version: i + 1 }));
      await t.app.outbox.drain();

      const seen: MessageView[] = [];
      let cursor: string | null = null;
      const sizes: number[] = [];
      do {
        const page: { items: MessageView[]; nextCursor: string | null } = await inbox(
          reader,
          `?size=10${cursor ? `&cursor=${cursor}` : ''}`,
        );
        sizes.push(page.items.length);
        seen.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor);
      expect(sizes).toEqual([10, 10, 5]);
      expect(new Set(seen.map((m) => m.id)).size).toBe(25);
      // Newest first: the last step published comes first.
      expect(seen[0]!.kind).toBe(`case_step.${actions[24 % actions.length]}`);
      expect(seen[24]!.kind).toBe('case_step.submit');
      const created = seen.map((m) => Date.parse(m.createdAt));
      expect([...created].sort((a, b) => b - a)).toEqual(created);

      const first = await send('POST', `/api/v1/messages/${seen[3]!.id}/read`, reader.authorization);
      expect(first.statusCode, first.body).toBe(200);
      const readAt = first.json<MessageView>().readAt;
      expect(readAt).not.toBeNull();
      const again = await send('POST', `/api/v1/messages/${seen[3]!.id}/read`, reader.authorization);
      expect(again.json<MessageView>().readAt).toBe(readAt);
      await send('POST', `/api/v1/messages/${seen[7]!.id}/read`, reader.authorization);
      expect(await unread(reader)).toBe(23);
      const unreadOnly = await inbox(reader, '?unread=true&size=100');
      expect(unreadOnly.items).toHaveLength(23);
      expect(unreadOnly.items.map((m) => m.id)).not.toContain(seen[3]!.id);

      const all = await send('POST', '/api/v1/messages/read-all', reader.authorization);
      expect(all.json()).toEqual({ marked: 23 });
      expect(await unread(reader)).toBe(0);
      expect((await inbox(reader, '?unread=true')).items).toEqual([]);
      expect((await inbox(reader, '?size=100')).items).toHaveLength(25);
    });

    it('refuses a malformed cursor or message id (400)', async () => {
      const reader = await person();
      expect((await send('GET', '/api/v1/messages?cursor=abc', reader.authorization)).statusCode).toBe(400);
      expect((await send('GET', '/api/v1/messages?size=0', reader.authorization)).statusCode).toBe(400);
      expect((await send('POST', '/api/v1/messages/123/read', reader.authorization)).statusCode).toBe(400);
    });
  });
});
