import { calendarServiceFor, type WorkingCalendar } from '../../kernel/calendar/index.ts';
import { appendToChain } from '../../kernel/chain.ts';
import type { Database, Queryable } from '../../kernel/db.ts';
import { AppError, conflict, notFound, textFieldError, validationError } from '../../kernel/errors.ts';
import { defineMessages, text } from '../../kernel/i18n.ts';
import { publish } from '../../kernel/outbox.ts';
import { caseSource } from '../catalog/index.ts';
import { findDepartment, getOrganisation } from '../directory/index.ts';
import { checkExtension, DEFAULT_THRESHOLDS, type ClockThresholds } from './clock.ts';
import { readClocks, refreshClocks, taskDeadline, type KnownState } from './clocks.ts';
import { CASE_TOPICS, type CaseApplicant, type CaseStepEvent, type NeededMaterial } from './events.ts';
import {
  defaultProcess,
  LEAD_DEPARTMENT,
  opinionStages,
  parseProcess,
  stageOfKind,
  type Process,
  type Stage,
} from './process.ts';
import {
  caseRef,
  CASE_COLUMNS,
  findCase,
  pausesOf,
  tasksOf,
  toCaseRow,
  type CaseMaterial,
  type CaseProcess,
  type CaseRow,
  type CaseTask,
  type StoredOpinion,
} from './store.ts';
import {
  authorise,
  isTerminal,
  recordOpinion,
  reviewProgress,
  workflowContext,
  type CaseAction,
  type CaseStatus,
  type Transition,
} from './workflow.ts';

/**
 * Filing cases and taking steps on them. Every step is one transaction: lock and read the
 * case, refuse it unless its version is the one the actor saw (optimistic concurrency: of
 * two clerks acting at once exactly one wins, the other gets a 409), check the step against
 * the lifecycle table (workflow.ts) and the actor, bring the open tasks in line with the new
 * state, record the timeline event, append to the case's hash chain, publish the event for
 * the modules that react, read the clocks, and write the case row once. Each statement is
 * sent once per step (the open tasks are read once, the row written once): the case-flow
 * benchmark (bench/caseflow.ts) counts them.
 */

defineMessages({
  'cases.stale': {
    zh: '办件已被他人更新（当前版本 {current}），请刷新后重试',
    en: 'the case was changed by someone else (now version {current}); reload and try again',
  },
  'cases.neededRequired': {
    zh: '补正告知须一次性列明全部需补正的材料',
    en: 'a supplement notice lists every material to supply, at least one',
  },
  'cases.suppliedMissing': {
    zh: '尚未补正材料：{names}',
    en: 'materials still to supply: {names}',
  },
  'cases.uploadNotYours': {
    zh: '文件不存在或不属于申请人',
    en: 'no such file among the applicant’s uploads',
  },
  'cases.expectedDays': {
    zh: '特别程序须填写预计时长（1至365个工作日）',
    en: 'a special procedure needs its expected length (1 to 365 working days)',
  },
  'cases.notPublished': {
    zh: '事项版本未发布，不能申请',
    en: 'the item version is not published',
  },
  'cases.departmentMissing': {
    zh: '办理流程中的部门“{department}”在本地区不存在',
    en: 'the process names department {department}, which does not exist in the region',
  },
  'cases.roleRequired': {
    zh: '该环节须由“{role}”角色办理',
    en: 'this stage is acted on by role {role}',
  },
});

/** Where the clock settings come from; one per app. */
export interface CaseSettings {
  thresholds: ClockThresholds;
}
export const DEFAULT_CASE_SETTINGS: CaseSettings = { thresholds: DEFAULT_THRESHOLDS };

/** The working-day calendar cases run on (holidays, make-up days, administrator overrides). */
export function caseCalendar(db: Database): Promise<WorkingCalendar> {
  return calendarServiceFor(db).calendar();
}

// ---- Filing ----

export interface CaseOpening {
  applicationId: string;
  applicationNumber: string;
  applicant: CaseApplicant;
  submittedBy: { actor: string; onBehalfOf?: string | undefined };
  channel: 'online' | 'window' | 'mobile' | 'kiosk';
  submittedAt: Date;
  parts: {
    itemVersionId: number;
    entryId: number;
    formData: Record<string, unknown>;
    materials: CaseMaterial[];
  }[];
}

