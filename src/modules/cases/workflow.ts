import type { Permission } from '../../kernel/auth.ts';
import { AppError, validationError } from '../../kernel/errors.ts';
import { defineMessages, text, type Text } from '../../kernel/i18n.ts';
import { opinionStages, stageOfKind, type JoinRule, type Process, type Stage } from './process.ts';

/**
 * The case lifecycle (DOMAIN.md §4) as data: which action is allowed in which status, who
 * may take it, where it leads and what it does to the clock. Pure: no database; the cases
 * module applies a transition inside its own transaction.
 *
 * Statuses are coarse; the position inside review (which stage, which parallel branch has
 * given its opinion) is derived from the opinions recorded so far (`reviewProgress`), and
 * decides through the conditions of a transition (`when`) whether a decision may be made.
 */

export const CASE_STATUSES = [
  'submitted',
  'prereviewing',
  'accepted',
  'rejected',
  'supplementing',
  'under_review',
  'suspended',
  'decided_approved',
  'decided_denied',
  'certificate_made',
  'delivered',
  'completed',
  'withdrawn',
  'returned',
] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

export const STATUS_NAMES: Record<CaseStatus, Text> = {
  submitted: { zh: '已申请', en: 'submitted' },
  prereviewing: { zh: '预审中', en: 'in pre-review' },
  accepted: { zh: '已受理', en: 'accepted' },
  rejected: { zh: '不予受理', en: 'not accepted' },
  supplementing: { zh: '补齐补正中', en: 'awaiting supplement' },
  under_review: { zh: '审查中', en: 'under review' },
  suspended: { zh: '挂起（特别程序）', en: 'suspended (special procedure)' },
  decided_approved: { zh: '准予许可', en: 'approved' },
  decided_denied: { zh: '不予许可', en: 'denied' },
  certificate_made: { zh: '已制证', en: 'certificate made' },
  delivered: { zh: '已送达', en: 'delivered' },
  completed: { zh: '已办结', en: 'completed' },
  withdrawn: { zh: '已撤件', en: 'withdrawn' },
  returned: { zh: '已退件', en: 'returned' },
};

/** Statuses a case never leaves. */
export const TERMINAL_STATUSES: readonly CaseStatus[] = ['rejected', 'completed', 'withdrawn', 'returned'];

export const CASE_ACTIONS = [
  'receive',
  'prereview',
  'accept',
  'reject',
  'request_supplement',
  'supplement',
  'review_approve',
  'review_deny',
  'suspend',
  'resume',
  'extend',
  'decide_approve',
  'decide_deny',
  'make_certificate',
  'deliver',
  'complete',
  'withdraw',
  'return',
] as const;
export type CaseAction = (typeof CASE_ACTIONS)[number];

export const ACTION_NAMES: Record<CaseAction, Text> = {
  receive: { zh: '接件', en: 'receive' },
  prereview: { zh: '预审', en: 'pre-review' },
  accept: { zh: '受理', en: 'accept' },
  reject: { zh: '不予受理', en: 'refuse to accept' },
  request_supplement: { zh: '补齐补正告知', en: 'request a supplement' },
  supplement: { zh: '补齐补正材料', en: 'supply the supplement' },
  review_approve: { zh: '审查通过', en: 'approve in review' },
  review_deny: { zh: '审查不通过', en: 'deny in review' },
  suspend: { zh: '挂起（特别程序）', en: 'suspend (special procedure)' },
  resume: { zh: '恢复办理', en: 'resume' },
  extend: { zh: '延期', en: 'extend the time limit' },
  decide_approve: { zh: '准予许可', en: 'approve' },
  decide_deny: { zh: '不予许可', en: 'deny' },
  make_certificate: { zh: '制证', en: 'make the certificate' },
  deliver: { zh: '送达', en: 'deliver' },
  complete: { zh: '办结', en: 'complete' },
  withdraw: { zh: '撤件', en: 'withdraw' },
  return: { zh: '退件', en: 'return' },
};

/** Who may take an action: the applicant (or their agent), or staff holding a permission. */
export type TransitionActor = 'applicant' | Permission;

