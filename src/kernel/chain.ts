/**
 * Append-only, hash-chained logs (migration 0015): the audit trail of a case (`case:<id>`), a
 * month of the data-access log (`exchange:2026-11`) ... Every entry's hash covers the previous
 * entry's hash and its own content, and `chain_head` remembers the latest seq and hash, so any
 * edited, removed, reordered or trailing-deleted entry is found by {@link verifyChain}.
 *
 * ## Reproducing a hash outside Tongban
 *
 *     hash = lower-case hex SHA-256 of the UTF-8 bytes of
 *            prev_hash || canonicalJson({ action, actor, at, chain, data, onBehalfOf, seq })
 *
 * - `prev_hash` is the previous entry's `hash` (64 lower-case hex characters); for seq 1 it is
 *   {@link GENESIS_HASH}, 64 zeros. `||` is plain string concatenation, no separator.
 * - `chain`, `actor`, `action` are the column values; `onBehalfOf` is `on_behalf_of`, JSON
 *   `null` when absent (the key is always present); `seq` is a JSON number; `data` is the `data`
 *   column (jsonb) as JSON; `at` is the `at` column as an ISO 8601 UTC string with exactly three
 *   fraction digits, as JavaScript's `Date.prototype.toISOString` writes it:
 *   `2026-03-01T02:03:04.005Z` (entries are stored at millisecond precision).
 * - canonical JSON (see {@link canonicalJson}) = no whitespace; object keys sorted by UTF-16
 *   code units; strings and numbers written as `JSON.stringify` writes them. For JSON data this
 *   is exactly RFC 8785 (JSON Canonicalization Scheme), so any JCS library reproduces it.
 *
 * Example: the first entry of `case:1` has prev_hash 000…000 (64 zeros) and the hashed text
 * `0000…0000{"action":"case.submitted","actor":"acc-1","at":"2026-03-01T02:03:04.005Z","chain":"case:1","data":{"after":{"status":"submitted"},"before":null},"onBehalfOf":null,"seq":1}`.
 */
import { sha256 } from './crypto.ts';
import type { Database, Executor, Queryable } from './db.ts';

/** The `prev_hash` of a chain's first entry, and the head hash of an empty chain. */
export const GENESIS_HASH = '0'.repeat(64);

/** What {@link appendToChain} records. */
export interface ChainEntryInput {
  /** Who did it: an account id, or a system component such as `system:worker`. */
  actor: string;
  /** For whom the actor acted (the enterprise an agent represents); omitted when for themselves. */
  onBehalfOf?: string | null | undefined;
  /** What was done, e.g. `case.accepted`. */
  action: string;
  /** Details as JSON data, typically `{ before, after }`; never secrets or unmasked personal data. */
  data: unknown;
  /** When it happened; default: the database clock once the chain is locked (millisecond precision). */
  at?: Date | undefined;
}

/** One stored entry. */
export interface ChainEntry {
  chain: string;
  seq: number;
  at: Date;
  actor: string;
  onBehalfOf: string | null;
  action: string;
  data: unknown;
  prevHash: string;
  hash: string;
}

export type ChainProblem = 'hash_mismatch' | 'gap' | 'head_mismatch' | 'truncated';

/** The latest position of a chain. */
export interface ChainHead {
  seq: number;
  hash: string;
}

export interface ChainFailure {
  ok: false;
  /** The first position found wrong (see {@link verifyChain}). */
  seq: number;
  problem: ChainProblem;
  /** What is wrong, in English, for operators. */
  detail: string;
}

export type ChainVerification = { ok: true; length: number; head: ChainHead } | ChainFailure;

export type BrokenChain = ChainFailure & { chain: string };

export interface ChainAuditReport {
  /** Chains verified. */
  chains: number;
  /** Entries verified in the chains found intact. */
  entries: number;
  /** The chains that failed verification, in name order. */
  broken: BrokenChain[];
}

const CHAIN_NAME = /^[a-z][a-z0-9_.-]*:[!-~]+$/;
const MAX_CHAIN_NAME = 200;
/** Sorts after every chain name: names are printable ASCII (0x21-0x7e), compared byte-wise (collation "C"). */
const AFTER_ALL_NAMES = '\x7f';

