import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { audit } from '../../kernel/audit.ts';
import { actorOf, noStore, SESSION_SECURITY } from '../../kernel/auth.ts';
import type { FieldCipher } from '../../kernel/crypto.ts';
import { AppError, notFound } from '../../kernel/errors.ts';
import type { App, ModuleContext } from '../../kernel/http.ts';
import {
  registerRawJsonBody,
  verifyWebhookRequest,
  WEBHOOK_ID_HEADER,
  WEBHOOK_SIGNATURE_HEADER,
  WEBHOOK_TIMESTAMP_HEADER,
} from '../../kernel/webhooks.ts';
import { CASE_ACTIONS, CASE_STATUSES, STEP_CODES } from '../cases/index.ts';
import { DELIVERY_SUBSCRIBER } from './delivery.ts';
import { applyReport, type ReportInput } from './reports.ts';
import {
  createSystem,
  DEFAULT_GRACE_HOURS,
  getSystem,
  listSystems,
  MAX_GRACE_HOURS,
  rotateSecrets,
  systemKeys,
  updateSystem,
  type DepartmentSystem,
  type DepartmentSystemSecrets,
  type SystemKeys,
} from './service.ts';
import { DateTime, Nullable } from '../../kernel/schemas.ts';

const Code = Type.String({
  pattern: '^[a-z][a-z0-9]*(-[a-z0-9]+)*$',
  minLength: 2,
  maxLength: 40,
  description: 'Lower-case letters, digits and hyphens: scjg-approval',
});
const CodeParams = Type.Object({ code: Code });
const EndpointUrl = Type.String({
  minLength: 8,
  maxLength: 2000,
  description: 'Where case events are POSTed: http(s), no credentials (https in production)',
});

const SystemView = Type.Object({
  id: Type.Integer(),
  code: Type.String(),
  name: Type.String(),
  organisationId: Type.Integer({ description: 'The department the system works for' }),
  organisationName: Type.String(),
  endpointUrl: Type.String(),
  enabled: Type.Boolean(),
  createdAt: DateTime,
  updatedAt: DateTime,
  secretsRotatedAt: Nullable(DateTime),
  previousSecretsUntil: Nullable(
    Type.String({
      format: 'date-time',
      description: 'Until when the secrets replaced by the last rotation still work',
    }),
  ),
});
const Secrets = Type.Object({
  outboundSecret: Type.String({
    description: 'whsec_ secret to verify what the platform sends (Standard Webhooks); shown only now',
  }),
  inboundSecret: Type.String({
    description: 'whsec_ secret to sign reports with (Standard Webhooks); shown only now',
  }),
});
const SystemWithSecrets = Type.Intersect([SystemView, Secrets]);

const DeadLetterView = Type.Object({
  deliveryId: Type.Integer({ description: 'What to replay' }),
  eventId: Type.Integer(),
  topic: Type.String(),
  caseId: Type.String(),
  caseNumber: Nullable(Type.String()),
  action: Nullable(Type.String()),
  attempts: Type.Integer(),
  lastError: Nullable(Type.String({ description: 'Each failing system and what it answered' })),
  occurredAt: DateTime,
  diedAt: DateTime,
});

const ReportBody = Type.Object(
  {
    caseId: Type.Optional(Type.String({ format: 'uuid', description: 'The case (or give caseNumber)' })),
    caseNumber: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    action: Type.Optional(Type.Enum([...CASE_ACTIONS], { description: 'A case action (or give stepCode)' })),
    stepCode: Type.Optional(
      Type.Enum([...STEP_CODES], {
        description:
          'Provincial step code: 110 受理, 120 初审, 130 审核, 140 补正, 150 批准, 160 现场勘查, 170 通知, 180 制证, 190 发证',
      }),
    ),
    result: Type.Optional(
      Type.Enum(['approve', 'deny'], {
        description: 'With a step code of two outcomes (110, 120, 130, 150, 160)',
      }),
    ),
    version: Type.Optional(
      Type.Integer({
        minimum: 1,
        description: 'The case version the system saw (409 when stale); the current one when omitted',
      }),
    ),
    reason: Type.Optional(Type.String({ maxLength: 2000 })),
    stage: Type.Optional(Type.String({ maxLength: 40 })),
    branch: Type.Optional(Type.String({ maxLength: 40 })),
    needed: Type.Optional(
      Type.Array(
        Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 200 }),
            problem: Type.String({ minLength: 1, maxLength: 500 }),
          },
          { additionalProperties: false },
        ),
        { minItems: 1, maxItems: 100 },
      ),
    ),
    days: Type.Optional(Type.Integer({ minimum: 1, maximum: 365, description: 'Extension: working days' })),
    expectedDays: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 365, description: 'Suspension: expected working days' }),
    ),
  },
  { additionalProperties: false },
);

