import type { Queryable } from '../../kernel/db.ts';
import type { EntryElements, FormSchema, ItemElements, VersionStatus } from './model.ts';

/** A version of a basic item as the service sees it (rows are parsed here and only here). */
export interface ItemVersion extends ItemElements {
  id: number;
  itemId: number;
  code: string;
  version: number;
  status: VersionStatus;
  formSchema: FormSchema;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  publishedAt: string | null;
  publishedBy: string | null;
}

export interface EntryVersion extends EntryElements {
  id: number;
  entryId: number;
  version: number;
  status: VersionStatus;
  createdBy: string;
  createdAt: string;
  publishedAt: string | null;
}

export interface Entry {
  id: number;
  code: string;
  itemId: number;
  basicCode: string;
  organisation: { id: number; name: string; uscc: string };
  region: { code: string; name: string };
}

const iso = (value: unknown): string | null =>
  value instanceof Date ? value.toISOString() : (value as string | null);

export const ITEM_VERSION_COLUMNS = `v.id, v.item_id, i.code, v.version, v.status, v.name, v.sub_situation, v.type_code,
  v.department, v.legal_basis, v.audience, v.handling_type, v.legal_limit_days, v.promised_limit_days, v.visits,
  v.online_depth, v.fee, v.materials, v.process, v.special_procedures, v.result_licence, v.life_events, v.keywords,
  v.form_schema, v.workflow, v.created_by, v.created_at, v.updated_at, v.published_at, v.published_by`;

type Row = Record<string, unknown>;

export function toItemVersion(r: Row): ItemVersion {
  return {
    id: r.id as number,
    itemId: r.item_id as number,
    code: r.code as string,
    version: r.version as number,
    status: r.status as VersionStatus,
    name: r.name as string,
    subSituation: r.sub_situation as ItemVersion['subSituation'],
    typeCode: r.type_code as ItemVersion['typeCode'],
    department: r.department as string,
    legalBasis: r.legal_basis as ItemVersion['legalBasis'],
    audience: r.audience as ItemVersion['audience'],
    handlingType: r.handling_type as ItemVersion['handlingType'],
    legalLimitDays: r.legal_limit_days as number,
    promisedLimitDays: r.promised_limit_days as number,
    visits: r.visits as number,
    onlineDepth: r.online_depth as ItemVersion['onlineDepth'],
    fee: r.fee as ItemVersion['fee'],
    materials: r.materials as ItemVersion['materials'],
    process: r.process as ItemVersion['process'],
    specialProcedures: r.special_procedures as ItemVersion['specialProcedures'],
    resultLicence: r.result_licence as string | null,
    lifeEvents: r.life_events as string[],
    keywords: r.keywords as string[],
    formSchema: r.form_schema as FormSchema,
    workflow: (r.workflow ?? null) as Record<string, unknown> | null,
    createdBy: r.created_by as string,
    createdAt: iso(r.created_at)!,
    updatedAt: iso(r.updated_at)!,
    publishedAt: iso(r.published_at),
    publishedBy: r.published_by as string | null,
  };
}

/** Parameters of an insert/update of a version's elements, in ITEM_ELEMENT_COLUMNS order. */
export const ITEM_ELEMENT_COLUMNS = [
  'name',
  'sub_situation',
  'type_code',
  'department',
  'legal_basis',
  'audience',
  'handling_type',
  'legal_limit_days',
  'promised_limit_days',
  'visits',
  'online_depth',
  'fee',
  'materials',
  'process',
  'special_procedures',
  'result_licence',
  'life_events',
  'keywords',
  'form_schema',
  'workflow',
] as const;

export function itemElementParams(e: ItemElements & { formSchema: FormSchema }): unknown[] {
  return [
    e.name,
    e.subSituation,
    e.typeCode,
    e.department,
    JSON.stringify(e.legalBasis),
    e.audience,
    e.handlingType,
    e.legalLimitDays,
    e.promisedLimitDays,
    e.visits,
    e.onlineDepth,
    JSON.stringify(e.fee),
    JSON.stringify(e.materials),
    JSON.stringify(e.process),
    JSON.stringify(e.specialProcedures),
    e.resultLicence,
    e.lifeEvents,
    e.keywords,
    JSON.stringify(e.formSchema),
    e.workflow ? JSON.stringify(e.workflow) : null,
  ];
}

export async function findItem(
  db: Queryable,
  code: string,
): Promise<{ id: number; code: string } | undefined> {
  const [row] = await db.query<{ id: number; code: string }>(
    'select id, code from catalog_item where code = $1',
    [code],
  );
  return row;
}

