import { Type } from 'typebox';
import { actorOf, noStore, PERMISSIONS, SESSION_SECURITY } from '../../kernel/auth.ts';
import type { App } from '../../kernel/http.ts';
import type { IdentityContext } from './context.ts';
import {
  createStaffAs,
  deleteRole,
  getStaff,
  listRoles,
  listStaff,
  resetStaffPassword,
  saveRole,
  setStaffStatus,
  updateStaff,
} from './staff.ts';

const tags = ['identity'];
const security = SESSION_SECURITY;

const AccountId = Type.String({ format: 'uuid', description: 'Staff account id' });
const RoleCode = Type.String({
  pattern: '^[a-z][a-z0-9_]{1,39}$',
  description: 'window_clerk, approver ...',
});
const RegionCode = Type.String({ pattern: '^\\d{12}$', description: '12-digit region code' });
const OrganisationId = Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER });
const HallWindow = Type.String({ minLength: 1, maxLength: 100, description: '综合受理3号窗口' });
const Title = Type.String({ minLength: 1, maxLength: 100 });
const Roles = Type.Array(RoleCode, { minItems: 1, maxItems: 20 });
const RegionCodes = Type.Array(RegionCode, {
  minItems: 1,
  maxItems: 100,
  description: 'Jurisdiction: roots of the region subtrees the member sees',
});
const OrganisationIds = Type.Array(OrganisationId, {
  maxItems: 200,
  description: 'Jurisdiction: departments the member sees; empty for every department of the regions',
});

const Staff = Type.Object({
  id: Type.String(),
  username: Type.String(),
  name: Type.String(),
  phone: Type.Union([Type.String(), Type.Null()], {
    description: 'Masked (138****5678) unless the caller holds pii.read_full',
  }),
  status: Type.Enum(['active', 'disabled', 'closed']),
  organisation: Type.Object({ id: Type.Integer(), name: Type.String(), regionCode: Type.String() }),
  hallWindow: Type.Union([Type.String(), Type.Null()]),
  title: Type.Union([Type.String(), Type.Null()]),
  roles: Type.Array(Type.String()),
  regionCodes: Type.Array(Type.String()),
  organisationIds: Type.Array(Type.Integer()),
  createdAt: Type.String({ format: 'date-time' }),
});

const Role = Type.Object({
  code: Type.String(),
  name: Type.String(),
  nameEn: Type.String(),
  description: Type.String(),
  permissions: Type.Array(Type.String()),
  holders: Type.Integer({ description: 'Staff accounts holding the role' }),
});

/**
 * Staff administration and roles as data. Reading needs staff.read, changing staff.manage,
 * roles role.manage; everything a manager sees or changes lies in their jurisdiction.
 */
