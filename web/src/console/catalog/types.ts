import type { paths } from '../../api/schema.d.ts';

/**
 * Shapes the catalog editor reads and writes. Elements come from the generated client
 * (the draft route's body); responses the server declares no full schema for are typed
 * here from src/modules/catalog (queries.ts ItemVersion, bundles.ts).
 */

export type ItemElements =
  paths['/api/v1/catalog/items/{code}/draft']['put']['requestBody']['content']['application/json'];
export type Material = ItemElements['materials'][number];
export type Step = ItemElements['process'][number];
export type ManagedItem =
  paths['/api/v1/catalog/manage/items']['get']['responses'][200]['content']['application/json']['items'][number];

export type VersionStatus = 'draft' | 'in_review' | 'published' | 'superseded' | 'retired';
export type VersionAction = 'submit' | 'reject' | 'publish' | 'retire';

type ListedVersion =
  paths['/api/v1/catalog/items/{code}/versions']['get']['responses'][200]['content']['application/json']['items'][number];

/**
 * One version of a basic item (src/modules/catalog/queries.ts ItemVersion). The versions
 * list also names who created and published it; the draft and lifecycle responses do not.
 */
export interface ItemVersion extends ItemElements {
  id: number;
  code: string;
  version: number;
  status: VersionStatus;
  createdBy: string;
  createdByName?: ListedVersion['createdByName'];
  createdByDepartment?: ListedVersion['createdByDepartment'];
  createdAt: string;
  updatedAt: string;
  publishedAt: string | null;
  publishedBy: string | null;
  publishedByName?: ListedVersion['publishedByName'];
  publishedByDepartment?: ListedVersion['publishedByDepartment'];
}

/** One audited change, with the name of who made it (src/kernel/audit.ts AuditRecord). */
export type AuditRecord =
  paths['/api/v1/catalog/items/{code}/audit']['get']['responses'][200]['content']['application/json']['items'][number];

export interface BundleSummary {
  code: string;
  name: string;
  lifeEvent: string | null;
  audience: 'natural_person' | 'legal_person';
  description: string;
  items: { code: string; name: string }[];
}

/** Actions each status allows (src/modules/catalog/model.ts VERSION_LIFECYCLE). */
export const VERSION_LIFECYCLE: Record<VersionStatus, VersionAction[]> = {
  draft: ['submit'],
  in_review: ['publish', 'reject'],
  published: ['retire'],
  superseded: [],
  retired: [],
};

/** The elements of a version, without its bookkeeping: what a draft is saved from. */
export function elementsOf(v: ItemVersion): ItemElements {
  return {
    name: v.name,
    subSituation: v.subSituation,
    typeCode: v.typeCode,
    department: v.department,
    legalBasis: v.legalBasis,
    audience: v.audience,
    handlingType: v.handlingType,
    legalLimitDays: v.legalLimitDays,
    promisedLimitDays: v.promisedLimitDays,
    visits: v.visits,
    onlineDepth: v.onlineDepth,
    fee: v.fee,
    materials: v.materials,
    process: v.process,
    specialProcedures: v.specialProcedures,
    resultLicence: v.resultLicence,
    lifeEvents: v.lifeEvents,
    keywords: v.keywords,
    ...(v.formSchema && { formSchema: v.formSchema }),
    ...(v.workflow !== undefined && { workflow: v.workflow }),
  };
}
