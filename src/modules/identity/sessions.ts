import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  CSRF_COOKIE,
  SESSION_COOKIE,
  type MemberRole,
  type Principal,
  type ResolvedSession,
} from '../../kernel/auth.ts';
import type { Config } from '../../kernel/config.ts';
import { randomToken, sha256 } from '../../kernel/crypto.ts';
import type { Database, Queryable } from '../../kernel/db.ts';
import { audit } from '../../kernel/audit.ts';

export type Channel = 'cookie' | 'bearer';

/** A freshly opened session: the secrets exist only here and in the client's hands. */
export interface OpenedSession {
  sessionId: string;
  token: string;
  csrfToken: string | null;
  channel: Channel;
  expiresAt: Date;
}

/** What a sign-in response body carries: the token itself only for API clients. */
export interface SessionBody {
  channel: Channel;
  expiresAt: string;
  token?: string;
  csrfToken?: string;
}

interface SessionRow {
  session_id: string;
  channel: Channel;
  csrf_hash: string | null;
  last_seen_at: Date;
  account_id: string;
  kind: 'person' | 'staff';
  name: string | null;
  username: string | null;
  assurance: number;
  organisation_id: number | null;
  region_codes: string[] | null;
  organisation_ids: number[] | null;
  roles: string[];
  permissions: string[];
  member_id: string | null;
  enterprise_id: string | null;
  uscc: string | null;
  enterprise_name: string | null;
  member_role: MemberRole | null;
  item_codes: string[] | null;
  member_expires_at: Date | null;
}

/**
 * One query turns a token into a principal: the session must be live (not revoked, not
 * past its absolute end, not idle too long), the account active; roles, permissions and
 * jurisdiction come from the staff tables, and the acting mandate only while it is itself
 * live, so revoking a mandate or a role takes effect on the very next request.
 */
export const RESOLVE_SQL = `
  select s.id as session_id, s.channel, s.csrf_hash, s.last_seen_at,
         a.id as account_id, a.kind, a.name, a.username, a.assurance,
         st.organisation_id, st.region_codes, st.organisation_ids,
         coalesce((select array_agg(sr.role_code order by sr.role_code)
                     from identity_staff_role sr where sr.account_id = a.id), '{}') as roles,
         coalesce((select array_agg(distinct rp.permission)
                     from identity_staff_role sr
                     join identity_role_permission rp on rp.role_code = sr.role_code
                    where sr.account_id = a.id), '{}') as permissions,
         m.id as member_id, e.id as enterprise_id, e.uscc, e.name as enterprise_name,
         m.role as member_role, m.item_codes, m.expires_at as member_expires_at
    from identity_session s
    join identity_account a on a.id = s.account_id and a.status = 'active'
    left join identity_staff st on st.account_id = a.id and a.kind = 'staff'
    left join identity_enterprise_member m
           on m.id = s.acting_member_id and m.revoked_at is null
          and (m.expires_at is null or m.expires_at > now())
    left join identity_enterprise e on e.id = m.enterprise_id and e.status = 'active'
   where s.id = $1 and s.channel = $2 and s.revoked_at is null
     and s.expires_at > now() and s.last_seen_at > now() - make_interval(mins => $3)`;

/** Sessions: opening, resolving on every request, rotation and revocation. */
export class Sessions {
  constructor(
    private readonly db: Database,
    private readonly config: Config,
  ) {}

  async open(
    db: Queryable,
    accountId: string,
    channel: Channel,
    context: { ip?: string | undefined; userAgent?: string | undefined; actingMemberId?: string | null },
  ): Promise<OpenedSession> {
    const token = `tb_${randomToken(32)}`;
    const csrfToken = channel === 'cookie' ? randomToken(24) : null;
    const sessionId = sha256(token);
    const expiresAt = new Date(Date.now() + this.config.sessionAbsoluteHours * 3600_000);
    await db.query(
      `insert into identity_session (id, account_id, channel, csrf_hash, acting_member_id, assurance, expires_at, ip, user_agent)
       select $1, a.id, $3, $4, $5, a.assurance, $6, $7, $8 from identity_account a where a.id = $2`,
      [
        sessionId,
        accountId,
        channel,
        csrfToken === null ? null : sha256(csrfToken),
        context.actingMemberId ?? null,
        expiresAt,
        context.ip ?? null,
        context.userAgent?.slice(0, 300) ?? null,
      ],
    );
    return { sessionId, token, csrfToken, channel, expiresAt };
  }

