import { randomBytes } from 'node:crypto';
import type { Principal } from '../../kernel/auth.ts';
import { chinaDateOf } from '../../kernel/calendar/index.ts';
import { sha256 } from '../../kernel/crypto.ts';
import type { Executor, Queryable } from '../../kernel/db.ts';
import {
  AppError,
  conflict,
  fieldError,
  notFound,
  validationError,
  type FieldError,
} from '../../kernel/errors.ts';
import { defineMessages, text, type Text } from '../../kernel/i18n.ts';
import { getOrganisation } from '../directory/index.ts';
import { verifiedIdentity, type IdentityContext } from '../identity/index.ts';
import type { LicenceData, LicenceSignature } from './formats.ts';
import {
  findLicence,
  findLicenceType,
  LICENCE_COLUMNS,
  toStoredLicence,
  type LicenceStatus,
  type LicensesDeps,
  type StoredLicence,
} from './service.ts';
import { checkSignature, currentStatus } from './verification.ts';

/**
 * The holder's wallet (亮证/用证): the licences a person or an enterprise holds, the
 * authorisations that let a department or a third party read one licence for a purpose
 * until a time, reads through those authorisations, and the holder's view of every
 * verification, read and download of a licence ("who looked at my licence").
 *
 * A licence belongs to whoever's ID number or credit code it names; the wallet finds it
 * by the blind index of that identifier, so neither the holder's identifier nor the
 * licence data is ever queried in clear.
 */

/** The longest an authorisation may run: a holder re-authorises rather than forgets one. */
export const MAX_AUTHORISATION_MS = 366 * 86_400_000;
/** Prefix of the bearer tokens a third party presents (`X-Licence-Token`). */
export const SHARE_TOKEN_PREFIX = 'lsa_';
const SHARE_TOKEN = /^lsa_[A-Za-z0-9_-]{43}$/;

defineMessages({
  'licences.wallet.notVerified': {
    zh: '请先完成实名认证，再使用电子证照',
    en: 'verify your real name before using your licences',
  },
  'licences.wallet.notHolder': {
    zh: '只有持证人（本人或代表企业办事的人员）可以管理证照',
    en: 'only a holder (a person, or a person acting for an enterprise) manages licences',
  },
  'licences.share.no_authorisation': {
    zh: '没有读取该证照的有效授权',
    en: 'there is no authorisation to read this licence',
  },
  'licences.share.another_licence': {
    zh: '该授权码用于其他证照，不能读取此证照',
    en: 'the token authorises another licence, not this one',
  },
  'licences.share.expired': { zh: '授权已过期', en: 'the authorisation has expired' },
  'licences.share.revoked': { zh: '持证人已撤销授权', en: 'the holder has revoked the authorisation' },
  'licences.share.used': {
    zh: '该授权仅限使用一次，已被使用',
    en: 'the single-use authorisation has been used',
  },
  'licences.share.licence_status': {
    zh: '证照状态为“{status}”，不能读取',
    en: 'the licence is {statusEn} and cannot be read',
  },
  'licences.authorise.notValid': {
    zh: '证照状态为“{status}”，不能授权他人使用',
    en: 'a {statusEn} licence cannot be authorised',
  },
});

const STATUS_NAMES: Record<LicenceStatus | 'not_yet_valid', Text> = {
  valid: { zh: '有效', en: 'valid' },
  suspended: { zh: '已暂停', en: 'suspended' },
  revoked: { zh: '已注销', en: 'revoked' },
  expired: { zh: '已过期', en: 'expired' },
  superseded: { zh: '已变更', en: 'superseded' },
  not_yet_valid: { zh: '尚未生效', en: 'not yet valid' },
};

// ---- the holder ----------------------------------------------------------------------

/** The wallet's key of a holder's ID number or credit code. */
export const holderIndexOfIdentifier = (deps: Pick<LicensesDeps, 'cipher'>, identifier: string): string =>
  deps.cipher.index(identifier, 'licenceHolder');

