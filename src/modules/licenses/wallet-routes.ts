import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { audit, type Actor } from '../../kernel/audit.ts';
import { actorOf, noStore, SESSION_SECURITY } from '../../kernel/auth.ts';
import { fieldError, validationError } from '../../kernel/errors.ts';
import type { App, ModuleContext } from '../../kernel/http.ts';
import { checkLicenceId } from '../../kernel/identifiers/licence-id.ts';
import { getOrganisation } from '../directory/index.ts';
import type { LicensesDeps } from './service.ts';
import {
  accessLog,
  authorise,
  heldLicence,
  holderIndexOf,
  listAuthorisations,
  listHeldLicences,
  readShared,
  revokeAuthorisation,
  shareUrlOf,
  type SharedReader,
} from './wallet.ts';
import { Nullable } from '../../kernel/schemas.ts';

/**
 * The wallet's routes: the holder's licences, authorisations to read one, the log of who
 * looked at it, and the read a department or a third party makes through an authorisation.
 */

const tags = ['licences'];
const security = SESSION_SECURITY;
const Time = Type.String({ format: 'date-time' });
const DateString = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' });
const LicenceId = Type.String({ minLength: 1, maxLength: 120, description: 'GB/T 36904 licence identifier' });
const LicenceParams = Type.Object({ id: LicenceId });
const AuthorisationParams = Type.Object({ id: LicenceId, authorisationId: Type.String({ format: 'uuid' }) });
const Status = Type.Enum(['valid', 'suspended', 'revoked', 'expired', 'superseded', 'not_yet_valid'], {
  description: 'As of now: past its last day a licence reads expired even before the daily job marks it',
});

const LicenceSummary = Type.Object({
  id: Type.String(),
  version: Type.Integer(),
  typeCode: Type.String(),
  typeName: Type.String(),
  issuerName: Type.String(),
  holderName: Type.String(),
  status: Status,
  issueDate: DateString,
  validFrom: DateString,
  validUntil: Nullable(DateString),
  signedAt: Time,
});

/** The signed licence data (formats.ts LicenceData). */
const LicenceDataSchema = Type.Object({
  format: Type.String(),
  id: Type.String(),
  licenceType: Type.Object({ code: Type.String(), name: Type.String() }),
  issuer: Type.Object({ uscc: Type.String(), name: Type.String() }),
  holder: Type.Object({
    kind: Type.Enum(['person', 'enterprise']),
    name: Type.String(),
    identifier: Type.String({ description: 'ID number or unified social credit code' }),
  }),
  face: Type.Record(Type.String(), Type.String(), { description: '照面信息' }),
  issueDate: DateString,
  validFrom: DateString,
  validUntil: Nullable(DateString),
  signedAt: Time,
  supersedes: Nullable(Type.String()),
});
const Signature = Type.Object({
  algorithm: Type.Enum(['sm2-sm3', 'ed25519']),
  keyId: Type.String(),
  value: Type.String({ description: 'Base64 signature of the canonical licence data' }),
});

const HeldLicence = Type.Object({
  ...LicenceSummary.properties,
  statusReason: Nullable(Type.String()),
  supersededBy: Nullable(Type.String()),
  face: Type.Array(Type.Object({ key: Type.String(), label: Type.String(), value: Type.String() })),
  data: LicenceDataSchema,
  signature: Signature,
});

const Authorisation = Type.Object({
  id: Type.String({ format: 'uuid' }),
  licenceId: Type.String(),
  granteeKind: Type.Enum(['organisation', 'third_party']),
  organisationId: Nullable(Type.Integer()),
  granteeName: Type.String(),
  purpose: Type.String(),
  singleUse: Type.Boolean(),
  expiresAt: Time,
  revokedAt: Nullable(Time),
  usedAt: Nullable(Time),
  createdAt: Time,
  state: Type.Enum(['active', 'expired', 'revoked', 'used'], {
    description: 'Whether it lets its grantee read now',
  }),
});

