import { GOV_TERMS } from './gov-terms.ts';
import { BASE_ITEM_LEXEME, quoteLexeme } from './lexeme.ts';
import { isAsciiWord, isHan, normalizeText } from './normalize.ts';
import { pinyinForms, textSyllables } from './pinyin.ts';
import { mostSpecificPlace, type PlaceIndex, type PlaceMatch } from './places.ts';
import { STOPWORDS } from './stopwords.ts';
import { SYNONYMS, VARIANT_WORDS } from './synonyms.ts';
import { segment } from './tokenizer.ts';

export interface AnalyzedQuery {
  /** The query folded: simplified, half-width, lower case, punctuation turned into single spaces. */
  normalized: string;
  /** The most specific place named in the query; its name is not searched as a term. */
  place?: PlaceMatch;
  /** Words to highlight in results: meaningful query words, their official synonyms and typo corrections, pinyin typed. */
  terms: string[];
  /** Strict filter: every meaningful word (or one of its synonyms) must match. Text for `$n::tsquery`. */
  tsquery: string;
  /** Broad filter, a superset of the strict one: any word, synonym, pinyin form or character gram. */
  fuzzyTsquery: string;
  /** What scores a row (rankSql): the fuzzy operands plus the base-item marker unless the query names a situation. */
  rankTsquery: string;
  /** Nothing searchable is left (only stopwords, punctuation or a place); the three queries are then ''. */
  empty: boolean;
}

// The route rejects longer queries; cutting here keeps the analysis cheap for any caller.
const MAX_QUERY_LENGTH = 200;
const MIN_PREFIX_LENGTH = 2;
const MIN_CORRECTION_LENGTH = 3;
const MAX_CORRECTIONS = 3;

interface Operand {
  lexeme: string;
  /** Matches every lexeme starting with it (pinyin typed so far). */
  prefix: boolean;
  /** Pinyin computed from Han text: matched, but not shown to the user as a term. */
  derived: boolean;
}
/** One meaningful part of the query: it matches when one alternative matches, an alternative when all its operands do. */
interface Group {
  alternatives: Operand[][];
  /** Strong groups are required by the strict query; a lone character is too vague to require. */
  strong: boolean;
}
/** A word of the query with its place in its chunk, in characters (code points). */
interface Token {
  word: string;
  start: number;
  end: number;
}
/** Full pinyin of the chunk's characters [start, end) when they are 2 or more Han characters. */
type PinyinOf = (start: number, end: number) => string | undefined;

export function analyzeQuery(q: string, places?: PlaceIndex): AnalyzedQuery {
  const normalized = normalizeText(q.slice(0, MAX_QUERY_LENGTH));
  const found = places?.find(normalized) ?? [];
  let text = normalized;
  for (const { start, end } of found) text = text.slice(0, start) + ' '.repeat(end - start) + text.slice(end);
  // Pinyin typed syllable by syllable ("jie hun") is one word.
  text = text.replace(/(?<=[a-z]) +(?=[a-z])/g, '').trim();

  const groups: Group[] = [];
  const extraOperands: Operand[] = [];
  const wholeSyllables: (string | undefined)[] = [];
  for (const chunk of text === '' ? [] : text.split(/ +/)) {
    const chunkSyllables = textSyllables(chunk);
    wholeSyllables.push(...chunkSyllables);
    const pinyinOf: PinyinOf = (start, end) => joinSyllables(chunkSyllables.slice(start, end));
    const tokens = tokenize(chunk);
    for (const run of meaningfulRuns(tokens)) {
      groups.push(...groupsOf(run, pinyinOf));
      extraOperands.push(...gramOperands(run.map((token) => token.word).join('')));
    }
    // Pinyin across stopwords too: a homophone typo may itself be a stopword (生与登记 for 生育登记).
    extraOperands.push(...pinyinOperand(pinyinOf(0, chunkSyllables.length)));
  }
  const whole = text.replaceAll(' ', '');
  if (whole.length >= 2) extraOperands.push(exact(whole), ...pinyinOperand(joinSyllables(wholeSyllables)));

  const place = mostSpecificPlace(found);
  const base = { normalized, ...(place ? { place } : {}) };
  if (groups.length === 0)
    return { ...base, terms: [], tsquery: '', fuzzyTsquery: '', rankTsquery: '', empty: true };

  const strong = groups.filter((group) => group.strong);
  const required = strong.length > 0 ? strong : groups;
  const tsquery = required.map(groupQuery).join(strong.length > 0 ? ' & ' : ' | ');
  const operands = [...groups.flatMap((group) => group.alternatives.flat()), ...extraOperands];
  const fuzzyTsquery = unique(operands.map(operandQuery)).join(' | ');
  const namesSituation = operands.some((operand) => VARIANT_WORDS.has(operand.lexeme));
  const rankTsquery = namesSituation ? fuzzyTsquery : `${fuzzyTsquery} | ${quoteLexeme(BASE_ITEM_LEXEME)}`;
  return { ...base, terms: highlightTerms(required), tsquery, fuzzyTsquery, rankTsquery, empty: false };
}

