import type { Principal } from '../../kernel/auth.ts';
import type { Queryable } from '../../kernel/db.ts';
import type { ApplicationStatus, Channel, MaterialSource, Registry } from './model.ts';

/** Applications as stored; rows are parsed into these shapes here and only here. */

export interface EnterpriseRef {
  id: string;
  uscc: string;
  name: string;
}

export interface Part {
  part: number;
  itemId: number;
  itemCode: string;
  itemName: string;
  itemVersionId: number;
  entryId: number;
  entryCode: string;
  organisationId: number;
  organisationName: string;
  formData: Record<string, unknown>;
}

/** A registry (or licence) record as filled into a material (免提交). */
export interface MaterialRecord {
  registry: Registry | string;
  key: string;
  data: Record<string, unknown>;
  fetchedAt: string;
  /** A held licence (registry 'licence'): the holder's authorisation the implementing body read it through. */
  authorisationId?: string;
}

export interface StoredMaterial {
  name: string;
  source: MaterialSource;
  uploadId: string | null;
  file: { filename: string; mediaType: string; size: number; sha256: string } | null;
  record: MaterialRecord | null;
  addedBy: string;
  addedAt: Date;
}

export interface Application {
  id: string;
  number: string | null;
  status: ApplicationStatus;
  version: number;
  title: string;
  applicantSub: string;
  applicantKind: 'person' | 'enterprise';
  enterprise: EnterpriseRef | null;
  createdBy: string;
  bundle: { id: number; code: string } | null;
  regionCode: string;
  channel: Channel;
  createdAt: Date;
  updatedAt: Date;
  submittedAt: Date | null;
  completedAt: Date | null;
  parts: Part[];
  materials: StoredMaterial[];
}

type Row = Record<string, unknown>;

const APPLICATION_COLUMNS = `a.id, a.number, a.status, a.version, a.title, a.applicant_sub, a.applicant_kind,
  a.enterprise_id, a.enterprise_uscc, a.enterprise_name, a.created_by, a.bundle_id, a.bundle_code, a.region_code,
  a.channel, a.created_at, a.updated_at, a.submitted_at, a.completed_at`;

/** An application without its parts and materials. */
export type ApplicationHead = Omit<Application, 'parts' | 'materials'>;

function toHead(r: Row): ApplicationHead {
  return {
    id: r.id as string,
    number: r.number as string | null,
    status: r.status as ApplicationStatus,
    version: r.version as number,
    title: r.title as string,
    applicantSub: r.applicant_sub as string,
    applicantKind: r.applicant_kind as Application['applicantKind'],
    enterprise: r.enterprise_id
      ? {
          id: r.enterprise_id as string,
          uscc: r.enterprise_uscc as string,
          name: r.enterprise_name as string,
        }
      : null,
    createdBy: r.created_by as string,
    bundle: r.bundle_id ? { id: r.bundle_id as number, code: r.bundle_code as string } : null,
    regionCode: r.region_code as string,
    channel: r.channel as Channel,
    createdAt: r.created_at as Date,
    updatedAt: r.updated_at as Date,
    submittedAt: r.submitted_at as Date | null,
    completedAt: r.completed_at as Date | null,
  };
}

const toPart = (r: Row): Part => ({
  part: r.part as number,
  itemId: r.item_id as number,
  itemCode: r.item_code as string,
  itemName: r.item_name as string,
  itemVersionId: r.item_version_id as number,
  entryId: r.entry_id as number,
  entryCode: r.entry_code as string,
  organisationId: r.organisation_id as number,
  organisationName: r.organisation_name as string,
  formData: r.form_data as Record<string, unknown>,
});

const toMaterial = (r: Row): StoredMaterial => ({
  name: r.name as string,
  source: r.source as MaterialSource,
  uploadId: r.upload_id as string | null,
  file: r.upload_id
    ? {
        filename: r.filename as string,
        mediaType: r.media_type as string,
        size: r.size as number,
        sha256: r.sha256 as string,
      }
    : null,
  record: r.record as MaterialRecord | null,
  addedBy: r.added_by as string,
  addedAt: r.added_at as Date,
});

/**
 * Which applications the caller sees, as a SQL condition on `a`: a person acting for
 * nobody, their own personal applications; a person acting for an enterprise, that
 * enterprise's applications, and an agent only those it made or whose items all lie in
 * its mandate. Parameters are appended to `params`.
 */
export function visibleClause(principal: Principal, params: unknown[]): string {
  const acting = principal.acting;
  if (!acting) {
    params.push(principal.sub);
    return `(a.applicant_kind = 'person' and a.applicant_sub = $${params.length})`;
  }
  params.push(acting.enterpriseId);
  const enterprise = `a.enterprise_id = $${params.length}::uuid`;
  if (acting.itemCodes === null) return `(${enterprise})`;
  params.push(principal.sub, acting.itemCodes);
  const [sub, codes] = [params.length - 1, params.length];
  return `(${enterprise} and (a.created_by = $${sub} or not exists (
    select 1 from application_part sp where sp.application_id = a.id and not (sp.item_code = any($${codes}::text[])))))`;
}

