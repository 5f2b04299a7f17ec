import { Type } from 'typebox';
import { noStore, SESSION_SECURITY, type Principal } from '../../kernel/auth.ts';
import { chinaDateOf, type WorkingCalendar } from '../../kernel/calendar/index.ts';
import type { Queryable } from '../../kernel/db.ts';
import type { App, ModuleContext } from '../../kernel/http.ts';
import { caseJurisdiction } from './read.ts';
import { caseCalendar } from './service.ts';
import { CASE_STATUSES, STATUS_NAMES, type CaseStatus } from './workflow.ts';

/**
 * Figures for the console's dashboard, over the cases in the caller's jurisdiction: how many
 * are in each status and at each department (running and overdue now), how long the cases
 * that ended in the period took in working days (pauses excluded), and how many
 * applications came in on each day of the period.
 */

const MAX_DAYS = 366;

export interface CaseStatistics {
  /** First and last day of the period (China dates, both included). */
  from: string;
  to: string;
  byStatus: { status: CaseStatus; name: string; nameEn: string; count: number }[];
  byDepartment: {
    organisationId: number;
    organisationName: string;
    total: number;
    open: number;
    overdue: number;
  }[];
  /** Running cases past a deadline (the promised limit or a stage's) and not paused. */
  overdue: number;
  /** Cases that ended within the period, and their mean working days from submission to the end. */
  ended: number;
  averageHandlingDays: number | null;
  /** Applications submitted on each day of the period (a bundle's cases count once). */
  daily: { date: string; applications: number }[];
}

/** Running, unpaused cases past the promised deadline or a stage's, at the instant in parameter `now`. */
const overdueAt = (
  now: string,
) => `c.ended_at is null and c.paused_since is null and (c.promised_deadline < ${now}
  or exists (select 1 from case_task t where t.case_id = c.id and t.finished_at is null and t.due_at < ${now}))`;
/** 00:00 China time of the date in parameter `date`. */
const startOfDay = (date: string) => `(${date}::date::timestamp at time zone 'Asia/Shanghai')`;

export async function caseStatistics(
  db: Queryable,
  calendar: WorkingCalendar,
  principal: Principal,
  days: number,
  now = new Date(),
): Promise<CaseStatistics> {
  /** A query over the cases in the caller's jurisdiction, with an optional parameter named by `value`. */
  const inScope = <T>(build: (scope: string, value: string) => string, value?: unknown) => {
    const params: unknown[] = [];
    const scope = caseJurisdiction(principal, params);
    if (value !== undefined) params.push(value);
    return db.query<T>(build(scope, `$${params.length}`), params);
  };
  const to = chinaDateOf(now);
  const from = shiftDate(to, -(days - 1));

  // One after another: the embedded database has a single connection.
  const statusRows = await inScope<{ status: CaseStatus; count: number }>(
    (scope) => `select c.status, count(*)::int as count from cases c where ${scope} group by c.status`,
  );
  const departmentRows = await inScope<{
    id: string;
    name: string;
    total: number;
    open: number;
    overdue: number;
  }>(
    (scope, value) =>
      `select c.organisation_id as id, min(c.organisation_name) as name, count(*)::int as total,
              (count(*) filter (where c.ended_at is null))::int as open,
              (count(*) filter (where ${overdueAt(`${value}::timestamptz`)}))::int as overdue
         from cases c where ${scope} group by c.organisation_id order by total desc, id`,
    now,
  );
  const [overdue] = await inScope<{ count: number }>(
    (scope, value) =>
      `select count(*)::int as count from cases c where ${scope} and ${overdueAt(`${value}::timestamptz`)}`,
    now,
  );
  const dailyRows = await inScope<{ date: string; applications: number }>(
    (scope, value) =>
      `select to_char(c.submitted_at at time zone 'Asia/Shanghai', 'YYYY-MM-DD') as date,
              count(distinct c.application_id)::int as applications
         from cases c where ${scope} and c.submitted_at >= ${startOfDay(value)} group by 1`,
    from,
  );
  const endedRows = await inScope<{
    submitted_at: Date;
    ended_at: Date;
    pauses: { from: string; to: string | null }[];
  }>(
    (scope, value) =>
      `select c.submitted_at, c.ended_at,
              coalesce((select json_agg(json_build_object('from', p.started_at, 'to', p.ended_at))
                          from case_pause p where p.case_id = c.id), '[]') as pauses
         from cases c where ${scope} and c.ended_at >= ${startOfDay(value)}`,
    from,
  );

  const counts = new Map(statusRows.map((r) => [r.status, r.count]));
  const perDay = new Map(dailyRows.map((r) => [r.date, r.applications]));
  const handlingDays = endedRows.map((r) =>
    Math.max(
      0,
      calendar.elapsedWorkingDays(
        r.submitted_at,
        r.ended_at,
        r.pauses.map((p) => ({ from: new Date(p.from), to: p.to === null ? null : new Date(p.to) })),
      ),
    ),
  );
  return {
    from,
    to,
    byStatus: CASE_STATUSES.map((status) => ({
      status,
      name: STATUS_NAMES[status].zh,
      nameEn: STATUS_NAMES[status].en,
      count: counts.get(status) ?? 0,
    })),
    byDepartment: departmentRows.map((r) => ({
      organisationId: Number(r.id),
      organisationName: r.name,
      total: r.total,
      open: r.open,
      overdue: r.overdue,
    })),
    overdue: overdue?.count ?? 0,
    ended: handlingDays.length,
    averageHandlingDays:
      handlingDays.length === 0
        ? null
        : Math.round((handlingDays.reduce((a, b) => a + b, 0) / handlingDays.length) * 10) / 10,
    daily: calendar.days(from, to).map(({ date }) => ({ date, applications: perDay.get(date) ?? 0 })),
  };
}

