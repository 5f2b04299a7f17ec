/**
 * A person's own account: profile, real-name (L2) and face (L3) verification, password,
 * phone change with re-verification, closure, and their authentication history.
 */
import type { FastifyRequest } from 'fastify';
import { audit } from '../../kernel/audit.ts';
import type { Acting, Principal } from '../../kernel/auth.ts';
import { actorOf } from '../../kernel/auth.ts';
import {
  hashPassword,
  maskIdNumber,
  maskName,
  maskPhone,
  passwordPolicy,
  verifyPassword,
} from '../../kernel/crypto.ts';
import { sqlState, type Queryable } from '../../kernel/db.ts';
import { AppError, conflict, notFound, validationError, textFieldError } from '../../kernel/errors.ts';
import { defineMessages } from '../../kernel/i18n.ts';
import { assertIdentifier } from '../../kernel/identifiers/index.ts';
import { tooManyRequests } from '../../kernel/ratelimit.ts';
import { findAccountByPhone, type AccountRow } from './accounts.ts';
import type { IdentityContext } from './context.ts';
import type { OpenedSession } from './sessions.ts';
import { assertMobilePhone, verifySmsCode } from './sms-codes.ts';

defineMessages({
  'identity.realName.mismatch': {
    zh: '姓名与身份证号码核验不一致，请核对后重试',
    en: 'the name and ID number could not be verified together; check both',
  },
  'identity.face.mismatch': {
    zh: '人脸核验未通过，请重新采集',
    en: 'the face verification failed; capture again',
  },
  'identity.password.mismatch': { zh: '密码不正确', en: 'the password is wrong' },
  'identity.password.required': { zh: '请输入当前密码', en: 'the current password is required' },
  'identity.proof.required': {
    zh: '请输入登录密码，或当前手机号收到的验证码',
    en: 'give the password, or a code sent to the current phone (purpose confirm)',
  },
  'identity.phone.unchanged': { zh: '新手机号与当前手机号相同', en: 'is the current phone number' },
  'identity.name.invalid': {
    zh: '请输入身份证上的姓名',
    en: 'must be the name as on the ID card',
  },
});

/** Attempts at the registry and the face service per account and day (so neither can be enumerated). */
export const REAL_NAME_ATTEMPTS = { max: 5, windowSeconds: 86_400 };
export const FACE_ATTEMPTS = { max: 5, windowSeconds: 86_400 };

const ACCOUNT_ENTITY = 'identity_account';

interface OwnAccountRow extends AccountRow {
  email: string | null;
  address: string | null;
  real_name_verified_at: Date | null;
  face_verified_at: Date | null;
  created_at: Date;
}

async function ownAccount(db: Queryable, id: string): Promise<OwnAccountRow> {
  const [row] = await db.query<OwnAccountRow>(
    `select id, kind, username, name, phone_enc, id_number_enc, password_hash, assurance, email, address, status,
            real_name_verified_at, face_verified_at, created_at
       from identity_account where id = $1`,
    [id],
  );
  // The guard resolved the session a moment ago; only a concurrent closure gets here.
  if (!row || row.status !== 'active') throw notFound('The account no longer exists');
  return row;
}

/** An authentication or account event on the person's own account (their history shows it). */
function accountEvent(
  db: Queryable,
  request: FastifyRequest,
  action: string,
  details: { before?: unknown; after?: unknown } = {},
) {
  const principal = request.principal!;
  return audit(db, {
    ...actorOf(request),
    action,
    entity: ACCOUNT_ENTITY,
    entityId: principal.sub,
    before: details.before,
    after: {
      ...(details.after as object | undefined),
      userAgent: request.headers['user-agent']?.slice(0, 200),
    },
  });
}

// ---------------------------------------------------------------------------------------
// Profile

export interface EnterpriseMandate {
  memberId: string;
  enterpriseId: string;
  uscc: string;
  name: string;
  role: 'owner' | 'admin' | 'agent';
  itemCodes: string[] | null;
  expiresAt: string | null;
}

