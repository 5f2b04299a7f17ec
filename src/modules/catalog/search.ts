import type { Database, Queryable } from '../../kernel/db.ts';
import { escapeLike } from '../../kernel/sql.ts';
import {
  analyzeQuery,
  documentVector,
  highlight,
  rankSql,
  searchWithFallback,
  suggestKeys,
  suggestPrefix,
  type AnalyzedQuery,
  type PlaceIndex,
} from '../../kernel/search/index.ts';
import { findItemVersion } from './queries.ts';
import { ITEM_TYPES, type TypeCode } from './model.ts';

/** Rebuilds the search row and autocomplete keys of an item from its published version. */
export async function indexItem(tx: Queryable, itemId: number): Promise<void> {
  const v = await findItemVersion(tx, itemId, 'published');
  if (!v) return removeFromIndex(tx, itemId);
  const vector = documentVector({
    name: v.name,
    subSituation: v.subSituation ?? undefined,
    typeName: ITEM_TYPES[v.typeCode],
    department: v.department,
    keywords: v.keywords,
    lifeEvents: v.lifeEvents,
    materials: v.materials.map((m) => m.name),
    resultLicence: v.resultLicence ?? undefined,
  });
  await tx.query(
    `insert into catalog_search (item_id, version_id, code, name, department, type_code, audience, vector, popularity)
     select $1, $2, i.code, $3, $4, $5, $6, $7::tsvector, i.popularity from catalog_item i where i.id = $1
     on conflict (item_id) do update set version_id = excluded.version_id, code = excluded.code, name = excluded.name,
       department = excluded.department, type_code = excluded.type_code, audience = excluded.audience,
       vector = excluded.vector, popularity = excluded.popularity`,
    [itemId, v.id, v.name, v.department, v.typeCode, v.audience, vector],
  );
  await tx.query('delete from catalog_suggest where item_id = $1', [itemId]);
  await tx.query(
    `insert into catalog_suggest (key, item_id) select distinct k, $1::bigint from unnest($2::text[]) as k`,
    [itemId, suggestKeys(v.name)],
  );
}

/** Rebuilds the whole index, e.g. after the dictionaries or weights of kernel/search changed. */
export async function reindexCatalog(db: Database): Promise<number> {
  const items = await db.query<{ item_id: number }>(
    `select item_id from catalog_item_version where status = 'published' order by item_id`,
  );
  await db.transaction(async (tx) => {
    await tx.query('delete from catalog_suggest');
    await tx.query('delete from catalog_search');
    for (const { item_id } of items) await indexItem(tx, item_id);
  });
  return items.length;
}

export async function removeFromIndex(tx: Queryable, itemId: number): Promise<void> {
  await tx.query('delete from catalog_suggest where item_id = $1', [itemId]);
  await tx.query('delete from catalog_search where item_id = $1', [itemId]);
}

export interface SearchParams {
  q: string;
  /** Region chain, most specific first (the region and its ancestors); results are entries offered there. */
  regionChain?: string[] | undefined;
  audience?: string | undefined;
  limit: number;
}

export interface SearchHit {
  code: string;
  basicCode: string;
  name: string;
  department: string;
  type: { code: string; name: string };
  score: number;
  highlight: string;
}

/**
 * One query over the search table; with a region it returns, per item, the entry of
 * the nearest region in the chain that offers it (a street before its district).
 */
function searchSql(): string {
  return `select s.code, s.name, s.department, s.type_code, ${rankSql('s.vector', '$5', 's.popularity')} as score,
      count(*) over () as total, e.code as entry_code, e.organisation_name
    from catalog_search s
    left join lateral (
      select e.code, e.organisation_name from catalog_entry e
        join catalog_entry_version ev on ev.entry_id = e.id and ev.status = 'published'
       where $4::text[] is not null and e.item_id = s.item_id and e.region_code = any($4::text[])
       order by array_position($4::text[], e.region_code) limit 1
    ) e on true
    where s.vector @@ $1::tsquery and ($2::text is null or $2 = any(s.audience))
      and ($4::text[] is null or e.code is not null)
    order by score desc, s.popularity desc, s.code
    limit $3`;
}
export const SEARCH_SQL = searchSql();

/**
 * Filters with the strict query and, when it finds too little, the broader one
 * (kernel/search searchWithFallback); ranks always with the flat rank query.
 */
export async function searchCatalog(
  db: Queryable,
  params: SearchParams,
  analyzed: AnalyzedQuery,
): Promise<{ items: SearchHit[]; total: number }> {
  const { rows } = await searchWithFallback(
    analyzed,
    params.limit,
    (filter) =>
      db.query<Record<string, unknown>>(SEARCH_SQL, [
        filter,
        params.audience ?? null,
        params.limit,
        params.regionChain ?? null,
        analyzed.rankTsquery,
      ]),
    (row) => row.code,
  );
  const items = rows.map((r) => ({
    code: (r.entry_code as string | null) ?? (r.code as string),
    basicCode: r.code as string,
    name: r.name as string,
    department: (r.organisation_name as string | null) ?? (r.department as string),
    type: { code: r.type_code as string, name: ITEM_TYPES[r.type_code as TypeCode] },
    score: Math.round(Number(r.score) * 10000) / 10000,
    highlight: highlight(r.name as string, analyzed.terms),
  }));
  // Each run counted its own matches; the broader run's count includes the strict one's.
  const total = rows.reduce((most, r) => Math.max(most, Number(r.total)), 0);
  return { items, total };
}

const ANALYSIS_CACHE_SIZE = 5000;
const analyses = new Map<string, AnalyzedQuery>();
let analysedWith: PlaceIndex | undefined;

/**
 * analyzeQuery, remembered for the most recent distinct queries: people ask the same
 * few hundred questions most of the time, and analysis is a pure function of the text
 * and the place names (a new place index empties the cache).
 */
export function analyzeCached(q: string, places: PlaceIndex): AnalyzedQuery {
  if (places !== analysedWith) {
    analyses.clear();
    analysedWith = places;
  }
  let analyzed = analyses.get(q);
  if (analyzed) {
    analyses.delete(q); // re-insert: Map order is the recency order
  } else {
    analyzed = analyzeQuery(q, places);
    if (analyses.size >= ANALYSIS_CACHE_SIZE) analyses.delete(analyses.keys().next().value!);
  }
  analyses.set(q, analyzed);
  return analyzed;
}

/** Autocomplete: names whose name, pinyin or initials start with the input, most popular first. */
export async function suggest(
  db: Queryable,
  q: string,
  limit: number,
): Promise<{ code: string; name: string }[]> {
  const key = suggestPrefix(q);
  if (!key) return [];
  const literal = escapeLike(key);
  return db.query<{ code: string; name: string }>(
    `select s.code, s.name from catalog_search s
      where s.item_id in (select g.item_id from catalog_suggest g where g.key like $1)
         or s.name like '%' || $2 || '%'
      order by (s.name like $2 || '%') desc, s.popularity desc, length(s.name), s.code
      limit $3`,
    [`${literal}%`, literal, limit],
  );
}