  /** The SessionResolver the kernel guard calls on every request. */
  readonly resolve = async (
    token: string,
    channel: Channel,
    request: { ip: string; id: string },
  ): Promise<ResolvedSession | null> => {
    const [row] = await this.db.query<SessionRow>(
      RESOLVE_SQL,
      [sha256(token), channel, this.config.sessionIdleMinutes],
      { prepare: true },
    );
    if (!row) {
      await this.auditRejection(sha256(token), channel, request);
      return null;
    }
    // Idle time is counted in minutes; one write a minute per session is enough.
    if (Date.now() - row.last_seen_at.getTime() > 60_000) {
      await this.db.query('update identity_session set last_seen_at = now() where id = $1', [row.session_id]);
    }
    return { principal: toPrincipal(row), csrfHash: row.csrf_hash };
  };

  /**
   * Replaces the caller's session by a new one (at a change of privilege: real-name
   * verification, switching the acting enterprise), so a token captured before the
   * change is worth nothing after it.
   */
  async rotate(
    db: Queryable,
    principal: Principal,
    request: FastifyRequest,
    actingMemberId: string | null = principal.acting?.memberId ?? null,
  ): Promise<OpenedSession> {
    await this.revoke(db, principal.sessionId, 'rotated');
    return this.open(db, principal.sub, principal.channel, {
      ip: request.ip,
      userAgent: request.headers['user-agent'],
      actingMemberId,
    });
  }

  /**
   * Records a refused token with why it was refused (unknown, revoked, expired, idle,
   * account closed), under the account when the session existed: a person sees in their
   * own history that an old token of theirs was tried.
   */
  private async auditRejection(sessionId: string, channel: Channel, request: { ip: string; id: string }) {
    const [known] = await this.db.query<{ account_id: string; reason: string }>(
      `select s.account_id,
              case when s.revoked_at is not null then 'revoked'
                   when s.expires_at <= now() then 'expired'
                   when a.status <> 'active' then 'account_' || a.status
                   when s.channel <> $2 then 'wrong_channel'
                   else 'idle' end as reason
         from identity_session s join identity_account a on a.id = s.account_id where s.id = $1`,
      [sessionId, channel],
    );
    await audit(this.db, {
      actor: known?.account_id ?? 'anonymous',
      action: 'identity.session.rejected',
      entity: known ? 'identity_account' : 'identity_session',
      entityId: known?.account_id ?? sessionId.slice(0, 16),
      after: { channel, reason: known?.reason ?? 'unknown' },
      ip: request.ip,
      requestId: request.id,
    });
  }

  async revoke(db: Queryable, sessionId: string, reason: string): Promise<void> {
    await db.query(
      'update identity_session set revoked_at = now(), revoked_reason = $2 where id = $1 and revoked_at is null',
      [sessionId, reason],
    );
  }

  /** Ends every session of an account ("log out everywhere"), except the one given. */
  async revokeAll(
    db: Queryable,
    accountId: string,
    reason: string,
    exceptSessionId?: string,
  ): Promise<number> {
    const rows = await db.query(
      `update identity_session set revoked_at = now(), revoked_reason = $2
        where account_id = $1 and revoked_at is null and id <> coalesce($3, '') returning id`,
      [accountId, reason, exceptSessionId ?? null],
    );
    return rows.length;
  }

  /** Hands a new session to the client: cookies for browsers, the token in the body for API clients. */
  deliver(reply: FastifyReply, opened: OpenedSession): SessionBody {
    const body: SessionBody = { channel: opened.channel, expiresAt: opened.expiresAt.toISOString() };
    if (opened.channel === 'bearer') return { ...body, token: opened.token };
    const options = {
      path: '/',
      secure: this.config.cookieSecure,
      sameSite: 'lax' as const,
      expires: opened.expiresAt,
    };
    reply.setCookie(SESSION_COOKIE, opened.token, { ...options, httpOnly: true });
    reply.setCookie(CSRF_COOKIE, opened.csrfToken!, { ...options, httpOnly: false });
    return { ...body, csrfToken: opened.csrfToken! };
  }

  /** Clears the browser's cookies (after logout). */
  clear(reply: FastifyReply): void {
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    reply.clearCookie(CSRF_COOKIE, { path: '/' });
  }
}

function toPrincipal(row: SessionRow): Principal {
  const isStaff = row.kind === 'staff';
  return {
    sub: row.account_id,
    kind: row.kind,
    name: row.name ?? row.username ?? '',
    sessionId: row.session_id,
    channel: row.channel,
    assurance: row.assurance,
    roles: isStaff ? row.roles : [],
    permissions: new Set(isStaff ? row.permissions : []),
    jurisdiction:
      isStaff && row.region_codes
        ? { regionCodes: row.region_codes, organisationIds: row.organisation_ids ?? [] }
        : null,
    organisationId: row.organisation_id,
    acting:
      row.member_id && row.enterprise_id
        ? {
            memberId: row.member_id,
            enterpriseId: row.enterprise_id,
            uscc: row.uscc!,
            name: row.enterprise_name!,
            role: row.member_role!,
            itemCodes: row.item_codes,
            expiresAt: row.member_expires_at,
          }
        : null,
  };
}