export interface OpenedCase {
  caseId: string;
  number: string;
  part: number;
  status: CaseStatus;
}

/**
 * Files one case per part of a submitted application, in the caller's transaction. The
 * process is copied from the item version (its own, or the default one) with every
 * department resolved to an organisation of the entry's region.
 */
export async function openCases(
  tx: Queryable,
  opening: CaseOpening,
  calendar: WorkingCalendar,
  settings: CaseSettings = DEFAULT_CASE_SETTINGS,
): Promise<OpenedCase[]> {
  const opened: OpenedCase[] = [];
  const bundle = opening.parts.length > 1;
  for (const [index, part] of opening.parts.entries()) {
    const source = await caseSource(tx, part.itemVersionId, part.entryId);
    if (source.versionStatus !== 'published') {
      throw validationError([
        textFieldError(`parts[${index}].itemVersionId`, 'published', 'cases.notPublished'),
      ]);
    }
    const process = source.workflow ? parseProcess(source.workflow, 'workflow') : defaultProcess(source);
    const resolved = await resolveDepartments(tx, process, source.entry);
    const number = bundle
      ? `${opening.applicationNumber}-${String(index + 1).padStart(2, '0')}`
      : opening.applicationNumber;
    const [row] = await tx.query<Record<string, unknown>>(
      `insert into cases as c (number, application_id, application_number, part, item_id, item_code, item_version_id,
          item_name, entry_id, organisation_id, organisation_name, region_code, applicant_sub, applicant_kind,
          applicant_name, enterprise_uscc, submitted_by, channel, process, form_data, materials, submitted_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22)
       returning ${CASE_COLUMNS}`,
      [
        number,
        opening.applicationId,
        opening.applicationNumber,
        index + 1,
        source.itemId,
        source.itemCode,
        source.itemVersionId,
        source.itemName,
        source.entry.id,
        source.entry.organisationId,
        source.entry.organisationName,
        source.entry.regionCode,
        opening.applicant.sub,
        opening.applicant.kind,
        opening.applicant.name,
        opening.applicant.enterpriseUscc,
        opening.submittedBy.actor,
        opening.channel,
        JSON.stringify(resolved),
        JSON.stringify(part.formData),
        JSON.stringify(part.materials),
        opening.submittedAt,
      ],
      { prepare: true },
    );
    const c = toCaseRow(row!);
    // A new case has no tasks and no pauses yet.
    const known: KnownState = { pauses: [] };
    known.tasks = await syncTasks(tx, c, opening.submittedAt, [], known.pauses!, calendar, settings);
    const step: Step = {
      action: 'submit',
      from: null,
      to: 'submitted',
      actor: opening.submittedBy.actor,
      onBehalfOf: opening.submittedBy.onBehalfOf ?? null,
      actorRole: 'applicant',
      reason: null,
      details: {},
      stage: null,
      branch: null,
    };
    await record(tx, c, step, opening.submittedAt, CASE_TOPICS.submitted, true);
    await refreshClocks(tx, c, opening.submittedAt, calendar, settings.thresholds, known);
    opened.push({ caseId: c.id, number, part: index + 1, status: 'submitted' });
  }
  return opened;
}

/** Every stage's and branch's department as an organisation of the entry's region. */
async function resolveDepartments(
  tx: Queryable,
  process: Process,
  entry: { organisationId: number; organisationName: string; regionCode: string },
): Promise<CaseProcess> {
  const organisations: CaseProcess['organisations'] = {};
  const resolve = async (ref: string | number, field: string) => {
    if (ref === LEAD_DEPARTMENT) return { id: entry.organisationId, name: entry.organisationName };
    if (typeof ref === 'number') {
      const organisation = await getOrganisation(tx, ref);
      return { id: organisation.id, name: organisation.name };
    }
    const found = await findDepartment(tx, { regionCode: entry.regionCode, departmentName: ref });
    if (!found) {
      throw validationError([
        textFieldError(field, 'department', 'cases.departmentMissing', { department: ref }),
      ]);
    }
    return { id: found.id, name: found.name };
  };
  for (const [i, stage] of process.stages.entries()) {
    organisations[stage.code] = await resolve(stage.department, `workflow.stages[${i}].department`);
    for (const [j, branch] of (stage.branches ?? []).entries()) {
      organisations[`${stage.code}/${branch.code}`] = await resolve(
        branch.department,
        `workflow.stages[${i}].branches[${j}].department`,
      );
    }
  }
  return { ...process, organisations };
}

