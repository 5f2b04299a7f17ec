import { describe, expect, it } from 'vitest';
import { buildApp } from '../../src/kernel/http.ts';
import { testConfig } from '../helpers/app.ts';
import { createTestDatabase } from '../helpers/db.ts';

describe('graceful shutdown', () => {
  it('lets an in-flight request finish and refuses new connections after close', async () => {
    const database = await createTestDatabase();
    let release!: () => void;
    const started = new Promise<void>((resolve) => {
      release = resolve;
    });
    let finishRequest!: () => void;
    const app = await buildApp({
      config: testConfig(),
      db: database.db,
      logger: false,
      modules: [
        {
          name: 'slow',
          routes(app) {
            app.get('/api/v1/slow', async () => {
              release();
              await new Promise<void>((resolve) => (finishRequest = resolve));
              return { done: true };
            });
          },
        },
      ],
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as { port: number };
    const inFlight = fetch(`http://127.0.0.1:${port}/api/v1/slow`);
    await started;
    const closing = app.close();
    finishRequest();
    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ done: true });
    await closing;
    await expect(fetch(`http://127.0.0.1:${port}/api/v1/health`)).rejects.toThrow();
    await database.drop();
  });
});
