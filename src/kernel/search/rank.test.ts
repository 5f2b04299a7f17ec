import { describe, expect, it } from 'vitest';
import { analyzeQuery, searchWithFallback } from './index.ts';

describe('searchWithFallback', () => {
  const query = analyzeQuery('结婚登记');
  const runner = (strict: number[], fuzzy: number[]) => {
    const filters: string[] = [];
    const run = async (filter: string) => {
      filters.push(filter);
      return filter === query.tsquery ? strict : fuzzy;
    };
    return { filters, run };
  };

  it('keeps to the strict query when it finds enough', async () => {
    const { filters, run } = runner([1, 2, 3], [9]);
    expect(await searchWithFallback(query, 10, run, (row) => row)).toEqual({ rows: [1, 2, 3], fuzzy: false });
    expect(filters).toEqual([query.tsquery]);
  });

  it('falls back to the broader query only when the strict one finds nothing', async () => {
    const { filters, run } = runner([], [7, 5, 6]);
    expect(await searchWithFallback(query, 10, run, (row) => row)).toEqual({ rows: [7, 5, 6], fuzzy: true });
    expect(filters).toEqual([query.tsquery, query.fuzzyTsquery]);
    expect((await searchWithFallback(query, 2, runner([], [7, 5, 6]).run, (row) => row)).rows).toEqual([
      7, 5,
    ]);
    const precise = runner([5], [7, 5, 6]);
    expect(await searchWithFallback(query, 10, precise.run, (row) => row)).toEqual({
      rows: [5],
      fuzzy: false,
    });
    expect(precise.filters).toEqual([query.tsquery]);
  });

  it('counts "enough" against a limit smaller than the threshold', async () => {
    const { filters, run } = runner([4], [8]);
    expect(await searchWithFallback(query, 1, run, (row) => row)).toEqual({ rows: [4], fuzzy: false });
    expect(filters).toHaveLength(1);
  });

  it('does not query for an empty analysis', async () => {
    const { filters, run } = runner([1], [2]);
    expect(await searchWithFallback(analyzeQuery('的了吗'), 10, run, (row) => row)).toEqual({
      rows: [],
      fuzzy: false,
    });
    expect(filters).toEqual([]);
  });
});