const ReportResult = Type.Object({
  duplicate: Type.Boolean({ description: 'The webhook-id was processed before: nothing changed' }),
  action: Type.Optional(Type.String()),
  case: Type.Optional(
    Type.Object({
      id: Type.String(),
      number: Type.String(),
      status: Type.Enum([...CASE_STATUSES]),
      version: Type.Integer(),
    }),
  ),
});

const secretsOf = (s: DepartmentSystemSecrets): DepartmentSystemSecrets => ({
  outboundSecret: s.outboundSecret,
  inboundSecret: s.inboundSecret,
});
const iso = (d: Date | null) => (d === null ? null : d.toISOString());

/** A system as the API shows it (dates as ISO 8601). */
function view(s: DepartmentSystem) {
  return {
    ...s,
    createdAt: s.createdAt.toISOString(),
    updatedAt: s.updatedAt.toISOString(),
    secretsRotatedAt: iso(s.secretsRotatedAt),
    previousSecretsUntil: iso(s.previousSecretsUntil),
  };
}

/** The system whose signature a report carries, per request (set before validation). */
const verifiedReports = new WeakMap<FastifyRequest, { system: SystemKeys; id: string }>();

export async function departmentSystemsRoutes(
  app: App,
  { db, auth, outbox, config }: ModuleContext,
  cipher: FieldCipher,
): Promise<void> {
  const tags = ['department-systems'];
  const security = SESSION_SECURITY;
  const admin = { preHandler: auth.require('integration.manage') };
  const production = config.nodeEnv === 'production';

  app.post(
    '/api/v1/department-systems',
    {
      ...admin,
      schema: {
        tags,
        security,
        summary: 'Register a department system (its two secrets are shown only now)',
        body: Type.Object(
          {
            code: Code,
            name: Type.String({ minLength: 1, maxLength: 200 }),
            organisationId: Type.Integer({ minimum: 1 }),
            endpointUrl: EndpointUrl,
            enabled: Type.Optional(Type.Boolean({ default: true })),
          },
          { additionalProperties: false },
        ),
        response: { 201: SystemWithSecrets },
      },
    },
    async (request, reply) => {
      const created = await createSystem(db, cipher, request.body, actorOf(request), { production });
      noStore(reply);
      return reply.code(201).send({ ...view(created), ...secretsOf(created) });
    },
  );

  app.get(
    '/api/v1/department-systems',
    {
      ...admin,
      schema: {
        tags,
        security,
        summary: 'Department systems (without secrets)',
        response: { 200: Type.Object({ items: Type.Array(SystemView) }) },
      },
    },
    async () => ({ items: (await listSystems(db)).map(view) }),
  );

  app.get(
    '/api/v1/department-systems/dead-letters',
    {
      ...admin,
      schema: {
        tags,
        security,
        summary: 'Case events no department system could be sent (dead letters), oldest first',
        querystring: Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }) }),
        response: { 200: Type.Object({ items: Type.Array(DeadLetterView) }) },
      },
    },
    async (request) => {
      const letters = await outbox.deadLetters(DELIVERY_SUBSCRIBER, { limit: request.query.limit });
      return {
        items: letters.map((l) => {
          const payload = (l.payload ?? {}) as { caseNumber?: string; action?: string };
          return {
            deliveryId: l.deliveryId,
            eventId: l.eventId,
            topic: l.topic,
            caseId: l.key,
            caseNumber: payload.caseNumber ?? null,
            action: payload.action ?? null,
            attempts: l.attempts,
            lastError: l.lastError,
            occurredAt: l.occurredAt.toISOString(),
            diedAt: l.diedAt.toISOString(),
          };
        }),
      };
    },
  );

  app.post(
    '/api/v1/department-systems/dead-letters/:id/replay',
    {
      ...admin,
      schema: {
        tags,
        security,
        summary: 'Send a dead letter again (to the systems that have not acknowledged it)',
        description: '409 when the delivery is not a dead letter (pending or delivered).',
        params: Type.Object({
          id: Type.String({ pattern: '^[0-9]{1,18}$', description: 'deliveryId of the dead letter' }),
        }),
        response: {
          202: Type.Object({ deliveryId: Type.Integer(), status: Type.Literal('pending') }),
        },
      },
    },
    async (request, reply) => {
      const id = Number(request.params.id);
      const [row] = await db.query<{
        subscriber: string;
        event_id: number;
        attempts: number;
        last_error: string | null;
      }>('select subscriber, event_id, attempts, last_error from outbox_delivery where id = $1', [id]);
      if (!row || row.subscriber !== DELIVERY_SUBSCRIBER) {
        throw notFound(`No delivery ${id} to department systems`);
      }
      await outbox.replay(id);
      await audit(db, {
        ...actorOf(request),
        action: 'department_system.replay',
        entity: 'outbox_delivery',
        entityId: String(id),
        before: { status: 'dead', eventId: row.event_id, attempts: row.attempts, lastError: row.last_error },
        after: { status: 'pending' },
      });
      return reply.code(202).send({ deliveryId: id, status: 'pending' as const });
    },
  );

  app.get(
    '/api/v1/department-systems/:code',
    {
      ...admin,
      schema: {
        tags,
        security,
        summary: 'One department system (without secrets)',
        params: CodeParams,
        response: { 200: SystemView },
      },
    },
    async (request) => view(await getSystem(db, request.params.code)),
  );

  app.patch(
    '/api/v1/department-systems/:code',
    {
      ...admin,
      schema: {
        tags,
        security,
        summary: 'Change the name or endpoint of a department system, or enable / disable it',
        description: 'A disabled system is sent nothing and its reports are refused (403).',
        params: CodeParams,
        body: Type.Object(
          {
            name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
            endpointUrl: Type.Optional(EndpointUrl),
            enabled: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: SystemView },
      },
    },
    async (request) =>
      view(await updateSystem(db, request.params.code, request.body, actorOf(request), { production })),
  );

  app.post(
    '/api/v1/department-systems/:code/rotate-secrets',
    {
      ...admin,
      schema: {
        tags,
        security,
        summary: 'New outbound and inbound secrets (shown only now); the old ones work for a grace period',
        description: `During the grace period (graceHours, default ${DEFAULT_GRACE_HOURS}; 0 ends the old secrets at once) messages are signed with the new and the old outbound secret, and reports signed with either inbound secret are accepted.`,
        params: CodeParams,
        body: Type.Optional(
          Type.Object(
            {
              graceHours: Type.Optional(
                Type.Integer({ minimum: 0, maximum: MAX_GRACE_HOURS, default: DEFAULT_GRACE_HOURS }),
              ),
            },
            { additionalProperties: false },
          ),
        ),
        response: { 200: SystemWithSecrets },
      },
    },
    async (request, reply) => {
      const graceHours = request.body?.graceHours ?? DEFAULT_GRACE_HOURS;
      const rotated = await rotateSecrets(db, cipher, request.params.code, graceHours, actorOf(request));
      noStore(reply);
      return { ...view(rotated), ...secretsOf(rotated) };
    },
  );

  // --- Reports from department systems: authenticated by their signature, not a session --

  await app.register(async (scope) => {
    registerRawJsonBody(scope);
    scope.post(
      '/api/v1/department-systems/:code/reports',
      {
        // Runs before the body is validated: an unsigned or forged request learns nothing of the schema.
        preValidation: async (request) => {
          const { code } = request.params as { code: string };
          const system = await systemKeys(db, cipher, code);
          if (!system) throw notFound(`No department system ${code}`);
          let verified: { id: string };
          try {
            verified = verifyWebhookRequest(request, system.inboundSecrets);
          } catch (error) {
            if (error instanceof AppError && error.status === 401) {
              request.log.warn(
                { system: code, reason: error.extra?.reason },
                'department system report refused',
              );
            }
            throw error;
          }
          if (!system.enabled) {
            throw new AppError('forbidden', `Department system ${code} is disabled`);
          }
          verifiedReports.set(request, { system, id: verified.id });
        },
        schema: {
          tags,
          summary: 'A department system reports a step it took on one of its cases (signed webhook)',
          description: [
            `Authenticated by its Standard Webhooks signature with the system's inbound secret (headers ${WEBHOOK_ID_HEADER}, ${WEBHOOK_TIMESTAMP_HEADER}, ${WEBHOOK_SIGNATURE_HEADER}; timestamp within 5 minutes); a missing, forged or expired signature is a 401 and changes nothing.`,
            `Idempotent: a ${WEBHOOK_ID_HEADER} processed before answers 200 {duplicate: true} and changes nothing.`,
            'The step goes through the case workflow as the system, for its department: a case of another department is a 404; a department that only handles a parallel branch gives opinions only (403 otherwise); a step the case does not allow is a 409, a stale version a 409, a missing reason a 400.',
          ].join(' '),
          params: CodeParams,
          headers: Type.Object({
            [WEBHOOK_ID_HEADER]: Type.String({ description: 'Message id: the same on every retry' }),
            [WEBHOOK_TIMESTAMP_HEADER]: Type.String({ description: 'Unix seconds' }),
            [WEBHOOK_SIGNATURE_HEADER]: Type.String({ description: 'v1,<base64 HMAC-SHA256>' }),
          }),
          body: ReportBody,
          response: { 200: ReportResult },
        },
      },
      async (request) => {
        const verified = verifiedReports.get(request)!;
        const outcome = await applyReport(db, verified.system, verified.id, request.body as ReportInput);
        if (!outcome.duplicate) outbox.notify();
        return outcome;
      },
    );
  });
}
