import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/db.ts';
import { copyRows, copyValue, encodeCopyRows, quoteIdentifier } from './copy.ts';

describe('COPY text encoding', () => {
  it('escapes the characters the text format gives meaning to', () => {
    expect(copyValue('a\tb\nc\rd\\e')).toBe('a\\tb\\nc\\rd\\\\e');
    expect(copyValue(null)).toBe('\\N');
    expect(copyValue('\\N')).toBe('\\\\N');
    expect(copyValue(true)).toBe('t');
    expect(copyValue(12.5)).toBe('12.5');
    expect(copyValue({ a: 'x' })).toBe('{"a":"x"}');
    expect(copyValue(new Date('2026-03-01T02:03:04.005Z'))).toBe('2026-03-01T02:03:04.005Z');
  });

  it('refuses what COPY cannot hold and rows of the wrong width', () => {
    expect(() => copyValue('a\0b')).toThrow(/NUL/);
    expect(() => copyValue(Number.NaN)).toThrow(TypeError);
    expect(() => encodeCopyRows([['a']], 2)).toThrow(/row 1 has 1 values for 2 columns/);
  });

  it('quotes plain identifiers and refuses anything else', () => {
    expect(quoteIdentifier('pg_temp.staging')).toBe('"pg_temp"."staging"');
    expect(() => quoteIdentifier('x; drop table y')).toThrow(TypeError);
    expect(() => quoteIdentifier('A')).toThrow(TypeError);
  });
});

describe('copyRows', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
    await t.db.exec(
      `create table copy_probe (id integer primary key, label text, born date, amount numeric, extra jsonb)`,
    );
  });
  afterAll(() => t.drop());

  it('loads rows with awkward text, nulls, dates, numbers and JSON exactly', async () => {
    const rows = [
      [1, 'tab\there, newline\nthere, back\\slash, 中文', '2026-02-28', 12.34, { k: ['v', 1] }],
      [2, null, null, null, null],
      [3, '\\N', '1900-01-01', 0, {}],
    ];
    expect(await copyRows(t.db, 'copy_probe', ['id', 'label', 'born', 'amount', 'extra'], rows)).toBe(3);
    const stored = await t.db.query(
      `select id, label, to_char(born, 'YYYY-MM-DD') as born, amount::text as amount, extra from copy_probe order by id`,
    );
    expect(stored).toEqual([
      { id: 1, label: rows[0]![1], born: '2026-02-28', amount: '12.34', extra: { k: ['v', 1] } },
      { id: 2, label: null, born: null, amount: null, extra: null },
      { id: 3, label: '\\N', born: '1900-01-01', amount: '0', extra: {} },
    ]);
  });

  it('loads a temporary table inside a transaction, and a failed COPY rolls the transaction back', async () => {
    const count = await t.db.transaction(async (tx) => {
      await tx.query(`create temp table copy_staging (id integer, label text) on commit drop`);
      await copyRows(
        tx,
        'copy_staging',
        ['id', 'label'],
        [
          [10, 'a'],
          [11, 'b'],
        ],
      );
      await tx.query(`insert into copy_probe (id, label) select id, label from copy_staging`);
      const [row] = await tx.query<{ n: number }>(`select count(*)::int as n from copy_staging`);
      return row!.n;
    });
    expect(count).toBe(2);
    await expect(
      t.db.transaction(async (tx) => {
        await tx.query(`insert into copy_probe (id, label) values (20, 'kept only if committed')`);
        await copyRows(tx, 'copy_probe', ['id', 'born'], [[21, 'not a date']]);
      }),
    ).rejects.toThrow();
    const [left] = await t.db.query<{ n: number }>(
      `select count(*)::int as n from copy_probe where id >= 20`,
    );
    expect(left!.n).toBe(0);
  });

  it('round-trips any text without NUL', async () => {
    await t.db.exec(`create table copy_text (id integer primary key, value text)`);
    const texts = fc.array(fc.string({ unit: 'grapheme', maxLength: 30 }), { maxLength: 20 });
    const anyChars = fc.array(fc.string({ unit: 'binary', maxLength: 30 }), { maxLength: 20 });
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.oneof(texts, anyChars), async (values) => {
        const clean = values.map((v) => v.replaceAll('\0', '').replace(/[\uD800-\uDFFF]/g, ''));
        const base = ++run * 1000;
        await copyRows(
          t.db,
          'copy_text',
          ['id', 'value'],
          clean.map((v, i) => [base + i, v]),
        );
        const stored = await t.db.query<{ value: string }>(
          `select value from copy_text where id >= $1 and id < $2 order by id`,
          [base, base + 1000],
        );
        expect(stored.map((r) => r.value)).toEqual(clean);
      }),
      { numRuns: 40 },
    );
  });
});
