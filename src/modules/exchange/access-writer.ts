import type { Queryable } from '../../kernel/db.ts';

/** One access row as the queries produce it. */
export interface AccessRow {
  consumerId: string;
  consumerName: string;
  grantId: string | null;
  resource: string;
  operation: 'lookup' | 'verify' | 'batch' | 'feed';
  subjectIndex: string | null;
  purpose: string | null;
  fields: string[];
  resultCount: number;
  outcome: 'allowed' | 'denied';
  reason: string | null;
}

/**
 * Group commit of access rows. Every query waits until its rows are committed before it
 * answers (an answer never leaves unrecorded), but the rows of queries arriving while a
 * write is in flight go together in the next one: under load, one insert and one WAL flush
 * serve many lookups; alone, a lookup waits for nothing but its own insert.
 */
export class AccessWriter {
  readonly #db: Queryable;
  #pending: { rows: AccessRow[]; done: () => void; failed: (error: unknown) => void }[] = [];
  #writing = false;

  constructor(db: Queryable) {
    this.#db = db;
  }

  write(rows: AccessRow[]): Promise<void> {
    return new Promise((done, failed) => {
      this.#pending.push({ rows, done, failed });
      if (!this.#writing) void this.#drain();
    });
  }

  async #drain(): Promise<void> {
    this.#writing = true;
    try {
      while (this.#pending.length > 0) {
        const batch = this.#pending;
        this.#pending = [];
        try {
          await insertAccessRows(
            this.#db,
            batch.flatMap((b) => b.rows),
          );
          for (const b of batch) b.done();
        } catch (error) {
          for (const b of batch) b.failed(error);
        }
      }
    } finally {
      this.#writing = false;
    }
  }
}

/** Inserts access rows in one statement (the rows as one JSON parameter, so any number is one round trip). */
export async function insertAccessRows(db: Queryable, rows: AccessRow[]): Promise<void> {
  if (rows.length === 0) return;
  await db.query(
    `insert into exchange_access (consumer_id, consumer_name, grant_id, resource_code, operation, subject_index, purpose,
                                  fields, result_count, outcome, reason)
     select t."consumerId", t."consumerName", t."grantId", t.resource, t.operation, t."subjectIndex", t.purpose,
            t.fields, t."resultCount", t.outcome, t.reason
       from jsonb_to_recordset($1::jsonb) as t("consumerId" uuid, "consumerName" text, "grantId" uuid, resource text,
            operation text, "subjectIndex" text, purpose text, fields text[], "resultCount" int, outcome text, reason text)`,
    [JSON.stringify(rows)],
    { prepare: true },
  );
}