export interface Profile {
  id: string;
  kind: 'person' | 'staff';
  name: string | null;
  username: string | null;
  phone: string | null;
  idNumber: string | null;
  assurance: number;
  email: string | null;
  address: string | null;
  hasPassword: boolean;
  realNameVerifiedAt: string | null;
  faceVerifiedAt: string | null;
  createdAt: string;
  enterprises: EnterpriseMandate[];
  acting: (Omit<Acting, 'expiresAt'> & { expiresAt: string | null }) | null;
  staff: {
    organisationId: number;
    organisationName: string;
    hallWindow: string | null;
    title: string | null;
    roles: string[];
    permissions: string[];
    jurisdiction: { regionCodes: string[]; organisationIds: number[] };
  } | null;
}

/** Enterprises the person may act for now: live mandates of active enterprises. */
export async function liveMandates(db: Queryable, accountId: string): Promise<EnterpriseMandate[]> {
  const rows = await db.query<Omit<EnterpriseMandate, 'expiresAt'> & { expiresAt: Date | null }>(
    `select m.id as "memberId", e.id as "enterpriseId", e.uscc, e.name, m.role, m.item_codes as "itemCodes",
            m.expires_at as "expiresAt"
       from identity_enterprise_member m
       join identity_enterprise e on e.id = m.enterprise_id and e.status = 'active'
      where m.account_id = $1 and m.revoked_at is null and (m.expires_at is null or m.expires_at > now())
      order by e.name, m.appointed_at`,
    [accountId],
  );
  return rows.map((r) => ({ ...r, expiresAt: r.expiresAt?.toISOString() ?? null }));
}

/** The caller's own profile; phone and ID number always masked (the owner knows them). */
export async function getProfile(ctx: IdentityContext, principal: Principal): Promise<Profile> {
  const account = await ownAccount(ctx.db, principal.sub);
  let staff: Profile['staff'] = null;
  if (account.kind === 'staff') {
    const [place] = await ctx.db.query<{
      organisationId: number;
      organisationName: string;
      hallWindow: string | null;
      title: string | null;
    }>(
      `select s.organisation_id as "organisationId", o.name as "organisationName", s.hall_window as "hallWindow",
              s.title
         from identity_staff s join organisation o on o.id = s.organisation_id
        where s.account_id = $1`,
      [account.id],
    );
    if (place) {
      staff = {
        ...place,
        roles: principal.roles,
        permissions: [...principal.permissions].sort(),
        jurisdiction: principal.jurisdiction ?? { regionCodes: [], organisationIds: [] },
      };
    }
  }
  const acting = principal.acting;
  return {
    id: account.id,
    kind: account.kind,
    name: account.name,
    username: account.username,
    phone: account.phone_enc ? maskPhone(ctx.cipher.decrypt(account.phone_enc, 'phone')) : null,
    idNumber: account.id_number_enc
      ? maskIdNumber(ctx.cipher.decrypt(account.id_number_enc, 'idNumber'))
      : null,
    assurance: account.assurance,
    email: account.email,
    address: account.address,
    hasPassword: account.password_hash !== null,
    realNameVerifiedAt: account.real_name_verified_at?.toISOString() ?? null,
    faceVerifiedAt: account.face_verified_at?.toISOString() ?? null,
    createdAt: account.created_at.toISOString(),
    enterprises: account.kind === 'person' ? await liveMandates(ctx.db, account.id) : [],
    acting: acting ? { ...acting, expiresAt: acting.expiresAt?.toISOString() ?? null } : null,
    staff,
  };
}

/** Changes the contact details; null clears one. */
export async function updateContact(
  ctx: IdentityContext,
  request: FastifyRequest,
  input: { email?: string | null | undefined; address?: string | null | undefined },
): Promise<void> {
  const principal = request.principal!;
  const email = input.email === undefined ? undefined : (input.email?.trim().toLowerCase() ?? null) || null;
  const address = input.address === undefined ? undefined : (input.address?.trim() ?? null) || null;
  await ctx.db.transaction(async (tx) => {
    const before = await ownAccount(tx, principal.sub);
    const [after] = await tx.query<{ email: string | null; address: string | null }>(
      `update identity_account
          set email = case when $2 then $3 else email end,
              address = case when $4 then $5 else address end,
              updated_at = now()
        where id = $1 returning email, address`,
      [principal.sub, email !== undefined, email ?? null, address !== undefined, address ?? null],
    );
    await audit(tx, {
      ...actorOf(request),
      action: 'identity.profile.update',
      entity: ACCOUNT_ENTITY,
      entityId: principal.sub,
      before: { email: before.email, address: before.address },
      after,
    });
  });
}

