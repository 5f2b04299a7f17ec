import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openPglite, openPostgres, type Database } from '../../src/kernel/db.ts';
import { migrate } from '../../src/kernel/migrate.ts';

export interface TestDatabase {
  db: Database;
  /** Closes the connection and drops the database (PostgreSQL) or frees it (PGlite). */
  drop(): Promise<void>;
}

/**
 * A fresh, migrated database for one test file: on the PostgreSQL server named by
 * DATABASE_URL (a new database created for the file and dropped after), otherwise an
 * in-memory PGlite. The same tests therefore run on both backends.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const url = process.env.DATABASE_URL;
  if (!url) {
    const db = await openPglite();
    await migrate(db);
    return { db, drop: () => db.close() };
  }
  const name = `tongban_t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const target = new URL(url);
  target.pathname = `/${name}`;
  const db = openPostgres(target.toString(), 5);
  await migrate(db);
  return {
    db,
    async drop() {
      await db.close();
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
    },
  };
}
