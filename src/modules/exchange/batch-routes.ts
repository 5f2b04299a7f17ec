import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { SESSION_SECURITY } from '../../kernel/auth.ts';
import { AppError } from '../../kernel/errors.ts';
import type { App, ModuleContext } from '../../kernel/http.ts';
import {
  BATCH_FORMATS,
  BATCH_STATUSES,
  getBatch,
  ingestBatch,
  listBatchErrors,
  listBatches,
  type Batch,
  type BatchFormat,
} from './batches.ts';
import { organisationScope } from './routes.ts';

const tags = ['data sharing'];
const security = SESSION_SECURITY;
const ResourceCode = Type.String({ pattern: '^[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)+$' });
const Paging = {
  page: Type.Integer({ minimum: 1, default: 1 }),
  size: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
};
const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const MEDIA_TYPES: Record<string, BatchFormat> = { 'text/csv': 'csv', 'application/x-ndjson': 'ndjson' };

const BatchView = Type.Object({
  id: Type.String({ format: 'uuid' }),
  resource: Type.String({
    description: 'Resource code: population.person, legal_entity.enterprise, credit.record',
  }),
  organisationId: Type.Union([Type.Integer(), Type.Null()], { description: 'The provider organisation' }),
  uploadedBy: Type.String({ description: 'Account id of the uploader' }),
  sha256: Type.String({ description: 'SHA-256 of the body as declared, lower-case hex' }),
  format: Type.Enum(BATCH_FORMATS),
  rowsTotal: Type.Integer({ description: 'Data rows read (the CSV header not counted)' }),
  rowsGood: Type.Integer({ description: 'Rows upserted' }),
  rowsBad: Type.Integer({ description: 'Rows refused; see /errors' }),
  // completed; rejected (checksum or header wrong: nothing changed); failed (nothing changed)
  status: Type.Enum(BATCH_STATUSES),
  failure: Type.Union([Type.String(), Type.Null()]),
  startedAt: Type.String({ format: 'date-time' }),
  finishedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});
const RowError = Type.Object({
  row: Type.Integer({ description: '1-based position among the data rows (the CSV header not counted)' }),
  field: Type.String({ description: 'The field at fault; * for a row that could not be read' }),
  rule: Type.String({
    description: 'required, type, enum, date, pattern, checkDigit, mismatch, reference ...',
  }),
  message: Type.String(),
  messageEn: Type.String(),
});
const page = <T extends Parameters<typeof Type.Array>[0]>(item: T) =>
  Type.Object({ items: Type.Array(item), total: Type.Integer(), page: Type.Integer(), size: Type.Integer() });

const view = (batch: Batch) => ({
  ...batch,
  startedAt: batch.startedAt.toISOString(),
  finishedAt: batch.finishedAt?.toISOString() ?? null,
});

function formatOf(request: FastifyRequest): BatchFormat {
  const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  const format = MEDIA_TYPES[type];
  if (!format) throw new AppError('unsupported_media_type', 'Send text/csv or application/x-ndjson');
  return format;
}

/**
 * Bulk exchange over HTTP: a provider uploads a batch of its resource's records and reads
 * back the outcome and the refused rows. The body streams into the service unparsed.
 */
export function batchRoutes(app: App, context: ModuleContext): void {
  const { db, auth } = context;
  const manage = auth.require('exchange.manage');

  app.register(async (plain) => {
    const scope = plain as unknown as App;
    // Here only, the body is handed over as the request stream (elsewhere CSV is buffered).
    for (const type of Object.keys(MEDIA_TYPES)) {
      if (scope.hasContentTypeParser(type)) scope.removeContentTypeParser(type);
    }
    scope.addContentTypeParser(Object.keys(MEDIA_TYPES), (_request, payload, done) => done(null, payload));
    scope.post(
      '/api/v1/exchange/batches',
      {
        preHandler: manage,
        schema: {
          tags,
          security,
          summary: 'Upload a batch of records of my resource (CSV or NDJSON); good rows are upserted',
          description:
            'The body is CSV with a header row of field names (text/csv) or one JSON object per line ' +
            '(application/x-ndjson), up to 1,000,000 rows, streamed. X-Content-SHA256 is the hex SHA-256 of ' +
            'the body: a body that does not match is 400 and changes nothing. Rows that break a rule ' +
            '(required fields, types, dates, enums, identifiers with check digits) are refused and listed at ' +
            '/api/v1/exchange/batches/{id}/errors; the others are upserted by key and published on the change ' +
            'feed. Only staff of the provider organisation (or system administrators) may upload. ' +
            'Fields: population.person idNumber, name, sex (M/F), birthDate, regionCode, phone; ' +
            'legal_entity.enterprise uscc, name, type, legalRepresentativeId, legalRepresentativeName, ' +
            'regionCode, registeredCapitalCny, establishedOn, status; credit.record recordKey, subjectKind, ' +
            'subjectKey, kind, title, authority, decidedOn, validUntil, details (a JSON object).',
          consumes: Object.keys(MEDIA_TYPES),
          querystring: Type.Object({ resource: ResourceCode }),
          headers: Type.Object({
            'x-content-sha256': Type.String({
              pattern: '^[0-9a-fA-F]{64}$',
              description: 'SHA-256 of the body, hex',
            }),
          }),
          response: { 201: BatchView },
        },
      },
      async (request, reply) => {
        const format = formatOf(request);
        const batch = await ingestBatch(db, {
          resource: request.query.resource,
          format,
          sha256: request.headers['x-content-sha256'],
          body: request.body as AsyncIterable<Buffer>,
          uploadedBy: request.principal!.sub,
          organisationIds: organisationScope(request.principal!),
        });
        return reply.code(201).send(view(batch));
      },
    );
  });

  app.get(
    '/api/v1/exchange/batches',
    {
      preHandler: manage,
      schema: {
        tags,
        security,
        summary: "Batches uploaded for my organisations' resources, newest first",
        querystring: Type.Object({ resource: Type.Optional(ResourceCode), ...Paging }),
        response: { 200: page(BatchView) },
      },
    },
    async (request) => {
      const { resource, page: pageNumber, size } = request.query;
      const batches = await listBatches(db, organisationScope(request.principal!), {
        resource,
        page: pageNumber,
        size,
      });
      return { ...batches, items: batches.items.map(view) };
    },
  );
  app.get(
    '/api/v1/exchange/batches/:id',
    {
      preHandler: manage,
      schema: {
        tags,
        security,
        summary: 'One batch and its counts',
        params: IdParams,
        response: { 200: BatchView },
      },
    },
    async (request) => view(await getBatch(db, organisationScope(request.principal!), request.params.id)),
  );
  app.get(
    '/api/v1/exchange/batches/:id/errors',
    {
      preHandler: manage,
      schema: {
        tags,
        security,
        summary: 'The refused rows of a batch with the rule each breaks, in row order',
        params: IdParams,
        querystring: Type.Object(Paging),
        response: { 200: page(RowError) },
      },
    },
    async (request) =>
      listBatchErrors(db, organisationScope(request.principal!), request.params.id, request.query),
  );
}
