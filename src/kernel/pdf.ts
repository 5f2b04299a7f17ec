/**
 * The shared parts of the PDFs Tongban renders (case documents, licences): a document with
 * the Chinese fonts embedded, text measuring and line breaking for Chinese with embedded
 * Latin, QR codes, and the date as printed on official papers.
 *
 * Font: Noto Serif SC (SIL Open Font License 1.1) from the npm package
 * `@expo-google-fonts/noto-serif-sc`, regular and bold, embedded as subsets (only the
 * glyphs used). The font files are read and parsed once per process.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import fontkit from '@pdf-lib/fontkit';
import {
  PDFDocument,
  setCharacterSpacing,
  type PDFFont,
  type PDFImage,
  type PDFPage,
  type RGB,
} from 'pdf-lib';
import QRCode from 'qrcode';
import { chinaDateOf } from './calendar/index.ts';

// ---------------------------------------------------------------------------------------
// Fonts: read once, parsed once, embedded as a subset into each document.

const require = createRequire(import.meta.url);
const FONT_FILES = {
  regular: '@expo-google-fonts/noto-serif-sc/400Regular/NotoSerifSC_400Regular.ttf',
  bold: '@expo-google-fonts/noto-serif-sc/700Bold/NotoSerifSC_700Bold.ttf',
} as const;
export type FontName = keyof typeof FONT_FILES;
/** The fonts embedded in a document made by `newDocument`. */
export type Fonts = Record<FontName, PDFFont>;
type FontBytes = Record<FontName, Uint8Array>;

let fontBytes: Promise<FontBytes> | undefined;

/** The font files, read on first use; a failed read is retried on the next call. */
function loadFonts(): Promise<FontBytes> {
  fontBytes ??= (async () => {
    const [regular, bold] = await Promise.all([
      readFile(require.resolve(FONT_FILES.regular)),
      readFile(require.resolve(FONT_FILES.bold)),
    ]);
    return { regular: new Uint8Array(regular), bold: new Uint8Array(bold) };
  })().catch((error: unknown) => {
    fontBytes = undefined;
    throw error;
  });
  return fontBytes;
}

type Fontkit = Parameters<PDFDocument['registerFontkit']>[0];
type FontkitFont = ReturnType<Fontkit['create']>;

/** The parts of fontkit's (private) TrueType subsetter that `padGlyphs` touches. */
interface TrueTypeSubsetInternals {
  _addGlyph(gid: number): number;
  glyf?: { length: number; [index: number]: number; constructor: unknown }[];
  offset: number;
}
type FontkitBuffer = NonNullable<TrueTypeSubsetInternals['glyf']>[number];

/**
 * Works around a bug in @pdf-lib/fontkit 1.1: its TrueType subsetter copies each glyph's
 * bytes as they are and writes the short `loca` format (offsets / 2) whenever the subset is
 * under 128 KB. Noto Serif SC has 15,315 glyphs of odd length, so every glyph after the
 * first odd one was read from the wrong offset and most characters came out blank. Padding
 * each copied glyph to an even length (what the TrueType spec asks for) keeps the offsets
 * exact. The subsetter's buffer class is its own bundled one, so the padding is built with it.
 */
function padGlyphs(font: FontkitFont): FontkitFont {
  const createSubset = font.createSubset.bind(font);
  font.createSubset = () => {
    const subset = createSubset();
    const internals = subset as unknown as TrueTypeSubsetInternals;
    if (typeof internals._addGlyph !== 'function') return subset; // a CFF font: nothing to pad
    const addGlyph = internals._addGlyph;
    internals._addGlyph = function (this: TrueTypeSubsetInternals, gid: number) {
      const index = addGlyph.call(this, gid);
      const glyphs = this.glyf;
      const last = glyphs?.[glyphs.length - 1];
      if (glyphs && last && last.length % 2 === 1) {
        const Buffer = last.constructor as { alloc(size: number): FontkitBuffer };
        const padded = Buffer.alloc(last.length + 1);
        for (let i = 0; i < last.length; i++) padded[i] = last[i]!;
        glyphs[glyphs.length - 1] = padded;
        this.offset += 1;
      }
      return index;
    };
    return subset;
  };
  return font;
}

