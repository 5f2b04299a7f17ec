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

/** GET /api/v1/cases/{id} as its applicant sees it. */
export type CaseDetail = Ok<'/api/v1/cases/{id}', 'get'>;
/** One step of a case. */
export type TimelineEntry = CaseDetail['timeline'][number];

export type DataAccess = Ok<'/api/v1/my/data-accesses', 'get'>['items'][number];
