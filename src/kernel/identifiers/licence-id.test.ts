import { describe, expect, it } from 'vitest';
import { createRng } from './check.ts';
import { checkLicenceId, generateLicenceId, mod37_36CheckChar } from './licence-id.ts';

const EXAMPLE = '1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.U';

describe('e-licence identifiers (GB/T 36904)', () => {
  it('accepts the example of DOMAIN.md and splits it into its parts', () => {
    expect(checkLicenceId(EXAMPLE)).toEqual({
      ok: true,
      value: EXAMPLE,
      info: {
        typeCode: '11100000000013338W011',
        ministryUscc: '11100000000013338W',
        issuerUscc: '11430000006122244L',
        serial: '20230000403',
        version: '001',
      },
    });
  });

  it('agrees with the check characters of further real identifiers', () => {
    for (const id of [
      '1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.002.S',
      '1.2.156.3005.2.11100000000013338W087.11370800MB28559184.37080001202411010001.001.3',
      '1.2.156.3005.2.11100000000013338W009.11330105002500287C.2025052201.002.0',
    ]) {
      expect(checkLicenceId(id)).toMatchObject({ ok: true });
    }
    expect(mod37_36CheckChar('11100000000013338W01111430000006122244L20230000403001')).toBe('U');
  });

  it.each([
    [EXAMPLE.replace(/U$/, 'V'), 'checkDigit'],
    [EXAMPLE.replace('.001.', '.002.'), 'checkDigit'],
    [EXAMPLE.replace('1.2.156.3005.2.', '1.2.156.3005.3.'), 'shape'],
    [EXAMPLE.replace('.001.', '.01.'), 'shape'],
    [EXAMPLE.replace('W011', 'W11'), 'shape'],
    [EXAMPLE.replace('.U', ''), 'shape'],
    [EXAMPLE.replace('20230000403', '2023-0000403'), 'shape'],
    [EXAMPLE.replace('20230000403', ''), 'shape'],
    [EXAMPLE.replace('13338W', '13338X'), 'licenceType'],
    [EXAMPLE.replace('6122244L', '6122244M'), 'issuer'],
  ])('rejects %j by the rule %s', (value, rule) => {
    expect(checkLicenceId(value)).toMatchObject({ ok: false, rule });
  });

  it('explains a bad embedded USCC with that code’s own reason', () => {
    expect(checkLicenceId(EXAMPLE.replace('6122244L', '6122244M'))).toMatchObject({
      message: '颁证单位统一社会信用代码无效：校验码不正确，请核对代码是否输入有误',
      messageEn: 'The issuer USCC is not valid: The check character does not match; the code may be mistyped',
    });
  });

  it('generates identifiers with the requested parts', () => {
    const id = generateLicenceId(createRng(9), {
      typeCode: '11100000000013338W011',
      issuerUscc: '11430000006122244L',
      serial: '20230000403',
    });
    expect(id).toBe(EXAMPLE);
    expect(() => generateLicenceId(createRng(9), { issuerUscc: '11430000006122244M' })).toThrow(/issuer/);
  });
});
