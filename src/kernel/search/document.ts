import { BASE_ITEM_LEXEME, quoteLexeme } from './lexeme.ts';
import { isHan, normalizeText } from './normalize.ts';
import { pinyinForms } from './pinyin.ts';
import { allWords, segment } from './tokenizer.ts';

/** What the search index knows of a service item. Texts are as published; they are normalized here. */
export interface SearchDocument {
  name: string;
  /** 新设 / 变更 / 延续 / 注销 / 补办 / 换领; empty or 新设 marks a base item, preferred when the query names no situation. */
  subSituation?: string;
  typeName?: string;
  department?: string;
  /** Colloquial words people use for the item. */
  keywords?: string[];
  lifeEvents?: string[];
  /** Material names (without source marks such as [自备]). */
  materials?: string[];
  resultLicence?: string;
}

type Weight = 'A' | 'B' | 'C' | 'D';

// tsvector limits: positions 1..16383, at most 256 positions per lexeme.
const MAX_POSITION = 16_383;
const MAX_POSITIONS_PER_LEXEME = 256;
// A whole field is indexed as one lexeme (exact-name match) only when it is short.
const MAX_WHOLE_LENGTH = 64;
const MAX_PINYIN_RUN = 4;

class VectorBuilder {
  private readonly positions = new Map<string, string[]>();
  private next = 1;

  add(lexeme: string, weight: Weight): void {
    const list = this.positions.get(lexeme) ?? [];
    if (list.length >= MAX_POSITIONS_PER_LEXEME) return;
    list.push(`${Math.min(this.next++, MAX_POSITION)}${weight}`);
    this.positions.set(lexeme, list);
  }

  toString(): string {
    return [...this.positions].map(([lexeme, list]) => `${quoteLexeme(lexeme)}:${list.join(',')}`).join(' ');
  }
}

/**
 * The tsvector of a document as text usable as `$1::tsvector`. Weights: A the name (and
 * name or keyword typed whole), B keywords, C department / result licence / life events /
 * type / situation, D materials and the typo-tolerance grams (single characters and
 * bigrams of name and keywords). Name and keywords also carry the pinyin, full and
 * initials, of each word, of runs of 2-4 words and of the whole. Base items carry the
 * marker lexeme '#base' at B, which only the rank query asks for.
 */
export function documentVector(doc: SearchDocument): string {
  const vector = new VectorBuilder();
  addField(vector, doc.name, 'A', { wholeWeight: 'A' });
  // A keyword typed exactly as listed is as telling as the name itself.
  for (const keyword of doc.keywords ?? []) addField(vector, keyword, 'B', { wholeWeight: 'A' });
  for (const text of [
    doc.department,
    doc.resultLicence,
    doc.typeName,
    doc.subSituation,
    ...(doc.lifeEvents ?? []),
  ]) {
    if (text) addField(vector, text, 'C');
  }
  for (const material of doc.materials ?? []) addField(vector, material, 'D');
  for (const text of [doc.name, ...(doc.keywords ?? [])]) addGrams(vector, text);
  if (!doc.subSituation || doc.subSituation.trim() === '新设') vector.add(BASE_ITEM_LEXEME, 'B');
  return vector.toString();
}

/**
 * The words of a field (every dictionary word found in it); for name-like fields also
 * the whole text (exact match) and the pinyin of words, of runs of 2-4 words and of the whole.
 */
function addField(
  vector: VectorBuilder,
  text: string,
  weight: Weight,
  nameLike?: { wholeWeight: Weight },
): void {
  const normalized = normalizeText(text);
  const whole = normalized.replaceAll(' ', '');
  if (nameLike && whole.length >= 2 && whole.length <= MAX_WHOLE_LENGTH) {
    vector.add(whole, nameLike.wholeWeight);
    addPinyin(vector, whole, weight);
  }
  for (const chunk of normalized.split(' ')) {
    // Single Han characters are weak evidence: they enter with the grams, at weight D.
    for (const word of allWords(chunk)) {
      if (word.length > 1) vector.add(word, weight);
      if (nameLike && word.length > 1) addPinyin(vector, word, weight);
    }
    const words = segment(chunk);
    for (const word of words) if (word.length === 1 && !isHan(word)) vector.add(word, weight);
    if (!nameLike) continue;
    for (let first = 0; first < words.length; first++) {
      for (let last = first + 1; last < Math.min(words.length, first + MAX_PINYIN_RUN); last++) {
        addPinyin(vector, words.slice(first, last + 1).join(''), weight);
      }
    }
  }
}

function addPinyin(vector: VectorBuilder, text: string, weight: Weight): void {
  if (!Array.from(text).every(isHan)) return;
  for (const form of pinyinForms(text)) vector.add(form, weight);
}

function addGrams(vector: VectorBuilder, text: string): void {
  for (const han of normalizeText(text).match(/\p{Script=Han}+/gu) ?? []) {
    const chars = Array.from(han);
    chars.forEach((char, i) => {
      vector.add(char, 'D');
      if (i > 0) vector.add(chars[i - 1] + char, 'D');
    });
  }
}

/**
 * Keys for autocomplete, to be matched by prefix: the name from each of its word
 * boundaries on (so 结婚 completes 内地居民结婚登记), each with its full pinyin and its
 * initials when it is all Han.
 */
export function suggestKeys(name: string): string[] {
  const keys = new Set<string>();
  const words = segment(normalizeText(name).replaceAll(' ', ''));
  for (let first = 0; first < words.length; first++) {
    const suffix = words.slice(first).join('');
    if (first > 0 && suffix.length < 2) continue;
    keys.add(suffix);
    if (Array.from(suffix).every(isHan)) for (const form of pinyinForms(suffix)) keys.add(form);
  }
  return [...keys];
}

/** The prefix to look up among suggestKeys for what the user has typed so far ('' when nothing usable). */
export function suggestPrefix(q: string): string {
  return normalizeText(q.slice(0, 100)).replaceAll(' ', '');
}