/** Throws unless `chain` is a valid chain name: `<kind>:<key>`, printable ASCII, at most 200 characters. */
export function assertChainName(chain: string): void {
  if (!CHAIN_NAME.test(chain) || chain.length > MAX_CHAIN_NAME) {
    throw new TypeError(
      `invalid chain name ${JSON.stringify(chain)}: expected <kind>:<key> in printable ASCII`,
    );
  }
}

/**
 * Canonical JSON of JSON data (null, booleans, finite numbers, strings, arrays, plain objects):
 * no whitespace, object keys sorted by UTF-16 code units, strings and numbers as `JSON.stringify`
 * writes them; object properties whose value is `undefined` are left out, as in JSON. Equals
 * RFC 8785 (JCS) output for such data. Throws a TypeError for anything else (Dates, Maps,
 * bigints, NaN, undefined array elements ...), so that no value is silently hashed as something else.
 */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`canonical JSON cannot hold the number ${value}`);
      return JSON.stringify(value);
    case 'string':
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) return `[${value.map((item: unknown) => canonicalJson(item)).join(',')}]`;
      const prototype = Object.getPrototypeOf(value) as unknown;
      if (prototype !== Object.prototype && prototype !== null) {
        throw new TypeError('canonical JSON holds plain objects only');
      }
      const record = value as Record<string, unknown>;
      const members = Object.keys(record)
        .filter((key) => record[key] !== undefined)
        .sort()
        .map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`);
      return `{${members.join(',')}}`;
    }
    default:
      throw new TypeError(`canonical JSON cannot hold a ${typeof value}`);
  }
}

/** The hash of an entry whose predecessor's hash is `prevHash` (see the module comment). */
export function chainEntryHash(
  prevHash: string,
  entry: Pick<ChainEntry, 'chain' | 'seq' | 'at' | 'actor' | 'onBehalfOf' | 'action' | 'data'>,
): string {
  return sha256(
    prevHash +
      canonicalJson({
        chain: entry.chain,
        seq: entry.seq,
        at: entry.at.toISOString(),
        actor: entry.actor,
        onBehalfOf: entry.onBehalfOf,
        action: entry.action,
        data: entry.data,
      }),
  );
}

/**
 * Appends one entry to `chain` and returns its position and hash. MUST run inside a transaction
 * (pass the `tx` of `db.transaction`): it locks the chain's head row until that transaction ends,
 * which serialises concurrent appends to one chain (different chains never wait for each other),
 * and a rolled-back transaction leaves neither the entry nor the head move behind.
 */
export async function appendToChain(
  tx: Queryable,
  chain: string,
  entry: ChainEntryInput,
): Promise<{ seq: number; hash: string; at: Date }> {
  if ('transaction' in tx) {
    throw new TypeError('appendToChain must run inside db.transaction (pass its tx, not the database)');
  }
  assertChainName(chain);
  if (entry.at !== undefined && Number.isNaN(entry.at.getTime())) throw new TypeError('invalid entry date');
  // What jsonb will give back when verifying: a JSON round trip turns Dates into strings,
  // drops undefined properties ... The hash is computed over exactly that.
  const dataJson = JSON.stringify(entry.data ?? null) ?? 'null';
  const data = JSON.parse(dataJson) as unknown;

  // One round trip: the head is created (a new chain) or locked (an existing one). The clock is
  // read after the insert or the lock (the CTEs run first), so `at` follows seq order.
  let [head] = await tx.query<{ seq: number; hash: string; now: Date }>(
    `with created as (
       insert into chain_head (chain, seq, hash) values ($1, 0, $2) on conflict (chain) do nothing
       returning seq, hash
     ), locked as (select seq, hash from chain_head where chain = $1 for update)
     select seq, hash, date_trunc('milliseconds', clock_timestamp()) as now from created
     union all
     select seq, hash, date_trunc('milliseconds', clock_timestamp()) as now from locked`,
    [chain, GENESIS_HASH],
    { prepare: true },
  );
  if (!head) {
    // Another transaction created the head after this statement's snapshot was taken: the
    // insert found it, the locking read could not see it. A new statement sees it.
    [head] = await tx.query<{ seq: number; hash: string; now: Date }>(
      `with head as (select seq, hash from chain_head where chain = $1 for update)
       select seq, hash, date_trunc('milliseconds', clock_timestamp()) as now from head`,
      [chain],
      { prepare: true },
    );
  }
  if (!head) throw new Error(`chain head of ${chain} vanished`);

  const stored: ChainEntry = {
    chain,
    seq: head.seq + 1,
    at: entry.at ?? head.now,
    actor: entry.actor,
    onBehalfOf: entry.onBehalfOf ?? null,
    action: entry.action,
    data,
    prevHash: head.hash,
    hash: '',
  };
  stored.hash = chainEntryHash(stored.prevHash, stored);
  await tx.query(
    `with entry as (
       insert into chain_entry (chain, seq, at, actor, on_behalf_of, action, data, prev_hash, hash)
       values ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9)
       returning chain
     )
     update chain_head set seq = $2, hash = $9, updated_at = now() from entry where chain_head.chain = entry.chain`,
    [
      chain,
      stored.seq,
      stored.at,
      stored.actor,
      stored.onBehalfOf,
      stored.action,
      dataJson,
      stored.prevHash,
      stored.hash,
    ],
    { prepare: true },
  );
  return { seq: stored.seq, hash: stored.hash, at: stored.at };
}

interface EntryRow {
  seq: number;
  at: Date;
  actor: string;
  on_behalf_of: string | null;
  action: string;
  data: unknown;
  prev_hash: string;
  hash: string;
}

const ENTRY_COLUMNS = 'seq, at, actor, on_behalf_of, action, data, prev_hash, hash';

const toEntry = (chain: string, row: EntryRow): ChainEntry => ({
  chain,
  seq: row.seq,
  at: row.at,
  actor: row.actor,
  onBehalfOf: row.on_behalf_of,
  action: row.action,
  data: row.data,
  prevHash: row.prev_hash,
  hash: row.hash,
});

/** Entries of `chain` after position `afterSeq` (default 0: from the start), in seq order. */
export async function readChain(
  db: Queryable,
  chain: string,
  options: { afterSeq?: number; limit?: number } = {},
): Promise<ChainEntry[]> {
  const rows = await db.query<EntryRow>(
    `select ${ENTRY_COLUMNS} from chain_entry where chain = $1 and seq > $2 order by seq limit $3`,
    [chain, options.afterSeq ?? 0, options.limit ?? 100],
  );
  return rows.map((row) => toEntry(chain, row));
}

const isDatabase = (db: Queryable): db is Database => 'transaction' in db;

/**
 * Verifies `chain`: recomputes every entry's hash in seq order, checks that each entry links to
 * its predecessor's hash and that seqs run 1, 2, 3 ... without gaps, and that the head names the
 * last entry (seq and hash). On failure, `seq` is the first position found wrong:
 * - `hash_mismatch`: entry `seq` was changed (its content, hash or prev_hash no longer match);
 * - `gap`: entry `seq` is missing while later ones exist;
 * - `truncated`: the head says the chain is longer; entries from `seq` on were removed;
 * - `head_mismatch`: the head disagrees with the entries (edited, missing, or entries exist
 *   beyond it); `seq` is the last entry's position, or the first entry beyond the head.
 * An unknown chain (no head, no entries) is an intact empty chain.
 *
 * Given the database, it reads in one read-only repeatable-read transaction, so appends that
 * commit meanwhile are not mistaken for tampering; given a transaction, it reads in that one.
 * A consistent rewrite of the entries and the head together is not detectable from inside the
 * database: publish head hashes elsewhere to anchor them.
 */
export async function verifyChain(
  db: Queryable,
  chain: string,
  options: { batchSize?: number } = {},
): Promise<ChainVerification> {
  const batchSize = options.batchSize ?? 1000;
  if (!isDatabase(db)) return verifyIn(db, chain, batchSize);
  return db.transaction(async (tx: Executor) => {
    await tx.query('set transaction isolation level repeatable read, read only');
    return verifyIn(tx, chain, batchSize);
  });
}

async function verifyIn(db: Queryable, chain: string, batchSize: number): Promise<ChainVerification> {
  const [head] = await db.query<ChainHead>('select seq, hash from chain_head where chain = $1', [chain]);
  let previousHash = GENESIS_HASH;
  let length = 0;
  for (;;) {
    const rows = await db.query<EntryRow>(
      `select ${ENTRY_COLUMNS} from chain_entry where chain = $1 and seq > $2 order by seq limit $3`,
      [chain, length, batchSize],
    );
    for (const row of rows) {
      const expected = length + 1;
      if (row.seq !== expected) {
        return fail(expected, 'gap', `entry ${expected} is missing; the next entry is ${row.seq}`);
      }
      if (row.prev_hash !== previousHash) {
        return fail(
          row.seq,
          'hash_mismatch',
          `entry ${row.seq} does not link to the hash of entry ${row.seq - 1}`,
        );
      }
      let recomputed: string;
      try {
        recomputed = chainEntryHash(previousHash, toEntry(chain, row));
      } catch (error) {
        return fail(
          row.seq,
          'hash_mismatch',
          `entry ${row.seq} cannot be hashed: ${(error as Error).message}`,
        );
      }
      if (recomputed !== row.hash) {
        return fail(row.seq, 'hash_mismatch', `entry ${row.seq} does not match its hash`);
      }
      previousHash = row.hash;
      length = row.seq;
    }
    if (rows.length < batchSize) break;
  }

  if (!head) {
    if (length === 0) return { ok: true, length: 0, head: { seq: 0, hash: GENESIS_HASH } };
    return fail(length, 'head_mismatch', `the chain has ${length} entries but no head`);
  }
  if (head.seq > length) {
    return fail(
      length + 1,
      'truncated',
      `the head names entry ${head.seq} but the chain ends at entry ${length}`,
    );
  }
  if (head.seq < length) {
    return fail(head.seq + 1, 'head_mismatch', `entries ${head.seq + 1}..${length} lie beyond the head`);
  }
  if (head.hash !== previousHash) {
    return fail(length, 'head_mismatch', `the head's hash differs from the hash of entry ${length}`);
  }
  return { ok: true, length, head: { seq: head.seq, hash: head.hash } };
}