function tokenize(chunk: string): Token[] {
  let offset = 0;
  return segment(chunk).map((word) => {
    const start = offset;
    offset += Array.from(word).length;
    return { word, start, end: offset };
  });
}

function joinSyllables(parts: readonly (string | undefined)[]): string | undefined {
  return parts.length >= 2 && parts.every((part) => part) ? parts.join('') : undefined;
}

/** Words between stopwords: 我要开个小饭馆 -> [开], [小饭馆]. */
function meaningfulRuns(tokens: readonly Token[]): Token[][] {
  const runs: Token[][] = [[]];
  for (const token of tokens) {
    if (STOPWORDS.has(token.word)) runs.push([]);
    else runs.at(-1)?.push(token);
  }
  return runs.filter((run) => run.length > 0);
}

function groupsOf(run: readonly Token[], pinyinOf: PinyinOf): Group[] {
  const groups: Group[] = [];
  for (let first = 0; first < run.length;) {
    const correction = correctTypo(run, first, pinyinOf);
    if (correction) {
      const window = run.slice(first, correction.end).map((token) => exact(token.word));
      const corrected = correction.words.flatMap((word) => wordAlternatives(word, pinyinForms(word)[0]));
      groups.push({ alternatives: [...corrected, window], strong: true });
      first = correction.end;
      continue;
    }
    const token = run[first] as Token;
    groups.push({
      alternatives: wordAlternatives(token.word, pinyinOf(token.start, token.end)),
      strong: isAsciiWord(token.word) || token.word.length > 1 || Object.hasOwn(SYNONYMS, token.word),
    });
    first += 1;
  }
  return groups;
}

/**
 * The word itself (a prefix when it looks like pinyin being typed), its pinyin (a
 * homophone typo: 组房 finds the zufang of 租房) and its official synonyms.
 */
function wordAlternatives(word: string, pinyin: string | undefined): Operand[][] {
  const prefix = /^[a-z]+$/.test(word) && word.length >= MIN_PREFIX_LENGTH;
  return [
    [{ lexeme: word, prefix, derived: false }],
    ...pinyinOperand(pinyin).map((operand) => [operand]),
    ...synonymAlternatives(word),
  ];
}

const synonymCache = new Map<string, Operand[][]>();

/** The official phrases of a colloquial word, each cut into the words that must all match. */
function synonymAlternatives(word: string): Operand[][] {
  if (!Object.hasOwn(SYNONYMS, word)) return [];
  let alternatives = synonymCache.get(word);
  if (!alternatives) {
    alternatives = (SYNONYMS[word] ?? []).map((phrase) => segment(normalizeText(phrase)).map(exact));
    synonymCache.set(word, alternatives);
  }
  return alternatives;
}

const exact = (lexeme: string): Operand => ({ lexeme, prefix: false, derived: false });
const pinyinOperand = (pinyin: string | undefined): Operand[] =>
  pinyin ? [{ lexeme: pinyin, prefix: false, derived: true }] : [];

/** The single characters and bigrams of the Han text in a run: what is left to match around a typo. */
function gramOperands(runText: string): Operand[] {
  const operands: Operand[] = [];
  for (const han of runText.match(/\p{Script=Han}+/gu) ?? []) {
    const chars = Array.from(han);
    chars.forEach((char, i) => {
      operands.push(exact(char));
      if (i > 0) operands.push(exact(chars[i - 1] + char));
    });
  }
  return operands;
}

