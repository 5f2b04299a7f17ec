import { createHash } from 'node:crypto';
import path from 'node:path';
import { mkdirSync } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFromStdin } from 'pg-copy-streams';
import type { PGlite } from '@electric-sql/pglite';

/** Anything that runs parameterised SQL: the database itself or an open transaction. */
export interface Queryable {
  query<R = Record<string, unknown>>(
    text: string,
    params?: readonly unknown[],
    options?: QueryOptions,
  ): Promise<R[]>;
}

export interface QueryOptions {
  /**
   * Keep the statement prepared on each connection (PostgreSQL), so a query run on every
   * request (the session lookup) is planned once per connection instead of every time.
   * Only for statements whose plan does not depend on the parameter values.
   */
  prepare?: boolean;
}

const preparedNames = new Map<string, string>();
const preparedName = (text: string) => {
  let name = preparedNames.get(text);
  if (!name) {
    name = `tb_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
    preparedNames.set(text, name);
  }
  return name;
};

/**
 * The one database interface every module uses. Two backends implement it with the
 * same SQL: PostgreSQL through `pg`, and the embedded PGlite (PostgreSQL in WebAssembly).
 */
export interface Database extends Executor {
  readonly kind: 'postgres' | 'pglite';
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: Executor) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface Executor extends Queryable {
  /** Runs a script of several statements without parameters (migrations). */
  exec(script: string): Promise<void>;
  /**
   * Bulk load: runs `copy ... from stdin` with `data` as its input (PGlite reads it as
   * '/dev/blob'). Both backends have it; wrappers that only count or record statements
   * may leave it out. Use `copyRows` (copy.ts) rather than calling it directly.
   */
  copyFrom?(sql: string, data: Buffer): Promise<void>;
}

// OIDs of the types whose default JavaScript mapping differs between the two drivers.
const INT8 = 20;
const INT8_ARRAY = 1016;
const DATE = 1082;
const NUMERIC = 1700;

function parseInt8(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new RangeError(`int8 value ${value} exceeds the safe integer range`);
  return n;
}

/** bigint[] as numbers, as PGlite returns them (pg would give strings). */
function parseInt8Array(value: string): (number | null)[] {
  const parseArray = pg.types.getTypeParser(
    INT8_ARRAY as Parameters<typeof pg.types.getTypeParser>[0],
    'text',
  );
  const elements = parseArray(value) as (string | null)[];
  return elements.map((element) => (element === null ? null : parseInt8(element)));
}
const identity = (value: string): string => value;

export interface OpenOptions {
  databaseUrl?: string | undefined;
  /** Folder of the embedded database; omitted = in memory. */
  dataDir?: string | undefined;
  poolSize?: number;
}

export async function openDatabase(options: OpenOptions): Promise<Database> {
  if (options.databaseUrl) return openPostgres(options.databaseUrl, options.poolSize ?? 10);
  return openPglite(options.dataDir);
}

export function openPostgres(connectionString: string, max = 10): Database {
  const types = {
    getTypeParser: ((oid: number, format?: string) => {
      if (oid === INT8) return parseInt8;
      if (oid === INT8_ARRAY) return parseInt8Array;
      if (oid === DATE || oid === NUMERIC) return identity;
      return pg.types.getTypeParser(oid, format as 'text');
    }) as typeof pg.types.getTypeParser,
  };
  const pool = new pg.Pool({ connectionString, max, types });
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  const query = async <R>(
    client: pg.Pool | pg.PoolClient,
    text: string,
    params?: readonly unknown[],
    options?: QueryOptions,
  ) =>
    (
      await client.query(
        options?.prepare
          ? { name: preparedName(text), text, values: params as unknown[] }
          : { text, values: params as unknown[] },
      )
    ).rows as R[];
  const copy = async (client: pg.PoolClient, sql: string, data: Buffer) => {
    const stream = client.query(copyFromStdin(sql));
    await pipeline(Readable.from([data]), stream);
  };
  return {
    kind: 'postgres',
    query: (text, params, options) => query(pool, text, params, options),
    async copyFrom(sql, data) {
      const client = await pool.connect();
      try {
        await copy(client, sql, data);
      } finally {
        client.release();
      }
    },
    async transaction(fn) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await fn({
          query: (text, params, options) => query(client, text, params, options),
          exec: async (script) => void (await client.query(script)),
          copyFrom: (sql, data) => copy(client, sql, data),
        });
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      } finally {
        client.release();
      }
    },
    async exec(script) {
      await pool.query(script);
    },
    close: () => pool.end(),
  };
}

export async function openPglite(dataDir?: string): Promise<Database> {
  const { PGlite } = await import('@electric-sql/pglite');
  let dir: string | undefined;
  if (dataDir) {
    dir = path.join(dataDir, 'pglite');
    mkdirSync(dir, { recursive: true });
  }
  const db: PGlite = await PGlite.create(dir, {
    parsers: { [INT8]: parseInt8, [DATE]: identity, [NUMERIC]: identity },
  });
  // PGlite has no client protocol stream: COPY reads its input from the virtual file /dev/blob.
  // (A Buffer's memory is an ordinary ArrayBuffer; the DOM typing of Blob wants it said.)
  const blobOf = (data: Buffer) => new Blob([data as Uint8Array<ArrayBuffer>]);
  const blobCopy = (sql: string) => sql.replace(/\bfrom\s+stdin\b/i, "from '/dev/blob'");
  return {
    kind: 'pglite',
    query: async (text, params) => (await db.query(text, params as unknown[])).rows as never[],
    copyFrom: async (sql, data) => void (await db.query(blobCopy(sql), [], { blob: blobOf(data) })),
    transaction: (fn) =>
      db.transaction((tx) =>
        fn({
          query: async (text, params) => (await tx.query(text, params as unknown[])).rows as never[],
          exec: async (script) => void (await tx.exec(script)),
          copyFrom: async (sql, data) => void (await tx.query(blobCopy(sql), [], { blob: blobOf(data) })),
        }),
      ),
    async exec(script) {
      await db.exec(script);
    },
    close: () => db.close(),
  };
}

/** The SQLSTATE of a database error, from either driver. */
export function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
