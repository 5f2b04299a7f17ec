import { Type, type Static, type TSchema } from 'typebox';

/**
 * The applications module's contracts: one TypeBox schema per shape, used for request
 * validation, the OpenAPI document and the TypeScript types.
 */

export const APPLICATION_STATUSES = ['draft', 'submitted', 'completed', 'withdrawn'] as const;
export type ApplicationStatus = (typeof APPLICATION_STATUSES)[number];

/** Channels an applicant applies through themselves (the window channel is the clerks'). */
export const SELF_SERVICE_CHANNELS = ['online', 'mobile', 'kiosk'] as const;
export type Channel = 'online' | 'window' | 'mobile' | 'kiosk';

export const MATERIAL_SOURCES = ['upload', 'drive', 'registry', 'licence'] as const;
export type MaterialSource = (typeof MATERIAL_SOURCES)[number];

/** Base registries that fill government materials (免提交). */
export const REGISTRIES = ['population', 'legal_entity'] as const;
export type Registry = (typeof REGISTRIES)[number];

export const Uuid = Type.String({ format: 'uuid' });
const Time = Type.String({ format: 'date-time' });
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const AnyObject = Type.Record(Type.String(), Type.Unknown());

export const RegionCode = Type.String({
  pattern: '^\\d{12}$',
  description: '12-digit GB/T 2260 code of the region the applicant applies in',
});

export const StartApplication = Type.Object(
  {
    itemCode: Type.Optional(
      Type.String({ minLength: 1, maxLength: 100, description: '基本编码 of the item (with regionCode)' }),
    ),
    entryId: Type.Optional(
      Type.Integer({ minimum: 1, description: 'An implementation entry (catalog_entry id)' }),
    ),
    entryCode: Type.Optional(
      Type.String({ minLength: 1, maxLength: 100, description: '实施编码 of an implementation entry' }),
    ),
    bundleId: Type.Optional(
      Type.Integer({ minimum: 1, description: 'A 一件事 bundle by id (with regionCode)' }),
    ),
    bundleCode: Type.Optional(
      Type.String({ minLength: 1, maxLength: 100, description: 'A 一件事 bundle by code (with regionCode)' }),
    ),
    regionCode: Type.Optional(RegionCode),
    channel: Type.Optional(
      Type.Enum([...SELF_SERVICE_CHANNELS], {
        default: 'online',
        description: 'online (PC), mobile (H5), kiosk',
      }),
    ),
  },
  {
    additionalProperties: false,
    description:
      'Exactly one of: itemCode with regionCode, entryId, entryCode, bundleId or bundleCode with regionCode.',
  },
);
export type StartApplication = Static<typeof StartApplication>;

