import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toProblem, type AppError } from '../../kernel/errors.ts';
import { defaultProcess, parseProcess, type Process, type ProcessInput } from './process.ts';
import {
  CASE_ACTIONS,
  CASE_STATUSES,
  CONDITIONS,
  STEP_CODE_TABLE,
  TERMINAL_STATUSES,
  TRANSITIONS,
  TransitionRefused,
  allowedActions,
  authorise,
  conditionHolds,
  isTerminal,
  joinOutcome,
  nextStatus,
  recordOpinion,
  reviewProgress,
  stepCodeFor,
  transitionFor,
  workflowContext,
  type CaseAction,
  type CaseStatus,
  type ClockEffect,
  type Opinion,
  type WorkflowContext,
} from './workflow.ts';

/** 受理 → 初审 → 并联审查 (market + fire, join) → 决定 → 制证 → 送达. */
function parallelProcess(join: 'all' | 'any' = 'all', optional = true): Process {
  const input: ProcessInput = {
    legalLimitDays: 20,
    promisedLimitDays: 12,
    stages: [
      {
        code: 'accept',
        name: '受理',
        kind: 'accept',
        role: 'window_clerk',
        department: 'lead',
        limitDays: 1,
      },
      { code: 'first', name: '初审', kind: 'review', role: 'approver', department: 'lead', limitDays: 2 },
      {
        code: 'joint',
        name: '并联审查',
        kind: 'review',
        role: 'department_head',
        department: 'lead',
        limitDays: 5,
        join,
        branches: [
          { code: 'market', name: '市场监管', department: '市场监管局', role: 'approver', limitDays: 5 },
          { code: 'fire', name: '消防', department: '消防救援大队', role: 'approver', limitDays: 5 },
        ],
      },
      {
        code: 'decision',
        name: '决定',
        kind: 'decision',
        role: 'department_head',
        department: 'lead',
        limitDays: 1,
      },
      ...(optional
        ? ([
            {
              code: 'certificate',
              name: '制证',
              kind: 'certificate',
              role: 'approver',
              department: 'lead',
              limitDays: 1,
            },
            {
              code: 'delivery',
              name: '送达',
              kind: 'delivery',
              role: 'window_clerk',
              department: 'lead',
              limitDays: 1,
            },
          ] as const)
        : []),
    ],
  };
  return parseProcess(input);
}

interface Step {
  action: CaseAction;
  stage?: string;
  branch?: string;
}

/** A case as the cases module will keep it: status, clock effects, opinions, extension. */
class SimulatedCase {
  status: CaseStatus = 'submitted';
  accepted = false;
  extended = false;
  opinions: Opinion[] = [];
  clock: ClockEffect[] = [];
  constructor(readonly process: Process) {}

  get context(): WorkflowContext {
    return workflowContext(this.process, this);
  }

  act(step: Step | CaseAction): CaseStatus {
    const { action, stage, branch } = typeof step === 'string' ? { action: step } : step;
    const transition = transitionFor(this.status, action, this.context);
    if (action === 'review_approve' || action === 'review_deny') {
      const opinion = action === 'review_approve' ? 'approve' : 'deny';
      this.opinions = recordOpinion(this.process, this.opinions, { stage: stage!, branch, opinion }).opinions;
    }
    if (transition.clock === 'start') this.accepted = true;
    if (transition.clock === 'extend') this.extended = true;
    if (transition.clock) this.clock.push(transition.clock);
    this.status = transition.to;
    return this.status;
  }

  run(steps: (Step | CaseAction)[]): CaseStatus[] {
    return steps.map((step) => this.act(step));
  }
}

const refused = (fn: () => unknown): TransitionRefused => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(TransitionRefused);
    return error as TransitionRefused;
  }
  throw new Error('expected the action to be refused');
};

