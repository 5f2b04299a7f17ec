import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Actor } from './audit.ts';
import type { Queryable } from './db.ts';
import { sha256, timingSafeEqualString } from './crypto.ts';
import { AppError, forbidden, unauthorized } from './errors.ts';

/**
 * Permissions are the checks the code makes; which role grants which permission is data
 * (identity_role_permission), edited by system administrators.
 */
export const PERMISSIONS = [
  'catalog.manage',
  'calendar.manage',
  'directory.read',
  'directory.manage',
  'registry.read',
  'pii.read_full',
  'staff.read',
  'staff.manage',
  'role.manage',
  'oidc.manage',
  'audit.read',
  'supervision.read',
  'hall.manage',
  'case.receive',
  'case.accept',
  'case.review',
  'case.decide',
  'case.extend',
  'integration.manage',
  'seal.manage',
  'licence.manage',
  'exchange.manage',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

/** What a staff member may see: region subtrees, narrowed to departments when any are listed. */
export interface Jurisdiction {
  regionCodes: string[];
  organisationIds: number[];
}

export type MemberRole = 'owner' | 'admin' | 'agent';

/** The enterprise a person is acting for in this session, under a live mandate. */
export interface Acting {
  memberId: string;
  enterpriseId: string;
  uscc: string;
  name: string;
  role: MemberRole;
  /** Item codes an agent may handle; null for owners and administrators (every item). */
  itemCodes: string[] | null;
  expiresAt: Date | null;
}

export interface Principal {
  /** Account id (uuid). */
  sub: string;
  kind: 'person' | 'staff';
  name: string;
  sessionId: string;
  channel: 'cookie' | 'bearer';
  /** 0 none, 1 phone verified, 2 real name verified, 3 face or in-person verified. */
  assurance: number;
  roles: string[];
  permissions: ReadonlySet<string>;
  /** Staff only. */
  jurisdiction: Jurisdiction | null;
  organisationId: number | null;
  acting: Acting | null;
}

export interface ResolvedSession {
  principal: Principal;
  /** SHA-256 of the CSRF token of a cookie session. */
  csrfHash: string | null;
}

/** Looks a session token up; the identity module provides it. Null means unknown, expired or revoked. */
export type SessionResolver = (
  token: string,
  channel: 'cookie' | 'bearer',
  request: { ip: string; id: string },
) => Promise<ResolvedSession | null>;

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
  interface FastifyContextConfig {
    /**
     * The route authenticates its callers itself (the OIDC protocol endpoints: client
     * secrets in Authorization: Basic, access tokens in Authorization: Bearer, the
     * provider's own CSRF token on its logout form); the session guard leaves it alone.
     */
    ownAuthentication?: boolean;
  }
}

export const SESSION_COOKIE = 'tb_session';
/** OpenAPI security of a route that needs a session: a bearer token or the session cookie. */
export const SESSION_SECURITY: Record<string, string[]>[] = [{ bearer: [] }, { cookie: [] }];
export const CSRF_COOKIE = 'tb_csrf';
export const CSRF_HEADER = 'x-csrf-token';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** What a guard demands, attached to its preHandler so every route's policy can be listed and tested. */
export type AccessPolicy =
  | { kind: 'permission'; permissions: Permission[] }
  | { kind: 'signedIn' }
  | { kind: 'person'; assurance: number }
  | { kind: 'acting'; roles: MemberRole[] };

type Guard = ((request: FastifyRequest) => Promise<void>) & { access: AccessPolicy };

/** Called when a guard refuses a signed-in caller (the kernel audits it). */
export type DeniedListener = (
  request: FastifyRequest,
  access: AccessPolicy,
  error: AppError,
) => Promise<void>;

/** The policy of a route from its preHandler(s); undefined for a public route. */
export function accessPolicyOf(preHandler: unknown): AccessPolicy | undefined {
  const handlers = Array.isArray(preHandler) ? preHandler : [preHandler];
  return handlers.map((h) => (h as Partial<Guard> | undefined)?.access).find((a) => a !== undefined);
}

const signInRequired = () => unauthorized('Sign in first, or send Authorization: Bearer <token>');

/**
 * The one guard of the platform. Every request is authenticated before anything else
 * runs (a bad token is a 401 even on a public route); routes then declare what they
 * need with the preHandlers below, and lists filter by `jurisdictionClause` in SQL.
 */
export class Auth {
  private resolver: SessionResolver = async () => null;

  constructor(private readonly onDenied?: DeniedListener) {}

  private guard(access: AccessPolicy, check: (request: FastifyRequest) => Promise<void>): Guard {
    const run = async (request: FastifyRequest): Promise<void> => {
      try {
        await check(request);
      } catch (error) {
        if (request.principal && error instanceof AppError && this.onDenied) {
          await this.onDenied(request, access, error);
        }
        throw error;
      }
    };
    return Object.assign(run, { access });
  }

  useResolver(resolver: SessionResolver): void {
    this.resolver = resolver;
  }

