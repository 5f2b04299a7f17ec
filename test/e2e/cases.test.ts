import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyChain } from '../../src/kernel/chain.ts';
import { recordUpload } from '../../src/kernel/files/index.ts';
import {
  findCase,
  sweepDeadlines,
  takeStep,
  DEFAULT_CASE_SETTINGS,
  type CaseActor,
} from '../../src/modules/cases/index.ts';
import { seed } from '../../src/seed/index.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import {
  fileCase as fileTestCase,
  itemElements,
  parallelWorkflow,
  publishParallelItem,
  type ParallelItem,
} from '../helpers/cases.ts';
import { personSession, staffSession } from '../helpers/identity.ts';

/**
 * Cases end to end over HTTP: filing, a 补正 notice that pauses the clock, two departments
 * reviewing in parallel, the decision and completion; concurrency, refusals, the hash chain,
 * the events, and deadlines in working days across the 2026 holidays.
 */
describe('cases', () => {
  let t: TestApp;
  let item: ParallelItem;
  let applicant: { accountId: string; authorization: string };
  let clerk: string;
  let marketApprover: string;
  let housingApprover: string;
  let head: string;

  beforeAll(async () => {
    t = await createTestApp();
    await seed(t.db, 'small');
    item = await publishParallelItem(t.db);
    applicant = await personSession(t.app, t.db, { assurance: 2 });
    const regionCodes = [item.regionCode];
    const lead = { organisationId: item.lead.id, regionCodes };
    clerk = (await staffSession(t.app, t.db, ['window_clerk'], lead)).authorization;
    head = (await staffSession(t.app, t.db, ['department_head'], lead)).authorization;
    marketApprover = (await staffSession(t.app, t.db, ['approver'], lead)).authorization;
    housingApprover = (
      await staffSession(t.app, t.db, ['approver'], {
        organisationId: item.branches[1]!.organisationId,
        regionCodes,
        organisationIds: [item.branches[1]!.organisationId],
      })
    ).authorization;
  }, 120_000);
  afterAll(() => t.drop());

  const fileCase = (at = new Date()) =>
    fileTestCase(t.db, item, applicant.accountId, {
      at,
      materials: [
        {
          name: '营业执照',
          source: 'registry',
          record: { registry: 'legal_entity', key: '9135***43', data: {}, fetchedAt: at.toISOString() },
        },
      ],
    });

  const act = (id: string, action: string, authorization: string, body: Record<string, unknown>) =>
    t.app.inject({
      method: 'POST',
      url: `/api/v1/cases/${id}/actions/${action}`,
      headers: { authorization },
      payload: body,
    });
  const detail = async (id: string, authorization: string) => {
    const res = await t.app.inject({ url: `/api/v1/cases/${id}`, headers: { authorization } });
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  };
  const version = async (id: string) => (await findCase(t.db, id))!.version;

  it('runs a case with a supplement and two parallel approvals to completion', async () => {
    const id = await fileCase();
    const opened = await detail(id, clerk);
    expect(opened.status).toBe('submitted');
    expect(opened.allowedActions.map((a: { action: string }) => a.action)).toEqual(['receive', 'return']);
    expect(opened.clocks.tasks.map((x: { stage: string }) => x.stage)).toEqual(['accept']);

    expect((await act(id, 'receive', clerk, { version: 1 })).statusCode).toBe(200);
    const accepted = await act(id, 'accept', clerk, { version: 2 });
    expect(accepted.statusCode, accepted.body).toBe(200);
    expect(accepted.json()).toMatchObject({ status: 'accepted', version: 3 });

    // 补正 after acceptance: the notice lists every material; the clock stops.
    const noticeWithout = await act(id, 'request_supplement', marketApprover, {
      version: 3,
      reason: '材料不全',
    });
    expect(noticeWithout.statusCode).toBe(400);
    expect(noticeWithout.json().errors[0]).toMatchObject({ field: 'needed', rule: 'required' });
    const notice = await act(id, 'request_supplement', marketApprover, {
      version: 3,
      reason: '申请书未签字',
      needed: [{ name: '申请书', problem: '缺少申请人签字' }],
    });
    expect(notice.statusCode, notice.body).toBe(200);
    const paused = await detail(id, applicant.authorization);
    expect(paused.status).toBe('supplementing');
    expect(paused.paused).toBe(true);
    expect(paused.allowedActions.map((a: { action: string }) => a.action)).toEqual([
      'supplement',
      'withdraw',
    ]);
    const pause = (
      await t.db.query<{ ended_at: Date | null }>('select ended_at from case_pause where case_id = $1', [id])
    )[0]!;
    expect(pause.ended_at).toBeNull();

    // The applicant supplies with their own upload; someone else's upload is refused.
    const file = {
      sha256: 'a'.repeat(64),
      size: 10,
      mediaType: 'application/pdf' as const,
      filename: '申请书.pdf',
    };
    const mine = await recordUpload(t.db, file, applicant.accountId);
    const theirs = await recordUpload(t.db, file, 'someone-else');
    const refused = await act(id, 'supplement', applicant.authorization, {
      version: 4,
      supplied: [{ name: '申请书', uploadId: theirs.id }],
    });
    expect(refused.statusCode).toBe(400);
    const supplied = await act(id, 'supplement', applicant.authorization, {
      version: 4,
      supplied: [{ name: '申请书', uploadId: mine.id }],
    });
    expect(supplied.statusCode, supplied.body).toBe(200);
    expect(supplied.json().status).toBe('under_review');

    // Parallel review: each department gives its own opinion; the housing approver cannot act for market.
    const review = await detail(id, clerk);
    expect(
      review.clocks.tasks
        .filter((x: { finishedAt: unknown }) => x.finishedAt === null)
        .map((x: { branch: string }) => x.branch)
        .sort(),
    ).toEqual(['housing', 'market']);
    const wrongBranch = await act(id, 'review_approve', housingApprover, { version: 5, branch: 'market' });
    expect(wrongBranch.statusCode).toBe(403);
    expect(
      (await act(id, 'review_approve', marketApprover, { version: 5, branch: 'market' })).statusCode,
    ).toBe(200);
    const early = await act(id, 'decide_approve', head, { version: 6 });
    expect(early.statusCode).toBe(409);
    expect(early.json().allowedActions).not.toContain('decide_approve');
    expect((await act(id, 'review_approve', housingApprover, { version: 6 })).statusCode).toBe(200);
    // A reviewing department does not decide the lead department's case.
    expect((await act(id, 'decide_approve', housingApprover, { version: 7 })).statusCode).toBe(403);
    expect((await act(id, 'decide_approve', head, { version: 7 })).statusCode).toBe(200);
    const done = await act(id, 'complete', clerk, { version: 8 });
    expect(done.statusCode, done.body).toBe(200);
    expect(done.json().status).toBe('completed');

    // The applicant's timeline: every step, roles not names.
    const timeline = (await detail(id, applicant.authorization)).timeline as {
      action: string;
      role: string;
      actor?: string;
    }[];
    expect(timeline.map((e) => e.action)).toEqual([
      'submit',
      'receive',
      'accept',
      'request_supplement',
      'supplement',
      'review_approve',
      'review_approve',
      'decide_approve',
      'complete',
    ]);
    expect(timeline.map((e) => e.role)).toEqual([
      'applicant',
      'window_clerk',
      'window_clerk',
      'approver',
      'applicant',
      'approver',
      'approver',
      'department_head',
      'window_clerk',
    ]);
    expect(timeline.every((e) => e.actor === undefined)).toBe(true);
    // Each step named for the applicant's page, in both languages.
    const named = timeline as unknown as { actionName: { zh: string; en: string }; toName: { zh: string } }[];
    expect(named.map((e) => e.actionName.zh).slice(0, 4)).toEqual([
      '提交申请',
      '接件',
      '受理',
      '补齐补正告知',
    ]);
    expect(named[3]!.toName.zh).toBe('补齐补正中');
    expect(named.at(-1)!.actionName.en).toBe('complete');

    // Clock: the pause ended; the case is stopped; no open tasks.
    const finished = await detail(id, clerk);
    expect(finished.clocks.pauses[0].end).not.toBeNull();
    expect(finished.clocks.promised.stopped).toBe(true);
    expect(finished.clocks.tasks.every((x: { finishedAt: unknown }) => x.finishedAt !== null)).toBe(true);

    // The hash chain has every step and verifies; the events were published.
    const chain = await verifyChain(t.db, `case:${id}`);
    expect(chain).toMatchObject({ ok: true, length: 9 });
    const events = await t.db.query<{
      topic: string;
      payload: { action: string; concernsApplicant: boolean };
    }>(`select topic, payload from outbox_event where key = $1 order by id`, [id]);
    expect(events.map((e) => e.payload.action)).toEqual(timeline.map((e) => e.action));
    expect(events.filter((e) => e.payload.concernsApplicant).map((e) => e.payload.action)).toEqual([
      'submit',
      'accept',
      'request_supplement',
      'decide_approve',
      'complete',
    ]);
  });

  it('produces the documents of the steps as PDF with a verification code anyone can check', async () => {
    const id = await fileCase();
    expect((await act(id, 'receive', clerk, { version: 1 })).statusCode).toBe(200);
    expect((await act(id, 'accept', clerk, { version: 2 })).statusCode).toBe(200);
    const notice = { version: 3, reason: '材料不全', needed: [{ name: '申请书', problem: '缺少签字' }] };
    expect((await act(id, 'request_supplement', marketApprover, notice)).statusCode).toBe(200);
    await t.app.outbox.drain();
    await t.app.outbox.drain(); // a redelivery makes nothing new
    const list = await t.app.inject({
      url: `/api/v1/cases/${id}/documents`,
      headers: { authorization: applicant.authorization },
    });
    const documents = list.json().items as { id: string; kind: string; sha256: string }[];
    expect(documents.map((d) => d.kind)).toEqual(['acceptance_notice', 'supplement_notice']);
    const pdfRes = await t.app.inject({
      url: `/api/v1/cases/${id}/documents/${documents[1]!.id}`,
      headers: { authorization: applicant.authorization },
    });
    expect(pdfRes.statusCode).toBe(200);
    expect(pdfRes.headers['content-type']).toBe('application/pdf');
    expect(pdfRes.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    expect(createHash('sha256').update(pdfRes.rawPayload).digest('hex')).toBe(documents[1]!.sha256);
    const stranger = await personSession(t.app, t.db, { assurance: 2 });
    const hidden = await t.app.inject({
      url: `/api/v1/cases/${id}/documents/${documents[1]!.id}`,
      headers: { authorization: stranger.authorization },
    });
    expect(hidden.statusCode).toBe(404);

    const [{ verification_code: code }] = (await t.db.query<{ verification_code: string }>(
      `select verification_code from case_document where id = $1`,
      [documents[1]!.id],
    )) as [{ verification_code: string }];
    const verified = await t.app.inject({ url: `/api/v1/case-documents/${code}` });
    expect(verified.json()).toMatchObject({
      genuine: true,
      kind: 'supplement_notice',
      sha256: documents[1]!.sha256,
    });
    const page = await t.app.inject({ url: `/verify/case-documents/${code}` });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('补正材料通知书');
    expect((await t.app.inject({ url: `/api/v1/case-documents/${'x'.repeat(22)}` })).statusCode).toBe(404);
    expect((await t.app.inject({ url: '/verify/case-documents/nope' })).statusCode).toBe(404);
  });

  it('suspends for a special procedure and extends once, within the legal bound, with a head', async () => {
    const id = await fileCase();
    expect((await act(id, 'receive', clerk, { version: 1 })).statusCode).toBe(200);
    expect((await act(id, 'accept', clerk, { version: 2 })).statusCode).toBe(200);
    const noLength = await act(id, 'suspend', marketApprover, { version: 3, reason: '专家评审' });
    expect(noLength.json().errors[0]).toMatchObject({ field: 'expectedDays' });
    expect(
      (await act(id, 'suspend', marketApprover, { version: 3, reason: '专家评审', expectedDays: 5 }))
        .statusCode,
    ).toBe(200);
    const [pause] = await t.db.query<{ kind: string; expected_days: number; ended_at: Date | null }>(
      'select kind, expected_days, ended_at from case_pause where case_id = $1',
      [id],
    );
    expect(pause).toMatchObject({ kind: 'special_procedure', expected_days: 5, ended_at: null });
    expect((await detail(id, clerk)).clocks.promised.paused).toBe(true);
    expect((await act(id, 'resume', marketApprover, { version: 4 })).statusCode).toBe(200);

    // 延期: a department head only, at most the process's bound (10 working days), once.
    expect(
      (await act(id, 'extend', marketApprover, { version: 5, reason: '情况复杂', days: 5 })).statusCode,
    ).toBe(403);
    const tooLong = await act(id, 'extend', head, { version: 5, reason: '情况复杂', days: 11 });
    expect(tooLong.statusCode).toBe(400);
    expect(tooLong.json().errors[0]).toMatchObject({ field: 'days', rule: 'extensionDays' });
    const before = (await detail(id, clerk)).clocks.promised.limitDays as number;
    expect((await act(id, 'extend', head, { version: 5, reason: '情况复杂', days: 5 })).statusCode).toBe(200);
    expect((await detail(id, clerk)).clocks.promised.limitDays).toBe(before + 5);
    const again = await act(id, 'extend', head, { version: 6, reason: '再次延期', days: 1 });
    expect(again.statusCode).toBe(409);
    expect(again.json().unmetConditions).toEqual(['extensionAvailable']);
    // 退件 after acceptance needs a reason and ends the case.
    const returned = await act(id, 'return', clerk, { version: 6, reason: '申请人要求' });
    expect(returned.statusCode).toBe(409); // not from under_review: only a supplement may be returned
  });

  it('lets exactly one of two concurrent conflicting steps win', async () => {
    const id = await fileCase();
    expect((await act(id, 'receive', clerk, { version: 1 })).statusCode).toBe(200);
    const [a, b] = await Promise.all([
      act(id, 'accept', clerk, { version: 2 }),
      act(id, 'reject', clerk, { version: 2, reason: '不符合条件' }),
    ]);
    expect([a.statusCode, b.statusCode].sort()).toEqual([200, 409]);
    const loser = a.statusCode === 409 ? a : b;
    expect(loser.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(await version(id)).toBe(3);
    const events = await t.db.query('select 1 from case_event where case_id = $1', [id]);
    expect(events).toHaveLength(3);
    expect(await verifyChain(t.db, `case:${id}`)).toMatchObject({ ok: true, length: 3 });
  });

  it('refuses bad steps with a clear 4xx and changes nothing', async () => {
    const id = await fileCase();
    const before = await version(id);
    const cases = [
      [await act(id, 'accept', clerk, { version: 1 }), 409], // not from submitted
      [await act(id, 'receive', clerk, { version: 99 }), 409], // stale version
      [await act(id, 'receive', applicant.authorization, { version: 1 }), 403], // applicant cannot
      [await act(id, 'return', clerk, { version: 1 }), 400], // reason required
      [await act(id, 'fly', clerk, { version: 1 }), 400], // no such action
      [await act(id, 'receive', head, { version: 1 }), 403], // no case.receive
      [await act(randomUUID(), 'receive', clerk, { version: 1 }), 404],
    ] as const;
    for (const [response, status] of cases) {
      expect(response.statusCode, response.body).toBe(status);
      expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
    }
    expect(await version(id)).toBe(before);
    const stranger = await personSession(t.app, t.db, { assurance: 2 });
    expect(
      (await t.app.inject({ url: `/api/v1/cases/${id}`, headers: { authorization: stranger.authorization } }))
        .statusCode,
    ).toBe(404);
    // The applicant may withdraw before a decision.
    expect((await act(id, 'withdraw', applicant.authorization, { version: 1 })).statusCode).toBe(200);
  });

  it('lists the workbench by jurisdiction, role and department', async () => {
    const id = await fileCase();
    const list = async (authorization: string, query: string) => {
      const res = await t.app.inject({ url: `/api/v1/cases?${query}`, headers: { authorization } });
      expect(res.statusCode, res.body).toBe(200);
      return res.json() as { items: { id: string }[]; total: number };
    };
    expect((await list(clerk, 'view=mine')).items.map((c) => c.id)).toContain(id);
    expect((await list(head, 'view=mine')).items.map((c) => c.id)).not.toContain(id);
    // A window clerk of another body whose jurisdiction names no departments (a service
    // centre's 综合窗口) receives for every department of it; one narrowed to a department does not.
    const housing = item.branches[1]!.organisationId;
    const centreClerk = await staffSession(t.app, t.db, ['window_clerk'], {
      organisationId: housing,
      regionCodes: [item.regionCode],
    });
    const departmentClerk = await staffSession(t.app, t.db, ['window_clerk'], {
      organisationId: housing,
      regionCodes: [item.regionCode],
      organisationIds: [housing],
    });
    expect((await list(centreClerk.authorization, 'view=mine')).items.map((c) => c.id)).toContain(id);
    expect((await list(departmentClerk.authorization, 'view=mine')).items.map((c) => c.id)).not.toContain(id);
    expect((await list(head, 'view=department')).items.map((c) => c.id)).toContain(id);
    expect((await list(clerk, `view=all&itemCode=${item.itemCode}`)).items.map((c) => c.id)).toContain(id);
    expect((await list(housingApprover, 'view=all')).items.map((c) => c.id)).not.toContain(id);
    // Staff of another province see none of it.
    await t.db.query(
      `insert into region (code, name, full_name, level, path) values ('980000000000', '别省', '别省', 1, array['980000000000'])`,
    );
    const elsewhere = (await staffSession(t.app, t.db, ['window_clerk'], { regionCodes: ['980000000000'] }))
      .authorization;
    expect((await list(elsewhere, 'view=all')).total).toBe(0);
    const my = await t.app.inject({
      url: '/api/v1/my/cases',
      headers: { authorization: applicant.authorization },
    });
    expect(my.json().items.map((c: { caseId: string }) => c.caseId)).toContain(id);
  });

  it('keeps the process with the item version, refusing an invalid one with field errors', async () => {
    const admin = (await staffSession(t.app, t.db, ['catalog_admin'])).authorization;
    const detailRes = await t.app.inject({ url: `/api/v1/catalog/items/${item.itemCode}` });
    expect(detailRes.statusCode).toBe(200);
    const create = async (workflow: unknown) => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/catalog/items',
        headers: { authorization: admin },
        payload: { ...itemElements(), workflow },
      });
      expect(res.statusCode, res.body).toBe(400);
      return (res.json().errors as { field: string; rule: string }[]).map((e) => `${e.field}:${e.rule}`);
    };
    const noDecision = parallelWorkflow();
    noDecision.stages = noDecision.stages.filter((s) => s.kind !== 'decision');
    expect(await create(noDecision)).toContain('workflow.stages:oneDecision');
    const otherLimits = parallelWorkflow({ legal: 30, promised: 10 });
    expect(await create(otherLimits)).toEqual(['workflow.legalLimitDays:workflowLimit']);
  });

  describe('deadlines in working days', () => {
    const staffActor = (roles: string[], permissions: string[]): CaseActor => ({
      sub: 'staff-test',
      onBehalfOf: null,
      applicant: false,
      permissions: new Set(permissions),
      roles,
      organisations: new Set([item.lead.id, ...item.branches.map((b) => b.organisationId)]),
    });
    const clerkActor = () => staffActor(['window_clerk'], ['case.receive', 'case.accept']);
    const china = (iso: string) => new Date(`${iso}+08:00`);

    it('counts across the National Day holidays and a supplement pause, warning yellow then red', async () => {
      const id = await fileCase(china('2026-09-29T10:00:00'));
      await takeStep(t.db, id, { action: 'receive', version: 1 }, clerkActor(), {
        now: china('2026-09-29T10:05:00'),
      });
      await takeStep(t.db, id, { action: 'accept', version: 2 }, clerkActor(), {
        now: china('2026-09-30T09:00:00'),
      });
      // Promised 10 working days from 30 Sep (not counted): Oct 1-7 are holidays, Oct 10 (Sat) is a make-up day:
      // 8, 9, 10, 12, 13, 14, 15, 16, 19, 20 -> 20 Oct 23:59:59.999 +08:00.
      let c = (await findCase(t.db, id))!;
      expect(c.promisedDeadline?.toISOString()).toBe(china('2026-10-20T23:59:59.999').toISOString());
      // Legal 20: ... 21, 22, 23, 26, 27, 28, 29, 30, Nov 2, 3 -> 3 Nov.
      expect(c.legalDeadline?.toISOString()).toBe(china('2026-11-03T23:59:59.999').toISOString());

      // A supplement from 9 Oct to 13 Oct: the clock stops from the day after it begins through the day it ends.
      const approver = staffActor(['approver'], ['case.review']);
      await takeStep(
        t.db,
        id,
        {
          action: 'request_supplement',
          version: 3,
          reason: '补正',
          needed: [{ name: '申请书', problem: '未签字' }],
        },
        approver,
        { now: china('2026-10-09T10:00:00') },
      );
      const upload = await recordUpload(
        t.db,
        { sha256: 'b'.repeat(64), size: 10, mediaType: 'application/pdf' as const, filename: '申请书.pdf' },
        applicant.accountId,
      );
      await takeStep(
        t.db,
        id,
        { action: 'supplement', version: 4, supplied: [{ name: '申请书', uploadId: upload.id }] },
        { ...staffActor([], []), sub: applicant.accountId, applicant: true },
        { now: china('2026-10-13T16:00:00') },
      );
      c = (await findCase(t.db, id))!;
      // Paused working days 10 (Sat make-up), 12, 13: three days later -> 23 Oct.
      expect(c.promisedDeadline?.toISOString()).toBe(china('2026-10-23T23:59:59.999').toISOString());

      const topics = async () =>
        (
          await t.db.query<{ topic: string; payload: { warning: { clock: string } } }>(
            `select topic, payload from outbox_event where key = $1 and topic like 'case.deadline.%' order by id`,
            [id],
          )
        ).map((e) => `${e.topic}:${e.payload.warning.clock}`);
      // 80% of 10 days used on the 8th working day (21 Oct).
      await sweepDeadlines(t.db, DEFAULT_CASE_SETTINGS, china('2026-10-20T12:00:00'));
      expect(await topics()).not.toContain('case.deadline.yellow:promised');
      await sweepDeadlines(t.db, DEFAULT_CASE_SETTINGS, china('2026-10-21T00:30:00'));
      expect(await topics()).toContain('case.deadline.yellow:promised');
      await sweepDeadlines(t.db, DEFAULT_CASE_SETTINGS, china('2026-10-26T09:00:00'));
      const all = await topics();
      expect(all).toContain('case.deadline.red:promised');
      // Exactly once per clock and level, however often the sweep runs.
      await sweepDeadlines(t.db, DEFAULT_CASE_SETTINGS, china('2026-10-27T09:00:00'));
      expect((await topics()).filter((x) => x === 'case.deadline.red:promised')).toHaveLength(1);
      expect((await findCase(t.db, id))!.clockState).toBe('red');
    });
  });
});
