/**
 * Legal persons (法人) and the people who act for them: an enterprise account is bound to
 * its credit code by its legal representative (verified against the legal-entity
 * registry), who owns it; the owner appoints administrators (管理员), owner and
 * administrators appoint agents (经办人) for some items until an expiry. A person acts for
 * an enterprise only after switching to it explicitly (a new session), and only while the
 * mandate is live: the session resolver drops revoked and expired mandates on the very
 * next request.
 */
import { audit, type Actor } from '../../kernel/audit.ts';
import { assertItemInScope, type MemberRole, type Principal } from '../../kernel/auth.ts';
import { maskPhone } from '../../kernel/crypto.ts';
import type { Queryable } from '../../kernel/db.ts';
import { AppError, conflict, fieldError, forbidden, notFound, validationError } from '../../kernel/errors.ts';
import { assertIdentifier } from '../../kernel/identifiers/index.ts';
import { findAccountByPhone } from './accounts.ts';
import type { IdentityContext } from './context.ts';
import type { LegalEntityRecord } from './providers/legal-entity.ts';

/** Who may appoint (and revoke) whom: the owner everyone but owners, administrators only agents. */
export const APPOINTABLE_BY = {
  owner: ['admin', 'agent'],
  admin: ['agent'],
  agent: [],
} as const satisfies Record<MemberRole, readonly Exclude<MemberRole, 'owner'>[]>;

/** Longest agent mandate (and administrator expiry, when one is given). */
export const MAX_MANDATE_DAYS = 3 * 366;
export const MAX_SCOPE_ITEMS = 200;

export type EnterpriseStatus = 'active' | 'closed';

/** One of the caller's live mandates: the enterprise and what the caller may do for it. */
export interface Mandate {
  memberId: string;
  enterpriseId: string;
  uscc: string;
  name: string;
  enterpriseStatus: EnterpriseStatus;
  role: MemberRole;
  itemCodes: string[] | null;
  expiresAt: Date | null;
}

export interface MemberView {
  id: string;
  accountId: string;
  /** Real name, shown unmasked to the enterprise's own owner and administrators. */
  name: string;
  phone: string | null;
  role: MemberRole;
  itemCodes: string[] | null;
  expiresAt: Date | null;
  appointedAt: Date;
  appointedBy: string;
  status: 'active' | 'expired';
}

export interface EnterpriseDetail {
  id: string;
  uscc: string;
  name: string;
  legalRepresentativeName: string;
  regionCode: string;
  status: EnterpriseStatus;
  verifiedAt: Date;
  createdAt: Date;
  /** The caller's own mandate. */
  mandate: Omit<Mandate, 'enterpriseId' | 'uscc' | 'name' | 'enterpriseStatus'>;
  /** Everyone (owner and administrators looking) or only the caller (agents looking). */
  members: MemberView[];
}

export interface AppointInput {
  phone: string;
  name: string;
  role: 'admin' | 'agent';
  itemCodes?: string[] | undefined;
  expiresAt?: string | undefined;
}

// ---------------------------------------------------------------------------------------
// Queries (rows are parsed here and only here)

interface MandateRow {
  member_id: string;
  enterprise_id: string;
  uscc: string;
  name: string;
  enterprise_status: EnterpriseStatus;
  role: MemberRole;
  item_codes: string[] | null;
  expires_at: Date | null;
}

const MANDATE_SQL = `select m.id as member_id, e.id as enterprise_id, e.uscc, e.name, e.status as enterprise_status,
       m.role, m.item_codes, m.expires_at
  from identity_enterprise_member m
  join identity_enterprise e on e.id = m.enterprise_id
 where m.account_id = $1 and m.revoked_at is null and (m.expires_at is null or m.expires_at > now())`;

const toMandate = (r: MandateRow): Mandate => ({
  memberId: r.member_id,
  enterpriseId: r.enterprise_id,
  uscc: r.uscc,
  name: r.name,
  enterpriseStatus: r.enterprise_status,
  role: r.role,
  itemCodes: r.item_codes,
  expiresAt: r.expires_at,
});

