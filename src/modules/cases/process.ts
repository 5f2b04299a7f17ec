import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import { Type, type Static } from 'typebox';
import { validationError, type FieldError } from '../../kernel/errors.ts';
import { fieldErrorFrom } from '../../kernel/http.ts';
import { defineMessages, text } from '../../kernel/i18n.ts';
import type { ItemElements } from '../catalog/index.ts';

/**
 * Process definitions (办理流程, issue 4 item 3): the stages a case of an item version goes
 * through, who acts at each, parallel review (并联审批) with its join rule, and the time
 * limits in working days. A process is data carried by the item version; `validateProcess`
 * checks one, `defaultProcess` builds one for items that do not define their own.
 *
 * Limits. The case limits (legal 法定, promised 承诺) are counted from acceptance (自受理之日起).
 * The accept stage's limit is counted from submission (the time allowed to accept, reject
 * or ask for a supplement) and is not part of the case limits. Every later stage runs in
 * sequence, so their limits together may not exceed the promised limit; a parallel stage's
 * branches run side by side, each within the stage's limit. Time in 补正 and 特别程序 does
 * not count toward any limit (see clock.ts).
 */

export const STAGE_KINDS = ['accept', 'review', 'inspection', 'decision', 'certificate', 'delivery'] as const;
export type StageKind = (typeof STAGE_KINDS)[number];
export const JOIN_RULES = ['all', 'any'] as const;
export type JoinRule = (typeof JOIN_RULES)[number];

/** The order stage kinds must follow; review and inspection stages may interleave. */
const KIND_RANK: Record<StageKind, number> = {
  accept: 0,
  review: 1,
  inspection: 1,
  decision: 2,
  certificate: 3,
  delivery: 4,
};
/** Kinds a process has at most once (accept and decision exactly once). */
const SINGLE_KINDS: readonly StageKind[] = ['accept', 'decision', 'certificate', 'delivery'];

/** The most working days an extension (延期) may add when a process does not say (行政许可法 art. 42). */
export const DEFAULT_EXTENSION_LIMIT_DAYS = 10;
/** The department reference meaning "the item's implementing body" (实施主体). */
export const LEAD_DEPARTMENT = 'lead';

const Code = (description: string) => Type.String({ pattern: '^[a-z][a-z0-9_]{0,39}$', description });
const Days = (description: string) => Type.Integer({ minimum: 0, maximum: 3650, description });

/**
 * Who acts: 'lead' (the item's implementing body), an organisation's short name in the
 * case's region (市场监管局), or an organisation id.
 */
export const DepartmentRef = Type.Union(
  [Type.String({ minLength: 1, maxLength: 100 }), Type.Integer({ minimum: 1 })],
  {
    description:
      "'lead' = the item's implementing body; or an organisation short name; or an organisation id",
  },
);
export type DepartmentRef = Static<typeof DepartmentRef>;

export const Branch = Type.Object(
  {
    code: Code('Stable code of the branch within its stage, e.g. fire_safety'),
    name: Type.String({ minLength: 1, maxLength: 50, description: '分支名称, e.g. 消防审查' }),
    department: DepartmentRef,
    role: Code('Identity role code of who acts: approver, department_head ...'),
    limitDays: Days('Working days the branch has, within its stage limit'),
  },
  { additionalProperties: false },
);
export type Branch = Static<typeof Branch>;

export const Stage = Type.Object(
  {
    code: Code('Stable code of the stage, e.g. accept, review, inspection, decision'),
    name: Type.String({ minLength: 1, maxLength: 50, description: '环节名称, e.g. 受理, 审查' }),
    kind: Type.Enum([...STAGE_KINDS]),
    role: Code('Identity role code of who acts (for a parallel stage: who coordinates)'),
    department: DepartmentRef,
    limitDays: Days('Working days the stage has (accept: from submission; others: from entering it)'),
    branches: Type.Optional(
      Type.Array(Branch, {
        minItems: 2,
        maxItems: 20,
        description: '并联审批: departments reviewing side by side (review stages only)',
      }),
    ),
    join: Type.Optional(
      Type.Enum([...JOIN_RULES], {
        description: 'all: every branch must approve; any: one approval suffices',
      }),
    ),
  },
  { additionalProperties: false },
);
export type Stage = Static<typeof Stage>;

export const ProcessDefinition = Type.Object(
  {
    legalLimitDays: Days('法定办结时限, from acceptance'),
    promisedLimitDays: Days('承诺办结时限, from acceptance; at most the legal limit'),
    extensionLimitDays: Type.Optional(
      Days(`Most working days one extension (延期) may add; default ${DEFAULT_EXTENSION_LIMIT_DAYS}`),
    ),
    stages: Type.Array(Stage, { minItems: 2, maxItems: 30 }),
  },
  { additionalProperties: false },
);
/** A process as written by a catalog administrator (extensionLimitDays optional). */
export type ProcessInput = Static<typeof ProcessDefinition>;
/** A validated process, defaults filled in. */
export type Process = Omit<ProcessInput, 'extensionLimitDays'> & { extensionLimitDays: number };

