import type { KeyObject } from 'node:crypto';
import type { Executor, Queryable } from '../../kernel/db.ts';
import { canonicalJson } from './canonical.ts';
import { checkpointBody, verifyCheckpoint } from './checkpoint.ts';
import type { Checkpoint, InclusionProof, LogEntry } from './formats.ts';
import { leafHash, MerkleTree, verifyInclusion } from './merkle.ts';
import type { Signer } from './signer.ts';
import { importPublicKey, type SignatureAlgorithm } from './signing.ts';

/**
 * The transparency log of one name (RFC 9162 hashing), stored in PostgreSQL and mirrored
 * in memory for proofs.
 *
 * Appending takes the log row's lock for the rest of the transaction: indexes come out
 * without gaps, and an entry is visible only after every earlier one is. Its `loggedAt`
 * is read after the lock, and a checkpoint takes the same lock before it reads the size
 * and the time, so an entry beyond a checkpoint's size is never older than that
 * checkpoint: a verifier can detect a back-dated entry from any checkpoint before it.
 *
 * The in-memory tree (O(log n) proofs for any size) catches up from the table before it
 * answers, so every process serves the same log.
 */
export interface LogHead {
  name: string;
  origin: string;
  keyId: string;
  algorithm: SignatureAlgorithm;
  publicKey: string;
  encryptedPrivateKey: string;
}

/** What any log's entries have: a kind, and the time the log appended them. */
export interface LoggedEntry {
  kind: string;
  loggedAt: string;
}

/** An entry to append, with what it is about (licence identifier, seal key id). */
export interface EntryToAppend<E extends LoggedEntry = LogEntry> {
  subject: string;
  /** The entry without its time: the log sets `loggedAt` once it holds the lock. */
  entry: DistributiveOmit<E, 'loggedAt'>;
}
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export interface AppendedEntry<E extends LoggedEntry = LogEntry> {
  index: number;
  entry: E;
}

interface CheckpointRow {
  tree_size: string;
  root_hash: Buffer | Uint8Array;
  signed_at: Date;
  key_id: string;
  algorithm: SignatureAlgorithm;
  signature: string;
}

export class TransparencyLog<E extends LoggedEntry = LogEntry> {
  readonly tree = new MerkleTree();
  #head: LogHead | null = null;
  #publicKey: KeyObject | null = null;

  constructor(
    readonly name: string,
    private readonly signer: Signer,
  ) {}

  /** A log that exists already (for audits and tools), or null: never creates one. */
  static async existing<E extends LoggedEntry = LogEntry>(
    db: Queryable,
    name: string,
    signer: Signer,
  ): Promise<TransparencyLog<E> | null> {
    const [exists] = await db.query(`select 1 from transparency_log where name = $1`, [name]);
    if (!exists) return null;
    const log = new TransparencyLog<E>(name, signer);
    await log.open(db, '', 'ed25519'); // an existing log keeps its own origin and key
    return log;
  }

  /** Creates the log with a new signing key on first use; loads its head. */
  async open(db: Queryable, origin: string, algorithm: SignatureAlgorithm): Promise<LogHead> {
    if (this.#head) return this.#head;
    const [existing] = await db.query<HeadRow>(HEAD_SQL, [this.name]);
    let row = existing;
    if (!row) {
      const key = this.signer.generate(algorithm, 'logKey');
      await db.query(
        `insert into transparency_log (name, origin, key_id, algorithm, public_key, private_key)
         values ($1, $2, $3, $4, $5, $6) on conflict (name) do nothing`,
        [this.name, origin, key.keyId, key.algorithm, key.publicKey, key.encryptedPrivateKey],
      );
      [row] = await db.query<HeadRow>(HEAD_SQL, [this.name]);
    }
    this.#head = {
      name: this.name,
      origin: row!.origin,
      keyId: row!.key_id,
      algorithm: row!.algorithm,
      publicKey: row!.public_key,
      encryptedPrivateKey: row!.private_key,
    };
    this.#publicKey = importPublicKey(this.#head.algorithm, this.#head.publicKey);
    return this.#head;
  }