/**
 * What a transition does to the case clock (clock.ts): start it (受理), pause it (补正,
 * 特别程序), resume it, stop it (办结 and the ends after acceptance), or extend it (延期:
 * the extension's days are added to the limits, once).
 */
export type ClockEffect = 'start' | 'pause' | 'resume' | 'stop' | 'extend' | null;

/**
 * Conditions a transition may need, evaluated against the WorkflowContext:
 * - beforeAcceptance / afterAcceptance: whether the case was accepted (its clock started);
 *   a supplement returns to pre-review before acceptance and to review after it.
 * - extensionAvailable: no extension yet, and the process allows one (extensionLimitDays > 0).
 * - reviewPending / reviewApproved / reviewDone: the outcome of the review stages so far.
 * - hasCertificate / noCertificate / hasDelivery / noDelivery: the process's optional stages.
 */
export const CONDITIONS = [
  'beforeAcceptance',
  'afterAcceptance',
  'extensionAvailable',
  'reviewPending',
  'reviewApproved',
  'reviewDone',
  'hasCertificate',
  'noCertificate',
  'hasDelivery',
  'noDelivery',
] as const;
export type Condition = (typeof CONDITIONS)[number];

export interface Transition {
  from: CaseStatus;
  action: CaseAction;
  to: CaseStatus;
  actor: TransitionActor;
  clock: ClockEffect;
  /** A written reason is required (不予受理, 补正 notice, 不予许可 ...). */
  requiresReason: boolean;
  /** Every condition must hold; none = always. */
  when: readonly Condition[];
}

const row = (
  from: CaseStatus,
  action: CaseAction,
  to: CaseStatus,
  actor: TransitionActor,
  clock: ClockEffect,
  requiresReason: boolean,
  when: readonly Condition[] = [],
): Transition => ({ from, action, to, actor, clock, requiresReason, when });

/** The actions of a case being worked on after acceptance (accepted or under_review). */
const reviewing = (from: 'accepted' | 'under_review'): Transition[] => [
  row(from, 'review_approve', 'under_review', 'case.review', null, false, ['reviewPending']),
  row(from, 'review_deny', 'under_review', 'case.review', null, true, ['reviewPending']),
  row(from, 'request_supplement', 'supplementing', 'case.review', 'pause', true),
  row(from, 'suspend', 'suspended', 'case.review', 'pause', true),
  row(from, 'extend', from, 'case.extend', 'extend', true, ['extensionAvailable']),
  row(from, 'decide_approve', 'decided_approved', 'case.decide', null, false, ['reviewApproved']),
  row(from, 'decide_deny', 'decided_denied', 'case.decide', null, true, ['reviewDone']),
  row(from, 'withdraw', 'withdrawn', 'applicant', 'stop', false),
];

/**
 * The lifecycle. Notes on choices:
 * - receive (接件) takes a submitted application into pre-review, at the window or from the
 *   online queue; prereview (预审) records a pre-review opinion and keeps the status.
 * - return (退件) sends an application back without a decision (wrong item, duplicate, no
 *   supplement ever came); reject (不予受理) is the formal refusal with a written decision.
 * - A reviewer's denial does not end the case: the decision stage issues 不予许可 with its
 *   reason. The decision maker may deny after approving opinions, never approve after a
 *   denying outcome.
 * - The case clock stops at 办结 and at the ends reached after acceptance; the deadline of
 *   the case is measured to 办结 (承诺办结时限). Decisions do not stop it.
 * - 补正 may be requested again after a supplement: "一次性告知" is about the notice listing
 *   every missing or faulty material at once, which the notice's content enforces.
 */