const Purpose = Type.String({ minLength: 2, maxLength: 200, description: 'What the grantee reads it for' });
const ExpiresAt = Type.String({
  format: 'date-time',
  description: 'Until when; in the future, at most one year ahead',
});
const SingleUse = Type.Optional(Type.Boolean({ description: 'Readable once only (default false)' }));
const AuthoriseBody = Type.Union([
  Type.Object(
    {
      granteeKind: Type.Literal('organisation'),
      organisationId: Type.Integer({ minimum: 1, description: 'A department (organisation id)' }),
      purpose: Purpose,
      expiresAt: ExpiresAt,
      singleUse: SingleUse,
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      granteeKind: Type.Literal('third_party'),
      granteeName: Type.String({ minLength: 2, maxLength: 100, description: 'Who, e.g. a bank' }),
      purpose: Purpose,
      expiresAt: ExpiresAt,
      singleUse: SingleUse,
    },
    { additionalProperties: false },
  ),
]);
const CreatedAuthorisation = Type.Object({
  ...Authorisation.properties,
  token: Nullable(
    Type.String({
      description: 'A third party’s bearer token (X-Licence-Token), shown this once; null for a department',
    }),
  ),
  shareUrl: Nullable(Type.String({ description: 'Link for a QR code: the token travels in the fragment' })),
});

const Access = Type.Object({
  id: Type.Integer(),
  at: Time,
  kind: Type.Enum(['verification', 'read', 'download']),
  outcome: Type.Enum(['allowed', 'denied']),
  accessor: Type.String({ description: 'Who: a department, a third party’s name, 公众核验, 持证人 ...' }),
  purpose: Nullable(Type.String()),
  authorisationId: Nullable(Type.String()),
  reason: Nullable(Type.String({ description: 'Why a denied attempt was refused (code)' })),
  reasonText: Nullable(Type.String()),
  reasonTextEn: Nullable(Type.String()),
});

const Shared = Type.Object({
  licenceId: Type.String(),
  status: Type.Literal('valid'),
  licence: LicenceDataSchema,
  signature: Signature,
  sealValid: Type.Boolean({ description: 'The seal signature verifies now' }),
  authorisation: Type.Object({
    id: Type.String(),
    purpose: Type.String(),
    expiresAt: Time,
    singleUse: Type.Boolean(),
  }),
});

/** A well-formed identifier or a 400 naming the rule: garbage never reaches the database or the logs. */
function licenceIdOf(id: string): string {
  const checked = checkLicenceId(id);
  if (!checked.ok)
    throw validationError([fieldError('id', checked.rule, checked.message, checked.messageEn)]);
  return checked.value;
}

