import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { audit } from '../../kernel/audit.ts';
import { actorOf, SESSION_SECURITY, type Acting } from '../../kernel/auth.ts';
import { forbidden } from '../../kernel/errors.ts';
import type { App } from '../../kernel/http.ts';
import type { IdentityContext } from './context.ts';
import {
  appointMember,
  auditRefusal,
  bindEnterprise,
  enterpriseDetail,
  liveMandate,
  mandateFor,
  mandatesOf,
  refreshEnterprise,
  revokeMember,
  type EnterpriseDetail,
  type MemberView,
} from './enterprises.ts';
import { DateTime, SessionBody } from './schemas.ts';

const tags = ['identity'];
const security = SESSION_SECURITY;

const Role = Type.Enum(['owner', 'admin', 'agent'], {
  description: 'owner (legal representative), admin (管理员) or agent (经办人)',
});
const NullableDateTime = Type.Union([DateTime, Type.Null()]);
const ItemCodes = Type.Union([Type.Array(Type.String()), Type.Null()], {
  description: 'Items an agent may apply for; null for owners and administrators (every item)',
});
const Uuid = Type.String({ format: 'uuid' });

const EnterpriseSummary = Type.Object({
  id: Type.String(),
  uscc: Type.String({ description: 'Unified social credit code' }),
  name: Type.String(),
  memberId: Type.String({
    description: 'The caller’s mandate (pass its enterprise id to PUT /identity/acting)',
  }),
  role: Role,
  itemCodes: ItemCodes,
  expiresAt: NullableDateTime,
});
const Member = Type.Object({
  id: Type.String(),
  accountId: Type.String(),
  name: Type.String(),
  phone: Type.Union([Type.String({ description: 'Masked: 138****5678' }), Type.Null()]),
  role: Role,
  itemCodes: ItemCodes,
  expiresAt: NullableDateTime,
  appointedAt: DateTime,
  appointedBy: Type.String(),
  status: Type.Enum(['active', 'expired']),
});
const Enterprise = Type.Object({
  id: Type.String(),
  uscc: Type.String(),
  name: Type.String(),
  legalRepresentativeName: Type.String(),
  regionCode: Type.String(),
  status: Type.Enum(['active', 'closed']),
  verifiedAt: DateTime,
  createdAt: DateTime,
  mandate: Type.Object({
    memberId: Type.String(),
    role: Role,
    itemCodes: ItemCodes,
    expiresAt: NullableDateTime,
  }),
  members: Type.Array(Member, {
    description: 'Every member for owners and administrators; agents see themselves',
  }),
});
const ActingView = Type.Union([
  Type.Object({
    memberId: Type.String(),
    enterpriseId: Type.String(),
    uscc: Type.String(),
    name: Type.String(),
    role: Role,
    itemCodes: ItemCodes,
    expiresAt: NullableDateTime,
  }),
  Type.Null(),
]);

const iso = (d: Date | null) => (d === null ? null : d.toISOString());

const memberJson = (m: MemberView) => ({
  ...m,
  expiresAt: iso(m.expiresAt),
  appointedAt: m.appointedAt.toISOString(),
});

const enterpriseJson = (e: EnterpriseDetail) => ({
  ...e,
  verifiedAt: e.verifiedAt.toISOString(),
  createdAt: e.createdAt.toISOString(),
  mandate: { ...e.mandate, expiresAt: iso(e.mandate.expiresAt) },
  members: e.members.map(memberJson),
});

const actingJson = (acting: Acting | null) =>
  acting ? { ...acting, expiresAt: iso(acting.expiresAt) } : null;

/**
 * Enterprise accounts (法人), their owners, administrators and agents, and the switch of
 * the identity a person acts under.
 */
