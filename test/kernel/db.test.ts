import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

/** Both backends return the same JavaScript values, so no caller needs to know which one runs. */
describe('database type mapping', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(() => t.drop());

  it('maps bigint, bigint[], date and numeric alike on PGlite and PostgreSQL', async () => {
    const [row] = await t.db.query(
      `select 9007199254740991::bigint as big, array[1, null, 3]::bigint[] as bigs,
              date '2026-02-14' as day, 12.50::numeric(8, 2) as amount`,
    );
    expect(row).toEqual({ big: 9007199254740991, bigs: [1, null, 3], day: '2026-02-14', amount: '12.50' });
  });

  it('refuses a bigint beyond the safe integer range rather than rounding it', async () => {
    await expect(t.db.query('select 9007199254740993::bigint as big')).rejects.toThrow(/safe integer/);
  });
});
