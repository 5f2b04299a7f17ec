import { escapeHtml } from '../html.ts';
import { foldText, isHan, normalizeText } from './normalize.ts';
import { syllables } from './pinyin.ts';

/**
 * The name as HTML with the parts matching the terms wrapped in <em>..</em> and
 * everything else escaped. Matching ignores case, width and traditional/simplified
 * forms; a term of letters also matches the pinyin or initials of Han characters
 * (jiehun, jhdj -> <em>结婚登记</em>).
 */
export function highlight(name: string, terms: readonly string[]): string {
  const chars = Array.from(name);
  const foldedChars = Array.from(foldText(name));
  // Folding keeps one character per character except for rare compatibility forms; then compare as is.
  const folded = foldedChars.length === chars.length ? foldedChars : chars.map((char) => char.toLowerCase());
  const marked = new Array<boolean>(chars.length).fill(false);
  let pinyin: readonly string[] | undefined;
  for (const term of new Set(terms.map((t) => normalizeText(t).replaceAll(' ', '')))) {
    if (term === '') continue;
    markText(folded, Array.from(term), marked);
    if (/^[a-z]{2,}$/.test(term)) markPinyin(folded, (pinyin ??= charSyllables(folded)), term, marked);
  }
  let html = '';
  chars.forEach((char, i) => {
    if (marked[i] && !marked[i - 1]) html += '<em>';
    html += escapeHtml(char);
    if (marked[i] && !marked[i + 1]) html += '</em>';
  });
  return html;
}

function markText(chars: readonly string[], term: readonly string[], marked: boolean[]): void {
  for (let start = 0; start + term.length <= chars.length; start++) {
    if (term.every((char, i) => chars[start + i] === char)) marked.fill(true, start, start + term.length);
  }
}

/** Pinyin of each character ('' for non-Han), read word by word so polyphones come out right. */
function charSyllables(chars: readonly string[]): string[] {
  const result = chars.map(() => '');
  let start = 0;
  while (start < chars.length) {
    if (!isHan(chars[start] ?? '')) {
      start++;
      continue;
    }
    let end = start;
    while (end < chars.length && isHan(chars[end] ?? '')) end++;
    syllables(chars.slice(start, end).join('')).forEach((syllable, i) => (result[start + i] = syllable));
    start = end;
  }
  return result;
}

/** Marks Han characters whose joined pinyin equals the term or starts with it ending inside the last syllable, or whose initials equal it. */
function markPinyin(
  chars: readonly string[],
  pinyin: readonly string[],
  term: string,
  marked: boolean[],
): void {
  for (let start = 0; start < chars.length; start++) {
    let full = '';
    let initials = '';
    for (let end = start; end < chars.length && pinyin[end]; end++) {
      full += pinyin[end];
      initials += pinyin[end]?.charAt(0) ?? '';
      if (full.startsWith(term) || initials === term) {
        marked.fill(true, start, end + 1);
        break;
      }
      if (!term.startsWith(full) && !term.startsWith(initials)) break;
    }
  }
}