// ---- Tasks: the open work follows from the state ----

/** The pseudo-stage after the last one: closing the case (办结) at the lead body. */
export const COMPLETION_STAGE = 'completion';

interface WantedTask {
  stage: string;
  branch: string | null;
  role: string;
  organisationId: number;
  limitDays: number;
}

/** The work a case in this state waits for. */
export function wantedTasks(
  c: Pick<CaseRow, 'status' | 'acceptedAt' | 'process' | 'opinions' | 'organisationId'>,
): WantedTask[] {
  const { process } = c;
  const stageTask = (stage: Stage): WantedTask => ({
    stage: stage.code,
    branch: null,
    role: stage.role,
    organisationId: process.organisations[stage.code]?.id ?? c.organisationId,
    limitDays: stage.limitDays,
  });
  const accept = stageOfKind(process, 'accept')!;
  const completion: WantedTask = {
    stage: COMPLETION_STAGE,
    branch: null,
    role: accept.role,
    organisationId: c.organisationId,
    limitDays: 1,
  };
  const next = (...kinds: Stage['kind'][]) => {
    for (const kind of kinds) {
      const stage = stageOfKind(process, kind);
      if (stage) return [stageTask(stage)];
    }
    return [completion];
  };
  switch (c.status) {
    case 'submitted':
    case 'prereviewing':
      return [stageTask(accept)];
    case 'supplementing':
      return c.acceptedAt ? reviewTasks(c) : [stageTask(accept)];
    case 'accepted':
    case 'under_review':
    case 'suspended':
      return reviewTasks(c);
    case 'decided_approved':
      return next('certificate', 'delivery');
    case 'decided_denied':
    case 'certificate_made':
      return next('delivery');
    case 'delivered':
      return [completion];
    default:
      return [];
  }

  function reviewTasks(k: Pick<CaseRow, 'process' | 'opinions' | 'organisationId'>): WantedTask[] {
    const progress = reviewProgress(k.process, k.opinions);
    if (progress.outcome !== 'pending' || progress.stage === null) {
      return [stageTask(stageOfKind(k.process, 'decision')!)];
    }
    const stage = opinionStages(k.process).find((s) => s.code === progress.stage)!;
    if (!stage.branches) return [stageTask(stage)];
    return stage.branches
      .filter((b) => progress.pendingBranches.includes(b.code))
      .map((b) => ({
        stage: stage.code,
        branch: b.code,
        role: b.role,
        organisationId: k.process.organisations[`${stage.code}/${b.code}`]?.id ?? k.organisationId,
        limitDays: b.limitDays,
      }));
  }
}

const taskKey = (t: { stage: string; branch: string | null }) => `${t.stage}/${t.branch ?? ''}`;

const TASK_COLUMNS = `id, stage, branch, role, organisation_id as "organisationId", started_at as "startedAt",
  limit_days as "limitDays", due_at as "dueAt", finished_at as "finishedAt"`;

/**
 * Finishes the open tasks no longer wanted and opens the wanted ones not yet open, with their
 * deadline; `open` are the case's open tasks as read in this transaction. Returns the open
 * tasks after it, in id order (as tasksOf reads them).
 */