/**
 * Whose wallet the caller opens: the enterprise a person acts for, else the person by
 * their verified ID number. 403 for staff and for a person without a verified real name.
 */
export async function holderIndexOf(
  deps: Pick<LicensesDeps, 'cipher' | 'db'>,
  identity: Pick<IdentityContext, 'cipher'>,
  principal: Principal,
  db: Queryable = deps.db,
): Promise<string> {
  if (principal.kind !== 'person') {
    const t = text('licences.wallet.notHolder');
    throw new AppError('forbidden', t.en, undefined, { message: t.zh });
  }
  if (principal.acting) return holderIndexOfIdentifier(deps, principal.acting.uscc);
  const verified = await verifiedIdentity(identity, db, principal.sub);
  if (!verified) {
    const t = text('licences.wallet.notVerified');
    throw new AppError('forbidden', t.en, undefined, { message: t.zh, requiredAssurance: 2 });
  }
  return holderIndexOfIdentifier(deps, verified.idNumber);
}

// ---- held licences -------------------------------------------------------------------

export interface HeldLicenceSummary {
  id: string;
  version: number;
  typeCode: string;
  typeName: string;
  issuerName: string;
  holderName: string;
  /** As of now: a licence past its last day reads expired before the daily job marks it. */
  status: LicenceStatus | 'not_yet_valid';
  issueDate: string;
  validFrom: string;
  validUntil: string | null;
  signedAt: string;
}

export interface HeldLicence extends HeldLicenceSummary {
  statusReason: string | null;
  supersededBy: string | null;
  /** 照面信息 in the type's order, with labels. */
  face: { key: string; label: string; value: string }[];
  data: LicenceData;
  signature: LicenceSignature;
}

function summaryOf(licence: StoredLicence, typeName: string, now: Date): HeldLicenceSummary {
  return {
    id: licence.id,
    version: licence.version,
    typeCode: licence.typeCode,
    typeName,
    issuerName: licence.data.issuer.name,
    holderName: licence.data.holder.name,
    status: currentStatus(licence, now),
    issueDate: licence.data.issueDate,
    validFrom: licence.validFrom,
    validUntil: licence.validUntil,
    signedAt: licence.signedAt.toISOString(),
  };
}

/** The holder's licences (every version, with its status), newest first. */
export async function listHeldLicences(
  deps: LicensesDeps,
  holderIndex: string,
): Promise<HeldLicenceSummary[]> {
  const rows = await deps.db.query<Record<string, unknown>>(
    `select ${LICENCE_COLUMNS}, t.name as type_name
       from licence l join licence_type t on t.code = l.type_code
      where l.holder_index = $1
      order by l.signed_at desc, l.id`,
    [holderIndex],
    { prepare: true },
  );
  const now = new Date();
  return rows.map((r) => summaryOf(toStoredLicence(deps.cipher, r), r.type_name as string, now));
}

/** A licence of the holder; 404 for anyone else's, so that its existence is not revealed. */
export async function ownLicence(
  deps: LicensesDeps,
  db: Queryable,
  holderIndex: string,
  id: string,
): Promise<StoredLicence> {
  const licence = await findLicence(deps, db, id);
  if (!licence || licence.holderIndex !== holderIndex) throw notFound(`No licence ${id} in your wallet`);
  return licence;
}

/** One licence of the holder with its full face data and seal signature. */
export async function heldLicence(deps: LicensesDeps, holderIndex: string, id: string): Promise<HeldLicence> {
  const licence = await ownLicence(deps, deps.db, holderIndex, id);
  const type = await findLicenceType(deps.db, licence.typeCode);
  const signature = await checkSignature(deps.db, licence);
  return {
    ...summaryOf(licence, licence.data.licenceType.name, new Date()),
    statusReason: licence.statusReason,
    supersededBy: licence.supersededBy,
    face: (type?.faceFields ?? [])
      .filter((f) => licence.data.face[f.key] !== undefined)
      .map((f) => ({ key: f.key, label: f.label, value: licence.data.face[f.key]! })),
    data: licence.data,
    signature: { algorithm: signature.algorithm, keyId: signature.keyId, value: licence.signature },
  };
}

