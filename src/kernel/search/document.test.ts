import { describe, expect, it } from 'vitest';
import { documentVector, suggestKeys, suggestPrefix } from './index.ts';
import { quoteLexeme } from './lexeme.ts';

/** Lexeme -> weights of its positions, read back from the tsvector literal (lexemes here have no quotes or spaces). */
function weights(vector: string): Map<string, string[]> {
  const result = new Map<string, string[]>();
  for (const entry of vector.split(' ')) {
    const [lexeme, positions] = [
      entry.slice(1, entry.lastIndexOf("':")),
      entry.slice(entry.lastIndexOf("':") + 2),
    ];
    result.set(
      lexeme,
      positions.split(',').map((position) => position.replace(/^\d+/, '')),
    );
  }
  return result;
}

describe('documentVector', () => {
  const vector = weights(
    documentVector({
      name: '内地居民结婚登记',
      subSituation: '新设',
      department: '民政局',
      keywords: ['领证', '登记结婚'],
      materials: ['户口簿'],
      resultLicence: '结婚证',
    }),
  );

  it('weighs the name A, keywords B, department and licence C, materials D', () => {
    expect(vector.get('结婚登记')).toContain('A');
    expect(vector.get('领证')).toContain('B');
    expect(vector.get('民政局')).toEqual(['C']);
    expect(vector.get('结婚证')).toEqual(['C']);
    expect(vector.get('户口簿')).toEqual(['D']);
  });

  it('keeps whole name and keywords, at A, for exact matches', () => {
    expect(vector.get('内地居民结婚登记')).toEqual(['A']);
    expect(vector.get('登记结婚')).toEqual(['A', 'B']);
  });

  it('indexes pinyin and initials of words and runs of words', () => {
    for (const lexeme of ['jiehun', 'dengji', 'jiehundengji', 'jh', 'jhdj', 'neidijumin', 'lingzheng']) {
      expect(vector.has(lexeme), lexeme).toBe(true);
    }
    expect(vector.get('jhdj')).toContain('A');
  });

  it('adds single characters and bigrams at D for typos, and marks base items', () => {
    expect(vector.get('婚')).toEqual(['D', 'D']);
    expect(vector.get('婚登')).toEqual(['D']);
    expect(vector.get('#base')).toEqual(['B']);
    expect(weights(documentVector({ name: '补领结婚证', subSituation: '补办' })).has('#base')).toBe(false);
  });

  it('turns any text into plain lexemes', () => {
    expect(documentVector({ name: "O'K 证" })).toBe(`'ok证':1A 'o':2A 'k':3A '证':4D '#base':5B`);
    expect(documentVector({ name: '' })).toBe(`'#base':1B`);
  });
});

describe('quoteLexeme', () => {
  it('escapes quotes and backslashes so any text stays one lexeme', () => {
    expect(quoteLexeme(`o'k\\`)).toBe(`'o''k\\\\'`);
    expect(quoteLexeme('a & b:*')).toBe(`'a & b:*'`);
  });
});

describe('suggest keys', () => {
  it('gives the name from each word on, with full pinyin and initials', () => {
    const keys = suggestKeys('内地居民结婚登记');
    expect(keys).toEqual(
      expect.arrayContaining([
        '内地居民结婚登记',
        'neidijuminjiehundengji',
        'ndjmjhdj',
        '结婚登记',
        'jiehundengji',
        'jhdj',
      ]),
    );
    expect(keys.some((key) => key.startsWith('jiehun'))).toBe(true);
  });

  it('folds what the user typed the same way', () => {
    expect(suggestPrefix(' 結婚 登記 ')).toBe('结婚登记');
    expect(suggestPrefix('JieHun')).toBe('jiehun');
    expect(suggestPrefix('%_')).toBe('');
  });
});