// ---------------------------------------------------------------------------------------
// Real name (L2) and face (L3)

/** Counts one attempt at an external check; the 6th of a day is refused before it reaches the provider. */
async function countAttempt(
  ctx: IdentityContext,
  request: FastifyRequest,
  kind: 'realname' | 'face',
): Promise<void> {
  const limit = kind === 'realname' ? REAL_NAME_ATTEMPTS : FACE_ATTEMPTS;
  const result = await ctx.limiter.hit(`${kind}:acct:${request.principal!.sub}`, limit);
  if (result.allowed) return;
  await accountEvent(ctx.db, request, `identity.${kind === 'realname' ? 'realname' : 'face'}.refused`, {
    after: { reason: 'rate_limited' },
  });
  throw tooManyRequests(
    result.retryAfterSeconds,
    `At most ${limit.max} verification attempts a day; try again in ${result.retryAfterSeconds} seconds`,
  );
}

/** Name as typed on the ID card: spaces dropped, full-width forms folded. */
function normaliseName(name: string): string {
  const normalised = name.normalize('NFKC').replace(/\s+/g, '');
  if (!/^[\p{L}·•.-]{1,50}$/u.test(normalised)) {
    throw validationError([textFieldError('name', 'format', 'identity.name.invalid')]);
  }
  return normalised;
}

/**
 * Real-name verification (实名认证): the ID number is checked locally first (400 with
 * the rule broken), then against the identity service. Only one live person account may
 * hold an ID number. Success raises the account to L2 and rotates the session.
 */
export async function verifyRealName(
  ctx: IdentityContext,
  request: FastifyRequest,
  input: { name: string; idNumber: string },
): Promise<{ opened: OpenedSession; assurance: number; realNameVerifiedAt: string }> {
  const principal = request.principal!;
  let idNumber: string;
  try {
    idNumber = assertIdentifier('residentId', 'idNumber', input.idNumber);
  } catch (error) {
    const rules = error instanceof AppError ? error.errors?.map((e) => e.rule) : undefined;
    await accountEvent(ctx.db, request, 'identity.realname.failed', {
      after: { idNumber: maskIdNumber(input.idNumber), reason: 'invalid_id_number', rules },
    });
    throw error;
  }
  const name = normaliseName(input.name);
  const account = await ownAccount(ctx.db, principal.sub);
  if (account.real_name_verified_at) {
    throw conflict('The real name of this account is already verified', {
      realNameVerifiedAt: account.real_name_verified_at.toISOString(),
    });
  }
  await countAttempt(ctx, request, 'realname');
  const masked = { name: maskName(name), idNumber: maskIdNumber(idNumber) };
  const result = await ctx.identityVerifier.verifyRealName({ name, idNumber });
  if (!result.match) {
    // The client is not told whether the number exists: only the audit trail keeps the reason.
    await accountEvent(ctx.db, request, 'identity.realname.failed', {
      after: { ...masked, reason: result.reason ?? 'mismatch', provider: ctx.identityVerifier.name },
    });
    throw new AppError(
      'unprocessable',
      'The name and ID number could not be verified with the identity service',
      [textFieldError('idNumber', 'realName', 'identity.realName.mismatch')],
    );
  }
  const idNumberIndex = ctx.cipher.index(idNumber, 'idNumber');
  const duplicate = async () => {
    await accountEvent(ctx.db, request, 'identity.realname.failed', {
      after: { ...masked, reason: 'duplicate' },
    });
    return conflict(
      'Another account is already verified with this ID number: sign in with it, or close it first',
    );
  };
  const [holder] = await ctx.db.query(
    `select 1 from identity_account
      where kind = 'person' and id_number_index = $1 and status <> 'closed' and id <> $2`,
    [idNumberIndex, principal.sub],
  );
  if (holder) throw await duplicate();
  try {
    return await ctx.db.transaction(async (tx) => {
      const [updated] = await tx.query<{ assurance: number; real_name_verified_at: Date }>(
        `update identity_account
            set name = $2, id_number_enc = $3, id_number_index = $4, assurance = greatest(assurance, 2),
                real_name_verified_at = now(), updated_at = now()
          where id = $1 and status = 'active' and real_name_verified_at is null
          returning assurance, real_name_verified_at`,
        [principal.sub, name, ctx.cipher.encrypt(idNumber, 'idNumber'), idNumberIndex],
      );
      if (!updated) throw conflict('The real name of this account is already verified');
      await accountEvent(tx, request, 'identity.realname.verified', {
        before: { assurance: account.assurance },
        after: { ...masked, assurance: updated.assurance, provider: ctx.identityVerifier.name },
      });
      const opened = await ctx.sessions.rotate(tx, principal, request);
      return {
        opened,
        assurance: updated.assurance,
        realNameVerifiedAt: updated.real_name_verified_at.toISOString(),
      };
    });
  } catch (error) {
    if (sqlState(error) === '23505') throw await duplicate();
    throw error;
  }
}

