import { PERMISSIONS } from '../../kernel/auth.ts';
import type { Database } from '../../kernel/db.ts';
import { AppError, notFound, textFieldError, validationError } from '../../kernel/errors.ts';
import { defineMessages, text } from '../../kernel/i18n.ts';
import { recordReceipt } from '../../kernel/webhooks.ts';
import {
  caseCalendar,
  CASE_ACTIONS,
  caseIdByNumber,
  findCase,
  STEP_CODE_TABLE,
  STEP_CODES,
  takeStepIn,
  type CaseAction,
  type CaseActor,
  type CaseStatus,
  type NeededMaterial,
} from '../cases/index.ts';
import type { SystemKeys } from './service.ts';

/**
 * Inbound: a department system reports a step it took on one of its cases. The report is
 * verified by the route (Standard Webhooks signature with the system's inbound secret),
 * then applied here in one transaction: the receipt of its webhook-id first (a message
 * seen before changes nothing and is acknowledged as a duplicate), then the step, through
 * the cases module's workflow, as the system acting for its department.
 */

defineMessages({
  'departmentSystems.caseRequired': {
    zh: '请提供办件编号（caseId）或办件号（caseNumber）',
    en: 'give the case id (caseId) or its number (caseNumber)',
  },
  'departmentSystems.actionRequired': {
    zh: '请提供操作（action）或环节代码（stepCode）',
    en: 'give the action or the step code (stepCode)',
  },
  'departmentSystems.resultRequired': {
    zh: '环节{stepCode}需要结果（result：approve 或 deny）',
    en: 'step {stepCode} needs a result (approve or deny)',
  },
  'departmentSystems.actionMismatch': {
    zh: '操作{action}不属于环节{stepCode}',
    en: 'action {action} does not belong to step {stepCode}',
  },
  'departmentSystems.leadOnly': {
    zh: '本系统所属部门仅负责并联审查，不能执行“{action}”',
    en: "this system's department only reviews its branch; it may not take the action {action}",
  },
});

export type ReportResult = 'approve' | 'deny';

/** A report's body (the route's schema checks the shapes). */
export interface ReportInput {
  caseId?: string | undefined;
  caseNumber?: string | undefined;
  action?: string | undefined;
  stepCode?: string | undefined;
  result?: ReportResult | undefined;
  /** The case version the system saw; the current one when omitted. */
  version?: number | undefined;
  reason?: string | undefined;
  stage?: string | undefined;
  branch?: string | undefined;
  needed?: NeededMaterial[] | undefined;
  days?: number | undefined;
  expectedDays?: number | undefined;
}

/**
 * What a step code means for a department system when it reports it without an action:
 * one action, or one per result. 110 受理 reports an acceptance decision (the case must
 * have been received: 接件 and 退件 are sent as actions); 140 is the 补正 notice (the
 * supplement itself is the applicant's).
 */
export const STEP_CODE_ACTIONS: Record<
  (typeof STEP_CODES)[number],
  CaseAction | Record<ReportResult, CaseAction>
> = {
  '110': { approve: 'accept', deny: 'reject' },
  '120': { approve: 'review_approve', deny: 'review_deny' },
  '130': { approve: 'review_approve', deny: 'review_deny' },
  '140': 'request_supplement',
  '150': { approve: 'decide_approve', deny: 'decide_deny' },
  '160': { approve: 'review_approve', deny: 'review_deny' },
  '170': 'deliver',
  '180': 'make_certificate',
  '190': 'deliver',
};

const isStepCode = (code: string): code is (typeof STEP_CODES)[number] =>
  (STEP_CODES as readonly string[]).includes(code);

/**
 * The case action a report asks for: its `action` (checked against its `stepCode` when
 * both are given), else the action of the step code and `result`. Throws 400 otherwise.
 */
