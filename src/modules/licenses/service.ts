import { chinaDateOf } from '../../kernel/calendar/index.ts';
import type { FieldCipher } from '../../kernel/crypto.ts';
import type { Database, Executor, Queryable } from '../../kernel/db.ts';
import { conflict, fieldError, notFound, validationError, type FieldError } from '../../kernel/errors.ts';
import { checkIdentifier } from '../../kernel/identifiers/index.ts';
import { mod37_36CheckChar } from '../../kernel/identifiers/licence-id.ts';
import { getOrganisation, type Organisation } from '../directory/index.ts';
import { canonicalJson, sha256 } from './canonical.ts';
import { LICENCE_FORMAT, type LicenceData, type LogEntry } from './formats.ts';
import type { EntryToAppend, TransparencyLog } from './log.ts';
import type { Signer } from './signer.ts';
import type { SignatureAlgorithm } from './signing.ts';
import { LICENCE_TYPES, type FaceField, type LicenceType } from './types.ts';

/** What the licences module's use cases need. */
export interface LicensesDeps {
  db: Database;
  cipher: FieldCipher;
  signer: Signer;
  log: TransparencyLog;
  /** Algorithm of new seal keys and of signatures when a call does not choose. */
  algorithm: SignatureAlgorithm;
  /** Active seal keys by organisation and algorithm, read once (cleared on rotation and revocation). */
  sealKeys: Map<string, Promise<ActiveSealKey>>;
}

export type LicenceStatus = 'valid' | 'suspended' | 'revoked' | 'expired' | 'superseded';

// ---- licence types -------------------------------------------------------------------

/** Stores the built-in licence types (idempotent; an administrator's changes stand). */
export async function installLicenceTypes(db: Queryable): Promise<void> {
  await db.query(
    `insert into licence_type (code, name, holder_kind, authority, face_fields, validity_years, template)
     select t.code, t.name, t."holderKind", t.authority, t."faceFields", t."validityYears", t.template
       from jsonb_to_recordset($1::jsonb) as t(code text, name text, "holderKind" text, authority text,
            "faceFields" jsonb, "validityYears" smallint, template text)
     on conflict do nothing`,
    [JSON.stringify(LICENCE_TYPES)],
  );
}

export async function listLicenceTypes(db: Queryable): Promise<LicenceType[]> {
  const rows = await db.query<Record<string, unknown>>(`${TYPE_SQL} order by code`);
  return rows.map(toLicenceType);
}

export async function findLicenceType(db: Queryable, codeOrName: string): Promise<LicenceType | null> {
  const [row] = await db.query<Record<string, unknown>>(
    `${TYPE_SQL} where code = $1 or name = $1`,
    [codeOrName],
    {
      prepare: true,
    },
  );
  return row ? toLicenceType(row) : null;
}

const FACE_KEY = /^[A-Za-z][A-Za-z0-9]{0,39}$/;
const FACE_SOURCE =
  /^(holder\.name|holder\.identifier|issuer\.name|item\.name|case\.number|issueDate|form\.[A-Za-z][A-Za-z0-9_]{0,63})$/;

/**
 * Creates or replaces a licence type (an administrator's catalog of licence kinds). The
 * code must be a ministry's credit code (check digits) and 3 digits; face keys unique; the
 * sources known. Licences already issued keep the data they were sealed with.
 */