// ---- authorisations (用证授权) --------------------------------------------------------

export type AuthorisationInput =
  | {
      granteeKind: 'organisation';
      organisationId: number;
      purpose: string;
      expiresAt: string | Date;
      singleUse?: boolean;
    }
  | {
      granteeKind: 'third_party';
      granteeName: string;
      purpose: string;
      expiresAt: string | Date;
      singleUse?: boolean;
    };

export type AuthorisationState = 'active' | 'expired' | 'revoked' | 'used';

export interface AuthorisationView {
  id: string;
  licenceId: string;
  granteeKind: 'organisation' | 'third_party';
  organisationId: number | null;
  granteeName: string;
  purpose: string;
  singleUse: boolean;
  expiresAt: string;
  revokedAt: string | null;
  usedAt: string | null;
  createdAt: string;
  /** Whether it lets its grantee read now, and why not. */
  state: AuthorisationState;
}

const AUTHORISATION_COLUMNS = `a.id, a.licence_id, a.grantee_kind, a.grantee_organisation_id, a.grantee_name, a.purpose,
  a.single_use, a.expires_at, a.revoked_at, a.used_at, a.created_at`;

interface AuthorisationRow {
  id: string;
  licence_id: string;
  grantee_kind: 'organisation' | 'third_party';
  grantee_organisation_id: number | string | null;
  grantee_name: string;
  purpose: string;
  single_use: boolean;
  expires_at: Date;
  revoked_at: Date | null;
  used_at: Date | null;
  created_at: Date;
}

/** Why an authorisation does not let its grantee read now; null when it does. Revocation outranks the rest. */
function refusalOf(
  a: Pick<AuthorisationRow, 'revoked_at' | 'expires_at' | 'single_use' | 'used_at'>,
  now: Date,
) {
  if (a.revoked_at) return 'revoked' as const;
  if (a.single_use && a.used_at) return 'used' as const;
  if (a.expires_at <= now) return 'expired' as const;
  return null;
}

function toAuthorisationView(r: AuthorisationRow, now = new Date()): AuthorisationView {
  return {
    id: r.id,
    licenceId: r.licence_id,
    granteeKind: r.grantee_kind,
    organisationId: r.grantee_organisation_id === null ? null : Number(r.grantee_organisation_id),
    granteeName: r.grantee_name,
    purpose: r.purpose,
    singleUse: r.single_use,
    expiresAt: r.expires_at.toISOString(),
    revokedAt: r.revoked_at?.toISOString() ?? null,
    usedAt: r.used_at?.toISOString() ?? null,
    createdAt: r.created_at.toISOString(),
    state: refusalOf(r, now) ?? 'active',
  };
}

export interface CreatedAuthorisation {
  authorisation: AuthorisationView;
  /** A third party's bearer token, returned this once; only its SHA-256 is stored. */
  token: string | null;
}

/** Where a third party opens a shared licence: the token stays in the fragment, never sent to a server log. */
export const shareUrlOf = (publicUrl: string, token: string): string => `${publicUrl}/licence-share#${token}`;