/** The caller's live mandates for active enterprises: whom they may act for. */
export async function mandatesOf(db: Queryable, accountId: string): Promise<Mandate[]> {
  const rows = await db.query<MandateRow>(`${MANDATE_SQL} and e.status = 'active' order by e.name, e.uscc`, [
    accountId,
  ]);
  return rows.map(toMandate);
}

/** The account's live mandate in the enterprise (whatever the enterprise's status), if any. */
export async function liveMandate(
  db: Queryable,
  accountId: string,
  enterpriseId: string,
): Promise<Mandate | undefined> {
  const [row] = await db.query<MandateRow>(`${MANDATE_SQL} and e.id = $2`, [accountId, enterpriseId]);
  return row ? toMandate(row) : undefined;
}

interface EnterpriseRow {
  id: string;
  uscc: string;
  name: string;
  legal_representative_name: string;
  region_code: string;
  status: EnterpriseStatus;
  verified_at: Date;
  created_at: Date;
}

const ENTERPRISE_COLUMNS =
  'id, uscc, name, legal_representative_name, region_code, status, verified_at, created_at';

async function findEnterprise(db: Queryable, id: string): Promise<EnterpriseRow | undefined> {
  const [row] = await db.query<EnterpriseRow>(
    `select ${ENTERPRISE_COLUMNS} from identity_enterprise where id = $1`,
    [id],
  );
  return row;
}

interface MemberRow {
  id: string;
  account_id: string;
  name: string | null;
  phone_enc: string | null;
  role: MemberRole;
  item_codes: string[] | null;
  expires_at: Date | null;
  appointed_at: Date;
  appointed_by: string;
  live: boolean;
}

const MEMBER_SQL = `select m.id, m.account_id, a.name, a.phone_enc, m.role, m.item_codes, m.expires_at,
       m.appointed_at, m.appointed_by, (m.expires_at is null or m.expires_at > now()) as live
  from identity_enterprise_member m
  join identity_account a on a.id = m.account_id
 where m.enterprise_id = $1 and m.revoked_at is null`;

const ROLE_ORDER = `case m.role when 'owner' then 0 when 'admin' then 1 else 2 end, m.appointed_at`;

function toMember(ctx: Pick<IdentityContext, 'cipher'>, r: MemberRow): MemberView {
  return {
    id: r.id,
    accountId: r.account_id,
    name: r.name ?? '',
    phone: r.phone_enc ? maskPhone(ctx.cipher.decrypt(r.phone_enc, 'phone')) : null,
    role: r.role,
    itemCodes: r.item_codes,
    expiresAt: r.expires_at,
    appointedAt: r.appointed_at,
    appointedBy: r.appointed_by,
    status: r.live ? 'active' : 'expired',
  };
}

/** Whether the account's verified ID number is the one the registry names as legal representative. */
async function isLegalRepresentative(
  ctx: Pick<IdentityContext, 'cipher'>,
  db: Queryable,
  accountId: string,
  record: LegalEntityRecord | null,
): Promise<boolean> {
  const idNumber = record?.legalRepresentativeIdNumber;
  if (!idNumber) return false;
  const [row] = await db.query<{ id_number_index: string | null }>(
    `select id_number_index from identity_account where id = $1 and kind = 'person' and assurance >= 2`,
    [accountId],
  );
  return !!row?.id_number_index && row.id_number_index === ctx.cipher.index(idNumber, 'idNumber');
}

const onBehalfOf = (actor: Actor, uscc: string): Actor => ({ ...actor, onBehalfOf: `enterprise:${uscc}` });

// ---------------------------------------------------------------------------------------
// Use cases

/**
 * Binds an enterprise to the platform: the credit code must be valid (400) and in the
 * registry (404), the entity active (422), the caller its legal representative (403) and
 * the enterprise not bound yet (409). The caller becomes its owner.
 */