  get head(): LogHead {
    if (!this.#head) throw new Error(`Transparency log ${this.name} is not open`);
    return this.#head;
  }

  get publicKey(): KeyObject {
    if (!this.#publicKey) throw new Error(`Transparency log ${this.name} is not open`);
    return this.#publicKey;
  }

  /** Appends entries inside the caller's transaction; holds the log's lock until it ends. */
  async append(tx: Executor, entries: EntryToAppend<E>[]): Promise<AppendedEntry<E>[]> {
    if (entries.length === 0) return [];
    const [locked] = await tx.query<{ first: string }>(
      `update transparency_log set size = size + $2 where name = $1 returning size - $2 as first`,
      [this.name, entries.length],
      { prepare: true },
    );
    if (!locked) throw new Error(`Transparency log ${this.name} does not exist`);
    const first = Number(locked.first);
    const loggedAt = new Date().toISOString();
    const appended = entries.map(({ entry }, i) => ({
      index: first + i,
      entry: { ...entry, loggedAt } as unknown as E,
    }));
    const data = appended.map(({ entry }) => canonicalJson(entry));
    await tx.query(
      `insert into transparency_log_entry (log_name, idx, kind, subject, data, leaf_hash, logged_at)
       select $1, $2::bigint + t.ord - 1, t.kind, t.subject, t.data, decode(t.hash, 'hex'), $3
         from unnest($4::text[], $5::text[], $6::text[], $7::text[]) with ordinality as t(kind, subject, data, hash, ord)`,
      [
        this.name,
        first,
        loggedAt,
        appended.map(({ entry }) => entry.kind),
        entries.map((e) => e.subject),
        data,
        data.map((d) => leafHash(Buffer.from(d, 'utf8')).toString('hex')),
      ],
      { prepare: true },
    );
    return appended;
  }

  /**
   * Brings the in-memory tree up to the stored log (committed entries only). Safe to run
   * concurrently: a row is appended only when it is the next index.
   */
  async sync(db: Queryable): Promise<number> {
    for (;;) {
      const rows = await db.query<{ idx: string; leaf_hash: Buffer | Uint8Array }>(
        `select idx, leaf_hash from transparency_log_entry where log_name = $1 and idx >= $2 order by idx limit 50000`,
        [this.name, this.tree.size],
        { prepare: true },
      );
      for (const row of rows) {
        if (Number(row.idx) === this.tree.size) this.tree.append(Buffer.from(row.leaf_hash));
      }
      if (rows.length < 50000) return this.tree.size;
    }
  }

  /** Signs a checkpoint of the current size unless the latest already covers it. */
  async checkpoint(db: Transactional): Promise<Checkpoint> {
    return db.transaction(async (tx) => {
      const [locked] = await tx.query<{ size: string }>(
        `select size from transparency_log where name = $1 for update`,
        [this.name],
      );
      const size = Number(locked!.size);
      const latest = await this.latestCheckpoint(tx);
      if (latest && latest.treeSize >= size) return latest;
      await this.sync(tx);
      const head = this.head;
      const body = {
        origin: head.origin,
        treeSize: size,
        rootHash: this.tree.root(size).toString('base64'),
        timestamp: new Date().toISOString(),
      };
      const signature = this.signer.sign(head, 'logKey', Buffer.from(checkpointBody(body), 'utf8'));
      const checkpoint: Checkpoint = {
        ...body,
        keyId: head.keyId,
        algorithm: head.algorithm,
        signature: signature.toString('base64'),
      };
      await tx.query(
        `insert into transparency_log_checkpoint (log_name, tree_size, root_hash, signed_at, key_id, algorithm, signature)
         values ($1, $2, decode($3, 'base64'), $4, $5, $6, $7)`,
        [
          this.name,
          size,
          checkpoint.rootHash,
          checkpoint.timestamp,
          checkpoint.keyId,
          checkpoint.algorithm,
          checkpoint.signature,
        ],
      );
      return checkpoint;
    });
  }

  async latestCheckpoint(db: Queryable): Promise<Checkpoint | null> {
    const [row] = await db.query<CheckpointRow>(
      `${CHECKPOINT_SQL} where log_name = $1 order by tree_size desc limit 1`,
      [this.name],
      { prepare: true },
    );
    return row ? this.#checkpointOf(row) : null;
  }

  async checkpointOfSize(db: Queryable, treeSize: number): Promise<Checkpoint | null> {
    const [row] = await db.query<CheckpointRow>(`${CHECKPOINT_SQL} where log_name = $1 and tree_size = $2`, [
      this.name,
      treeSize,
    ]);
    return row ? this.#checkpointOf(row) : null;
  }

  /** Checkpoints, newest first. */
  async checkpoints(db: Queryable, limit: number): Promise<Checkpoint[]> {
    const rows = await db.query<CheckpointRow>(
      `${CHECKPOINT_SQL} where log_name = $1 order by tree_size desc limit $2`,
      [this.name, limit],
    );
    return rows.map((row) => this.#checkpointOf(row));
  }

  #checkpointOf(row: CheckpointRow): Checkpoint {
    return {
      origin: this.head.origin,
      treeSize: Number(row.tree_size),
      rootHash: Buffer.from(row.root_hash).toString('base64'),
      timestamp: row.signed_at.toISOString(),
      keyId: row.key_id,
      algorithm: row.algorithm,
      signature: row.signature,
    };
  }

  /** The latest checkpoint that covers `index`, signing a new one on demand. */
  async checkpointCovering(db: Transactional & Queryable, index: number): Promise<Checkpoint> {
    const latest = await this.latestCheckpoint(db);
    if (latest && latest.treeSize > index) return latest;
    return this.checkpoint(db);
  }

  async inclusionProof(db: Queryable, index: number, treeSize: number): Promise<InclusionProof> {
    if (this.tree.size < treeSize) await this.sync(db);
    return {
      leafIndex: index,
      treeSize,
      hashes: this.tree.inclusionProof(index, treeSize).map((h) => h.toString('base64')),
    };
  }

  async consistencyProof(db: Queryable, oldSize: number, newSize: number): Promise<string[]> {
    if (this.tree.size < newSize) await this.sync(db);
    return this.tree.consistencyProof(oldSize, newSize).map((h) => h.toString('base64'));
  }

  /** Entries by index (canonical JSON parsed), for proofs and bundles. */
  async entries(db: Queryable, indexes: number[]): Promise<Map<number, E>> {
    const rows = await db.query<{ idx: string; data: string }>(
      `select idx, data from transparency_log_entry where log_name = $1 and idx = any($2::bigint[])`,
      [this.name, indexes],
    );
    return new Map(rows.map((r) => [Number(r.idx), JSON.parse(r.data) as E]));
  }

  /** The entries about a subject after `fromIndex`, in log order. */
  async entriesAbout(db: Queryable, subject: string, fromIndex = -1): Promise<AppendedEntry<E>[]> {
    const rows = await db.query<{ idx: string; data: string }>(
      `select idx, data from transparency_log_entry where log_name = $1 and subject = $2 and idx > $3 order by idx`,
      [this.name, subject, fromIndex],
    );
    return rows.map((r) => ({ index: Number(r.idx), entry: JSON.parse(r.data) as E }));
  }

  /**
   * Audits the stored log from scratch: every leaf hash must match its data, and the
   * root recomputed from the stored leaves must equal every signed checkpoint's root
   * (with a valid signature). An entry edited, removed or inserted breaks it.
   */
  async audit(db: Queryable): Promise<LogAudit> {
    const problems: string[] = [];
    const tree = new MerkleTree();
    let expected = 0;
    for (;;) {
      const rows = await db.query<{ idx: string; data: string; leaf_hash: Buffer | Uint8Array }>(
        `select idx, data, leaf_hash from transparency_log_entry where log_name = $1 and idx >= $2 order by idx limit 50000`,
        [this.name, expected],
      );
      for (const row of rows) {
        const index = Number(row.idx);
        if (index !== expected) problems.push(`entry ${expected} is missing (next stored is ${index})`);
        const hash = leafHash(Buffer.from(row.data, 'utf8'));
        if (!hash.equals(Buffer.from(row.leaf_hash)))
          problems.push(`entry ${index}: data does not match its leaf hash`);
        tree.append(hash);
        expected = index + 1;
      }
      if (rows.length < 50000) break;
    }
    const checkpoints = await this.checkpoints(db, 1_000_000);
    for (const checkpoint of checkpoints) {
      if (!verifyCheckpoint(checkpoint, this.publicKey))
        problems.push(`checkpoint ${checkpoint.treeSize}: the signature does not verify`);
      if (checkpoint.treeSize > tree.size)
        problems.push(`checkpoint ${checkpoint.treeSize}: the log holds only ${tree.size} entries`);
      else if (tree.root(checkpoint.treeSize).toString('base64') !== checkpoint.rootHash)
        problems.push(`checkpoint ${checkpoint.treeSize}: the stored entries give another root hash`);
    }
    return {
      name: this.name,
      size: tree.size,
      checkpoints: checkpoints.length,
      ok: problems.length === 0,
      problems,
    };
  }

  /** Checks a proof the way a client would (a guard against serving a wrong one). */
  static proofHolds(entry: LoggedEntry, proof: InclusionProof, checkpoint: Checkpoint): boolean {
    return verifyInclusion(
      leafHash(Buffer.from(canonicalJson(entry), 'utf8')),
      proof.leafIndex,
      proof.treeSize,
      proof.hashes.map((h) => Buffer.from(h, 'base64')),
      Buffer.from(checkpoint.rootHash, 'base64'),
    );
  }
}

/** The database (not a transaction): a checkpoint runs in its own transaction. */
export interface Transactional {
  transaction<T>(fn: (tx: Executor) => Promise<T>): Promise<T>;
}

export interface LogAudit {
  name: string;
  size: number;
  checkpoints: number;
  ok: boolean;
  problems: string[];
}

interface HeadRow {
  origin: string;
  key_id: string;
  algorithm: SignatureAlgorithm;
  public_key: string;
  private_key: string;
}

const HEAD_SQL = `select origin, key_id, algorithm, public_key, private_key from transparency_log where name = $1`;
const CHECKPOINT_SQL = `select tree_size, root_hash, signed_at, key_id, algorithm, signature from transparency_log_checkpoint`;
