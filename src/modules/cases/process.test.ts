import { describe, expect, it } from 'vitest';
import { AppError } from '../../kernel/errors.ts';
import {
  DEFAULT_EXTENSION_LIMIT_DAYS,
  checkProcess,
  defaultProcess,
  departmentKey,
  parseProcess,
  validateProcess,
  type ProcessInput,
  type Stage,
} from './process.ts';

/** 受理 → 并联审查 (市场监管局 + 消防救援支队, all) → 现场勘查 → 决定 → 制证 → 送达. */
function parallelProcess(): ProcessInput {
  return {
    legalLimitDays: 20,
    promisedLimitDays: 10,
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
        code: 'review',
        name: '并联审查',
        kind: 'review',
        role: 'department_head',
        department: 'lead',
        limitDays: 5,
        join: 'all',
        branches: [
          { code: 'market', name: '市场监管审查', department: '市场监管局', role: 'approver', limitDays: 5 },
          { code: 'fire', name: '消防审查', department: 42, role: 'approver', limitDays: 3 },
        ],
      },
      {
        code: 'inspection',
        name: '现场勘查',
        kind: 'inspection',
        role: 'approver',
        department: 'lead',
        limitDays: 2,
      },
      {
        code: 'decision',
        name: '决定',
        kind: 'decision',
        role: 'department_head',
        department: 'lead',
        limitDays: 1,
      },
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
    ],
  };
}

const rules = (input: unknown) => {
  const result = validateProcess(input);
  return result.ok ? [] : result.errors.map((e) => `${e.field} ${e.rule}`);
};

describe('validateProcess', () => {
  it('accepts a parallel process and fills the default extension bound', () => {
    const result = validateProcess(parallelProcess());
    expect(result.ok).toBe(true);
    expect(result.ok && result.process.extensionLimitDays).toBe(DEFAULT_EXTENSION_LIMIT_DAYS);
    expect(result.ok && result.process.stages).toHaveLength(6);
  });

  it('reports shape errors per field, in both languages', () => {
    const input = parallelProcess() as unknown as {
      stages: Record<string, unknown>[];
      promisedLimitDays: unknown;
    };
    input.promisedLimitDays = -1;
    input.stages[0]!.kind = 'approve';
    input.stages[1]!.department = true;
    delete input.stages[3]!.role;
    const result = validateProcess(input);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((e) => `${e.field} ${e.rule}`).sort()).toEqual([
      'process.promisedLimitDays minimum',
      'process.stages[0].kind enum',
      'process.stages[1].department enum',
      'process.stages[3].role required',
    ]);
    const required = result.errors.find((e) => e.rule === 'required')!;
    expect(required.message).toBe('必填');
    expect(required.messageEn).toBe('is required');
  });

  it('refuses a parallel stage with one branch (schema) and unknown fields', () => {
    const input = parallelProcess();
    input.stages[1]!.branches = input.stages[1]!.branches!.slice(0, 1);
    (input as Record<string, unknown>).owner = 'x';
    expect(rules(input).sort()).toEqual([
      'process.owner additionalProperties',
      'process.stages[1].branches minItems',
    ]);
  });

  it('needs unique codes, one accept stage first and one decision stage', () => {
    const input = parallelProcess();
    input.stages[2]!.code = 'review';
    expect(rules(input)).toEqual(['process.stages[2].code duplicateCode']);

    const noAcceptFirst = parallelProcess();
    noAcceptFirst.stages.reverse();
    expect(rules(noAcceptFirst)).toContain('process.stages acceptFirst');

    const twoAccepts = parallelProcess();
    twoAccepts.stages.splice(1, 0, { ...twoAccepts.stages[0]!, code: 'accept_again', limitDays: 0 });
    expect(rules(twoAccepts)).toContain('process.stages acceptFirst');

    const noDecision = parallelProcess();
    noDecision.stages.splice(3, 1);
    expect(rules(noDecision)).toEqual(['process.stages oneDecision']);
  });

  it('keeps stages in order and optional stages single', () => {
    const late = parallelProcess();
    const [inspection] = late.stages.splice(2, 1);
    late.stages.splice(4, 0, inspection!); // inspection after the certificate
    expect(rules(late)).toEqual(['process.stages[4].kind order']);

    const twoCertificates = parallelProcess();
    twoCertificates.stages.splice(5, 0, {
      ...twoCertificates.stages[4]!,
      code: 'certificate2',
      limitDays: 0,
    });
    expect(rules(twoCertificates)).toEqual(['process.stages single']);

    // Two review stages in sequence (初审, 审核) and inspection between them are fine.
    const sequential = parallelProcess();
    sequential.stages.splice(1, 0, {
      ...sequential.stages[2]!,
      code: 'first_review',
      kind: 'review',
      limitDays: 0,
    });
    expect(rules(sequential)).toEqual([]);
  });

  it('checks parallel branches: review only, join rule, distinct departments, limits', () => {
    const onInspection = parallelProcess();
    onInspection.stages[2] = {
      ...onInspection.stages[2]!,
      branches: onInspection.stages[1]!.branches!.map((b) => ({ ...b, limitDays: 1 })),
      join: 'any',
    };
    expect(rules(onInspection)).toEqual(['process.stages[2].branches branchesOnlyOnReview']);

    const noJoin = parallelProcess();
    delete noJoin.stages[1]!.join;
    expect(rules(noJoin)).toEqual(['process.stages[1].join joinRequired']);

    const joinAlone = parallelProcess();
    joinAlone.stages[2]!.join = 'all';
    expect(rules(joinAlone)).toEqual(['process.stages[2].join joinWithoutBranches']);

    const sameDepartment = parallelProcess();
    sameDepartment.stages[1]!.branches![1]!.department = ' 市场监管局 ';
    sameDepartment.stages[1]!.branches![1]!.code = 'market';
    expect(rules(sameDepartment).sort()).toEqual([
      'process.stages[1].branches[1].code duplicateCode',
      'process.stages[1].branches[1].department distinctDepartments',
    ]);

    const longBranch = parallelProcess();
    longBranch.stages[1]!.branches![1]!.limitDays = 6;
    expect(rules(longBranch)).toEqual(['process.stages[1].branches[1].limitDays branchLimit']);
  });

  it('keeps the promised limit within the legal one and the stages within the promised one', () => {
    const promised = parallelProcess();
    promised.promisedLimitDays = 21;
    expect(rules(promised)).toEqual(['process.promisedLimitDays promisedWithinLegal']);

    const stages = parallelProcess();
    stages.stages[1]!.limitDays = 6; // 6 + 2 + 1 + 1 + 1 = 11 > 10; the accept stage is not counted
    const errors = validateProcess(stages);
    expect(errors.ok).toBe(false);
    if (errors.ok) return;
    expect(errors.errors).toEqual([
      expect.objectContaining({ field: 'process.stages', rule: 'stagesWithinPromised' }),
    ]);
    expect(errors.errors[0]!.message).toContain('11');
    expect(errors.errors[0]!.messageEn).toContain('11');

    // The accept stage's limit runs from submission and does not count.
    const acceptLong = parallelProcess();
    acceptLong.stages[0]!.limitDays = 5;
    expect(rules(acceptLong)).toEqual([]);
  });

  it('parseProcess throws the 400 validation error with the field errors', () => {
    const input = parallelProcess();
    input.promisedLimitDays = 30;
    try {
      parseProcess(input, 'body.process');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).status).toBe(400);
      expect((error as AppError).errors?.map((e) => e.field)).toEqual(['body.process.promisedLimitDays']);
    }
  });

  it('normalises department references', () => {
    expect(departmentKey('lead')).toBe('lead');
    expect(departmentKey(' 民政局')).toBe('name:民政局');
    expect(departmentKey(7)).toBe('id:7');
  });
});

