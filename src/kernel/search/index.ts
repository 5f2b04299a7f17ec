/**
 * Citizen-language search: Chinese text analysis in Node, index and ranking in
 * PostgreSQL full-text search (the `simple` parser is never used: lexemes are made here),
 * identical on PGlite and PostgreSQL.
 *
 * Indexing. Store `documentVector(doc)` in a `tsvector` column (`$n::tsvector`) with a
 * GIN index, and `suggestKeys(name)` as autocomplete keys (one row per key, `key text`
 * with a `text_pattern_ops` btree index, matched with `key like prefix || '%'`).
 * Reindex when the analysis changes (dictionary, weights); the synonym table is applied
 * to queries only and needs no reindexing.
 *
 * Searching. `analyzeQuery(q, places)` once per request (cheap: ~0.05 ms typical, the
 * first call loads the dictionaries in ~0.2-0.5 s), then the two-step protocol of
 * `searchWithFallback`, with one statement run with the strict, then maybe the fuzzy, filter:
 *
 *   select ..., <rankSql('s.vector', '$2', 's.popularity')> as score
 *     from catalog_search s
 *    where s.vector @@ $1::tsquery          -- $1 = tsquery, then fuzzyTsquery
 *    order by score desc limit $3           -- $2 = rankTsquery, always
 *
 * Strict hits come first; when there are fewer than FUZZY_FALLBACK_BELOW of them, the
 * fuzzy-only hits follow (the fuzzy filter matches a superset of the strict one, so a
 * total counted with the fuzzy filter covers both). Skip the database when `empty`.
 * Show results with `highlight(name, terms)`. Autocomplete: `suggestPrefix(q)`.
 */
export { analyzeQuery, type AnalyzedQuery } from './query.ts';
export { documentVector, suggestKeys, suggestPrefix, type SearchDocument } from './document.ts';
export {
  createPlaceIndex,
  mostSpecificPlace,
  type PlaceFound,
  type PlaceIndex,
  type PlaceMatch,
} from './places.ts';
export { highlight } from './highlight.ts';
export { FUZZY_FALLBACK_BELOW, RANK_WEIGHTS, rankSql, searchWithFallback } from './rank.ts';
export { normalizeText } from './normalize.ts';
