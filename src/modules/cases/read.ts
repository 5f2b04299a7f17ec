import type { Principal } from '../../kernel/auth.ts';
import { jurisdictionClause } from '../../kernel/auth.ts';
import type { WorkingCalendar } from '../../kernel/calendar/index.ts';
import type { Queryable } from '../../kernel/db.ts';
import { caseClock, caseClocks, type ClockReading, type ClockThresholds } from './clock.ts';
import { pausesOf, tasksOf, type CaseRow, type CaseTask, type PauseRow } from './store.ts';
import type { Text } from '../../kernel/i18n.ts';
import { ACTION_NAMES, isTerminal, STATUS_NAMES, type CaseAction, type CaseStatus } from './workflow.ts';

/** The read side: workbench lists, a case's detail and clocks, the applicant's timeline. */

/** The staff jurisdiction over cases: their region subtrees, and the departments they are limited to (lead or acting). */
export function caseJurisdiction(principal: Principal, params: unknown[]): string {
  const region = jurisdictionClause(principal, { region: 'c.region_code' }, params);
  const organisations = principal.jurisdiction?.organisationIds ?? [];
  if (organisations.length === 0) return region;
  params.push(organisations);
  const n = params.length;
  return `(${region} and (c.organisation_id = any($${n}::bigint[]) or exists (
    select 1 from case_task jt where jt.case_id = c.id and jt.organisation_id = any($${n}::bigint[]))))`;
}

/** Whether the caller may see the case as staff (within their jurisdiction). */
export async function staffMaySee(db: Queryable, principal: Principal, caseId: string): Promise<boolean> {
  const params: unknown[] = [caseId];
  const rows = await db.query(
    `select 1 from cases c where c.id = $1 and ${caseJurisdiction(principal, params)}`,
    params,
  );
  return rows.length > 0;
}

/** Whether the caller is the case's applicant, or acts for the enterprise that applied with a mandate covering the item. */
export function isApplicantOf(principal: Principal, c: Pick<CaseRow, 'applicant' | 'itemCode'>): boolean {
  if (principal.kind !== 'person') return false;
  const acting = principal.acting;
  if (c.applicant.enterpriseUscc) {
    if (!acting || acting.uscc !== c.applicant.enterpriseUscc) return false;
    return acting.role !== 'agent' || !acting.itemCodes || acting.itemCodes.includes(c.itemCode);
  }
  return !acting && principal.sub === c.applicant.sub;
}

export type WorkbenchView = 'mine' | 'department' | 'all';

export interface WorkbenchFilter {
  view: WorkbenchView;
  overdue?: boolean | undefined;
  itemCode?: string | undefined;
  /** Applicant name (prefix), credit code or subject. */
  applicant?: string | undefined;
  status?: CaseStatus[] | undefined;
  /** Only cases still running (default true). */
  open?: boolean | undefined;
  /** Received (submitted) on or after this China date, YYYY-MM-DD. */
  receivedFrom?: string | undefined;
  /** Received on or before this China date, YYYY-MM-DD. */
  receivedTo?: string | undefined;
  page: number;
  size: number;
}

export interface WorkbenchRow {
  id: string;
  number: string;
  status: CaseStatus;
  statusName: string;
  statusNameEn: string;
  version: number;
  itemCode: string;
  itemName: string;
  applicantName: string;
  applicantKind: string;
  organisationName: string;
  submittedAt: Date;
  promisedDeadline: Date | null;
  clockState: string;
  paused: boolean;
  dueAt: Date | null;
  overdue: boolean;
  /**
   * Working days left to the nearest deadline (the promised one or an open task's), as the
   * clocks count them: 0 = due today, negative = working days overdue; null while paused or
   * before a deadline exists.
   */
  remainingWorkingDays: number | null;
  tasks: {
    stage: string;
    branch: string | null;
    role: string;
    organisationId: number;
    dueAt: string | null;
  }[];
}

