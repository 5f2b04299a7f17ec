import { loadConfig, type Config } from './kernel/config.ts';
import { openDatabase, type Database } from './kernel/db.ts';
import { migrate } from './kernel/migrate.ts';
import { buildApp, type App } from './kernel/http.ts';
import { modules } from './modules/index.ts';

/** Composition root: config -> database -> migrations -> modules -> HTTP app. */
export async function openPlatformDatabase(config: Config): Promise<Database> {
  const db = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    poolSize: config.dbPoolSize,
  });
  await migrate(db);
  return db;
}

export async function createApp(config: Config, db: Database): Promise<App> {
  return buildApp({ config, db, modules });
}

export interface Running {
  app: App;
  db: Database;
  url: string;
  stop(): Promise<void>;
}

/** Starts the server; SIGTERM/SIGINT let in-flight requests finish, then close the database. */
export async function start(
  config = loadConfig(),
  onReady?: (db: Database) => Promise<void>,
): Promise<Running> {
  const db = await openPlatformDatabase(config);
  if (onReady) await onReady(db);
  const app = await createApp(config, db);
  await app.listen({ port: config.port, host: config.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const shownHost = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      app.log.info('shutting down: waiting for in-flight requests');
      await app.close();
      await db.close();
    })());
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      void stop().then(
        () => process.exit(0),
        (error: unknown) => {
          app.log.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
    });
  }
  return { app, db, url: `http://${shownHost}:${port}`, stop };
}