async function validAuthorisationInput(
  db: Queryable,
  input: AuthorisationInput,
  now: Date,
): Promise<{ purpose: string; expiresAt: Date; granteeName: string; organisationId: number | null }> {
  const errors: FieldError[] = [];
  const purpose = input.purpose.trim();
  if (purpose.length < 2 || purpose.length > 200)
    errors.push(
      fieldError('purpose', 'length', '用途应为2至200个字符', 'purpose must be 2 to 200 characters'),
    );
  const expiresAt = new Date(input.expiresAt);
  if (Number.isNaN(expiresAt.getTime()))
    errors.push(fieldError('expiresAt', 'format', '截止时间格式不正确', 'expiresAt must be a date-time'));
  else if (expiresAt <= now)
    errors.push(fieldError('expiresAt', 'future', '截止时间应晚于现在', 'expiresAt must lie in the future'));
  else if (expiresAt.getTime() - now.getTime() > MAX_AUTHORISATION_MS)
    errors.push(
      fieldError('expiresAt', 'maximum', '授权期限最长一年', 'an authorisation runs for at most one year'),
    );
  let granteeName = '';
  let organisationId: number | null = null;
  if (input.granteeKind === 'organisation') {
    try {
      const organisation = await getOrganisation(db, input.organisationId);
      granteeName = organisation.name;
      organisationId = organisation.id;
    } catch (error) {
      if (!(error instanceof AppError && error.code === 'not_found')) throw error;
      errors.push(fieldError('organisationId', 'exists', '没有该部门', 'no such organisation'));
    }
  } else {
    granteeName = input.granteeName.trim();
    if (granteeName.length < 2 || granteeName.length > 100)
      errors.push(
        fieldError(
          'granteeName',
          'length',
          '被授权方名称应为2至100个字符',
          'granteeName must be 2 to 100 characters',
        ),
      );
  }
  if (errors.length) throw validationError(errors);
  return { purpose, expiresAt, granteeName, organisationId };
}

/**
 * Lets a department or a third party read one valid licence of the holder for a purpose
 * until a time (once, when single use). A third party gets a bearer token, returned once.
 * 404 for someone else's licence, 409 for a licence that is not valid, 400 for bad input.
 */
export async function authorise(
  deps: LicensesDeps,
  holderIndex: string,
  licenceId: string,
  input: AuthorisationInput,
  actor: string,
  db: Queryable = deps.db,
): Promise<CreatedAuthorisation> {
  const now = new Date();
  const licence = await ownLicence(deps, db, holderIndex, licenceId);
  const status = currentStatus(licence, now);
  if (status !== 'valid') {
    const t = text('licences.authorise.notValid', {
      status: STATUS_NAMES[status].zh,
      statusEn: STATUS_NAMES[status].en,
    });
    throw conflict(t.en, { status, message: t.zh });
  }
  const valid = await validAuthorisationInput(db, input, now);
  const token =
    input.granteeKind === 'third_party'
      ? `${SHARE_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`
      : null;
  const [row] = await db.query<AuthorisationRow>(
    `insert into licence_authorisation as a (licence_id, grantee_kind, grantee_organisation_id, grantee_name, purpose,
                                             single_use, token_hash, expires_at, created_by)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     returning ${AUTHORISATION_COLUMNS}`,
    [
      licence.id,
      input.granteeKind,
      valid.organisationId,
      valid.granteeName,
      valid.purpose,
      input.singleUse ?? false,
      token === null ? null : sha256(token),
      valid.expiresAt,
      actor,
    ],
  );
  return { authorisation: toAuthorisationView(row!, now), token };
}

/** The authorisations of one of the holder's licences, newest first. */
export async function listAuthorisations(
  deps: LicensesDeps,
  holderIndex: string,
  licenceId: string,
): Promise<AuthorisationView[]> {
  const licence = await ownLicence(deps, deps.db, holderIndex, licenceId);
  const rows = await deps.db.query<AuthorisationRow>(
    `select ${AUTHORISATION_COLUMNS} from licence_authorisation a where a.licence_id = $1 order by a.created_at desc, a.id`,
    [licence.id],
  );
  const now = new Date();
  return rows.map((r) => toAuthorisationView(r, now));
}

/**
 * Revokes an authorisation from now on. Revoking one already revoked changes nothing and
 * answers the same (200): the holder's intent holds either way.
 */
