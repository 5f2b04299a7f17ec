/**
 * Bulk loading with COPY: one round trip for thousands of rows instead of one statement
 * each. Rows are written in PostgreSQL's text format and streamed through `copy ... from
 * stdin` (PostgreSQL, through pg-copy-streams) or `copy ... from '/dev/blob'` (PGlite).
 */
import type { Executor, Queryable } from './db.ts';

/** A database or transaction that can bulk load (both backends can; see `Executor.copyFrom`). */
export type CopyTarget = Queryable & Pick<Executor, 'copyFrom'>;

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

/** `name` or `schema.name`, double-quoted; anything else is refused rather than escaped. */
export function quoteIdentifier(name: string): string {
  const parts = name.split('.');
  if (parts.length > 2 || !parts.every((part) => IDENTIFIER.test(part))) {
    throw new TypeError(`invalid SQL identifier ${JSON.stringify(name)}`);
  }
  return parts.map((part) => `"${part}"`).join('.');
}

// Backslash first, so the escapes added after it are not escaped again.
const SPECIAL = /[\\\t\n\r]/g;
const HAS_SPECIAL = /[\\\t\n\r]/;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/**
 * One value in COPY text format: null and undefined as \N, strings escaped, numbers and
 * bigints as written, booleans as t/f, Dates as ISO 8601, anything else as JSON (jsonb).
 */
export function copyValue(value: unknown): string {
  if (value === null || value === undefined) return '\\N';
  let text: string;
  switch (typeof value) {
    case 'string':
      text = value;
      break;
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`COPY cannot hold the number ${value}`);
      return String(value);
    case 'bigint':
      return String(value);
    case 'boolean':
      return value ? 't' : 'f';
    default:
      text = value instanceof Date ? value.toISOString() : JSON.stringify(value);
  }
  // The text format has no quoting: NUL cannot be stored in text at all.
  if (text.includes('\0')) throw new TypeError('COPY text cannot hold the NUL character');
  return HAS_SPECIAL.test(text) ? text.replace(SPECIAL, (c) => ESCAPES[c]!) : text;
}

/** Rows in COPY text format: tab-separated values, one line per row. */
export function encodeCopyRows(rows: readonly (readonly unknown[])[], width: number): Buffer {
  const lines: string[] = new Array<string>(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    if (row.length !== width) {
      throw new TypeError(`row ${i + 1} has ${row.length} values for ${width} columns`);
    }
    let line = copyValue(row[0]);
    for (let j = 1; j < width; j++) line += `\t${copyValue(row[j])}`;
    lines[i] = line;
  }
  return Buffer.from(lines.length ? `${lines.join('\n')}\n` : '', 'utf8');
}

/**
 * Loads `rows` (values in `columns` order) into `table` with COPY. On a PostgreSQL pool
 * outside a transaction the rows go through one connection of it; load a temporary table
 * inside `db.transaction`. Returns the number of rows loaded.
 */
export async function copyRows(
  db: CopyTarget,
  table: string,
  columns: readonly string[],
  rows: readonly (readonly unknown[])[],
): Promise<number> {
  if (columns.length === 0) throw new TypeError('COPY needs at least one column');
  if (!db.copyFrom) throw new TypeError('this database handle cannot bulk load (no copyFrom)');
  const sql = `copy ${quoteIdentifier(table)} (${columns.map(quoteIdentifier).join(', ')}) from stdin`;
  if (rows.length === 0) return 0;
  await db.copyFrom(sql, encodeCopyRows(rows, columns.length));
  return rows.length;
}
