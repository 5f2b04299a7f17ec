import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Database } from './db.ts';
import { AppError } from './errors.ts';

/**
 * Idempotency-Key (IETF draft-ietf-httpapi-idempotency-key-header): a client that
 * retries a POST/PUT/PATCH/DELETE with the same key gets the first response again
 * instead of a second effect. Keys are scoped per caller and kept for 24 hours; the
 * record lives in the database, so a retry may land on any server process.
 */
const KEY = /^[\x21-\x7e]{1,200}$/;
const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const RETENTION = "interval '24 hours'";

declare module 'fastify' {
  interface FastifyRequest {
    idempotency?: { key: string; principal: string };
  }
}

/** How often a process purges expired keys; the purge is idempotent, so processes may overlap. */
const PURGE_EVERY_MS = 60_000;

export function registerIdempotency(app: FastifyInstance, db: Database): void {
  let lastPurge = 0;
  // Authentication ran in onRequest, so keys are scoped to the caller here.
  app.addHook('preHandler', async (request, reply) => {
    const key = request.headers['idempotency-key'];
    if (!MUTATING.has(request.method) || key === undefined) return;
    if (typeof key !== 'string' || !KEY.test(key)) {
      throw new AppError('bad_request', 'Idempotency-Key must be 1 to 200 visible ASCII characters');
    }
    const principal = request.principal?.sub ?? 'anonymous';
    const hash = requestHash(request);
    if (Date.now() - lastPurge > PURGE_EVERY_MS) {
      lastPurge = Date.now();
      await db.query(`delete from idempotency_key where created_at < now() - ${RETENTION}`);
    }
    const inserted = await db.query(
      `insert into idempotency_key (key, principal, method, path, request_hash) values ($1, $2, $3, $4, $5)
       on conflict do nothing returning key`,
      [key, principal, request.method, request.url, hash],
    );
    if (inserted.length > 0) {
      request.idempotency = { key, principal };
      return;
    }
    const [stored] = await db.query<{
      request_hash: string;
      status_code: number | null;
      response_body: string;
      content_type: string;
    }>(
      'select request_hash, status_code, response_body, content_type from idempotency_key where principal = $1 and key = $2',
      [principal, key],
    );
    if (!stored) return;
    if (stored.request_hash !== hash) {
      throw new AppError('unprocessable', 'This Idempotency-Key was used for a different request');
    }
    if (stored.status_code === null)
      throw new AppError('conflict', 'A request with this Idempotency-Key is still being processed');
    return replay(reply, stored.status_code, stored.content_type, stored.response_body);
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const record = request.idempotency;
    if (!record) return payload;
    if (reply.statusCode >= 500) {
      // A failure is not an answer: let the client retry for real.
      await db.query('delete from idempotency_key where principal = $1 and key = $2', [
        record.principal,
        record.key,
      ]);
    } else {
      await db.query(
        'update idempotency_key set status_code = $3, response_body = $4, content_type = $5 where principal = $1 and key = $2',
        [
          record.principal,
          record.key,
          reply.statusCode,
          String(payload ?? ''),
          String(reply.getHeader('content-type') ?? ''),
        ],
      );
    }
    return payload;
  });
}

function replay(reply: FastifyReply, status: number, contentType: string, body: string): FastifyReply {
  return reply.code(status).header('idempotent-replayed', 'true').type(contentType).send(body);
}

/**
 * What makes two requests "the same". An upload's body is a stream not read yet, so its
 * headers (length, type, file name) stand for it.
 */
function requestHash(request: FastifyRequest): string {
  const hash = createHash('sha256').update(`${request.method} ${request.url}\n`);
  if (request.body instanceof Readable) {
    const {
      'content-length': length,
      'content-type': type,
      'content-disposition': disposition,
    } = request.headers;
    return hash.update(JSON.stringify([length, type, disposition])).digest('hex');
  }
  const body = Buffer.isBuffer(request.body) ? request.body : JSON.stringify(request.body ?? null);
  return hash.update(body).digest('hex');
}