describe('documented paths (DOMAIN.md §4)', () => {
  it('happy path with parallel review: accept, 初审, both departments, decision, certificate, delivery, completion', () => {
    const c = new SimulatedCase(parallelProcess('all'));
    expect(
      c.run([
        'receive',
        'prereview',
        'accept',
        { action: 'review_approve', stage: 'first' },
        { action: 'review_approve', stage: 'joint', branch: 'fire' },
      ]),
    ).toEqual(['prereviewing', 'prereviewing', 'accepted', 'under_review', 'under_review']);
    // One branch of two under 'all': still under review, no decision yet.
    expect(reviewProgress(c.process, c.opinions)).toEqual({
      outcome: 'pending',
      stage: 'joint',
      pendingBranches: ['market'],
    });
    expect(allowedActions(c.status, c.context)).not.toContain('decide_approve');
    refused(() => c.act('decide_approve'));

    c.act({ action: 'review_approve', stage: 'joint', branch: 'market' });
    expect(allowedActions(c.status, c.context)).toEqual([
      'request_supplement',
      'suspend',
      'extend',
      'decide_approve',
      'decide_deny',
      'withdraw',
    ]);
    expect(c.run(['decide_approve', 'make_certificate', 'deliver', 'complete'])).toEqual([
      'decided_approved',
      'certificate_made',
      'delivered',
      'completed',
    ]);
    expect(c.clock).toEqual(['start', 'stop']);
    expect(allowedActions('completed', c.context)).toEqual([]);
  });

  it('skips certificate and delivery when the process lacks them', () => {
    const c = new SimulatedCase(parallelProcess('any', false));
    c.run(['receive', 'accept', { action: 'review_approve', stage: 'first' }]);
    c.act({ action: 'review_approve', stage: 'joint', branch: 'market' }); // 'any': one suffices
    expect(c.act('decide_approve')).toBe('decided_approved');
    expect(allowedActions(c.status, c.context)).toEqual(['complete']);
    refused(() => c.act('make_certificate'));
    refused(() => c.act('deliver'));
    expect(c.act('complete')).toBe('completed');
  });

  it('a process without review stages goes from acceptance to decision', () => {
    const process = defaultProcess({
      legalLimitDays: 0,
      promisedLimitDays: 0,
      handlingType: 'immediate',
      resultLicence: null,
    });
    const c = new SimulatedCase(process);
    c.run(['receive', 'accept']);
    expect(allowedActions(c.status, c.context)).toEqual([
      'request_supplement',
      'suspend',
      'decide_approve',
      'decide_deny',
      'withdraw',
    ]);
    expect(c.run(['decide_approve', 'complete'])).toEqual(['decided_approved', 'completed']);
  });

  it('rejection (不予受理) ends the case before the clock starts', () => {
    const c = new SimulatedCase(parallelProcess());
    expect(c.run(['receive', 'reject'])).toEqual(['prereviewing', 'rejected']);
    expect(transitionFor('prereviewing', 'reject', c.context).requiresReason).toBe(true);
    expect(c.clock).toEqual([]);
    expect(allowedActions('rejected', c.context)).toEqual([]);
  });

  it('supplement loop before acceptance: back to pre-review, clock not started', () => {
    const c = new SimulatedCase(parallelProcess());
    expect(
      c.run(['receive', 'request_supplement', 'supplement', 'request_supplement', 'supplement', 'accept']),
    ).toEqual(['prereviewing', 'supplementing', 'prereviewing', 'supplementing', 'prereviewing', 'accepted']);
    expect(c.clock).toEqual(['start']);
  });

  it('supplement during review pauses the clock and resumes review', () => {
    const c = new SimulatedCase(parallelProcess());
    c.run(['receive', 'accept', { action: 'review_approve', stage: 'first' }]);
    expect(c.run(['request_supplement', 'supplement', 'request_supplement', 'supplement'])).toEqual([
      'supplementing',
      'under_review',
      'supplementing',
      'under_review',
    ]);
    expect(c.clock).toEqual(['start', 'pause', 'resume', 'pause', 'resume']);
    // Review picks up where it was: the joint stage.
    expect(reviewProgress(c.process, c.opinions).stage).toBe('joint');
  });

  it('suspension (特别程序) pauses and resume restarts the clock; nothing else while suspended', () => {
    const c = new SimulatedCase(parallelProcess());
    c.run(['receive', 'accept', 'suspend']);
    expect(c.status).toBe('suspended');
    expect(allowedActions('suspended', c.context)).toEqual(['resume', 'withdraw']);
    refused(() => c.act({ action: 'review_approve', stage: 'first' }));
    expect(c.act('resume')).toBe('under_review');
    expect(c.clock).toEqual(['start', 'pause', 'resume']);
    expect(transitionFor('accepted', 'suspend', c.context).requiresReason).toBe(true);
  });

  it('one extension only, with the head’s permission and a reason', () => {
    const c = new SimulatedCase(parallelProcess());
    c.run(['receive', 'accept']);
    const extend = transitionFor(c.status, 'extend', c.context);
    expect(extend).toMatchObject({
      actor: 'case.extend',
      requiresReason: true,
      clock: 'extend',
      to: 'accepted',
    });
    c.act('extend');
    expect(c.status).toBe('accepted');
    const error = refused(() => c.act('extend'));
    expect(error.unmet).toEqual(['extensionAvailable']);
    c.act({ action: 'review_approve', stage: 'first' });
    refused(() => c.act('extend'));
    expect(allowedActions(c.status, c.context)).not.toContain('extend');
  });

  it('no extension when the process allows none', () => {
    const process = { ...parallelProcess(), extensionLimitDays: 0 };
    const c = new SimulatedCase(process);
    c.run(['receive', 'accept']);
    expect(refused(() => c.act('extend')).unmet).toEqual(['extensionAvailable']);
  });

  it('withdrawal is allowed before a decision and refused after', () => {
    const before: (Step | CaseAction)[][] = [
      [],
      ['receive'],
      ['receive', 'request_supplement'],
      ['receive', 'accept'],
      ['receive', 'accept', { action: 'review_approve', stage: 'first' }],
      ['receive', 'accept', 'request_supplement'],
      ['receive', 'accept', 'suspend'],
    ];
    for (const steps of before) {
      const c = new SimulatedCase(parallelProcess());
      c.run(steps);
      expect(c.act('withdraw'), c.status).toBe('withdrawn');
      expect(c.clock.at(-1) === 'stop').toBe(c.accepted);
    }
    const decided = new SimulatedCase(parallelProcess());
    decided.run(['receive', 'accept', { action: 'review_deny', stage: 'first' }, 'decide_deny']);
    expect(decided.status).toBe('decided_denied');
    const error = refused(() => decided.act('withdraw'));
    expect(error.currentStatus).toBe('decided_denied');
    expect(error.allowed).toEqual(['deliver']);
    for (const status of [
      'decided_approved',
      'certificate_made',
      'delivered',
      ...TERMINAL_STATUSES,
    ] as const) {
      refused(() => nextStatus(status, 'withdraw', decided.context));
    }
  });

  it('return (退件) before acceptance, or when a supplement never comes', () => {
    for (const steps of [[], ['receive'], ['receive', 'request_supplement']] as CaseAction[][]) {
      const c = new SimulatedCase(parallelProcess());
      c.run(steps);
      expect(c.act('return')).toBe('returned');
      expect(c.clock).toEqual([]);
    }
    const late = new SimulatedCase(parallelProcess());
    late.run(['receive', 'accept', 'request_supplement', 'return']);
    expect(late.status).toBe('returned');
    expect(late.clock).toEqual(['start', 'pause', 'stop']);
    const reviewing = new SimulatedCase(parallelProcess());
    reviewing.run(['receive', 'accept']);
    refused(() => reviewing.act('return'));
  });

  it('a reviewer’s denial leads to 不予许可, never to 准予', () => {
    const c = new SimulatedCase(parallelProcess('all'));
    c.run(['receive', 'accept', { action: 'review_approve', stage: 'first' }]);
    c.act({ action: 'review_deny', stage: 'joint', branch: 'market' });
    expect(reviewProgress(c.process, c.opinions)).toEqual({
      outcome: 'denied',
      stage: 'joint',
      pendingBranches: [],
    });
    expect(allowedActions(c.status, c.context)).toContain('decide_deny');
    expect(allowedActions(c.status, c.context)).not.toContain('decide_approve');
    refused(() => c.act({ action: 'review_approve', stage: 'joint', branch: 'fire' }));
    expect(c.run(['decide_deny', 'deliver', 'complete'])).toEqual([
      'decided_denied',
      'delivered',
      'completed',
    ]);
  });
});

