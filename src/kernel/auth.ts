import { SignJWT, jwtVerify } from 'jose';
import type { FastifyRequest } from 'fastify';
import { forbidden, unauthorized } from './errors.ts';

/**
 * Roles a token may carry. The identity module (issue 3) will issue tokens through
 * real sign-in; until then operators mint them with `tongban token`.
 */
export const ROLES = ['catalog_admin', 'calendar_admin', 'staff', 'citizen', 'system'] as const;
export type Role = (typeof ROLES)[number];

export interface Principal {
  /** Stable subject id of the person or system. */
  sub: string;
  name: string;
  roles: Role[];
}

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

const ISSUER = 'tongban';

/** Bearer tokens: HS256 JWTs signed with SESSION_SECRET. */
export class Auth {
  private readonly key: Uint8Array;

  constructor(secret: string) {
    this.key = new TextEncoder().encode(secret);
  }

  async issue(principal: Principal, expiresIn = '12h'): Promise<string> {
    return new SignJWT({ name: principal.name, roles: principal.roles })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(principal.sub)
      .setIssuer(ISSUER)
      .setIssuedAt()
      .setExpirationTime(expiresIn)
      .sign(this.key);
  }

  async verify(token: string): Promise<Principal> {
    try {
      const { payload } = await jwtVerify(token, this.key, { issuer: ISSUER, algorithms: ['HS256'] });
      const roles = Array.isArray(payload.roles)
        ? payload.roles.filter((r): r is Role => (ROLES as readonly unknown[]).includes(r))
        : [];
      return { sub: String(payload.sub), name: String(payload.name ?? payload.sub), roles };
    } catch {
      throw unauthorized('The bearer token is invalid or expired');
    }
  }

  /**
   * An onRequest hook for every route: a request that carries a bearer token is
   * authenticated before anything else runs (a bad token is a 401 even on public
   * routes); one without stays anonymous.
   */
  readonly authenticate = async (request: FastifyRequest): Promise<void> => {
    const header = request.headers.authorization;
    if (header === undefined) return;
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw unauthorized('Send Authorization: Bearer <token>');
    request.principal = await this.verify(match[1]!);
  };

  /** A preHandler admitting authenticated callers holding any of `roles`. */
  require(...roles: Role[]) {
    return async (request: FastifyRequest): Promise<void> => {
      if (!request.principal) throw unauthorized('Send Authorization: Bearer <token>');
      if (!request.principal.roles.some((r) => roles.includes(r))) {
        throw forbidden(`Requires one of the roles: ${roles.join(', ')}`);
      }
    };
  }
}
