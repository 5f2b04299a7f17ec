import { Converter } from 'opencc-js/t2cn';

// Hong Kong and Taiwan traditional forms both fold to mainland simplified (戶口 -> 户口, 衞生 -> 卫生).
const toSimplified = Converter({ from: 'hk', to: 'cn' });

const NOT_LETTER_OR_DIGIT = /[^\p{L}\p{N}]+/gu;
const HAN = /\p{Script=Han}/u;

/** Case, width and script folding without touching punctuation: NFKC (full-width to half-width), traditional to simplified, lower case. */
export function foldText(text: string): string {
  return toSimplified(text.normalize('NFKC')).toLowerCase();
}

/**
 * Text as the search index sees it: folded (see foldText), and every run of characters
 * other than letters and digits turned into one space, trimmed.
 */
export function normalizeText(text: string): string {
  return foldText(text).replace(NOT_LETTER_OR_DIGIT, ' ').trim();
}

export function isHan(char: string): boolean {
  return HAN.test(char);
}

/** A word made only of ASCII letters and digits (pinyin typed by the user, KTV, SC ...). */
export function isAsciiWord(word: string): boolean {
  return /^[a-z0-9]+$/.test(word);
}