export const SaveDraft = Type.Object(
  {
    version: Type.Integer({ minimum: 1, description: 'The version the edit is based on' }),
    parts: Type.Array(
      Type.Object(
        {
          part: Type.Integer({ minimum: 1, maximum: 50 }),
          formData: Type.Record(Type.String(), Type.Unknown(), {
            description: 'The whole form of the part as filled so far; replaces what was saved',
          }),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 50 },
    ),
  },
  { additionalProperties: false },
);
export type SaveDraft = Static<typeof SaveDraft>;

export const Submit = Type.Object(
  { version: Type.Integer({ minimum: 1, description: 'The version the applicant reviewed' }) },
  { additionalProperties: false },
);

export const Reuse = Type.Object(
  { uploadId: Type.String({ format: 'uuid', description: 'A file of the applicant’s cloud drive' }) },
  { additionalProperties: false },
);

export const FileView = Type.Object({
  uploadId: Type.String(),
  filename: Type.String(),
  mediaType: Type.String(),
  size: Type.Integer(),
  sha256: Type.String(),
});

export const RecordView = Type.Object({
  registry: Type.String({
    description: 'population, legal_entity, or licence (a licence the applicant holds)',
  }),
  key: Type.String({ description: 'The record’s key (an ID number is masked; a licence’s identifier)' }),
  data: AnyObject,
  fetchedAt: Type.String(),
  authorisationId: Type.Optional(
    Type.String({ description: 'A held licence: the authorisation the implementing body read it through' }),
  ),
});

export const ProvidedView = Type.Object({
  source: Type.Enum([...MATERIAL_SOURCES]),
  addedAt: Time,
  file: Nullable(FileView),
  record: Nullable(RecordView),
});

export const ChecklistEntry = Type.Object({
  name: Type.String(),
  source: Type.Enum(['applicant', 'government'], {
    description: 'applicant: 自备; government: 政府部门核发 (可共享)',
  }),
  required: Type.Boolean(),
  tolerated: Type.Boolean({ description: '容缺: may be missing at submission, supplied later' }),
  items: Type.Array(Type.String(), { description: 'Codes of the items that need it (shared in a bundle)' }),
  status: Type.Enum(['provided', 'to_be_supplied']),
  exempt: Type.Boolean({ description: '免提交: filled from what the platform holds' }),
  registry: Nullable(Type.Enum([...REGISTRIES], { description: 'The registry that can fill it' })),
  note: Nullable(Type.String()),
  noteEn: Nullable(Type.String()),
  provided: Nullable(ProvidedView),
});
export type ChecklistEntry = Static<typeof ChecklistEntry>;

export const PartView = Type.Object({
  part: Type.Integer(),
  item: Type.Object({ code: Type.String(), name: Type.String(), versionId: Type.Integer() }),
  entry: Type.Object({ id: Type.Integer(), code: Type.String() }),
  organisation: Type.Object({ id: Type.Integer(), name: Type.String() }),
  formData: AnyObject,
  formSchema: AnyObject,
});

const EnterpriseRef = Type.Object({ id: Type.String(), uscc: Type.String(), name: Type.String() });

export const ApplicationView = Type.Object({
  id: Type.String(),
  number: Nullable(Type.String()),
  status: Type.Enum([...APPLICATION_STATUSES]),
  version: Type.Integer(),
  title: Type.String(),
  applicantKind: Type.Enum(['person', 'enterprise']),
  enterprise: Nullable(EnterpriseRef),
  bundle: Nullable(Type.Object({ id: Type.Integer(), code: Type.String() })),
  regionCode: Type.String(),
  channel: Type.String(),
  parts: Type.Array(PartView),
  materials: Type.Array(ChecklistEntry),
  createdAt: Time,
  updatedAt: Time,
  submittedAt: Nullable(Time),
  completedAt: Nullable(Time),
});
export type ApplicationView = Static<typeof ApplicationView>;

export const ApplicationSummary = Type.Object({
  id: Type.String(),
  number: Nullable(Type.String()),
  status: Type.Enum([...APPLICATION_STATUSES]),
  title: Type.String(),
  applicantKind: Type.Enum(['person', 'enterprise']),
  enterprise: Nullable(EnterpriseRef),
  bundleCode: Nullable(Type.String()),
  parts: Type.Array(Type.Object({ part: Type.Integer(), itemCode: Type.String(), itemName: Type.String() })),
  createdAt: Time,
  updatedAt: Time,
  submittedAt: Nullable(Time),
});
export type ApplicationSummary = Static<typeof ApplicationSummary>;

export const PRECHECKS = ['name_matches_id', 'enterprise_active'] as const;
export type PrecheckName = (typeof PRECHECKS)[number];

export const PrecheckResult = Type.Object({
  check: Type.Enum([...PRECHECKS], {
    description: 'name_matches_id: 名字与身份证号一致; enterprise_active: 企业登记状态为存续/在业',
  }),
  ok: Type.Boolean(),
  message: Type.String(),
  messageEn: Type.String(),
});
export type PrecheckResult = Static<typeof PrecheckResult>;

export const SubmitResult = Type.Object({
  id: Type.String(),
  number: Type.String({ description: '统一申办编号' }),
  status: Type.Enum([...APPLICATION_STATUSES]),
  cases: Type.Array(
    Type.Object({
      caseId: Type.String(),
      number: Type.String(),
      part: Type.Integer(),
      status: Type.String(),
    }),
  ),
  toleratedMissing: Type.Array(Type.String(), {
    description: '容缺: tolerated materials submitted without, to be supplied later',
  }),
});
export type SubmitResult = Static<typeof SubmitResult>;

export const DriveFile = Type.Object({
  id: Type.String(),
  filename: Type.String(),
  mediaType: Type.String(),
  size: Type.Integer(),
  sha256: Type.String(),
  uploadedAt: Time,
});
export type DriveFile = Static<typeof DriveFile>;
