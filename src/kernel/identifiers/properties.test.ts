import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRng } from './check.ts';
import { checkLicenceId, generateLicenceId } from './licence-id.ts';
import { checkOrgCode, generateOrgCode, USCC_ALPHABET } from './org-code.ts';
import { checkRegionCode, generateRegionCode } from './region-code.ts';
import { checkResidentId, generateResidentId, SEXES } from './resident-id.ts';
import { checkUscc, generateUscc } from './uscc.ts';

const DIGITS = '0123456789';
const ALPHANUMERIC = `${DIGITS}ABCDEFGHIJKLMNOPQRSTUVWXYZ`;

/** Every string that differs from `value` in exactly one character taken from `alphabet`. */
function* substitutions(value: string, alphabet: string) {
  for (let position = 0; position < value.length; position++) {
    for (const char of alphabet) {
      if (char !== value[position]) {
        yield {
          position,
          from: value[position]!,
          to: char,
          changed: value.slice(0, position) + char + value.slice(position + 1),
        };
      }
    }
  }
}

/** The single substitutions of `value` that `check` accepts. */
const undetected = (value: string, alphabet: string, check: (value: string) => { ok: boolean }) =>
  [...substitutions(value, alphabet)].map((s) => s.changed).filter((changed) => check(changed).ok);

const seed = fc.integer({ min: 0, max: 2 ** 32 - 1 });

describe('generated identifiers validate and every single substitution is caught', () => {
  it('resident ID numbers', () => {
    const options = fc.record({
      birthDate: fc.date({ min: new Date('1900-01-01'), max: new Date('2024-12-31'), noInvalidDate: true }),
      sex: fc.constantFrom(...SEXES),
    });
    fc.assert(
      fc.property(seed, options, (s, { birthDate, sex }) => {
        const id = generateResidentId(createRng(s), { birthDate: birthDate.toISOString().slice(0, 10), sex });
        expect(checkResidentId(id).ok).toBe(true);
        for (const { changed } of substitutions(id, `${DIGITS}X`))
          expect(checkResidentId(changed).ok).toBe(false);
      }),
    );
  });

  it('unified social credit codes', () => {
    const authority = fc.constantFrom('1', '5', '9', 'Y' as const);
    fc.assert(
      fc.property(seed, authority, (s, a) => {
        const code = generateUscc(createRng(s), { authority: a });
        expect(checkUscc(code).ok).toBe(true);
        for (const { changed } of substitutions(code, USCC_ALPHABET))
          expect(checkUscc(changed).ok).toBe(false);
      }),
    );
  });

  it('e-licence identifiers (dots included in the alphabet)', () => {
    fc.assert(
      fc.property(seed, (s) => {
        const id = generateLicenceId(createRng(s));
        expect(checkLicenceId(id).ok).toBe(true);
        for (const { changed } of substitutions(id, `${ALPHANUMERIC}.`))
          expect(checkLicenceId(changed).ok).toBe(false);
      }),
      { numRuns: 50 },
    );
  });

  it('organisation codes, except between body characters congruent modulo 11 (undetectable in GB 11714)', () => {
    const value = (char: string) => ALPHANUMERIC.indexOf(char);
    fc.assert(
      fc.property(seed, (s) => {
        const code = generateOrgCode(createRng(s));
        expect(checkOrgCode(code).ok).toBe(true);
        const congruent = [...substitutions(code, ALPHANUMERIC)].filter(
          ({ position, from, to }) => position < 8 && (value(from) - value(to)) % 11 === 0,
        );
        expect(undetected(code, ALPHANUMERIC, checkOrgCode)).toEqual(congruent.map((s) => s.changed));
      }),
    );
  });

  it('region codes (no check digit: generated ones are real)', () => {
    fc.assert(
      fc.property(seed, (s) => {
        expect(checkRegionCode(generateRegionCode(createRng(s)))).toMatchObject({
          ok: true,
          info: { known: true },
        });
      }),
    );
  });
});
