import type { Queryable } from '../../kernel/db.ts';
import { ITEM_TYPES, type TypeCode, type VersionStatus } from './model.ts';

/** The catalog administrators' read side: every item, whatever the status of its versions. */

export interface ManagedFilters {
  /** Part of the name, or the start of the basic code. */
  q?: string | undefined;
  /** Items with a version in this status. */
  status?: VersionStatus | undefined;
  department?: string | undefined;
  type?: string | undefined;
  page: number;
  size: number;
}

export interface ManagedItem {
  code: string;
  name: string;
  subSituation: string | null;
  type: { code: string; name: string };
  department: string;
  /** The newest version, whatever its status. */
  version: number;
  status: VersionStatus;
  publishedVersion: number | null;
  updatedAt: string;
}

const likePattern = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * Every basic item with its newest version, for the catalog administrators' list: drafts,
 * items in review and retired ones too (the public list shows published items only).
 */
export async function listManagedItems(
  db: Queryable,
  f: ManagedFilters,
): Promise<{ items: ManagedItem[]; total: number; departments: string[] }> {
  const params: unknown[] = [];
  const where: string[] = [];
  const add = (sql: string, ...values: unknown[]) => {
    const from = params.length;
    params.push(...values);
    where.push(sql.replace(/\$(\d)/g, (_, n: string) => `$${from + Number(n)}`));
  };
  if (f.q) add(`(v.name ilike '%' || $1 || '%' or i.code like $1 || '%')`, likePattern(f.q.trim()));
  if (f.status)
    add('exists (select 1 from catalog_item_version s where s.item_id = i.id and s.status = $1)', f.status);
  if (f.department) add('v.department = $1', f.department);
  if (f.type) add('v.type_code = $1', f.type);
  const rows = await db.query<Record<string, unknown>>(
    `select i.code, v.name, v.sub_situation, v.type_code, v.department, v.version, v.status, v.updated_at,
            (select p.version from catalog_item_version p where p.item_id = i.id and p.status = 'published') as published_version,
            count(*) over () as total
       from catalog_item i
       join lateral (select lv.name, lv.sub_situation, lv.type_code, lv.department, lv.version, lv.status, lv.updated_at
                       from catalog_item_version lv where lv.item_id = i.id order by lv.version desc limit 1) v on true
      ${where.length ? `where ${where.join(' and ')}` : ''}
      order by v.updated_at desc, i.code limit $${params.length + 1} offset $${params.length + 2}`,
    [...params, f.size, (f.page - 1) * f.size],
  );
  const departments = await db.query<{ department: string }>(
    'select distinct department from catalog_item_version order by department',
  );
  return {
    total: rows[0] ? Number(rows[0].total) : 0,
    departments: departments.map((d) => d.department),
    items: rows.map((r) => ({
      code: r.code as string,
      name: r.name as string,
      subSituation: r.sub_situation as string | null,
      type: { code: r.type_code as string, name: ITEM_TYPES[r.type_code as TypeCode] },
      department: r.department as string,
      version: r.version as number,
      status: r.status as VersionStatus,
      publishedVersion: (r.published_version as number | null) ?? null,
      updatedAt: r.updated_at instanceof Date ? r.updated_at.toISOString() : (r.updated_at as string),
    })),
  };
}
