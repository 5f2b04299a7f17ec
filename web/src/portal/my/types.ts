import type { ResponseOf } from '../../api/client.ts';

/** Shapes the pages of my space read; those without a response schema follow the server's code. */
export type Message = ResponseOf<'/api/v1/messages', 'get'>['items'][number];
export type WalletLicence = ResponseOf<'/api/v1/my/licenses', 'get'>[number];
export type LicenceDetail = ResponseOf<'/api/v1/my/licenses/{id}', 'get'>;
export type Authorisation = ResponseOf<'/api/v1/my/licenses/{id}/authorisations', 'get'>[number];
export type NewAuthorisation = ResponseOf<'/api/v1/my/licenses/{id}/authorisations', 'post'>;
export type LicenceAccess = ResponseOf<'/api/v1/my/licenses/{id}/accesses', 'get'>['items'][number];

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
export type CaseDetail = ResponseOf<'/api/v1/cases/{id}', 'get'>;
/** One step of a case. */
export type TimelineEntry = CaseDetail['timeline'][number];

export type DataAccess = ResponseOf<'/api/v1/my/data-accesses', 'get'>['items'][number];