export const TRANSITIONS: readonly Transition[] = [
  row('submitted', 'receive', 'prereviewing', 'case.receive', null, false),
  row('submitted', 'return', 'returned', 'case.receive', null, true),
  row('submitted', 'withdraw', 'withdrawn', 'applicant', null, false),

  row('prereviewing', 'prereview', 'prereviewing', 'case.receive', null, false),
  row('prereviewing', 'accept', 'accepted', 'case.accept', 'start', false),
  row('prereviewing', 'reject', 'rejected', 'case.accept', null, true),
  row('prereviewing', 'request_supplement', 'supplementing', 'case.accept', null, true),
  row('prereviewing', 'return', 'returned', 'case.receive', null, true),
  row('prereviewing', 'withdraw', 'withdrawn', 'applicant', null, false),

  row('supplementing', 'supplement', 'prereviewing', 'applicant', null, false, ['beforeAcceptance']),
  row('supplementing', 'supplement', 'under_review', 'applicant', 'resume', false, ['afterAcceptance']),
  row('supplementing', 'return', 'returned', 'case.receive', null, true, ['beforeAcceptance']),
  row('supplementing', 'return', 'returned', 'case.review', 'stop', true, ['afterAcceptance']),
  row('supplementing', 'withdraw', 'withdrawn', 'applicant', null, false, ['beforeAcceptance']),
  row('supplementing', 'withdraw', 'withdrawn', 'applicant', 'stop', false, ['afterAcceptance']),

  ...reviewing('accepted'),
  ...reviewing('under_review'),

  row('suspended', 'resume', 'under_review', 'case.review', 'resume', false),
  row('suspended', 'withdraw', 'withdrawn', 'applicant', 'stop', false),

  row('decided_approved', 'make_certificate', 'certificate_made', 'case.decide', null, false, [
    'hasCertificate',
  ]),
  row('decided_approved', 'deliver', 'delivered', 'case.receive', null, false, [
    'noCertificate',
    'hasDelivery',
  ]),
  row('decided_approved', 'complete', 'completed', 'case.receive', 'stop', false, [
    'noCertificate',
    'noDelivery',
  ]),

  row('decided_denied', 'deliver', 'delivered', 'case.receive', null, false, ['hasDelivery']),
  row('decided_denied', 'complete', 'completed', 'case.receive', 'stop', false, ['noDelivery']),

  row('certificate_made', 'deliver', 'delivered', 'case.receive', null, false, ['hasDelivery']),
  row('certificate_made', 'complete', 'completed', 'case.receive', 'stop', false, ['noDelivery']),

  row('delivered', 'complete', 'completed', 'case.receive', 'stop', false),
];

export type OpinionValue = 'approve' | 'deny';
export type ReviewOutcome = 'pending' | 'approved' | 'denied';

/** What the transitions' conditions are evaluated against. */
export interface WorkflowContext {
  process: Pick<Process, 'stages' | 'extensionLimitDays'>;
  /** The case has been accepted (its clock started). */
  accepted: boolean;
  /** The one extension (延期) has been granted. */
  extended: boolean;
  /** The outcome of the review stages so far (reviewProgress(...).outcome). */
  review: ReviewOutcome;
}

export function conditionHolds(condition: Condition, context: WorkflowContext): boolean {
  const has = (kind: Stage['kind']) => stageOfKind(context.process, kind) !== undefined;
  switch (condition) {
    case 'beforeAcceptance':
      return !context.accepted;
    case 'afterAcceptance':
      return context.accepted;
    case 'extensionAvailable':
      return !context.extended && context.process.extensionLimitDays > 0;
    case 'reviewPending':
      return context.review === 'pending';
    case 'reviewApproved':
      return context.review === 'approved';
    case 'reviewDone':
      return context.review !== 'pending';
    case 'hasCertificate':
      return has('certificate');
    case 'noCertificate':
      return !has('certificate');
    case 'hasDelivery':
      return has('delivery');
    case 'noDelivery':
      return !has('delivery');
  }
}

/** Someone about to act: the applicant (or their agent), or staff with permissions. */
export interface WorkflowActor {
  applicant: boolean;
  permissions: ReadonlySet<string>;
}

export function mayAct(transition: Transition, actor: WorkflowActor): boolean {
  return transition.actor === 'applicant' ? actor.applicant : actor.permissions.has(transition.actor);
}

/** The transitions open from `status` in `context` (for `actor` when given). */
export function openTransitions(
  status: CaseStatus,
  context: WorkflowContext,
  actor?: WorkflowActor,
): Transition[] {
  return TRANSITIONS.filter(
    (t) =>
      t.from === status &&
      t.when.every((c) => conditionHolds(c, context)) &&
      (actor === undefined || mayAct(t, actor)),
  );
}

