import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/helpers/db.ts';
import { loadConfig } from '../config.ts';
import { buildApp, type App } from '../http.ts';
import { acceptUpload, LocalDiskStorage, MEDIA_TYPES, readUpload, registerUploadParser } from './index.ts';
import { jpeg, lazyStream, pdf, png } from './test-samples.ts';

const MAX_BYTES = 64 * 1024;
const disposition = (name: string) => `attachment; filename*=UTF-8''${encodeURIComponent(name)}`;

let database: TestDatabase;
let root: string;
let app: App;

beforeAll(async () => {
  database = await createTestDatabase();
  root = mkdtempSync(path.join(tmpdir(), 'tongban-upload-http-'));
  const storage = new LocalDiskStorage(root);
  const config = loadConfig({
    NODE_ENV: 'test',
    SESSION_SECRET: 'test-secret-test-secret-test-secret-1234',
    DATA_DIR: root,
  });
  app = await buildApp({
    config,
    db: database.db,
    logger: false,
    modules: [
      {
        name: 'upload-test',
        async routes(root) {
          // Like the catalog module: a buffer parser for octet-stream on the root instance.
          root.addContentTypeParser(
            'application/octet-stream',
            { parseAs: 'buffer' },
            (_request, body, done) => done(null, body),
          );
          root.post('/api/v1/test/buffer', async (request) => ({ isBuffer: Buffer.isBuffer(request.body) }));
          await root.register(async (scope) => {
            registerUploadParser(scope, { bodyLimit: MAX_BYTES });
            scope.post('/api/v1/test/uploads', async (request, reply) => {
              const upload = await acceptUpload(
                { db: database.db, storage },
                {
                  ...readUpload(request),
                  limits: { maxBytes: MAX_BYTES, allowed: [MEDIA_TYPES.pdf, MEDIA_TYPES.png] },
                  uploadedBy: 'account-http',
                },
              );
              return reply.code(201).send(upload);
            });
          });
        },
      },
    ],
  });
  await app.ready();
});
afterAll(async () => {
  await app.close();
  await database.drop();
  rmSync(root, { recursive: true, force: true });
});

const upload = (payload: Buffer | Readable, headers: Record<string, string>) =>
  app.inject({ method: 'POST', url: '/api/v1/test/uploads', payload, headers });

const blobs = () =>
  readdirSync(root, { recursive: true, withFileTypes: true }).filter(
    (entry) => entry.isFile() && /^[0-9a-f]{64}$/.test(entry.name),
  );

describe('raw uploads through Fastify', () => {
  it('accepts a file, and stores identical content once', async () => {
    const data = pdf('http');
    const first = await upload(data, {
      'content-type': 'application/pdf',
      'content-disposition': disposition('营业执照.pdf'),
    });
    expect(first.statusCode).toBe(201);
    expect(first.json()).toMatchObject({
      filename: '营业执照.pdf',
      mediaType: MEDIA_TYPES.pdf,
      size: data.length,
      uploadedBy: 'account-http',
      firstSeen: true,
    });
    const second = await upload(data, {
      'content-type': 'application/octet-stream',
      'content-disposition': disposition('copy.pdf'),
    });
    expect(second.statusCode).toBe(201);
    expect(second.json()).toMatchObject({
      sha256: first.json().sha256,
      firstSeen: false,
      filename: 'copy.pdf',
    });
    expect(second.json().id).not.toBe(first.json().id);
    expect(blobs()).toHaveLength(1);
  });

  it('takes image/* bodies', async () => {
    const response = await upload(png(), {
      'content-type': 'image/png',
      'content-disposition': disposition('a.png'),
    });
    expect(response.statusCode).toBe(201);
    expect(response.json().mediaType).toBe(MEDIA_TYPES.png);
  });

  it('refuses content that is not what its name says', async () => {
    const response = await upload(png(), {
      'content-type': 'application/octet-stream',
      'content-disposition': disposition('licence.pdf'),
    });
    expect(response.statusCode).toBe(422);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json().errors).toEqual([
      expect.objectContaining({ field: 'file', rule: 'contentMismatch' }),
    ]);
  });

  it('refuses a type not allowed on the route', async () => {
    const response = await upload(jpeg(), {
      'content-type': 'image/jpeg',
      'content-disposition': disposition('a.jpg'),
    });
    expect(response.statusCode).toBe(415);
    expect(response.json().errors).toEqual([expect.objectContaining({ field: 'file', rule: 'type' })]);
  });

  it('refuses an announced oversize body before reading it', async () => {
    const response = await upload(Buffer.concat([pdf(), Buffer.alloc(MAX_BYTES)]), {
      'content-type': 'application/pdf',
      'content-disposition': disposition('big.pdf'),
    });
    expect(response.statusCode).toBe(413);
    expect(response.json()).toMatchObject({
      code: 'payload_too_large',
      errors: [expect.objectContaining({ field: 'file', rule: 'maxBytes' })],
    });
  });

  it('stops a streamed oversize body at the limit', async () => {
    const { stream, counter } = lazyStream(50 * MAX_BYTES, 8 * 1024, pdf());
    const before = blobs().length;
    const response = await upload(stream, {
      'content-type': 'application/pdf',
      'content-disposition': disposition('stream.pdf'),
    });
    expect(response.statusCode).toBe(413);
    expect(response.json().errors[0].rule).toBe('maxBytes');
    expect(counter.produced).toBeLessThan(10 * MAX_BYTES);
    expect(blobs()).toHaveLength(before);
    stream.destroy();
  });

  it('asks for a file name, and refuses other body types', async () => {
    const unnamed = await upload(pdf(), { 'content-type': 'application/pdf' });
    expect(unnamed.statusCode).toBe(400);
    expect(unnamed.json().errors).toEqual([expect.objectContaining({ field: 'filename', rule: 'required' })]);
    const html = await upload(Buffer.from('<html></html>'), {
      'content-type': 'text/html',
      'content-disposition': disposition('a.html'),
    });
    expect(html.statusCode).toBe(415);
  });

  it('leaves the inherited buffer parser alone outside its scope', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/test/buffer',
      payload: Buffer.from('x'),
      headers: { 'content-type': 'application/octet-stream' },
    });
    expect(response.json()).toEqual({ isBuffer: true });
  });

  it('replays a retried upload with the same Idempotency-Key over a real connection', async () => {
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    const send = () =>
      fetch(`${address}/api/v1/test/uploads`, {
        method: 'POST',
        body: pdf(),
        headers: {
          'content-type': 'application/pdf',
          'content-disposition': disposition('retry.pdf'),
          'idempotency-key': 'upload-retry-1',
        },
      });
    const first = await send();
    const retry = await send();
    expect(first.status).toBe(201);
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    const [firstBody, retryBody] = [await first.json(), await retry.json()];
    expect(retryBody).toEqual(firstBody);
    const rows = await database.db.query("select 1 from file_upload where filename = 'retry.pdf'");
    expect(rows).toHaveLength(1);
  });
});
