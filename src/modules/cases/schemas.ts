import { Type } from 'typebox';
import { CASE_ACTIONS, CASE_STATUSES } from './workflow.ts';
import type { CaseDocumentKind } from './documents.ts';
import { STAGE_KINDS, JOIN_RULES } from './process.ts';
import { Nullable } from '../../kernel/schemas.ts';

/**
 * Response schemas of the cases routes (routes.ts). Fastify serialises a response through
 * its schema, so every property the handlers return is listed here: read.ts (workbench,
 * timeline, clocks), store.ts (the case row), case-documents.ts, kernel/chain.ts (audit).
 * Objects stored as JSON with the case (materials, the process, opinions, step details)
 * keep properties this file does not name (additionalProperties), so that nothing written
 * by an older or newer version is dropped on the way out.
 */

/** An instant: the handlers return Dates, serialised as ISO 8601 strings as JSON.stringify writes them. */
const DateTime = (options: { description?: string } = {}) =>
  Type.Unsafe<string | Date>(Type.String({ format: 'date-time', ...options }));
const Instant = DateTime();
const Open = { additionalProperties: true } as const;

/** A text in both languages. */
export const Bilingual = Type.Object({ zh: Type.String(), en: Type.String() });

export const CaseStatus = Type.Enum([...CASE_STATUSES]);
export const ClockState = Type.Enum(['green', 'yellow', 'red'], {
  description: 'red = overdue; yellow = the configured share of the limit used',
});

/** One row of the workbench (read.ts WorkbenchRow). */
export const WorkbenchRow = Type.Object({
  id: Type.String({ format: 'uuid' }),
  number: Type.String(),
  status: CaseStatus,
  statusName: Type.String(),
  statusNameEn: Type.String(),
  version: Type.Integer(),
  itemCode: Type.String(),
  itemName: Type.String(),
  applicantName: Type.String(),
  applicantKind: Type.String({ description: 'person or enterprise' }),
  organisationName: Type.String(),
  submittedAt: Instant,
  promisedDeadline: Nullable(Instant),
  // read.ts types the column as a string; its check constraint allows only these.
  clockState: Type.Unsafe<string>(ClockState),
  paused: Type.Boolean(),
  dueAt: Nullable(DateTime({ description: 'The earliest deadline of an open task' })),
  overdue: Type.Boolean(),
  remainingWorkingDays: Nullable(
    Type.Integer({
      description:
        'Working days left to the nearest deadline: 0 = due today, negative = overdue; null while paused or before a deadline exists',
    }),
  ),
  tasks: Type.Array(
    Type.Object({
      stage: Type.String(),
      branch: Nullable(Type.String()),
      role: Type.String(),
      organisationId: Type.Integer(),
      dueAt: Nullable(Instant),
    }),
    { description: 'The open tasks' },
  ),
});

export const WorkbenchPage = Type.Object({ items: Type.Array(WorkbenchRow), total: Type.Integer() });

/** A clock read now (clock.ts ClockReading). */
export const ClockReading = Type.Object({
  limitDays: Type.Integer({ description: 'The limit including the extension' }),
  deadline: Nullable(
    DateTime({ description: 'End of the last working day; null while an open pause holds the clock' }),
  ),
  usedWorkingDays: Type.Integer(),
  remainingWorkingDays: Type.Integer({ description: '0 = due today, negative = working days overdue' }),
  shareUsed: Type.Number(),
  state: ClockState,
  paused: Type.Boolean(),
  stopped: Type.Boolean(),
  at: DateTime({ description: 'The instant read' }),
});

/** A piece of work on the case and its clock (store.ts CaseTask). */
export const CaseTask = Type.Object({
  id: Type.Integer(),
  stage: Type.String(),
  branch: Nullable(Type.String()),
  role: Type.String(),
  organisationId: Type.Integer(),
  startedAt: Instant,
  limitDays: Type.Integer(),
  dueAt: Nullable(Instant),
  finishedAt: Nullable(Instant),
  clock: Nullable(ClockReading),
});

