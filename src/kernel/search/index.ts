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
