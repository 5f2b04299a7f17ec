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

export const testConfig = () =>
  loadConfig({
    NODE_ENV: 'test',
    SESSION_SECRET: 'test-secret-test-secret-test-secret-1234',
    DATA_DIR: '/tmp/tongban-test',
  });

/** The whole platform on a fresh database, driven with app.inject (no port). */
export async function createTestApp(): Promise<TestApp> {
  const config = testConfig();
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