describe('the table', () => {
  const process = parallelProcess();
  const contexts: WorkflowContext[] = [];
  for (const accepted of [false, true])
    for (const extended of [false, true])
      for (const review of ['pending', 'approved', 'denied'] as const)
        for (const p of [process, parallelProcess('all', false), { ...process, extensionLimitDays: 0 }])
          contexts.push({ process: p, accepted, extended, review });

  it('refuses every (status, action) pair that is not in the table, in every context', () => {
    let pairs = 0;
    for (const status of CASE_STATUSES) {
      for (const action of CASE_ACTIONS) {
        if (TRANSITIONS.some((t) => t.from === status && t.action === action)) continue;
        pairs++;
        for (const context of contexts) {
          const error = refused(() => nextStatus(status, action, context));
          expect(error.allowed).toEqual(allowedActions(status, context));
          expect(error.allowed).not.toContain(action);
        }
      }
    }
    expect(pairs).toBeGreaterThan(200);
  });

  it('refuses unknown actions naming the current status and the allowed ones (409 problem)', () => {
    const context = contexts[0]!;
    const error = refused(() => nextStatus('prereviewing', 'approve_everything', context));
    const problem = toProblem(error);
    expect(problem.status).toBe(409);
    expect(problem).toMatchObject({
      code: 'conflict',
      currentStatus: 'prereviewing',
      action: 'approve_everything',
      allowedActions: ['prereview', 'accept', 'reject', 'request_supplement', 'return', 'withdraw'],
    });
    const accepted = refused(() => nextStatus('under_review', 'accept', contexts[5]!));
    expect(toProblem(accepted).message).toBe('当前状态“审查中”下不能执行“受理”');
    expect(toProblem(accepted).messageEn).toBe('cannot accept a case that is under review');
  });

  it('rows of the same status and action have disjoint conditions', () => {
    for (const context of contexts) {
      for (const status of CASE_STATUSES) {
        for (const action of CASE_ACTIONS) {
          const matching = TRANSITIONS.filter(
            (t) =>
              t.from === status && t.action === action && t.when.every((c) => conditionHolds(c, context)),
          );
          expect(matching.length).toBeLessThanOrEqual(1);
        }
      }
    }
  });

  it('terminal statuses allow nothing and every status is reachable', () => {
    for (const status of TERMINAL_STATUSES) {
      expect(TRANSITIONS.filter((t) => t.from === status)).toEqual([]);
      expect(isTerminal(status)).toBe(true);
    }
    const reached = new Set<CaseStatus>(['submitted']);
    for (let grew = true; grew;) {
      grew = false;
      for (const t of TRANSITIONS) {
        if (reached.has(t.from) && !reached.has(t.to)) {
          reached.add(t.to);
          grew = true;
        }
      }
    }
    expect([...reached].sort()).toEqual([...CASE_STATUSES].sort());
    for (const t of TRANSITIONS) for (const c of t.when) expect(CONDITIONS).toContain(c);
  });

  it('authorise checks the actor and the reason', () => {
    const context = contexts[0]!;
    const clerk = { applicant: false, permissions: new Set(['case.receive', 'case.accept']) };
    const applicant = { applicant: true, permissions: new Set<string>() };
    expect(authorise('prereviewing', 'accept', context, clerk).to).toBe('accepted');
    const forbidden = (() => {
      try {
        authorise('prereviewing', 'accept', context, applicant);
      } catch (error) {
        return error as AppError;
      }
    })();
    expect(forbidden?.status).toBe(403);
    const missing = (() => {
      try {
        authorise('prereviewing', 'reject', context, clerk, '  ');
      } catch (error) {
        return error as AppError;
      }
    })();
    expect(missing?.status).toBe(400);
    expect(missing?.errors?.[0]).toMatchObject({ field: 'reason', rule: 'required' });
    expect(authorise('prereviewing', 'reject', context, clerk, '不属于本机关职权范围').to).toBe('rejected');
    expect(allowedActions('prereviewing', context, applicant)).toEqual(['withdraw']);
    expect(allowedActions('prereviewing', context, clerk)).toEqual([
      'prereview',
      'accept',
      'reject',
      'request_supplement',
      'return',
    ]);
  });
});

