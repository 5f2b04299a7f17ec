import { createHash } from 'node:crypto';
import { randomToken } from '../../kernel/crypto.ts';
import type { Database, Queryable } from '../../kernel/db.ts';
import type { FileStorage } from '../../kernel/files/index.ts';
import type { DeliveredEvent } from '../../kernel/outbox.ts';
import { DOCUMENT_TITLES, renderCaseDocument, type CaseDocumentKind } from './documents.ts';
import type { CaseStepEvent } from './events.ts';
import { STEP_DOCUMENTS } from './service.ts';
import { findCase } from './store.ts';
import type { CaseAction } from './workflow.ts';

/**
 * The documents a step produces for the applicant (受理通知书, 补正材料通知书 ...), rendered as
 * PDF after the step commits (outbox subscriber `cases.documents`: rendering stays off the
 * transition's hot path) and stored with the case. Each carries a random verification code
 * in its QR link; anyone holding the document can check it against the platform.
 */

export const DOCUMENT_SUBSCRIBER = 'cases.documents';

export interface CaseDocument {
  id: string;
  kind: CaseDocumentKind;
  title: string;
  size: number;
  sha256: string;
  createdAt: Date;
}

export const verifyPath = (code: string) => `/verify/case-documents/${code}`;

/** Renders and stores the document of a step, once (a redelivered event finds it made). */
export async function produceDocument(
  db: Database,
  storage: FileStorage,
  publicUrl: string,
  event: DeliveredEvent<CaseStepEvent>,
): Promise<string | null> {
  const step = event.payload;
  const kind = STEP_DOCUMENTS[step.action as CaseAction] as CaseDocumentKind | undefined;
  if (!kind) return null;
  const [existing] = await db.query<{ id: string }>(
    'select id from case_document where case_id = $1 and kind = $2 and step_version = $3',
    [step.caseId, kind, step.version],
  );
  if (existing) return existing.id;
  const c = await findCase(db, step.caseId);
  if (!c) return null;
  const code = randomToken(16);
  const bytes = Buffer.from(
    await renderCaseDocument({
      kind,
      caseNumber: step.caseNumber,
      itemName: step.itemName,
      organisationName: step.organisationName,
      applicantName: step.applicant.name,
      issuedAt: new Date(step.at),
      reason: step.reason,
      materials: step.needed ?? [],
      promisedDeadline: kind === 'acceptance_notice' ? c.promisedDeadline : null,
      verifyUrl: `${publicUrl}${verifyPath(code)}`,
    }),
  );
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  await storage.put(sha256, bytes);
  return db.transaction(async (tx) => {
    await tx.query(
      `insert into stored_file (sha256, size, media_type) values ($1, $2, 'application/pdf') on conflict do nothing`,
      [sha256, bytes.length],
    );
    const [row] = await tx.query<{ id: string }>(
      `insert into case_document (case_id, kind, step_version, sha256, size, verification_code)
       values ($1, $2, $3, $4, $5, $6) on conflict (case_id, kind, step_version) do nothing returning id`,
      [step.caseId, kind, step.version, sha256, bytes.length, code],
    );
    return row?.id ?? null;
  });
}

export async function documentsOf(db: Queryable, caseId: string): Promise<CaseDocument[]> {
  const rows = await db.query<{
    id: string;
    kind: CaseDocumentKind;
    size: number;
    sha256: string;
    created_at: Date;
  }>(
    'select id, kind, size, sha256, created_at from case_document where case_id = $1 order by created_at, id',
    [caseId],
  );
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    title: DOCUMENT_TITLES[r.kind].zh,
    size: r.size,
    sha256: r.sha256,
    createdAt: r.created_at,
  }));
}

/** What the public verification of a document shows: enough to compare with the paper, nothing personal. */
export async function verifyDocument(db: Queryable, code: string) {
  const [row] = await db.query<Record<string, unknown>>(
    `select d.kind, d.sha256, d.size, d.created_at, c.number, c.item_name, c.organisation_name, c.status
       from case_document d join cases c on c.id = d.case_id where d.verification_code = $1`,
    [code],
  );
  if (!row) return null;
  const kind = row.kind as CaseDocumentKind;
  return {
    genuine: true as const,
    kind,
    title: DOCUMENT_TITLES[kind],
    caseNumber: row.number as string,
    itemName: row.item_name as string,
    organisationName: row.organisation_name as string,
    issuedAt: row.created_at as Date,
    sha256: row.sha256 as string,
    size: row.size as number,
  };
}