/** The workbench: cases in the caller's jurisdiction, most urgent first. */
export async function workbench(
  db: Queryable,
  principal: Principal,
  filter: WorkbenchFilter,
  calendar: WorkingCalendar,
  now = new Date(),
): Promise<{ items: WorkbenchRow[]; total: number }> {
  const params: unknown[] = [];
  const where = [caseJurisdiction(principal, params)];
  const task = (condition: string) =>
    `exists (select 1 from case_task t where t.case_id = c.id and t.finished_at is null and ${condition})`;
  if (filter.view === 'mine') {
    // Tasks for one of my roles: in the departments I work for, or, for staff whose
    // jurisdiction is not narrowed to departments (a service centre's 综合窗口), in every
    // department they see: a window clerk receives for all of them.
    const departments = principal.jurisdiction?.organisationIds ?? [];
    params.push([...principal.roles]);
    const roles = `t.role = any($${params.length}::text[])`;
    if (departments.length === 0) where.push(task(roles));
    else {
      params.push([...departments, principal.organisationId ?? -1]);
      where.push(task(`${roles} and t.organisation_id = any($${params.length}::int[])`));
    }
  } else if (filter.view === 'department') {
    params.push(principal.organisationId ?? -1);
    where.push(`(c.organisation_id = $${params.length} or ${task(`t.organisation_id = $${params.length}`)})`);
  }
  if (filter.open ?? true) where.push('c.ended_at is null');
  if (filter.overdue) {
    params.push(now);
    const n = params.length;
    where.push(`c.ended_at is null and c.paused_since is null
      and (c.promised_deadline < $${n} or ${task(`t.due_at < $${n}`)})`);
  }
  if (filter.itemCode) {
    params.push(filter.itemCode);
    where.push(`c.item_code = $${params.length}`);
  }
  if (filter.applicant) {
    params.push(filter.applicant);
    const n = params.length;
    where.push(
      `(c.applicant_name like $${n} || '%' or c.enterprise_uscc = $${n} or c.applicant_sub = $${n})`,
    );
  }
  if (filter.receivedFrom) {
    params.push(new Date(`${filter.receivedFrom}T00:00:00+08:00`));
    where.push(`c.submitted_at >= $${params.length}`);
  }
  if (filter.receivedTo) {
    params.push(new Date(new Date(`${filter.receivedTo}T00:00:00+08:00`).getTime() + 86_400_000));
    where.push(`c.submitted_at < $${params.length}`);
  }
  if (filter.status?.length) {
    params.push(filter.status);
    where.push(`c.status = any($${params.length}::text[])`);
  }
  const whereSql = where.join(' and ');
  const [{ total }] = (await db.query<{ total: number }>(
    `select count(*)::int as total from cases c where ${whereSql}`,
    params,
  )) as [{ total: number }];
  params.push(filter.size, (filter.page - 1) * filter.size);
  const rows = await db.query<Record<string, unknown>>(
    `select c.id, c.number, c.status, c.version, c.item_code, c.item_name, c.applicant_name, c.applicant_kind,
            c.organisation_name, c.submitted_at, c.promised_deadline, c.clock_state, c.paused_since,
            open.due_at, coalesce(open.tasks, '[]') as tasks
       from cases c
       left join lateral (
         select min(t.due_at) as due_at,
                json_agg(json_build_object('stage', t.stage, 'branch', t.branch, 'role', t.role,
                  'organisationId', t.organisation_id, 'dueAt', t.due_at) order by t.id) as tasks
           from case_task t where t.case_id = c.id and t.finished_at is null
       ) open on true
      where ${whereSql}
      order by least(c.promised_deadline, open.due_at) asc nulls last, c.submitted_at asc, c.id
      limit $${params.length - 1} offset $${params.length}`,
    params,
  );
  return {
    total,
    items: rows.map((r) => {
      const due = [r.promised_deadline as Date | null, r.due_at as Date | null].filter(
        (d): d is Date => d !== null,
      );
      const status = r.status as CaseStatus;
      const paused = r.paused_since !== null;
      const nearest = due.length > 0 ? new Date(Math.min(...due.map((d) => d.getTime()))) : null;
      return {
        id: r.id as string,
        number: r.number as string,
        status,
        statusName: STATUS_NAMES[status].zh,
        statusNameEn: STATUS_NAMES[status].en,
        version: r.version as number,
        itemCode: r.item_code as string,
        itemName: r.item_name as string,
        applicantName: r.applicant_name as string,
        applicantKind: r.applicant_kind as string,
        organisationName: r.organisation_name as string,
        submittedAt: r.submitted_at as Date,
        promisedDeadline: r.promised_deadline as Date | null,
        clockState: r.clock_state as string,
        paused,
        dueAt: r.due_at === null ? null : new Date(r.due_at as string | Date),
        overdue: !paused && due.some((d) => d < now),
        remainingWorkingDays: paused || !nearest ? null : workingDaysLeft(calendar, nearest, now),
        tasks: r.tasks as WorkbenchRow['tasks'],
      };
    }),
  };
}

