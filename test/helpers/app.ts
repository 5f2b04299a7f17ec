import { loadConfig } from '../../src/kernel/config.ts';
import type { App } from '../../src/kernel/http.ts';
import { createApp } from '../../src/main.ts';
import { createTestDatabase, type TestDatabase } from './db.ts';
import { bearerFor, type TestRole } from './identity.ts';

export interface TestApp extends TestDatabase {
  app: App;
  /** Authorization header for a new caller with the roles (see helpers/identity.ts). */
  bearer(...roles: TestRole[]): Promise<string>;
}

export const testConfig = (env: Record<string, string> = {}) =>
  loadConfig({
    NODE_ENV: 'test',
    SESSION_SECRET: 'test-secret-test-secret-test-secret-1234',
    DATA_DIR: '/tmp/tongban-test',
    ...env,
  });

/** The whole platform on a fresh database, driven with app.inject (no port); `env` adds configuration. */
export async function createTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const config = testConfig(env);
  const database = await createTestDatabase();
  const app = await createApp(config, database.db);
  await app.ready();
  return {
    ...database,
    app,
    bearer: (...roles) => bearerFor(app, database.db, ...roles),
    async drop() {
      await app.close();
      await database.drop();
    },
  };
}
