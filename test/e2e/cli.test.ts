import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/kernel/config.ts';
import type { Database } from '../../src/kernel/db.ts';
import type { App } from '../../src/kernel/http.ts';
import { createApp, openPlatformDatabase } from '../../src/main.ts';
import { sequenceAccesses } from '../../src/modules/exchange/index.ts';

const run = promisify(execFile);

/** The operator's command line, on a fresh embedded database. */
describe('tongban CLI', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tongban-cli-'));
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: path.join(dir, 'data'), LOG_LEVEL: 'warn' };
  delete env.DATABASE_URL;
  const tongban = (...args: string[]) => run(process.execPath, ['bin/tongban.js', ...args], { env });

  it('imports a catalog, reports the bad rows with exit code 1, and exports what it imported', async () => {
    const file = path.join(dir, 'items.csv');
    const [header, first, second] = readFileSync('src/seed/items.csv', 'utf8').split('\n');
    writeFileSync(file, [header, first, second!.replace(',07,', ',99,')].join('\n'));
    const failed = await tongban('catalog', 'import', file, '--publish').then(
      () => undefined,
      (error: { code: number; stdout: string }) => error,
    );
    expect(failed?.code).toBe(1);
    const report = JSON.parse(failed!.stdout);
    expect(report).toMatchObject({
      rows: 2,
      created: 1,
      errors: [{ row: 3, column: 'type_code', rule: 'enum' }],
    });

    const out = path.join(dir, 'catalog.xlsx');
    await tongban('catalog', 'export', out);
    const again = await tongban('catalog', 'import', out, '--publish');
    expect(JSON.parse(again.stdout)).toMatchObject({ rows: 1, created: 0, unchanged: 1, errors: [] });
    expect((await tongban('catalog', 'reindex')).stdout).toMatch(/Reindexed 1 items/);
  }, 60_000);

  it('creates a staff account only with a strong password and a known department', async () => {
    const args = ['staff', 'create', '--username', 'root', '--name', '管理员', '--role', 'system_admin'];
    const withPassword = (password: string) =>
      run(
        process.execPath,
        ['bin/tongban.js', ...args, '--organisation', '999', '--region', '329900000000'],
        {
          env: { ...env, TONGBAN_PASSWORD: password },
        },
      ).then(
        () => undefined,
        (error: { code: number; stderr: string }) => error,
      );
    const weak = await withPassword('short');
    expect(weak?.code).toBe(1);
    expect(weak?.stderr).toMatch(/TONGBAN_PASSWORD/);
    const unknown = await withPassword('Strong#Pass2026');
    expect(unknown?.code).toBe(1);
    expect(unknown?.stderr).toMatch(/organisationId/);
    expect((await tongban('keys', 'rotate')).stdout).toMatch(/0 encrypted fields rewritten/);
    expect(JSON.parse((await tongban('audit', 'verify', '--prefix', 'case:')).stdout)).toEqual({
      chains: 0,
      entries: 0,
      broken: [],
    });
    const all = JSON.parse((await tongban('audit', 'verify')).stdout);
    expect(all).toMatchObject({ broken: [], licenceLog: null, exchangeLog: null });
  }, 60_000);

  it('audit verify finds a data-access row edited after it was sealed (exit code 1)', async () => {
    const config = loadConfig({ ...env, NODE_ENV: 'test' } as Record<string, string>);
    const withApp = async (work: (app: App, db: Database) => Promise<void>) => {
      const db = await openPlatformDatabase(config);
      const app = await createApp(config, db);
      await app.ready();
      try {
        await work(app, db);
      } finally {
        await app.close();
        await db.close();
      }
    };
    await withApp(async (app, db) => {
      await db.query(
        `insert into exchange_access (consumer_id, consumer_name, resource_code, operation, purpose, outcome)
         values (gen_random_uuid(), '测试应用', 'population.person', 'lookup', '核验', 'allowed'),
                (gen_random_uuid(), '测试应用', 'population.person', 'lookup', '核验', 'denied')`,
      );
      expect(await sequenceAccesses(app.exchange)).toBe(2);
      await app.exchange.log.checkpoint(db);
    });
    const clean = JSON.parse((await tongban('audit', 'verify')).stdout);
    expect(clean.exchangeLog).toMatchObject({ ok: true, size: 2, problems: [] });

    await withApp(async (_app, db) => {
      await db.query(`update exchange_access set purpose = '篡改' where outcome = 'denied'`);
    });
    const broken = await tongban('audit', 'verify').then(
      () => undefined,
      (error: { code: number; stdout: string }) => error,
    );
    expect(broken?.code).toBe(1);
    expect(JSON.parse(broken!.stdout).exchangeLog.problems.join('\n')).toMatch(
      /does not match its sealed entry/,
    );
  }, 60_000);
});