defineMessages({
  'cases.process.duplicateCode': { zh: '环节编码重复：{code}', en: 'duplicate code: {code}' },
  'cases.process.acceptFirst': {
    zh: '流程必须以唯一的受理环节开始',
    en: 'a process starts with exactly one accept stage',
  },
  'cases.process.oneDecision': {
    zh: '流程必须有且只有一个决定环节',
    en: 'a process has exactly one decision stage',
  },
  'cases.process.single': {
    zh: '“{kind}”环节最多只能有一个',
    en: 'a process has at most one {kind} stage',
  },
  'cases.process.order': {
    zh: '环节顺序不正确：应为受理、审查/现场勘查、决定、制证、送达',
    en: 'stages are out of order: accept, review/inspection, decision, certificate, delivery',
  },
  'cases.process.branchesOnlyOnReview': {
    zh: '只有审查环节可以并联审批',
    en: 'only a review stage may have parallel branches',
  },
  'cases.process.joinRequired': {
    zh: '并联审批须指定汇总规则（all 或 any）',
    en: 'a parallel stage needs a join rule (all or any)',
  },
  'cases.process.joinWithoutBranches': {
    zh: '没有并联分支的环节不能指定汇总规则',
    en: 'a join rule needs parallel branches',
  },
  'cases.process.distinctDepartments': {
    zh: '并联审批的各分支须由不同部门办理：{department}重复',
    en: 'parallel branches need distinct departments: {department} appears twice',
  },
  'cases.process.branchLimit': {
    zh: '分支时限不能超过所在环节的时限（{limit}个工作日）',
    en: 'a branch limit may not exceed its stage limit ({limit} working days)',
  },
  'cases.process.promisedWithinLegal': {
    zh: '承诺办结时限不能超过法定办结时限（{legal}个工作日）',
    en: 'the promised limit may not exceed the legal limit ({legal} working days)',
  },
  'cases.process.stagesWithinPromised': {
    zh: '受理后各环节时限之和（{sum}个工作日）不能超过承诺办结时限（{promised}个工作日）',
    en: 'the stages after acceptance add up to {sum} working days, more than the promised limit ({promised})',
  },
});

function processError(field: string, rule: string, params: Record<string, string | number> = {}): FieldError {
  const t = text(`cases.process.${rule}`, params);
  return { field, rule, message: t.zh, messageEn: t.en };
}

const ajv = new Ajv2020({ allErrors: true, strict: false });
const checkShape = ajv.compile<ProcessInput>(ProcessDefinition);

export type ProcessValidation = { ok: true; process: Process } | { ok: false; errors: FieldError[] };

/**
 * Checks a process definition: its shape (JSON schema), then the rules across fields
 * (`checkProcess`). Field paths start with `prefix` (e.g. `process.stages[2].limitDays`).
 */
export function validateProcess(input: unknown, prefix = 'process'): ProcessValidation {
  if (!checkShape(input)) return { ok: false, errors: shapeErrors(checkShape.errors ?? [], prefix) };
  const process: Process = {
    ...input,
    extensionLimitDays: input.extensionLimitDays ?? DEFAULT_EXTENSION_LIMIT_DAYS,
  };
  const errors = checkProcess(process, prefix);
  return errors.length ? { ok: false, errors } : { ok: true, process };
}

/** validateProcess, throwing the 400 validation error the API returns. */
export function parseProcess(input: unknown, prefix = 'process'): Process {
  const result = validateProcess(input, prefix);
  if (!result.ok) throw validationError(result.errors);
  return result.process;
}

/** The rules a JSON schema cannot say. */
export function checkProcess(process: ProcessInput, prefix = 'process'): FieldError[] {
  const errors: FieldError[] = [];
  const at = (path: string) => `${prefix}.${path}`;
  const { stages } = process;

  const codes = new Set<string>();
  stages.forEach((stage, i) => {
    if (codes.has(stage.code))
      errors.push(processError(at(`stages[${i}].code`), 'duplicateCode', { code: stage.code }));
    codes.add(stage.code);
  });

  if (stages[0]?.kind !== 'accept' || stages.filter((s) => s.kind === 'accept').length !== 1) {
    errors.push(processError(at('stages'), 'acceptFirst'));
  }
  if (stages.filter((s) => s.kind === 'decision').length !== 1) {
    errors.push(processError(at('stages'), 'oneDecision'));
  }
  for (const kind of SINGLE_KINDS) {
    if (kind === 'accept' || kind === 'decision') continue;
    if (stages.filter((s) => s.kind === kind).length > 1)
      errors.push(processError(at('stages'), 'single', { kind }));
  }
  const outOfOrder = stages.findIndex((s, i) => i > 0 && KIND_RANK[s.kind] < KIND_RANK[stages[i - 1]!.kind]);
  if (outOfOrder > 0) errors.push(processError(at(`stages[${outOfOrder}].kind`), 'order'));

  stages.forEach((stage, i) => errors.push(...checkBranches(stage, at(`stages[${i}]`))));

  const { legalLimitDays: legal, promisedLimitDays: promised } = process;
  if (promised > legal) errors.push(processError(at('promisedLimitDays'), 'promisedWithinLegal', { legal }));
  const sum = stages.filter((s) => s.kind !== 'accept').reduce((total, s) => total + s.limitDays, 0);
  if (sum > promised) errors.push(processError(at('stages'), 'stagesWithinPromised', { sum, promised }));
  return errors;
}

