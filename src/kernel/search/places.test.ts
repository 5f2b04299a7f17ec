import { describe, expect, it } from 'vitest';
import { createPlaceIndex, mostSpecificPlace } from './index.ts';

const index = createPlaceIndex([
  { code: '320000', name: '示例省' },
  { code: '320100', name: '示例市' },
  { code: '320102', name: '玄武区' },
  { code: '320106', name: '鼓楼区' },
  { code: '350102', name: '鼓楼区' },
  { code: '350100', name: '福州市' },
  { code: '320191', name: '高新区' },
  { code: '320102001', name: '梅园新村街道' },
]);
const names = (text: string) => index.find(text).map(({ place, start, end }) => [place.code, start, end]);

describe('place index', () => {
  it('finds full names, longest first, with their offsets', () => {
    expect(names('示例市玄武区结婚登记')).toEqual([
      ['320100', 0, 3],
      ['320102', 3, 6],
    ]);
    expect(names('梅园新村街道社保卡')).toEqual([['320102001', 0, 6]]);
  });

  it('finds a name without its suffix when that names one place and stands as words', () => {
    expect(names('玄武结婚登记')).toEqual([['320102', 0, 2]]);
    expect(names('梅园新村办居住证')).toEqual([['320102001', 0, 4]]);
    // 高新 is part of the word 高新技术 here, not the district.
    expect(names('高新技术企业认定')).toEqual([]);
    expect(names('高新办营业执照')).toEqual([['320191', 0, 2]]);
    // 鼓楼 belongs to two districts: no guess.
    expect(names('鼓楼结婚')).toEqual([]);
  });

  it('returns every place sharing a full name, and settles on the one inside another place named', () => {
    expect(names('鼓楼区')).toEqual([
      ['320106', 0, 3],
      ['350102', 0, 3],
    ]);
    expect(mostSpecificPlace(index.find('福州市鼓楼区结婚'))?.code).toBe('350102');
    expect(mostSpecificPlace(index.find('示例市鼓楼区结婚'))?.code).toBe('320106');
  });

  it('prefers the most specific place, whatever the order of the names', () => {
    expect(mostSpecificPlace(index.find('玄武区示例市'))?.code).toBe('320102');
    expect(mostSpecificPlace(index.find('示例省示例市'))?.code).toBe('320100');
    expect(mostSpecificPlace([])).toBeUndefined();
  });

  it('takes the last named place when codes say nothing', () => {
    const opaque = createPlaceIndex([
      { code: 'north', name: '北城区' },
      { code: 'south', name: '南城区' },
    ]);
    expect(mostSpecificPlace(opaque.find('北城区南城区'))?.code).toBe('south');
  });
});