async function syncTasks(
  tx: Queryable,
  c: CaseRow,
  at: Date,
  open: CaseTask[],
  pauses: { start: Date; end: Date | null }[],
  calendar: WorkingCalendar,
  settings: CaseSettings,
  by?: string,
): Promise<CaseTask[]> {
  const wanted = wantedTasks(c);
  const wantedKeys = new Set(wanted.map(taskKey));
  const openKeys = new Set(open.map(taskKey));
  const done = open.filter((t) => !wantedKeys.has(taskKey(t))).map((t) => t.id);
  if (done.length > 0) {
    await tx.query(
      'update case_task set finished_at = $2, finished_by = $3 where id = any($1::bigint[])',
      [done, at, by ?? null],
      { prepare: true },
    );
  }
  const after = open.filter((t) => wantedKeys.has(taskKey(t)));
  for (const task of wanted.filter((t) => !openKeys.has(taskKey(t)))) {
    // A task opened again (a second 补正 round ...) keeps its row and its limit.
    const [row] = await tx.query<CaseTask>(
      `insert into case_task (case_id, stage, branch, role, organisation_id, region_code, started_at, limit_days,
          due_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       on conflict (case_id, stage, branch) do update
         set finished_at = null, finished_by = null, started_at = $7, due_at = excluded.due_at
       returning ${TASK_COLUMNS}`,
      [
        c.id,
        task.stage,
        task.branch,
        task.role,
        task.organisationId,
        c.regionCode,
        at,
        task.limitDays,
        taskDeadline({ startedAt: at, limitDays: task.limitDays }, pauses, at, calendar, settings.thresholds),
      ],
      { prepare: true },
    );
    after.push(row!);
  }
  return after.sort((x, y) => x.id - y.id);
}

// ---- Steps ----

/** Who takes a step, as the routes (or a department system) establish it. */
export interface CaseActor {
  sub: string;
  onBehalfOf: string | null;
  /** The applicant or their agent (checked by the caller against the case). */
  applicant: boolean;
  permissions: ReadonlySet<string>;
  roles: readonly string[];
  /** Organisations the actor may act for on this case (jurisdiction checked by the caller). */
  organisations: ReadonlySet<number>;
  /**
   * Staff whose jurisdiction is a region, not a list of departments (a hall's 综合窗口 clerk):
   * they may take the lead's steps for any department in it. Review opinions always need
   * the reviewing department.
   */
  anyOrganisation?: boolean;
  /** How the actor appears in the applicant's timeline when not a staff role (department_system ...). */
  appearsAs?: string;
}

export interface StepInput {
  action: string;
  /** The case version the actor saw. */
  version: number;
  reason?: string | null | undefined;
  /** Review opinions: the stage and parallel branch (defaults: the stage due, the actor's branch). */
  stage?: string | undefined;
  branch?: string | undefined;
  /** Supplement notice (一次性告知): every material to supply and what is wrong. */
  needed?: NeededMaterial[] | undefined;
  /** Supplement: the materials supplied (uploads of the applicant). */
  supplied?: { name: string; uploadId: string }[] | undefined;
  /** Extension: working days. */
  days?: number | undefined;
  /** Special procedure: expected working days. */
  expectedDays?: number | undefined;
}

interface Step {
  action: string;
  from: CaseStatus | null;
  to: CaseStatus;
  actor: string;
  onBehalfOf: string | null;
  actorRole: string;
  reason: string | null;
  details: Record<string, unknown>;
  stage: string | null;
  branch: string | null;
}

/** Actions whose outcome the applicant is told about (a message and an SMS). */
const CONCERNS_APPLICANT = new Set<string>([
  'submit',
  'accept',
  'reject',
  'request_supplement',
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
]);

/** Documents produced by a step for the applicant. */
export const STEP_DOCUMENTS: Partial<Record<CaseAction, string>> = {
  accept: 'acceptance_notice',
  reject: 'rejection_decision',
  request_supplement: 'supplement_notice',
  decide_approve: 'approval_decision',
  decide_deny: 'denial_decision',
};

/** Takes a step on a case in its own transaction; returns the case after it. */
export async function takeStep(
  db: Database,
  caseId: string,
  input: StepInput,
  actor: CaseActor,
  options: { now?: Date; settings?: CaseSettings } = {},
): Promise<CaseRow> {
  const calendar = await caseCalendar(db);
  return db.transaction((tx) => takeStepIn(tx, calendar, caseId, input, actor, options));
}

/**
 * Takes a step inside the caller's transaction (a department system's report records its
 * receipt in the same one); `calendar` is loaded before the transaction (caseCalendar).
 */
