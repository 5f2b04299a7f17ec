import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SCHEMA_FILE, openApiDocument, schemaTypes } from '../../scripts/openapi.ts';

/** The web client's API types are the routes' schemas: a route change without `npm run gen:api` fails here. */
describe('web API types', () => {
  it('match the OpenAPI document the routes generate (run `npm run gen:api` after changing a route)', async () => {
    const generated = await schemaTypes(await openApiDocument());
    expect(generated === readFileSync(SCHEMA_FILE, 'utf8')).toBe(true);
  });
});
