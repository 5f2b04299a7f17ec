import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/helpers/db.ts';
import { checkApplicationNumber } from '../../kernel/identifiers/index.ts';
import { nextApplicationNumber } from './numbering.ts';

describe('application numbering', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(() => t.drop());

  it('numbers per region and China day, and a new day starts again at 1', async () => {
    // 23:30 UTC on Nov 21 is already Nov 22 in China.
    const late = new Date('2026-11-21T23:30:00Z');
    const first = await nextApplicationNumber(t.db, '329901000000', late);
    const second = await nextApplicationNumber(t.db, '329901', late);
    const other = await nextApplicationNumber(t.db, '329902', late);
    const nextDay = await nextApplicationNumber(t.db, '329901', new Date('2026-11-22T16:00:00Z'));
    expect([first, second, other, nextDay].map((n) => checkApplicationNumber(n))).toMatchObject([
      { ok: true, info: { regionCode: '329901', date: '2026-11-22', serial: 1 } },
      { ok: true, info: { regionCode: '329901', date: '2026-11-22', serial: 2 } },
      { ok: true, info: { regionCode: '329902', date: '2026-11-22', serial: 1 } },
      { ok: true, info: { regionCode: '329901', date: '2026-11-23', serial: 1 } },
    ]);
  });

  it('hands out distinct, gap-free serials to concurrent submissions', async () => {
    const at = new Date('2026-12-01T02:00:00Z');
    const numbers = await Promise.all(
      Array.from({ length: 40 }, () => nextApplicationNumber(t.db, '329903', at)),
    );
    const serials = numbers.map(
      (n) => (checkApplicationNumber(n) as { info: { serial: number } }).info.serial,
    );
    expect(serials.sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
  });

  it('gives the serial back when the submission rolls back', async () => {
    const at = new Date('2026-12-02T02:00:00Z');
    await expect(
      t.db.transaction(async (tx) => {
        await nextApplicationNumber(tx, '329904', at);
        throw new Error('submission failed');
      }),
    ).rejects.toThrow('submission failed');
    const number = await nextApplicationNumber(t.db, '329904', at);
    expect(checkApplicationNumber(number)).toMatchObject({ info: { serial: 1 } });
  });
});
