import { api, data, type ResponseOf } from '../api/client.ts';
import type { paths } from '../api/schema.d.ts';

/**
 * What the workbench reads from the cases API (src/modules/cases/routes.ts, response
 * schemas in schemas.ts), typed from the generated client.
 */

/** A case as staff see it: form, materials, status, open actions, clocks and timeline. */
export type CaseDetail = ResponseOf<'/api/v1/cases/{id}', 'get'>;
export type CaseStatus = CaseDetail['status'];
export type ClockState = CaseDetail['clockState'];
export type Bilingual = CaseDetail['statusName'];
export type CaseMaterial = CaseDetail['materials'][number];
export type CaseTask = CaseDetail['clocks']['tasks'][number];
export type ClockReading = NonNullable<CaseDetail['clocks']['legal']>;
export type TimelineEntry = CaseDetail['timeline'][number];

/** One row of the workbench list, most urgent first. */
export type WorkbenchRow = ResponseOf<'/api/v1/cases', 'get'>['items'][number];
export type View = NonNullable<NonNullable<paths['/api/v1/cases']['get']['parameters']['query']>['view']>;

/** A document of the case (受理通知书, 补正材料通知书 ...). */
export type CaseDocument = ResponseOf<'/api/v1/cases/{id}/documents', 'get'>['items'][number];

/** The case's hash-chained audit trail and whether it verifies. */
export type AuditTrail = ResponseOf<'/api/v1/cases/{id}/audit', 'get'>;
export type AuditEntry = AuditTrail['entries'][number];

/** Every status, in lifecycle order (the list's status filter). */
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
] as const satisfies readonly CaseStatus[];

export interface ListQuery {
  view: View;
  overdue?: boolean;
  status?: CaseStatus[];
  itemCode?: string;
  applicant?: string;
  page: number;
  size: number;
}

export const listCases = (query: ListQuery) => data(api.GET('/api/v1/cases', { params: { query } }));

export const loadCase = (id: string) => data(api.GET('/api/v1/cases/{id}', { params: { path: { id } } }));

export const loadDocuments = (id: string) =>
  data(api.GET('/api/v1/cases/{id}/documents', { params: { path: { id } } }));

export const loadAudit = (id: string) =>
  data(api.GET('/api/v1/cases/{id}/audit', { params: { path: { id } } }));

/** What a step sends: the version seen, and the reason, notice or days it needs. */
export type StepBody =
  paths['/api/v1/cases/{id}/actions/{action}']['post']['requestBody']['content']['application/json'];

export const takeAction = (id: string, action: string, body: StepBody) =>
  data(
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
