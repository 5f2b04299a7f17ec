import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

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
});
