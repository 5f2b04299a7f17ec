import { Type, type Static } from 'typebox';
import { defineMessages, text } from '../i18n.ts';
import {
  type Check,
  generated,
  type IdentifierRule,
  type Invalid,
  invalid,
  normalise,
  randomString,
  type Rng,
  valid,
} from './check.ts';
import { checkUscc, generateUscc } from './uscc.ts';

/**
 * E-licence identifiers (电子证照标识, GB/T 36904), shape reconstructed from real ones:
 * `1.2.156.3005.2.{licence type}.{issuer USCC}.{serial}.{version}.{check}`, where the
 * licence type is the responsible ministry's USCC plus 3 digits. The check character is
 * ISO/IEC 7064 MOD 37,36 over type, issuer, serial and version without dots; this matched
 * five real identifiers. A hybrid system: each step is a bijection of the running value,
 * so every single substitution of a character is detected.
 */

const PREFIX = '1.2.156.3005.2.';
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const SHAPE =
  /^1\.2\.156\.3005\.2\.([0-9A-Z]{18})(\d{3})\.([0-9A-Z]{18})\.([0-9A-Z]{1,32})\.(\d{3})\.([0-9A-Z])$/;

export const LicenceIdInfo = Type.Object({
  typeCode: Type.String({ description: 'Licence type: the ministry USCC and a 3-digit number' }),
  ministryUscc: Type.String(),
  issuerUscc: Type.String(),
  serial: Type.String(),
  version: Type.String({ description: 'Three digits, 001 for the first issue' }),
});
export type LicenceIdInfo = Static<typeof LicenceIdInfo>;

defineMessages({
  'identifier.licenceId.shape': {
    zh: `电子证照标识应为“${PREFIX}证照类型代码.颁证单位统一社会信用代码.流水号.3位版本号.校验位”`,
    en: `An e-licence identifier reads ${PREFIX}{type code}.{issuer USCC}.{serial}.{3-digit version}.{check}`,
  },
  'identifier.licenceId.licenceType': {
    zh: '证照类型代码中的主管部门统一社会信用代码无效',
    en: 'The ministry USCC in the licence type code is not valid',
  },
  'identifier.licenceId.issuer': {
    zh: '颁证单位统一社会信用代码无效',
    en: 'The issuer USCC is not valid',
  },
  'identifier.licenceId.checkDigit': {
    zh: '校验位不正确，请核对标识是否输入有误',
    en: 'The check character does not match; the identifier may be mistyped',
  },
});

/** The ISO/IEC 7064 MOD 37,36 check character of `data` (digits and capital letters). */
export function mod37_36CheckChar(data: string): string {
  let product = 36;
  for (const char of data) {
    const sum = (product + ALPHABET.indexOf(char)) % 36 || 36;
    product = (sum * 2) % 37;
  }
  return ALPHABET[(37 - product) % 36]!;
}

/** A failure of `rule` whose reason is the embedded code's own failure. */
function embedded(rule: IdentifierRule, key: string, reason: Invalid): Invalid {
  const { zh, en } = text(key);
  return { ok: false, rule, message: `${zh}：${reason.message}`, messageEn: `${en}: ${reason.messageEn}` };
}

export function checkLicenceId(input: string): Check<LicenceIdInfo> {
  const id = normalise(input);
  const parts = SHAPE.exec(id);
  if (!parts) return invalid('shape', 'identifier.licenceId.shape');
  const [ministryUscc, number, issuerUscc, serial, version, check] = parts.slice(1) as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const ministry = checkUscc(ministryUscc);
  if (!ministry.ok) return embedded('licenceType', 'identifier.licenceId.licenceType', ministry);
  const issuer = checkUscc(issuerUscc);
  if (!issuer.ok) return embedded('issuer', 'identifier.licenceId.issuer', issuer);
  const typeCode = `${ministryUscc}${number}`;
  if (mod37_36CheckChar(`${typeCode}${issuerUscc}${serial}${version}`) !== check) {
    return invalid('checkDigit', 'identifier.licenceId.checkDigit');
  }
  return valid(id, { typeCode, ministryUscc, issuerUscc, serial, version });
}

export interface LicenceIdOptions {
  /** Ministry USCC + 3 digits; a random ministry's by default. */
  typeCode?: string;
  /** A random government body's by default. */
  issuerUscc?: string;
  /** Year and 7 digits by default. */
  serial?: string;
  /** `001` by default. */
  version?: string;
}

/** A valid e-licence identifier for demo data. */
export function generateLicenceId(rng: Rng, options: LicenceIdOptions = {}): string {
  const typeCode =
    options.typeCode ??
    `${generateUscc(rng, { authority: '1', category: '1', regionCode: '100000' })}${randomString(rng, '0123456789', 3)}`;
  const issuer = options.issuerUscc ?? generateUscc(rng, { authority: '1', category: '1' });
  const serial = options.serial ?? `${2019 + Math.floor(rng() * 7)}${randomString(rng, '0123456789', 7)}`;
  const version = options.version ?? '001';
  const data = [typeCode, issuer, serial, version];
  return generated(
    checkLicenceId(`${PREFIX}${data.join('.')}.${mod37_36CheckChar(data.join(''))}`),
    'generateLicenceId',
  );
}