/** The date `n` days after `date` (YYYY-MM-DD; n may be negative). */
function shiftDate(date: string, n: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

const Count = Type.Integer({ minimum: 0 });
const Statistics = Type.Object({
  from: Type.String({ format: 'date', description: 'First day of the period (China date)' }),
  to: Type.String({ format: 'date', description: 'Last day of the period (today, China date)' }),
  byStatus: Type.Array(
    Type.Object({
      status: Type.Enum([...CASE_STATUSES]),
      name: Type.String(),
      nameEn: Type.String(),
      count: Count,
    }),
    { description: 'Every status with its number of cases (all time)' },
  ),
  byDepartment: Type.Array(
    Type.Object({
      organisationId: Type.Integer(),
      organisationName: Type.String(),
      total: Count,
      open: Count,
      overdue: Count,
    }),
    { description: 'Lead departments with their cases: all, running, overdue now; most cases first' },
  ),
  overdue: Type.Integer({ minimum: 0, description: 'Running, unpaused cases past a deadline now' }),
  ended: Type.Integer({ minimum: 0, description: 'Cases that ended within the period' }),
  averageHandlingDays: Type.Union([Type.Number(), Type.Null()], {
    description:
      'Mean working days from submission to the end of the cases that ended in the period, pauses excluded',
  }),
  daily: Type.Array(Type.Object({ date: Type.String({ format: 'date' }), applications: Count }), {
    description: 'Applications submitted on each day of the period',
  }),
});

/** GET /api/v1/cases/statistics, for supervisors and administrators (audit readers). */
export function statisticsRoute(app: App, { db, auth }: Pick<ModuleContext, 'db' | 'auth'>): void {
  app.get(
    '/api/v1/cases/statistics',
    {
      preHandler: auth.require('supervision.read', 'audit.read'),
      schema: {
        tags: ['cases'],
        security: SESSION_SECURITY,
        summary:
          'Dashboard figures over the cases in your jurisdiction: by status and department, overdue, handling time, applications per day',
        querystring: Type.Object({
          days: Type.Integer({
            minimum: 1,
            maximum: MAX_DAYS,
            default: 30,
            description: 'Length of the period in days, ending today',
          }),
        }),
        response: { 200: Statistics },
      },
    },
    async (request, reply) => {
      noStore(reply);
      return caseStatistics(db, await caseCalendar(db), request.principal!, request.query.days);
    },
  );
}