export async function revokeAuthorisation(
  deps: LicensesDeps,
  holderIndex: string,
  licenceId: string,
  authorisationId: string,
  db: Queryable = deps.db,
): Promise<AuthorisationView> {
  const licence = await ownLicence(deps, db, holderIndex, licenceId);
  const [row] = await db.query<AuthorisationRow>(
    `update licence_authorisation a set revoked_at = coalesce(a.revoked_at, now())
      where a.id = $1 and a.licence_id = $2
      returning ${AUTHORISATION_COLUMNS}`,
    [authorisationId, licence.id],
  );
  if (!row) throw notFound(`No authorisation ${authorisationId} of licence ${licenceId}`);
  return toAuthorisationView(row);
}

// ---- reading a shared licence --------------------------------------------------------

/** Who asks to read: staff of a department (its session), or anyone presenting a token. */
export type SharedReader =
  | { kind: 'organisation'; organisationId: number; name: string; staffSub: string | null }
  | { kind: 'third_party'; token: string | null };

export type ShareRefusal =
  'no_authorisation' | 'another_licence' | 'expired' | 'revoked' | 'used' | 'licence_status';

export interface SharedLicence {
  licenceId: string;
  status: 'valid';
  licence: LicenceData;
  signature: LicenceSignature;
  /** Whether the seal signature verifies now. */
  sealValid: boolean;
  authorisation: { id: string; purpose: string; expiresAt: string; singleUse: boolean };
}

type ReadOutcome =
  | { allowed: true; shared: SharedLicence }
  | { allowed: false; reason: ShareRefusal; licenceStatus: string | null };

/** Accessor of a third party that presented no token of this licence (its claimed name is unknown). */
export const UNKNOWN_THIRD_PARTY = '未经授权的第三方';

/**
 * One read attempt inside `tx`: the authorisation is locked (`for update`) so that two
 * concurrent reads through one single-use authorisation let exactly one through; the
 * attempt is logged, allowed or denied, and the caller decides what a denial means.
 */
async function attemptRead(
  deps: LicensesDeps,
  tx: Queryable,
  licenceId: string,
  reader: SharedReader,
  meta: { ip: string | null },
): Promise<ReadOutcome> {
  const now = new Date();
  let authorisation: AuthorisationRow | null = null;
  let refusal: ShareRefusal | null = null;
  if (reader.kind === 'organisation') {
    // The department's best authorisation for the licence: a usable one if any, else the newest.
    [authorisation = null] = await tx.query<AuthorisationRow>(
      `select ${AUTHORISATION_COLUMNS} from licence_authorisation a
        where a.licence_id = $1 and a.grantee_kind = 'organisation' and a.grantee_organisation_id = $2
        order by (a.revoked_at is null and a.expires_at > $3 and not (a.single_use and a.used_at is not null)) desc,
                 a.created_at desc
        limit 1 for update`,
      [licenceId, reader.organisationId, now],
    );
    if (!authorisation) refusal = 'no_authorisation';
  } else if (reader.token === null || !SHARE_TOKEN.test(reader.token)) {
    refusal = 'no_authorisation';
  } else {
    [authorisation = null] = await tx.query<AuthorisationRow>(
      `select ${AUTHORISATION_COLUMNS} from licence_authorisation a where a.token_hash = $1 for update`,
      [sha256(reader.token)],
    );
    if (!authorisation) refusal = 'no_authorisation';
    else if (authorisation.licence_id !== licenceId) {
      refusal = 'another_licence';
      authorisation = null; // another holder's authorisation: nothing of it goes into this licence's log
    }
  }
  if (authorisation) refusal = refusalOf(authorisation, now);
  let licence: StoredLicence | null = null;
  let licenceStatus: string | null = null;
  if (!refusal) {
    licence = await findLicence(deps, tx, licenceId);
    licenceStatus = currentStatus(licence!, now);
    if (licenceStatus !== 'valid') refusal = 'licence_status';
  }
  const accessor =
    reader.kind === 'organisation' ? reader.name : (authorisation?.grantee_name ?? UNKNOWN_THIRD_PARTY);
  await tx.query(
    `insert into licence_access (licence_id, kind, outcome, accessor, authorisation_id, purpose, reason, ip)
     values ($1, 'read', $2, $3, $4, $5, $6, $7)`,
    [
      licenceId,
      refusal ? 'denied' : 'allowed',
      accessor,
      authorisation?.id ?? null,
      authorisation?.purpose ?? null,
      refusal === 'licence_status' ? `licence_${licenceStatus}` : refusal,
      meta.ip,
    ],
  );
  if (refusal) return { allowed: false, reason: refusal, licenceStatus };
  if (authorisation!.single_use)
    await tx.query(`update licence_authorisation set used_at = $2 where id = $1`, [authorisation!.id, now]);
  const signature = await checkSignature(tx, licence!);
  return {
    allowed: true,
    shared: {
      licenceId: licence!.id,
      status: 'valid',
      licence: licence!.data,
      signature: { algorithm: signature.algorithm, keyId: signature.keyId, value: licence!.signature },
      sealValid: signature.valid,
      authorisation: {
        id: authorisation!.id,
        purpose: authorisation!.purpose,
        expiresAt: authorisation!.expires_at.toISOString(),
        singleUse: authorisation!.single_use,
      },
    },
  };
}