/** Working days from `now` to the end of `deadline`'s day (today counted as used); negative past it. */
function workingDaysLeft(calendar: WorkingCalendar, deadline: Date, now: Date): number {
  return deadline >= now
    ? calendar.countWorkingDays(now, deadline)
    : -Math.max(1, calendar.countWorkingDays(deadline, now));
}

export interface TimelineEntry {
  at: Date;
  action: string;
  /** The step as a person reads it (the applicant's own submission: 提交申请). */
  actionName: Text;
  from: string;
  to: string;
  /** The status the step led to, as a person reads it. */
  toName: Text;
  /** The role that acted (applicant, window_clerk, approver ...), never a staff member's name. */
  role: string;
  stage: string | null;
  branch: string | null;
  reason: string | null;
  details: Record<string, unknown>;
  /** Staff only: the subject who acted. */
  actor?: string;
  onBehalfOf?: string | null;
}

/** The first event of every case is the application's submission, which is no case action. */
const SUBMITTED: Text = { zh: '提交申请', en: 'application submitted' };

export async function timeline(db: Queryable, caseId: string, forStaff: boolean): Promise<TimelineEntry[]> {
  const rows = await db.query<Record<string, unknown>>(
    `select at, action, from_status, to_status, actor, actor_role, on_behalf_of, stage, branch, reason, details
       from case_event where case_id = $1 order by id`,
    [caseId],
  );
  return rows.map((r) => ({
    at: r.at as Date,
    action: r.action as string,
    actionName: ACTION_NAMES[r.action as CaseAction] ?? SUBMITTED,
    from: r.from_status as string,
    to: r.to_status as string,
    toName: STATUS_NAMES[r.to_status as CaseStatus],
    role: r.actor_role as string,
    stage: r.stage as string | null,
    branch: r.branch as string | null,
    reason: r.reason as string | null,
    details: r.details as Record<string, unknown>,
    ...(forStaff && { actor: r.actor as string, onBehalfOf: r.on_behalf_of as string | null }),
  }));
}

export interface CaseClockView {
  legal: ClockReading | null;
  promised: ClockReading | null;
  tasks: (CaseTask & { clock: ClockReading | null })[];
  pauses: PauseRow[];
}