export async function saveLicenceType(
  db: Queryable,
  type: Omit<LicenceType, 'faceFields'> & { faceFields: (Omit<FaceField, 'source'> & { source: string })[] },
): Promise<LicenceType> {
  const errors: FieldError[] = [];
  const ministry = checkIdentifier('uscc', type.code.slice(0, 18));
  if (!/^[0-9A-Z]{18}\d{3}$/.test(type.code) || !ministry.ok)
    errors.push(
      fieldError(
        'code',
        'licenceTypeCode',
        '证照类型代码应为主管部门统一社会信用代码加3位数字',
        'The code is a ministry USCC and 3 digits',
      ),
    );
  const keys = new Set<string>();
  type.faceFields.forEach((f, i) => {
    if (!FACE_KEY.test(f.key) || keys.has(f.key))
      errors.push(
        fieldError(
          `faceFields[${i}].key`,
          'unique',
          '照面项标识应为字母数字且不重复',
          'Face keys are letters and digits, each once',
        ),
      );
    keys.add(f.key);
    if (!FACE_SOURCE.test(f.source))
      errors.push(
        fieldError(
          `faceFields[${i}].source`,
          'known',
          `未知的数据来源“${f.source}”`,
          `Unknown source ${f.source}`,
        ),
      );
  });
  if (errors.length) throw validationError(errors);
  try {
    await db.query(
      `insert into licence_type (code, name, holder_kind, authority, face_fields, validity_years, template)
       values ($1, $2, $3, $4, $5::jsonb, $6, $7)
       on conflict (code) do update set name = excluded.name, holder_kind = excluded.holder_kind,
         authority = excluded.authority, face_fields = excluded.face_fields,
         validity_years = excluded.validity_years, template = excluded.template`,
      [
        type.code,
        type.name,
        type.holderKind,
        type.authority,
        JSON.stringify(type.faceFields),
        type.validityYears,
        type.template,
      ],
    );
  } catch (error) {
    if ((error as { code?: string }).code === '23505')
      throw conflict(`Another licence type is named ${type.name}`, { name: type.name });
    throw error;
  }
  return (await findLicenceType(db, type.code))!;
}

const TYPE_SQL = `select code, name, holder_kind, authority, face_fields, validity_years, template from licence_type`;
const toLicenceType = (r: Record<string, unknown>): LicenceType => ({
  code: r.code as string,
  name: r.name as string,
  holderKind: r.holder_kind as LicenceType['holderKind'],
  authority: r.authority as string,
  faceFields: r.face_fields as FaceField[],
  validityYears: (r.validity_years as number | null) ?? null,
  template: r.template as LicenceType['template'],
});

// ---- seals ---------------------------------------------------------------------------

export interface SealKeyView {
  keyId: string;
  algorithm: SignatureAlgorithm;
  publicKey: string;
  status: 'active' | 'retired';
  logIndex: number;
  createdAt: string;
  retiredAt: string | null;
}

export interface SealView {
  code: string;
  name: string;
  organisationId: number;
  organisationName: string;
  organisationUscc: string;
  status: 'active' | 'revoked';
  revokedFrom: string | null;
  revokeReason: string | null;
  createdAt: string;
  keys: SealKeyView[];
}

export const DEFAULT_SEAL_NAME = '行政审批专用章';

/**
 * Creates a seal of an organisation with a key per algorithm (SM2 and Ed25519 side by
 * side by default). Each public key is published in the transparency log in the same
 * transaction, so a verifier trusts a seal key through the log's checkpoints.
 */
export async function createSeal(
  deps: LicensesDeps,
  input: { organisationId: number; name?: string; algorithms?: SignatureAlgorithm[] },
): Promise<SealView> {
  const organisation = await getOrganisation(deps.db, input.organisationId);
  const algorithms = [...new Set(input.algorithms ?? ['sm2-sm3', 'ed25519'])] as SignatureAlgorithm[];
  const name = input.name?.trim() || DEFAULT_SEAL_NAME;
  const keys = algorithms.map((algorithm) => deps.signer.generate(algorithm, 'sealKey'));
  const code = await deps.db.transaction(async (tx) => {
    const [serial] = await tx.query<{ n: string }>(`select nextval('seal_serial') as n`);
    const code = `${organisation.regionCode.slice(0, 6)}${String(serial!.n).padStart(7, '0')}`;
    await tx.query(`insert into seal (code, organisation_id, name) values ($1, $2, $3)`, [
      code,
      organisation.id,
      name,
    ]);
    await addKeys(tx, deps.log, code, organisation, keys);
    return code;
  });
  return getSeal(deps.db, code);
}