describe('joinOutcome and review progress', () => {
  it("under 'all' a deny denies at once, every approval approves", () => {
    expect(joinOutcome(['approve', null], 'all')).toBe('pending');
    expect(joinOutcome(['deny', null], 'all')).toBe('denied');
    expect(joinOutcome(['approve', 'deny'], 'all')).toBe('denied');
    expect(joinOutcome(['approve', 'approve', 'approve'], 'all')).toBe('approved');
  });

  it("under 'any' one approval suffices, every denial denies", () => {
    expect(joinOutcome([null, 'approve'], 'any')).toBe('approved');
    expect(joinOutcome(['deny', null], 'any')).toBe('pending');
    expect(joinOutcome(['deny', 'approve'], 'any')).toBe('approved');
    expect(joinOutcome(['deny', 'deny'], 'any')).toBe('denied');
  });

  it('agrees with the definition on every combination', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('approve', 'deny', null), { minLength: 2, maxLength: 6 }),
        (votes) => {
          const approvals = votes.filter((v) => v === 'approve').length;
          const denials = votes.filter((v) => v === 'deny').length;
          const all = joinOutcome(votes, 'all');
          const any = joinOutcome(votes, 'any');
          expect(all).toBe(denials > 0 ? 'denied' : approvals === votes.length ? 'approved' : 'pending');
          expect(any).toBe(approvals > 0 ? 'approved' : denials === votes.length ? 'denied' : 'pending');
        },
      ),
    );
  });

  it('recordOpinion refuses opinions that are not due', () => {
    const process = parallelProcess('all');
    const conflict = (opinions: Opinion[], opinion: Opinion) => {
      try {
        recordOpinion(process, opinions, opinion);
      } catch (error) {
        return toProblem(error as AppError);
      }
      throw new Error('expected a conflict');
    };
    expect(conflict([], { stage: 'joint', branch: 'fire', opinion: 'approve' })).toMatchObject({
      status: 409,
      currentStage: 'first',
    });
    const afterFirst = recordOpinion(process, [], { stage: 'first', opinion: 'approve' }).opinions;
    expect(conflict(afterFirst, { stage: 'joint', opinion: 'approve' })).toMatchObject({
      currentStage: 'joint',
      pendingBranches: ['market', 'fire'],
    });
    const oneBranch = recordOpinion(process, afterFirst, {
      stage: 'joint',
      branch: 'fire',
      opinion: 'approve',
    });
    expect(oneBranch.progress).toEqual({ outcome: 'pending', stage: 'joint', pendingBranches: ['market'] });
    expect(conflict(oneBranch.opinions, { stage: 'joint', branch: 'fire', opinion: 'deny' })).toMatchObject({
      pendingBranches: ['market'],
    });
    expect(conflict(oneBranch.opinions, { stage: 'joint', branch: 'tax', opinion: 'deny' }).status).toBe(409);
    const done = recordOpinion(process, oneBranch.opinions, {
      stage: 'joint',
      branch: 'market',
      opinion: 'approve',
    });
    expect(done.progress).toEqual({ outcome: 'approved', stage: null, pendingBranches: [] });
    expect(conflict(done.opinions, { stage: 'joint', branch: 'market', opinion: 'approve' }).status).toBe(
      409,
    );
  });
});

