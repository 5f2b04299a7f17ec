import { describe, expect, it } from 'vitest';
import { createRng } from './check.ts';
import { checkResidentId, generateResidentId, residentIdCheckChar } from './resident-id.ts';

const withCheck = (first17: string) => first17 + residentIdCheckChar(first17);

describe('resident ID numbers (GB 11643)', () => {
  it('accepts the examples of DOMAIN.md and says what they encode', () => {
    expect(checkResidentId('11010519491231002X')).toEqual({
      ok: true,
      value: '11010519491231002X',
      info: {
        region: { code: '110105', known: true, name: '朝阳区', fullName: '北京市朝阳区' },
        birthDate: '1949-12-31',
        sex: 'female',
      },
    });
    // GB 11643's own example: a retired county code (known: false), born 1880.
    expect(checkResidentId('440524188001010014')).toEqual({
      ok: true,
      value: '440524188001010014',
      info: { region: { code: '440524', known: false }, birthDate: '1880-01-01', sex: 'male' },
    });
  });

  it('normalises spaces around the number and a lower-case x', () => {
    expect(checkResidentId(' 11010519491231002x\n')).toMatchObject({ ok: true, value: '11010519491231002X' });
  });

  it('accepts the 830000 of Taiwan residents’ residence permits', () => {
    expect(checkResidentId(withCheck('83000019900101001'))).toMatchObject({
      ok: true,
      info: { region: { code: '830000', known: false } },
    });
  });

  it.each([
    ['110105194912310021', 'checkDigit'],
    ['1101051949123100', 'length'],
    ['11010519491231002XX', 'length'],
    ['', 'length'],
    ['11010519491231002A', 'charset'],
    ['1101051949X231002X', 'charset'],
    [withCheck('99010519491231002'), 'region'],
    [withCheck('00000019491231002'), 'region'],
    [withCheck('11010519490229002'), 'birthDate'],
    [withCheck('11010519491301002'), 'birthDate'],
    [withCheck('11010529990101002'), 'birthDate'],
    [withCheck('11010517991231002'), 'birthDate'],
  ])('rejects %j by the rule %s', (value, rule) => {
    expect(checkResidentId(value)).toMatchObject({ ok: false, rule });
  });

  it('explains the failure in Chinese and English', () => {
    expect(checkResidentId('1101051949')).toEqual({
      ok: false,
      rule: 'length',
      message: '公民身份号码应为18位，实为10位',
      messageEn: 'A resident ID number has 18 characters, not 10',
    });
    expect(checkResidentId(withCheck('11010519490229002'))).toMatchObject({
      message: '出生日期19490229不是有效日期',
    });
    expect(checkResidentId(withCheck('11010529990101002'))).toMatchObject({
      messageEn: 'The birth date 2999-01-01 is in the future',
    });
    expect(checkResidentId(withCheck('99010519491231002'))).toMatchObject({
      message: '地址码的省级代码99不存在',
    });
  });

  it('accepts 29 February in leap years only', () => {
    expect(checkResidentId(withCheck('11010520000229002')).ok).toBe(true);
    expect(checkResidentId(withCheck('11010519000229002'))).toMatchObject({ ok: false, rule: 'birthDate' });
  });

  it('generates numbers with the requested region, birth date and sex', () => {
    const id = generateResidentId(createRng(7), {
      regionCode: '440305',
      birthDate: '1988-08-08',
      sex: 'female',
    });
    expect(checkResidentId(id)).toMatchObject({
      ok: true,
      info: {
        region: { code: '440305', fullName: '广东省深圳市南山区' },
        birthDate: '1988-08-08',
        sex: 'female',
      },
    });
    expect(generateResidentId(createRng(7))).toBe(generateResidentId(createRng(7)));
  });

  it('refuses options that cannot make a valid number', () => {
    expect(() => generateResidentId(createRng(1), { regionCode: '990000' })).toThrow(/province/);
    expect(() => generateResidentId(createRng(1), { birthDate: '1990-02-30' })).toThrow(/calendar date/);
  });
});
