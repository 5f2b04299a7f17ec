import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  applicationNumber,
  checkApplicationNumber,
  generateApplicationNumber,
} from './application-number.ts';
import { createRng } from './check.ts';

describe('unified application numbers (统一申办编号)', () => {
  it('builds a number that reads back into its parts, with or without hyphens', () => {
    const number = applicationNumber('329901', '2026-11-22', 123);
    expect(number).toMatch(/^32990120261122000123[0-9X]$/);
    const info = {
      regionCode: '329901',
      date: '2026-11-22',
      serial: 123,
      formatted: `329901-20261122-000123-${number.at(-1)}`,
    };
    expect(checkApplicationNumber(number)).toEqual({ ok: true, value: number, info });
    expect(checkApplicationNumber(` ${info.formatted.toLowerCase()} `)).toEqual({
      ok: true,
      value: number,
      info,
    });
  });

  it.each([
    ['3299012026112200012', 'shape'],
    ['329901-20261122-000000-0', 'shape'],
    ['329901-20260230-000001-0', 'date'],
    ['329901-19991231-000001-0', 'date'],
  ])('rejects %j by the rule %s', (value, rule) => {
    expect(checkApplicationNumber(value)).toMatchObject({ ok: false, rule });
  });

  it('catches every single mistyped character and every swap of two different neighbours', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        fc.nat(20),
        fc.nat(35),
        (seed, position, shift) => {
          const number = generateApplicationNumber(createRng(seed));
          const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
          const original = number[position]!;
          const pool = position < 20 ? '0123456789' : alphabet;
          const replacement = pool[(pool.indexOf(original) + 1 + (shift % (pool.length - 1))) % pool.length]!;
          const typo = number.slice(0, position) + replacement + number.slice(position + 1);
          expect(checkApplicationNumber(typo).ok).toBe(false);
          if (position < 20 && number[position] !== number[position + 1]) {
            const swapped =
              number.slice(0, position) +
              number[position + 1] +
              number[position] +
              number.slice(position + 2);
            expect(checkApplicationNumber(swapped).ok).toBe(false);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('refuses to build a number from bad parts', () => {
    expect(() => applicationNumber('32990', '2026-11-22', 1)).toThrow(RangeError);
    expect(() => applicationNumber('329901', '2026-11-22', 1_000_000)).toThrow(RangeError);
    expect(() => applicationNumber('329901', '2026-02-30', 1)).toThrow(/date/);
  });
});