describe('property: random action sequences', () => {
  const processes = [
    parallelProcess('all'),
    parallelProcess('any', false),
    defaultProcess({
      legalLimitDays: 0,
      promisedLimitDays: 0,
      handlingType: 'immediate',
      resultLicence: null,
    }),
  ];

  it('only ever follow rows of the table, stay in known statuses, and stop at terminal ones', () => {
    // Mostly an allowed action (to get deep into the lifecycle), sometimes any action at all.
    const step = fc.record({
      pickAllowed: fc.integer({ min: 0, max: 9 }).map((n) => n < 8),
      index: fc.nat(),
      anyAction: fc.constantFrom(...CASE_ACTIONS),
      branch: fc.constantFrom('market', 'fire', undefined),
    });
    fc.assert(
      fc.property(fc.constantFrom(...processes), fc.array(step, { maxLength: 40 }), (process, steps) => {
        const c = new SimulatedCase(process);
        let extensions = 0;
        for (const { pickAllowed, index, anyAction, branch } of steps) {
          const before = c.status;
          const allowed = allowedActions(before, c.context);
          const action = pickAllowed && allowed.length ? allowed[index % allowed.length]! : anyAction;
          const stage = reviewProgress(process, c.opinions).stage ?? 'none';
          const stageHasBranches = process.stages.find((s) => s.code === stage)?.branches !== undefined;
          try {
            c.act({ action, stage, branch: stageHasBranches ? (branch ?? 'market') : undefined });
          } catch (error) {
            // Refused: nothing changed, and the action was not allowed (or the opinion not due).
            expect(c.status).toBe(before);
            if (error instanceof TransitionRefused) expect(allowed).not.toContain(action);
            else expect((error as AppError).status).toBe(409);
            continue;
          }
          expect(allowed).toContain(action);
          expect(CASE_STATUSES).toContain(c.status);
          expect(TRANSITIONS.some((t) => t.from === before && t.action === action && t.to === c.status)).toBe(
            true,
          );
          expect(isTerminal(before)).toBe(false);
          if (action === 'extend') extensions++;
        }
        expect(extensions).toBeLessThanOrEqual(1);
        if (isTerminal(c.status)) expect(allowedActions(c.status, c.context)).toEqual([]);
        // The clock starts at most once and never runs before acceptance.
        expect(c.clock.filter((e) => e === 'start').length).toBeLessThanOrEqual(1);
        if (c.clock.length) expect(c.clock[0]).toBe('start');
      }),
      { numRuns: 500 },
    );
  });
});