async function addKeys(
  tx: Executor,
  log: TransparencyLog,
  sealCode: string,
  organisation: Organisation,
  keys: ReturnType<Signer['generate']>[],
): Promise<void> {
  const appended = await log.append(
    tx,
    keys.map((key) => ({
      subject: key.keyId,
      entry: {
        kind: 'seal.key.added' as const,
        keyId: key.keyId,
        algorithm: key.algorithm,
        publicKey: key.publicKey,
        sealCode,
        organisationUscc: organisation.uscc,
        organisationName: organisation.name,
      },
    })),
  );
  await tx.query(
    `insert into seal_key (key_id, seal_code, algorithm, public_key, private_key, log_index)
     select t."keyId", $1, t.algorithm, t."publicKey", t."encryptedPrivateKey", t."logIndex"
       from jsonb_to_recordset($2::jsonb) as t("keyId" text, algorithm text, "publicKey" text,
            "encryptedPrivateKey" text, "logIndex" bigint)`,
    [sealCode, JSON.stringify(keys.map((key, i) => ({ ...key, logIndex: appended[i]!.index })))],
  );
}

/** Rotation: a new key for the algorithm; the old one is retired but its signatures stay verifiable. */
export async function rotateSealKey(
  deps: LicensesDeps,
  sealCode: string,
  algorithm: SignatureAlgorithm,
): Promise<SealView> {
  const seal = await getSeal(deps.db, sealCode);
  if (seal.status !== 'active') throw conflict(`Seal ${sealCode} is revoked`, { status: seal.status });
  const organisation = await getOrganisation(deps.db, seal.organisationId);
  const key = deps.signer.generate(algorithm, 'sealKey');
  await deps.db.transaction(async (tx) => {
    await tx.query(
      `update seal_key set status = 'retired', retired_at = now()
        where seal_code = $1 and algorithm = $2 and status = 'active'`,
      [sealCode, algorithm],
    );
    await addKeys(tx, deps.log, sealCode, organisation, [key]);
  });
  deps.sealKeys.clear();
  return getSeal(deps.db, sealCode);
}

/** Revokes a seal from an instant on: signatures made from then on are invalid, earlier ones stand. */
export async function revokeSeal(
  deps: LicensesDeps,
  sealCode: string,
  input: { from: Date; reason: string },
): Promise<SealView> {
  const seal = await getSeal(deps.db, sealCode);
  if (seal.status === 'revoked')
    throw conflict(`Seal ${sealCode} is already revoked`, { status: seal.status });
  await deps.db.transaction(async (tx) => {
    await tx.query(
      `update seal set status = 'revoked', revoked_from = $2, revoke_reason = $3 where code = $1`,
      [sealCode, input.from, input.reason],
    );
    await deps.log.append(
      tx,
      seal.keys.map((key) => ({
        subject: key.keyId,
        entry: {
          kind: 'seal.key.revoked' as const,
          keyId: key.keyId,
          revokedFrom: input.from.toISOString(),
          reason: input.reason,
        },
      })),
    );
  });
  deps.sealKeys.clear();
  return getSeal(deps.db, sealCode);
}

export async function getSeal(db: Queryable, code: string): Promise<SealView> {
  const [seal] = await listSeals(db, { code });
  if (!seal) throw notFound(`No seal ${code}`);
  return seal;
}

export async function listSeals(
  db: Queryable,
  filter: { code?: string; organisationIds?: number[] | null },
): Promise<SealView[]> {
  const rows = await db.query<Record<string, unknown>>(
    `select s.code, s.name, s.organisation_id, o.name as organisation_name, o.uscc, s.status, s.revoked_from,
            s.revoke_reason, s.created_at,
            coalesce((select jsonb_agg(jsonb_build_object('keyId', k.key_id, 'algorithm', k.algorithm,
                       'publicKey', k.public_key, 'status', k.status, 'logIndex', k.log_index,
                       'createdAt', k.created_at, 'retiredAt', k.retired_at) order by k.created_at)
                        from seal_key k where k.seal_code = s.code), '[]') as keys
       from seal s join organisation o on o.id = s.organisation_id
      where ($1::text is null or s.code = $1)
        and ($2::bigint[] is null or s.organisation_id = any($2))
      order by s.created_at`,
    [filter.code ?? null, filter.organisationIds ?? null],
  );
  return rows.map((r) => ({
    code: r.code as string,
    name: r.name as string,
    organisationId: Number(r.organisation_id),
    organisationName: r.organisation_name as string,
    organisationUscc: r.uscc as string,
    status: r.status as SealView['status'],
    revokedFrom: r.revoked_from ? (r.revoked_from as Date).toISOString() : null,
    revokeReason: (r.revoke_reason as string | null) ?? null,
    createdAt: (r.created_at as Date).toISOString(),
    keys: (r.keys as (Omit<SealKeyView, 'logIndex'> & { logIndex: number | string })[]).map((k) => ({
      ...k,
      logIndex: Number(k.logIndex),
      createdAt: new Date(k.createdAt).toISOString(),
      retiredAt: k.retiredAt ? new Date(k.retiredAt).toISOString() : null,
    })),
  }));
}