/** Face verification (L3) against the photo on record for the verified ID number; rotates the session. */
export async function verifyFace(
  ctx: IdentityContext,
  request: FastifyRequest,
  evidence: string,
): Promise<{ opened: OpenedSession; assurance: number; faceVerifiedAt: string }> {
  const principal = request.principal!;
  const account = await ownAccount(ctx.db, principal.sub);
  if (!account.id_number_enc || !account.name) {
    throw new AppError('forbidden', 'Verify the real name first', undefined, { requiredAssurance: 2 });
  }
  await countAttempt(ctx, request, 'face');
  const result = await ctx.identityVerifier.verifyFace({
    name: account.name,
    idNumber: ctx.cipher.decrypt(account.id_number_enc, 'idNumber'),
    evidence,
  });
  if (!result.match) {
    await accountEvent(ctx.db, request, 'identity.face.failed', {
      after: { liveness: result.liveness, score: result.score, provider: ctx.identityVerifier.name },
    });
    throw new AppError(
      'unprocessable',
      result.liveness ? 'The face does not match the photo on record' : 'The liveness check failed',
      [textFieldError('evidence', result.liveness ? 'faceMatch' : 'liveness', 'identity.face.mismatch')],
      { liveness: result.liveness, score: result.score },
    );
  }
  return ctx.db.transaction(async (tx) => {
    const [updated] = await tx.query<{ assurance: number; face_verified_at: Date }>(
      `update identity_account set assurance = 3, face_verified_at = now(), updated_at = now()
        where id = $1 and status = 'active' returning assurance, face_verified_at`,
      [principal.sub],
    );
    await accountEvent(tx, request, 'identity.face.verified', {
      before: { assurance: account.assurance },
      after: { assurance: 3, score: result.score, provider: ctx.identityVerifier.name },
    });
    const opened = await ctx.sessions.rotate(tx, principal, request);
    return { opened, assurance: updated!.assurance, faceVerifiedAt: updated!.face_verified_at.toISOString() };
  });
}

// ---------------------------------------------------------------------------------------
// Secrets: password, phone, and the proof of ownership that sensitive changes require

const passwordKey = (accountId: string) => `password:change:${accountId}`;

/**
 * Checks the account's password under the same progressive lockout as sign-in: a locked
 * account is refused before the password is looked at. Audits a wrong one.
 */
async function assertPassword(
  ctx: IdentityContext,
  request: FastifyRequest,
  account: OwnAccountRow,
  password: string,
  field: string,
  purpose: string,
): Promise<void> {
  const key = passwordKey(account.id);
  await ctx.limiter.assertNotLocked(key);
  if (account.password_hash && (await verifyPassword(account.password_hash, password))) {
    await ctx.limiter.recordSuccess(key);
    return;
  }
  await ctx.limiter.recordFailure(key, ctx.config.rateLimits.passwordFailures);
  await accountEvent(ctx.db, request, 'identity.password.failed', { after: { purpose } });
  throw validationError([textFieldError(field, 'mismatch', 'identity.password.mismatch')]);
}

/** Checks a code sent to `phone`, reporting its errors under `field`; audits a failure. */
async function assertSmsCode(
  ctx: IdentityContext,
  request: FastifyRequest,
  phone: string,
  purpose: 'change_phone' | 'confirm',
  code: string,
  field: string,
  action: string,
): Promise<void> {
  try {
    await verifySmsCode(ctx, phone, purpose, code, request.ip);
  } catch (error) {
    if (error instanceof AppError) {
      await accountEvent(ctx.db, request, 'identity.code.failed', {
        after: { action, purpose, phone: maskPhone(phone), reason: error.errors?.[0]?.rule ?? error.code },
      });
      if (error.errors && field !== 'code') {
        throw new AppError(
          error.code,
          error.detail?.replace(/^code:/, `${field}:`),
          error.errors.map((e) => (e.field === 'code' ? { ...e, field } : e)),
          error.extra,
        );
      }
    }
    throw error;
  }
}

