import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { audit } from '../../kernel/audit.ts';
import { actorOf, noStore, SESSION_SECURITY, type Principal } from '../../kernel/auth.ts';
import { AppError, notFound } from '../../kernel/errors.ts';
import type { App, ModuleContext } from '../../kernel/http.ts';
import { organisationInJurisdiction } from '../directory/index.ts';
import { deleteClient, registerClient, verifiedIdentity } from '../identity/index.ts';
import { accessesAbout, auditAccesses, listAccesses } from './audit.ts';
import { setConsumerWebhook } from './feed.ts';
import { getResource, listResources, updateResource } from './resources.ts';
import { AccessPage, ApiKey, ConsumerView, GrantView, NewConsumer, ResourceView } from './schemas.ts';
import {
  assertOwnOrganisation,
  authenticateConsumer,
  batchLookup,
  consumerOfClient,
  createConsumer,
  decideGrant,
  findConsumer,
  getGrant,
  listConsumers,
  listGrants,
  lookup,
  requestGrant,
  revokeGrant,
  rotateConsumerKey,
  setConsumerClient,
  setConsumerStatus,
  verifyClaims,
  EXCHANGE_SCOPE,
  type Consumer,
  type ExchangeDeps,
  type GrantStatus,
  type QueryMeta,
} from './service.ts';

const tags = ['data sharing'];
const security = SESSION_SECURITY;
/** Consumers: their API key, or an access token of their OIDC client (client credentials, scope exchange). */
const CONSUMER_SECURITY: Record<string, string[]>[] = [{ apiKey: [] }, { oidcClient: ['exchange'] }];
const ResourceParams = Type.Object({
  code: Type.String({ pattern: '^[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)+$' }),
});
const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const Purpose = Type.String({ minLength: 2, maxLength: 200, description: 'The purpose stated in the grant' });
const Paging = {
  page: Type.Integer({ minimum: 1, default: 1 }),
  size: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
};

/** The organisations a staff member acts for in data sharing; null = every one (a system administrator). */
export function organisationScope(principal: Principal): number[] | null {
  if (principal.jurisdiction?.organisationIds.length) return principal.jurisdiction.organisationIds;
  if (principal.roles.includes('system_admin')) return null;
  return principal.organisationId === null ? [] : [principal.organisationId];
}