/** Meaningful words and official phrases to highlight; lone characters only when there is nothing else. */
function highlightTerms(groups: readonly Group[]): string[] {
  const terms = unique(
    groups
      .flatMap((group) => group.alternatives.flat().filter((operand) => !operand.derived))
      .map((o) => o.lexeme),
  );
  const words = terms.filter((term) => term.length > 1 || !isHan(term));
  return words.length > 0 ? words : terms;
}

interface Vocabulary {
  words: ReadonlySet<string>;
  /** Each word under each of its one-character wildcards: 营业执照 under ?业执照, 营?执照, 营业?照, 营业执?. */
  bySubstitution: ReadonlyMap<string, string[]>;
  byPinyin: ReadonlyMap<string, string[]>;
  longest: number;
}

let vocabulary: Vocabulary | undefined;

/** The official terms a mistyped query word is corrected to. */
function correctionVocabulary(): Vocabulary {
  if (vocabulary) return vocabulary;
  const official = [
    ...GOV_TERMS,
    ...Object.values(SYNONYMS).flatMap((phrases) => phrases.flatMap((p) => p.split(' '))),
  ];
  const words = new Set(
    official.filter((word) => word.length >= MIN_CORRECTION_LENGTH && Array.from(word).every(isHan)),
  );
  const bySubstitution = new Map<string, string[]>();
  const byPinyin = new Map<string, string[]>();
  const add = (map: Map<string, string[]>, key: string, word: string) =>
    map.set(key, [...(map.get(key) ?? []), word]);
  for (const word of words) {
    for (let i = 0; i < word.length; i++) add(bySubstitution, wildcard(word, i), word);
    add(byPinyin, pinyinForms(word)[0], word);
  }
  vocabulary = {
    words,
    bySubstitution,
    byPinyin,
    longest: Math.max(...[...words].map((word) => word.length)),
  };
  return vocabulary;
}

const wildcard = (word: string, at: number): string => `${word.slice(0, at)}?${word.slice(at + 1)}`;

/**
 * An official term one typo away from the words run[first..end): a homophone (结昏登记 ->
 * 结婚登记) or one character replaced, where the typo left the segmenter with single
 * characters (营业执招, cut as 营业/执/招 -> 营业执照). Windows of whole words the
 * segmenter knows are never corrected, so 离婚登记 stays itself. The longest window wins.
 */
function correctTypo(
  run: readonly Token[],
  first: number,
  pinyinOf: PinyinOf,
): { end: number; words: string[] } | undefined {
  const { words, bySubstitution, byPinyin, longest } = correctionVocabulary();
  let best: { end: number; words: string[] } | undefined;
  let window = '';
  let offset = 0;
  const singles: number[] = [];
  for (let last = first; last < run.length; last++) {
    const token = run[last] as Token;
    if (token.word.length === 1 && isHan(token.word)) singles.push(offset);
    window += token.word;
    offset += token.word.length;
    if (window.length > longest) break;
    if (singles.length === 0 || window.length < MIN_CORRECTION_LENGTH || words.has(window)) continue;
    const candidates = new Set(singles.flatMap((at) => bySubstitution.get(wildcard(window, at)) ?? []));
    for (const word of byPinyin.get(pinyinOf((run[first] as Token).start, token.end) ?? '') ?? [])
      candidates.add(word);
    if (candidates.size > 0) best = { end: last + 1, words: [...candidates].slice(0, MAX_CORRECTIONS) };
  }
  return best;
}

const operandQuery = (operand: Operand): string => quoteLexeme(operand.lexeme) + (operand.prefix ? ':*' : '');

function groupQuery(group: Group): string {
  const alternatives = unique(
    group.alternatives
      .filter((operands) => operands.length > 0)
      .map((operands) =>
        operands.length === 1
          ? operandQuery(operands[0] as Operand)
          : `(${operands.map(operandQuery).join(' & ')})`,
      ),
  );
  return alternatives.length === 1 ? (alternatives[0] as string) : `(${alternatives.join(' | ')})`;
}

const unique = <T>(values: readonly T[]): T[] => [...new Set(values)];
