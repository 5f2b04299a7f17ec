import type { Queryable } from './db.ts';

export interface AuditEntry {
  actor: string;
  onBehalfOf?: string | undefined;
  action: string;
  entity: string;
  entityId: string;
  before?: unknown;
  after?: unknown;
  ip?: string | undefined;
  requestId?: string | undefined;
}

/** Who did the change, taken from a request. */
export interface Actor {
  actor: string;
  /** The enterprise (or person) the actor acts for, when not for themselves. */
  onBehalfOf?: string | undefined;
  ip?: string | undefined;
  requestId?: string | undefined;
}

/** Writes one audit record; call it inside the transaction that makes the change. */
export async function audit(db: Queryable, entry: AuditEntry): Promise<void> {
  await db.query(
    `insert into audit_log (actor, on_behalf_of, action, entity, entity_id, before, after, ip, request_id)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [
      entry.actor,
      entry.onBehalfOf ?? null,
      entry.action,
      entry.entity,
      entry.entityId,
      entry.before === undefined ? null : JSON.stringify(entry.before),
      entry.after === undefined ? null : JSON.stringify(entry.after),
      entry.ip ?? null,
      entry.requestId ?? null,
    ],
  );
}

export interface AuditRecord {
  at: Date;
  actor: string;
  action: string;
  entity: string;
  entityId: string;
  before: unknown;
  after: unknown;
}

export async function auditTrail(db: Queryable, entity: string, entityId: string): Promise<AuditRecord[]> {
  return db.query<AuditRecord>(
    `select at, actor, action, entity, entity_id as "entityId", before, after
       from audit_log where entity = $1 and entity_id = $2 order by at, id`,
    [entity, entityId],
  );
}