export const isUuid = (value: string) =>
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);

/**
 * An application the caller may see, with its parts and materials; null when there is
 * none or it is someone else's. `lock` takes the row lock (inside a transaction).
 */
export async function findApplication(
  db: Queryable,
  principal: Principal | null,
  id: string,
  lock = false,
): Promise<Application | null> {
  if (!isUuid(id)) return null;
  const params: unknown[] = [id];
  const visible = principal ? `and ${visibleClause(principal, params)}` : '';
  const [row] = await db.query<Row>(
    `select ${APPLICATION_COLUMNS} from application a where a.id = $1 ${visible}${lock ? ' for update of a' : ''}`,
    params,
  );
  if (!row) return null;
  const parts = await db.query<Row>(
    `select part, item_id, item_code, item_name, item_version_id, entry_id, entry_code, organisation_id,
            organisation_name, form_data
       from application_part where application_id = $1 order by part`,
    [id],
  );
  const materials = await db.query<Row>(
    `select m.name, m.source, m.upload_id, m.record, m.added_by, m.added_at, f.filename, f.media_type, f.size, f.sha256
       from application_material m left join file_upload f on f.id = m.upload_id
      where m.application_id = $1 order by m.added_at, m.name`,
    [id],
  );
  return { ...toHead(row), parts: parts.map(toPart), materials: materials.map(toMaterial) };
}

export interface NewApplication {
  title: string;
  applicantSub: string;
  applicantKind: 'person' | 'enterprise';
  enterprise: EnterpriseRef | null;
  createdBy: string;
  bundle: { id: number; code: string } | null;
  regionCode: string;
  channel: Channel;
  parts: Omit<Part, 'part'>[];
}

/** Inserts a draft with its parts (numbered 1..n in the order given); returns its id. */
export async function insertApplication(tx: Queryable, a: NewApplication): Promise<string> {
  const [row] = await tx.query<{ id: string }>(
    `insert into application (title, applicant_sub, applicant_kind, enterprise_id, enterprise_uscc, enterprise_name,
                              created_by, bundle_id, bundle_code, region_code, channel)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) returning id`,
    [
      a.title,
      a.applicantSub,
      a.applicantKind,
      a.enterprise?.id ?? null,
      a.enterprise?.uscc ?? null,
      a.enterprise?.name ?? null,
      a.createdBy,
      a.bundle?.id ?? null,
      a.bundle?.code ?? null,
      a.regionCode,
      a.channel,
    ],
  );
  const id = row!.id;
  await tx.query(
    `insert into application_part (application_id, part, item_id, item_code, item_name, item_version_id, entry_id,
                                   entry_code, organisation_id, organisation_name, form_data)
     select $1, n, item_id, item_code, item_name, item_version_id, entry_id, entry_code, organisation_id,
            organisation_name, form_data
       from unnest($2::bigint[], $3::text[], $4::text[], $5::bigint[], $6::bigint[], $7::text[], $8::bigint[],
                   $9::text[], $10::jsonb[])
            with ordinality as p(item_id, item_code, item_name, item_version_id, entry_id, entry_code,
                                 organisation_id, organisation_name, form_data, n)`,
    [
      id,
      a.parts.map((p) => p.itemId),
      a.parts.map((p) => p.itemCode),
      a.parts.map((p) => p.itemName),
      a.parts.map((p) => p.itemVersionId),
      a.parts.map((p) => p.entryId),
      a.parts.map((p) => p.entryCode),
      a.parts.map((p) => p.organisationId),
      a.parts.map((p) => p.organisationName),
      a.parts.map((p) => JSON.stringify(p.formData)),
    ],
  );
  return id;
}

/**
 * Moves a draft from `version` to the next one and touches it; false when it is no longer
 * a draft at that version (someone saved or submitted meanwhile).
 */
export async function bumpDraft(tx: Queryable, id: string, version: number): Promise<boolean> {
  const rows = await tx.query(
    `update application set version = version + 1, updated_at = now()
      where id = $1 and status = 'draft' and version = $2 returning id`,
    [id, version],
  );
  return rows.length > 0;
}

/** Touches a draft whose materials changed; false when it is no longer a draft. */
export async function touchDraft(tx: Queryable, id: string): Promise<boolean> {
  const rows = await tx.query(
    `update application set updated_at = now() where id = $1 and status = 'draft' returning id`,
    [id],
  );
  return rows.length > 0;
}

export async function updatePartForm(
  tx: Queryable,
  id: string,
  part: number,
  formData: Record<string, unknown>,
): Promise<void> {
  await tx.query(`update application_part set form_data = $3 where application_id = $1 and part = $2`, [
    id,
    part,
    JSON.stringify(formData),
  ]);
}

