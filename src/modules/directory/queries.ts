import type { Queryable } from '../../kernel/db.ts';
import { escapeLike } from '../../kernel/sql.ts';

/** A region with its level's name; rows are parsed into this shape here and only here. */
export interface Region {
  code: string;
  name: string;
  fullName: string;
  level: number;
  levelName: string;
  parentCode: string | null;
}

export interface RegionDetail extends Region {
  /** From the top region down to the parent. */
  ancestors: Region[];
  childCount: number;
}

export interface Organisation {
  id: number;
  name: string;
  shortName: string;
  uscc: string;
  regionCode: string;
  kind: string;
  parentId: number | null;
  createdAt: string;
}

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  size: number;
}

export interface Paging {
  page: number;
  size: number;
}

type Row = Record<string, unknown>;

const REGION_COLUMNS = `r.code, r.name, r.full_name, r.level, l.name as level_name, r.parent_code`;
const REGION_FROM = `region r join region_level l on l.level = r.level`;

function toRegion(r: Row): Region {
  return {
    code: r.code as string,
    name: r.name as string,
    fullName: r.full_name as string,
    level: r.level as number,
    levelName: r.level_name as string,
    parentCode: r.parent_code as string | null,
  };
}

const ORGANISATION_COLUMNS = `o.id, o.name, o.short_name, o.uscc, o.region_code, o.kind, o.parent_id, o.created_at`;

function toOrganisation(r: Row): Organisation {
  return {
    id: r.id as number,
    name: r.name as string,
    shortName: r.short_name as string,
    uscc: r.uscc as string,
    regionCode: r.region_code as string,
    kind: r.kind as string,
    parentId: r.parent_id as number | null,
    createdAt: (r.created_at as Date).toISOString(),
  };
}

/** `%q%` for LIKE with the pattern characters of q taken literally. */
const containing = (q: string) => `%${escapeLike(q)}%`;

export async function findRegion(db: Queryable, code: string): Promise<Region | null> {
  const rows = await db.query(`select ${REGION_COLUMNS} from ${REGION_FROM} where r.code = $1`, [code]);
  return rows[0] ? toRegion(rows[0]) : null;
}

/** The region with its ancestors (top first) and its number of children. */
export async function findRegionDetail(db: Queryable, code: string): Promise<RegionDetail | null> {
  const rows = await db.query(
    `select ${REGION_COLUMNS}, (r.code = $1) as is_self,
            (select count(*) from region c where c.parent_code = $1) as child_count
       from ${REGION_FROM}
      where r.code = any ((select path from region where code = $1)::text[])
      order by array_length(r.path, 1)`,
    [code],
  );
  const self = rows.find((r) => r.is_self);
  if (!self) return null;
  return {
    ...toRegion(self),
    ancestors: rows.filter((r) => !r.is_self).map(toRegion),
    childCount: self.child_count as number,
  };
}

export interface RegionFilter {
  parent?: string | undefined;
  level?: number | undefined;
  /** Matches the name or the full name. */
  q?: string | undefined;
}

export async function selectRegions(
  db: Queryable,
  { parent, level, q }: RegionFilter,
  { page, size }: Paging,
): Promise<Page<Region>> {
  const where = `($1::text is null or r.parent_code = $1)
      and ($2::smallint is null or r.level = $2)
      and ($3::text is null or r.name like $3 or r.full_name like $3)`;
  const params = [parent ?? null, level ?? null, q ? containing(q) : null];
  const rows = await db.query(
    `select ${REGION_COLUMNS}, count(*) over () as total
       from ${REGION_FROM} where ${where}
      order by r.code
      limit $4 offset $5`,
    [...params, size, (page - 1) * size],
  );
  const total = await totalOf(rows, () =>
    count(db, `select count(*) as n from region r where ${where}`, params),
  );
  return { items: rows.map(toRegion), total, page, size };
}

/** The total from the window column, or counted separately when the page is past the end. */
async function totalOf(rows: Row[], countAll: () => Promise<number>): Promise<number> {
  return rows[0] ? (rows[0].total as number) : countAll();
}

