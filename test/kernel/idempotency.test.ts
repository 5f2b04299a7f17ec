import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Type } from 'typebox';
import { buildApp, type App } from '../../src/kernel/http.ts';
import { testConfig } from '../helpers/app.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { identityModule } from '../../src/modules/identity/index.ts';
import { personSession } from '../helpers/identity.ts';

describe('Idempotency-Key', () => {
  let database: TestDatabase;
  let app: App;
  let calls = 0;
  let failNext = false;
  const callers = new Map<string, string>();
  const bearer = async (name: string) => {
    if (!callers.has(name)) callers.set(name, (await personSession(app, database.db)).authorization);
    return callers.get(name)!;
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    app = await buildApp({
      config: testConfig(),
      db: database.db,
      logger: false,
      modules: [
        identityModule,
        {
          name: 'counter',
          routes(app) {
            app.post(
              '/api/v1/counter',
              { schema: { body: Type.Object({ by: Type.Integer() }) } },
              async (request, reply) => {
                if (failNext) {
                  failNext = false;
                  throw new Error('boom');
                }
                calls += request.body.by;
                reply.code(201);
                return { calls };
              },
            );
          },
        },
      ],
    });
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    await database.drop();
  });

  const post = async (key: string | undefined, by: number, authorization?: string) =>
    app.inject({
      method: 'POST',
      url: '/api/v1/counter',
      payload: { by },
      headers: {
        ...(key !== undefined && { 'idempotency-key': key }),
        ...(authorization && { authorization }),
      },
    });

  it('replays the first response to a retry instead of acting twice', async () => {
    const first = await post('k-1', 1);
    const retry = await post('k-1', 1);
    expect(first.statusCode).toBe(201);
    expect(retry.statusCode).toBe(201);
    expect(retry.json()).toEqual(first.json());
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(calls).toBe(1);
    await post(undefined, 1);
    expect(calls).toBe(2);
  });

  it('refuses a key reused for a different request', async () => {
    await post('k-2', 1);
    const reused = await post('k-2', 5);
    expect(reused.statusCode).toBe(422);
    expect(reused.headers['content-type']).toMatch(/problem\+json/);
  });

  it('scopes keys to the caller', async () => {
    const before = calls;
    await post('shared', 1, await bearer('alice'));
    await post('shared', 1, await bearer('bob'));
    expect(calls).toBe(before + 2);
  });

  it('does not keep a server failure, so the retry really runs', async () => {
    failNext = true;
    expect((await post('k-3', 1)).statusCode).toBe(500);
    const before = calls;
    expect((await post('k-3', 1)).statusCode).toBe(201);
    expect(calls).toBe(before + 1);
  });

  it('rejects a malformed key', async () => {
    const res = await post('x'.repeat(201), 1);
    expect(res.statusCode).toBe(400);
  });
});