/**
 * fontkit with a memory: pdf-lib parses the font bytes for every document it embeds them
 * in; parsing a 15 MB CJK font each time costs more than laying out the whole document. A
 * parsed font is only read from (each subset is a new object), so one is shared.
 */
const parsedFonts = new WeakMap<Uint8Array, FontkitFont>();
const cachingFontkit: Fontkit = {
  create(bytes, postscriptName) {
    let font = parsedFonts.get(bytes);
    if (!font) {
      font = padGlyphs(fontkit.create(bytes, postscriptName));
      parsedFonts.set(bytes, font);
    }
    return font;
  },
};

/** Which face an embedded font is, so that measured widths are shared across documents. */
const faceOf = new WeakMap<PDFFont, FontName>();

/**
 * A new PDF with Noto Serif SC regular and bold embedded as subsets. Metadata is left to the
 * caller (`updateMetadata: false`): pdf-lib would otherwise stamp the clock into it, and a
 * rendered document must be the same bytes for the same input.
 */
export async function newDocument(): Promise<{ doc: PDFDocument; fonts: Fonts }> {
  const bytes = await loadFonts();
  const doc = await PDFDocument.create({ updateMetadata: false });
  doc.registerFontkit(cachingFontkit);
  const [regular, bold] = await Promise.all([
    doc.embedFont(bytes.regular, { subset: true }),
    doc.embedFont(bytes.bold, { subset: true }),
  ]);
  faceOf.set(regular, 'regular');
  faceOf.set(bold, 'bold');
  return { doc, fonts: { regular, bold } };
}

// ---------------------------------------------------------------------------------------
// Measuring and line breaking for Chinese with embedded Latin (numbers, codes, URLs).

/** A font at a size. */
export interface TextStyle {
  font: PDFFont;
  size: number;
}

/** Advance widths at size 1, per face and character: measuring is the hot path of layout. */
const faceWidths = new Map<string, number>();
/** For a font not made by `newDocument`: its own widths, gone with the font. */
const otherWidths = new WeakMap<PDFFont, Map<string, number>>();

function widthsOf(font: PDFFont): { widths: Map<string, number>; prefix: string } {
  const face = faceOf.get(font);
  if (face) return { widths: faceWidths, prefix: face };
  let widths = otherWidths.get(font);
  if (!widths) otherWidths.set(font, (widths = new Map()));
  return { widths, prefix: '' };
}

/** The advance width of `text` in points. */
export function measure(text: string, style: TextStyle): number {
  const { widths, prefix } = widthsOf(style.font);
  let width = 0;
  for (const ch of text) {
    const key = prefix + ch;
    let w = widths.get(key);
    if (w === undefined) {
      w = style.font.widthOfTextAtSize(ch, 1);
      widths.set(key, w);
    }
    width += w;
  }
  return width * style.size;
}

/** Tabs become spaces; other control characters (a PDF text run cannot show them) are dropped. */
export const printable = (text: string) =>
  // eslint-disable-next-line no-control-regex -- removing control characters is the point
  text.replace(/\t/g, ' ').replace(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]/g, '');

/** Characters that must not begin a line (避头): they hang into the margin instead. */
const NO_LINE_START = new Set('，。、；：！？）》」』”’〕】〉…—·%,.;:!?)]}');
/** Characters that must not end a line (避尾): they move down with the next character. */
const NO_LINE_END = new Set('（《「『“‘〔【〈([{');
/** A run of Latin letters, digits and URL punctuation is kept together when it fits on a line. */
const TOKEN = /[A-Za-z0-9@#$&*+\-_=/\\.:?~%]+|\s|./gsu;

/**
 * Breaks `text` into lines no wider than `width` (the first line `firstIndent` narrower):
 * between any two Chinese characters, between Latin runs, never before a closing mark
 * (which hangs into the margin) nor after an opening one. A Latin run longer than a line
 * (a URL) is broken where the line is full.
 */
export function wrap(text: string, style: TextStyle, width: number, firstIndent = 0): string[] {
  const tokens = printable(text).match(TOKEN) ?? [];
  const lines: string[] = [];
  let line = '';
  let lineWidth = 0;
  let room = width - firstIndent;
  const breakLine = () => {
    // Keep an opening bracket or quote with what follows it.
    let carry = '';
    while (line.length > 1 && NO_LINE_END.has(line.at(-1)!)) {
      carry = line.at(-1)! + carry;
      line = line.slice(0, -1);
    }
    lines.push(line.trimEnd());
    line = carry;
    lineWidth = measure(carry, style);
    room = width;
  };
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (/^\s$/u.test(token) && line === '') continue;
    const w = measure(token, style);
    if (lineWidth + w <= room || (NO_LINE_START.has(token) && line !== '')) {
      line += token;
      lineWidth += w;
      continue;
    }
    const chars = [...token];
    if (chars.length > 1 && (w > width || line.trim() === '')) {
      // A Latin run longer than a whole line (a long URL): break it where the line is full.
      tokens.splice(i, 1, ...chars);
      i--;
      continue;
    }
    if (line.trim() === '') {
      // One character wider than the room left: it goes here all the same.
      line += token;
      lineWidth += w;
      continue;
    }
    breakLine();
    if (/^\s$/u.test(token)) continue;
    line += token;
    lineWidth += w;
  }
  if (line.trim() !== '' || lines.length === 0) lines.push(line.trimEnd());
  return lines;
}