describe('provincial step codes', () => {
  const process = parallelProcess();
  const code = (from: CaseStatus, action: CaseAction, stage?: string) =>
    stepCodeFor(
      transitionFor(from, action, {
        process,
        accepted: from !== 'prereviewing' && from !== 'submitted',
        extended: false,
        review: 'approved',
      }),
      process,
      stage,
    );

  it('maps transitions to 110-190 and back', () => {
    expect(code('prereviewing', 'accept')).toBe('110');
    expect(code('prereviewing', 'reject')).toBe('110');
    expect(code('prereviewing', 'request_supplement')).toBe('140');
    expect(code('decided_approved', 'make_certificate')).toBe('180');
    expect(code('certificate_made', 'deliver')).toBe('190');
    expect(code('decided_denied', 'deliver')).toBe('170');
    expect(code('under_review', 'decide_approve')).toBe('150');
    expect(code('under_review', 'extend')).toBeNull();
    expect(code('delivered', 'complete')).toBeNull();
    const review = (stage: string, p: Pick<Process, 'stages'> = process) =>
      stepCodeFor({ from: 'under_review', action: 'review_approve', clock: null }, p, stage);
    expect(review('first')).toBe('120');
    expect(review('joint')).toBe('130');
    const withInspection = {
      stages: [
        ...process.stages.slice(0, 2),
        { ...process.stages[1]!, code: 'site', kind: 'inspection' as const },
      ],
    };
    expect(review('site', withInspection)).toBe('160');
    for (const [stepCode, entry] of Object.entries(STEP_CODE_TABLE)) {
      expect(entry.actions.length, stepCode).toBeGreaterThan(0);
      for (const action of entry.actions) expect(CASE_ACTIONS).toContain(action);
    }
    expect(STEP_CODE_TABLE['140'].name).toBe('补齐补正');
  });
});
