import { describe, expect, it } from 'vitest';
import { createRng } from './check.ts';
import { checkUscc, generateUscc, USCC_AUTHORITIES, usccCheckChar, type UsccAuthority } from './uscc.ts';

const withCheck = (first17: string) => first17 + usccCheckChar(first17);

describe('unified social credit codes (GB 32100)', () => {
  it('accepts the examples of DOMAIN.md and says what they encode', () => {
    expect(checkUscc('91350100M000100Y43')).toEqual({
      ok: true,
      value: '91350100M000100Y43',
      info: {
        authority: { code: '9', name: '市场监督管理' },
        category: { code: '1', name: '企业' },
        region: { code: '350100', known: true, name: '福州市', fullName: '福建省福州市' },
        orgCode: 'M000100Y4',
      },
    });
    expect(checkUscc(' 11100000000013127d ')).toMatchObject({
      ok: true,
      value: '11100000000013127D',
      info: {
        authority: { name: '机构编制' },
        category: { name: '机关' },
        region: { code: '100000', known: true },
      },
    });
  });

  it('accepts the issuers of real e-licence identifiers', () => {
    for (const code of [
      '11100000000013338W',
      '11430000006122244L',
      '11370800MB28559184',
      '11330105002500287C',
    ]) {
      expect(checkUscc(code).ok).toBe(true);
    }
  });

  it.each([
    ['91350100M000100Y44', 'checkDigit'],
    ['91350100M000100Y4', 'length'],
    ['91350100M000100Y433', 'length'],
    ['91350100M000100O43', 'charset'],
    ['I1350100M000100Y43', 'charset'],
    ['9135010-M000100Y43', 'charset'],
    [withCheck('B1350100M000100Y4'), 'registrationAuthority'],
    [withCheck('94350100M000100Y4'), 'category'],
    [withCheck('Y2350100M000100Y4'), 'category'],
    [withCheck('91990100M000100Y4'), 'region'],
    [withCheck('913501A0M000100Y4'), 'region'],
    [withCheck('91350001M000100Y4'), 'region'],
    [withCheck('91350100M000100Y5'), 'orgCodeCheckDigit'],
  ])('rejects %j by the rule %s', (value, rule) => {
    expect(checkUscc(value)).toMatchObject({ ok: false, rule });
  });

  it('names the part that is wrong', () => {
    expect(checkUscc(withCheck('94350100M000100Y4'))).toMatchObject({
      message: '第2位机构类别代码4不属于登记管理部门9',
      messageEn: 'The category 4 (2nd character) does not exist for authority 9',
    });
    expect(checkUscc(withCheck('91350100M000100Y5'))).toMatchObject({
      message: '第9-17位组织机构代码M000100Y5的校验码不正确',
    });
  });

  it('generates codes of every authority and category', () => {
    const rng = createRng(11);
    for (const [authority, { categories }] of Object.entries(USCC_AUTHORITIES)) {
      for (const category of Object.keys(categories)) {
        const code = generateUscc(rng, {
          authority: authority as UsccAuthority,
          category,
          regionCode: '320505',
        });
        expect(checkUscc(code)).toMatchObject({
          ok: true,
          info: {
            authority: { code: authority },
            category: { code: category },
            region: { fullName: '江苏省苏州市虎丘区' },
          },
        });
      }
    }
  });

  it('refuses options that cannot make a valid code', () => {
    expect(() => generateUscc(createRng(1), { authority: '9', category: '9' })).toThrow(/category/);
  });
});
