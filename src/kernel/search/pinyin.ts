import { pinyin } from 'pinyin-pro';

const CACHE_LIMIT = 10_000;
const cache = new Map<string, readonly string[]>();

/**
 * Toneless pinyin of each character of a run of Han characters (ü written v, as typed
 * on a keyboard), read in context so polyphones come out right (银行 yin hang).
 */
export function syllables(han: string): readonly string[] {
  const cached = cache.get(han);
  if (cached) return cached;
  const chars = Array.from(han);
  let result = pinyin(han, { toneType: 'none', type: 'array', v: true });
  // pinyin-pro returns one entry per character; fall back to character by character if not.
  if (result.length !== chars.length)
    result = chars.map((char) => pinyin(char, { toneType: 'none', v: true }));
  const lowered = result.map((syllable) => syllable.toLowerCase());
  // A bounded cache: queries repeat the same words all day, and clearing is cheaper than LRU bookkeeping.
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(han, lowered);
  return lowered;
}

/** Full pinyin and initials of a run of Han characters: 结婚登记 -> ["jiehundengji", "jhdj"]. */
export function pinyinForms(han: string): [full: string, initials: string] {
  const parts = syllables(han);
  return [parts.join(''), parts.map((syllable) => syllable.charAt(0)).join('')];
}

/** Pinyin of each character of the text (undefined for non-Han ones), each Han run read as a whole. */
export function textSyllables(text: string): (string | undefined)[] {
  const result: (string | undefined)[] = [];
  for (const part of text.match(/\p{Script=Han}+|\P{Script=Han}+/gu) ?? []) {
    if (/\p{Script=Han}/u.test(part)) result.push(...syllables(part));
    else result.push(...Array.from(part, () => undefined));
  }
  return result;
}
