import { describe, expect, it } from 'vitest';
import { createRng } from './check.ts';
import { checkOrgCode, generateOrgCode, orgCodeCheckChar } from './org-code.ts';

describe('organisation codes (GB 11714)', () => {
  it('accepts a code with or without the printed hyphen', () => {
    const expected = { ok: true, value: 'M000100Y4', info: { display: 'M000100Y-4' } };
    expect(checkOrgCode('M000100Y4')).toEqual(expected);
    expect(checkOrgCode(' m000100y-4 ')).toEqual(expected);
    expect(checkOrgCode('00001312-7')).toMatchObject({ ok: true, value: '000013127' });
  });

  it('maps the check values 10 to X and 11 to 0', () => {
    // 1*3 = 3, 11 - 3 = 8; body sums ≡ 1 and ≡ 0 (mod 11) give X and 0.
    expect(orgCodeCheckChar('10000000')).toBe('8');
    expect(orgCodeCheckChar('00000000')).toBe('0');
    expect(orgCodeCheckChar('00000005')).toBe('1');
    expect(orgCodeCheckChar('40000000')).toBe('X'); // 4*3 = 12 ≡ 1
    expect(checkOrgCode('40000000X').ok).toBe(true);
  });

  it.each([
    ['M000100Y5', 'checkDigit'],
    ['M000100Y', 'length'],
    ['M000100Y-45', 'length'],
    ['M000100Y-', 'charset'],
    ['M000100_4', 'charset'],
    ['M000100YA', 'charset'],
  ])('rejects %j by the rule %s', (value, rule) => {
    expect(checkOrgCode(value)).toMatchObject({ ok: false, rule });
  });

  it('cannot see substitutions between characters congruent modulo 11 (a limit of GB 11714)', () => {
    // 0 = 0 and B = 11: the weighted sum changes by a multiple of 11.
    expect(checkOrgCode('B000100Y4').ok).toBe(true);
  });

  it('generates codes that fit inside a USCC', () => {
    const code = generateOrgCode(createRng(3));
    expect(checkOrgCode(code).ok).toBe(true);
    expect(code).toMatch(/^[0-9A-HJ-NP-RTUWXY]{9}$/);
  });
});
