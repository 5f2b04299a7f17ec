import { Type, type Static } from 'typebox';

/**
 * The catalog's vocabulary (DOMAIN.md §2) and its contracts: one TypeBox schema per
 * shape, used for request validation, the OpenAPI document and the TypeScript types.
 */

export const ITEM_TYPES = {
  '01': '行政许可',
  '02': '行政处罚',
  '03': '行政强制',
  '04': '行政征收',
  '05': '行政给付',
  '06': '行政检查',
  '07': '行政确认',
  '08': '行政奖励',
  '09': '行政裁决',
  '10': '其他行政权力',
  '20': '公共服务',
} as const;
export type TypeCode = keyof typeof ITEM_TYPES;
export const TYPE_CODES = Object.keys(ITEM_TYPES) as TypeCode[];

export const SUB_SITUATIONS = ['新设', '变更', '延续', '注销', '补办', '换领'] as const;
export const AUDIENCES = { natural_person: '自然人', legal_person: '法人' } as const;
export type Audience = keyof typeof AUDIENCES;
export const HANDLING_TYPES = { immediate: '即办件', promised: '承诺件' } as const;
export type HandlingType = keyof typeof HANDLING_TYPES;
export const ONLINE_DEPTHS = ['I', 'II', 'III', 'IV'] as const;
export const MATERIAL_SOURCES = { applicant: '自备', government: '可共享' } as const;
export const MATERIAL_FORMS = { paper: '纸质', electronic: '电子', either: '纸质或电子' } as const;

/** Life events of persons and stages of enterprises that items and bundles are grouped by. */
export const LIFE_EVENTS = {
  natural_person: ['出生', '入学', '就业', '婚育', '住房', '出行', '就医', '养老', '身后', '其他'],
  legal_person: ['开办', '准营', '经营', '变更', '投资建设', '注销'],
} as const;
export const ALL_LIFE_EVENTS: readonly string[] = [
  ...LIFE_EVENTS.natural_person,
  ...LIFE_EVENTS.legal_person,
];

const Text = (max: number, options: object = {}) => Type.String({ minLength: 1, maxLength: max, ...options });

export const Material = Type.Object(
  {
    name: Text(200, { description: '材料名称' }),
    source: Type.Enum(Object.keys(MATERIAL_SOURCES), {
      description: 'applicant: 申请人自备; government: 政府部门核发，可共享免提交',
    }),
    form: Type.Enum(Object.keys(MATERIAL_FORMS), { default: 'either' }),
    copies: Type.Integer({ minimum: 0, maximum: 99, default: 1 }),
    required: Type.Boolean({ default: true }),
    tolerated: Type.Boolean({
      default: false,
      description: '容缺: may be accepted with a promise to supply later',
    }),
    note: Type.Optional(Type.String({ maxLength: 500 })),
    sample: Type.Optional(
      Type.String({ maxLength: 500, description: '样表: URL or file reference of a filled-in sample' }),
    ),
    blankForm: Type.Optional(
      Type.String({ maxLength: 500, description: '空白表格: URL or file reference of the blank form' }),
    ),
  },
  { additionalProperties: false },
);
export type Material = Static<typeof Material>;