/** The key that signs for an organisation now; a seal is made for it on first need. */
export interface ActiveSealKey {
  keyId: string;
  algorithm: SignatureAlgorithm;
  encryptedPrivateKey: string;
  sealCode: string;
  sealName: string;
}

export function activeSealKey(
  deps: LicensesDeps,
  organisationId: number,
  algorithm: SignatureAlgorithm,
): Promise<ActiveSealKey> {
  // The promise is kept, so a batch that needs a new seal makes exactly one.
  return memo(deps.sealKeys, `${organisationId}:${algorithm}`, async () => {
    const find = () =>
      deps.db.query<Record<string, string>>(
        `select k.key_id, k.algorithm, k.private_key, s.code, s.name
           from seal_key k join seal s on s.code = k.seal_code
          where s.organisation_id = $1 and s.status = 'active' and k.status = 'active' and k.algorithm = $2
          order by s.created_at limit 1`,
        [organisationId, algorithm],
      );
    let [row] = await find();
    if (!row) {
      await createSeal(deps, { organisationId, algorithms: [algorithm] });
      [row] = await find();
    }
    return {
      keyId: row!.key_id!,
      algorithm: row!.algorithm as SignatureAlgorithm,
      encryptedPrivateKey: row!.private_key!,
      sealCode: row!.code!,
      sealName: row!.name!,
    };
  });
}

// ---- issuance ------------------------------------------------------------------------

export interface IssueInput {
  /** Licence type code or name (营业执照). */
  type: string;
  organisationId: number;
  holder: { kind: 'person' | 'enterprise'; name: string; identifier: string; sub?: string | null };
  face: Record<string, string>;
  /** YYYY-MM-DD printed on the licence; today (China) by default. A migrated paper licence keeps its own. */
  issueDate?: string;
  validFrom?: string;
  /** Default from the type's validity; null = long-term. */
  validUntil?: string | null;
  sourceCaseId?: string | null;
  algorithm?: SignatureAlgorithm;
}

