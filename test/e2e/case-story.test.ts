import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyChain } from '../../src/kernel/chain.ts';
import { pdf } from '../../src/kernel/files/test-samples.ts';
import type { DemoMessagingSmsProvider } from '../../src/modules/messaging/index.ts';
import { seed } from '../../src/seed/index.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { publishParallelItem, type ParallelItem } from '../helpers/cases.ts';
import { staffSession, verifiedPersonSession } from '../helpers/identity.ts';

/**
 * The story end to end over HTTP: an enterprise agent applies for an item that two
 * departments review in parallel; 营业执照 comes from the legal-entity registry instead of an
 * upload; a 补正 notice pauses the clock; the agent supplies; both departments approve; the
 * decision completes the case; the agent sees every step and got a message and an SMS for
 * each step that concerns the applicant.
 */
describe('an enterprise agent applies, two departments approve in parallel', () => {
  let t: TestApp;
  let item: ParallelItem;
  let agent: string;
  let agentPhone: string;
  let enterprise: { uscc: string; name: string };
  let clerk: string;
  let marketApprover: string;
  let housingApprover: string;
  let head: string;

  const call = (
    method: 'GET' | 'POST' | 'PUT' | 'PATCH',
    url: string,
    authorization: string,
    body?: object | Buffer,
    headers: Record<string, string> = {},
  ): Promise<LightMyRequestResponse> =>
    t.app.inject({
      method,
      url,
      headers: { ...headers, authorization },
      ...(body !== undefined && { payload: body }),
    });
  const ok = (response: LightMyRequestResponse, status = 200) => {
    expect(response.statusCode, response.body).toBe(status);
    return response.json();
  };
  const uploadHeaders = (filename: string) => ({
    'content-type': 'application/pdf',
    'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(filename)}`,
  });

  beforeAll(async () => {
    t = await createTestApp();
    await seed(t.db, 'small');
    item = await publishParallelItem(t.db, { audience: ['legal_person'], resultLicence: '食品经营许可证' });

    // The enterprise, bound by its legal representative, with an agent whose mandate covers the item.
    const [e] = await t.db.query<{ uscc: string; name: string; regionCode: string; repName: string }>(
      `select e.uscc, e.name, e.region_code as "regionCode", p.name as "repName"
         from registry_enterprise e join registry_person p on p.id_number = e.legal_representative_id
        where e.status in ('存续', '在业') order by e.uscc limit 1`,
    );
    enterprise = { uscc: e!.uscc, name: e!.name };
    const [resident] = await t.db.query<{ idNumber: string; name: string }>(
      `select p.id_number as "idNumber", p.name from registry_person p
        where not exists (select 1 from registry_enterprise x where x.legal_representative_id = p.id_number)
        order by p.id_number limit 1`,
    );
    const person = await verifiedPersonSession(t.app, t.db, resident!);
    agentPhone = person.phone;
    const [bound] = await t.db.query<{ id: string }>(
      `insert into identity_enterprise (uscc, name, legal_representative_name, region_code, verified_at, created_by)
       values ($1, $2, $3, $4, now(), $5) returning id`,
      [e!.uscc, e!.name, e!.repName, e!.regionCode, person.accountId],
    );
    const [member] = await t.db.query<{ id: string }>(
      `insert into identity_enterprise_member (enterprise_id, account_id, role, item_codes, expires_at, appointed_by)
       values ($1, $2, 'agent', $3, now() + interval '30 days', $2) returning id`,
      [bound!.id, person.accountId, [item.itemCode]],
    );
    const opened = await t.app.identity.sessions.open(t.db, person.accountId, 'bearer', {
      actingMemberId: member!.id,
    });
    agent = `Bearer ${opened.token}`;

    const regionCodes = [item.regionCode];
    const lead = { organisationId: item.lead.id, regionCodes };
    clerk = (await staffSession(t.app, t.db, ['window_clerk'], lead)).authorization;
    head = (await staffSession(t.app, t.db, ['department_head'], lead)).authorization;
    marketApprover = (await staffSession(t.app, t.db, ['approver'], lead)).authorization;
    const housing = item.branches[1]!.organisationId;
    housingApprover = (
      await staffSession(t.app, t.db, ['approver'], {
        organisationId: housing,
        regionCodes,
        organisationIds: [housing],
      })
    ).authorization;
  }, 120_000);
  afterAll(() => t.drop());

  it('runs from the application to the completed case, and the applicant sees and hears every step', async () => {
    // Apply: 营业执照 is filled from the legal-entity registry (免提交); the application form is uploaded.
    const draft = ok(await call('POST', '/api/v1/applications', agent, { entryId: item.entryId }), 201);
    expect(draft.applicantKind).toBe('enterprise');
    const licence = draft.materials.find((m: { name: string }) => m.name === '营业执照');
    expect(licence).toMatchObject({ status: 'provided', exempt: true, provided: { source: 'registry' } });
    ok(
      await call('PATCH', `/api/v1/applications/${draft.id}`, agent, {
        version: draft.version,
        parts: [{ part: 1, formData: { ...draft.parts[0].formData, shopName: '示例便利店' } }],
      }),
    );
    ok(
      await call(
        'PUT',
        `/api/v1/applications/${draft.id}/materials/${encodeURIComponent('申请书')}`,
        agent,
        pdf('申请书'),
        uploadHeaders('申请书.pdf'),
      ),
    );
    const version = ok(await call('GET', `/api/v1/applications/${draft.id}`, agent)).version;
    const submit = () =>
      call(
        'POST',
        `/api/v1/applications/${draft.id}/submit`,
        agent,
        { version },
        { 'idempotency-key': `story-${draft.id}` },
      );
    const submitted = ok(await submit(), 201);
    // A retried submission with the same key returns the same result and creates nothing.
    expect(ok(await submit(), 201)).toEqual(submitted);
    const caseId: string = submitted.cases[0].caseId;
    const counted = await t.db.query<{ n: number }>(
      'select count(*)::int as n from cases where application_id = $1',
      [draft.id],
    );
    expect(counted[0]!.n).toBe(1);
    const filed = ok(await call('GET', `/api/v1/cases/${caseId}`, clerk));
    expect(filed.materials.find((m: { name: string }) => m.name === '营业执照')).toMatchObject({
      source: 'registry',
      record: { registry: 'legal_entity', key: enterprise.uscc },
    });

    let v = filed.version as number;
    const step = async (action: string, authorization: string, body: object = {}) => {
      const after = ok(
        await call('POST', `/api/v1/cases/${caseId}/actions/${action}`, authorization, {
          version: v,
          ...body,
        }),
      );
      v = after.version;
      return after;
    };
    await step('receive', clerk);
    await step('accept', clerk);

    // 补正: the clock stops until the agent supplies the material.
    await step('request_supplement', marketApprover, {
      reason: '申请书缺少签章',
      needed: [{ name: '申请书', problem: '缺少企业公章' }],
    });
    const paused = ok(await call('GET', `/api/v1/cases/${caseId}`, agent));
    expect(paused).toMatchObject({ status: 'supplementing', paused: true });
    expect(paused.clocks.promised.paused).toBe(true);
    const file = ok(
      await call(
        'POST',
        '/api/v1/drive/files',
        agent,
        pdf('盖章申请书'),
        uploadHeaders('申请书（盖章）.pdf'),
      ),
      201,
    );
    await step('supplement', agent, { supplied: [{ name: '申请书', uploadId: file.id }] });

    // Both departments approve in parallel, then the head decides and the window completes.
    await step('review_approve', housingApprover);
    await step('review_approve', marketApprover);
    await step('decide_approve', head);
    const completed = await step('complete', clerk);
    expect(completed.status).toBe('completed');

    // The applicant's one progress view and timeline.
    const progress = ok(await call('GET', `/api/v1/applications/${draft.id}/progress`, agent));
    expect(JSON.stringify(progress)).toContain('completed');
    const timeline = ok(await call('GET', `/api/v1/cases/${caseId}/timeline`, agent)).items as {
      action: string;
      role: string;
      details: { needed?: unknown };
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
    expect(timeline.find((e) => e.action === 'request_supplement')?.details.needed).toEqual([
      { name: '申请书', problem: '缺少企业公章' },
    ]);
    expect(await verifyChain(t.db, `case:${caseId}`)).toMatchObject({ ok: true, length: 9 });

    // Notifications: one in-app message and one SMS per step that concerns the applicant.
    await t.app.outbox.drain();
    const messages = ok(await call('GET', '/api/v1/messages?size=50', agent)).items as { body: string }[];
    const concerning = ['submit', 'accept', 'request_supplement', 'decide_approve', 'complete'];
    expect(messages).toHaveLength(concerning.length);
    expect(messages.some((m) => m.body.includes('缺少企业公章'))).toBe(true);
    const sms = (t.app.messaging.sms as DemoMessagingSmsProvider).sentTo(agentPhone);
    expect(sms).toHaveLength(concerning.length);
    // The application completes with its case.
    const application = ok(await call('GET', `/api/v1/applications/${draft.id}`, agent));
    expect(application.status).toBe('completed');

    // The approval issued the enterprise its 食品经营许可证: in its wallet, verified by anyone from the QR code.
    const held = ok(await call('GET', '/api/v1/my/licenses', agent)) as { id: string; typeName: string }[];
    expect(held.map((l) => l.typeName)).toEqual(['食品经营许可证']);
    const verification = ok(
      await t.app.inject({ url: `/api/v1/licenses/${encodeURIComponent(held[0]!.id)}/verification` }),
    );
    expect(verification).toMatchObject({
      valid: true,
      holder: { kind: 'enterprise', identifier: enterprise.uscc, name: enterprise.name },
      issuer: { name: item.lead.name },
    });
  });
});
