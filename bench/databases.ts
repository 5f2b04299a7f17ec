import pg from 'pg';

/**
 * A benchmark case's own database on the PostgreSQL server: dropped (connections forced
 * out) and, with `create`, made anew; dropped again when the case ends.
 */
export async function recreateDatabase(
  server: string,
  name: string,
  { create }: { create: boolean },
): Promise<void> {
  const admin = new pg.Client({ connectionString: `${server}/postgres` });
  await admin.connect();
  try {
    await admin.query(`drop database if exists ${name} with (force)`);
    if (create) await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
}