export function exchangeRoutes(app: App, context: ModuleContext, deps: ExchangeDeps): void {
  const { db, auth } = context;
  const manage = auth.require('exchange.manage');

  /** The consumer calling: by its API key (X-Api-Key), else by its OIDC client's access token. */
  const consumerOf = async (request: FastifyRequest): Promise<QueryMeta['consumer']> => {
    const apiKey = request.headers['x-api-key'] as string | undefined;
    const bearer = /^Bearer\s+(\S{1,2048})$/i.exec(request.headers.authorization ?? '')?.[1];
    if (apiKey !== undefined || bearer === undefined) return authenticateConsumer(deps, apiKey);
    const verify = app.identity.clientCredentialsToken;
    return consumerOfClient(deps, verify ? await verify(bearer) : null);
  };
  /**
   * The consumer routes check the consumer's credential themselves (the session guard
   * leaves a bearer token to them), first of all: a bad credential is a 401 whatever the
   * request holds, and nothing about the resource or the input is revealed before it.
   */
  const consumers = new WeakMap<FastifyRequest, QueryMeta['consumer']>();
  const consumerRoute = {
    config: { ownAuthentication: true },
    onRequest: async (request: FastifyRequest) => {
      consumers.set(request, await consumerOf(request));
    },
  };
  const callerOf = (request: FastifyRequest) => consumers.get(request)!;

  // ---- the catalog -------------------------------------------------------------------
  app.get(
    '/api/v1/exchange/resources',
    {
      schema: {
        tags,
        summary: 'The resource catalog (信息资源目录): fields, sensitivity, sharing type, provider',
        response: { 200: Type.Array(ResourceView) },
      },
    },
    () => listResources(db),
  );
  app.get(
    '/api/v1/exchange/resources/:code',
    {
      schema: {
        tags,
        summary: 'One resource of the catalog',
        params: ResourceParams,
        response: { 200: ResourceView },
      },
    },
    (request) => getResource(db, request.params.code),
  );

  const Mask = Type.Union([
    Type.Literal('name'),
    Type.Literal('idNumber'),
    Type.Literal('phone'),
    Type.Literal('middle'),
    Type.Null(),
  ]);
  app.patch(
    '/api/v1/exchange/resources/:code',
    {
      preHandler: manage,
      schema: {
        tags,
        security,
        summary:
          'Change how a resource is shared: provider, sharing type, frequency, field sensitivity and masks',
        params: ResourceParams,
        body: Type.Object({
          providerOrganisationId: Type.Optional(Type.Integer({ minimum: 1 })),
          sharingType: Type.Optional(
            Type.Union([Type.Literal('unconditional'), Type.Literal('conditional'), Type.Literal('none')]),
          ),
          updateFrequency: Type.Optional(
            Type.Union([
              Type.Literal('realtime'),
              Type.Literal('daily'),
              Type.Literal('weekly'),
              Type.Literal('monthly'),
            ]),
          ),
          description: Type.Optional(Type.String({ maxLength: 500 })),
          fields: Type.Optional(
            Type.Array(
              Type.Object({
                name: Type.String({ maxLength: 60 }),
                sensitivity: Type.Union([
                  Type.Literal('public'),
                  Type.Literal('internal'),
                  Type.Literal('sensitive'),
                ]),
                mask: Mask,
              }),
              { maxItems: 60 },
            ),
          ),
        }),
        response: { 200: ResourceView },
      },
    },
    async (request) => {
      const before = await getResource(db, request.params.code);
      // The resource's provider decides; moving it to another provider needs both in scope.
      const scope = organisationScope(request.principal!);
      assertOwnOrganisation(scope, before.providerOrganisationId, 'The resource');
      if (request.body.providerOrganisationId !== undefined)
        assertOwnOrganisation(scope, request.body.providerOrganisationId, 'The new provider');
      const after = await updateResource(db, request.params.code, request.body);
      deps.cache.resources.clear();
      await audit(db, {
        ...actorOf(request),
        action: 'exchange.resource.update',
        entity: 'exchange_resource',
        entityId: after.code,
        before,
        after,
      });
      return after;
    },
  );

  // ---- consumers ---------------------------------------------------------------------
  app.post(
    '/api/v1/exchange/consumers',
    {
      preHandler: manage,
      schema: {
        tags,
        security,
        summary: 'Register a consumer application of a department; its API key is shown once',
        body: Type.Object({
          code: Type.String({ pattern: '^[a-z][a-z0-9]*(-[a-z0-9]+)*$', minLength: 2, maxLength: 40 }),
          name: Type.String({ minLength: 2, maxLength: 100 }),
          organisationId: Type.Integer({ minimum: 1 }),
        }),
        response: { 201: NewConsumer },
      },
    },
    async (request, reply) => {
      await organisationInJurisdiction(
        db,
        request.principal!,
        request.body.organisationId,
        'The organisation',
      );
      const created = await createConsumer(db, request.body, request.principal!.sub);
      await audit(db, {
        ...actorOf(request),
        action: 'exchange.consumer.create',
        entity: 'exchange_consumer',
        entityId: created.consumer.id,
        after: created.consumer,
      });
      noStore(reply);
      return reply.code(201).send(created);
    },
  );
  app.get(
    '/api/v1/exchange/consumers',
    {
      preHandler: manage,
      schema: {
        tags,
        security,
        summary: 'Consumers of my organisations',
        response: { 200: Type.Array(ConsumerView) },
      },
    },
    (request) => listConsumers(db, organisationScope(request.principal!)),
  );
  const ownConsumer = async (principal: Principal, id: string) => {
    const consumer = await findConsumer(db, id);
    if (!consumer) throw notFound(`No consumer ${id}`);
    assertOwnOrganisation(organisationScope(principal), consumer.organisationId, 'The consumer');
    return consumer;
  };
  app.post(
    '/api/v1/exchange/consumers/:id/rotate-key',
    {
      preHandler: manage,
      schema: {
        tags,
        security,
        summary: 'A new API key (shown once); the old one works for the grace hours',
        params: IdParams,
        body: Type.Object({ graceHours: Type.Integer({ minimum: 0, maximum: 168, default: 24 }) }),
        response: { 200: Type.Object({ apiKey: ApiKey }) },
      },
    },
    async (request, reply) => {
      const consumer = await ownConsumer(request.principal!, request.params.id);
      const apiKey = await rotateConsumerKey(db, consumer.id, request.body.graceHours);
      deps.cache.consumers.clear();
      await audit(db, {
        ...actorOf(request),
        action: 'exchange.consumer.rotate',
        entity: 'exchange_consumer',
        entityId: consumer.id,
      });
      noStore(reply);
      return { apiKey };
    },
  );
  app.post(
    '/api/v1/exchange/consumers/:id/:status',
    {
      preHandler: manage,
      schema: {
        tags,
        security,
        summary: 'Disable or enable a consumer (a disabled key is refused at once)',
        params: Type.Object({
          id: IdParams.properties.id,
          status: Type.Union([Type.Literal('disable'), Type.Literal('enable')]),
        }),
        response: { 200: ConsumerView },
      },
    },
    async (request) => {
      const consumer = await ownConsumer(request.principal!, request.params.id);
      const status = request.params.status === 'disable' ? 'disabled' : 'active';
      const changed = await setConsumerStatus(db, consumer.id, status);
      deps.cache.consumers.clear();
      await audit(db, {
        ...actorOf(request),
        action: `exchange.consumer.${request.params.status}`,
        entity: 'exchange_consumer',
        entityId: consumer.id,
        before: { status: consumer.status },
        after: { status },
      });
      return changed;
    },
  );

  app.put(
    '/api/v1/exchange/consumers/:id/webhook',
    {
      preHandler: manage,
      schema: {
        tags,
        security,
        summary:
          'Where the change feed goes (signed webhooks); a new whsec_ secret is shown once; null stops it',
        params: IdParams,
        body: Type.Object({ url: Type.Union([Type.String({ minLength: 8, maxLength: 2000 }), Type.Null()]) }),
      },
    },
    async (request, reply) => {
      const consumer = await ownConsumer(request.principal!, request.params.id);
      const set = await setConsumerWebhook(db, deps.cipher, consumer.id, request.body.url);
      await audit(db, {
        ...actorOf(request),
        action: 'exchange.consumer.webhook',
        entity: 'exchange_consumer',
        entityId: consumer.id,
        after: { webhookUrl: set.webhookUrl },
      });
      noStore(reply);
      return set;
    },
  );

  /**
   * Links the consumer to `clientId` (or to none), removes the client it had (already gone:
   * fine) and records the change; its tokens stop working at once.
   */
  const replaceClient = async (request: FastifyRequest, consumer: Consumer, clientId: string | null) => {
    const actor = actorOf(request);
    const changed = await setConsumerClient(db, consumer.id, clientId);
    if (consumer.oidcClientId)
      await deleteClient(db, consumer.oidcClientId, actor).catch((error: unknown) => {
        if (!(error instanceof AppError && error.code === 'not_found')) throw error;
      });
    deps.cache.consumers.clear();
    await audit(db, {
      ...actor,
      action: 'exchange.consumer.oidc_client',
      entity: 'exchange_consumer',
      entityId: consumer.id,
      before: { oidcClientId: consumer.oidcClientId },
      after: { oidcClientId: clientId },
    });
    return changed;
  };
  app.post(
    '/api/v1/exchange/consumers/:id/oidc-client',
    {
      preHandler: manage,
      schema: {
        tags,
        security,
        summary:
          'Give the consumer an OIDC client (client credentials, scope exchange); the secret is shown once, a previous client is removed',
        params: IdParams,
      },
    },
    async (request, reply) => {
      const consumer = await ownConsumer(request.principal!, request.params.id);
      const client = await registerClient(
        db,
        app.identity.cipher,
        { name: consumer.name, grantTypes: ['client_credentials'], scopes: [EXCHANGE_SCOPE] },
        actorOf(request),
        context.config.nodeEnv === 'production',
      );
      const changed = await replaceClient(request, consumer, client.clientId);
      noStore(reply);
      return reply
        .code(201)
        .send({ consumer: changed, clientId: client.clientId, clientSecret: client.clientSecret });
    },
  );
  app.delete(
    '/api/v1/exchange/consumers/:id/oidc-client',
    {
      preHandler: manage,
      schema: {
        tags,
        security,
        summary: 'Remove the consumer’s OIDC client: its tokens stop working at once',
        params: IdParams,
      },
    },
    async (request) => {
      const consumer = await ownConsumer(request.principal!, request.params.id);
      if (!consumer.oidcClientId) throw notFound('The consumer has no OIDC client');
      return replaceClient(request, consumer, null);
    },
  );

  // ---- grants ------------------------------------------------------------------------
  app.post(
    '/api/v1/exchange/grants',
    {
      preHandler: manage,
      schema: {
        tags,
        security,
        summary: 'A consumer asks for a resource: purpose, fields, days (无条件共享: granted at once)',
        body: Type.Object({
          consumerId: Type.String({ format: 'uuid' }),
          resourceCode: ResourceParams.properties.code,
          purpose: Purpose,
          fields: Type.Array(Type.String({ minLength: 1, maxLength: 60 }), { minItems: 1, maxItems: 60 }),
          days: Type.Integer({ minimum: 1, maximum: 366 }),
        }),
        response: { 201: GrantView },
      },
    },
    async (request, reply) => {
      await ownConsumer(request.principal!, request.body.consumerId);
      const grant = await requestGrant(db, request.body, request.principal!.sub);
      deps.cache.grants.clear();
      await audit(db, {
        ...actorOf(request),
        action: 'exchange.grant.request',
        entity: 'exchange_grant',
        entityId: grant.id,
        after: grant,
      });
      return reply.code(201).send(grant);
    },
  );
  app.get(
    '/api/v1/exchange/grants',
    {
      preHandler: manage,
      schema: {
        tags,
        security,
        summary: 'Grants my organisations asked for or must decide',
        querystring: Type.Object({
          status: Type.Optional(
            Type.Union(['requested', 'approved', 'rejected', 'revoked'].map((s) => Type.Literal(s))),
          ),
        }),
        response: { 200: Type.Array(GrantView) },
      },
    },
    (request) =>
      listGrants(db, {
        organisationIds: organisationScope(request.principal!),
        status: request.query.status as GrantStatus | undefined,
      }),
  );
  const decide = (approve: boolean) => async (request: FastifyRequest) => {
    const grant = await getGrant(db, (request.params as { id: string }).id);
    assertOwnOrganisation(
      organisationScope(request.principal!),
      grant.providerOrganisationId,
      'The resource',
    );
    const body = request.body as Record<string, unknown>;
    const decided = await decideGrant(
      db,
      grant.id,
      approve
        ? {
            approve: true,
            masked: (body.masked as string[] | undefined) ?? [],
            ...(body.fields !== undefined && { fields: body.fields as string[] }),
            ...(body.expiresAt !== undefined && { expiresAt: new Date(body.expiresAt as string) }),
          }
        : { approve: false, reason: body.reason as string },
      request.principal!.sub,
    );
    deps.cache.grants.clear();
    await audit(db, {
      ...actorOf(request),
      action: approve ? 'exchange.grant.approve' : 'exchange.grant.reject',
      entity: 'exchange_grant',
      entityId: grant.id,
      before: { status: grant.status },
      after: {
        status: decided.status,
        fields: decided.fields,
        masked: decided.masked,
        reason: decided.decisionReason,
      },
    });
    return decided;
  };
  app.post(
    '/api/v1/exchange/grants/:id/approve',
    {
      preHandler: manage,
      schema: {
        tags,
        security,
        summary: 'The provider approves: which requested fields, which of them masked (脱敏), until when',
        params: IdParams,
        body: Type.Object({
          masked: Type.Array(Type.String({ maxLength: 60 }), { maxItems: 60, default: [] }),
          fields: Type.Optional(Type.Array(Type.String({ maxLength: 60 }), { minItems: 1, maxItems: 60 })),
          expiresAt: Type.Optional(Type.String({ format: 'date-time' })),
        }),
        response: { 200: GrantView },
      },
    },
    decide(true),
  );
  app.post(
    '/api/v1/exchange/grants/:id/reject',
    {
      preHandler: manage,
      schema: {
        tags,
        security,
        summary: 'The provider rejects, with the reason',
        params: IdParams,
        body: Type.Object({ reason: Type.String({ minLength: 2, maxLength: 500 }) }),
        response: { 200: GrantView },
      },
    },
    decide(false),
  );
  app.post(
    '/api/v1/exchange/grants/:id/revoke',
    {
      preHandler: manage,
      schema: {
        tags,
        security,
        summary: 'Provider or consumer ends a grant at once',
        params: IdParams,
        body: Type.Object({ reason: Type.String({ minLength: 2, maxLength: 500 }) }),
        response: { 200: GrantView },
      },
    },
    async (request) => {
      const grant = await getGrant(db, request.params.id);
      const scope = organisationScope(request.principal!);
      if (scope !== null && !scope.includes(grant.consumerOrganisationId))
        assertOwnOrganisation(scope, grant.providerOrganisationId, 'The grant');
      const revoked = await revokeGrant(db, grant.id, request.body.reason, request.principal!.sub);
      deps.cache.grants.clear();
      await audit(db, {
        ...actorOf(request),
        action: 'exchange.grant.revoke',
        entity: 'exchange_grant',
        entityId: grant.id,
        before: { status: grant.status },
        after: { status: revoked.status, reason: request.body.reason },
      });
      return revoked;
    },
  );

  // ---- queries (consumers, by API key or OIDC client) ----------------------------------
  app.get(
    '/api/v1/exchange/resources/:code/records/:key',
    {
      ...consumerRoute,
      schema: {
        tags,
        security: CONSUMER_SECURITY,
        summary: 'A record by key, for the grant’s purpose: only the granted fields, masked as granted',
        params: Type.Object({
          code: ResourceParams.properties.code,
          key: Type.String({ minLength: 1, maxLength: 120 }),
        }),
        querystring: Type.Object({ purpose: Purpose }),
      },
    },
    async (request, reply) => {
      const consumer = callerOf(request);
      noStore(reply);
      return lookup(deps, request.params.code, request.params.key, {
        consumer,
        purpose: request.query.purpose,
      });
    },
  );
  app.post(
    '/api/v1/exchange/resources/:code/records/batch',
    {
      ...consumerRoute,
      schema: {
        tags,
        security: CONSUMER_SECURITY,
        summary: 'Up to 1,000 keys at once; each key answered and recorded',
        params: ResourceParams,
        body: Type.Object({
          purpose: Purpose,
          keys: Type.Array(Type.String({ minLength: 1, maxLength: 120 }), { minItems: 1, maxItems: 1000 }),
        }),
      },
    },
    async (request, reply) => {
      const consumer = callerOf(request);
      noStore(reply);
      return batchLookup(deps, request.params.code, request.body.keys, {
        consumer,
        purpose: request.body.purpose,
      });
    },
  );
  app.post(
    '/api/v1/exchange/resources/:code/verify',
    {
      ...consumerRoute,
      schema: {
        tags,
        security: CONSUMER_SECURITY,
        summary: '比对: whether the record says what is claimed (yes/no only, no data)',
        params: ResourceParams,
        body: Type.Object({
          purpose: Purpose,
          key: Type.String({ minLength: 1, maxLength: 120 }),
          claims: Type.Record(
            Type.String({ maxLength: 60 }),
            Type.Union([Type.String({ maxLength: 500 }), Type.Boolean()]),
            {
              minProperties: 1,
              maxProperties: 20,
            },
          ),
        }),
      },
    },
    async (request, reply) => {
      const consumer = callerOf(request);
      noStore(reply);
      return verifyClaims(deps, request.params.code, request.body.key, request.body.claims, {
        consumer,
        purpose: request.body.purpose,
      });
    },
  );

  // ---- who used the data -------------------------------------------------------------
  app.get(
    '/api/v1/exchange/accesses',
    {
      preHandler: manage,
      schema: {
        tags,
        security,
        summary: 'Who used the data my organisations provide, and what my consumers used',
        querystring: Type.Object({ resource: Type.Optional(ResourceParams.properties.code), ...Paging }),
        response: { 200: AccessPage },
      },
    },
    (request) =>
      listAccesses(db, {
        organisationIds: organisationScope(request.principal!),
        ...(request.query.resource && { resource: request.query.resource }),
        page: request.query.page,
        size: request.query.size,
      }),
  );
  app.get(
    '/api/v1/exchange/audit',
    {
      preHandler: auth.require('audit.read'),
      schema: {
        tags,
        security,
        summary: 'Audit of the access log: the log, its checkpoints and every sealed row',
      },
    },
    () => auditAccesses(deps),
  );
  app.get(
    '/api/v1/my/data-accesses',
    {
      preHandler: auth.person(2),
      schema: {
        tags,
        security,
        summary: 'Who looked at my data (or my enterprise’s), when, for what purpose',
        querystring: Type.Object(Paging),
        response: { 200: AccessPage },
      },
    },
    async (request, reply) => {
      const principal = request.principal!;
      const identifier = principal.acting
        ? principal.acting.uscc
        : (await verifiedIdentity(app.identity, db, principal.sub))?.idNumber;
      noStore(reply);
      if (!identifier) return { items: [], total: 0 };
      return accessesAbout(db, deps.cipher.index(identifier, 'dataSubject'), request.query);
    },
  );
}