export async function bindEnterprise(
  ctx: Pick<IdentityContext, 'db' | 'cipher' | 'legalEntityVerifier'>,
  principal: Principal,
  rawUscc: string,
  actor: Actor,
): Promise<EnterpriseDetail> {
  const uscc = assertIdentifier('uscc', 'uscc', rawUscc);
  const record = await ctx.legalEntityVerifier.lookup(uscc);
  if (!record) throw notFound(`No enterprise with credit code ${uscc} in the legal-entity registry`);
  if (!record.active) {
    throw new AppError(
      'unprocessable',
      `The enterprise is ${record.registryStatus} in the registry and can no longer be bound`,
      undefined,
      { registryStatus: record.registryStatus },
    );
  }
  if (!(await isLegalRepresentative(ctx, ctx.db, principal.sub, record))) {
    throw forbidden('Only the legal representative registered for the enterprise may bind it');
  }
  const enterpriseId = await ctx.db.transaction(async (tx) => {
    const [created] = await tx.query<{ id: string }>(
      `insert into identity_enterprise (uscc, name, legal_representative_name, region_code, verified_at, created_by)
       values ($1, $2, $3, $4, now(), $5) on conflict (uscc) do nothing returning id`,
      [record.uscc, record.name, record.legalRepresentativeName, record.regionCode, principal.sub],
    );
    if (!created) {
      const [bound] = await tx.query<{ id: string }>('select id from identity_enterprise where uscc = $1', [
        uscc,
      ]);
      throw conflict(
        'The enterprise is already bound; its legal representative owns it (POST .../refresh after a change of legal representative)',
        { enterpriseId: bound?.id },
      );
    }
    const [owner] = await tx.query<{ id: string }>(
      `insert into identity_enterprise_member (enterprise_id, account_id, role, appointed_by)
       values ($1, $2, 'owner', $2) returning id`,
      [created.id, principal.sub],
    );
    await audit(tx, {
      ...onBehalfOf(actor, uscc),
      action: 'identity.enterprise.bind',
      entity: 'identity_enterprise',
      entityId: created.id,
      after: {
        uscc,
        name: record.name,
        legalRepresentativeName: record.legalRepresentativeName,
        registryStatus: record.registryStatus,
        ownerMemberId: owner!.id,
      },
    });
    return created.id;
  });
  return enterpriseDetail(ctx, principal, enterpriseId);
}

/** An enterprise as the caller sees it: 404 unless they hold a live mandate in it. */
export async function enterpriseDetail(
  ctx: Pick<IdentityContext, 'db' | 'cipher'>,
  principal: Principal,
  enterpriseId: string,
): Promise<EnterpriseDetail> {
  const mandate = await liveMandate(ctx.db, principal.sub, enterpriseId);
  const enterprise = mandate && (await findEnterprise(ctx.db, enterpriseId));
  if (!mandate || !enterprise) throw notFound('No such enterprise among those you may act for');
  const seesAll = mandate.role !== 'agent';
  const rows = await ctx.db.query<MemberRow>(
    `${MEMBER_SQL}${seesAll ? '' : ' and m.id = $2'} order by ${ROLE_ORDER}`,
    seesAll ? [enterpriseId] : [enterpriseId, mandate.memberId],
  );
  return {
    id: enterprise.id,
    uscc: enterprise.uscc,
    name: enterprise.name,
    legalRepresentativeName: enterprise.legal_representative_name,
    regionCode: enterprise.region_code,
    status: enterprise.status,
    verifiedAt: enterprise.verified_at,
    createdAt: enterprise.created_at,
    mandate: {
      memberId: mandate.memberId,
      role: mandate.role,
      itemCodes: mandate.itemCodes,
      expiresAt: mandate.expiresAt,
    },
    members: rows.map((r) => toMember(ctx, r)),
  };
}

/** The caller's mandate in an active enterprise, allowed to appoint or revoke `role`. */
async function managingMandate(
  db: Queryable,
  principal: Principal,
  enterpriseId: string,
  role: MemberRole,
): Promise<Mandate> {
  const mandate = await liveMandate(db, principal.sub, enterpriseId);
  if (!mandate) throw notFound('No such enterprise among those you may act for');
  const allowed: readonly MemberRole[] = APPOINTABLE_BY[mandate.role];
  if (!allowed.includes(role)) {
    throw forbidden(
      role === 'admin'
        ? 'Only the owner (legal representative) may appoint or revoke administrators'
        : `An enterprise ${mandate.role} may not appoint or revoke ${role}s`,
    );
  }
  if (mandate.enterpriseStatus !== 'active') throw conflict('The enterprise is closed');
  return mandate;
}