export async function takeStepIn(
  tx: Queryable,
  calendar: WorkingCalendar,
  caseId: string,
  input: StepInput,
  actor: CaseActor,
  options: { now?: Date; settings?: CaseSettings } = {},
): Promise<CaseRow> {
  const settings = options.settings ?? DEFAULT_CASE_SETTINGS;
  const now = options.now ?? new Date();
  // Locking the row first serialises concurrent steps; the version check then refuses
  // the one that acted on what it saw before the other's step (lost update).
  const c = await findCase(tx, caseId, true);
  if (!c) throw notFound(`No case ${caseId}`);
  if (c.version !== input.version) throw staleVersion(c.version);

  const context = workflowContext(c.process, {
    accepted: c.acceptedAt !== null,
    extended: c.extensionDays > 0,
    opinions: c.opinions,
  });
  const transition = authorise(c.status, input.action, context, actor, input.reason);
  const reason = input.reason?.trim() || null;
  const open = await tasksOf(tx, c.id, true);
  const changes = await applyEffects(tx, c, open, transition, input, actor, now, reason, calendar);
  const next: CaseRow = { ...c, ...changes.row, status: transition.to, version: c.version + 1 };

  // Pauses as the step left them (a 补正 notice opens one, a supplement ends it).
  const pauses = (await pausesOf(tx, c.id)).map((p) => ({ start: p.start, end: p.end }));
  const tasks = await syncTasks(tx, next, now, open, pauses, calendar, settings, actor.sub);
  const step: Step = {
    action: transition.action,
    from: c.status,
    to: next.status,
    actor: actor.sub,
    onBehalfOf: actor.onBehalfOf,
    actorRole: changes.actorRole,
    reason,
    details: changes.details,
    stage: changes.stage,
    branch: changes.branch,
  };
  await record(tx, next, step, now, CASE_TOPICS.transitioned, CONCERNS_APPLICANT.has(transition.action));
  const { columns } = await readClocks(tx, next, now, calendar, settings.thresholds, { tasks, pauses });

  // One update of the row: the step and the clocks (the row is locked, the version checked above).
  await tx.query(
    `update cases set status = $3, version = version + 1, opinions = $4, materials = $5, accepted_at = $6,
            decided_at = $7, ended_at = $8, extension_days = $9, paused_since = $10, updated_at = $11,
            legal_deadline = $12, promised_deadline = $13, clock_state = $14, warned = $15, next_clock_check_at = $16
      where id = $1 and version = $2`,
    [
      c.id,
      c.version,
      next.status,
      JSON.stringify(next.opinions),
      JSON.stringify(next.materials),
      next.acceptedAt,
      next.decidedAt,
      next.endedAt,
      next.extensionDays,
      next.pausedSince,
      now,
      columns.legalDeadline,
      columns.promisedDeadline,
      columns.clockState,
      JSON.stringify(columns.warned),
      columns.nextClockCheckAt,
    ],
    { prepare: true },
  );
  // As the row now reads: JSON columns through a JSON round trip, as jsonb gives them back.
  const json = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
  return {
    ...next,
    opinions: json(next.opinions),
    materials: json(next.materials),
    legalDeadline: columns.legalDeadline,
    promisedDeadline: columns.promisedDeadline,
    clockState: columns.clockState,
    warned: json(columns.warned),
  };
}

function staleVersion(current: number): AppError {
  const t = text('cases.stale', { current });
  return conflict(t.en, { currentVersion: current, message: t.zh, messageEn: t.en });
}

interface Effects {
  row: Partial<CaseRow>;
  details: Record<string, unknown>;
  stage: string | null;
  branch: string | null;
  actorRole: string;
}

