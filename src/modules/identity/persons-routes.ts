import { Type } from 'typebox';
import { noStore } from '../../kernel/auth.ts';
import type { App } from '../../kernel/http.ts';
import type { IdentityContext } from './context.ts';
import {
  accountHistory,
  changePassword,
  changePhone,
  closeAccount,
  getProfile,
  updateContact,
  verifyFace,
  verifyRealName,
} from './persons.ts';
import { DateTime, SessionBody } from './schemas.ts';
import { Nullable } from '../../kernel/schemas.ts';

const tags = ['identity'];
const security: Record<string, string[]>[] = [{ bearer: [] }, { cookie: [] }];

const Code = (description = 'A 6-digit SMS code') =>
  Type.String({ minLength: 1, maxLength: 10, description });
const Password = Type.String({ minLength: 1, maxLength: 128 });
const Phone = Type.String({
  minLength: 1,
  maxLength: 20,
  description: 'Mainland mobile number: 13812345678',
});

const Mandate = Type.Object({
  memberId: Type.String(),
  enterpriseId: Type.String(),
  uscc: Type.String(),
  name: Type.String(),
  role: Type.Enum(['owner', 'admin', 'agent']),
  itemCodes: Nullable(Type.Array(Type.String())),
  expiresAt: Nullable(DateTime),
});

const Profile = Type.Object({
  id: Type.String(),
  kind: Type.Enum(['person', 'staff']),
  name: Nullable(Type.String({ description: 'Real name once verified (persons), name (staff)' })),
  username: Nullable(Type.String({ description: 'Staff login name' })),
  phone: Nullable(Type.String({ description: 'Masked: 138****5678' })),
  idNumber: Nullable(Type.String({ description: 'Masked: 1101**********002X' })),
  assurance: Type.Integer({ description: '0 none, 1 phone, 2 real name, 3 face or in person' }),
  email: Nullable(Type.String()),
  address: Nullable(Type.String()),
  hasPassword: Type.Boolean(),
  realNameVerifiedAt: Nullable(DateTime),
  faceVerifiedAt: Nullable(DateTime),
  createdAt: DateTime,
  enterprises: Type.Array(Mandate, { description: 'Enterprises the person may act for (live mandates)' }),
  acting: Nullable(
    Type.Object({
      memberId: Type.String(),
      enterpriseId: Type.String(),
      uscc: Type.String(),
      name: Type.String(),
      role: Type.Enum(['owner', 'admin', 'agent']),
      itemCodes: Nullable(Type.Array(Type.String())),
      expiresAt: Nullable(DateTime),
    }),
  ),
  staff: Nullable(
    Type.Object({
      organisationId: Type.Integer(),
      organisationName: Type.String(),
      hallWindow: Nullable(Type.String()),
      title: Nullable(Type.String()),
      roles: Type.Array(Type.String()),
      permissions: Type.Array(Type.String()),
      jurisdiction: Type.Object({
        regionCodes: Type.Array(Type.String()),
        organisationIds: Type.Array(Type.Integer()),
      }),
    }),
  ),
});

const Proof = {
  password: Type.Optional(Password),
  code: Type.Optional(Code('Code sent to the phone (purpose confirm)')),
};