/** Checks the scope and expiry of a new mandate; 400 naming the field and the rule. */
async function checkMandateTerms(
  db: Queryable,
  input: AppointInput,
): Promise<{ itemCodes: string[] | null; expiresAt: Date | null }> {
  const errors = [];
  let itemCodes: string[] | null = null;
  if (input.role === 'agent') {
    const codes = input.itemCodes ?? [];
    if (codes.length === 0) {
      errors.push(
        fieldError(
          'itemCodes',
          'required',
          '经办人须指定可办理的事项',
          'an agent needs the items they may apply for',
        ),
      );
    } else {
      itemCodes = [...new Set(codes)];
      const known = new Set(
        (
          await db.query<{ code: string }>('select code from catalog_item where code = any($1::text[])', [
            itemCodes,
          ])
        ).map((r) => r.code),
      );
      codes.forEach((code, i) => {
        if (!known.has(code)) {
          errors.push(
            fieldError(
              `itemCodes[${i}]`,
              'exists',
              `事项编码${code}不存在`,
              `no service item with code ${code}`,
            ),
          );
        }
      });
    }
  } else if (input.itemCodes !== undefined) {
    errors.push(
      fieldError(
        'itemCodes',
        'notAllowed',
        '管理员可办理全部事项，不能限定事项',
        'administrators act for every item; a scope applies to agents only',
      ),
    );
  }
  let expiresAt: Date | null = null;
  if (input.expiresAt === undefined) {
    if (input.role === 'agent') {
      errors.push(
        fieldError('expiresAt', 'required', '经办人授权须设定截止时间', 'an agent mandate needs an expiry'),
      );
    }
  } else {
    expiresAt = new Date(input.expiresAt);
    const latest = Date.now() + MAX_MANDATE_DAYS * 86_400_000;
    if (Number.isNaN(expiresAt.getTime())) {
      errors.push(fieldError('expiresAt', 'format', '时间格式不正确', 'must be an ISO 8601 date-time'));
    } else if (expiresAt.getTime() <= Date.now()) {
      errors.push(fieldError('expiresAt', 'future', '截止时间须晚于当前时间', 'must be in the future'));
    } else if (expiresAt.getTime() > latest) {
      errors.push(
        fieldError(
          'expiresAt',
          'maximum',
          '授权期限最长为3年',
          `must be at most ${MAX_MANDATE_DAYS} days ahead`,
        ),
      );
    }
  }
  if (errors.length > 0) throw validationError(errors);
  return { itemCodes, expiresAt };
}

/**
 * Appoints an administrator (owner only) or an agent (owner or administrator). The
 * appointee is named by phone and real name and must have verified that name (assurance 2).
 */
