import type { Pause, WorkingCalendar } from '../../kernel/calendar/index.ts';
import type { FieldError } from '../../kernel/errors.ts';
import { defineMessages, text } from '../../kernel/i18n.ts';
import type { Process } from './process.ts';

/**
 * Case clocks in working days (issue 4 item 5, DOMAIN.md §5), on the kernel's
 * WorkingCalendar: it owns holidays, make-up days, overrides and the counting conventions,
 * this file only reads them.
 *
 * Conventions (the calendar's): the day a clock starts does not count (自受理之日起: the
 * first counted day is the next working day, unless the calendar counts the start day);
 * a deadline is the end of its last working day, 23:59:59.999 +08:00; used days are WHOLE
 * working days, the current day counted as used as soon as it begins; a pause (补正,
 * 特别程序) stops the clock from the day after it begins through the day it ends. So with
 * a 5-day limit, the 4th working day is 80% used.
 */

export interface ClockPause {
  start: Date;
  /** null = still paused (the applicant has not supplied yet, the special procedure goes on). */
  end: Date | null;
}

export interface ClockThresholds {
  /** Share of the limit used at which the clock turns yellow (configurable; default 0.8). */
  yellow: number;
}
export const DEFAULT_THRESHOLDS: ClockThresholds = { yellow: 0.8 };

export type ClockState = 'green' | 'yellow' | 'red';

export interface CaseClockInput {
  startedAt: Date;
  limitDays: number;
  pauses?: readonly ClockPause[];
  now: Date;
  calendar: WorkingCalendar;
  thresholds?: ClockThresholds;
  /** Working days added by the one extension (延期); 0 when none. */
  extensionDays?: number;
  /** When the clock stopped (办结, withdrawal ...): it is read at that instant, not at `now`. */
  stoppedAt?: Date | null;
}

export interface ClockReading {
  /** The limit including the extension. */
  limitDays: number;
  /**
   * End of the last working day (23:59:59.999 +08:00); null while an open pause holds the
   * clock before the limit is used up (the deadline moves with every paused working day).
   */
  deadline: Date | null;
  /** Whole working days used, pauses excluded, the current day included. */
  usedWorkingDays: number;
  /** limitDays - usedWorkingDays: 0 = due today, negative = working days overdue. */
  remainingWorkingDays: number;
  /** usedWorkingDays / limitDays (a 0-day limit: 0, or 1 once overdue). */
  shareUsed: number;
  /** red = overdue (past the deadline); yellow = shareUsed >= thresholds.yellow. */
  state: ClockState;
  /** An open pause holds the clock at the instant read. */
  paused: boolean;
  stopped: boolean;
  /** The instant read: `now`, or `stoppedAt` when earlier. */
  at: Date;
}

/** Reads a clock: deadline, days used and left, share and state. */
export function caseClock(input: CaseClockInput): ClockReading {
  const { startedAt, calendar, thresholds = DEFAULT_THRESHOLDS, extensionDays = 0 } = input;
  if (!Number.isSafeInteger(extensionDays) || extensionDays < 0) {
    throw new RangeError(`An extension is a whole number of working days >= 0, not ${extensionDays}`);
  }
  const limitDays = input.limitDays + extensionDays;
  const stopped = input.stoppedAt != null && input.stoppedAt <= input.now;
  const at = stopped ? input.stoppedAt! : input.now;
  const pauses = pausesAt(input.pauses ?? [], at);
  const paused = pauses.some((p) => p.to === null);

  const deadline = calendar.deadline(startedAt, limitDays, pauses);
  const usedWorkingDays = Math.max(0, calendar.elapsedWorkingDays(startedAt, at, pauses));
  const remainingWorkingDays = limitDays - usedWorkingDays;
  const overdue = deadline !== null && at > deadline;
  const shareUsed = limitDays > 0 ? usedWorkingDays / limitDays : overdue ? 1 : 0;
  const state: ClockState = overdue ? 'red' : shareUsed >= thresholds.yellow ? 'yellow' : 'green';
  return {
    limitDays,
    deadline,
    usedWorkingDays,
    remainingWorkingDays,
    shareUsed,
    state,
    paused,
    stopped,
    at,
  };
}

