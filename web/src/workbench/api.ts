import { api, data } from '../api/client.ts';

/**
 * What the workbench reads from the cases API. The list, detail, timeline, documents and
 * audit routes declare no response schema, so their shapes are written down here from the
 * server's (src/modules/cases: read.ts, routes.ts, store.ts, clock.ts).
 */

export const CASE_STATUSES = [
  'submitted',
  'prereviewing',
  'accepted',
  'rejected',
  'supplementing',
  'under_review',
  'suspended',
  'decided_approved',
  'decided_denied',
  'certificate_made',
  'delivered',
  'completed',
  'withdrawn',
  'returned',
] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

export type ClockState = 'green' | 'yellow' | 'red';
export type View = 'mine' | 'department' | 'all';

export interface WorkbenchRow {
  id: string;
  number: string;
  status: CaseStatus;
  version: number;
  itemCode: string;
  itemName: string;
  applicantName: string;
  applicantKind: string;
  organisationName: string;
  submittedAt: string;
  promisedDeadline: string | null;
  clockState: ClockState;
  paused: boolean;
  dueAt: string | null;
  overdue: boolean;
  remainingWorkingDays: number | null;
}

export interface ClockReading {
  limitDays: number;
  deadline: string | null;
  usedWorkingDays: number;
  remainingWorkingDays: number;
  shareUsed: number;
  state: ClockState;
  paused: boolean;
  stopped: boolean;
}

export interface CaseMaterial {
  name: string;
  source: 'upload' | 'drive' | 'registry' | 'licence';
  sha256?: string;
  filename?: string;
  mediaType?: string;
  size?: number;
  record?: { registry: string; key: string; data: Record<string, unknown>; fetchedAt: string };
  suppliedAt?: string;
}

export interface Bilingual {
  zh: string;
  en: string;
}

export interface TimelineEntry {
  at: string;
  action: string;
  actionName: Bilingual;
  from: string;
  to: string;
  toName: Bilingual;
  role: string;
  stage: string | null;
  branch: string | null;
  reason: string | null;
  details: { needed?: { name: string; problem: string }[] } & Record<string, unknown>;
  actor?: string;
}

export interface CaseTask {
  id: number;
  stage: string;
  branch: string | null;
  role: string;
  organisationId: number;
  startedAt: string;
  dueAt: string | null;
  finishedAt: string | null;
  clock: ClockReading | null;
}

export interface CaseDetail {
  id: string;
  number: string;
  status: CaseStatus;
  statusName: Bilingual;
  version: number;
  item: { id: number; code: string; name: string; versionId: number };
  organisation: { id: number; name: string };
  applicant: { kind: string; name: string; enterpriseUscc?: string | null };
  channel: string;
  formData: Record<string, unknown>;
  materials: CaseMaterial[];
  process: { stages: { code: string; name: string; kind: string; role: string }[] };
  submittedAt: string;
  acceptedAt: string | null;
  endedAt: string | null;
  paused: boolean;
  clockState: ClockState;
  allowedActions: { action: string; name: Bilingual }[];
  clocks: { legal: ClockReading | null; promised: ClockReading | null; tasks: CaseTask[] };
  timeline: TimelineEntry[];
}

export interface CaseDocument {
  id: string;
  kind: string;
  title: string;
  size: number;
  createdAt: string;
}

export interface AuditEntry {
  seq: number;
  at: string;
  actor: string;
  action: string;
  hash: string;
}
export interface AuditTrail {
  verification: { ok: boolean; length?: number; problem?: string };
  entries: AuditEntry[];
}

export interface ListQuery {
  view: View;
  overdue?: boolean;
  status?: CaseStatus[];
  itemCode?: string;
  applicant?: string;
  page: number;
  size: number;
}

export const listCases = (query: ListQuery) =>
  data<{ items: WorkbenchRow[]; total: number }>(api.GET('/api/v1/cases', { params: { query } }));

export const loadCase = (id: string) =>
  data<CaseDetail>(api.GET('/api/v1/cases/{id}', { params: { path: { id } } }));

export const loadDocuments = (id: string) =>
  data<{ items: CaseDocument[] }>(api.GET('/api/v1/cases/{id}/documents', { params: { path: { id } } }));

export const loadAudit = (id: string) =>
  data<AuditTrail>(api.GET('/api/v1/cases/{id}/audit', { params: { path: { id } } }));

export type StepBody = {
  version: number;
  reason?: string;
  needed?: { name: string; problem: string }[];
  days?: number;
  expectedDays?: number;
};

export const takeAction = (id: string, action: string, body: StepBody) =>
  data<{ status: CaseStatus; version: number }>(
    api.POST('/api/v1/cases/{id}/actions/{action}', {
      params: { path: { id, action: action as never } },
      body,
    }),
  );

/** Where a material's file is read (the browser sends the session cookie). */
export const materialUrl = (caseId: string, sha256: string) =>
  `/api/v1/cases/${encodeURIComponent(caseId)}/materials/${sha256}`;

export const documentUrl = (caseId: string, documentId: string) =>
  `/api/v1/cases/${encodeURIComponent(caseId)}/documents/${encodeURIComponent(documentId)}`;