export interface IssuedLicence {
  id: string;
  data: LicenceData;
  signature: { algorithm: SignatureAlgorithm; keyId: string; value: string };
  logIndex: number;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const MAX_FACE_VALUE = 4000;

/**
 * Issues licences in one transaction: every licence gets its GB/T 36904 identifier, is
 * signed by its organisation's seal key over its canonical data, stored (data encrypted)
 * and appended to the transparency log as `licence.issued`. Signing happens before the
 * transaction; inside it the log's lock is held only for the inserts, so a batch costs
 * about what one licence does.
 */
export async function issueLicences(
  deps: LicensesDeps,
  inputs: IssueInput[],
  actor: string,
): Promise<IssuedLicence[]> {
  if (inputs.length === 0) return [];
  const now = new Date();
  const lookups = lookupsFor(deps);
  const prepared = await Promise.all(
    inputs.map((input, i) =>
      prepareIssue(deps, input, now, inputs.length > 1 ? `licences[${i}]` : '', lookups),
    ),
  );
  const serials = await deps.db.query<{ n: string }>(
    `select nextval('licence_serial') as n from generate_series(1, $1)`,
    [inputs.length],
  );
  const year = chinaDateOf(now).slice(0, 4);
  const issued = prepared.map((p, i) => {
    const serial = `${year}${String(serials[i]!.n).padStart(7, '0')}`;
    const series = `${p.type.code}.${p.organisation.uscc}.${serial}`;
    const data: LicenceData = { ...p.data, id: licenceIdentifier(series, 1) };
    return sealAndRecord(deps, p, data, series, 1, now);
  });
  await deps.db.transaction(async (tx) => {
    const appended = await deps.log.append(
      tx,
      issued.map((r) => r.logEntry),
    );
    issued.forEach((r, i) => (r.licence.logIndex = appended[i]!.index));
    await insertLicences(tx, issued, actor);
  });
  return issued.map((r) => r.licence);
}

interface PreparedIssue {
  input: IssueInput;
  type: LicenceType;
  organisation: Organisation;
  key: ActiveSealKey;
  data: Omit<LicenceData, 'id'>;
}

/** Types and organisations read once per call, however many licences of a batch name them. */
function lookupsFor(deps: LicensesDeps) {
  const types = new Map<string, Promise<LicenceType | null>>();
  const organisations = new Map<number, Promise<Organisation>>();
  return {
    type: (key: string) => memo(types, key, () => findLicenceType(deps.db, key)),
    organisation: (id: number) => memo(organisations, id, () => getOrganisation(deps.db, id)),
  };
}
type Lookups = ReturnType<typeof lookupsFor>;

function memo<K, V>(map: Map<K, Promise<V>>, key: K, load: () => Promise<V>): Promise<V> {
  let value = map.get(key);
  if (!value) {
    value = load();
    map.set(key, value);
    value.catch(() => map.delete(key));
  }
  return value;
}

async function prepareIssue(
  deps: LicensesDeps,
  input: IssueInput,
  now: Date,
  at: string,
  lookups: Lookups = lookupsFor(deps),
): Promise<PreparedIssue> {
  const field = (name: string) => (at ? `${at}.${name}` : name);
  const errors: FieldError[] = [];
  const type = await lookups.type(input.type);
  if (!type)
    throw validationError([
      fieldError(field('type'), 'known', `没有证照类型“${input.type}”`, `No licence type ${input.type}`),
    ]);
  if (input.holder.kind !== type.holderKind)
    errors.push(
      fieldError(
        field('holder.kind'),
        'licenceType',
        `${type.name}的持证主体应为${type.holderKind === 'person' ? '自然人' : '法人'}`,
        `A ${type.name} is held by a ${type.holderKind}`,
      ),
    );
  const identifierKind = input.holder.kind === 'person' ? 'residentId' : 'uscc';
  const checked = checkIdentifier(identifierKind, input.holder.identifier);
  if (!checked.ok)
    errors.push(fieldError(field('holder.identifier'), checked.rule, checked.message, checked.messageEn));
  const holderName = input.holder.name.trim();
  if (!holderName || holderName.length > 200)
    errors.push(
      fieldError(
        field('holder.name'),
        'length',
        '持证主体名称应为1至200个字符',
        'The holder name must be 1 to 200 characters',
      ),
    );
  const face: Record<string, string> = {};
  for (const f of type.faceFields) {
    const value = input.face[f.key]?.trim() ?? '';
    if (value.length > MAX_FACE_VALUE)
      errors.push(
        fieldError(field(`face.${f.key}`), 'maxLength', `${f.label}过长`, `${f.label} is too long`),
      );
    if (value) face[f.key] = value;
    else if (f.required)
      errors.push(
        fieldError(field(`face.${f.key}`), 'required', `请填写${f.label}`, `${f.label} is required`),
      );
  }
  for (const key of Object.keys(input.face))
    if (!type.faceFields.some((f) => f.key === key))
      errors.push(
        fieldError(
          field(`face.${key}`),
          'unknown',
          `${type.name}没有照面项“${key}”`,
          `A ${type.name} has no face field ${key}`,
        ),
      );
  const issueDate = input.issueDate ?? chinaDateOf(now);
  const validFrom = input.validFrom ?? issueDate;
  const validUntil =
    input.validUntil !== undefined ? input.validUntil : defaultValidUntil(validFrom, type.validityYears);
  for (const [name, value] of [
    ['issueDate', issueDate],
    ['validFrom', validFrom],
    ['validUntil', validUntil],
  ] as const) {
    if (value !== null && (!DATE.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))))
      errors.push(fieldError(field(name), 'date', '日期格式应为YYYY-MM-DD', 'Dates read YYYY-MM-DD'));
  }
  if (validUntil !== null && validUntil < validFrom)
    errors.push(
      fieldError(
        field('validUntil'),
        'afterValidFrom',
        '有效期截止日不能早于起始日',
        'validUntil must not precede validFrom',
      ),
    );
  if (errors.length) throw validationError(errors);
  const organisation = await lookups.organisation(input.organisationId);
  const key = await activeSealKey(deps, organisation.id, input.algorithm ?? deps.algorithm);
  return {
    input,
    type,
    organisation,
    key,
    data: {
      format: LICENCE_FORMAT,
      licenceType: { code: type.code, name: type.name },
      issuer: { uscc: organisation.uscc, name: organisation.name },
      holder: {
        kind: input.holder.kind,
        name: holderName,
        identifier: checked.ok ? checked.value : input.holder.identifier,
      },
      face,
      issueDate,
      validFrom,
      validUntil,
      signedAt: now.toISOString(),
      supersedes: null,
    },
  };
}