export function enterprisesRoutes(app: App, ctx: IdentityContext): void {
  const { db, auth, sessions } = ctx;
  const realName = { preHandler: ctx.auth.person(2) };

  /** Runs a change; a refused one (4xx) is audited too, and changes nothing else. */
  const audited = async <T>(
    request: FastifyRequest,
    action: string,
    entity: string,
    entityId: string,
    attempted: unknown,
    change: () => Promise<T>,
  ): Promise<T> => {
    try {
      return await change();
    } catch (error) {
      await auditRefusal(db, actorOf(request), action, entity, entityId, error, attempted);
      throw error;
    }
  };

  app.post(
    '/api/v1/identity/enterprises',
    {
      ...realName,
      schema: {
        tags,
        security,
        summary: 'Bind an enterprise by its credit code; the legal representative becomes its owner',
        description:
          'The caller must have verified their real name and be the legal representative the legal-entity registry names. 400 invalid credit code, 404 not in the registry, 422 deregistered or revoked, 403 not the legal representative, 409 already bound.',
        body: Type.Object(
          { uscc: Type.String({ minLength: 1, maxLength: 30, description: 'Unified social credit code' }) },
          { additionalProperties: false },
        ),
        response: { 201: Enterprise },
      },
    },
    async (request, reply) => {
      const { uscc } = request.body;
      const detail = await audited(
        request,
        'identity.enterprise.bind',
        'identity_enterprise',
        uscc,
        { uscc },
        () => bindEnterprise(ctx, request.principal!, uscc, actorOf(request)),
      );
      reply.code(201);
      return enterpriseJson(detail);
    },
  );

  app.get(
    '/api/v1/identity/enterprises',
    {
      preHandler: auth.signedIn(),
      schema: {
        tags,
        security,
        summary: 'The enterprises the caller may act for, with their role, scope and expiry',
        response: { 200: Type.Object({ items: Type.Array(EnterpriseSummary) }) },
      },
    },
    async (request) => {
      const mandates = await mandatesOf(db, request.principal!.sub);
      return {
        items: mandates.map((m) => ({
          id: m.enterpriseId,
          uscc: m.uscc,
          name: m.name,
          memberId: m.memberId,
          role: m.role,
          itemCodes: m.itemCodes,
          expiresAt: iso(m.expiresAt),
        })),
      };
    },
  );

  const EnterpriseParams = Type.Object({ id: Uuid });

  app.get(
    '/api/v1/identity/enterprises/:id',
    {
      preHandler: auth.signedIn(),
      schema: {
        tags,
        security,
        summary: 'An enterprise the caller may act for, with its members (agents see only themselves)',
        params: EnterpriseParams,
        response: { 200: Enterprise },
      },
    },
    async (request) => enterpriseJson(await enterpriseDetail(ctx, request.principal!, request.params.id)),
  );

  app.post(
    '/api/v1/identity/enterprises/:id/members',
    {
      ...realName,
      schema: {
        tags,
        security,
        summary: 'Appoint an administrator (owner only) or an agent with a scope and an expiry',
        description:
          'The appointee is named by phone and real name and must have verified it. Agents need itemCodes (catalog item codes) and expiresAt (in the future, at most 3 years ahead).',
        params: EnterpriseParams,
        body: Type.Object(
          {
            phone: Type.String({ minLength: 1, maxLength: 20 }),
            name: Type.String({ minLength: 1, maxLength: 50, description: 'Real name of the appointee' }),
            role: Type.Enum(['admin', 'agent']),
            itemCodes: Type.Optional(
              Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 200 }),
            ),
            expiresAt: Type.Optional(DateTime),
          },
          { additionalProperties: false },
        ),
        response: { 201: Member },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const body = request.body;
      const member = await audited(
        request,
        'identity.enterprise.member.appoint',
        'identity_enterprise',
        id,
        { role: body.role, itemCodes: body.itemCodes, expiresAt: body.expiresAt },
        () => appointMember(ctx, request.principal!, id, body, actorOf(request)),
      );
      reply.code(201);
      return memberJson(member);
    },
  );

  app.delete(
    '/api/v1/identity/enterprises/:id/members/:memberId',
    {
      ...realName,
      schema: {
        tags,
        security,
        summary: 'Revoke a mandate at once (administrators: owner only; agents: owner or administrators)',
        params: Type.Object({ id: Uuid, memberId: Uuid }),
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      const { id, memberId } = request.params;
      await audited(
        request,
        'identity.enterprise.member.revoke',
        'identity_enterprise_member',
        memberId,
        { id },
        () => revokeMember(ctx, request.principal!, id, memberId, actorOf(request)),
      );
      reply.code(204);
    },
  );

  app.post(
    '/api/v1/identity/enterprises/:id/refresh',
    {
      ...realName,
      schema: {
        tags,
        security,
        summary:
          'Re-read the legal-entity registry (name, status, and ownership after a change of legal representative)',
        params: EnterpriseParams,
        response: { 200: Enterprise },
      },
    },
    async (request) => {
      const { id } = request.params;
      const detail = await audited(
        request,
        'identity.enterprise.refresh',
        'identity_enterprise',
        id,
        undefined,
        () => refreshEnterprise(ctx, request.principal!, id, actorOf(request)),
      );
      return enterpriseJson(detail);
    },
  );

  app.get(
    '/api/v1/identity/acting',
    {
      preHandler: auth.signedIn(),
      schema: {
        tags,
        security,
        summary: 'The identity the caller acts under: an enterprise mandate, or null for themselves',
        response: { 200: Type.Object({ accountId: Type.String(), name: Type.String(), acting: ActingView }) },
      },
    },
    async (request) => {
      const principal = request.principal!;
      return { accountId: principal.sub, name: principal.name, acting: actingJson(principal.acting) };
    },
  );

  app.put(
    '/api/v1/identity/acting',
    {
      ...realName,
      schema: {
        tags,
        security,
        summary: 'Switch to acting for an enterprise (or back to oneself with null); opens a new session',
        description:
          'Requires a live mandate. The session is rotated: the old token stops working and the new one is returned (cookies for browsers).',
        body: Type.Object({ enterpriseId: Type.Union([Uuid, Type.Null()]) }, { additionalProperties: false }),
        response: { 200: Type.Object({ acting: ActingView, session: SessionBody }) },
      },
    },
    async (request, reply) => {
      const principal = request.principal!;
      const { enterpriseId } = request.body;
      const before = principal.acting
        ? { uscc: principal.acting.uscc, memberId: principal.acting.memberId }
        : null;
      const { opened, mandate } = await audited(
        request,
        'identity.acting.switch',
        'identity_account',
        principal.sub,
        { enterpriseId },
        async () => {
          const target = enterpriseId === null ? null : await liveMandate(db, principal.sub, enterpriseId);
          if (enterpriseId !== null && (!target || target.enterpriseStatus !== 'active')) {
            throw forbidden('You hold no live mandate for this enterprise');
          }
          return db.transaction(async (tx) => {
            const rotated = await sessions.rotate(tx, principal, request, target?.memberId ?? null);
            await audit(tx, {
              ...actorOf(request),
              onBehalfOf: target ? `enterprise:${target.uscc}` : undefined,
              action: 'identity.acting.switch',
              entity: 'identity_account',
              entityId: principal.sub,
              before: { acting: before },
              after: {
                acting: target ? { uscc: target.uscc, memberId: target.memberId, role: target.role } : null,
              },
            });
            return { opened: rotated, mandate: target };
          });
        },
      );
      return {
        acting: mandate
          ? {
              memberId: mandate.memberId,
              enterpriseId: mandate.enterpriseId,
              uscc: mandate.uscc,
              name: mandate.name,
              role: mandate.role,
              itemCodes: mandate.itemCodes,
              expiresAt: iso(mandate.expiresAt),
            }
          : null,
        session: sessions.deliver(reply, opened),
      };
    },
  );

  app.get(
    '/api/v1/identity/acting/items/:itemCode/mandate',
    {
      preHandler: auth.acting(),
      schema: {
        tags,
        security,
        summary: 'Whether the acting identity may apply for the item (agents only within their scope)',
        description:
          '200 when allowed; 403 when not acting for an enterprise, or the agent mandate does not cover the item.',
        params: Type.Object({ itemCode: Type.String({ minLength: 1, maxLength: 64 }) }),
        response: {
          200: Type.Object({
            allowed: Type.Literal(true),
            itemCode: Type.String(),
            enterpriseId: Type.String(),
            uscc: Type.String(),
            enterpriseName: Type.String(),
            role: Role,
            expiresAt: NullableDateTime,
          }),
        },
      },
    },
    async (request) => {
      const { itemCode } = request.params;
      const principal = request.principal!;
      const mandate = await audited(
        request,
        'identity.mandate.check',
        'catalog_item',
        itemCode,
        { acting: principal.acting?.memberId ?? null },
        async () => mandateFor(principal, itemCode),
      );
      return { ...mandate, expiresAt: iso(mandate.expiresAt) };
    },
  );
}