/** The actions allowed in `status`, in table order, without duplicates. */
export function allowedActions(
  status: CaseStatus,
  context: WorkflowContext,
  actor?: WorkflowActor,
): CaseAction[] {
  return [...new Set(openTransitions(status, context, actor).map((t) => t.action))];
}

defineMessages({
  'cases.workflow.refused': {
    zh: '当前状态“{status}”下不能执行“{action}”',
    en: 'cannot {action} a case that is {status}',
  },
  'cases.workflow.notYours': { zh: '您无权执行“{action}”', en: 'you may not {action} this case' },
  'cases.workflow.reasonRequired': { zh: '“{action}”须填写理由', en: 'a reason is required to {action}' },
});

/**
 * An action not allowed in the case's current status (or whose conditions do not hold):
 * a 409 whose problem document names the current status and the actions allowed.
 */
export class TransitionRefused extends AppError {
  constructor(
    readonly currentStatus: CaseStatus,
    readonly action: string,
    readonly allowed: CaseAction[],
    /** Conditions that failed when the action exists from this status (e.g. extensionAvailable). */
    readonly unmet: Condition[] = [],
  ) {
    const status = STATUS_NAMES[currentStatus];
    const name = isCaseAction(action) ? ACTION_NAMES[action] : { zh: action, en: action };
    const message = text('cases.workflow.refused', { status: status.zh, action: name.zh }).zh;
    const messageEn = text('cases.workflow.refused', { status: status.en, action: name.en }).en;
    super('conflict', messageEn, undefined, {
      currentStatus,
      action,
      allowedActions: allowed,
      ...(unmet.length > 0 && { unmetConditions: unmet }),
      message,
      messageEn,
    });
    this.name = 'TransitionRefused';
  }
}

export function isCaseAction(value: string): value is CaseAction {
  return (CASE_ACTIONS as readonly string[]).includes(value);
}

export function isCaseStatus(value: string): value is CaseStatus {
  return (CASE_STATUSES as readonly string[]).includes(value);
}

/**
 * The transition `action` takes from `status`; throws TransitionRefused when there is none.
 * The conditions of a row are disjoint from those of any other row with the same status
 * and action, so at most one matches.
 */
export function transitionFor(status: CaseStatus, action: string, context: WorkflowContext): Transition {
  const candidates = TRANSITIONS.filter((t) => t.from === status && t.action === action);
  const match = candidates.find((t) => t.when.every((c) => conditionHolds(c, context)));
  if (match) return match;
  const unmet = [...new Set(candidates.flatMap((t) => t.when.filter((c) => !conditionHolds(c, context))))];
  throw new TransitionRefused(status, action, allowedActions(status, context), unmet);
}

export function nextStatus(status: CaseStatus, action: string, context: WorkflowContext): CaseStatus {
  return transitionFor(status, action, context).to;
}

/**
 * The transition for `actor`, with its reason checked: 403 when the actor may not take it,
 * 400 (field `reason`) when a written reason is required and missing, 409 when not allowed.
 */
export function authorise(
  status: CaseStatus,
  action: string,
  context: WorkflowContext,
  actor: WorkflowActor,
  reason?: string | null,
): Transition {
  const transition = transitionFor(status, action, context);
  const name = ACTION_NAMES[transition.action];
  if (!mayAct(transition, actor)) {
    const t = text('cases.workflow.notYours', { action: name.zh });
    throw new AppError('forbidden', text('cases.workflow.notYours', { action: name.en }).en, undefined, {
      message: t.zh,
    });
  }
  if (transition.requiresReason && !reason?.trim()) {
    const zh = text('cases.workflow.reasonRequired', { action: name.zh }).zh;
    const en = text('cases.workflow.reasonRequired', { action: name.en }).en;
    throw validationError([{ field: 'reason', rule: 'required', message: zh, messageEn: en }]);
  }
  return transition;
}

