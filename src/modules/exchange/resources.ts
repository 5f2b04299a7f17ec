import { maskIdNumber, maskMiddle, maskName, maskPhone } from '../../kernel/crypto.ts';
import type { Queryable } from '../../kernel/db.ts';
import { fieldError, notFound, validationError } from '../../kernel/errors.ts';
import { getOrganisation } from '../directory/index.ts';

/**
 * The resource catalog (信息资源目录): what can be shared, by whom, which fields with which
 * sensitivity, and how. The base registries are built in; a resource's provider is the
 * department of that kind at the top of the deployment's region tree.
 */
export type Sensitivity = 'public' | 'internal' | 'sensitive';
export type Mask = 'name' | 'idNumber' | 'phone' | 'middle';
export type KeyKind = 'residentId' | 'uscc' | 'subject' | 'licenceId';
export type SharingType = 'unconditional' | 'conditional' | 'none';

export interface ResourceField {
  name: string;
  label: string;
  type: 'string' | 'date' | 'number';
  sensitivity: Sensitivity;
  /** How the value is masked (脱敏) when a grant asks for it masked. */
  mask: Mask | null;
}

export interface Resource {
  code: string;
  name: string;
  providerOrganisationId: number | null;
  providerName: string;
  keyKind: KeyKind;
  fields: ResourceField[];
  sharingType: SharingType;
  updateFrequency: 'realtime' | 'daily' | 'weekly' | 'monthly';
  description: string;
  /** Where a consumer reads it. */
  api: string;
}

const field = (
  name: string,
  label: string,
  sensitivity: Sensitivity,
  mask: Mask | null = null,
  type: ResourceField['type'] = 'string',
): ResourceField => ({ name, label, type, sensitivity, mask });

interface BuiltIn extends Omit<Resource, 'providerOrganisationId' | 'providerName' | 'api'> {
  /** The department that provides it (short name), found at the top of the region tree. */
  provider: string;
}

export const BUILT_IN_RESOURCES: readonly BuiltIn[] = [
  {
    code: 'population.person',
    name: '人口基础信息',
    provider: '公安局',
    keyKind: 'residentId',
    fields: [
      field('idNumber', '公民身份号码', 'sensitive', 'idNumber'),
      field('name', '姓名', 'sensitive', 'name'),
      field('sex', '性别', 'internal'),
      field('birthDate', '出生日期', 'sensitive', 'middle', 'date'),
      field('regionCode', '户籍地区划代码', 'internal'),
      field('phone', '联系电话', 'sensitive', 'phone'),
    ],
    sharingType: 'conditional',
    updateFrequency: 'daily',
    description: '人口库：居民身份与户籍基本信息',
  },
  {
    code: 'legal_entity.enterprise',
    name: '法人基础信息',
    provider: '市场监督管理局',
    keyKind: 'uscc',
    fields: [
      field('uscc', '统一社会信用代码', 'public'),
      field('name', '名称', 'public'),
      field('type', '类型', 'public'),
      field('legalRepresentativeName', '法定代表人', 'internal', 'name'),
      field('regionCode', '住所区划代码', 'public'),
      field('registeredCapitalCny', '注册资本（元）', 'public', null, 'number'),
      field('establishedOn', '成立日期', 'public', null, 'date'),
      field('status', '登记状态', 'public'),
    ],
    sharingType: 'unconditional',
    updateFrequency: 'daily',
    description: '法人库：市场主体登记信息（企业信用信息公示范围内）',
  },
  {
    code: 'credit.record',
    name: '公共信用信息',
    provider: '发展和改革委员会',
    keyKind: 'subject',
    fields: [
      field('subjectKey', '主体标识', 'sensitive', 'idNumber'),
      field('kind', '信用信息类别', 'internal'),
      field('title', '事项', 'internal'),
      field('authority', '认定机关', 'internal'),
      field('decidedOn', '认定日期', 'internal', null, 'date'),
      field('validUntil', '有效期至', 'internal', null, 'date'),
    ],
    sharingType: 'conditional',
    updateFrequency: 'daily',
    description: '信用库：守信激励与失信惩戒信息',
  },
  {
    code: 'licence.licence',
    name: '电子证照',
    provider: '政务服务管理办公室',
    keyKind: 'licenceId',
    fields: [
      field('id', '证照标识', 'public'),
      field('typeName', '证照名称', 'public'),
      field('holderName', '持证主体', 'sensitive', 'name'),
      field('holderIdentifier', '持证主体代码', 'sensitive', 'idNumber'),
      field('issuerName', '发证机关', 'public'),
      field('issueDate', '发证日期', 'public', null, 'date'),
      field('validUntil', '有效期至', 'public', null, 'date'),
      field('status', '状态', 'public'),
    ],
    sharingType: 'conditional',
    updateFrequency: 'realtime',
    description: '电子证照库：证照照面摘要与状态（需持证人授权的全文另经用证授权读取）',
  },
];

/**
 * Stores the built-in resources, and gives a provider to those that have none yet (the
 * directory may be filled after the first start). Idempotent; an administrator's changes stand.
 */