async function count(db: Queryable, sql: string, params: unknown[]): Promise<number> {
  const [row] = await db.query<{ n: number }>(sql, params);
  return row!.n;
}

/** Codes of the region and every region below it. */
export async function selectDescendantCodes(db: Queryable, code: string): Promise<string[]> {
  const rows = await db.query<{ code: string }>(
    `select code from region where path @> array[$1::text] order by code`,
    [code],
  );
  return rows.map((r) => r.code);
}

/** Whether `code` is `ancestor` or lies below it. */
export async function regionIsWithin(db: Queryable, code: string, ancestor: string): Promise<boolean> {
  const rows = await db.query(`select 1 from region where code = $1 and $2 = any (path)`, [code, ancestor]);
  return rows.length > 0;
}

export async function selectRegionNames(db: Queryable): Promise<{ code: string; name: string }[]> {
  return db.query(`select code, name from region order by code`);
}

export async function levelExists(db: Queryable, level: number): Promise<boolean> {
  return (await db.query(`select 1 from region_level where level = $1`, [level])).length > 0;
}

export interface NewRegion {
  code: string;
  name: string;
  fullName: string;
  level: number;
  parentCode: string | null;
  path: string[];
}

/** Inserts the region below its parent (whose path it extends); false when the code is taken. */
export async function insertRegion(db: Queryable, region: Omit<NewRegion, 'path'>): Promise<boolean> {
  const rows = await db.query(
    `insert into region (code, name, full_name, level, parent_code, path)
     values ($1, $2, $3, $4, $5, coalesce((select path from region where code = $5), '{}') || $1::text)
     on conflict (code) do nothing
     returning code`,
    [region.code, region.name, region.fullName, region.level, region.parentCode],
  );
  return rows.length > 0;
}

/** Inserts many regions in one statement; existing codes are left as they are. Parents may be in the same batch. */
export async function insertRegions(db: Queryable, regions: NewRegion[]): Promise<void> {
  if (regions.length === 0) return;
  // Paths travel as '{a,b}' literals: unnest cannot take a two-dimensional array of ragged paths.
  await db.query(
    `insert into region (code, name, full_name, level, parent_code, path)
     select code, name, full_name, level, parent_code, path::text[]
       from unnest($1::text[], $2::text[], $3::text[], $4::smallint[], $5::text[], $6::text[])
            as t (code, name, full_name, level, parent_code, path)
     on conflict (code) do nothing`,
    [
      regions.map((r) => r.code),
      regions.map((r) => r.name),
      regions.map((r) => r.fullName),
      regions.map((r) => r.level),
      regions.map((r) => r.parentCode),
      regions.map((r) => `{${r.path.join(',')}}`),
    ],
  );
}

export interface OrganisationFilter {
  /** Bodies of exactly this region. */
  region?: string | undefined;
  /** Bodies of this region or any region below it. */
  within?: string | undefined;
  kind?: string | undefined;
  /** Matches the full or the short name. */
  q?: string | undefined;
}

export async function selectOrganisations(
  db: Queryable,
  filter: OrganisationFilter,
  { page, size }: Paging,
): Promise<Page<Organisation>> {
  const where = `($1::text is null or o.region_code = $1)
      and ($2::text is null or exists (select 1 from region r where r.code = o.region_code and r.path @> array[$2::text]))
      and ($3::text is null or o.kind = $3)
      and ($4::text is null or o.name like $4 or o.short_name like $4)`;
  const params = [
    filter.region ?? null,
    filter.within ?? null,
    filter.kind ?? null,
    filter.q ? containing(filter.q) : null,
  ];
  const rows = await db.query(
    `select ${ORGANISATION_COLUMNS}, count(*) over () as total
       from organisation o where ${where}
      order by o.region_code, o.id
      limit $5 offset $6`,
    [...params, size, (page - 1) * size],
  );
  const total = await totalOf(rows, () =>
    count(db, `select count(*) as n from organisation o where ${where}`, params),
  );
  return { items: rows.map(toOrganisation), total, page, size };
}