/** The version of an item in a given status class: 'published', 'open' (draft or in review), or a number. */
export async function findItemVersion(
  db: Queryable,
  itemId: number,
  which: 'published' | 'open' | 'latest' | number,
  lock = false,
): Promise<ItemVersion | undefined> {
  const where =
    which === 'published'
      ? `v.status = 'published'`
      : which === 'open'
        ? `v.status in ('draft', 'in_review')`
        : which === 'latest'
          ? 'true'
          : 'v.version = $2';
  const rows = await db.query<Row>(
    `select ${ITEM_VERSION_COLUMNS} from catalog_item_version v join catalog_item i on i.id = v.item_id
      where v.item_id = $1 and ${where} order by v.version desc limit 1 ${lock ? 'for update of v' : ''}`,
    typeof which === 'number' ? [itemId, which] : [itemId],
  );
  return rows[0] ? toItemVersion(rows[0]) : undefined;
}

export async function listItemVersions(db: Queryable, itemId: number): Promise<ItemVersion[]> {
  const rows = await db.query<Row>(
    `select ${ITEM_VERSION_COLUMNS} from catalog_item_version v join catalog_item i on i.id = v.item_id
      where v.item_id = $1 order by v.version`,
    [itemId],
  );
  return rows.map(toItemVersion);
}

export async function listPublishedItemVersions(db: Queryable): Promise<ItemVersion[]> {
  const rows = await db.query<Row>(
    `select ${ITEM_VERSION_COLUMNS} from catalog_item_version v join catalog_item i on i.id = v.item_id
      where v.status = 'published' order by i.code`,
  );
  return rows.map(toItemVersion);
}

export const ENTRY_VERSION_COLUMNS = `ev.id, ev.entry_id, ev.version, ev.status, ev.promised_limit_days, ev.visits,
  ev.online_depth, ev.handling_type, ev.fee, ev.materials, ev.process, ev.address, ev.phone, ev.office_hours,
  ev.created_by, ev.created_at, ev.published_at`;

/** An entry version; local elements left null in the row (inherited) are omitted. */
export function toEntryVersion(r: Row): EntryVersion {
  const local = {
    promisedLimitDays: r.promised_limit_days,
    visits: r.visits,
    onlineDepth: r.online_depth,
    handlingType: r.handling_type,
    fee: r.fee,
    materials: r.materials,
    process: r.process,
    address: r.address,
    phone: r.phone,
    officeHours: r.office_hours,
  };
  return {
    id: r.id as number,
    entryId: r.entry_id as number,
    version: r.version as number,
    status: r.status as VersionStatus,
    ...(Object.fromEntries(Object.entries(local).filter(([, v]) => v !== null)) as EntryElements),
    createdBy: r.created_by as string,
    createdAt: iso(r.created_at)!,
    publishedAt: iso(r.published_at),
  };
}

export const ENTRY_ELEMENT_COLUMNS = [
  'promised_limit_days',
  'visits',
  'online_depth',
  'handling_type',
  'fee',
  'materials',
  'process',
  'address',
  'phone',
  'office_hours',
] as const;

export function entryElementParams(e: EntryElements): unknown[] {
  const json = (v: unknown) => (v === undefined || v === null ? null : JSON.stringify(v));
  return [
    e.promisedLimitDays ?? null,
    e.visits ?? null,
    e.onlineDepth ?? null,
    e.handlingType ?? null,
    json(e.fee),
    json(e.materials),
    json(e.process),
    e.address ?? null,
    e.phone ?? null,
    e.officeHours ?? null,
  ];
}

export async function findEntry(db: Queryable, code: string): Promise<Entry | undefined> {
  const [r] = await db.query<Row>(
    `select e.id, e.code, e.item_id, i.code as basic_code, e.organisation_id, e.organisation_name,
            e.organisation_uscc, e.region_code, e.region_name
       from catalog_entry e join catalog_item i on i.id = e.item_id where e.code = $1`,
    [code],
  );
  if (!r) return undefined;
  return {
    id: r.id as number,
    code: r.code as string,
    itemId: r.item_id as number,
    basicCode: r.basic_code as string,
    organisation: {
      id: r.organisation_id as number,
      name: r.organisation_name as string,
      uscc: r.organisation_uscc as string,
    },
    region: { code: r.region_code as string, name: r.region_name as string },
  };
}

export async function findEntryVersion(
  db: Queryable,
  entryId: number,
  which: 'published' | 'open' | 'latest',
  lock = false,
): Promise<EntryVersion | undefined> {
  const where =
    which === 'published'
      ? `ev.status = 'published'`
      : which === 'open'
        ? `ev.status in ('draft', 'in_review')`
        : 'true';
  const rows = await db.query<Row>(
    `select ${ENTRY_VERSION_COLUMNS} from catalog_entry_version ev
      where ev.entry_id = $1 and ${where} order by ev.version desc limit 1 ${lock ? 'for update' : ''}`,
    [entryId],
  );
  return rows[0] ? toEntryVersion(rows[0]) : undefined;
}
