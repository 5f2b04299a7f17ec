import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WorkingCalendar, formatChinaInstant } from '../../kernel/calendar/index.ts';
import {
  caseClock,
  caseClocks,
  caseWarnings,
  checkExtension,
  dueWarnings,
  plannedStageDeadlines,
  stageLimit,
  type ClockPause,
} from './clock.ts';
import { defaultProcess, type Process } from './process.ts';

const calendar = new WorkingCalendar();
/** An instant in China time: cst('2026-02-12T10:00'). */
const cst = (local: string) => new Date(`${local}:00+08:00`);
const shown = (instant: Date | null) => (instant ? formatChinaInstant(instant) : null);

describe('a 5-working-day limit across the Spring Festival (2026)', () => {
  // Thursday 2026-02-12; Sat Feb 14 is a make-up working day; Feb 15-23 are holidays.
  const startedAt = cst('2026-02-12T10:00');
  const read = (now: string, extra: Partial<Parameters<typeof caseClock>[0]> = {}) =>
    caseClock({ startedAt, limitDays: 5, now: cst(now), calendar, ...extra });

  it('is due at the end of Thursday 2026-02-26', () => {
    // Counted: Feb 13 (1), Feb 14 make-up Saturday (2), Feb 24 (3), Feb 25 (4), Feb 26 (5).
    expect(shown(read('2026-02-12T10:00').deadline)).toBe('2026-02-26T23:59:59.999+08:00');
  });

  it('counts used days in whole working days, the current one included', () => {
    expect(read('2026-02-12T16:00')).toMatchObject({
      usedWorkingDays: 0,
      remainingWorkingDays: 5,
      state: 'green',
    });
    expect(read('2026-02-14T09:00')).toMatchObject({ usedWorkingDays: 2, shareUsed: 0.4, state: 'green' });
    // The holidays use nothing.
    expect(read('2026-02-20T09:00')).toMatchObject({ usedWorkingDays: 2, remainingWorkingDays: 3 });
    expect(read('2026-02-24T09:00')).toMatchObject({ usedWorkingDays: 3, shareUsed: 0.6, state: 'green' });
  });

  it('turns yellow at 80% used and red only after the deadline', () => {
    expect(read('2026-02-25T08:30')).toMatchObject({ usedWorkingDays: 4, shareUsed: 0.8, state: 'yellow' });
    expect(read('2026-02-26T23:59')).toMatchObject({
      usedWorkingDays: 5,
      remainingWorkingDays: 0,
      state: 'yellow',
    });
    expect(read('2026-02-27T00:00')).toMatchObject({
      usedWorkingDays: 6,
      remainingWorkingDays: -1,
      state: 'red',
    });
  });

  it('takes a configurable threshold', () => {
    expect(read('2026-02-24T09:00', { thresholds: { yellow: 0.5 } }).state).toBe('yellow');
    expect(read('2026-02-14T09:00', { thresholds: { yellow: 0.5 } }).state).toBe('green');
  });

  it('an extension adds its working days to the deadline', () => {
    // Feb 27 (Fri), Feb 28 (make-up Saturday), Mar 2 (Mon).
    const extended = read('2026-02-27T10:00', { extensionDays: 3 });
    expect(shown(extended.deadline)).toBe('2026-03-02T23:59:59.999+08:00');
    expect(extended).toMatchObject({ limitDays: 8, usedWorkingDays: 6, state: 'green' });
    expect(() => read('2026-02-27T10:00', { extensionDays: 1.5 })).toThrow(RangeError);
  });

  it('a stopped clock is read when it stopped', () => {
    const stopped = read('2026-03-10T10:00', { stoppedAt: cst('2026-02-25T10:00') });
    expect(stopped).toMatchObject({ stopped: true, usedWorkingDays: 4, state: 'yellow' });
    expect(shown(stopped.at)).toBe('2026-02-25T10:00:00.000+08:00');
    expect(dueWarnings(stopped, [], { caseId: 'c1', clock: 'promised' })).toEqual([]);
  });
});

