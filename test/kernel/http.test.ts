import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redactUrl } from '../../src/kernel/http.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';

describe('kernel HTTP', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.drop());

  it('answers health and readiness, naming the database backend', async () => {
    const health = await t.app.inject('/api/v1/health');
    expect(health.statusCode).toBe(200);
    expect(health.json()).toEqual({ status: 'ok' });
    const ready = await t.app.inject('/api/v1/ready');
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ready', database: t.db.kind });
  });

  it('renders unknown routes as problem+json with a request id', async () => {
    const res = await t.app.inject({ url: '/api/v1/nope', headers: { 'x-request-id': 'abc-123' } });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.headers['x-request-id']).toBe('abc-123');
    expect(res.json()).toMatchObject({
      code: 'not_found',
      status: 404,
      title: '未找到所请求的资源',
      requestId: 'abc-123',
    });
  });

  it('masks ID and phone numbers of the URL in problem documents', async () => {
    const res = await t.app.inject('/api/v1/nope/11010519491231002X?phone=13812345678');
    expect(res.statusCode).toBe(404);
    const body = res.json();
    expect(body.instance).toBe('/api/v1/nope/1101**********002X?phone=138****5678');
    expect(JSON.stringify(body)).not.toMatch(/11010519491231002X|13812345678/);
    expect(redactUrl('/x/123456789012345678901')).toBe('/x/123456789012345678901');
  });

  it('replaces a malformed request id with a generated one', async () => {
    const res = await t.app.inject({
      url: '/api/v1/health',
      headers: { 'x-request-id': 'bad id with spaces' },
    });
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('serves the OpenAPI document and its browsable UI', async () => {
    const doc = await t.app.inject('/api/docs/openapi.json');
    expect(doc.statusCode).toBe(200);
    expect(doc.json().openapi).toMatch(/^3\./);
    expect(Object.keys(doc.json().paths)).toContain('/api/v1/health');
    const ui = await t.app.inject('/api/docs/');
    expect(ui.statusCode).toBe(200);
    expect(ui.headers['content-type']).toMatch(/html/);
  });

  it('exposes Prometheus metrics including request durations', async () => {
    await t.app.inject('/api/v1/health');
    const res = await t.app.inject('/metrics');
    expect(res.statusCode).toBe(200);
    expect(res.body).toMatch(
      /http_request_duration_seconds_count\{method="GET",route="\/api\/v1\/health",status="200"\} \d+/,
    );
  });

  it('refuses a number too large to be finite instead of passing it on', async () => {
    const res = await t.app.inject('/api/v1/catalog/suggest?q=a&limit=1e309');
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual([expect.objectContaining({ field: 'limit', rule: 'type' })]);
  });
});