function checkBranches(stage: Stage, at: string): FieldError[] {
  const errors: FieldError[] = [];
  if (!stage.branches) {
    if (stage.join) errors.push(processError(`${at}.join`, 'joinWithoutBranches'));
    return errors;
  }
  if (stage.kind !== 'review') errors.push(processError(`${at}.branches`, 'branchesOnlyOnReview'));
  if (!stage.join) errors.push(processError(`${at}.join`, 'joinRequired'));
  const codes = new Set<string>();
  const departments = new Set<string>();
  stage.branches.forEach((branch, j) => {
    const path = `${at}.branches[${j}]`;
    if (codes.has(branch.code))
      errors.push(processError(`${path}.code`, 'duplicateCode', { code: branch.code }));
    codes.add(branch.code);
    const department = departmentKey(branch.department);
    if (departments.has(department)) {
      errors.push(
        processError(`${path}.department`, 'distinctDepartments', { department: String(branch.department) }),
      );
    }
    departments.add(department);
    if (branch.limitDays > stage.limitDays) {
      errors.push(processError(`${path}.limitDays`, 'branchLimit', { limit: stage.limitDays }));
    }
  });
  return errors;
}

/** A department reference normalised for comparison ('lead', 'name:民政局', 'id:42'). */
export function departmentKey(ref: DepartmentRef): string {
  if (typeof ref === 'number') return `id:${ref}`;
  const name = ref.trim();
  return name === LEAD_DEPARTMENT ? LEAD_DEPARTMENT : `name:${name}`;
}

/** Schema errors as field errors; a union's own failure replaces those of its alternatives. */
function shapeErrors(errors: ErrorObject[], prefix: string): FieldError[] {
  const unionPaths = new Set(errors.filter((e) => e.keyword === 'anyOf').map((e) => e.instancePath));
  const seen = new Set<string>();
  const result: FieldError[] = [];
  for (const error of errors) {
    if (unionPaths.has(error.instancePath) && error.keyword !== 'anyOf') continue;
    const field = fieldErrorFrom(error);
    const named = { ...field, field: field.field === 'body' ? prefix : `${prefix}.${field.field}` };
    const key = `${named.field}\u0000${named.rule}`;
    if (seen.has(key)) continue;
    seen.add(key);
    result.push(named);
  }
  return result;
}

/** The stages after acceptance in which staff give opinions (审查, 现场勘查). */
export function opinionStages(process: Pick<Process, 'stages'>): Stage[] {
  return process.stages.filter((s) => s.kind === 'review' || s.kind === 'inspection');
}

export function stageOfKind(process: Pick<Process, 'stages'>, kind: StageKind): Stage | undefined {
  return process.stages.find((s) => s.kind === kind);
}

/** The catalog elements a default process is built from. */
export type ProcessSource = Pick<
  ItemElements,
  'legalLimitDays' | 'promisedLimitDays' | 'handlingType' | 'resultLicence'
>;

/**
 * A sensible process for an item that defines none: 受理 (window clerk) → 审查 (approver)
 * → 决定 (department head) → 制证 (approver) and 送达 (window clerk) when the item results
 * in a licence, all by the implementing body. Of the promised limit, the review gets one
 * day first, then decision, certificate and delivery one day each while days remain, and
 * the review the rest. A 即办件 (promised 0) has every limit 0, no review and no extension.
 * The accept stage has 1 working day from submission (0 for a 即办件). The catalog allows a
 * legal limit of 0 meaning "not set"; the legal limit is then the promised one.
 */
export function defaultProcess(item: ProcessSource): Process {
  const promised = item.promisedLimitDays;
  const legal = Math.max(item.legalLimitDays, promised);
  const immediate = item.handlingType === 'immediate' || promised === 0;
  const licence = item.resultLicence !== null && item.resultLicence.trim() !== '';
  const stage = (code: StageKind, name: string, role: string, limitDays: number): Stage => ({
    code,
    name,
    kind: code,
    role,
    department: LEAD_DEPARTMENT,
    limitDays,
  });

  let left = promised;
  const take = () => (left > 0 ? (left--, 1) : 0);
  const review = immediate ? 0 : take();
  const decision = take();
  const certificate = licence ? take() : 0;
  const delivery = licence ? take() : 0;
  const stages: Stage[] = [stage('accept', '受理', 'window_clerk', immediate ? 0 : 1)];
  if (!immediate) stages.push(stage('review', '审查', 'approver', review + left));
  stages.push(stage('decision', '决定', 'department_head', decision));
  if (licence) {
    stages.push(stage('certificate', '制证', 'approver', certificate));
    stages.push(stage('delivery', '送达', 'window_clerk', delivery));
  }
  return {
    legalLimitDays: legal,
    promisedLimitDays: promised,
    extensionLimitDays: immediate ? 0 : DEFAULT_EXTENSION_LIMIT_DAYS,
    stages,
  };
}