export function walletRoutes(app: App, context: ModuleContext, deps: LicensesDeps): void {
  const { db, auth, config } = context;
  // A holder is a person with a verified real name, or a person acting for the holding enterprise.
  const holder = { preHandler: auth.person(2) };
  const holderIndex = (request: FastifyRequest) => holderIndexOf(deps, app.identity, request.principal!);
  const actor = (request: FastifyRequest): Actor => actorOf(request);

  app.get(
    '/api/v1/my/licenses',
    {
      ...holder,
      schema: {
        tags,
        security,
        summary:
          'My licences (证照夹): every licence I hold, or the enterprise I act for holds, newest first',
        description: '403 without a verified real name.',
        response: { 200: Type.Array(LicenceSummary) },
      },
    },
    async (request, reply) => {
      noStore(reply);
      return listHeldLicences(deps, await holderIndex(request));
    },
  );

  app.get(
    '/api/v1/my/licenses/:id',
    {
      ...holder,
      schema: {
        tags,
        security,
        summary: 'One of my licences with its full face data and seal signature (亮证)',
        description: '404 for a licence someone else holds (its existence is not revealed).',
        params: LicenceParams,
        response: { 200: HeldLicence },
      },
    },
    async (request, reply) => {
      noStore(reply);
      return heldLicence(deps, await holderIndex(request), licenceIdOf(request.params.id));
    },
  );

  app.get(
    '/api/v1/my/licenses/:id/authorisations',
    {
      ...holder,
      schema: {
        tags,
        security,
        summary: 'The authorisations to read one of my licences, newest first',
        params: LicenceParams,
        response: { 200: Type.Array(Authorisation) },
      },
    },
    async (request, reply) => {
      noStore(reply);
      return listAuthorisations(deps, await holderIndex(request), licenceIdOf(request.params.id));
    },
  );

  app.post(
    '/api/v1/my/licenses/:id/authorisations',
    {
      ...holder,
      schema: {
        tags,
        security,
        summary: 'Authorise a department or a third party to read one of my licences (用证授权)',
        description:
          'For a purpose, until a time (at most a year), optionally once. A department reads with its staff sessions; a third party (a bank ...) gets a bearer token, returned this once, and a share link for a QR code. 409 for a licence that is not valid; 404 for someone else’s licence.',
        params: LicenceParams,
        body: AuthoriseBody,
        response: { 201: CreatedAuthorisation },
      },
    },
    async (request, reply) => {
      const index = await holderIndex(request);
      const licenceId = licenceIdOf(request.params.id);
      const created = await db.transaction(async (tx) => {
        const created = await authorise(deps, index, licenceId, request.body, request.principal!.sub, tx);
        const a = created.authorisation;
        await audit(tx, {
          ...actor(request),
          action: 'licence.authorise',
          entity: 'licence_authorisation',
          entityId: a.id,
          after: {
            licenceId,
            granteeKind: a.granteeKind,
            granteeName: a.granteeName,
            purpose: a.purpose,
            expiresAt: a.expiresAt,
            singleUse: a.singleUse,
          },
        });
        return created;
      });
      noStore(reply);
      reply.code(201);
      return {
        ...created.authorisation,
        token: created.token,
        shareUrl: created.token ? shareUrlOf(config.publicUrl, created.token) : null,
      };
    },
  );

  app.delete(
    '/api/v1/my/licenses/:id/authorisations/:authorisationId',
    {
      ...holder,
      schema: {
        tags,
        security,
        summary: 'Revoke an authorisation from now on (revoking it again changes nothing: 200)',
        params: AuthorisationParams,
        response: { 200: Authorisation },
      },
    },
    async (request) => {
      const index = await holderIndex(request);
      const licenceId = licenceIdOf(request.params.id);
      return db.transaction(async (tx) => {
        const revoked = await revokeAuthorisation(deps, index, licenceId, request.params.authorisationId, tx);
        await audit(tx, {
          ...actor(request),
          action: 'licence.authorisation.revoke',
          entity: 'licence_authorisation',
          entityId: revoked.id,
          after: { licenceId, revokedAt: revoked.revokedAt },
        });
        return revoked;
      });
    },
  );

  app.get(
    '/api/v1/my/licenses/:id/accesses',
    {
      ...holder,
      schema: {
        tags,
        security,
        summary:
          'Who looked at my licence: every verification, read and download, allowed or denied, newest first',
        params: LicenceParams,
        querystring: Type.Object({
          page: Type.Integer({ minimum: 1, maximum: 100_000, default: 1 }),
          size: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
        }),
        response: {
          200: Type.Object({
            items: Type.Array(Access),
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
      const log = await accessLog(deps, await holderIndex(request), licenceIdOf(request.params.id), {
        page,
        size,
      });
      return { ...log, page, size };
    },
  );

  // Public in the route-guard sense: it authenticates by the holder's authorisation itself.
  app.get(
    '/api/v1/licenses/:id/shared',
    {
      schema: {
        tags,
        security: [{}, ...security],
        summary:
          'Read a licence someone authorised you to read (用证): a third party by token, a department by session',
        description:
          'A third party sends `X-Licence-Token: lsa_...` (no session needed); staff of an authorised department send their session. 403 (code forbidden, `reason`, `message` in Chinese) without an authorisation for this licence, or when it is expired, revoked, used up (single use) or the licence is not valid (`licenceStatus`). Every attempt is logged for the holder.',
        params: LicenceParams,
        headers: Type.Object({
          'x-licence-token': Type.Optional(
            Type.String({ maxLength: 200, description: 'A third party’s token' }),
          ),
        }),
        response: { 200: Shared },
      },
    },
    async (request, reply) => {
      const licenceId = licenceIdOf(request.params.id);
      const token = request.headers['x-licence-token'];
      const principal = request.principal;
      let reader: SharedReader = { kind: 'third_party', token: token ?? null };
      if (token === undefined && principal?.kind === 'staff' && principal.organisationId !== null) {
        const organisation = await getOrganisation(db, principal.organisationId);
        reader = {
          kind: 'organisation',
          organisationId: organisation.id,
          name: organisation.name,
          staffSub: principal.sub,
        };
      }
      noStore(reply);
      const shared = await readShared(deps, licenceId, reader, { ip: request.ip });
      if (reader.kind === 'organisation') {
        await audit(db, {
          ...actor(request),
          action: 'licence.read_shared',
          entity: 'licence',
          entityId: licenceId,
          after: { authorisationId: shared.authorisation.id },
        });
      }
      return shared;
    },
  );
}
