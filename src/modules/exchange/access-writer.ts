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

/** Inserts access rows in one statement (column arrays, so any number of rows is one round trip). */
export async function insertAccessRows(db: Queryable, rows: AccessRow[]): Promise<void> {
  if (rows.length === 0) return;
  await db.query(
    `insert into exchange_access (consumer_id, consumer_name, grant_id, resource_code, operation, subject_index, purpose,
                                  fields, result_count, outcome, reason)
     select t.consumer_id, t.consumer_name, t.grant_id, t.resource_code, t.operation, t.subject_index, t.purpose,
            array(select jsonb_array_elements_text(t.fields)), t.result_count, t.outcome, t.reason
       from unnest($1::uuid[], $2::text[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[], $8::jsonb[],
                   $9::int[], $10::text[], $11::text[])
         as t(consumer_id, consumer_name, grant_id, resource_code, operation, subject_index, purpose, fields,
              result_count, outcome, reason)`,
    [
      rows.map((r) => r.consumerId),
      rows.map((r) => r.consumerName),
      rows.map((r) => r.grantId),
      rows.map((r) => r.resource),
      rows.map((r) => r.operation),
      rows.map((r) => r.subjectIndex),
      rows.map((r) => r.purpose),
      rows.map((r) => JSON.stringify(r.fields)),
      rows.map((r) => r.resultCount),
      rows.map((r) => r.outcome),
      rows.map((r) => r.reason),
    ],
    { prepare: true },
  );
}