describe('a 补正 pause across 国庆 (2026)', () => {
  // 中秋 Sep 25-27, 国庆 Oct 1-7, make-up working days Sep 20 (Sun) and Oct 10 (Sat).
  const startedAt = cst('2026-09-24T10:00');
  const supplement: ClockPause = { start: cst('2026-09-29T15:00'), end: cst('2026-10-09T10:00') };

  it('extends the deadline by exactly the paused working days', () => {
    const plain = caseClock({ startedAt, limitDays: 10, now: startedAt, calendar });
    // Sep 28, 29, 30, Oct 8, 9, 10 (make-up), 12, 13, 14, 15.
    expect(shown(plain.deadline)).toBe('2026-10-15T23:59:59.999+08:00');

    const paused = caseClock({
      startedAt,
      limitDays: 10,
      pauses: [supplement],
      now: cst('2026-10-09T12:00'),
      calendar,
    });
    // The pause day itself counts; Sep 30, Oct 8 and Oct 9 do not (the holidays never did).
    const pausedWorkingDays = calendar.days('2026-09-30', '2026-10-09').filter((d) => d.working);
    expect(pausedWorkingDays.map((d) => d.date)).toEqual(['2026-09-30', '2026-10-08', '2026-10-09']);
    expect(shown(paused.deadline)).toBe('2026-10-20T23:59:59.999+08:00');
    expect(calendar.countWorkingDays(plain.deadline!, paused.deadline!)).toBe(pausedWorkingDays.length);
    expect(paused).toMatchObject({ usedWorkingDays: 2, paused: false, state: 'green' });
  });

  it('while still in 补正 the clock is paused, has no deadline and warns of nothing', () => {
    // A 5-day limit from Tue Sep 22: Sep 23, 24, 28, 29 used = 80% when the notice goes out.
    const start = cst('2026-09-22T09:00');
    const open: ClockPause = { start: cst('2026-09-29T15:00'), end: null };
    const during = caseClock({
      startedAt: start,
      limitDays: 5,
      pauses: [open],
      now: cst('2026-10-09T09:00'),
      calendar,
    });
    expect(during).toMatchObject({ paused: true, deadline: null, usedWorkingDays: 4, state: 'yellow' });
    expect(dueWarnings(during, [], { caseId: 'c2', clock: 'promised' })).toEqual([]);

    // A pause whose end lies after the instant read is still open at that instant.
    const later = { ...open, end: cst('2026-10-12T09:00') };
    expect(
      caseClock({ startedAt: start, limitDays: 5, pauses: [later], now: cst('2026-10-09T09:00'), calendar }),
    ).toMatchObject({
      paused: true,
      deadline: null,
    });

    // Supplied on Oct 9: the 5th day is the make-up Saturday Oct 10; the yellow warning fires now.
    const closed = { ...open, end: cst('2026-10-09T10:00') };
    const after = caseClock({
      startedAt: start,
      limitDays: 5,
      pauses: [closed],
      now: cst('2026-10-09T11:00'),
      calendar,
    });
    expect(after).toMatchObject({ paused: false, usedWorkingDays: 4, state: 'yellow' });
    expect(shown(after.deadline)).toBe('2026-10-10T23:59:59.999+08:00');
    expect(dueWarnings(after, [], { caseId: 'c2', clock: 'promised' }).map((w) => w.type)).toEqual([
      'case.deadline.yellow',
    ]);
    const overdue = caseClock({
      startedAt: start,
      limitDays: 5,
      pauses: [closed],
      now: cst('2026-10-12T09:00'),
      calendar,
    });
    expect(overdue).toMatchObject({ state: 'red', usedWorkingDays: 6, remainingWorkingDays: -1 });
  });

  it('ignores a pause that starts after the instant read', () => {
    const future: ClockPause = { start: cst('2026-10-12T09:00'), end: null };
    const reading = caseClock({
      startedAt,
      limitDays: 10,
      pauses: [future],
      now: cst('2026-09-29T09:00'),
      calendar,
    });
    expect(reading).toMatchObject({ paused: false, usedWorkingDays: 2 });
    expect(shown(reading.deadline)).toBe('2026-10-15T23:59:59.999+08:00');
  });
});

