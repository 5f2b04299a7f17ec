/**
 * QR-code login (扫码登录): a desktop browser asks for a code and shows it as a QR image;
 * the person's phone, already signed in, scans and approves it; the desktop redeems the
 * approved code once for a cookie session of that person.
 *
 * The code alone is not enough to redeem: the desktop that asked also received a binding
 * secret in an httpOnly cookie (`tb_qr`), and only a request carrying it may poll or
 * redeem. So a code photographed from the screen, or sent by an attacker to a victim to
 * approve, opens no session for anyone else. Codes live two minutes, are stored only as
 * their SHA-256, and are consumed by one atomic update.
 */
import type { FastifyRequest } from 'fastify';
import { audit } from '../../kernel/audit.ts';
import { actorOf } from '../../kernel/auth.ts';
import { randomToken, sha256, timingSafeEqualString } from '../../kernel/crypto.ts';
import type { Queryable } from '../../kernel/db.ts';
import { conflict, forbidden, notFound, type AppError } from '../../kernel/errors.ts';
import { ipBucket, tooManyRequests } from '../../kernel/ratelimit.ts';
import type { IdentityContext } from './context.ts';
import type { OpenedSession } from './sessions.ts';

export const QR_LOGIN_SECONDS = 120;
export const QR_BINDING_COOKIE = 'tb_qr';
export const QR_COOKIE_PATH = '/api/v1/identity/qr-logins';
/** Codes a client address may ask for per minute (a desktop refreshes one every two minutes). */
export const QR_CREATE_LIMIT = { max: 20, windowSeconds: 60 };

export type QrStatus = 'pending' | 'scanned' | 'approved' | 'denied' | 'consumed' | 'expired';

interface QrRow {
  id: string;
  desktop_binding_hash: string;
  status: Exclude<QrStatus, 'expired'>;
  account_id: string | null;
  expires_at: Date;
}

const qrId = (code: string) => sha256(code);

/** The status a client sees: a code past its end is expired unless it was already used. */
function visibleStatus(row: QrRow): QrStatus {
  if (row.status === 'consumed' || row.status === 'denied') return row.status;
  return row.expires_at.getTime() <= Date.now() ? 'expired' : row.status;
}

async function find(db: Queryable, code: string): Promise<QrRow | undefined> {
  const [row] = await db.query<QrRow>(
    'select id, desktop_binding_hash, status, account_id, expires_at from identity_qr_login where id = $1',
    [qrId(code)],
  );
  return row;
}

type Step = 'status' | 'scan' | 'approve' | 'deny' | 'redeem';

/** Audits a refused step (never the code or the binding secret) and returns the error to throw. */
async function refused(
  ctx: IdentityContext,
  request: FastifyRequest,
  code: string,
  step: Step,
  reason: string,
  error: AppError,
): Promise<AppError> {
  await audit(ctx.db, {
    ...actorOf(request),
    action: 'identity.qr.refused',
    entity: 'identity_qr_login',
    entityId: qrId(code).slice(0, 16),
    after: { step, reason, userAgent: request.headers['user-agent']?.slice(0, 200) },
  });
  return error;
}

/** Why `row` cannot take `step` now, as an audited problem. */
async function explain(
  ctx: IdentityContext,
  request: FastifyRequest,
  code: string,
  step: Step,
  row: QrRow | undefined,
): Promise<AppError> {
  if (!row) return refused(ctx, request, code, step, 'unknown', notFound('No QR login has this code'));
  const status = visibleStatus(row);
  const reasons: Partial<Record<QrStatus, [string, string]>> = {
    consumed: ['replayed', 'This QR code has already been used'],
    expired: ['expired', 'This QR code has expired: refresh it on the desktop'],
    denied: ['denied', 'This QR login was denied on the phone'],
    approved: ['already_approved', 'This QR login is already approved'],
    pending: ['not_approved', 'This QR login has not been approved on the phone'],
    scanned: ['not_approved', 'This QR login has not been approved on the phone'],
  };
  const [reason, detail] = reasons[status]!;
  return refused(ctx, request, code, step, reason, conflict(detail, { qrStatus: status }));
}

/** The desktop's proof: the binding secret from its cookie must match the one the code was issued to. */
async function assertDesktop(
  ctx: IdentityContext,
  request: FastifyRequest,
  code: string,
  step: Step,
  row: QrRow | undefined,
): Promise<QrRow> {
  if (!row) throw await explain(ctx, request, code, step, row);
  const binding = request.cookies?.[QR_BINDING_COOKIE];
  if (!binding || !timingSafeEqualString(sha256(binding), row.desktop_binding_hash)) {
    throw await refused(
      ctx,
      request,
      code,
      step,
      binding ? 'foreign_desktop' : 'no_binding',
      forbidden('This QR code was issued to another browser'),
    );
  }
  return row;
}