export const CasePause = Type.Object({
  kind: Type.Enum(['supplement', 'special_procedure']),
  reason: Type.String(),
  expectedDays: Nullable(Type.Integer()),
  start: Instant,
  end: Nullable(Instant),
});

/** A material as filed with the case, or supplied later (store.ts CaseMaterial). */
export const CaseMaterial = Type.Object(
  {
    name: Type.String(),
    source: Type.Enum(['upload', 'drive', 'registry', 'licence']),
    uploadId: Type.Optional(Type.String()),
    sha256: Type.Optional(Type.String()),
    filename: Type.Optional(Type.String()),
    mediaType: Type.Optional(Type.String()),
    size: Type.Optional(Type.Integer()),
    record: Type.Optional(
      Type.Object(
        {
          registry: Type.String(),
          key: Type.String(),
          data: Type.Object({}, { ...Open, description: 'The registry record' }),
          fetchedAt: Type.String(),
          authorisationId: Type.Optional(Type.String()),
        },
        Open,
      ),
    ),
    suppliedAt: Type.Optional(Type.String({ description: 'Set on materials supplied after a 补正 notice' })),
  },
  Open,
);

const DepartmentRef = Type.Union([Type.String(), Type.Integer()]);

/** The case's process with its departments resolved to organisations (store.ts CaseProcess). */
export const CaseProcess = Type.Object(
  {
    legalLimitDays: Type.Integer(),
    promisedLimitDays: Type.Integer(),
    extensionLimitDays: Type.Optional(Type.Integer()),
    stages: Type.Array(
      Type.Object(
        {
          code: Type.String(),
          name: Type.String(),
          kind: Type.Enum([...STAGE_KINDS]),
          role: Type.String(),
          department: DepartmentRef,
          limitDays: Type.Integer(),
          branches: Type.Optional(
            Type.Array(
              Type.Object(
                {
                  code: Type.String(),
                  name: Type.String(),
                  department: DepartmentRef,
                  role: Type.String(),
                  limitDays: Type.Integer(),
                },
                Open,
              ),
            ),
          ),
          join: Type.Optional(Type.Enum([...JOIN_RULES])),
        },
        Open,
      ),
    ),
    organisations: Type.Optional(
      Type.Object(
        {},
        {
          additionalProperties: Type.Object({ id: Type.Integer(), name: Type.String() }),
          description: 'Organisation of each stage and branch: key `stage` or `stage/branch`',
        },
      ),
    ),
  },
  Open,
);

export const CaseOpinion = Type.Object(
  {
    stage: Type.String(),
    branch: Type.Optional(Nullable(Type.String())),
    opinion: Type.Enum(['approve', 'deny']),
    by: Type.Optional(Type.String({ description: 'Staff only: who gave it' })),
    at: Type.String(),
    reason: Type.Optional(Nullable(Type.String())),
  },
  Open,
);

export const NeededMaterial = Type.Object(
  { name: Type.String(), problem: Type.String() },
  { ...Open, description: 'A material to supply and what is wrong with it' },
);

/** One step of the case (read.ts TimelineEntry). */
export const TimelineEntry = Type.Object({
  at: Instant,
  action: Type.String({ description: 'A case action, or submit for the application’s submission' }),
  actionName: Bilingual,
  from: Type.String(),
  to: Type.String(),
  toName: Bilingual,
  role: Type.String({ description: 'The role that acted, never a staff member’s name' }),
  stage: Nullable(Type.String()),
  branch: Nullable(Type.String()),
  reason: Nullable(Type.String()),
  details: Type.Object(
    { needed: Type.Optional(Type.Array(NeededMaterial, { description: '补正 notice: what to supply' })) },
    { ...Open, description: 'What the step recorded: needed, supplied, days, document ...' },
  ),
  actor: Type.Optional(Type.String({ description: 'Staff only: the subject who acted' })),
  onBehalfOf: Type.Optional(Nullable(Type.String({ description: 'Staff only' }))),
});

