import type { Queryable } from '../../kernel/db.ts';
import type { CaseApplicant, CaseRef } from './events.ts';
import type { Process } from './process.ts';
import type { CaseStatus, OpinionValue } from './workflow.ts';

/** The case row as the service works with it (migrations/0017_cases.sql). */

/** A material as filed with the case, or supplied later. */
export interface CaseMaterial {
  name: string;
  source: 'upload' | 'drive' | 'registry' | 'licence';
  uploadId?: string;
  sha256?: string;
  filename?: string;
  mediaType?: string;
  size?: number;
  record?: { registry: string; key: string; data: Record<string, unknown>; fetchedAt: string };
  /** Set on materials the applicant supplied after a supplement notice. */
  suppliedAt?: string;
}

/** An opinion as stored: who gave it when, and for which stage or branch. */
export interface StoredOpinion {
  stage: string;
  branch?: string | null;
  opinion: OpinionValue;
  by: string;
  at: string;
  reason?: string | null;
}

/** A process whose departments are resolved to organisations at filing. */
export type CaseProcess = Process & {
  /** Organisation of each stage and branch: key `stage` or `stage/branch`. */
  organisations: Record<string, { id: number; name: string }>;
};

export interface CaseRow {
  id: string;
  number: string;
  applicationId: string;
  applicationNumber: string;
  part: number;
  status: CaseStatus;
  version: number;
  itemId: number;
  itemCode: string;
  itemVersionId: number;
  itemName: string;
  entryId: number | null;
  organisationId: number;
  organisationName: string;
  regionCode: string;
  applicant: CaseApplicant;
  submittedBy: string;
  channel: string;
  process: CaseProcess;
  formData: Record<string, unknown>;
  materials: CaseMaterial[];
  opinions: StoredOpinion[];
  submittedAt: Date;
  acceptedAt: Date | null;
  decidedAt: Date | null;
  endedAt: Date | null;
  extensionDays: number;
  pausedSince: Date | null;
  legalDeadline: Date | null;
  promisedDeadline: Date | null;
  clockState: 'green' | 'yellow' | 'red';
  warned: Record<string, ('yellow' | 'red')[]>;
}

export const CASE_COLUMNS = `c.id, c.number, c.application_id, c.application_number, c.part, c.status, c.version,
  c.item_id, c.item_code, c.item_version_id, c.item_name, c.entry_id, c.organisation_id, c.organisation_name,
  c.region_code, c.applicant_sub, c.applicant_kind, c.applicant_name, c.enterprise_uscc, c.submitted_by, c.channel,
  c.process, c.form_data, c.materials, c.opinions, c.submitted_at, c.accepted_at, c.decided_at, c.ended_at,
  c.extension_days, c.paused_since, c.legal_deadline, c.promised_deadline, c.clock_state, c.warned`;

type Row = Record<string, unknown>;

export function toCaseRow(r: Row): CaseRow {
  return {
    id: r.id as string,
    number: r.number as string,
    applicationId: r.application_id as string,
    applicationNumber: r.application_number as string,
    part: r.part as number,
    status: r.status as CaseStatus,
    version: r.version as number,
    itemId: r.item_id as number,
    itemCode: r.item_code as string,
    itemVersionId: r.item_version_id as number,
    itemName: r.item_name as string,
    entryId: r.entry_id as number | null,
    organisationId: r.organisation_id as number,
    organisationName: r.organisation_name as string,
    regionCode: r.region_code as string,
    applicant: {
      sub: r.applicant_sub as string,
      kind: r.applicant_kind as CaseApplicant['kind'],
      name: r.applicant_name as string,
      enterpriseUscc: r.enterprise_uscc as string | null,
    },
    submittedBy: r.submitted_by as string,
    channel: r.channel as string,
    process: r.process as CaseProcess,
    formData: r.form_data as Record<string, unknown>,
    materials: r.materials as CaseMaterial[],
    opinions: r.opinions as StoredOpinion[],
    submittedAt: r.submitted_at as Date,
    acceptedAt: r.accepted_at as Date | null,
    decidedAt: r.decided_at as Date | null,
    endedAt: r.ended_at as Date | null,
    extensionDays: r.extension_days as number,
    pausedSince: r.paused_since as Date | null,
    legalDeadline: r.legal_deadline as Date | null,
    promisedDeadline: r.promised_deadline as Date | null,
    clockState: r.clock_state as CaseRow['clockState'],
    warned: r.warned as CaseRow['warned'],
  };
}

export async function findCase(db: Queryable, id: string, lock = false): Promise<CaseRow | null> {
  const [row] = await db.query<Row>(
    `select ${CASE_COLUMNS} from cases c where c.id = $1${lock ? ' for update' : ''}`,
    [id],
    { prepare: true },
  );
  return row ? toCaseRow(row) : null;
}

/** The id of the case with this number (an application number, -NN for a bundle's part). */
export async function caseIdByNumber(db: Queryable, number: string): Promise<string | null> {
  const [row] = await db.query<{ id: string }>('select id from cases where number = $1', [number]);
  return row?.id ?? null;
}

/** What every event says about the case. */
export function caseRef(c: CaseRow): CaseRef {
  return {
    caseId: c.id,
    caseNumber: c.number,
    applicationId: c.applicationId,
    applicationNumber: c.applicationNumber,
    part: c.part,
    itemCode: c.itemCode,
    itemName: c.itemName,
    organisationId: c.organisationId,
    organisationName: c.organisationName,
    regionCode: c.regionCode,
    applicant: c.applicant,
  };
}

/** An open or finished piece of work on a case (case_task). */
export interface CaseTask {
  id: number;
  stage: string;
  branch: string | null;
  role: string;
  organisationId: number;
  startedAt: Date;
  limitDays: number;
  dueAt: Date | null;
  finishedAt: Date | null;
}

export async function tasksOf(db: Queryable, caseId: string, openOnly = false): Promise<CaseTask[]> {
  return db.query<CaseTask>(
    `select id, stage, branch, role, organisation_id as "organisationId", started_at as "startedAt",
            limit_days as "limitDays", due_at as "dueAt", finished_at as "finishedAt"
       from case_task where case_id = $1 ${openOnly ? 'and finished_at is null' : ''} order by id`,
    [caseId],
    { prepare: true },
  );
}

export interface PauseRow {
  kind: 'supplement' | 'special_procedure';
  reason: string;
  expectedDays: number | null;
  start: Date;
  end: Date | null;
}

export async function pausesOf(db: Queryable, caseId: string): Promise<PauseRow[]> {
  return db.query<PauseRow>(
    `select kind, reason, expected_days as "expectedDays", started_at as start, ended_at as "end"
       from case_pause where case_id = $1 order by started_at`,
    [caseId],
    { prepare: true },
  );
}
