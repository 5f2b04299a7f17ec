import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.ts';

interface Operation {
  parameters?: { name: string; in: string }[];
}

/**
 * Every read route of the OpenAPI document, called with arbitrary path and query
 * values, by an anonymous caller and by one holding every role: 2xx or 4xx, never 5xx.
 */
describe('bad input never reaches a server error', () => {
  let t: TestApp;
  let admin: string;
  beforeAll(async () => {
    t = await createTestApp();
    admin = await t.bearer('catalog_admin', 'system_admin', 'window_clerk');
  });
  afterAll(() => t.drop());

  it('holds for every GET route', async () => {
    const doc = (await t.app.inject('/api/docs/openapi.json')).json() as {
      paths: Record<string, { get?: Operation; post?: Operation; put?: Operation; delete?: Operation }>;
    };
    const routes = Object.entries(doc.paths).filter(([, item]) => item.get);
    expect(routes.length).toBeGreaterThan(15);
    const value = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.constantFrom(
        '',
        '0',
        '-1',
        '1e309',
        '2026-02-30',
        '329900',
        '11010519491231002X',
        "'; drop table x; --",
      ),
    );
    for (const [template, item] of routes) {
      const params = item.get!.parameters ?? [];
      await fc.assert(
        fc.asyncProperty(
          fc.array(value, { minLength: params.length, maxLength: params.length }),
          fc.boolean(),
          async (values, asAdmin) => {
            let url = template;
            const query = new URLSearchParams();
            params.forEach((p, i) => {
              if (p.in === 'path') url = url.replace(`{${p.name}}`, encodeURIComponent(values[i]!) || 'x');
              else if (p.in === 'query') query.set(p.name, values[i]!);
            });
            const res = await t.app.inject({
              url: `${url}${query.size ? `?${query}` : ''}`,
              headers: asAdmin ? { authorization: admin } : {},
            });
            expect(res.statusCode, `${url}?${query} -> ${res.body.slice(0, 200)}`).toBeLessThan(500);
          },
        ),
        { numRuns: 25 },
      );
    }
  }, 120_000);

  it('holds for every write route with arbitrary JSON bodies', async () => {
    const doc = (await t.app.inject('/api/docs/openapi.json')).json() as {
      paths: Record<string, Partial<Record<'post' | 'put' | 'delete', Operation>>>;
    };
    const writes = Object.entries(doc.paths).flatMap(([template, item]) =>
      (['post', 'put', 'delete'] as const).filter((m) => item[m]).map((m) => [template, m] as const),
    );
    expect(writes.length).toBeGreaterThan(8);
    for (const [template, method] of writes) {
      await fc.assert(
        fc.asyncProperty(
          fc.jsonValue({ maxDepth: 3 }),
          fc.string({ maxLength: 20 }),
          async (body, segment) => {
            const url = template.replace(/\{[^}]+\}/g, () => encodeURIComponent(segment) || 'x');
            const res = await t.app.inject({
              method: method.toUpperCase() as 'POST',
              url,
              headers: { authorization: admin, 'content-type': 'application/json' },
              payload: JSON.stringify(body),
            });
            expect(
              res.statusCode,
              `${method} ${url} ${JSON.stringify(body).slice(0, 100)} -> ${res.body.slice(0, 200)}`,
            ).toBeLessThan(500);
          },
        ),
        { numRuns: 20 },
      );
    }
  }, 120_000);
});
