import type { paths } from '../../api/schema.d.ts';

/** Shapes the pages of my space read; those without a response schema follow the server's code. */
type Ok<P extends keyof paths, M extends 'get' | 'post' | 'delete'> = paths[P][M] extends {
  responses: { 200: { content: { 'application/json': infer T } } };
}
  ? T
  : paths[P][M] extends { responses: { 201: { content: { 'application/json': infer T } } } }
    ? T
    : never;

export type Message = Ok<'/api/v1/messages', 'get'>['items'][number];
export type WalletLicence = Ok<'/api/v1/my/licenses', 'get'>[number];
export type LicenceDetail = Ok<'/api/v1/my/licenses/{id}', 'get'>;
export type Authorisation = Ok<'/api/v1/my/licenses/{id}/authorisations', 'get'>[number];
export type NewAuthorisation = Ok<'/api/v1/my/licenses/{id}/authorisations', 'post'>;
export type LicenceAccess = Ok<'/api/v1/my/licenses/{id}/accesses', 'get'>['items'][number];

/** GET /api/v1/my/cases (src/modules/cases/read.ts casesOfApplicant). */
export interface MyCase {
  caseId: string;
  number: string;
  part: number;
  itemCode: string;
  itemName: string;
  organisationName: string;
  status: string;
  statusName: string;
  statusNameEn: string;
  terminal: boolean;
  submittedAt: string;
  promisedDeadline: string | null;
  clockState: string;
}

export interface Bilingual {
  zh: string;
  en: string;
}

/** One step of a case (src/modules/cases/read.ts TimelineEntry). */
export interface TimelineEntry {
  at: string;
  action: string;
  actionName: Bilingual;
  to: string;
  toName: Bilingual;
  role: string;
  reason: string | null;
  details: { needed?: { name: string; problem: string }[]; supplied?: { name: string; filename: string }[] };
}

/** GET /api/v1/cases/{id} as its applicant sees it (src/modules/cases/routes.ts). */
export interface CaseDetail {
  id: string;
  number: string;
  applicationId: string;
  status: string;
  statusName: Bilingual;
  version: number;
  item: { code: string; name: string };
  organisation: { name: string };
  applicant: { kind: string; name: string };
  submittedAt: string;
  endedAt: string | null;
  paused: boolean;
  allowedActions: { action: string; name: Bilingual }[];
  timeline: TimelineEntry[];
}

/** GET /api/v1/cases/{id}/documents (src/modules/cases/case-documents.ts). */
export interface CaseDocument {
  id: string;
  kind: string;
  title: string;
  size: number;
  createdAt: string;
}

/** GET /api/v1/my/data-accesses (src/modules/exchange/audit.ts AccessView). */
export interface DataAccess {
  id: number;
  at: string;
  consumer: string;
  resource: string;
  resourceName: string;
  operation: string;
  purpose: string | null;
  fields: string[];
  outcome: string;
}
