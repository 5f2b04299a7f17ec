import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { brotliCompressSync, brotliDecompressSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/kernel/http.ts';
import { testConfig } from '../helpers/app.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

/** The server hands the built web app's page to browsers and leaves the API's 404s alone. */
describe('web app serving', () => {
  let database: TestDatabase;
  let app: App;
  beforeAll(async () => {
    const dist = mkdtempSync(path.join(tmpdir(), 'tongban-web-'));
    mkdirSync(path.join(dist, 'assets'));
    writeFileSync(path.join(dist, 'index.html'), '<!doctype html><title>通办</title><div id="root"></div>');
    writeFileSync(path.join(dist, 'assets', 'portal-abc123.js'), 'export default 1;');
    writeFileSync(path.join(dist, 'assets', 'portal-abc123.js.br'), brotliCompressSync('export default 1;'));
    database = await createTestDatabase();
    app = await buildApp({ config: testConfig({ WEB_DIST: dist }), db: database.db, modules: [] });
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    await database.drop();
  });

  const page = (url: string) => app.inject({ url, headers: { accept: 'text/html,application/xhtml+xml' } });

  it('serves the page at / and at any deep link a browser asks for, never cached', async () => {
    for (const url of ['/', '/items/000000-1?x=1', '/workbench/cases/42', '/console']) {
      const res = await page(url);
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.body).toContain('<div id="root">');
      expect(res.headers['content-security-policy']).toContain("script-src 'self';");
      expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(res.headers['x-content-type-options']).toBe('nosniff');
    }
  });

  it('serves hashed assets for a year', async () => {
    const res = await app.inject('/assets/portal-abc123.js');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/javascript/);
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect((await app.inject('/assets/missing.js')).statusCode).toBe(404);
  });

  it('sends the brotli copy the build made to browsers that accept it', async () => {
    const res = await app.inject({
      url: '/assets/portal-abc123.js',
      headers: { 'accept-encoding': 'gzip, br' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-encoding']).toBe('br');
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(brotliDecompressSync(res.rawPayload).toString()).toBe('export default 1;');
  });

  it('keeps problem+json for API paths, server pages and non-page requests', async () => {
    for (const url of ['/api/v1/nope', '/verify/licenses/nope/x', '/oidc/nope']) {
      const res = await page(url);
      expect(res.statusCode, url).toBe(404);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
    const json = await app.inject({ url: '/items/1', headers: { accept: 'application/json' } });
    expect(json.statusCode).toBe(404);
    expect(json.headers['content-type']).toMatch(/^application\/problem\+json/);
    const post = await app.inject({ method: 'POST', url: '/items/1', headers: { accept: 'text/html' } });
    expect(post.statusCode).toBe(404);
  });
});