/** A case as staff or its applicant see it (GET /api/v1/cases/{id}). */
export const CaseDetail = Type.Object({
  id: Type.String({ format: 'uuid' }),
  number: Type.String(),
  applicationId: Type.String({ format: 'uuid' }),
  applicationNumber: Type.String(),
  status: CaseStatus,
  statusName: Bilingual,
  version: Type.Integer(),
  item: Type.Object({
    id: Type.Integer(),
    code: Type.String(),
    name: Type.String(),
    versionId: Type.Integer(),
  }),
  organisation: Type.Object({ id: Type.Integer(), name: Type.String() }),
  regionCode: Type.String(),
  applicant: Type.Object({
    kind: Type.Enum(['person', 'enterprise']),
    name: Type.String(),
    sub: Type.Optional(Type.String({ description: 'Staff only' })),
    enterpriseUscc: Type.Optional(Nullable(Type.String({ description: 'Staff only' }))),
  }),
  channel: Type.String(),
  formData: Type.Object({}, { ...Open, description: 'The application form as filled in' }),
  materials: Type.Array(CaseMaterial),
  process: CaseProcess,
  opinions: Type.Array(CaseOpinion),
  submittedAt: Instant,
  acceptedAt: Nullable(Instant),
  decidedAt: Nullable(Instant),
  endedAt: Nullable(Instant),
  extensionDays: Type.Integer(),
  paused: Type.Boolean(),
  clockState: ClockState,
  allowedActions: Type.Array(Type.Object({ action: Type.Enum([...CASE_ACTIONS]), name: Bilingual }), {
    description: 'The steps open to you now',
  }),
  clocks: Type.Object({
    legal: Nullable(ClockReading),
    promised: Nullable(ClockReading),
    tasks: Type.Array(CaseTask),
    pauses: Type.Array(CasePause),
  }),
  timeline: Type.Array(TimelineEntry),
});

export const CaseTimeline = Type.Object({
  number: Type.String(),
  status: CaseStatus,
  items: Type.Array(TimelineEntry),
});

/** What a step returns: the case after it. */
export const StepResult = Type.Object({
  id: Type.String({ format: 'uuid' }),
  number: Type.String(),
  status: CaseStatus,
  statusName: Bilingual,
  version: Type.Integer(),
});

const DOCUMENT_KINDS = [
  'acceptance_notice',
  'rejection_decision',
  'supplement_notice',
  'approval_decision',
  'denial_decision',
] as const satisfies readonly CaseDocumentKind[];

/** A document of the case (case-documents.ts CaseDocument). */
export const CaseDocument = Type.Object({
  id: Type.String({ format: 'uuid' }),
  kind: Type.Enum([...DOCUMENT_KINDS]),
  title: Type.String(),
  size: Type.Integer(),
  sha256: Type.String(),
  createdAt: Instant,
});

export const CaseDocuments = Type.Object({ items: Type.Array(CaseDocument) });

/** The case's hash-chained audit trail (kernel/chain.ts ChainVerification and ChainEntry). */
export const AuditTrail = Type.Object({
  verification: Type.Union([
    Type.Object({
      ok: Type.Literal(true),
      length: Type.Integer(),
      head: Type.Object({ seq: Type.Integer(), hash: Type.String() }),
    }),
    Type.Object({
      ok: Type.Literal(false),
      seq: Type.Integer({ description: 'The first position found wrong' }),
      problem: Type.Enum(['hash_mismatch', 'gap', 'head_mismatch', 'truncated']),
      detail: Type.String(),
    }),
  ]),
  entries: Type.Array(
    Type.Object({
      chain: Type.String(),
      seq: Type.Integer(),
      at: Instant,
      actor: Type.String(),
      onBehalfOf: Nullable(Type.String()),
      action: Type.String(),
      data: Type.Unknown(),
      prevHash: Type.String(),
      hash: Type.String(),
    }),
  ),
});
