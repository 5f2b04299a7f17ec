import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.ts';
import { assertIdentifier, checkIdentifier, createRng, IDENTIFIER_KINDS } from './index.ts';

describe('identifiers: one entry point for every kind', () => {
  it('checks each kind with its own rules', () => {
    expect(IDENTIFIER_KINDS).toEqual([
      'residentId',
      'uscc',
      'orgCode',
      'regionCode',
      'licenceId',
      'applicationNumber',
    ]);
    expect(checkIdentifier('residentId', '11010519491231002X').ok).toBe(true);
    expect(checkIdentifier('uscc', '11010519491231002X')).toMatchObject({
      ok: false,
      rule: 'region',
    });
    expect(checkIdentifier('orgCode', 'M000100Y-4')).toMatchObject({ ok: true, value: 'M000100Y4' });
    expect(checkIdentifier('regionCode', '110105')).toMatchObject({ ok: true, info: { name: '朝阳区' } });
    expect(checkIdentifier('licenceId', '110105')).toMatchObject({ ok: false, rule: 'shape' });
  });

  it('asserts a request field: the normalised value, or a 400 naming field and rule', () => {
    expect(assertIdentifier('uscc', 'body.creditCode', ' 91350100m000100y43')).toBe('91350100M000100Y43');
    let thrown: unknown;
    try {
      assertIdentifier('residentId', 'body.applicant.idNumber', '110105194912310021');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(AppError);
    expect(thrown).toMatchObject({
      code: 'validation_failed',
      status: 400,
      errors: [
        {
          field: 'body.applicant.idNumber',
          rule: 'checkDigit',
          message: '校验码不正确，请核对号码是否输入有误',
          messageEn: 'The check character does not match; the number may be mistyped',
        },
      ],
    });
  });

  it('draws the same numbers in [0, 1) from the same seed', () => {
    const draw = (seed: number) => Array.from({ length: 1000 }, createRng(seed));
    const numbers = draw(42);
    expect(draw(42)).toEqual(numbers);
    expect(draw(43)).not.toEqual(numbers);
    expect(numbers.every((n) => n >= 0 && n < 1)).toBe(true);
    expect(new Set(numbers).size).toBe(1000);
  });
});