const fail = (seq: number, problem: ChainProblem, detail: string): ChainFailure => ({
  ok: false,
  seq,
  problem,
  detail,
});

/**
 * Verifies every chain whose name starts with `prefix` (default: all), `batchSize` chain names
 * at a time, each chain in its own snapshot (see {@link verifyChain}); reports the broken ones.
 * Chains are found both from their heads and from their entries, so a chain whose head was
 * deleted is checked (and reported) too.
 */
export async function verifyAllChains(
  db: Queryable,
  options: { prefix?: string; batchSize?: number } = {},
): Promise<ChainAuditReport> {
  const prefix = options.prefix ?? '';
  const batchSize = options.batchSize ?? 500;
  const report: ChainAuditReport = { chains: 0, entries: 0, broken: [] };
  // Names are printable ASCII; a prefix with anything else matches no chain.
  if (!/^[!-~]*$/.test(prefix)) return report;
  const upper = prefix
    ? prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1)
    : AFTER_ALL_NAMES;

  let cursor = '';
  for (;;) {
    const chains = await nextChainNames(db, cursor, prefix, upper, batchSize);
    if (chains.length === 0) break;
    for (const chain of chains) {
      const result = await verifyChain(db, chain);
      report.chains += 1;
      if (result.ok) report.entries += result.length;
      else report.broken.push({ chain, ...result });
    }
    cursor = chains[chains.length - 1]!;
  }
  return report;
}

/** The next `limit` chain names after `cursor` in [lower, upper), from heads and entries alike. */
async function nextChainNames(
  db: Queryable,
  cursor: string,
  lower: string,
  upper: string,
  limit: number,
): Promise<string[]> {
  const fromHeads = await db.query<{ chain: string }>(
    `select chain from chain_head where chain > $1 and chain >= $2 and chain < $3 order by chain limit $4`,
    [cursor, lower, upper, limit],
  );
  // Distinct chain names of the entries by skipping along the primary key (one index probe
  // per chain) instead of reading every entry.
  const fromEntries = await db.query<{ chain: string }>(
    `with recursive found (chain, n) as (
       (select chain, 1 from chain_entry where chain > $1 and chain >= $2 and chain < $3 order by chain limit 1)
       union all
       select (select e.chain from chain_entry e where e.chain > found.chain and e.chain < $3 order by e.chain limit 1),
              found.n + 1
         from found where found.chain is not null and found.n < $4
     )
     select chain from found where chain is not null`,
    [cursor, lower, upper, limit],
  );
  // The first `limit` names of the union are within the first `limit` of each list.
  const names = new Set([...fromHeads, ...fromEntries].map((row) => row.chain));
  return [...names].sort().slice(0, limit);
}
