import { Jieba } from '@node-rs/jieba';
import { dict } from '@node-rs/jieba/dict.js';
import { GOV_TERMS } from './gov-terms.ts';
import { SYNONYMS } from './synonyms.ts';

// High enough that a listed term beats any split of it, low enough not to swallow the
// characters of neighbouring dictionary words.
const USER_WORD_FREQUENCY = 3000;

let instance: Jieba | undefined;

/** The process-wide segmenter: the default dictionary plus government terms and colloquial keys, loaded once. */
function jieba(): Jieba {
  if (!instance) {
    const words = new Set([...GOV_TERMS, ...Object.keys(SYNONYMS)].filter((word) => word.length > 1));
    const lines = [...words].map((word) => `${word} ${USER_WORD_FREQUENCY} n`).join('\n');
    instance = Jieba.withDict(dict);
    instance.loadDict(new TextEncoder().encode(lines));
  }
  return instance;
}

const isWord = (token: string): boolean => token.trim() !== '';

/** The most likely segmentation of normalized text (no HMM: unknown characters stay single, so typos do not glue into new words). */
export function segment(text: string): string[] {
  return text === '' ? [] : jieba().cut(text, false).filter(isWord);
}

/** Every dictionary word found anywhere in the text, overlapping (结婚登记 -> 结婚, 结婚登记, 登记, and single characters). */
export function allWords(text: string): string[] {
  return text === '' ? [] : jieba().cutAll(text).filter(isWord);
}

export interface Token {
  word: string;
  /** Offsets in the segmented text, in UTF-16 code units (as String.prototype.slice counts). */
  start: number;
  end: number;
}

/** Like segment, with each word's place in the text; whitespace tokens are dropped but offsets still count them. */
export function segmentWithOffsets(text: string): Token[] {
  const tokens: Token[] = [];
  let start = 0;
  for (const word of text === '' ? [] : jieba().cut(text, false)) {
    const end = start + word.length;
    if (isWord(word)) tokens.push({ word, start, end });
    start = end;
  }
  return tokens;
}