/** The pauses as the calendar takes them, seen from `at`: later ones ignored, unfinished ones open. */
function pausesAt(pauses: readonly ClockPause[], at: Date): Pause[] {
  return pauses
    .filter((p) => p.start <= at)
    .map((p) => ({ from: p.start, to: p.end !== null && p.end <= at ? p.end : null }));
}

// ---- The clocks of a case: legal, promised, and each stage or parallel branch ----

/** When a stage (or one branch of a parallel stage) was entered and left. */
export interface StageRun {
  stage: string;
  branch?: string | null;
  startedAt: Date;
  finishedAt?: Date | null;
}

export interface CaseClocksInput {
  process: Pick<Process, 'legalLimitDays' | 'promisedLimitDays' | 'stages'>;
  acceptedAt: Date;
  pauses?: readonly ClockPause[];
  extensionDays?: number;
  now: Date;
  stoppedAt?: Date | null;
  calendar: WorkingCalendar;
  thresholds?: ClockThresholds;
  stages?: readonly StageRun[];
}

export interface StageClock {
  stage: string;
  branch: string | null;
  clock: ClockReading;
}

export interface CaseClocks {
  legal: ClockReading;
  promised: ClockReading;
  stages: StageClock[];
}

/**
 * The case's legal and promised clocks from acceptance, and a clock for each stage run
 * from its start (stopped when it finished). The extension (延期) adds its days to the
 * legal and the promised limit; stage limits are not extended. Pauses stop every clock.
 */
export function caseClocks(input: CaseClocksInput): CaseClocks {
  const common = {
    pauses: input.pauses ?? [],
    now: input.now,
    calendar: input.calendar,
    ...(input.thresholds && { thresholds: input.thresholds }),
  };
  const whole = { ...common, startedAt: input.acceptedAt, extensionDays: input.extensionDays ?? 0 };
  const stoppedAt = input.stoppedAt ?? null;
  return {
    legal: caseClock({ ...whole, limitDays: input.process.legalLimitDays, stoppedAt }),
    promised: caseClock({ ...whole, limitDays: input.process.promisedLimitDays, stoppedAt }),
    stages: (input.stages ?? []).map((run) => {
      const end = [run.finishedAt, stoppedAt].filter((d): d is Date => d != null);
      const clock = caseClock({
        ...common,
        startedAt: run.startedAt,
        limitDays: stageLimit(input.process, run.stage, run.branch ?? null),
        stoppedAt: end.length ? new Date(Math.min(...end.map((d) => d.getTime()))) : null,
      });
      return { stage: run.stage, branch: run.branch ?? null, clock };
    }),
  };
}

/** The limit of a stage or of one of its branches; throws for a stage the process lacks. */
export function stageLimit(process: Pick<Process, 'stages'>, stage: string, branch: string | null): number {
  const found = process.stages.find((s) => s.code === stage);
  if (!found) throw new RangeError(`The process has no stage ${stage}`);
  if (branch === null) return found.limitDays;
  const foundBranch = found.branches?.find((b) => b.code === branch);
  if (!foundBranch) throw new RangeError(`Stage ${stage} has no branch ${branch}`);
  return foundBranch.limitDays;
}

/**
 * The planned deadline of each stage after acceptance when every stage uses its whole
 * limit in turn, without pauses: what the workbench shows before a stage starts.
 */
export function plannedStageDeadlines(
  process: Pick<Process, 'stages'>,
  acceptedAt: Date,
  calendar: WorkingCalendar,
): { stage: string; deadline: Date }[] {
  let total = 0;
  return process.stages
    .filter((s) => s.kind !== 'accept')
    .map((s) => {
      total += s.limitDays;
      return { stage: s.code, deadline: calendar.addWorkingDays(acceptedAt, total) };
    });
}