describe('warnings', () => {
  const startedAt = cst('2026-02-12T10:00');
  const at = (now: string) => caseClock({ startedAt, limitDays: 5, now: cst(now), calendar });
  const subject = { caseId: 'case-1', clock: 'promised' };

  it('fires each threshold exactly once', () => {
    expect(dueWarnings(at('2026-02-24T09:00'), [], subject)).toEqual([]);
    const yellow = dueWarnings(at('2026-02-25T09:00'), [], subject);
    expect(yellow).toEqual([
      {
        type: 'case.deadline.yellow',
        key: 'case-1:promised:yellow',
        caseId: 'case-1',
        clock: 'promised',
        level: 'yellow',
        deadline: new Date('2026-02-26T23:59:59.999+08:00'),
        limitDays: 5,
        usedWorkingDays: 4,
        remainingWorkingDays: 1,
        shareUsed: 0.8,
        at: cst('2026-02-25T09:00'),
      },
    ]);
    expect(dueWarnings(at('2026-02-26T09:00'), ['yellow'], subject)).toEqual([]);
    expect(dueWarnings(at('2026-02-27T09:00'), ['yellow'], subject).map((w) => w.type)).toEqual([
      'case.deadline.red',
    ]);
    expect(dueWarnings(at('2026-03-05T09:00'), ['yellow', 'red'], subject)).toEqual([]);
  });

  it('a clock that jumps straight to red gets yellow then red', () => {
    expect(dueWarnings(at('2026-02-27T09:00'), [], subject).map((w) => w.key)).toEqual([
      'case-1:promised:yellow',
      'case-1:promised:red',
    ]);
  });

  it('over a run of readings, each level is emitted once and in order', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 1, maxLength: 20 }), (offsets) => {
        const emitted: string[] = [];
        const days = [...offsets].sort((a, b) => a - b);
        for (const day of days) {
          const reading = caseClock({
            startedAt,
            limitDays: 5,
            now: new Date(startedAt.getTime() + day * 86_400_000),
            calendar,
          });
          for (const w of dueWarnings(reading, emitted as ('yellow' | 'red')[], subject))
            emitted.push(w.level);
        }
        const last = caseClock({
          startedAt,
          limitDays: 5,
          now: new Date(startedAt.getTime() + days.at(-1)! * 86_400_000),
          calendar,
        });
        const expected = last.state === 'red' ? ['yellow', 'red'] : last.state === 'yellow' ? ['yellow'] : [];
        expect(emitted).toEqual(expected);
      }),
    );
  });
});