export async function installResources(db: Queryable): Promise<void> {
  for (const r of BUILT_IN_RESOURCES) {
    await db.query(
      `insert into exchange_resource (code, name, provider_organisation_id, provider_name, key_kind, fields,
                                      sharing_type, update_frequency, description)
       select $1, $2, o.id, coalesce(o.name, $3), $4, $5::jsonb, $6, $7, $8
         from (select 1) one
         left join lateral (select o.id, o.name from organisation o join region r on r.code = o.region_code
                             where o.short_name = $3 order by r.level, o.id limit 1) o on true
       on conflict (code) do update set provider_organisation_id = excluded.provider_organisation_id,
         provider_name = excluded.provider_name
         where exchange_resource.provider_organisation_id is null and excluded.provider_organisation_id is not null`,
      [
        r.code,
        r.name,
        r.provider,
        r.keyKind,
        JSON.stringify(r.fields),
        r.sharingType,
        r.updateFrequency,
        r.description,
      ],
    );
  }
}

const RESOURCE_SQL = `select code, name, provider_organisation_id, provider_name, key_kind, fields, sharing_type,
  update_frequency, description from exchange_resource`;

function toResource(r: Record<string, unknown>): Resource {
  const code = r.code as string;
  return {
    code,
    name: r.name as string,
    providerOrganisationId: r.provider_organisation_id === null ? null : Number(r.provider_organisation_id),
    providerName: r.provider_name as string,
    keyKind: r.key_kind as KeyKind,
    fields: r.fields as ResourceField[],
    sharingType: r.sharing_type as SharingType,
    updateFrequency: r.update_frequency as Resource['updateFrequency'],
    description: r.description as string,
    api: `/api/v1/exchange/resources/${code}/records/{key}`,
  };
}

export async function listResources(db: Queryable): Promise<Resource[]> {
  return (await db.query<Record<string, unknown>>(`${RESOURCE_SQL} order by code`)).map(toResource);
}

export async function getResource(db: Queryable, code: string): Promise<Resource> {
  const [row] = await db.query<Record<string, unknown>>(`${RESOURCE_SQL} where code = $1`, [code], {
    prepare: true,
  });
  if (!row) throw notFound(`No resource ${code}`);
  return toResource(row);
}

/**
 * An administrator changes how a resource is shared: its provider, sharing type, update
 * frequency, description, and each field's sensitivity and mask. Fields cannot be added or
 * removed here: they are what the provider's interface returns.
 */
export async function updateResource(
  db: Queryable,
  code: string,
  change: {
    providerOrganisationId?: number;
    sharingType?: SharingType;
    updateFrequency?: Resource['updateFrequency'];
    description?: string;
    fields?: { name: string; sensitivity: Sensitivity; mask: Mask | null }[];
  },
): Promise<Resource> {
  const resource = await getResource(db, code);
  const unknown = (change.fields ?? []).filter((f) => !resource.fields.some((x) => x.name === f.name));
  if (unknown.length)
    throw validationError(
      unknown.map((f) =>
        fieldError('fields', 'known', `资源没有字段“${f.name}”`, `The resource has no field ${f.name}`),
      ),
    );
  const fields = resource.fields.map((f) => {
    const changed = change.fields?.find((x) => x.name === f.name);
    return changed ? { ...f, sensitivity: changed.sensitivity, mask: changed.mask } : f;
  });
  const provider = change.providerOrganisationId
    ? await getOrganisation(db, change.providerOrganisationId)
    : null;
  await db.query(
    `update exchange_resource set provider_organisation_id = coalesce($2, provider_organisation_id),
            provider_name = coalesce($3, provider_name), sharing_type = coalesce($4, sharing_type),
            update_frequency = coalesce($5, update_frequency), description = coalesce($6, description),
            fields = $7::jsonb, updated_at = now()
      where code = $1`,
    [
      code,
      provider?.id ?? null,
      provider?.name ?? null,
      change.sharingType ?? null,
      change.updateFrequency ?? null,
      change.description ?? null,
      JSON.stringify(fields),
    ],
  );
  return getResource(db, code);
}

const MASKS: Record<Mask, (value: string) => string> = {
  name: maskName,
  idNumber: (v) => (v.length === 18 && /^\d{17}[\dX]$/.test(v) ? maskIdNumber(v) : maskMiddle(v, 4, 4)),
  phone: maskPhone,
  middle: (v) => maskMiddle(v, 2, 2),
};

/**
 * A record as a grant lets it be seen: only the granted fields, the masked ones masked.
 * Fields the resource does not list never leave, whatever the record holds.
 */
export function shapeRecord(
  resource: Resource,
  record: Record<string, unknown>,
  grant: { fields: readonly string[]; masked: readonly string[] },
): Record<string, unknown> {
  const shaped: Record<string, unknown> = {};
  for (const f of resource.fields) {
    if (!grant.fields.includes(f.name) || !(f.name in record)) continue;
    const value = record[f.name];
    shaped[f.name] =
      grant.masked.includes(f.name) && typeof value === 'string' && value !== ''
        ? MASKS[f.mask ?? 'middle'](value)
        : value;
  }
  return shaped;
}