/** What a step changes beyond the status, by action. */
async function applyEffects(
  tx: Queryable,
  c: CaseRow,
  open: CaseTask[],
  transition: Transition,
  input: StepInput,
  actor: CaseActor,
  now: Date,
  reason: string | null,
  calendar: WorkingCalendar,
): Promise<Effects> {
  const effects: Effects = {
    row: {},
    details: {},
    stage: null,
    branch: null,
    actorRole: actor.applicant ? 'applicant' : (actor.appearsAs ?? staffRole(actor, open[0]?.role)),
  };
  const at = now.toISOString();
  const opinion = transition.action === 'review_approve' || transition.action === 'review_deny';
  if (!actor.applicant && !actor.anyOrganisation && !opinion) {
    const responsible = [c.organisationId, ...open.map((t) => t.organisationId)];
    if (!responsible.some((id) => actor.organisations.has(id))) {
      throw new AppError('forbidden', 'This step is taken by the department handling the case');
    }
  }

  switch (transition.action) {
    case 'accept':
      effects.row.acceptedAt = now;
      break;
    case 'review_approve':
    case 'review_deny': {
      const progress = reviewProgress(c.process, c.opinions);
      const stage = input.stage ?? progress.stage ?? '';
      const branch = input.branch ?? defaultBranch(c, stage, progress.pendingBranches, actor);
      const task = open.find((t) => t.stage === stage && (t.branch ?? null) === (branch ?? null));
      if (task && !actor.roles.includes(task.role) && !actor.appearsAs) {
        const t = text('cases.roleRequired', { role: task.role });
        throw new AppError('forbidden', t.en, undefined, { message: t.zh });
      }
      if (task && !actor.organisations.has(task.organisationId)) {
        throw new AppError('forbidden', `Stage ${stage} is handled by another department`);
      }
      const opinion = transition.action === 'review_approve' ? 'approve' : 'deny';
      const { opinions } = recordOpinion(c.process, c.opinions, { stage, branch: branch ?? null, opinion });
      const recorded: StoredOpinion = { ...opinions[opinions.length - 1]!, by: actor.sub, at, reason };
      effects.row.opinions = [...c.opinions, recorded];
      effects.stage = stage;
      effects.branch = branch ?? null;
      effects.actorRole = actor.appearsAs ?? (task ? task.role : effects.actorRole);
      break;
    }
    case 'request_supplement': {
      if (!input.needed || input.needed.length === 0) {
        throw validationError([textFieldError('needed', 'required', 'cases.neededRequired')]);
      }
      effects.details = { needed: input.needed };
      effects.row.pausedSince = now;
      await tx.query(
        `insert into case_pause (case_id, kind, reason, started_at) values ($1, 'supplement', $2, $3)`,
        [c.id, reason, now],
      );
      break;
    }
    case 'supplement': {
      const supplied = await checkSupplied(tx, c, input.supplied ?? []);
      effects.row.materials = [
        ...c.materials.filter((m) => !supplied.some((s) => s.name === m.name)),
        ...supplied.map((s) => ({ ...s, suppliedAt: at })),
      ];
      effects.details = { supplied: supplied.map((s) => ({ name: s.name, filename: s.filename })) };
      effects.row.pausedSince = null;
      await endPause(tx, c.id, now);
      break;
    }
    case 'suspend': {
      const days = input.expectedDays;
      if (days === undefined || !Number.isSafeInteger(days) || days < 1 || days > 365) {
        throw validationError([textFieldError('expectedDays', 'range', 'cases.expectedDays')]);
      }
      effects.details = { expectedDays: days, expectedEnd: calendar.addWorkingDays(now, days).toISOString() };
      effects.row.pausedSince = now;
      await tx.query(
        `insert into case_pause (case_id, kind, reason, expected_days, started_at)
         values ($1, 'special_procedure', $2, $3, $4)`,
        [c.id, reason, days, now],
      );
      break;
    }
    case 'resume':
      effects.row.pausedSince = null;
      await endPause(tx, c.id, now);
      break;
    case 'extend': {
      const errors = checkExtension(c.process, input.days ?? Number.NaN);
      if (errors.length > 0) throw validationError(errors);
      effects.row.extensionDays = input.days!;
      effects.details = { days: input.days };
      break;
    }
    case 'decide_approve':
    case 'decide_deny':
      effects.row.decidedAt = now;
      break;
    default:
      break;
  }
  if (isTerminal(transition.to)) {
    effects.row.endedAt = now;
    if (c.pausedSince) {
      effects.row.pausedSince = null;
      await endPause(tx, c.id, now);
    }
  }
  const document = STEP_DOCUMENTS[transition.action];
  if (document) effects.details = { ...effects.details, document };
  return effects;
}