export async function appointMember(
  ctx: Pick<IdentityContext, 'db' | 'cipher'>,
  principal: Principal,
  enterpriseId: string,
  input: AppointInput,
  actor: Actor,
): Promise<MemberView> {
  return ctx.db.transaction(async (tx) => {
    const mandate = await managingMandate(tx, principal, enterpriseId, input.role);
    const terms = await checkMandateTerms(tx, input);
    const appointee = await findAccountByPhone(ctx, tx, 'person', input.phone.trim());
    if (
      !appointee ||
      appointee.status !== 'active' ||
      appointee.assurance < 2 ||
      appointee.name !== input.name.trim()
    ) {
      throw new AppError('unprocessable', 'No person with a verified real name matches this phone and name', [
        fieldError(
          'phone',
          'personMatch',
          '未找到手机号与实名一致且已实名认证的用户',
          'no person whose real name is verified matches this phone and name',
        ),
      ]);
    }
    const [existing] = await tx.query<{ id: string; role: MemberRole; live: boolean }>(
      `select id, role, (expires_at is null or expires_at > now()) as live from identity_enterprise_member
        where enterprise_id = $1 and account_id = $2 and revoked_at is null`,
      [enterpriseId, appointee.id],
    );
    if (existing?.live) {
      throw conflict('The person already holds a mandate in this enterprise; revoke it first', {
        memberId: existing.id,
        role: existing.role,
      });
    }
    if (existing) {
      // An expired mandate is closed formally so the new one can take its place.
      await tx.query(
        'update identity_enterprise_member set revoked_at = now(), revoked_by = $2 where id = $1',
        [existing.id, principal.sub],
      );
    }
    const [row] = await tx.query<{ id: string }>(
      `insert into identity_enterprise_member (enterprise_id, account_id, role, item_codes, expires_at, appointed_by)
       values ($1, $2, $3, $4, $5, $6) returning id`,
      [enterpriseId, appointee.id, input.role, terms.itemCodes, terms.expiresAt, principal.sub],
    );
    const [member] = await tx.query<MemberRow>(`${MEMBER_SQL} and m.id = $2`, [enterpriseId, row!.id]);
    const view = toMember(ctx, member!);
    await audit(tx, {
      ...onBehalfOf(actor, mandate.uscc),
      action: 'identity.enterprise.member.appoint',
      entity: 'identity_enterprise_member',
      entityId: view.id,
      before: existing ? { expiredMemberId: existing.id } : undefined,
      after: {
        enterpriseId,
        accountId: view.accountId,
        phone: view.phone,
        role: view.role,
        itemCodes: view.itemCodes,
        expiresAt: view.expiresAt,
      },
    });
    return view;
  });
}

/** Revokes a mandate at once; the owner's cannot be revoked (it follows the registry). */
export async function revokeMember(
  ctx: Pick<IdentityContext, 'db'>,
  principal: Principal,
  enterpriseId: string,
  memberId: string,
  actor: Actor,
): Promise<void> {
  await ctx.db.transaction(async (tx) => {
    const [target] = await tx.query<{
      id: string;
      role: MemberRole;
      account_id: string;
      expires_at: Date | null;
    }>(
      `select id, role, account_id, expires_at from identity_enterprise_member
        where id = $1 and enterprise_id = $2 and revoked_at is null for update`,
      [memberId, enterpriseId],
    );
    const mandate = await liveMandate(tx, principal.sub, enterpriseId);
    if (!mandate || !target) throw notFound('No such live member of an enterprise you may act for');
    if (target.role === 'owner') {
      throw conflict(
        'The owner is the legal representative and cannot be revoked; ownership follows the registry (POST .../refresh)',
      );
    }
    await managingMandate(tx, principal, enterpriseId, target.role);
    await tx.query(
      'update identity_enterprise_member set revoked_at = now(), revoked_by = $2 where id = $1',
      [memberId, principal.sub],
    );
    await audit(tx, {
      ...onBehalfOf(actor, mandate.uscc),
      action: 'identity.enterprise.member.revoke',
      entity: 'identity_enterprise_member',
      entityId: memberId,
      before: { enterpriseId, accountId: target.account_id, role: target.role, expiresAt: target.expires_at },
      after: { revoked: true },
    });
  });
}

/**
 * Re-reads the registry: name, legal representative and status follow it; when the legal
 * representative changed, the former owner's mandate ends, and if the caller is the new
 * legal representative they become the owner. Allowed to the owner, administrators and
 * the registry's current legal representative.
 */