describe('the clocks of a case', () => {
  const process: Process = {
    legalLimitDays: 20,
    promisedLimitDays: 5,
    extensionLimitDays: 10,
    stages: [
      {
        code: 'accept',
        name: '受理',
        kind: 'accept',
        role: 'window_clerk',
        department: 'lead',
        limitDays: 1,
      },
      {
        code: 'joint',
        name: '并联审查',
        kind: 'review',
        role: 'department_head',
        department: 'lead',
        limitDays: 3,
        join: 'all',
        branches: [
          { code: 'market', name: '市场监管', department: '市场监管局', role: 'approver', limitDays: 3 },
          { code: 'fire', name: '消防', department: '消防救援大队', role: 'approver', limitDays: 1 },
        ],
      },
      {
        code: 'decision',
        name: '决定',
        kind: 'decision',
        role: 'department_head',
        department: 'lead',
        limitDays: 2,
      },
    ],
  };
  const acceptedAt = cst('2026-02-12T10:00');

  it('reads legal, promised and each stage and branch clock', () => {
    const clocks = caseClocks({
      process,
      acceptedAt,
      now: cst('2026-02-25T09:00'),
      calendar,
      stages: [
        { stage: 'joint', branch: 'market', startedAt: acceptedAt },
        { stage: 'joint', branch: 'fire', startedAt: acceptedAt, finishedAt: cst('2026-02-13T16:00') },
      ],
    });
    expect(shown(clocks.promised.deadline)).toBe('2026-02-26T23:59:59.999+08:00');
    expect(clocks.promised.state).toBe('yellow');
    // Legal 20 days: Feb 13, 14, 24-27, 28, Mar 2-6, 9-13, 16-18 → Mar 18.
    expect(shown(clocks.legal.deadline)).toBe('2026-03-18T23:59:59.999+08:00');
    expect(clocks.legal.state).toBe('green');
    const [market, fire] = clocks.stages;
    expect(market).toMatchObject({ stage: 'joint', branch: 'market', clock: { limitDays: 3, state: 'red' } });
    expect(shown(market!.clock.deadline)).toBe('2026-02-24T23:59:59.999+08:00');
    expect(fire).toMatchObject({
      branch: 'fire',
      clock: { limitDays: 1, stopped: true, usedWorkingDays: 1, state: 'yellow' },
    });

    const warnings = caseWarnings('case-9', clocks, new Map([['stage:joint/market', ['yellow']]]));
    expect(warnings.map((w) => w.key)).toEqual(['case-9:promised:yellow', 'case-9:stage:joint/market:red']);
  });

  it('extends the case limits, not the stage limits, and stops every clock at 办结', () => {
    const clocks = caseClocks({
      process,
      acceptedAt,
      extensionDays: 3,
      now: cst('2026-03-20T09:00'),
      stoppedAt: cst('2026-02-27T10:00'),
      calendar,
      stages: [{ stage: 'decision', startedAt: cst('2026-02-25T10:00') }],
    });
    expect(shown(clocks.promised.deadline)).toBe('2026-03-02T23:59:59.999+08:00');
    expect(clocks.promised).toMatchObject({
      stopped: true,
      state: 'green',
      usedWorkingDays: 6,
      limitDays: 8,
    });
    expect(clocks.legal.limitDays).toBe(23);
    expect(clocks.stages[0]!.clock).toMatchObject({ limitDays: 2, stopped: true, usedWorkingDays: 2 });
    expect(caseWarnings('case-9', clocks)).toEqual([]);
  });

  it('finds stage limits and plans stage deadlines', () => {
    expect(stageLimit(process, 'joint', null)).toBe(3);
    expect(stageLimit(process, 'joint', 'fire')).toBe(1);
    expect(() => stageLimit(process, 'joint', 'tax')).toThrow(RangeError);
    expect(() => stageLimit(process, 'site', null)).toThrow(RangeError);
    expect(
      plannedStageDeadlines(process, acceptedAt, calendar).map((s) => `${s.stage} ${shown(s.deadline)}`),
    ).toEqual(['joint 2026-02-24T23:59:59.999+08:00', 'decision 2026-02-26T23:59:59.999+08:00']);
  });

  it('checks an extension against the process bound', () => {
    expect(checkExtension(process, 10)).toEqual([]);
    expect(checkExtension(process, 11).map((e) => e.rule)).toEqual(['extensionDays']);
    expect(checkExtension(process, 0)[0]).toMatchObject({
      field: 'days',
      message: '延期天数应为1至10个工作日',
    });
    const immediate = defaultProcess({
      legalLimitDays: 0,
      promisedLimitDays: 0,
      handlingType: 'immediate',
      resultLicence: null,
    });
    expect(checkExtension(immediate, 1).map((e) => e.rule)).toEqual(['noExtension']);
  });
});
