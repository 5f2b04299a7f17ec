import { describe, expect, it } from 'vitest';
import { canonicalJson, sha256 } from './canonical.ts';

describe('canonicalJson (RFC 8785 for integers, strings, booleans, null, arrays, objects)', () => {
  it('sorts keys by UTF-16 code units (the RFC 8785 §3.2.3 example)', () => {
    const value = {
      '\u20ac': 'Euro Sign',
      '\r': 'Carriage Return',
      '\ufb33': 'Hebrew Letter Dalet With Dagesh',
      '1': 'One',
      '\ud83d\ude00': 'Emoji: Grinning Face',
      '\u0080': 'Control',
      '\u00f6': 'Latin Small Letter O With Diaeresis',
    };
    expect(canonicalJson(value)).toBe(
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis",' +
        '"\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    );
  });

  it('escapes strings as RFC 8785 §3.2.2.2 does', () => {
    expect(canonicalJson('\u20ac$\u000F\u000aA\'\u0042\u0022\u005c\\"/')).toBe(
      '"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"',
    );
  });

  it('sorts nested objects, keeps array order, writes no whitespace', () => {
    const value = { b: [3, { z: true, a: null }, 'x'], a: { d: -0, c: 10 }, 证照: '营业执照' };
    expect(canonicalJson(value)).toBe(
      '{"a":{"c":10,"d":0},"b":[3,{"a":null,"z":true},"x"],"证照":"营业执照"}',
    );
  });

  it('gives the same text for the same data whatever the key order', () => {
    expect(canonicalJson({ id: 1, face: { 名称: 'A', 住所: 'B' } })).toBe(
      canonicalJson({ face: { 住所: 'B', 名称: 'A' }, id: 1 }),
    );
  });

  it.each([
    ['a float', 1.5],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['an unsafe integer', 2 ** 53],
    ['undefined', undefined],
    ['an undefined member', { a: 1, b: undefined }],
    ['an undefined array element', [1, undefined]],
    ['an array hole', [1, , 2]], // eslint-disable-line no-sparse-arrays
    ['a Date', new Date(0)],
    ['a Map', new Map()],
    ['a bigint', 1n],
    ['a lone surrogate', 'a\ud800b'],
    ['a key with a lone surrogate', { '\udc00': 1 }],
    ['a float inside an object', { validFrom: '2026-01-01', fee: 0.1 }],
  ])('rejects %s', (_name, value) => {
    expect(() => canonicalJson(value)).toThrow(TypeError);
  });
});

describe('sha256', () => {
  it('hashes bytes and the UTF-8 of strings', () => {
    const abc = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';
    expect(sha256('abc').toString('hex')).toBe(abc);
    expect(sha256(new Uint8Array([0x61, 0x62, 0x63])).toString('hex')).toBe(abc);
    expect(sha256('证照').equals(sha256(Buffer.from('证照', 'utf8')))).toBe(true);
  });
});