/** The clocks of a case as they read now (stopped at its end). */
export async function readClocks(
  db: Queryable,
  c: CaseRow,
  calendar: WorkingCalendar,
  thresholds: ClockThresholds,
  now = new Date(),
): Promise<CaseClockView> {
  const pauses = await pausesOf(db, c.id);
  const tasks = await tasksOf(db, c.id);
  const clockPauses = pauses.map((p) => ({ start: p.start, end: p.end }));
  const clocks = c.acceptedAt
    ? caseClocks({
        process: c.process,
        acceptedAt: c.acceptedAt,
        pauses: clockPauses,
        extensionDays: c.extensionDays,
        now,
        stoppedAt: c.endedAt,
        calendar,
        thresholds,
      })
    : null;
  return {
    legal: clocks?.legal ?? null,
    promised: clocks?.promised ?? null,
    pauses,
    tasks: tasks.map((t) => ({
      ...t,
      clock: caseClock({
        startedAt: t.startedAt,
        limitDays: t.limitDays,
        pauses: clockPauses,
        now,
        stoppedAt: t.finishedAt ?? c.endedAt,
        calendar,
        thresholds,
      }),
    })),
  };
}

export interface CaseSummary {
  caseId: string;
  number: string;
  part: number;
  itemCode: string;
  itemName: string;
  organisationName: string;
  status: CaseStatus;
  statusName: string;
  statusNameEn: string;
  terminal: boolean;
  /** The stages waiting for work. */
  currentStages: string[];
  submittedAt: Date;
  acceptedAt: Date | null;
  endedAt: Date | null;
  promisedDeadline: Date | null;
  clockState: string;
}

const SUMMARY_COLUMNS = `c.id, c.number, c.part, c.item_code, c.item_name, c.organisation_name, c.status,
  c.submitted_at, c.accepted_at, c.ended_at, c.promised_deadline, c.clock_state,
  array(select t.stage from case_task t where t.case_id = c.id and t.finished_at is null order by t.id) as stages`;

function toSummary(r: Record<string, unknown>): CaseSummary {
  const status = r.status as CaseStatus;
  return {
    caseId: r.id as string,
    number: r.number as string,
    part: r.part as number,
    itemCode: r.item_code as string,
    itemName: r.item_name as string,
    organisationName: r.organisation_name as string,
    status,
    statusName: STATUS_NAMES[status].zh,
    statusNameEn: STATUS_NAMES[status].en,
    terminal: isTerminal(status),
    currentStages: [...new Set(r.stages as string[])],
    submittedAt: r.submitted_at as Date,
    acceptedAt: r.accepted_at as Date | null,
    endedAt: r.ended_at as Date | null,
    promisedDeadline: r.promised_deadline as Date | null,
    clockState: r.clock_state as string,
  };
}

/** The cases of an application (a bundle: one per item and department), in part order. */
export async function casesOfApplication(db: Queryable, applicationId: string): Promise<CaseSummary[]> {
  const rows = await db.query<Record<string, unknown>>(
    `select ${SUMMARY_COLUMNS} from cases c where c.application_id = $1 order by c.part`,
    [applicationId],
  );
  return rows.map(toSummary);
}

/** The applicant's own cases, newest first: as a person, or for the enterprise they act for (an agent: within the mandate). */
export async function casesOfApplicant(
  db: Queryable,
  principal: Principal,
  page: number,
  size: number,
): Promise<{ items: CaseSummary[]; total: number }> {
  const acting = principal.acting;
  const params: unknown[] = [acting ? acting.uscc : principal.sub];
  let where = acting ? 'c.enterprise_uscc = $1' : 'c.applicant_sub = $1 and c.enterprise_uscc is null';
  if (acting?.role === 'agent' && acting.itemCodes) {
    params.push(acting.itemCodes);
    where += ` and c.item_code = any($${params.length}::text[])`;
  }
  const [{ total }] = (await db.query<{ total: number }>(
    `select count(*)::int as total from cases c where ${where}`,
    params,
  )) as [{ total: number }];
  const rows = await db.query<Record<string, unknown>>(
    `select ${SUMMARY_COLUMNS} from cases c where ${where}
      order by c.submitted_at desc, c.number limit $${params.length + 1} offset $${params.length + 2}`,
    [...params, size, (page - 1) * size],
  );
  return { items: rows.map(toSummary), total };
}