describe('defaultProcess', () => {
  const item = {
    legalLimitDays: 20,
    promisedLimitDays: 10,
    handlingType: 'promised' as const,
    resultLicence: '食品经营许可证',
  };
  const summary = (stages: Stage[]) => stages.map((s) => `${s.code}:${s.role}:${s.limitDays}`);

  it('builds a valid process from a 承诺件 with a licence', () => {
    const process = defaultProcess(item);
    expect(summary(process.stages)).toEqual([
      'accept:window_clerk:1',
      'review:approver:7',
      'decision:department_head:1',
      'certificate:approver:1',
      'delivery:window_clerk:1',
    ]);
    expect(process.stages.every((s) => s.department === 'lead')).toBe(true);
    expect(process).toMatchObject({ legalLimitDays: 20, promisedLimitDays: 10, extensionLimitDays: 10 });
    expect(checkProcess(process)).toEqual([]);
  });

  it('skips certificate and delivery without a licence and fits short limits', () => {
    expect(summary(defaultProcess({ ...item, resultLicence: null }).stages)).toEqual([
      'accept:window_clerk:1',
      'review:approver:9',
      'decision:department_head:1',
    ]);
    expect(summary(defaultProcess({ ...item, promisedLimitDays: 1 }).stages)).toEqual([
      'accept:window_clerk:1',
      'review:approver:1',
      'decision:department_head:0',
      'certificate:approver:0',
      'delivery:window_clerk:0',
    ]);
  });

  it('handles a 即办件 with every limit 0 and no extension', () => {
    const process = defaultProcess({
      legalLimitDays: 0,
      promisedLimitDays: 0,
      handlingType: 'immediate',
      resultLicence: null,
    });
    expect(summary(process.stages)).toEqual(['accept:window_clerk:0', 'decision:department_head:0']);
    expect(process.extensionLimitDays).toBe(0);
    expect(validateProcess(process).ok).toBe(true);
  });

  it('treats a legal limit of 0 (not set) as the promised limit', () => {
    const process = defaultProcess({ ...item, legalLimitDays: 0, promisedLimitDays: 5 });
    expect(process.legalLimitDays).toBe(5);
    expect(checkProcess(process)).toEqual([]);
  });

  it('is valid for every seeded catalog item', async () => {
    const { readFileSync } = await import('node:fs');
    const { parse } = await import('csv-parse/sync');
    const rows = parse(readFileSync(new URL('../../seed/items.csv', import.meta.url)), {
      columns: true,
    }) as Record<string, string>[];
    expect(rows.length).toBeGreaterThan(100);
    for (const row of rows) {
      const process = defaultProcess({
        legalLimitDays: Number(row.legal_limit_days),
        promisedLimitDays: Number(row.promised_limit_days),
        handlingType: row.handling_type === '即办件' ? 'immediate' : 'promised',
        resultLicence: row.result_licence || null,
      });
      expect(validateProcess(process), row.name).toMatchObject({ ok: true });
    }
  });
});
