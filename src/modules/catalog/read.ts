import type { Queryable } from '../../kernel/db.ts';
import { notFound } from '../../kernel/errors.ts';
import { isImplementationCode } from './codes.ts';
import { ITEM_TYPES, type TypeCode } from './model.ts';
import { ITEM_VERSION_COLUMNS, toItemVersion, type ItemVersion } from './queries.ts';

/** The catalog's read side: what the portal and other modules see of published items. */

export interface ItemDetail extends Omit<
  ItemVersion,
  'id' | 'itemId' | 'createdBy' | 'createdAt' | 'updatedAt' | 'publishedBy'
> {
  basicCode: string;
  parentCode: string | null;
  childCodes: string[];
  type: { code: string; name: string };
  implementingBody: { id: number; name: string; uscc: string } | null;
  region: { code: string; name: string } | null;
  entryVersion: number | null;
  address: string | null;
  phone: string | null;
  officeHours: string | null;
}

/** 主项 -> 子项 -> 业务办理项: the item's parent and children, by basic code. */
const HIERARCHY_COLUMNS = `(select p.code from catalog_item p where p.id = i.parent_id) as parent_code,
    array(select c.code from catalog_item c where c.parent_id = i.id order by c.code) as child_codes`;

export const ENTRY_DETAIL_SQL = `select ${ITEM_VERSION_COLUMNS}, ${HIERARCHY_COLUMNS}, e.code as entry_code, e.organisation_id, e.organisation_name,
    e.organisation_uscc, e.region_code, e.region_name, ev.version as entry_version,
    ev.promised_limit_days as local_promised_limit_days, ev.visits as local_visits, ev.online_depth as local_online_depth,
    ev.handling_type as local_handling_type, ev.fee as local_fee, ev.materials as local_materials,
    ev.process as local_process, ev.address, ev.phone, ev.office_hours, ev.published_at as entry_published_at
  from catalog_entry e
  join catalog_entry_version ev on ev.entry_id = e.id and ev.status = 'published'
  join catalog_item i on i.id = e.item_id
  join catalog_item_version v on v.item_id = i.id and v.status = 'published'
  where e.code = $1`;

export const ITEM_DETAIL_SQL = `select ${ITEM_VERSION_COLUMNS}, ${HIERARCHY_COLUMNS} from catalog_item i
  join catalog_item_version v on v.item_id = i.id and v.status = 'published' where i.code = $1`;

/** The published guide of a basic item or an implementation entry, by either code. */
export async function itemDetail(db: Queryable, code: string): Promise<ItemDetail> {
  const entry = isImplementationCode(code);
  const [row] = await db.query<Record<string, unknown>>(entry ? ENTRY_DETAIL_SQL : ITEM_DETAIL_SQL, [code]);
  if (!row) throw notFound(`No published service item with code ${code}`);
  const v = toItemVersion(row);
  const local = <T>(column: string, inherited: T): T => (row[column] ?? inherited) as T;
  return {
    code: entry ? (row.entry_code as string) : v.code,
    basicCode: v.code,
    parentCode: row.parent_code as string | null,
    childCodes: row.child_codes as string[],
    version: v.version,
    entryVersion: entry ? (row.entry_version as number) : null,
    status: v.status,
    name: v.name,
    subSituation: v.subSituation,
    typeCode: v.typeCode,
    type: { code: v.typeCode, name: ITEM_TYPES[v.typeCode] },
    department: v.department,
    implementingBody: entry
      ? {
          id: row.organisation_id as number,
          name: row.organisation_name as string,
          uscc: row.organisation_uscc as string,
        }
      : null,
    region: entry ? { code: row.region_code as string, name: row.region_name as string } : null,
    legalBasis: v.legalBasis,
    audience: v.audience,
    handlingType: local('local_handling_type', v.handlingType),
    legalLimitDays: v.legalLimitDays,
    promisedLimitDays: local('local_promised_limit_days', v.promisedLimitDays),
    visits: local('local_visits', v.visits),
    onlineDepth: local('local_online_depth', v.onlineDepth),
    fee: local('local_fee', v.fee),
    materials: local('local_materials', v.materials),
    process: local('local_process', v.process),
    specialProcedures: v.specialProcedures,
    resultLicence: v.resultLicence,
    lifeEvents: v.lifeEvents,
    keywords: v.keywords,
    address: (row.address as string | null) ?? null,
    phone: (row.phone as string | null) ?? null,
    officeHours: (row.office_hours as string | null) ?? null,
    formSchema: v.formSchema,
    publishedAt: entry ? ((row.entry_published_at as Date | null)?.toISOString() ?? null) : v.publishedAt,
  };
}

