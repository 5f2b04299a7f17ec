import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyzeQuery, createPlaceIndex } from './index.ts';

describe('analyzeQuery', () => {
  it('folds width, script and case, and drops punctuation', () => {
    expect(analyzeQuery('  結婚登記？ＫＴＶ（新） ').normalized).toBe('结婚登记 ktv 新');
  });

  it('keeps only the meaningful words of a colloquial question', () => {
    const q = analyzeQuery('我想问一下怎么办理结婚登记呢？');
    expect(q.tsquery).toBe(`('结婚登记' | 'jiehundengji')`);
    expect(q.terms).toEqual(['结婚登记']);
  });

  it('is empty for stopwords and punctuation only, with queries that match nothing', () => {
    for (const q of ['我要办什么', '？！。', '', '   ']) {
      expect(analyzeQuery(q)).toMatchObject({
        empty: true,
        tsquery: '',
        fuzzyTsquery: '',
        rankTsquery: '',
        terms: [],
      });
    }
  });

  it('keeps government terms whole and expands colloquial words into official ones', () => {
    expect(analyzeQuery('不动产').tsquery).toBe(`('不动产' | 'budongchan')`);
    expect(analyzeQuery('领证').tsquery).toBe(`('领证' | 'lingzheng' | '结婚登记')`);
    // An official phrase of several words needs all of them.
    expect(analyzeQuery('开公司').tsquery).toContain(`('公司' & '设立登记')`);
  });

  it('requires every meaningful word, but never a lone character when words are present', () => {
    const q = analyzeQuery('开个小饭馆要办什么证');
    expect(q.tsquery).toBe(`('小饭馆' | 'xiaofanguan' | '小餐饮' | '食品经营许可')`);
    expect(q.fuzzyTsquery).toContain(`'证'`);
    expect(analyzeQuery('证').tsquery).toBe(`'证'`);
  });

  it('matches letters as pinyin being typed, syllables joined', () => {
    expect(analyzeQuery('jie hun').tsquery).toBe(`'jiehun':*`);
    expect(analyzeQuery('JHDJ').tsquery).toBe(`'jhdj':*`);
    expect(analyzeQuery('j').tsquery).toBe(`'j'`);
  });

  it('corrects a typo into the official term, keeping what was typed as an alternative', () => {
    expect(analyzeQuery('营业执招').tsquery).toContain(`'营业执照'`);
    expect(analyzeQuery('营业执招').tsquery).toContain(`('营业' & '执' & '招')`);
    expect(analyzeQuery('结昏登记').tsquery).toContain(`'结婚登记'`);
    // Known words are not "corrected" into a neighbour.
    expect(analyzeQuery('离婚登记').tsquery).not.toContain('结婚');
  });

  it('ranks base items unless the query names a situation (lost, renewal, cancellation)', () => {
    expect(analyzeQuery('社保卡').rankTsquery).toContain(`'#base'`);
    expect(analyzeQuery('社保卡丢了').rankTsquery).not.toContain(`'#base'`);
    expect(analyzeQuery('社保卡').fuzzyTsquery).not.toContain(`'#base'`);
  });

  it('takes the most specific place out of the query', () => {
    const places = createPlaceIndex([
      { code: '320100', name: '示例市' },
      { code: '320102', name: '玄武区' },
    ]);
    const q = analyzeQuery('示例市玄武区结婚登记', places);
    expect(q.place).toEqual({ code: '320102', name: '玄武区' });
    expect(q.terms).toEqual(['结婚登记']);
    expect(analyzeQuery('玄武区', places)).toMatchObject({ empty: true, place: { code: '320102' } });
    expect(analyzeQuery('结婚登记', places).place).toBeUndefined();
  });

  it('escapes what would be tsquery syntax', () => {
    const q = analyzeQuery("a'b\\c & | ! :* ( )");
    expect(q.tsquery).not.toMatch(/[!()]/);
    expect(q.tsquery).toBe(`'abc':*`);
  });

  it('never throws, and always yields three queries or none', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (q) => {
        const result = analyzeQuery(q);
        expect(result.empty).toBe(result.tsquery === '');
        expect(result.empty).toBe(result.fuzzyTsquery === '');
        expect(result.empty).toBe(result.rankTsquery === '');
      }),
      { numRuns: 500 },
    );
  });
});