/** The 403 of a refused read, naming why in both languages (and the licence's status when that is why). */
export function shareRefused(reason: ShareRefusal, licenceStatus: string | null): AppError {
  const status = STATUS_NAMES[licenceStatus as LicenceStatus] ?? {
    zh: licenceStatus ?? '',
    en: licenceStatus ?? '',
  };
  const t = text(`licences.share.${reason}`, { status: status.zh, statusEn: status.en });
  return new AppError('forbidden', t.en, undefined, {
    reason,
    message: t.zh,
    ...(reason === 'licence_status' && { licenceStatus }),
  });
}

/**
 * Reads a licence through an authorisation: allowed only with one for THAT licence, not
 * revoked, not expired, not used when single use (then marked used), and the licence
 * valid. Every attempt is logged for the holder, the denied ones too (committed before
 * the 403 is thrown), also for identifiers no licence has.
 */
export async function readShared(
  deps: LicensesDeps,
  licenceId: string,
  reader: SharedReader,
  meta: { ip: string | null },
): Promise<SharedLicence> {
  const outcome = await deps.db.transaction((tx) => attemptRead(deps, tx, licenceId, reader, meta));
  if (!outcome.allowed) throw shareRefused(outcome.reason, outcome.licenceStatus);
  return outcome.shared;
}

// ---- who looked at my licence --------------------------------------------------------

export interface AccessView {
  id: number;
  at: string;
  kind: 'verification' | 'read' | 'download';
  outcome: 'allowed' | 'denied';
  accessor: string;
  purpose: string | null;
  authorisationId: string | null;
  /** Why a denied attempt was refused (a code), with its texts. */
  reason: string | null;
  reasonText: string | null;
  reasonTextEn: string | null;
}

function reasonText(reason: string | null): Text | null {
  if (!reason) return null;
  if (reason.startsWith('licence_')) {
    const status = STATUS_NAMES[reason.slice('licence_'.length) as LicenceStatus];
    return status ? text('licences.share.licence_status', { status: status.zh, statusEn: status.en }) : null;
  }
  return ['no_authorisation', 'another_licence', 'expired', 'revoked', 'used'].includes(reason)
    ? text(`licences.share.${reason}`)
    : null;
}

/**
 * Every verification, read and download of one of the holder's licences, allowed or
 * denied, newest first, a page at a time (a public licence can be verified often).
 */