/** A new code for a desktop; the binding secret goes into its cookie. */
export async function createQrLogin(
  ctx: IdentityContext,
  request: FastifyRequest,
): Promise<{ code: string; binding: string; expiresAt: Date }> {
  const limit = await ctx.limiter.hit(`qr:ip:${ipBucket(request.ip)}`, QR_CREATE_LIMIT);
  if (!limit.allowed) {
    throw tooManyRequests(
      limit.retryAfterSeconds,
      `Too many QR codes; try again in ${limit.retryAfterSeconds} seconds`,
    );
  }
  const code = randomToken(24);
  const binding = randomToken(32);
  const [row] = await ctx.db.query<{ expires_at: Date }>(
    `insert into identity_qr_login (id, desktop_binding_hash, expires_at, desktop_ip, desktop_user_agent)
     values ($1, $2, now() + make_interval(secs => $3), $4, $5) returning expires_at`,
    [
      qrId(code),
      sha256(binding),
      QR_LOGIN_SECONDS,
      request.ip,
      request.headers['user-agent']?.slice(0, 300) ?? null,
    ],
  );
  return { code, binding, expiresAt: row!.expires_at };
}

/** What the desktop polls: the status only. */
export async function qrLoginStatus(
  ctx: IdentityContext,
  request: FastifyRequest,
  code: string,
): Promise<{ status: QrStatus; expiresAt: Date }> {
  const row = await assertDesktop(ctx, request, code, 'status', await find(ctx.db, code));
  return { status: visibleStatus(row), expiresAt: row.expires_at };
}

/** Where the sign-in would happen, shown on the phone before the person approves. */
export interface QrDesktop {
  ip: string | null;
  userAgent: string | null;
  requestedAt: Date;
}

/**
 * The phone scanned the code: the desktop can show "confirm on your phone", and the phone
 * shows which browser and address asked, so a code passed on by someone else is refused.
 */
export async function scanQrLogin(
  ctx: IdentityContext,
  request: FastifyRequest,
  code: string,
): Promise<{ status: QrStatus; desktop: QrDesktop }> {
  const [updated] = await ctx.db.query<QrDesktop>(
    `update identity_qr_login set status = 'scanned'
      where id = $1 and status in ('pending', 'scanned') and expires_at > now()
      returning desktop_ip as ip, desktop_user_agent as "userAgent", created_at as "requestedAt"`,
    [qrId(code)],
  );
  if (!updated) throw await explain(ctx, request, code, 'scan', await find(ctx.db, code));
  return { status: 'scanned', desktop: updated };
}

/** The phone's person approves (the desktop may then redeem) or denies the login. */
export async function decideQrLogin(
  ctx: IdentityContext,
  request: FastifyRequest,
  code: string,
  decision: 'approve' | 'deny',
): Promise<QrStatus> {
  const principal = request.principal!;
  const status = decision === 'approve' ? 'approved' : 'denied';
  const decided = await ctx.db.transaction(async (tx) => {
    const updated = await tx.query(
      `update identity_qr_login
          set status = $2, account_id = case when $2 = 'approved' then $3::uuid end,
              approved_at = case when $2 = 'approved' then now() end
        where id = $1 and status in ('pending', 'scanned') and expires_at > now() returning id`,
      [qrId(code), status, principal.sub],
    );
    if (updated.length === 0) return false;
    await audit(tx, {
      ...actorOf(request),
      action: `identity.qr.${status}`,
      entity: 'identity_account',
      entityId: principal.sub,
      after: { qrLogin: qrId(code).slice(0, 16), userAgent: request.headers['user-agent']?.slice(0, 200) },
    });
    return true;
  });
  // Explained outside the transaction: the refusal's audit record must not roll back with it.
  if (!decided) throw await explain(ctx, request, code, decision, await find(ctx.db, code));
  return status;
}

/**
 * The desktop redeems an approved code for a cookie session of the approving person.
 * The code is consumed by a single conditional update, so two concurrent redemptions
 * cannot both succeed.
 */
export async function redeemQrLogin(
  ctx: IdentityContext,
  request: FastifyRequest,
  code: string,
): Promise<{ accountId: string; assurance: number; opened: OpenedSession }> {
  const row = await assertDesktop(ctx, request, code, 'redeem', await find(ctx.db, code));
  const redeemed = await ctx.db.transaction(async (tx) => {
    const [consumed] = await tx.query<{ account_id: string; assurance: number }>(
      `update identity_qr_login q set status = 'consumed', consumed_at = now()
         from identity_account a
        where q.id = $1 and q.desktop_binding_hash = $2 and q.status = 'approved' and q.consumed_at is null
          and q.expires_at > now() and a.id = q.account_id and a.status = 'active'
        returning q.account_id, a.assurance`,
      [row.id, row.desktop_binding_hash],
    );
    if (!consumed) return null;
    const opened = await ctx.sessions.open(tx, consumed.account_id, 'cookie', {
      ip: request.ip,
      userAgent: request.headers['user-agent'],
    });
    await audit(tx, {
      ...actorOf(request),
      actor: consumed.account_id,
      action: 'identity.login',
      entity: 'identity_account',
      entityId: consumed.account_id,
      after: { method: 'qr', channel: 'cookie', userAgent: request.headers['user-agent']?.slice(0, 200) },
    });
    return { accountId: consumed.account_id, assurance: consumed.assurance, opened };
  });
  if (!redeemed) {
    const current = await find(ctx.db, code);
    if (current?.status === 'approved' && visibleStatus(current) === 'approved') {
      // Approved and unexpired, yet not redeemable: the approving account was closed or disabled meanwhile.
      throw await refused(
        ctx,
        request,
        code,
        'redeem',
        'account_inactive',
        forbidden('The approving account is not active'),
      );
    }
    throw await explain(ctx, request, code, 'redeem', current);
  }
  return redeemed;
}