export const Fee = Type.Object(
  {
    charged: Type.Boolean(),
    standard: Type.Optional(Type.String({ maxLength: 500 })),
    basis: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);
export type Fee = Static<typeof Fee>;

export const Step = Type.Object(
  {
    name: Text(100),
    code: Type.Optional(Type.String({ maxLength: 20 })),
    limitDays: Type.Optional(Type.Integer({ minimum: 0, maximum: 3650 })),
  },
  { additionalProperties: false },
);
export type Step = Static<typeof Step>;

export const LegalBasis = Type.Object(
  { title: Text(500), level: Type.Optional(Type.String({ maxLength: 50 })) },
  { additionalProperties: false },
);

/** JSON Schema of an application form; properties may carry x-ui hints (widget, order, help). */
export const FormSchema = Type.Object(
  { type: Type.Literal('object'), properties: Type.Record(Type.String(), Type.Any()) },
  { additionalProperties: true, description: 'JSON Schema (draft 2020-12 subset) with x-ui hints' },
);
export type FormSchema = Static<typeof FormSchema> & { required?: string[]; [k: string]: unknown };

/** The elements a basic item's version carries (DOMAIN.md §2). */
export const ItemElements = Type.Object(
  {
    name: Type.String({ minLength: 2, maxLength: 100, description: '事项名称' }),
    subSituation: Type.Union([Type.Enum([...SUB_SITUATIONS]), Type.Null()], { default: null }),
    typeCode: Type.Enum(TYPE_CODES, { description: '事项类型' }),
    department: Text(100, { description: '责任部门名称, e.g. 民政局' }),
    legalBasis: Type.Array(LegalBasis, { maxItems: 50 }),
    audience: Type.Array(Type.Enum(Object.keys(AUDIENCES)), { minItems: 1, maxItems: 2, uniqueItems: true }),
    handlingType: Type.Enum(Object.keys(HANDLING_TYPES)),
    legalLimitDays: Type.Integer({ minimum: 0, maximum: 3650 }),
    promisedLimitDays: Type.Integer({ minimum: 0, maximum: 3650 }),
    visits: Type.Integer({ minimum: 0, maximum: 9 }),
    onlineDepth: Type.Enum([...ONLINE_DEPTHS]),
    fee: Fee,
    materials: Type.Array(Material, { maxItems: 100 }),
    process: Type.Array(Step, { maxItems: 50, default: [] }),
    specialProcedures: Type.Array(Step, { maxItems: 20, default: [] }),
    resultLicence: Type.Union([Type.String({ maxLength: 100 }), Type.Null()], { default: null }),
    lifeEvents: Type.Array(Type.String({ maxLength: 20 }), { maxItems: 10, default: [] }),
    keywords: Type.Array(Type.String({ minLength: 1, maxLength: 30 }), { maxItems: 50, default: [] }),
    formSchema: Type.Optional(FormSchema),
    workflow: Type.Optional(
      Type.Union([Type.Object({}, { additionalProperties: true }), Type.Null()], {
        description:
          'Process definition for case handling (stages with role and department, parallel branches with a join rule, limits in working days); null = derived from the limits',
      }),
    ),
  },
  { additionalProperties: false },
);
export type ItemElements = Omit<
  Static<typeof ItemElements>,
  'audience' | 'handlingType' | 'typeCode' | 'materials'
> & {
  typeCode: TypeCode;
  audience: Audience[];
  handlingType: HandlingType;
  materials: Material[];
};

/** Elements an implementation entry may set locally; an omitted one is as in the basic item. */
export const EntryElements = Type.Object(
  {
    promisedLimitDays: Type.Optional(Type.Integer({ minimum: 0, maximum: 3650 })),
    visits: Type.Optional(Type.Integer({ minimum: 0, maximum: 9 })),
    onlineDepth: Type.Optional(Type.Enum([...ONLINE_DEPTHS])),
    handlingType: Type.Optional(Type.Enum(Object.keys(HANDLING_TYPES))),
    fee: Type.Optional(Fee),
    materials: Type.Optional(Type.Array(Material, { maxItems: 100 })),
    process: Type.Optional(Type.Array(Step, { maxItems: 50 })),
    address: Type.Optional(Type.String({ maxLength: 200 })),
    phone: Type.Optional(Type.String({ maxLength: 50 })),
    officeHours: Type.Optional(Type.String({ maxLength: 200 })),
  },
  {
    additionalProperties: true,
    description:
      'Local elements of an entry; an omitted element is as in the basic item. Inherited elements are refused.',
  },
);
export type EntryElements = Static<typeof EntryElements>;
/** Elements an entry inherits and may never set (三级四同). */
export const INHERITED_ELEMENTS: readonly string[] = [
  'name',
  'code',
  'typeCode',
  'legalBasis',
  'subSituation',
  'department',
];

export const VERSION_STATUSES = ['draft', 'in_review', 'published', 'superseded', 'retired'] as const;
export type VersionStatus = (typeof VERSION_STATUSES)[number];
export type VersionAction = 'submit' | 'reject' | 'publish' | 'retire';

/**
 * The lifecycle as data: for each status, the actions allowed and where they lead.
 * `supersede` is not an action anyone takes: publishing version n+1 moves n there.
 */
export const VERSION_LIFECYCLE = {
  draft: { submit: 'in_review' },
  in_review: { publish: 'published', reject: 'draft' },
  published: { retire: 'retired' },
  superseded: {},
  retired: {},
} as const satisfies Record<VersionStatus, Partial<Record<VersionAction, VersionStatus>>>;

export function nextStatus(status: VersionStatus, action: VersionAction): VersionStatus | undefined {
  return (VERSION_LIFECYCLE[status] as Partial<Record<VersionAction, VersionStatus>>)[action];
}

export function allowedActions(status: VersionStatus): VersionAction[] {
  return Object.keys(VERSION_LIFECYCLE[status]) as VersionAction[];
}
