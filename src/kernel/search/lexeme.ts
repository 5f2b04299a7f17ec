/**
 * A lexeme quoted for a tsvector or tsquery literal: inside single quotes a quote is
 * doubled and a backslash escaped, so any text is taken as one lexeme and never as
 * syntax (operators, weights, prefix marks).
 */
export function quoteLexeme(lexeme: string): string {
  const escaped = /['\\]/.test(lexeme) ? lexeme.replaceAll('\\', '\\\\').replaceAll("'", "''") : lexeme;
  return `'${escaped}'`;
}

/**
 * Marker lexeme of base items (first application, 新设, or items without situations).
 * It contains '#', which query normalization removes, so no citizen's query can produce it.
 */
export const BASE_ITEM_LEXEME = '#base';
