import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkIdentifier } from '../../kernel/identifiers/index.ts';
import { demoRegions } from './demo.ts';
import { placeShortName } from './service.ts';

describe('demo regions (pure)', () => {
  it('builds a well-formed tree for any seed: valid unique codes, names unique among siblings', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 }), (seed) => {
        const regions = demoRegions('small', seed);
        const byCode = new Map(regions.map((r) => [r.code, r]));
        expect(byCode.size).toBe(regions.length);
        const siblings = new Set<string>();
        for (const region of regions) {
          expect(checkIdentifier('regionCode', region.code).ok).toBe(true);
          const parent = region.parentCode ? byCode.get(region.parentCode) : undefined;
          if (region.parentCode) {
            expect(parent, region.code).toBeDefined();
            expect(region.level).toBe(parent!.level + 1);
            expect(region.path).toEqual([...parent!.path, region.code]);
            expect(region.fullName).toBe(parent!.fullName + region.name);
          }
          const key = `${region.parentCode}/${region.name}`;
          expect(siblings.has(key), key).toBe(false);
          siblings.add(key);
        }
      }),
      { numRuns: 30 },
    );
  });

  it('makes the small city an exact part of the big one, so seeding both adds without clashes', () => {
    const city = new Map(demoRegions('city', 9).map((r) => [r.code, r.name]));
    for (const region of demoRegions('small', 9)) expect(city.get(region.code)).toBe(region.name);
  });

  it('has enough districts and streets at city scale for 120,000 entries of ~170 items', () => {
    const regions = demoRegions('city', 1);
    const units = regions.filter((r) => r.level === 3 || r.level === 4).length;
    expect(units * 170).toBeGreaterThanOrEqual(120_000);
    // Counties' towns are numbered 100 on (镇) and their villages 200 on (村委会).
    expect(regions.find((r) => r.name.endsWith('镇'))?.code.slice(6, 9)).toBe('100');
    expect(regions.some((r) => r.name.endsWith('村') && r.code.slice(9) >= '200')).toBe(true);
  });
});

describe('placeShortName', () => {
  it('strips the administrative suffix when two or more characters remain', () => {
    expect(placeShortName('示例市')).toBe('示例');
    expect(placeShortName('江南街道')).toBe('江南');
    expect(placeShortName('广西壮族自治区')).toBe('广西壮族');
    expect(placeShortName('梅岭县')).toBe('梅岭');
    expect(placeShortName('和区')).toBeNull();
    expect(placeShortName('浦东')).toBeNull();
  });
});