/** Moves a part to the item version now in force (a draft follows the published guide). */
export async function updatePartVersion(
  tx: Queryable,
  id: string,
  part: number,
  itemVersionId: number,
  itemName: string,
): Promise<void> {
  await tx.query(
    `update application_part set item_version_id = $3, item_name = $4
      where application_id = $1 and part = $2 and (item_version_id <> $3 or item_name <> $4)`,
    [id, part, itemVersionId, itemName],
  );
}

/** Attaches (or replaces) the material `name` of an application. */
export async function upsertMaterial(
  tx: Queryable,
  id: string,
  m: { name: string; source: MaterialSource; uploadId?: string; record?: MaterialRecord; addedBy: string },
): Promise<void> {
  await tx.query(
    `insert into application_material (application_id, name, source, upload_id, record, added_by)
     values ($1, $2, $3, $4, $5, $6)
     on conflict (application_id, name) do update
       set source = excluded.source, upload_id = excluded.upload_id, record = excluded.record,
           added_by = excluded.added_by, added_at = now()`,
    [id, m.name, m.source, m.uploadId ?? null, m.record ? JSON.stringify(m.record) : null, m.addedBy],
  );
}

export async function deleteMaterial(tx: Queryable, id: string, name: string): Promise<boolean> {
  const rows = await tx.query(
    'delete from application_material where application_id = $1 and name = $2 returning name',
    [id, name],
  );
  return rows.length > 0;
}

export async function deleteDraft(tx: Queryable, id: string): Promise<boolean> {
  const rows = await tx.query(`delete from application where id = $1 and status = 'draft' returning id`, [
    id,
  ]);
  return rows.length > 0;
}

/** Marks a draft submitted under its number; false when it is no longer a draft at `version`. */
export async function markSubmitted(
  tx: Queryable,
  id: string,
  version: number,
  number: string,
  at: Date,
): Promise<boolean> {
  const rows = await tx.query(
    `update application set status = 'submitted', number = $3, submitted_at = $4, updated_at = $4
      where id = $1 and status = 'draft' and version = $2 returning id`,
    [id, version, number, at],
  );
  return rows.length > 0;
}

/** Ends a submitted application (completed or withdrawn); false when it already ended. */
export async function markEnded(
  tx: Queryable,
  id: string,
  status: 'completed' | 'withdrawn',
  at: Date,
): Promise<boolean> {
  const rows = await tx.query(
    `update application set status = $2, completed_at = $3, updated_at = $3
      where id = $1 and status = 'submitted' returning id`,
    [id, status, at],
  );
  return rows.length > 0;
}

export interface PartRef {
  part: number;
  itemCode: string;
  itemName: string;
}

/** The caller's applications, newest first. */
export async function listApplications(
  db: Queryable,
  principal: Principal,
  filter: { status?: ApplicationStatus | undefined; page: number; size: number },
): Promise<{ items: (ApplicationHead & { parts: PartRef[] })[]; total: number }> {
  const params: unknown[] = [];
  const where = [visibleClause(principal, params)];
  if (filter.status) {
    params.push(filter.status);
    where.push(`a.status = $${params.length}`);
  }
  const [count] = await db.query<{ n: number }>(
    `select count(*)::int as n from application a where ${where.join(' and ')}`,
    params,
  );
  const rows = await db.query<Row>(
    `select ${APPLICATION_COLUMNS},
            coalesce((select json_agg(json_build_object('part', p.part, 'item_code', p.item_code, 'item_name', p.item_name)
                                      order by p.part)
                        from application_part p where p.application_id = a.id), '[]') as parts
       from application a where ${where.join(' and ')}
      order by a.created_at desc, a.id desc
      limit $${params.length + 1} offset $${params.length + 2}`,
    [...params, filter.size, (filter.page - 1) * filter.size],
  );
  return {
    total: count?.n ?? 0,
    items: rows.map((r) => ({
      ...toHead(r),
      parts: (r.parts as Row[]).map((p) => ({
        part: p.part as number,
        itemCode: p.item_code as string,
        itemName: p.item_name as string,
      })),
    })),
  };
}

/** The files a person uploaded (their cloud drive), newest first. */
export async function listDrive(
  db: Queryable,
  sub: string,
  page: { page: number; size: number },
): Promise<{
  items: {
    id: string;
    filename: string;
    mediaType: string;
    size: number;
    sha256: string;
    uploadedAt: Date;
  }[];
  total: number;
}> {
  const [count] = await db.query<{ n: number }>(
    'select count(*)::int as n from file_upload where uploaded_by = $1',
    [sub],
  );
  const rows = await db.query<Row>(
    `select id, filename, media_type, size, sha256, uploaded_at from file_upload where uploaded_by = $1
      order by uploaded_at desc, id desc limit $2 offset $3`,
    [sub, page.size, (page.page - 1) * page.size],
  );
  return {
    total: count?.n ?? 0,
    items: rows.map((r) => ({
      id: r.id as string,
      filename: r.filename as string,
      mediaType: r.media_type as string,
      size: r.size as number,
      sha256: r.sha256 as string,
      uploadedAt: r.uploaded_at as Date,
    })),
  };
}
