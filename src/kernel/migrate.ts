import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Database } from './db.ts';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations', import.meta.url));

export interface Migration {
  version: string;
  file: string;
}

export function listMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((f) => ({ version: f.replace(/\.sql$/, ''), file: path.join(dir, f) }));
}

/**
 * Applies the plain-SQL migrations not yet applied, each in its own transaction, in
 * file-name order. An advisory lock keeps several starting processes from racing.
 * Returns the versions applied now.
 */
export async function migrate(db: Database, dir = MIGRATIONS_DIR): Promise<string[]> {
  await db.exec(`
    create table if not exists schema_migration (
      version text primary key,
      applied_at timestamptz not null default now()
    );
    comment on table schema_migration is 'Plain-SQL migrations applied to this database (kernel/migrate.ts).';
  `);
  const applied: string[] = [];
  for (const migration of listMigrations(dir)) {
    const done = await db.transaction(async (tx) => {
      await tx.query('select pg_advisory_xact_lock(727100)');
      const rows = await tx.query('select 1 from schema_migration where version = $1', [migration.version]);
      if (rows.length > 0) return false;
      await tx.exec(readFileSync(migration.file, 'utf8'));
      await tx.query('insert into schema_migration (version) values ($1)', [migration.version]);
      return true;
    });
    if (done) applied.push(migration.version);
  }
  return applied;
}
