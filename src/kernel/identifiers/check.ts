import { text } from '../i18n.ts';

/** The rules an identifier can break; stable and machine-readable (each becomes `FieldError.rule`). */
export const IDENTIFIER_RULES = [
  'length',
  'charset',
  'shape',
  'region',
  'birthDate',
  'date',
  'registrationAuthority',
  'category',
  'orgCodeCheckDigit',
  'licenceType',
  'issuer',
  'checkDigit',
] as const;
export type IdentifierRule = (typeof IDENTIFIER_RULES)[number];

export interface Invalid {
  ok: false;
  rule: IdentifierRule;
  message: string;
  messageEn: string;
}

/** The outcome of validating one identifier: the normalised value and what it says, or the rule it breaks. */
export type Check<Info> = { ok: true; value: string; info: Info } | Invalid;

export const valid = <Info>(value: string, info: Info): Check<Info> => ({ ok: true, value, info });

/** A failure of `rule`, explained by the i18n message `key`. */
export function invalid(
  rule: IdentifierRule,
  key: string,
  params: Record<string, string | number> = {},
): Invalid {
  const { zh, en } = text(key, params);
  return { ok: false, rule, message: zh, messageEn: en };
}

/** Trimmed and upper-cased (a lower-case check `x` is a common way to type `X`). */
export const normalise = (value: string) => value.trim().toUpperCase();

/** A uniform random source in [0, 1), such as `createRng(seed)` or `Math.random`. */
export type Rng = () => number;

/** A tiny deterministic PRNG (mulberry32): the same seed gives the same demo data. */
export function createRng(seed: number): Rng {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;

/** `length` characters drawn from `alphabet`. */
export const randomString = (rng: Rng, alphabet: string, length: number) =>
  Array.from({ length }, () => alphabet[Math.floor(rng() * alphabet.length)]).join('');

/** Generators validate what they make, so bad options fail loudly rather than yield invalid demo data. */
export function generated(result: Check<unknown>, generator: string): string {
  if (!result.ok) throw new Error(`${generator}: ${result.messageEn}`);
  return result.value;
}