function defaultValidUntil(validFrom: string, years: number | null): string | null {
  if (years === null) return null;
  const from = new Date(`${validFrom}T00:00:00Z`);
  const until = new Date(Date.UTC(from.getUTCFullYear() + years, from.getUTCMonth(), from.getUTCDate() - 1));
  return until.toISOString().slice(0, 10);
}

/** `1.2.156.3005.2.{type}.{issuer}.{serial}.{version}.{check}` */
export function licenceIdentifier(series: string, version: number): string {
  const v = String(version).padStart(3, '0');
  return `1.2.156.3005.2.${series}.${v}.${mod37_36CheckChar(`${series}.${v}`.replaceAll('.', ''))}`;
}

interface SealedRecord {
  licence: IssuedLicence;
  logEntry: EntryToAppend;
  row: Record<string, unknown>;
}

function sealAndRecord(
  deps: LicensesDeps,
  p: Pick<PreparedIssue, 'input' | 'type' | 'organisation' | 'key'>,
  data: LicenceData,
  series: string,
  version: number,
  now: Date,
): SealedRecord {
  const canonical = canonicalJson(data);
  const signature = deps.signer.sign(p.key, 'sealKey', Buffer.from(canonical, 'utf8')).toString('base64');
  const dataHash = sha256(canonical).toString('base64'); // = licenceDataHash(data), without serialising twice
  return {
    licence: {
      id: data.id,
      data,
      signature: { algorithm: p.key.algorithm, keyId: p.key.keyId, value: signature },
      logIndex: -1,
    },
    logEntry: {
      subject: data.id,
      entry: {
        kind: 'licence.issued',
        licenceId: data.id,
        dataHash,
        sealKeyId: p.key.keyId,
        signedAt: data.signedAt,
      },
    },
    row: {
      id: data.id,
      series,
      version,
      typeCode: p.type.code,
      organisationId: p.organisation.id,
      sealKeyId: p.key.keyId,
      holderKind: data.holder.kind,
      holderName: data.holder.name,
      holderIndex: deps.cipher.index(data.holder.identifier, 'licenceHolder'),
      holderSub: p.input.holder.sub ?? null,
      data: deps.cipher.encrypt(canonical, 'licenceData'),
      dataHash,
      signature,
      validFrom: data.validFrom,
      validUntil: data.validUntil,
      signedAt: now.toISOString(),
      sourceCaseId: p.input.sourceCaseId ?? null,
    },
  };
}

async function insertLicences(tx: Executor, records: SealedRecord[], issuedBy: string): Promise<void> {
  await tx.query(
    `insert into licence (id, series, version, type_code, organisation_id, seal_key_id, holder_kind, holder_name,
                          holder_index, holder_sub, data, data_hash, signature, valid_from, valid_until, signed_at,
                          log_index, source_case_id, issued_by)
     select t.id, t.series, t.version, t."typeCode", t."organisationId", t."sealKeyId", t."holderKind", t."holderName",
            t."holderIndex", t."holderSub", t.data, t."dataHash", t.signature, t."validFrom", t."validUntil",
            t."signedAt", t."logIndex", t."sourceCaseId", $2
       from jsonb_to_recordset($1::jsonb) as t(id text, series text, version smallint, "typeCode" text,
            "organisationId" bigint, "sealKeyId" text, "holderKind" text, "holderName" text, "holderIndex" text,
            "holderSub" uuid, data text, "dataHash" text, signature text, "validFrom" date, "validUntil" date,
            "signedAt" timestamptz, "logIndex" bigint, "sourceCaseId" uuid)`,
    [JSON.stringify(records.map((r) => ({ ...r.row, logIndex: r.licence.logIndex }))), issuedBy],
    { prepare: true },
  );
}