export function staffRoutes(app: App, ctx: IdentityContext): void {
  const { db, auth } = ctx;
  const readers = { preHandler: auth.require('staff.read') };
  const managers = { preHandler: auth.require('staff.manage') };
  const roleManagers = { preHandler: auth.require('role.manage') };

  app.get(
    '/api/v1/identity/staff',
    {
      ...readers,
      schema: {
        tags,
        security,
        summary: 'Staff in your jurisdiction (their department lies in it), filtered and paginated',
        querystring: Type.Object({
          organisation: Type.Optional(OrganisationId),
          role: Type.Optional(RoleCode),
          q: Type.Optional(
            Type.String({ minLength: 1, maxLength: 50, description: 'Part of username or name' }),
          ),
          status: Type.Optional(Type.Enum(['active', 'disabled', 'closed'])),
          page: Type.Integer({ minimum: 1, maximum: 100_000, default: 1 }),
          size: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
        }),
        response: {
          200: Type.Object({
            items: Type.Array(Staff),
            total: Type.Integer(),
            page: Type.Integer(),
            size: Type.Integer(),
          }),
        },
      },
    },
    async (request, reply) => {
      noStore(reply);
      const q = request.query;
      return listStaff(
        ctx,
        db,
        request.principal!,
        { organisationId: q.organisation, role: q.role, q: q.q, status: q.status },
        { page: q.page, size: q.size },
      );
    },
  );

  app.post(
    '/api/v1/identity/staff',
    {
      ...managers,
      schema: {
        tags,
        security,
        summary:
          'Add a staff member inside your jurisdiction, with roles and a jurisdiction no wider than yours',
        body: Type.Object(
          {
            username: Type.String({
              minLength: 1,
              maxLength: 64,
              description: 'Sign-in name: a lower-case letter, then 2 to 31 of a-z 0-9 . _ -',
            }),
            name: Type.String({ minLength: 1, maxLength: 50 }),
            phone: Type.Optional(Type.String({ minLength: 1, maxLength: 20 })),
            password: Type.String({ minLength: 1, maxLength: 128, description: 'Initial password' }),
            organisationId: OrganisationId,
            hallWindow: Type.Optional(HallWindow),
            title: Type.Optional(Title),
            roles: Roles,
            regionCodes: RegionCodes,
            organisationIds: Type.Optional(OrganisationIds),
          },
          { additionalProperties: false },
        ),
        response: { 201: Staff },
      },
    },
    async (request, reply) => {
      const staff = await createStaffAs(ctx, db, request.principal!, request.body, actorOf(request));
      noStore(reply);
      return reply.code(201).send(staff);
    },
  );

  app.get(
    '/api/v1/identity/staff/:id',
    {
      ...readers,
      schema: {
        tags,
        security,
        summary: 'A staff member in your jurisdiction (404 outside it)',
        params: Type.Object({ id: AccountId }),
        response: { 200: Staff },
      },
    },
    async (request, reply) => {
      noStore(reply);
      return getStaff(ctx, db, request.principal!, request.params.id);
    },
  );

  app.patch(
    '/api/v1/identity/staff/:id',
    {
      ...managers,
      schema: {
        tags,
        security,
        summary:
          'Change department, window, title, roles or jurisdiction; a change of privileges ends the member’s sessions',
        params: Type.Object({ id: AccountId }),
        body: Type.Object(
          {
            organisationId: Type.Optional(OrganisationId),
            hallWindow: Type.Optional(Type.Union([HallWindow, Type.Null()])),
            title: Type.Optional(Type.Union([Title, Type.Null()])),
            roles: Type.Optional(Roles),
            regionCodes: Type.Optional(RegionCodes),
            organisationIds: Type.Optional(OrganisationIds),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: Staff },
      },
    },
    async (request, reply) => {
      noStore(reply);
      return updateStaff(ctx, db, request.principal!, request.params.id, request.body, actorOf(request));
    },
  );

  for (const [action, status] of [
    ['disable', 'disabled'],
    ['enable', 'active'],
  ] as const) {
    app.post(
      `/api/v1/identity/staff/:id/${action}`,
      {
        ...managers,
        schema: {
          tags,
          security,
          summary:
            action === 'disable'
              ? 'Disable a staff account: its sessions end at once and it cannot sign in'
              : 'Enable a disabled staff account again',
          params: Type.Object({ id: AccountId }),
          response: { 200: Staff },
        },
      },
      async (request, reply) => {
        noStore(reply);
        return setStaffStatus(ctx, db, request.principal!, request.params.id, status, actorOf(request));
      },
    );
  }

  app.post(
    '/api/v1/identity/staff/:id/password',
    {
      ...managers,
      schema: {
        tags,
        security,
        summary: 'Reset a staff member’s password (password policy applies); their sessions end',
        params: Type.Object({ id: AccountId }),
        body: Type.Object(
          { password: Type.String({ minLength: 1, maxLength: 128 }) },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      await resetStaffPassword(
        ctx,
        db,
        request.principal!,
        request.params.id,
        request.body.password,
        actorOf(request),
      );
      return reply.code(204).send();
    },
  );

  app.get(
    '/api/v1/identity/roles',
    {
      ...readers,
      schema: {
        tags,
        security,
        summary: 'Staff roles with their permissions',
        response: { 200: Type.Object({ items: Type.Array(Role) }) },
      },
    },
    async () => ({ items: await listRoles(db) }),
  );

  app.put(
    '/api/v1/identity/roles/:code',
    {
      ...roleManagers,
      schema: {
        tags,
        security,
        summary: 'Create or update a role and its permissions; holders get them on their next request',
        params: Type.Object({ code: RoleCode }),
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 50 }),
            nameEn: Type.String({ minLength: 1, maxLength: 100 }),
            description: Type.Optional(Type.String({ maxLength: 500 })),
            permissions: Type.Array(Type.Enum([...PERMISSIONS]), { maxItems: PERMISSIONS.length * 2 }),
          },
          { additionalProperties: false },
        ),
        response: { 200: Role, 201: Role },
      },
    },
    async (request, reply) => {
      const { role, created } = await saveRole(db, request.params.code, request.body, actorOf(request));
      return reply.code(created ? 201 : 200).send(role);
    },
  );

  app.delete(
    '/api/v1/identity/roles/:code',
    {
      ...roleManagers,
      schema: {
        tags,
        security,
        summary: 'Delete a role that nobody holds',
        params: Type.Object({ code: RoleCode }),
      },
    },
    async (request, reply) => {
      await deleteRole(db, request.params.code, actorOf(request));
      return reply.code(204).send();
    },
  );

  app.get(
    '/api/v1/identity/permissions',
    {
      ...readers,
      schema: {
        tags,
        security,
        summary: 'Every permission a role may grant (defined by the platform code)',
        response: { 200: Type.Object({ items: Type.Array(Type.String()) }) },
      },
    },
    async () => ({ items: [...PERMISSIONS] }),
  );
}