export function reportAction(input: Pick<ReportInput, 'action' | 'stepCode' | 'result'>): CaseAction {
  const { action, stepCode, result } = input;
  if (action !== undefined && !(CASE_ACTIONS as readonly string[]).includes(action)) {
    throw validationError([
      textFieldError('action', 'enum', 'rule.enum', { values: CASE_ACTIONS.join(', ') }),
    ]);
  }
  if (stepCode !== undefined && !isStepCode(stepCode)) {
    throw validationError([
      textFieldError('stepCode', 'enum', 'rule.enum', { values: STEP_CODES.join(', ') }),
    ]);
  }
  if (action !== undefined) {
    if (stepCode !== undefined && !STEP_CODE_TABLE[stepCode].actions.includes(action as CaseAction)) {
      throw validationError([
        textFieldError('action', 'stepCode', 'departmentSystems.actionMismatch', { action, stepCode }),
      ]);
    }
    return action as CaseAction;
  }
  if (stepCode === undefined) {
    throw validationError([textFieldError('action', 'required', 'departmentSystems.actionRequired')]);
  }
  const mapped = STEP_CODE_ACTIONS[stepCode];
  if (typeof mapped === 'string') return mapped;
  if (result === undefined) {
    throw validationError([
      textFieldError('result', 'required', 'departmentSystems.resultRequired', { stepCode }),
    ]);
  }
  return mapped[result];
}

/** Actions a system of a department that only handles a branch or stage may report. */
const OPINION_ACTIONS = new Set<CaseAction>(['review_approve', 'review_deny']);

/** Every case permission: the workflow's own checks (stage organisation, conditions) decide. */
const CASE_PERMISSIONS = PERMISSIONS.filter((p) => p.startsWith('case.'));

/** The actor a system acts as: for its department only, shown as 部门业务系统 in the timeline. */
export function systemActor(system: Pick<SystemKeys, 'code' | 'organisationId'>): CaseActor {
  return {
    sub: `system:${system.code}`,
    onBehalfOf: null,
    applicant: false,
    permissions: new Set(CASE_PERMISSIONS),
    roles: [],
    organisations: new Set([system.organisationId]),
    appearsAs: 'department_system',
  };
}

/** The receipt source of a system's reports (webhook_receipt.source). */
export const receiptSource = (code: string) => `department-system:${code}`;

export type ReportOutcome =
  | { duplicate: true }
  | {
      duplicate: false;
      case: { id: string; number: string; status: CaseStatus; version: number };
      action: CaseAction;
    };

/**
 * Applies a verified report. A case the system's department neither leads nor handles a
 * stage or branch of is a 404 (like one that does not exist); a department that only
 * handles a branch may give opinions only (403 otherwise). Workflow refusals are the
 * cases module's 409 / 400 / 403. On any refusal nothing is recorded, the receipt
 * included, so the system may send a corrected report with the same id.
 */
export async function applyReport(
  db: Database,
  system: Pick<SystemKeys, 'code' | 'organisationId'>,
  webhookId: string,
  input: ReportInput,
  options: { now?: Date } = {},
): Promise<ReportOutcome> {
  const action = reportAction(input);
  if (input.caseId === undefined && input.caseNumber === undefined) {
    throw validationError([textFieldError('caseId', 'required', 'departmentSystems.caseRequired')]);
  }
  const calendar = await caseCalendar(db);
  return db.transaction(async (tx): Promise<ReportOutcome> => {
    if (!(await recordReceipt(tx, receiptSource(system.code), webhookId))) return { duplicate: true };
    let caseId = input.caseId;
    if (caseId === undefined) {
      caseId = (await caseIdByNumber(tx, input.caseNumber!)) ?? undefined;
    }
    const c = caseId === undefined ? null : await findCase(tx, caseId, true);
    const missing = `No case ${input.caseId ?? input.caseNumber} for department system ${system.code}`;
    if (!c || (input.caseNumber !== undefined && c.number !== input.caseNumber)) throw notFound(missing);
    const departments = new Set([
      c.organisationId,
      ...Object.values(c.process.organisations).map((o) => o.id),
    ]);
    if (!departments.has(system.organisationId)) throw notFound(missing);
    if (system.organisationId !== c.organisationId && !OPINION_ACTIONS.has(action)) {
      const t = text('departmentSystems.leadOnly', { action });
      throw new AppError('forbidden', t.en, undefined, { message: t.zh });
    }
    const after = await takeStepIn(
      tx,
      calendar,
      c.id,
      {
        action,
        version: input.version ?? c.version,
        reason: input.reason,
        stage: input.stage,
        branch: input.branch,
        needed: input.needed,
        days: input.days,
        expectedDays: input.expectedDays,
      },
      systemActor(system),
      options.now ? { now: options.now } : {},
    );
    return {
      duplicate: false,
      case: { id: after.id, number: after.number, status: after.status, version: after.version },
      action,
    };
  });
}