/** One place that handles an item: an implementation entry with where and when to go. */
export interface ItemPlace {
  code: string;
  implementingBody: { id: number; name: string };
  region: { code: string; name: string };
  address: string | null;
  phone: string | null;
  officeHours: string | null;
}

/** Where to go for an item (办理地点): its published entries, by the item's basic or an entry's code. */
export async function itemPlaces(db: Queryable, code: string): Promise<ItemPlace[]> {
  const rows = await db.query<Record<string, unknown>>(
    `select e.code, e.organisation_id, e.organisation_name, e.region_code, e.region_name,
            ev.address, ev.phone, ev.office_hours
       from catalog_entry e
       join catalog_entry_version ev on ev.entry_id = e.id and ev.status = 'published'
       join catalog_item i on i.id = e.item_id
      where i.code = split_part($1, '-', 1)
      order by e.region_code, e.code`,
    [code],
  );
  return rows.map(toItemPlace);
}

/** A place from a row of catalog_entry joined with its published version (the columns above). */
export function toItemPlace(r: Record<string, unknown>): ItemPlace {
  return {
    code: r.code as string,
    implementingBody: { id: r.organisation_id as number, name: r.organisation_name as string },
    region: { code: r.region_code as string, name: r.region_name as string },
    address: (r.address as string | null) ?? null,
    phone: (r.phone as string | null) ?? null,
    officeHours: (r.office_hours as string | null) ?? null,
  };
}

export interface ListFilters {
  department?: string | undefined;
  /** Region codes the entries must be in (a region and its descendants); absent = basic items. */
  regionCodes?: string[] | undefined;
  organisationId?: number | undefined;
  type?: string | undefined;
  audience?: string | undefined;
  lifeEvent?: string | undefined;
  onlineDepth?: string | undefined;
  /** code (default) or popular: most used first, then by code. */
  sort?: 'code' | 'popular' | undefined;
  page: number;
  size: number;
}

export interface ItemSummary {
  code: string;
  basicCode: string;
  name: string;
  subSituation: string | null;
  type: { code: string; name: string };
  department: string;
  implementingBody: { id: number; name: string } | null;
  region: { code: string; name: string } | null;
  audience: string[];
  handlingType: string;
  promisedLimitDays: number;
  visits: number;
  onlineDepth: string;
  lifeEvents: string[];
}