/** A signed-in person's own account (个人中心). */
export function personsRoutes(app: App, ctx: IdentityContext): void {
  const { auth, sessions } = ctx;
  const signedIn = { preHandler: auth.signedIn() };
  const person = { preHandler: auth.person(1) };

  app.get(
    '/api/v1/identity/me',
    {
      ...signedIn,
      schema: {
        tags,
        security,
        summary:
          'The caller: profile (phone and ID number masked), assurance, enterprises they may act for, the acting identity; for staff their roles and jurisdiction',
        response: { 200: Profile },
      },
    },
    async (request, reply) => {
      noStore(reply);
      return getProfile(ctx, request.principal!);
    },
  );

  app.patch(
    '/api/v1/identity/me',
    {
      ...signedIn,
      schema: {
        tags,
        security,
        summary: 'Change the contact details (null clears one)',
        body: Type.Object(
          {
            email: Type.Optional(Nullable(Type.String({ format: 'email', maxLength: 254 }))),
            address: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
          },
          { additionalProperties: false },
        ),
        response: { 200: Profile },
      },
    },
    async (request, reply) => {
      noStore(reply);
      await updateContact(ctx, request, request.body);
      return getProfile(ctx, request.principal!);
    },
  );

  app.post(
    '/api/v1/identity/me/real-name',
    {
      ...person,
      schema: {
        tags,
        security,
        summary:
          'Verify the real name (实名认证) with the identity service: assurance level 2; the session is replaced by a new one (limit: 5 attempts a day)',
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 50, description: 'Name as on the ID card' }),
            idNumber: Type.String({
              minLength: 1,
              maxLength: 30,
              description: 'Resident ID number (GB 11643)',
            }),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ assurance: Type.Integer(), realNameVerifiedAt: DateTime, session: SessionBody }),
        },
      },
    },
    async (request, reply) => {
      const { opened, ...verified } = await verifyRealName(ctx, request, request.body);
      return { ...verified, session: sessions.deliver(reply, opened) };
    },
  );

  app.post(
    '/api/v1/identity/me/face',
    {
      preHandler: auth.person(2),
      schema: {
        tags,
        security,
        summary:
          'Face verification (liveness + comparison with the photo on record): assurance level 3; the session is replaced. The demo service accepts the evidence "demo-face:<ID number>" only.',
        body: Type.Object(
          {
            evidence: Type.String({
              minLength: 1,
              maxLength: 4_000_000,
              description: 'Base64 image (or data: URL) or the token of the mobile SDK',
            }),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ assurance: Type.Integer(), faceVerifiedAt: DateTime, session: SessionBody }),
        },
      },
    },
    async (request, reply) => {
      const { opened, ...verified } = await verifyFace(ctx, request, request.body.evidence);
      return { ...verified, session: sessions.deliver(reply, opened) };
    },
  );

  app.put(
    '/api/v1/identity/me/password',
    {
      ...signedIn,
      schema: {
        tags,
        security,
        summary:
          'Set or change the password (the current one is required when set); every other session ends',
        body: Type.Object(
          { currentPassword: Type.Optional(Password), newPassword: Password },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ sessionsEnded: Type.Integer() }) },
      },
    },
    async (request) => changePassword(ctx, request, request.body),
  );

  app.put(
    '/api/v1/identity/me/phone',
    {
      ...person,
      schema: {
        tags,
        security,
        summary:
          'Change the phone number: a change_phone code sent to the new number, and the password or a confirm code sent to the current number',
        body: Type.Object(
          {
            newPhone: Phone,
            code: Code('Code sent to the new number (purpose change_phone)'),
            password: Type.Optional(Password),
            currentCode: Type.Optional(Code('Code sent to the current number (purpose confirm)')),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ phone: Type.String({ description: 'The new number, masked' }) }) },
      },
    },
    async (request) => changePhone(ctx, request, request.body),
  );

  app.delete(
    '/api/v1/identity/me',
    {
      ...person,
      schema: {
        tags,
        security,
        summary:
          'Close the account (注销), proven by the password or a confirm code sent to the phone; refused while the person owns an enterprise',
        body: Type.Object(Proof, { additionalProperties: false }),
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      await closeAccount(ctx, request, request.body);
      sessions.clear(reply);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/api/v1/identity/me/audit',
    {
      ...signedIn,
      schema: {
        tags,
        security,
        summary: 'The account’s own history: sign-ins, failed attempts and changes, newest first',
        querystring: Type.Object({
          page: Type.Integer({ minimum: 1, maximum: 100_000, default: 1 }),
          size: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
        }),
        response: {
          200: Type.Object({
            items: Type.Array(
              Type.Object({
                at: DateTime,
                action: Type.String({
                  description: 'identity.login, identity.login.failed, identity.phone.changed ...',
                }),
                bySelf: Type.Boolean(),
                onBehalfOf: Nullable(Type.String()),
                ip: Nullable(Type.String()),
                details: Type.Unknown(),
              }),
            ),
            total: Type.Integer(),
            page: Type.Integer(),
            size: Type.Integer(),
          }),
        },
      },
    },
    async (request, reply) => {
      noStore(reply);
      const { page, size } = request.query;
      return { ...(await accountHistory(ctx.db, request.principal!.sub, page, size)), page, size };
    },
  );
}