defineMessages({
  'cases.clock.extensionDays': {
    zh: '延期天数应为1至{limit}个工作日',
    en: 'an extension is 1 to {limit} working days',
  },
  'cases.clock.noExtension': { zh: '该事项不允许延期', en: 'this item allows no extension' },
});

/** Checks the days of an extension (延期) against the process's bound (field `days`). */
export function checkExtension(process: Pick<Process, 'extensionLimitDays'>, days: number): FieldError[] {
  const limit = process.extensionLimitDays;
  if (limit === 0) {
    const t = text('cases.clock.noExtension');
    return [{ field: 'days', rule: 'noExtension', message: t.zh, messageEn: t.en }];
  }
  if (!Number.isSafeInteger(days) || days < 1 || days > limit) {
    const t = text('cases.clock.extensionDays', { limit });
    return [{ field: 'days', rule: 'extensionDays', message: t.zh, messageEn: t.en }];
  }
  return [];
}

// ---- Warnings: events for the outbox, exactly once per threshold and clock ----

export type WarningLevel = 'yellow' | 'red';
export type DeadlineWarningType = 'case.deadline.yellow' | 'case.deadline.red';

/** Which clock: the case's 'legal' or 'promised' one, or 'stage:<code>' / 'stage:<code>/<branch>'. */
export interface ClockSubject {
  caseId: string;
  clock: string;
}

export interface DeadlineWarning {
  type: DeadlineWarningType;
  /** Unique per case, clock and level: the outbox's deduplication key. */
  key: string;
  caseId: string;
  clock: string;
  level: WarningLevel;
  deadline: Date | null;
  limitDays: number;
  usedWorkingDays: number;
  remainingWorkingDays: number;
  shareUsed: number;
  at: Date;
}

/**
 * The warnings to emit now for one clock, given the levels already emitted for it: yellow
 * once the share used reaches the threshold, red once overdue; each exactly once (a clock
 * that jumps straight to red gets yellow then red). None while paused (the clock is not
 * running) or stopped (the case has ended). An extension does not re-arm a level.
 */
export function dueWarnings(
  reading: ClockReading,
  alreadyEmitted: Iterable<WarningLevel>,
  subject: ClockSubject,
): DeadlineWarning[] {
  if (reading.paused || reading.stopped || reading.state === 'green') return [];
  const emitted = new Set(alreadyEmitted);
  const reached: WarningLevel[] = reading.state === 'red' ? ['yellow', 'red'] : ['yellow'];
  return reached
    .filter((level) => !emitted.has(level))
    .map((level) => ({
      type: `case.deadline.${level}`,
      key: `${subject.caseId}:${subject.clock}:${level}`,
      caseId: subject.caseId,
      clock: subject.clock,
      level,
      deadline: reading.deadline,
      limitDays: reading.limitDays,
      usedWorkingDays: reading.usedWorkingDays,
      remainingWorkingDays: reading.remainingWorkingDays,
      shareUsed: reading.shareUsed,
      at: reading.at,
    }));
}

/** The warnings of every clock of a case; `emitted` maps a clock name to its emitted levels. */
export function caseWarnings(
  caseId: string,
  clocks: CaseClocks,
  emitted: ReadonlyMap<string, Iterable<WarningLevel>> = new Map(),
): DeadlineWarning[] {
  const named: [string, ClockReading][] = [
    ['legal', clocks.legal],
    ['promised', clocks.promised],
    ...clocks.stages.map((s): [string, ClockReading] => [stageClockName(s.stage, s.branch), s.clock]),
  ];
  return named.flatMap(([clock, reading]) =>
    dueWarnings(reading, emitted.get(clock) ?? [], { caseId, clock }),
  );
}

export function stageClockName(stage: string, branch: string | null): string {
  return branch === null ? `stage:${stage}` : `stage:${stage}/${branch}`;
}