export async function accessLog(
  deps: LicensesDeps,
  holderIndex: string,
  licenceId: string,
  page: { page: number; size: number } = { page: 1, size: 100 },
): Promise<{ items: AccessView[]; total: number }> {
  const licence = await ownLicence(deps, deps.db, holderIndex, licenceId);
  const rows = await deps.db.query<Record<string, unknown>>(
    `select id, at, kind, outcome, accessor, purpose, authorisation_id, reason, count(*) over () as total
       from licence_access where licence_id = $1
      order by at desc, id desc limit $2 offset $3`,
    [licence.id, page.size, (page.page - 1) * page.size],
  );
  let total = Number(rows[0]?.total ?? 0);
  if (rows.length === 0 && page.page > 1) {
    const [count] = await deps.db.query<{ n: number }>(
      `select count(*)::int as n from licence_access where licence_id = $1`,
      [licence.id],
    );
    total = count!.n;
  }
  return {
    total,
    items: rows.map((r) => {
      const reason = (r.reason as string | null) ?? null;
      const t = reasonText(reason);
      return {
        id: Number(r.id),
        at: (r.at as Date).toISOString(),
        kind: r.kind as AccessView['kind'],
        outcome: r.outcome as AccessView['outcome'],
        accessor: r.accessor as string,
        purpose: (r.purpose as string | null) ?? null,
        authorisationId: (r.authorisation_id as string | null) ?? null,
        reason,
        reasonText: t?.zh ?? null,
        reasonTextEn: t?.en ?? null,
      };
    }),
  };
}

// ---- reuse in applications (免提交) ----------------------------------------------------

export interface HeldLicenceUse {
  holderIndex: string;
  /** A licence type name (营业执照, 结婚证): the material's name. */
  typeName: string;
  /** The implementing body that will read it. */
  organisationId: number;
  organisationName: string;
  purpose: string;
  expiresAt: Date;
  /** Who creates the authorisation (the applicant's account). */
  actor?: string;
}

export interface UsedLicence {
  licenceId: string;
  authorisationId: string;
  typeName: string;
  face: Record<string, string>;
  holderName: string;
  validUntil: string | null;
}

/**
 * Reuses the holder's newest valid licence of a type as an application material: the
 * implementing body is authorised to read it (time-limited), and the material is read
 * through that authorisation, so the read is in the holder's access log like any other.
 * Null when the holder has no valid licence of the type. Runs inside `tx` when given
 * (the application's transaction: the authorisation stands or falls with the material).
 */
export async function useHeldLicence(
  deps: LicensesDeps,
  use: HeldLicenceUse,
  tx?: Executor,
): Promise<UsedLicence | null> {
  const run = async (db: Queryable): Promise<UsedLicence | null> => {
    const [row] = await db.query<{ id: string }>(
      `select l.id from licence l join licence_type t on t.code = l.type_code
        where l.holder_index = $1 and t.name = $2 and l.status = 'valid'
          and l.valid_from <= $3::date and (l.valid_until is null or l.valid_until >= $3::date)
        order by l.signed_at desc limit 1`,
      [use.holderIndex, use.typeName, chinaDateOf(new Date())],
      { prepare: true },
    );
    if (!row) return null;
    const { authorisation } = await authorise(
      deps,
      use.holderIndex,
      row.id,
      {
        granteeKind: 'organisation',
        organisationId: use.organisationId,
        purpose: use.purpose,
        expiresAt: use.expiresAt,
      },
      use.actor ?? 'system:applications',
      db,
    );
    const outcome = await attemptRead(
      deps,
      db,
      row.id,
      {
        kind: 'organisation',
        organisationId: use.organisationId,
        name: use.organisationName,
        staffSub: null,
      },
      { ip: null },
    );
    if (!outcome.allowed) return null;
    const { licence } = outcome.shared;
    return {
      licenceId: licence.id,
      authorisationId: authorisation.id,
      typeName: licence.licenceType.name,
      face: licence.face,
      holderName: licence.holder.name,
      validUntil: licence.validUntil,
    };
  };
  return tx ? run(tx) : deps.db.transaction(run);
}