/** The staff role shown in the timeline: the one the work calls for when the actor holds it. */
function staffRole(actor: CaseActor, wanted: string | undefined): string {
  if (wanted && actor.roles.includes(wanted)) return wanted;
  return actor.roles[0] ?? 'staff';
}

/** The pending branch of the actor's department, when exactly one. */
function defaultBranch(c: CaseRow, stage: string, pending: string[], actor: CaseActor): string | undefined {
  const mine = pending.filter((b) => {
    const organisation = c.process.organisations[`${stage}/${b}`];
    return organisation !== undefined && actor.organisations.has(organisation.id);
  });
  return mine.length === 1 ? mine[0] : undefined;
}

async function endPause(tx: Queryable, caseId: string, now: Date): Promise<void> {
  await tx.query('update case_pause set ended_at = $2 where case_id = $1 and ended_at is null', [
    caseId,
    now,
  ]);
}

/** The supplied uploads, checked: the applicant's own, covering every material of the last notice. */
async function checkSupplied(
  tx: Queryable,
  c: CaseRow,
  supplied: { name: string; uploadId: string }[],
): Promise<CaseMaterial[]> {
  const [notice] = await tx.query<{ details: { needed?: NeededMaterial[] } }>(
    `select details from case_event where case_id = $1 and action = 'request_supplement' order by id desc limit 1`,
    [c.id],
  );
  const needed = notice?.details.needed ?? [];
  const missing = needed.filter((n) => !supplied.some((s) => s.name === n.name)).map((n) => n.name);
  if (missing.length > 0) {
    throw validationError([
      textFieldError('supplied', 'required', 'cases.suppliedMissing', { names: missing.join('、') }),
    ]);
  }
  const ids = supplied.map((s) => s.uploadId);
  const uploads = await tx.query<{
    id: string;
    sha256: string;
    filename: string;
    media_type: string;
    size: number;
  }>(
    `select id, sha256, filename, media_type, size from file_upload
      where id::text = any($1::text[]) and uploaded_by = $2`,
    [ids, c.applicant.sub],
  );
  return supplied.map((s, i) => {
    const upload = uploads.find((u) => u.id === s.uploadId);
    if (!upload)
      throw validationError([textFieldError(`supplied[${i}].uploadId`, 'exists', 'cases.uploadNotYours')]);
    return {
      name: s.name,
      source: 'upload' as const,
      uploadId: upload.id,
      sha256: upload.sha256,
      filename: upload.filename,
      mediaType: upload.media_type,
      size: upload.size,
    };
  });
}

/** The timeline event, the hash-chain entry and the domain event of a step. */
async function record(
  tx: Queryable,
  c: CaseRow,
  step: Step,
  at: Date,
  topic: string,
  concernsApplicant: boolean,
): Promise<void> {
  await tx.query(
    `insert into case_event (case_id, at, action, from_status, to_status, actor, actor_role, on_behalf_of, stage,
        branch, reason, details)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
    [
      c.id,
      at,
      step.action,
      step.from ?? step.to,
      step.to,
      step.actor,
      step.actorRole,
      step.onBehalfOf,
      step.stage,
      step.branch,
      step.reason,
      JSON.stringify(step.details),
    ],
    { prepare: true },
  );
  await appendToChain(tx, `case:${c.id}`, {
    actor: step.actor,
    onBehalfOf: step.onBehalfOf,
    action: `case.${step.action}`,
    at,
    data: {
      before: step.from === null ? null : { status: step.from, version: c.version - 1 },
      after: { status: step.to, version: c.version },
      role: step.actorRole,
      stage: step.stage,
      branch: step.branch,
      reason: step.reason,
      details: step.details,
    },
  });
  const payload: CaseStepEvent = {
    ...caseRef(c),
    action: step.action,
    from: step.from,
    to: step.to,
    terminal: isTerminal(step.to),
    concernsApplicant,
    actorRole: step.actorRole,
    reason: step.reason,
    needed: (step.details.needed as NeededMaterial[] | undefined) ?? null,
    documents: [],
    version: c.version,
    at: at.toISOString(),
  };
  await publish(tx, { topic, key: c.id, payload });
}