// ---- reading -------------------------------------------------------------------------

export interface StoredLicence {
  id: string;
  series: string;
  version: number;
  typeCode: string;
  organisationId: number;
  sealKeyId: string;
  holderKind: 'person' | 'enterprise';
  holderName: string;
  holderIndex: string;
  holderSub: string | null;
  data: LicenceData;
  dataHash: string;
  signature: string;
  status: LicenceStatus;
  statusReason: string | null;
  statusChangedAt: Date | null;
  validFrom: string;
  validUntil: string | null;
  signedAt: Date;
  logIndex: number;
  sourceCaseId: string | null;
  supersededBy: string | null;
  renderedUploadId: string | null;
}

export const LICENCE_COLUMNS = `l.id, l.series, l.version, l.type_code, l.organisation_id, l.seal_key_id, l.holder_kind,
  l.holder_name, l.holder_index, l.holder_sub, l.data, l.data_hash, l.signature, l.status, l.status_reason,
  l.status_changed_at, to_char(l.valid_from, 'YYYY-MM-DD') as valid_from, to_char(l.valid_until, 'YYYY-MM-DD') as valid_until,
  l.signed_at, l.log_index, l.source_case_id, l.superseded_by, l.rendered_upload_id`;

export function toStoredLicence(cipher: FieldCipher, r: Record<string, unknown>): StoredLicence {
  return {
    id: r.id as string,
    series: r.series as string,
    version: Number(r.version),
    typeCode: r.type_code as string,
    organisationId: Number(r.organisation_id),
    sealKeyId: r.seal_key_id as string,
    holderKind: r.holder_kind as StoredLicence['holderKind'],
    holderName: r.holder_name as string,
    holderIndex: r.holder_index as string,
    holderSub: (r.holder_sub as string | null) ?? null,
    data: JSON.parse(cipher.decrypt(r.data as string, 'licenceData')) as LicenceData,
    dataHash: r.data_hash as string,
    signature: r.signature as string,
    status: r.status as LicenceStatus,
    statusReason: (r.status_reason as string | null) ?? null,
    statusChangedAt: (r.status_changed_at as Date | null) ?? null,
    validFrom: r.valid_from as string,
    validUntil: (r.valid_until as string | null) ?? null,
    signedAt: r.signed_at as Date,
    logIndex: Number(r.log_index),
    sourceCaseId: (r.source_case_id as string | null) ?? null,
    supersededBy: (r.superseded_by as string | null) ?? null,
    renderedUploadId: (r.rendered_upload_id as string | null) ?? null,
  };
}

export async function findLicence(
  deps: Pick<LicensesDeps, 'cipher'>,
  db: Queryable,
  id: string,
): Promise<StoredLicence | null> {
  const [row] = await db.query<Record<string, unknown>>(
    `select ${LICENCE_COLUMNS} from licence l where l.id = $1`,
    [id],
    {
      prepare: true,
    },
  );
  return row ? toStoredLicence(deps.cipher, row) : null;
}

export async function getLicence(
  deps: Pick<LicensesDeps, 'cipher'>,
  db: Queryable,
  id: string,
): Promise<StoredLicence> {
  const licence = await findLicence(deps, db, id);
  if (!licence) throw notFound(`No licence ${id}`);
  return licence;
}

// ---- lifecycle -----------------------------------------------------------------------

/** Status → status changes an administrator may make, with the log entry each writes. */
export const LIFECYCLE: Record<
  'suspend' | 'reinstate' | 'revoke',
  { from: LicenceStatus[]; to: LicenceStatus; kind: LogEntry['kind'] }
> = {
  suspend: { from: ['valid'], to: 'suspended', kind: 'licence.suspended' },
  reinstate: { from: ['suspended'], to: 'valid', kind: 'licence.reinstated' },
  revoke: { from: ['valid', 'suspended'], to: 'revoked', kind: 'licence.revoked' },
};

