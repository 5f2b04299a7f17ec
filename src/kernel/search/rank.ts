import type { AnalyzedQuery } from './query.ts';

/**
 * ts_rank weights for D, C, B, A (the order PostgreSQL expects): a name match is worth
 * 2.5 keyword matches, 5 department/licence matches and 20 material or gram matches.
 */
export const RANK_WEIGHTS = '{0.05,0.2,0.4,1}';

/**
 * SQL computing the score of a row: text relevance times a popularity factor of
 * 1 + 0.05 ln(1 + popularity) (x1.35 at 1 000, x1.69 at 1 000 000). A factor rather
 * than a sum so it works at any scale of text rank, never reaching the 20x between a
 * name match and a material-only match, only reordering rows of similar relevance.
 * `tsqueryParam` must be bound to AnalyzedQuery.rankTsquery (whatever filter is used),
 * e.g. rankSql('s.vector', '$2', 's.popularity').
 */
export function rankSql(vectorExpr: string, tsqueryParam: string, popularityExpr: string): string {
  return (
    `(ts_rank('${RANK_WEIGHTS}'::float4[], ${vectorExpr}, ${tsqueryParam}::tsquery)` +
    ` * (1 + 0.05 * ln(1 + greatest(coalesce(${popularityExpr}, 0), 0)::float8)))`
  );
}

/**
 * Below this many strict hits the fuzzy query is run too. One: a precise query keeps its
 * precise answer (and an honest total); typos and unknown words still reach the broad net.
 */
export const FUZZY_FALLBACK_BELOW = 1;

/**
 * The two-step protocol every search follows: the rows matching the strict query, best
 * first; when they are fewer than FUZZY_FALLBACK_BELOW (or than `limit`), followed by
 * the rows matching only the fuzzy query (a superset), best first. `run(filter)` runs
 * the search statement with `vector @@ filter::tsquery`, ordered by rankSql over
 * query.rankTsquery and limited to `limit`; `key` identifies a row. `fuzzy` tells which
 * filter a total should be counted with.
 */
export async function searchWithFallback<Row>(
  query: AnalyzedQuery,
  limit: number,
  run: (filterTsquery: string) => Promise<Row[]>,
  key: (row: Row) => unknown,
): Promise<{ rows: Row[]; fuzzy: boolean }> {
  if (query.empty) return { rows: [], fuzzy: false };
  const strict = await run(query.tsquery);
  if (strict.length >= Math.min(limit, FUZZY_FALLBACK_BELOW))
    return { rows: strict.slice(0, limit), fuzzy: false };
  const seen = new Set(strict.map(key));
  const broader = (await run(query.fuzzyTsquery)).filter((row) => !seen.has(key(row)));
  return { rows: [...strict, ...broader].slice(0, limit), fuzzy: true };
}
