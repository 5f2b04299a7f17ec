import { normalizeText } from './normalize.ts';
import { segmentWithOffsets } from './tokenizer.ts';

export interface PlaceMatch {
  code: string;
  name: string;
}

export interface PlaceFound {
  place: PlaceMatch;
  /** UTF-16 offsets of the name in the searched text. */
  start: number;
  end: number;
}

export interface PlaceIndex {
  /**
   * Region names in normalized text (see normalizeText), longest match first, not
   * overlapping. A name also matches without its suffix (省 市 区 县 街道 镇 乡) when the
   * rest is at least 2 characters, names one place only, and stands as whole words in
   * the text (so 高新区 does not claim the 高新 of 高新技术企业). A name shared by several
   * places (two cities' 鼓楼区) yields one entry per place with the same span.
   */
  find(text: string): PlaceFound[];
}

const SUFFIXES = ['街道', '省', '市', '区', '县', '镇', '乡'];
const MIN_ALIAS_LENGTH = 2;

export function createPlaceIndex(places: readonly PlaceMatch[]): PlaceIndex {
  const byName = new Map<string, PlaceMatch[]>();
  for (const { code, name } of places) {
    const key = normalizeText(name).replaceAll(' ', '');
    if (key.length >= MIN_ALIAS_LENGTH) byName.set(key, [...(byName.get(key) ?? []), { code, name }]);
  }
  const byAlias = new Map<string, PlaceMatch[]>();
  for (const [key, matches] of byName) {
    const suffix = SUFFIXES.find((candidate) => key.endsWith(candidate));
    const alias = suffix ? key.slice(0, -suffix.length) : '';
    if (alias.length >= MIN_ALIAS_LENGTH) byAlias.set(alias, [...(byAlias.get(alias) ?? []), ...matches]);
  }
  for (const [alias, matches] of byAlias) {
    if (byName.has(alias) || new Set(matches.map((place) => place.code)).size > 1) byAlias.delete(alias);
  }
  const longest = Math.max(0, ...[...byName.keys(), ...byAlias.keys()].map((key) => key.length));

  return {
    find(text) {
      const found: PlaceFound[] = [];
      let wordEdges: Set<number> | undefined;
      const standsAlone = (start: number, end: number): boolean => {
        wordEdges ??= new Set(segmentWithOffsets(text).flatMap((token) => [token.start, token.end]));
        return wordEdges.has(start) && wordEdges.has(end);
      };
      for (let start = 0; start < text.length;) {
        let end = Math.min(text.length, start + longest);
        let matches: PlaceMatch[] | undefined;
        for (; end - start >= MIN_ALIAS_LENGTH; end--) {
          const candidate = text.slice(start, end);
          matches = byName.get(candidate);
          if (matches) break;
          matches = byAlias.get(candidate);
          if (matches && standsAlone(start, end)) break;
          matches = undefined;
        }
        if (matches) {
          for (const place of matches) found.push({ place, start, end });
          start = end;
        } else {
          start += 1;
        }
      }
      return found;
    },
  };
}

/** A region code without its trailing "00" pairs (GB/T 2260: 320100 -> 3201, 320102 -> 320102). */
const significantCode = (code: string): string => code.replace(/(?:00)+$/, '');

/**
 * The most specific of the places named: first one whose code extends the code of
 * another place named (示例市玄武区 -> 玄武区; also settles a name shared by several
 * cities), then the longest significant code, then the last named (Chinese names go
 * from large to small). Opaque codes simply fall through to the last named.
 */
export function mostSpecificPlace(found: readonly PlaceFound[]): PlaceMatch | undefined {
  const codes = found.map((entry) => significantCode(entry.place.code));
  const rank = (index: number): [number, number, number] => {
    const code = codes[index] ?? '';
    const insideAnother = codes.some(
      (other) => other !== '' && other.length < code.length && code.startsWith(other),
    );
    return [insideAnother ? 1 : 0, code.length, found[index]?.start ?? 0];
  };
  let best: number | undefined;
  for (let index = 0; index < found.length; index++) {
    if (best === undefined || compareRanks(rank(index), rank(best)) > 0) best = index;
  }
  return best === undefined ? undefined : found[best]?.place;
}

function compareRanks(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i++) {
    const difference = (a[i] ?? 0) - (b[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}