/** Proof that the current owner is at the keyboard: their password, or a `confirm` code to their phone. */
async function assertOwner(
  ctx: IdentityContext,
  request: FastifyRequest,
  account: OwnAccountRow,
  proof: { password?: string | undefined; code?: string | undefined },
  codeField: string,
  action: string,
): Promise<void> {
  if (proof.password !== undefined) {
    await assertPassword(ctx, request, account, proof.password, 'password', action);
    return;
  }
  if (proof.code !== undefined && account.phone_enc) {
    const phone = ctx.cipher.decrypt(account.phone_enc, 'phone');
    await assertSmsCode(ctx, request, phone, 'confirm', proof.code, codeField, action);
    return;
  }
  throw validationError([textFieldError('password', 'required', 'identity.proof.required')]);
}

/**
 * Sets or changes the password. When one is set, the current one is required. Every
 * other session of the account ends; this one stays.
 */
export async function changePassword(
  ctx: IdentityContext,
  request: FastifyRequest,
  input: { currentPassword?: string | undefined; newPassword: string },
): Promise<{ sessionsEnded: number }> {
  const principal = request.principal!;
  const weak = passwordPolicy(input.newPassword, 'newPassword');
  if (weak) throw validationError([weak]);
  const account = await ownAccount(ctx.db, principal.sub);
  if (account.password_hash) {
    if (input.currentPassword === undefined) {
      throw validationError([textFieldError('currentPassword', 'required', 'identity.password.required')]);
    }
    await assertPassword(ctx, request, account, input.currentPassword, 'currentPassword', 'change_password');
  }
  const passwordHash = await hashPassword(input.newPassword);
  return ctx.db.transaction(async (tx) => {
    await tx.query('update identity_account set password_hash = $2, updated_at = now() where id = $1', [
      principal.sub,
      passwordHash,
    ]);
    const sessionsEnded = await ctx.sessions.revokeAll(
      tx,
      principal.sub,
      'password_changed',
      principal.sessionId,
    );
    await accountEvent(
      tx,
      request,
      account.password_hash ? 'identity.password.changed' : 'identity.password.set',
      {
        after: { sessionsEnded },
      },
    );
    return { sessionsEnded };
  });
}

/**
 * Moves the account to a new phone number: the new number proves itself with a
 * `change_phone` code sent to it, the current owner with the password or a `confirm`
 * code sent to the current number. A number used by another live person account is refused.
 */
export async function changePhone(
  ctx: IdentityContext,
  request: FastifyRequest,
  input: { newPhone: string; code: string; password?: string | undefined; currentCode?: string | undefined },
): Promise<{ phone: string }> {
  const principal = request.principal!;
  assertMobilePhone(input.newPhone, 'newPhone');
  const account = await ownAccount(ctx.db, principal.sub);
  const currentPhone = account.phone_enc ? ctx.cipher.decrypt(account.phone_enc, 'phone') : null;
  if (currentPhone === input.newPhone) {
    throw validationError([textFieldError('newPhone', 'unchanged', 'identity.phone.unchanged')]);
  }
  await assertOwner(
    ctx,
    request,
    account,
    { password: input.password, code: input.currentCode },
    'currentCode',
    'change_phone',
  );
  await assertSmsCode(ctx, request, input.newPhone, 'change_phone', input.code, 'code', 'change_phone');
  const masked = {
    before: { phone: currentPhone && maskPhone(currentPhone) },
    after: { phone: maskPhone(input.newPhone) },
  };
  // Checked only now, so that only whoever holds the new number learns that it is taken.
  const taken = async () => {
    await accountEvent(ctx.db, request, 'identity.phone.change_failed', {
      ...masked,
      after: { ...masked.after, reason: 'taken' },
    });
    return conflict('Another account uses this phone number');
  };
  const holder = await findAccountByPhone(ctx, ctx.db, 'person', input.newPhone);
  if (holder && holder.id !== principal.sub) throw await taken();
  try {
    await ctx.db.transaction(async (tx) => {
      await tx.query(
        `update identity_account set phone_enc = $2, phone_index = $3, updated_at = now()
          where id = $1 and status = 'active'`,
        [
          principal.sub,
          ctx.cipher.encrypt(input.newPhone, 'phone'),
          ctx.cipher.index(input.newPhone, 'phone'),
        ],
      );
      await accountEvent(tx, request, 'identity.phone.changed', masked);
    });
  } catch (error) {
    if (sqlState(error) === '23505') throw await taken();
    throw error;
  }
  return { phone: maskPhone(input.newPhone) };
}

