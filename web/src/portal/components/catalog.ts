/**
 * Shapes of the catalog's public reads that have no response schema (so the client types
 * them `unknown`): the guide of an item (src/modules/catalog/read.ts ItemDetail) and the
 * bundles (src/modules/catalog/bundles.ts).
 */

export type Audience = 'natural_person' | 'legal_person';

export interface CatalogMaterial {
  name: string;
  source: 'applicant' | 'government';
  form: 'paper' | 'electronic' | 'either';
  copies: number;
  required: boolean;
  tolerated: boolean;
  note?: string;
  sample?: string;
  blankForm?: string;
}

export interface Step {
  name: string;
  code?: string;
  limitDays?: number;
}

export interface ItemDetail {
  code: string;
  basicCode: string;
  version: number;
  name: string;
  subSituation: string | null;
  type: { code: string; name: string };
  department: string;
  implementingBody: { id: number; name: string; uscc: string } | null;
  region: { code: string; name: string } | null;
  legalBasis: { title: string; level?: string }[];
  audience: Audience[];
  handlingType: 'immediate' | 'promised';
  legalLimitDays: number;
  promisedLimitDays: number;
  visits: number;
  onlineDepth: 'I' | 'II' | 'III' | 'IV';
  fee: { charged: boolean; standard?: string; basis?: string };
  materials: CatalogMaterial[];
  process: Step[];
  specialProcedures: Step[];
  resultLicence: string | null;
  lifeEvents: string[];
  address: string | null;
  phone: string | null;
  officeHours: string | null;
  publishedAt: string | null;
}

export interface BundleSummary {
  code: string;
  name: string;
  lifeEvent: string | null;
  audience: Audience;
  description: string;
  items: { code: string; name: string }[];
}

export interface BundleDetail extends BundleSummary {
  materials: (CatalogMaterial & { items: string[] })[];
}

/** One row of GET /api/v1/catalog/items (read.ts ItemSummary). */
export interface ItemSummary {
  code: string;
  basicCode: string;
  name: string;
  department: string;
  type: { code: string; name: string };
  audience: Audience[];
  promisedLimitDays: number;
  visits: number;
  onlineDepth: string;
}
