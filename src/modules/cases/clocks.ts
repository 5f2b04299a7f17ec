import {
  calendarServiceFor,
  chinaDayOf,
  endOfChinaDay,
  type WorkingCalendar,
} from '../../kernel/calendar/index.ts';
import type { Database, Queryable } from '../../kernel/db.ts';
import { publish } from '../../kernel/outbox.ts';
import {
  caseClock,
  caseClocks,
  dueWarnings,
  stageClockName,
  type ClockReading,
  type ClockThresholds,
  type DeadlineWarning,
  type WarningLevel,
} from './clock.ts';
import type { CaseDeadlineEvent } from './events.ts';
import { caseRef, findCase, pausesOf, tasksOf, type CaseRow, type CaseTask } from './store.ts';

/**
 * Persists the clocks of a case (clock.ts reads them): the legal and promised deadlines
 * and state on the case row, each open task's deadline, and the warnings due, published
 * once per clock and level through the outbox. Called in the transaction of every
 * transition and by the deadline sweep; clocks change only at day boundaries, so the
 * case is looked at again at the start of the next China day while it runs.
 */
export async function refreshClocks(
  tx: Queryable,
  c: CaseRow,
  now: Date,
  calendar: WorkingCalendar,
  thresholds: ClockThresholds,
  known: KnownState = {},
): Promise<DeadlineWarning[]> {
  const { warnings, columns } = await readClocks(tx, c, now, calendar, thresholds, known);
  await tx.query(
    `update cases set legal_deadline = $2, promised_deadline = $3, clock_state = $4, warned = $5,
            next_clock_check_at = $6
      where id = $1`,
    [
      c.id,
      columns.legalDeadline,
      columns.promisedDeadline,
      columns.clockState,
      JSON.stringify(columns.warned),
      columns.nextClockCheckAt,
    ],
    { prepare: true },
  );
  return warnings;
}

/** The clock columns of the case row. */
export interface ClockColumns extends Pick<
  CaseRow,
  'legalDeadline' | 'promisedDeadline' | 'clockState' | 'warned'
> {
  nextClockCheckAt: Date | null;
}

/** What the caller already read in its transaction: the open tasks and the case's pauses. */
export interface KnownState {
  tasks?: CaseTask[];
  pauses?: { start: Date; end: Date | null }[];
}

/** Deadline of a stage task: its limit in working days from its start, moved by the pauses. */
export function taskDeadline(
  task: Pick<CaseTask, 'startedAt' | 'limitDays'>,
  pauses: { start: Date; end: Date | null }[],
  now: Date,
  calendar: WorkingCalendar,
  thresholds: ClockThresholds,
): Date | null {
  return caseClock({
    startedAt: task.startedAt,
    limitDays: task.limitDays,
    pauses,
    now,
    calendar,
    thresholds,
  }).deadline;
}

/**
 * refreshClocks without the update of the case row: sets the open tasks' deadlines, publishes
 * the warnings due and returns the case's clock columns for the caller to write (a step
 * writes them with its own update of the row).
 */
export async function readClocks(
  tx: Queryable,
  c: CaseRow,
  now: Date,
  calendar: WorkingCalendar,
  thresholds: ClockThresholds,
  known: KnownState = {},
): Promise<{ warnings: DeadlineWarning[]; columns: ClockColumns }> {
  const pauses = known.pauses ?? (await pausesOf(tx, c.id)).map((p) => ({ start: p.start, end: p.end }));
  const tasks = known.tasks ?? (await tasksOf(tx, c.id, true));
  const ended = c.endedAt !== null;
  const readings: [string, ClockReading, { organisationId: number; role: string | null }][] = [];

  if (c.acceptedAt) {
    const clocks = caseClocks({
      process: c.process,
      acceptedAt: c.acceptedAt,
      pauses,
      extensionDays: c.extensionDays,
      now,
      stoppedAt: c.endedAt,
      calendar,
      thresholds,
    });
    const lead = { organisationId: c.organisationId, role: null };
    readings.push(['legal', clocks.legal, lead], ['promised', clocks.promised, lead]);
  }
  for (const task of tasks) {
    const reading = caseClock({
      startedAt: task.startedAt,
      limitDays: task.limitDays,
      pauses,
      now,
      calendar,
      thresholds,
    });
    readings.push([
      stageClockName(task.stage, task.branch),
      reading,
      { organisationId: task.organisationId, role: task.role },
    ]);
    if (reading.deadline?.getTime() !== task.dueAt?.getTime()) {
      await tx.query('update case_task set due_at = $2 where id = $1', [task.id, reading.deadline], {
        prepare: true,
      });
    }
  }

  const warned: Record<string, WarningLevel[]> = { ...c.warned };
  const warnings: DeadlineWarning[] = [];
  for (const [clock, reading, responsible] of readings) {
    for (const warning of dueWarnings(reading, warned[clock] ?? [], { caseId: c.id, clock })) {
      warned[clock] = [...(warned[clock] ?? []), warning.level];
      warnings.push(warning);
      const payload: CaseDeadlineEvent = {
        ...caseRef(c),
        warning: {
          ...warning,
          deadline: warning.deadline?.toISOString() ?? null,
          at: warning.at.toISOString(),
        },
        responsibleOrganisationId: responsible.organisationId,
        responsibleRole: responsible.role,
      };
      await publish(tx, { topic: warning.type, key: c.id, payload });
    }
  }

  const legal = readings.find(([name]) => name === 'legal')?.[1];
  const promised = readings.find(([name]) => name === 'promised')?.[1];
  const states = readings.map(([, r]) => r.state);
  const state = states.includes('red') ? 'red' : states.includes('yellow') ? 'yellow' : 'green';
  const running = !ended && c.pausedSince === null && readings.length > 0;
  return {
    warnings,
    columns: {
      legalDeadline: legal?.deadline ?? null,
      promisedDeadline: promised?.deadline ?? null,
      clockState: state,
      warned,
      nextClockCheckAt: running ? new Date(endOfChinaDay(chinaDayOf(now)).getTime() + 1) : null,
    },
  };
}

/**
 * The deadline sweep: looks again at the cases whose clocks may have changed since they
 * were last read (next_clock_check_at has come), publishing the warnings now due. Each
 * case in its own short transaction; a case locked by a step in progress is skipped
 * (`skip locked`) and picked up next time, so several processes can sweep at once.
 */
export async function sweepDeadlines(
  db: Database,
  settings: { thresholds: ClockThresholds },
  now = new Date(),
  batch = 500,
): Promise<{ checked: number; warnings: DeadlineWarning[] }> {
  const calendar = await calendarServiceFor(db).calendar();
  const due = await db.query<{ id: string }>(
    `select id from cases where next_clock_check_at <= $1 order by next_clock_check_at limit $2`,
    [now, batch],
  );
  const warnings: DeadlineWarning[] = [];
  let checked = 0;
  for (const { id } of due) {
    await db.transaction(async (tx) => {
      const [claimed] = await tx.query(
        'select id from cases where id = $1 and next_clock_check_at <= $2 for update skip locked',
        [id, now],
      );
      if (!claimed) return;
      const c = await findCase(tx, id);
      warnings.push(...(await refreshClocks(tx, c!, now, calendar, settings.thresholds)));
      checked++;
    });
  }
  return { checked, warnings };
}