// ---------------------------------------------------------------------------------------
// Closure and history

/**
 * Closes the account (注销): refused while the person owns an active enterprise (they
 * must hand it over or close it first). Ends every session and every mandate the person
 * holds; the row stays for the audit trail without its password, and the phone number
 * and ID number become free for a new account.
 */
export async function closeAccount(
  ctx: IdentityContext,
  request: FastifyRequest,
  proof: { password?: string | undefined; code?: string | undefined },
): Promise<{ sessionsEnded: number; mandatesRevoked: number }> {
  const principal = request.principal!;
  const account = await ownAccount(ctx.db, principal.sub);
  const owned = await ctx.db.query<{ uscc: string; name: string }>(
    `select e.uscc, e.name from identity_enterprise_member m
       join identity_enterprise e on e.id = m.enterprise_id and e.status = 'active'
      where m.account_id = $1 and m.role = 'owner' and m.revoked_at is null
      order by e.name`,
    [principal.sub],
  );
  if (owned.length > 0) {
    await accountEvent(ctx.db, request, 'identity.account.close_refused', {
      after: { reason: 'owns_enterprise', enterprises: owned.map((e) => e.uscc) },
    });
    throw conflict('Hand over or close the enterprises you own before closing the account', {
      enterprises: owned,
    });
  }
  await assertOwner(ctx, request, account, proof, 'code', 'close_account');
  const result = await ctx.db.transaction(async (tx) => {
    const closed = await tx.query(
      `update identity_account set status = 'closed', closed_at = now(), password_hash = null, updated_at = now()
        where id = $1 and status = 'active' returning id`,
      [principal.sub],
    );
    if (closed.length === 0) throw conflict('The account is already closed');
    const mandates = await tx.query(
      `update identity_enterprise_member set revoked_at = now(), revoked_by = $1
        where account_id = $1 and revoked_at is null returning id`,
      [principal.sub],
    );
    const sessionsEnded = await ctx.sessions.revokeAll(tx, principal.sub, 'closed');
    await accountEvent(tx, request, 'identity.account.closed', {
      before: { status: 'active' },
      after: { status: 'closed', sessionsEnded, mandatesRevoked: mandates.length },
    });
    return { sessionsEnded, mandatesRevoked: mandates.length };
  });
  return result;
}

export interface AccountEvent {
  at: string;
  action: string;
  /** Whether the account itself did it (a sign-in, a change) rather than someone else (an administrator). */
  bySelf: boolean;
  onBehalfOf: string | null;
  ip: string | null;
  details: unknown;
}

/** The account's own events (sign-ins, failures, changes), newest first. */
export async function accountHistory(
  db: Queryable,
  accountId: string,
  page: number,
  size: number,
): Promise<{ items: AccountEvent[]; total: number }> {
  const [count] = await db.query<{ total: number }>(
    `select count(*)::int as total from audit_log where entity = $1 and entity_id = $2`,
    [ACCOUNT_ENTITY, accountId],
  );
  const rows = await db.query<{
    at: Date;
    action: string;
    actor: string;
    on_behalf_of: string | null;
    ip: string | null;
    after: unknown;
  }>(
    `select at, action, actor, on_behalf_of, ip, after from audit_log
      where entity = $1 and entity_id = $2
      order by at desc, id desc limit $3 offset $4`,
    [ACCOUNT_ENTITY, accountId, size, (page - 1) * size],
  );
  return {
    total: count?.total ?? 0,
    items: rows.map((r) => ({
      at: r.at.toISOString(),
      action: r.action,
      bySelf: r.actor === accountId,
      onBehalfOf: r.on_behalf_of,
      ip: r.ip,
      details: r.after,
    })),
  };
}