/**
 * The character spacing that makes `line` fill `width` (两端对齐), or 0 when that would
 * squeeze it too tight or leave it gaping (a line of long Latin runs stays ragged).
 */
export function justifiedSpacing(line: string, style: TextStyle, width: number): number {
  const spread = (width - measure(line, style)) / Math.max([...line].length - 1, 1);
  return spread > -0.2 * style.size && spread < 0.5 * style.size ? spread : 0;
}

/** Height of a CJK character's visual centre above its baseline, in ems (the centre of the ideographic em box). */
const CENTRE_ABOVE_BASELINE = 0.38;

/**
 * Where a run of text `width` wide at `size`, turned counter-clockwise by `turn` radians, must
 * start (its baseline origin, what drawText takes) for its visual centre to fall on (x, y).
 */
export function originForCentre(
  x: number,
  y: number,
  width: number,
  size: number,
  turn: number,
): { x: number; y: number } {
  const dx = -width / 2;
  const dy = -CENTRE_ABOVE_BASELINE * size;
  return {
    x: x + dx * Math.cos(turn) - dy * Math.sin(turn),
    y: y + dx * Math.sin(turn) + dy * Math.cos(turn),
  };
}

/** Draws one line of text; `spacing` is added after every character but the last. */
export function drawLine(
  page: PDFPage,
  line: string,
  x: number,
  baseline: number,
  style: TextStyle,
  color: RGB,
  spacing = 0,
): void {
  if (line === '') return;
  if (spacing !== 0) page.pushOperators(setCharacterSpacing(spacing));
  page.drawText(line, { x, y: baseline, size: style.size, font: style.font, color });
  if (spacing !== 0) page.pushOperators(setCharacterSpacing(0));
}

// ---------------------------------------------------------------------------------------
// QR codes and dates.

/** A QR code embedded as an image, with its quiet zone (white border) measured in modules. */
export interface QrCodeImage {
  image: PDFImage;
  /** Modules across the whole image, quiet zone included. */
  modules: number;
  /** Modules of quiet zone on each side. */
  quietZone: number;
}

/**
 * `text` as a QR code image (error correction M), with the quiet zone of 4 modules that
 * ISO/IEC 18004 asks for. A caller that wants the dark modules lined up with its text
 * shifts the image by `size * quietZone / modules`.
 */
export async function embedQrCode(doc: PDFDocument, text: string): Promise<QrCodeImage> {
  const quietZone = 4;
  const modules = QRCode.create(text, { errorCorrectionLevel: 'M' }).modules.size + 2 * quietZone;
  const image = await doc.embedPng(
    await QRCode.toBuffer(text, { type: 'png', errorCorrectionLevel: 'M', margin: quietZone, scale: 8 }),
  );
  return { image, modules, quietZone };
}

/**
 * 2026年11月22日: the China date of an instant, or of a calendar date given as YYYY-MM-DD
 * (taken as it is, with no time zone to apply).
 */
export function chineseDate(date: Date | string): string {
  const day = typeof date === 'string' ? date : chinaDateOf(date);
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!match) throw new RangeError(`chineseDate: not a date: ${day}`);
  return `${Number(match[1])}年${Number(match[2])}月${Number(match[3])}日`;
}
