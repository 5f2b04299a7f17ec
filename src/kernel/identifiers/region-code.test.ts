import { describe, expect, it } from 'vitest';
import { createRng } from './check.ts';
import { checkRegionCode, generateRegionCode, regionAncestors, regionName } from './region-code.ts';
import regions from './regions.json' with { type: 'json' };

describe('region codes (GB/T 2260)', () => {
  it('bundles every province, city and county of the statistics data', () => {
    const codes = Object.keys(regions);
    expect(codes.filter((code) => code.endsWith('0000'))).toHaveLength(34);
    expect(codes.length).toBeGreaterThan(3300);
    expect(codes.every((code) => /^\d{6}$/.test(code))).toBe(true);
    expect(regionName('810000')).toBe('香港特别行政区');
  });

  it('names a county with its province and city, leaving out groupings such as 市辖区', () => {
    expect(checkRegionCode('110101')).toEqual({
      ok: true,
      value: '110101',
      info: {
        level: 'county',
        known: true,
        name: '东城区',
        fullName: '北京市东城区',
        ancestors: [
          { code: '110000', name: '北京市' },
          { code: '110100', name: '市辖区' },
        ],
      },
    });
    expect(checkRegionCode('419001')).toMatchObject({ ok: true, info: { fullName: '河南省济源市' } });
    expect(checkRegionCode('500229')).toMatchObject({ ok: true, info: { fullName: '重庆市城口县' } });
    expect(checkRegionCode('441900')).toMatchObject({
      ok: true,
      info: { level: 'city', fullName: '广东省东莞市', ancestors: [{ code: '440000', name: '广东省' }] },
    });
    expect(checkRegionCode('320000')).toMatchObject({ ok: true, info: { level: 'province', ancestors: [] } });
  });

  it('tells a well-formed unknown code from a known one', () => {
    expect(checkRegionCode('110199')).toEqual({
      ok: true,
      value: '110199',
      info: {
        level: 'county',
        known: false,
        ancestors: [
          { code: '110000', name: '北京市' },
          { code: '110100', name: '市辖区' },
        ],
      },
    });
  });

  it('reads twelve-digit codes down to town and village', () => {
    expect(checkRegionCode('110101001001')).toMatchObject({
      ok: true,
      info: { level: 'village', known: true, name: '东城区', ancestors: [{}, {}, { code: '110101' }] },
    });
    expect(checkRegionCode('110101001000')).toMatchObject({ ok: true, info: { level: 'town' } });
    expect(checkRegionCode('110100000000')).toMatchObject({ ok: true, info: { level: 'city' } });
  });

  it.each([
    ['1101', 'length'],
    ['1101010', 'length'],
    ['11010a', 'charset'],
    ['110-01', 'charset'],
    ['110001', 'shape'],
    ['110100001000', 'shape'],
    ['110101000001', 'shape'],
    ['990101', 'region'],
    ['000000', 'region'],
  ])('rejects %j by the rule %s', (value, rule) => {
    expect(checkRegionCode(value)).toMatchObject({ ok: false, rule });
  });

  it('lists the known ancestors of a code', () => {
    expect(regionAncestors('440305')).toEqual([
      { code: '440000', name: '广东省' },
      { code: '440300', name: '深圳市' },
    ]);
    expect(regionAncestors('440000')).toEqual([]);
  });

  it('generates real county and city codes', () => {
    const rng = createRng(5);
    expect(checkRegionCode(generateRegionCode(rng))).toMatchObject({
      ok: true,
      info: { level: 'county', known: true },
    });
    expect(checkRegionCode(generateRegionCode(rng, 'city'))).toMatchObject({
      ok: true,
      info: { level: 'city', known: true },
    });
  });
});