export function isTerminal(status: CaseStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

// ---- Review: stages in sequence, parallel branches joined by a rule ----

/**
 * The outcome of a parallel stage from its branches' opinions (null = not given yet).
 * all: a deny denies at once, every approve approves; any: an approve approves at once,
 * every deny denies. Otherwise pending.
 */
export function joinOutcome(
  branches: readonly (OpinionValue | null | undefined)[],
  rule: JoinRule,
): ReviewOutcome {
  const approvals = branches.filter((b) => b === 'approve').length;
  const denials = branches.filter((b) => b === 'deny').length;
  if (rule === 'all') {
    if (denials > 0) return 'denied';
    return approvals === branches.length ? 'approved' : 'pending';
  }
  if (approvals > 0) return 'approved';
  return denials === branches.length ? 'denied' : 'pending';
}

/** An opinion given in a review or inspection stage (branch: of a parallel stage). */
export interface Opinion {
  stage: string;
  branch?: string | null;
  opinion: OpinionValue;
}

export interface ReviewProgress {
  outcome: ReviewOutcome;
  /** The stage awaiting opinions (pending), or the one that denied (denied); null when approved. */
  stage: string | null;
  /** Branches of a pending parallel stage that have not given their opinion. */
  pendingBranches: string[];
}

/**
 * Where the review stands: stages in order; a stage without branches is decided by its
 * opinion, a parallel stage by joinOutcome. A denial ends the review (the decision stage
 * then issues 不予许可). A process without review stages is approved from the start.
 */
export function reviewProgress(
  process: Pick<Process, 'stages'>,
  opinions: readonly Opinion[],
): ReviewProgress {
  for (const stage of opinionStages(process)) {
    const given = opinions.filter((o) => o.stage === stage.code);
    if (!stage.branches) {
      const opinion = given[0]?.opinion;
      if (!opinion) return { outcome: 'pending', stage: stage.code, pendingBranches: [] };
      if (opinion === 'deny') return { outcome: 'denied', stage: stage.code, pendingBranches: [] };
      continue;
    }
    const byBranch = stage.branches.map((b) => given.find((o) => o.branch === b.code)?.opinion ?? null);
    const outcome = joinOutcome(byBranch, stage.join ?? 'all');
    if (outcome === 'approved') continue;
    const pendingBranches = stage.branches.filter((_, i) => byBranch[i] === null).map((b) => b.code);
    return { outcome, stage: stage.code, pendingBranches: outcome === 'pending' ? pendingBranches : [] };
  }
  return { outcome: 'approved', stage: null, pendingBranches: [] };
}

defineMessages({
  'cases.review.notCurrentStage': {
    zh: '当前应由“{stage}”环节出具意见',
    en: 'opinions are now due in stage {stage}',
  },
  'cases.review.noPendingStage': { zh: '审查已结束', en: 'the review is over' },
  'cases.review.branchRequired': {
    zh: '并联审批须指明分支，待出具意见的分支：{branches}',
    en: 'name the branch of this parallel stage; branches still to give an opinion: {branches}',
  },
  'cases.review.branchDone': {
    zh: '分支“{branch}”已出具意见或不属于当前环节',
    en: 'branch {branch} has already given its opinion or is not in this stage',
  },
});

/**
 * Adds an opinion after checking it is due: the current stage, and for a parallel stage
 * a branch that has not given its opinion yet. Returns the opinions and the new progress;
 * throws a 409 (conflict, with `currentStage` and `pendingBranches`) otherwise.
 */
export function recordOpinion(
  process: Pick<Process, 'stages'>,
  opinions: readonly Opinion[],
  opinion: Opinion,
): { opinions: Opinion[]; progress: ReviewProgress } {
  const progress = reviewProgress(process, opinions);
  const refuse = (key: string, params: Record<string, string>) => {
    const t = text(`cases.review.${key}`, params);
    return new AppError('conflict', t.en, undefined, {
      currentStage: progress.stage,
      pendingBranches: progress.pendingBranches,
      message: t.zh,
      messageEn: t.en,
    });
  };
  if (progress.outcome !== 'pending' || progress.stage === null) throw refuse('noPendingStage', {});
  if (opinion.stage !== progress.stage) throw refuse('notCurrentStage', { stage: progress.stage });
  const stage = process.stages.find((s) => s.code === progress.stage)!;
  if (stage.branches) {
    const branches = progress.pendingBranches.join(', ');
    if (!opinion.branch) throw refuse('branchRequired', { branches });
    if (!progress.pendingBranches.includes(opinion.branch))
      throw refuse('branchDone', { branch: opinion.branch });
  }
  const recorded: Opinion = {
    stage: opinion.stage,
    ...(stage.branches && { branch: opinion.branch ?? null }),
    opinion: opinion.opinion,
  };
  const next = [...opinions, recorded];
  return { opinions: next, progress: reviewProgress(process, next) };
}

/** The workflow context of a case from what it has recorded. */
export function workflowContext(
  process: Pick<Process, 'stages' | 'extensionLimitDays'>,
  state: { accepted: boolean; extended: boolean; opinions: readonly Opinion[] },
): WorkflowContext {
  return {
    process,
    accepted: state.accepted,
    extended: state.extended,
    review: reviewProgress(process, state.opinions).outcome,
  };
}

// ---- Exchange with department systems: the provincial step codes (DOMAIN.md §4) ----

export const STEP_CODES = ['110', '120', '130', '140', '150', '160', '170', '180', '190'] as const;
export type StepCode = (typeof STEP_CODES)[number];

/** Each step code: its name, the stage kind it belongs to, and the actions it reports. */
export const STEP_CODE_TABLE: Record<
  StepCode,
  { name: string; nameEn: string; stageKind: Stage['kind'] | null; actions: readonly CaseAction[] }
> = {
  '110': {
    name: '受理',
    nameEn: 'acceptance',
    stageKind: 'accept',
    actions: ['receive', 'prereview', 'accept', 'reject', 'return'],
  },
  '120': {
    name: '初审',
    nameEn: 'first review',
    stageKind: 'review',
    actions: ['review_approve', 'review_deny'],
  },
  '130': { name: '审核', nameEn: 'review', stageKind: 'review', actions: ['review_approve', 'review_deny'] },
  '140': {
    name: '补齐补正',
    nameEn: 'supplement',
    stageKind: null,
    actions: ['request_supplement', 'supplement'],
  },
  '150': {
    name: '批准',
    nameEn: 'decision',
    stageKind: 'decision',
    actions: ['decide_approve', 'decide_deny'],
  },
  '160': {
    name: '现场勘查',
    nameEn: 'on-site inspection',
    stageKind: 'inspection',
    actions: ['review_approve', 'review_deny'],
  },
  '170': { name: '通知申请人', nameEn: 'notify the applicant', stageKind: 'delivery', actions: ['deliver'] },
  '180': {
    name: '打印发证',
    nameEn: 'print the certificate',
    stageKind: 'certificate',
    actions: ['make_certificate'],
  },
  '190': { name: '发证', nameEn: 'issue the certificate', stageKind: 'delivery', actions: ['deliver'] },
};

export function isStepCode(value: string): value is StepCode {
  return (STEP_CODES as readonly string[]).includes(value);
}

/**
 * The provincial step code of a transition, for reporting to a department system; null for
 * the actions that have none (suspend, resume, extend, complete, withdraw, a return after
 * acceptance): they travel as the case status. `stage` is the stage an opinion was given
 * in: the first review stage is 120 初审, later ones 130 审核, inspection 160. A delivery
 * after 制证 is 190 发证; without a certificate it is 170 通知申请人.
 */
export function stepCodeFor(
  transition: Pick<Transition, 'from' | 'action' | 'clock'>,
  process?: Pick<Process, 'stages'>,
  stage?: string,
): StepCode | null {
  switch (transition.action) {
    case 'receive':
    case 'prereview':
    case 'accept':
    case 'reject':
      return '110';
    case 'return':
      return transition.clock === 'stop' ? null : '110';
    case 'request_supplement':
    case 'supplement':
      return '140';
    case 'review_approve':
    case 'review_deny': {
      const stages = process ? opinionStages(process) : [];
      const current = stages.find((s) => s.code === stage);
      if (current?.kind === 'inspection') return '160';
      const firstReview = stages.find((s) => s.kind === 'review');
      return current && current !== firstReview ? '130' : '120';
    }
    case 'decide_approve':
    case 'decide_deny':
      return '150';
    case 'make_certificate':
      return '180';
    case 'deliver':
      return transition.from === 'certificate_made' ? '190' : '170';
    default:
      return null;
  }
}