/** Published items (or, with a region or body, their entries there), filtered in SQL and paginated. */
export async function listItems(
  db: Queryable,
  f: ListFilters,
): Promise<{ items: ItemSummary[]; total: number }> {
  const entries = f.regionCodes !== undefined || f.organisationId !== undefined;
  const params: unknown[] = [];
  const where: string[] = [];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    where.push(sql.replaceAll('?', `$${params.length}`));
  };
  if (f.department) add('v.department = ?', f.department);
  if (f.type) add('v.type_code = ?', f.type);
  if (f.audience) add('? = any(v.audience)', f.audience);
  if (f.lifeEvent) add('? = any(v.life_events)', f.lifeEvent);
  if (f.regionCodes) add('e.region_code = any(?::text[])', f.regionCodes);
  if (f.organisationId !== undefined) add('e.organisation_id = ?', f.organisationId);
  if (f.onlineDepth)
    add(entries ? 'coalesce(ev.online_depth, v.online_depth) = ?' : 'v.online_depth = ?', f.onlineDepth);
  const filter = where.length ? `where ${where.join(' and ')}` : '';
  const popularFirst = f.sort === 'popular' ? 'i.popularity desc, ' : '';
  const sql = entries
    ? `select e.code, i.code as basic_code, v.name, v.sub_situation, v.type_code, v.department, e.organisation_id,
          e.organisation_name, e.region_code, e.region_name, v.audience,
          coalesce(ev.handling_type, v.handling_type) as handling_type,
          coalesce(ev.promised_limit_days, v.promised_limit_days) as promised_limit_days,
          coalesce(ev.visits, v.visits) as visits, coalesce(ev.online_depth, v.online_depth) as online_depth,
          v.life_events, count(*) over () as total
        from catalog_entry e
        join catalog_entry_version ev on ev.entry_id = e.id and ev.status = 'published'
        join catalog_item i on i.id = e.item_id
        join catalog_item_version v on v.item_id = i.id and v.status = 'published'
        ${filter} order by ${popularFirst}i.code, e.region_code, e.code`
    : `select i.code, i.code as basic_code, v.name, v.sub_situation, v.type_code, v.department, null as organisation_id,
          null as organisation_name, null as region_code, null as region_name, v.audience, v.handling_type,
          v.promised_limit_days, v.visits, v.online_depth, v.life_events, count(*) over () as total
        from catalog_item i join catalog_item_version v on v.item_id = i.id and v.status = 'published'
        ${filter} order by ${popularFirst}i.code`;
  const page = `${sql} limit $${params.length + 1} offset $${params.length + 2}`;
  const rows = await db.query<Record<string, unknown>>(page, [...params, f.size, (f.page - 1) * f.size]);
  // A page past the end has no row to carry the window count.
  const total = rows[0]
    ? Number(rows[0].total)
    : f.page > 1
      ? ((await db.query<{ n: number }>(`select count(*)::int as n from (${sql}) q`, params))[0]?.n ?? 0)
      : 0;
  return {
    total,
    items: rows.map((r) => ({
      code: r.code as string,
      basicCode: r.basic_code as string,
      name: r.name as string,
      subSituation: r.sub_situation as string | null,
      type: { code: r.type_code as string, name: ITEM_TYPES[r.type_code as TypeCode] },
      department: r.department as string,
      implementingBody: r.organisation_id
        ? { id: r.organisation_id as number, name: r.organisation_name as string }
        : null,
      region: r.region_code ? { code: r.region_code as string, name: r.region_name as string } : null,
      audience: r.audience as string[],
      handlingType: r.handling_type as string,
      promisedLimitDays: r.promised_limit_days as number,
      visits: r.visits as number,
      onlineDepth: r.online_depth as string,
      lifeEvents: r.life_events as string[],
    })),
  };
}

/** What the cases module copies from the catalog when it files a case. */
export interface CaseSource {
  itemId: number;
  itemCode: string;
  itemVersionId: number;
  itemName: string;
  versionStatus: string;
  department: string;
  legalLimitDays: number;
  /** The entry's local promised limit when it sets one, else the item's. */
  promisedLimitDays: number;
  handlingType: 'immediate' | 'promised';
  resultLicence: string | null;
  workflow: Record<string, unknown> | null;
  entry: { id: number; code: string; organisationId: number; organisationName: string; regionCode: string };
}

/** An item version with the implementation entry that handles it; 404 when they do not belong together. */
export async function caseSource(db: Queryable, itemVersionId: number, entryId: number): Promise<CaseSource> {
  const [row] = await db.query<Record<string, unknown>>(
    `select v.id, v.item_id, i.code, v.name, v.status, v.department, v.legal_limit_days,
            coalesce(ev.promised_limit_days, v.promised_limit_days) as promised_limit_days,
            coalesce(ev.handling_type, v.handling_type) as handling_type, v.result_licence, v.workflow,
            e.id as entry_id, e.code as entry_code, e.organisation_id, e.organisation_name, e.region_code
       from catalog_item_version v
       join catalog_item i on i.id = v.item_id
       join catalog_entry e on e.id = $2 and e.item_id = v.item_id
       left join catalog_entry_version ev on ev.entry_id = e.id and ev.status = 'published'
      where v.id = $1`,
    [itemVersionId, entryId],
    { prepare: true },
  );
  if (!row) throw notFound(`No item version ${itemVersionId} offered by entry ${entryId}`);
  return {
    itemId: row.item_id as number,
    itemCode: row.code as string,
    itemVersionId: row.id as number,
    itemName: row.name as string,
    versionStatus: row.status as string,
    department: row.department as string,
    legalLimitDays: row.legal_limit_days as number,
    promisedLimitDays: row.promised_limit_days as number,
    handlingType: row.handling_type as CaseSource['handlingType'],
    resultLicence: row.result_licence as string | null,
    workflow: (row.workflow ?? null) as Record<string, unknown> | null,
    entry: {
      id: row.entry_id as number,
      code: row.entry_code as string,
      organisationId: row.organisation_id as number,
      organisationName: row.organisation_name as string,
      regionCode: row.region_code as string,
    },
  };
}