export async function changeLicenceStatus(
  deps: LicensesDeps,
  id: string,
  action: keyof typeof LIFECYCLE,
  reason: string | null,
): Promise<StoredLicence> {
  const rule = LIFECYCLE[action];
  await deps.db.transaction(async (tx) => {
    const [row] = await tx.query<{ status: LicenceStatus }>(
      `select status from licence where id = $1 for update`,
      [id],
    );
    if (!row) throw notFound(`No licence ${id}`);
    if (!rule.from.includes(row.status))
      throw conflict(`A ${row.status} licence cannot be ${rule.to}`, { status: row.status });
    const now = new Date();
    await tx.query(
      `update licence set status = $2, status_reason = $3, status_changed_at = $4 where id = $1`,
      [id, rule.to, reason, now],
    );
    await deps.log.append(tx, [
      {
        subject: id,
        entry: {
          kind: rule.kind as 'licence.revoked',
          licenceId: id,
          reason,
          effectiveAt: now.toISOString(),
        },
      },
    ]);
  });
  return getLicence(deps, deps.db, id);
}

/**
 * A new version of a licence (变更): the same series, the next version number, the face
 * changed as given, sealed anew; the old version becomes superseded. Both in one log append.
 */
export async function reissueLicence(
  deps: LicensesDeps,
  id: string,
  change: { face?: Record<string, string>; holderName?: string; validUntil?: string | null },
  actor: string,
): Promise<IssuedLicence> {
  const old = await getLicence(deps, deps.db, id);
  if (old.status !== 'valid' && old.status !== 'suspended')
    throw conflict(`A ${old.status} licence cannot be changed`, { status: old.status });
  const now = new Date();
  const p = await prepareIssue(
    deps,
    {
      type: old.typeCode,
      organisationId: old.organisationId,
      holder: { ...old.data.holder, name: change.holderName ?? old.data.holder.name, sub: old.holderSub },
      face: { ...old.data.face, ...change.face },
      issueDate: chinaDateOf(now),
      validFrom: chinaDateOf(now),
      validUntil: change.validUntil !== undefined ? change.validUntil : old.data.validUntil,
      sourceCaseId: null,
    },
    now,
    '',
  );
  const version = old.version + 1;
  const data: LicenceData = { ...p.data, id: licenceIdentifier(old.series, version), supersedes: old.id };
  const record = sealAndRecord(deps, p, data, old.series, version, now);
  await deps.db.transaction(async (tx) => {
    const [row] = await tx.query<{ status: LicenceStatus }>(
      `select status from licence where id = $1 for update`,
      [id],
    );
    if (row?.status !== old.status)
      throw conflict(`Licence ${id} changed meanwhile`, { status: row?.status });
    const appended = await deps.log.append(tx, [
      record.logEntry,
      {
        subject: old.id,
        entry: {
          kind: 'licence.superseded',
          licenceId: old.id,
          reason: data.id,
          effectiveAt: now.toISOString(),
        },
      },
    ]);
    record.licence.logIndex = appended[0]!.index;
    await insertLicences(tx, [record], actor);
    await tx.query(
      `update licence set status = 'superseded', superseded_by = $2, status_reason = $2, status_changed_at = $3 where id = $1`,
      [old.id, data.id, now],
    );
  });
  return record.licence;
}

/**
 * Marks licences past their last valid day (China date) as expired and logs it. Returns
 * how many; run daily by a job and safe to run at any time.
 */
export async function expireLicences(deps: LicensesDeps, now = new Date(), limit = 1000): Promise<number> {
  const today = chinaDateOf(now);
  return deps.db.transaction(async (tx) => {
    const rows = await tx.query<{ id: string }>(
      `update licence set status = 'expired', status_reason = null, status_changed_at = $2
        where id in (select id from licence where status in ('valid', 'suspended') and valid_until < $1::date
                      order by valid_until limit $3 for update skip locked)
       returning id`,
      [today, now, limit],
    );
    await deps.log.append(
      tx,
      rows.map(({ id }) => ({
        subject: id,
        entry: {
          kind: 'licence.expired' as const,
          licenceId: id,
          reason: null,
          effectiveAt: now.toISOString(),
        },
      })),
    );
    return rows.length;
  });
}
