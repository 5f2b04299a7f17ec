import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * `npm start` as a person runs it: a fresh data folder, the embedded database, the demo
 * city seeded on first start, the URL printed; SIGTERM stops it cleanly.
 */
describe('tongban start', () => {
  let child: ChildProcess | undefined;
  afterAll(() => {
    child?.kill('SIGKILL');
  });

  it('serves the seeded platform on the embedded database and stops on SIGTERM', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'tongban-start-'));
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATA_DIR: dataDir,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      NODE_ENV: 'development',
    };
    delete env.DATABASE_URL;
    child = spawn(process.execPath, ['bin/tongban.js', 'start'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      child!.stdout!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const match = /running at (http:\/\/\S+)/.exec(output);
        if (match) resolve(match[1]!);
      });
      child!.once('exit', (code) => reject(new Error(`exited with ${code}: ${output}`)));
    });
    expect(output).toMatch(/First start: building the demo city/);

    const ready = await fetch(`${url}/api/v1/ready`);
    expect(await ready.json()).toEqual({ status: 'ready', database: 'pglite' });
    const search = await fetch(`${url}/api/v1/catalog/search?q=${encodeURIComponent('我要结婚')}`);
    const found = (await search.json()) as { items: { name: string }[] };
    expect(found.items[0]!.name).toBe('内地居民结婚登记');

    // The printed demo accounts sign in (output arrives after the URL line).
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(output).toMatch(/Demo accounts \(password Tongban@2026\)/);
    const login = await fetch(`${url}/api/v1/identity/login/password`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: 'Tongban@2026', client: 'api' }),
    });
    expect(login.status).toBe(200);
    expect(await login.json()).toMatchObject({ kind: 'staff' });

    const exit = new Promise<number | null>((resolve) => child!.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
  }, 120_000);
});
