import { Type, type Static } from 'typebox';
import { defineMessages } from '../i18n.ts';
import { type Check, invalid, normalise, randomString, type Rng, valid } from './check.ts';

/**
 * Organisation codes (组织机构代码, GB 11714): 8 body characters (digits or capital
 * letters, A=10 ... Z=35) and a check character, often printed as `M000100Y-4`.
 *
 * Limit of the scheme: the check is modulo 11 over values up to 35, so replacing a body
 * character by one whose value is congruent modulo 11 (0, B, M, X; 1, C, N, Y; ...) leaves
 * the check character unchanged. Every other single substitution is detected, because
 * the weights are non-zero modulo the prime 11.
 */

const WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2];
const BODY_VALUES = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
/** The characters of unified social credit codes (GB 32100: no I, O, S, V, Z), and so of the organisation codes inside them. */
export const USCC_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';

export const OrgCodeInfo = Type.Object({
  display: Type.String({ description: 'The printed form, e.g. M000100Y-4' }),
});
export type OrgCodeInfo = Static<typeof OrgCodeInfo>;

defineMessages({
  'identifier.orgCode.length': {
    zh: '组织机构代码应为9位，实为{length}位',
    en: 'An organisation code has 9 characters, not {length}',
  },
  'identifier.orgCode.charset': {
    zh: '组织机构代码前8位应为数字或大写字母，第9位应为数字或X',
    en: 'An organisation code has 8 digits or capital letters followed by a digit or X',
  },
  'identifier.orgCode.checkDigit': {
    zh: '校验码不正确，请核对代码是否输入有误',
    en: 'The check character does not match; the code may be mistyped',
  },
});

/** The check character for the 8 body characters. */
export function orgCodeCheckChar(body: string): string {
  const sum = WEIGHTS.reduce((total, weight, i) => total + BODY_VALUES.indexOf(body[i]!) * weight, 0);
  const check = 11 - (sum % 11);
  return check === 10 ? 'X' : check === 11 ? '0' : String(check);
}

export function checkOrgCode(input: string): Check<OrgCodeInfo> {
  const code = normalise(input).replace(/^(.{8})-(.)$/, '$1$2');
  if (code.length !== 9) return invalid('length', 'identifier.orgCode.length', { length: code.length });
  if (!/^[0-9A-Z]{8}[0-9X]$/.test(code)) return invalid('charset', 'identifier.orgCode.charset');
  if (orgCodeCheckChar(code) !== code[8]) return invalid('checkDigit', 'identifier.orgCode.checkDigit');
  return valid(code, { display: `${code.slice(0, 8)}-${code[8]}` });
}

/** A valid organisation code for demo data; its body uses the USCC alphabet, so it can be embedded in one. */
export function generateOrgCode(rng: Rng): string {
  const body = randomString(rng, USCC_ALPHABET, 8);
  return body + orgCodeCheckChar(body);
}