export async function findOrganisationById(db: Queryable, id: number): Promise<Organisation | null> {
  const rows = await db.query(`select ${ORGANISATION_COLUMNS} from organisation o where o.id = $1`, [id]);
  return rows[0] ? toOrganisation(rows[0]) : null;
}

export async function findOrganisationByUscc(db: Queryable, uscc: string): Promise<Organisation | null> {
  const rows = await db.query(`select ${ORGANISATION_COLUMNS} from organisation o where o.uscc = $1`, [uscc]);
  return rows[0] ? toOrganisation(rows[0]) : null;
}

/** The body of `kind` named `shortName` in exactly this region, if any. */
export async function findOrganisationInRegion(
  db: Queryable,
  regionCode: string,
  kind: string,
  shortName?: string,
): Promise<Organisation | null> {
  const rows = await db.query(
    `select ${ORGANISATION_COLUMNS} from organisation o
      where o.region_code = $1 and o.kind = $2 and ($3::text is null or o.short_name = $3)
      order by o.id limit 1`,
    [regionCode, kind, shortName ?? null],
  );
  return rows[0] ? toOrganisation(rows[0]) : null;
}

export async function kindExists(db: Queryable, kind: string): Promise<boolean> {
  return (await db.query(`select 1 from organisation_kind where kind = $1`, [kind])).length > 0;
}

export interface NewOrganisation {
  name: string;
  shortName: string;
  uscc: string;
  regionCode: string;
  kind: string;
  parentId: number | null;
}

/** Inserts the body; null when its credit code, or its name in that region, is taken. */
export async function insertOrganisation(db: Queryable, o: NewOrganisation): Promise<Organisation | null> {
  const rows = await db.query(
    `insert into organisation (name, short_name, uscc, region_code, kind, parent_id)
     values ($1, $2, $3, $4, $5, $6)
     on conflict do nothing
     returning ${ORGANISATION_COLUMNS.replaceAll('o.', '')}`,
    [o.name, o.shortName, o.uscc, o.regionCode, o.kind, o.parentId],
  );
  return rows[0] ? toOrganisation(rows[0]) : null;
}

/**
 * Inserts many bodies in one statement. A parent is named by its short name in the same
 * region and must have been inserted by an earlier call. Bodies whose credit code, or
 * name in that region, is taken are left as they are.
 */
export async function insertOrganisations(
  db: Queryable,
  rows: (Omit<NewOrganisation, 'parentId'> & { parentShortName: string | null })[],
): Promise<void> {
  if (rows.length === 0) return;
  await db.query(
    `insert into organisation (name, short_name, uscc, region_code, kind, parent_id)
     select t.name, t.short_name, t.uscc, t.region_code, t.kind, p.id
       from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
            as t (name, short_name, uscc, region_code, kind, parent_short_name)
       left join organisation p on p.region_code = t.region_code and p.short_name = t.parent_short_name
     on conflict do nothing`,
    [
      rows.map((r) => r.name),
      rows.map((r) => r.shortName),
      rows.map((r) => r.uscc),
      rows.map((r) => r.regionCode),
      rows.map((r) => r.kind),
      rows.map((r) => r.parentShortName),
    ],
  );
}

export interface ImplementingBody {
  id: number;
  name: string;
  shortName: string;
  uscc: string;
  regionCode: string;
  kind: string;
}

/** Every body in the region or below it, for callers that bind many records at once. */
export async function selectBodiesWithin(db: Queryable, code: string): Promise<ImplementingBody[]> {
  return db.query<ImplementingBody>(
    `select o.id, o.name, o.short_name as "shortName", o.uscc, o.region_code as "regionCode", o.kind
       from organisation o join region r on r.code = o.region_code
      where r.path @> array[$1::text]
      order by o.region_code, o.id`,
    [code],
  );
}