export async function refreshEnterprise(
  ctx: Pick<IdentityContext, 'db' | 'cipher' | 'legalEntityVerifier'>,
  principal: Principal,
  enterpriseId: string,
  actor: Actor,
): Promise<EnterpriseDetail> {
  const enterprise = await findEnterprise(ctx.db, enterpriseId);
  const mandate = enterprise && (await liveMandate(ctx.db, principal.sub, enterpriseId));
  const record = enterprise ? await ctx.legalEntityVerifier.lookup(enterprise.uscc) : null;
  const callerIsRepresentative = await isLegalRepresentative(ctx, ctx.db, principal.sub, record);
  if (!enterprise || (!callerIsRepresentative && (!mandate || mandate.role === 'agent'))) {
    throw notFound('No such enterprise among those you may manage');
  }
  await ctx.db.transaction(async (tx) => {
    const status: EnterpriseStatus = record?.active ? 'active' : 'closed';
    const after = {
      name: record?.name ?? enterprise.name,
      legalRepresentativeName: record?.legalRepresentativeName ?? enterprise.legal_representative_name,
      regionCode: record?.regionCode ?? enterprise.region_code,
      status,
      registryStatus: record?.registryStatus ?? null,
    };
    await tx.query(
      `update identity_enterprise set name = $2, legal_representative_name = $3, region_code = $4, status = $5,
              verified_at = case when $6 then now() else verified_at end
        where id = $1`,
      [enterpriseId, after.name, after.legalRepresentativeName, after.regionCode, status, record !== null],
    );
    const [owner] = await tx.query<{ id: string; account_id: string }>(
      `select id, account_id from identity_enterprise_member
        where enterprise_id = $1 and role = 'owner' and revoked_at is null`,
      [enterpriseId],
    );
    const ownerStays =
      owner !== undefined && (await isLegalRepresentative(ctx, tx, owner.account_id, record));
    let newOwnerMemberId: string | null = null;
    if (owner && !ownerStays && record) {
      await tx.query(
        'update identity_enterprise_member set revoked_at = now(), revoked_by = $2 where id = $1',
        [owner.id, principal.sub],
      );
    }
    if (record && callerIsRepresentative && !ownerStays) {
      // The new legal representative's other mandate in the enterprise gives way to ownership.
      await tx.query(
        `update identity_enterprise_member set revoked_at = now(), revoked_by = $2
          where enterprise_id = $1 and account_id = $2 and revoked_at is null`,
        [enterpriseId, principal.sub],
      );
      const [created] = await tx.query<{ id: string }>(
        `insert into identity_enterprise_member (enterprise_id, account_id, role, appointed_by)
         values ($1, $2, 'owner', $2) returning id`,
        [enterpriseId, principal.sub],
      );
      newOwnerMemberId = created!.id;
    }
    await audit(tx, {
      ...onBehalfOf(actor, enterprise.uscc),
      action: 'identity.enterprise.refresh',
      entity: 'identity_enterprise',
      entityId: enterpriseId,
      before: {
        name: enterprise.name,
        legalRepresentativeName: enterprise.legal_representative_name,
        regionCode: enterprise.region_code,
        status: enterprise.status,
        ownerMemberId: owner?.id ?? null,
      },
      after: { ...after, ownerMemberId: ownerStays ? owner!.id : newOwnerMemberId },
    });
  });
  return enterpriseDetail(ctx, principal, enterpriseId);
}

/** What the acting principal may do for one item; throws 403 when not acting or out of scope. */
export interface ItemMandate {
  allowed: true;
  itemCode: string;
  enterpriseId: string;
  uscc: string;
  enterpriseName: string;
  role: MemberRole;
  expiresAt: Date | null;
}

export function mandateFor(principal: Principal, itemCode: string): ItemMandate {
  const acting = principal.acting;
  if (!acting) throw forbidden('Switch to acting for an enterprise first');
  assertItemInScope(principal, itemCode);
  return {
    allowed: true,
    itemCode,
    enterpriseId: acting.enterpriseId,
    uscc: acting.uscc,
    enterpriseName: acting.name,
    role: acting.role,
    expiresAt: acting.expiresAt,
  };
}

/** Writes a refused change to the audit trail (outside the rolled-back transaction). */
export async function auditRefusal(
  db: Queryable,
  actor: Actor,
  action: string,
  entity: string,
  entityId: string,
  error: unknown,
  attempted?: unknown,
): Promise<void> {
  if (!(error instanceof AppError) || error.status >= 500) return;
  await audit(db, {
    ...actor,
    action: `${action}.refused`,
    entity,
    entityId,
    after: {
      code: error.code,
      status: error.status,
      detail: error.detail,
      rules: error.errors?.map((e) => `${e.field}:${e.rule}`),
      attempted,
    },
  });
}
