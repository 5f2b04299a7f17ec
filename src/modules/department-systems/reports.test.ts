import { describe, expect, it } from 'vitest';
import { AppError } from '../../kernel/errors.ts';
import { STEP_CODE_TABLE, STEP_CODES, type CaseRow, type CaseStepEvent } from '../cases/index.ts';
import { caseMessage, DepartmentDeliveryError, departmentsOf, messageId } from './delivery.ts';
import { reportAction, STEP_CODE_ACTIONS, systemActor } from './reports.ts';
import { PermanentWebhookError, RetryableWebhookError } from '../../kernel/webhooks.ts';

/** The field errors of a call expected to fail validation. */
function fieldErrors(call: () => unknown) {
  try {
    call();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).status).toBe(400);
    return (error as AppError).errors!.map((e) => ({ field: e.field, rule: e.rule }));
  }
  throw new Error('accepted');
}

describe('the action of a report', () => {
  it('takes the action when given, and checks it against a step code given with it', () => {
    expect(reportAction({ action: 'receive' })).toBe('receive');
    expect(reportAction({ action: 'accept', stepCode: '110' })).toBe('accept');
    expect(fieldErrors(() => reportAction({ action: 'accept', stepCode: '150' }))).toEqual([
      { field: 'action', rule: 'stepCode' },
    ]);
    expect(fieldErrors(() => reportAction({ action: 'fly' }))).toEqual([{ field: 'action', rule: 'enum' }]);
    expect(fieldErrors(() => reportAction({ stepCode: '999' }))).toEqual([
      { field: 'stepCode', rule: 'enum' },
    ]);
    expect(fieldErrors(() => reportAction({}))).toEqual([{ field: 'action', rule: 'required' }]);
  });

  it('maps a step code with its result, and asks for the result when the code has two outcomes', () => {
    expect(reportAction({ stepCode: '110', result: 'approve' })).toBe('accept');
    expect(reportAction({ stepCode: '110', result: 'deny' })).toBe('reject');
    expect(reportAction({ stepCode: '130', result: 'deny' })).toBe('review_deny');
    expect(reportAction({ stepCode: '150', result: 'approve' })).toBe('decide_approve');
    expect(reportAction({ stepCode: '140' })).toBe('request_supplement');
    expect(reportAction({ stepCode: '180' })).toBe('make_certificate');
    expect(reportAction({ stepCode: '190', result: 'deny' })).toBe('deliver');
    for (const code of ['110', '120', '130', '150', '160']) {
      expect(fieldErrors(() => reportAction({ stepCode: code }))).toEqual([
        { field: 'result', rule: 'required' },
      ]);
    }
  });

  it('maps every step code to actions of that code only (the cases module’s table)', () => {
    for (const code of STEP_CODES) {
      const mapped = STEP_CODE_ACTIONS[code];
      const actions = typeof mapped === 'string' ? [mapped] : Object.values(mapped);
      for (const action of actions) expect(STEP_CODE_TABLE[code].actions).toContain(action);
    }
  });

  it('makes the system an actor of its department only, shown as a department system', () => {
    const actor = systemActor({ code: 'scjg-approval', organisationId: 7 });
    expect(actor).toMatchObject({
      sub: 'system:scjg-approval',
      applicant: false,
      appearsAs: 'department_system',
    });
    expect([...actor.organisations]).toEqual([7]);
    expect([...actor.permissions].sort()).toEqual([
      'case.accept',
      'case.decide',
      'case.extend',
      'case.receive',
      'case.review',
    ]);
  });
});

describe('the message of a case event', () => {
  const event: CaseStepEvent = {
    caseId: 'c1',
    caseNumber: 'N1',
    applicationId: 'a1',
    applicationNumber: 'A1',
    part: 1,
    itemCode: 'I1',
    itemName: '许可',
    organisationId: 3,
    organisationName: '市场监督管理局',
    regionCode: '350100000000',
    applicant: { sub: 's', kind: 'person', name: '张三', enterpriseUscc: null },
    action: 'review_approve',
    from: 'accepted',
    to: 'under_review',
    terminal: false,
    concernsApplicant: false,
    actorRole: 'approver',
    reason: null,
    needed: null,
    documents: [],
    version: 4,
    at: '2026-03-02T01:00:00.000Z',
  };
  const process = {
    stages: [
      { code: 'accept', kind: 'accept' },
      { code: 'review', kind: 'review', branches: [{ code: 'market' }, { code: 'housing' }] },
      { code: 'check', kind: 'review' },
    ],
    organisations: {
      accept: { id: 3 },
      'review/market': { id: 3 },
      'review/housing': { id: 9 },
      check: { id: 3 },
    },
  };
  const caseRow = (opinions: { stage: string; branch?: string; at: string }[]) =>
    ({ process, opinions, acceptedAt: new Date() }) as unknown as CaseRow;

  it('carries the step code, and the stage and branch of an opinion', () => {
    const first = caseMessage(
      'case.transitioned',
      event,
      caseRow([{ stage: 'review', branch: 'housing', at: event.at }]),
    );
    expect(first).toMatchObject({
      type: 'case.transitioned',
      caseId: 'c1',
      caseNumber: 'N1',
      applicationNumber: 'A1',
      itemCode: 'I1',
      action: 'review_approve',
      stepCode: '120',
      stage: 'review',
      branch: 'housing',
      from: 'accepted',
      to: 'under_review',
      version: 4,
    });
    const later = caseMessage('case.transitioned', event, caseRow([{ stage: 'check', at: event.at }]));
    expect(later).toMatchObject({ stepCode: '130', stage: 'check', branch: null });
  });

  it('has no step code for a new case, nor for a return after acceptance', () => {
    const submitted = { ...event, action: 'submit', from: null, to: 'submitted' as const };
    expect(caseMessage('case.submitted', submitted, null)).toMatchObject({ stepCode: null, from: null });
    const returned = { ...event, action: 'return', from: 'supplementing' as const, to: 'returned' as const };
    expect(caseMessage('case.transitioned', returned, caseRow([])).stepCode).toBeNull();
    const early = { ...event, action: 'return', from: 'prereviewing' as const, to: 'returned' as const };
    expect(caseMessage('case.transitioned', early, caseRow([])).stepCode).toBe('110');
  });

  it('goes to the lead department and those of the stages and branches, once each', () => {
    expect(departmentsOf(event, caseRow([])).sort()).toEqual([3, 9]);
    expect(departmentsOf(event, null)).toEqual([3]);
    expect(messageId(42, 'scjg-approval')).toBe('evt_42_scjg-approval');
  });

  it('dead-letters at once only when every failing system refused for good', () => {
    const refused = new PermanentWebhookError('refused with 400', 400);
    const busy = new RetryableWebhookError('503', 503, 120);
    const down = new RetryableWebhookError('unreachable');
    expect(new DepartmentDeliveryError([{ system: 'a', error: refused }]).permanent).toBe(true);
    const mixed = new DepartmentDeliveryError([
      { system: 'a', error: refused },
      { system: 'b', error: busy },
      { system: 'c', error: down },
    ]);
    expect(mixed.permanent).toBe(false);
    expect(mixed.retryAfterMs).toBe(120_000);
    expect(mixed.message).toMatch(/^a: refused with 400; b: 503; c: unreachable$/);
  });
});
