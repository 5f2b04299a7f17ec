import type { Queryable } from '../../kernel/db.ts';
import { canonicalJson, type LogAudit } from '../licenses/index.ts';
import type { AccessEntry, ExchangeDeps } from './service.ts';

/**
 * The access audit: every query of shared data is a row of `exchange_access` written with
 * the query; the sequencer appends unsealed rows to the exchange transparency log in
 * batches (so queries never wait for the log's lock) and records each row's log index.
 * From then on a row edited or deleted no longer matches its sealed entry, and an entry
 * removed breaks the signed checkpoints: `auditAccesses` finds both.
 */
export const EXCHANGE_LOG = 'exchange';

interface AccessRow {
  id: string;
  at: Date;
  consumer_id: string;
  resource_code: string;
  operation: AccessEntry['operation'];
  subject_index: string | null;
  purpose: string | null;
  fields: string[];
  result_count: number;
  outcome: AccessEntry['outcome'];
  reason: string | null;
  log_index?: string | null;
}

const ACCESS_COLUMNS = `id, at, consumer_id, resource_code, operation, subject_index, purpose, fields, result_count, outcome, reason`;

const entryOf = (r: AccessRow): Omit<AccessEntry, 'loggedAt'> => ({
  kind: 'exchange.access',
  accessId: Number(r.id),
  at: r.at.toISOString(),
  consumerId: r.consumer_id,
  resource: r.resource_code,
  operation: r.operation,
  subjectIndex: r.subject_index,
  purpose: r.purpose,
  fields: r.fields,
  resultCount: r.result_count,
  outcome: r.outcome,
  reason: r.reason,
});

/** Seals up to `limit` unsealed access rows into the log; returns how many. */
export async function sequenceAccesses(
  deps: Pick<ExchangeDeps, 'db' | 'log'>,
  limit = 5000,
): Promise<number> {
  return deps.db.transaction(async (tx) => {
    const rows = await tx.query<AccessRow>(
      `select ${ACCESS_COLUMNS} from exchange_access where log_index is null order by id limit $1 for update skip locked`,
      [limit],
    );
    if (rows.length === 0) return 0;
    const appended = await deps.log.append(
      tx,
      rows.map((r) => ({ subject: r.id, entry: entryOf(r) })),
    );
    await tx.query(
      `update exchange_access a set log_index = t.idx from unnest($1::bigint[], $2::bigint[]) as t(id, idx) where a.id = t.id`,
      [rows.map((r) => r.id), appended.map((a) => a.index)],
    );
    return rows.length;
  });
}

/**
 * Audits the exchange log from scratch (leaves and checkpoints) and every sealed access row
 * against its entry: a row edited, deleted, or pointing elsewhere is reported.
 */
export async function auditAccesses(deps: Pick<ExchangeDeps, 'db' | 'log'>): Promise<LogAudit> {
  const audit = await deps.log.audit(deps.db);
  const problems = [...audit.problems];
  const db: Queryable = deps.db;
  const PAGE = 10_000;
  for (let start = 0; start < audit.size; start += PAGE) {
    const entries = await db.query<{ idx: string; data: string }>(
      `select idx, data from transparency_log_entry where log_name = $1 and idx >= $2 and idx < $3 order by idx`,
      [EXCHANGE_LOG, start, start + PAGE],
    );
    const rows = await db.query<AccessRow>(
      `select ${ACCESS_COLUMNS}, log_index from exchange_access where log_index >= $1 and log_index < $2`,
      [start, start + PAGE],
    );
    const byIndex = new Map(rows.map((r) => [Number(r.log_index), r]));
    for (const e of entries) {
      const entry = JSON.parse(e.data) as AccessEntry;
      const row = byIndex.get(Number(e.idx));
      if (!row) problems.push(`access ${entry.accessId} (entry ${e.idx}) is missing`);
      else if (canonicalJson({ ...entryOf(row), loggedAt: entry.loggedAt }) !== e.data)
        problems.push(`access ${row.id} (entry ${e.idx}) does not match its sealed entry`);
      byIndex.delete(Number(e.idx));
    }
    for (const row of byIndex.values())
      problems.push(`access ${row.id} points to entry ${row.log_index}, which does not seal it`);
  }
  return { ...audit, ok: problems.length === 0, problems };
}

export interface AccessView {
  id: number;
  at: string;
  consumer: string;
  resource: string;
  resourceName: string;
  operation: AccessEntry['operation'];
  purpose: string | null;
  fields: string[];
  resultCount: number;
  outcome: AccessEntry['outcome'];
  reason: string | null;
  sealed: boolean;
}

const VIEW_SQL = `select a.id, a.at, a.consumer_name, a.resource_code, r.name as resource_name, a.operation, a.purpose,
  a.fields, a.result_count, a.outcome, a.reason, a.log_index is not null as sealed, count(*) over () as total
  from exchange_access a join exchange_resource r on r.code = a.resource_code join exchange_consumer c on c.id = a.consumer_id`;

const toView = (r: Record<string, unknown>): AccessView => ({
  id: Number(r.id),
  at: (r.at as Date).toISOString(),
  consumer: r.consumer_name as string,
  resource: r.resource_code as string,
  resourceName: r.resource_name as string,
  operation: r.operation as AccessEntry['operation'],
  purpose: (r.purpose as string | null) ?? null,
  fields: r.fields as string[],
  resultCount: Number(r.result_count),
  outcome: r.outcome as AccessEntry['outcome'],
  reason: (r.reason as string | null) ?? null,
  sealed: r.sealed === true,
});

/** Who used the data of these organisations (providers) or what they used (consumers), newest first. */
export async function listAccesses(
  db: Queryable,
  filter: { organisationIds: number[] | null; resource?: string; page: number; size: number },
): Promise<{ items: AccessView[]; total: number }> {
  const rows = await db.query<Record<string, unknown>>(
    `${VIEW_SQL} where ($1::bigint[] is null or r.provider_organisation_id = any($1) or c.organisation_id = any($1))
        and ($2::text is null or a.resource_code = $2)
      order by a.at desc, a.id desc limit $3 offset $4`,
    [filter.organisationIds, filter.resource ?? null, filter.size, (filter.page - 1) * filter.size],
  );
  return { items: rows.map(toView), total: Number(rows[0]?.total ?? 0) };
}

/** "Who looked at my data, when, for what purpose": the accesses about one data subject. */
export async function accessesAbout(
  db: Queryable,
  subjectIndex: string,
  page: { page: number; size: number },
): Promise<{ items: AccessView[]; total: number }> {
  const rows = await db.query<Record<string, unknown>>(
    `${VIEW_SQL} where a.subject_index = $1 order by a.at desc, a.id desc limit $2 offset $3`,
    [subjectIndex, page.size, (page.page - 1) * page.size],
  );
  return { items: rows.map(toView), total: Number(rows[0]?.total ?? 0) };
}