  readonly authenticate = async (request: FastifyRequest): Promise<void> => {
    if (request.routeOptions.config.ownAuthentication) return;
    const header = request.headers.authorization;
    if (header !== undefined) {
      const match = /^Bearer\s+(\S{1,512})$/i.exec(header);
      if (!match) throw unauthorized('Send Authorization: Bearer <token>');
      const resolved = await this.resolver(match[1]!, 'bearer', request);
      if (!resolved) throw unauthorized('The bearer token is invalid, expired or revoked');
      request.principal = resolved.principal;
      return;
    }
    const cookie = request.cookies?.[SESSION_COOKIE];
    if (!cookie) return;
    const resolved = await this.resolver(cookie, 'cookie', request);
    // A stale browser cookie leaves the request anonymous: public pages keep working.
    if (!resolved) return;
    if (!SAFE_METHODS.has(request.method)) {
      const sent = request.headers[CSRF_HEADER];
      if (
        typeof sent !== 'string' ||
        resolved.csrfHash === null ||
        !timingSafeEqualString(sha256(sent), resolved.csrfHash)
      ) {
        throw new AppError(
          'forbidden',
          `Send the ${CSRF_HEADER} header with the value of the ${CSRF_COOKIE} cookie`,
        );
      }
    }
    request.principal = resolved.principal;
  };

  /** Staff holding any of `permissions`. */
  require(...permissions: Permission[]): Guard {
    return this.guard({ kind: 'permission', permissions }, async (request) => {
      const principal = request.principal;
      if (!principal) throw signInRequired();
      if (!permissions.some((p) => principal.permissions.has(p))) {
        throw forbidden(`Requires one of the permissions: ${permissions.join(', ')}`);
      }
    });
  }

  /** Anyone signed in. */
  signedIn(): Guard {
    return this.guard({ kind: 'signedIn' }, async (request) => {
      if (!request.principal) throw signInRequired();
    });
  }

  /** A natural person at the given assurance level or above. */
  person(assurance = 1): Guard {
    return this.guard({ kind: 'person', assurance }, async (request) => {
      const principal = request.principal;
      if (!principal) throw signInRequired();
      if (principal.kind !== 'person') throw forbidden('Only a natural person may do this');
      if (principal.assurance < assurance) {
        throw new AppError('forbidden', `Requires assurance level ${assurance}`, undefined, {
          requiredAssurance: assurance,
          assurance: principal.assurance,
        });
      }
    });
  }

  /** A person acting for an enterprise, holding one of `roles` in it. */
  acting(...roles: MemberRole[]): Guard {
    return this.guard({ kind: 'acting', roles }, async (request) => {
      const principal = request.principal;
      if (!principal) throw signInRequired();
      const acting = principal.acting;
      if (!acting) throw forbidden('Switch to acting for an enterprise first');
      if (roles.length > 0 && !roles.includes(acting.role)) {
        throw forbidden(`Requires one of the enterprise roles: ${roles.join(', ')}`);
      }
    });
  }
}

/** Refuses an agent whose mandate does not cover the item (owners and administrators cover all). */
export function assertItemInScope(principal: Principal, itemCode: string): void {
  const scope = principal.acting?.itemCodes;
  if (scope && !scope.includes(itemCode)) {
    throw forbidden(`The agent mandate does not cover item ${itemCode}`);
  }
}

/**
 * A SQL condition restricting rows to the caller's jurisdiction: the row's region lies in
 * one of the caller's region subtrees and, when the caller is limited to departments, its
 * department is one of them. Parameters are appended to `params`.
 */
export function jurisdictionClause(
  principal: Principal,
  columns: { region: string; organisation?: string },
  params: unknown[],
): string {
  const jurisdiction = principal.jurisdiction;
  if (!jurisdiction) return 'false';
  params.push(jurisdiction.regionCodes);
  const regionCondition = `exists (select 1 from region jr where jr.code = ${columns.region} and jr.path && $${params.length}::text[])`;
  if (!columns.organisation || jurisdiction.organisationIds.length === 0) return `(${regionCondition})`;
  params.push(jurisdiction.organisationIds);
  return `(${regionCondition} and ${columns.organisation} = any($${params.length}::bigint[]))`;
}

/**
 * Refuses a change to something outside the caller's jurisdiction: a region (and the
 * department, when given) the caller's jurisdiction does not cover.
 */
export async function assertInJurisdiction(
  db: Queryable,
  principal: Principal,
  target: { regionCode: string; organisationId?: number },
  what: string,
): Promise<void> {
  const params: unknown[] = [target.regionCode, target.organisationId ?? null];
  const clause = jurisdictionClause(
    principal,
    target.organisationId === undefined
      ? { region: 't.region_code' }
      : { region: 't.region_code', organisation: 't.organisation_id' },
    params,
  );
  const rows = await db.query(
    `select 1 from (select $1::text as region_code, $2::bigint as organisation_id) t where ${clause}`,
    params,
  );
  if (rows.length === 0) throw forbidden(`${what} is outside your jurisdiction`);
}

/** Who does a change and for whom, for the audit trail. */
export function actorOf(request: FastifyRequest): Actor {
  const principal = request.principal;
  return {
    actor: principal?.sub ?? 'anonymous',
    onBehalfOf: principal?.acting ? `enterprise:${principal.acting.uscc}` : undefined,
    ip: request.ip,
    requestId: request.id,
  };
}

/** Refuses the response of a cached page of personal data. */
export function noStore(reply: FastifyReply): void {
  reply.header('cache-control', 'no-store');
}
