import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import fontkit from '@pdf-lib/fontkit';
import jsQR from 'jsqr';
import {
  decodePDFRawStream,
  PDFArray,
  PDFDict,
  PDFName,
  type PDFDocument,
  type PDFPage,
  type PDFRawStream,
  type PDFRef,
} from 'pdf-lib';

/*
 * Reading back the PDFs Tongban renders (case documents, licences) with npm packages alone:
 * pdf-lib re-opens the file, content streams are inflated, text is decoded through each
 * font's ToUnicode CMap, glyphs are compared with the original font file, and QR code
 * images are decoded with jsQR.
 */

const require = createRequire(import.meta.url);

/** The font files the renderer embeds, parsed here to compare glyph outlines with. */
export const sourceFonts = {
  regular: fontkit.create(
    readFileSync(require.resolve('@expo-google-fonts/noto-serif-sc/400Regular/NotoSerifSC_400Regular.ttf')),
  ),
  bold: fontkit.create(
    readFileSync(require.resolve('@expo-google-fonts/noto-serif-sc/700Bold/NotoSerifSC_700Bold.ttf')),
  ),
};

export const latin1 = (bytes: Uint8Array) => Buffer.from(bytes).toString('latin1');
export const inflate = (stream: PDFRawStream) => decodePDFRawStream(stream).decode();

/** code -> text, from a ToUnicode CMap's bfchar and bfrange entries. */
export function parseToUnicode(cmap: string): Map<number, string> {
  const map = new Map<number, string>();
  const utf16 = (hex: string) =>
    String.fromCharCode(...(hex.match(/.{4}/g) ?? []).map((unit) => parseInt(unit, 16)));
  for (const [, block] of cmap.matchAll(/beginbfchar([\s\S]*?)endbfchar/g)) {
    for (const [, code, text] of block!.matchAll(/<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>/g)) {
      map.set(parseInt(code!, 16), utf16(text!));
    }
  }
  for (const [, block] of cmap.matchAll(/beginbfrange([\s\S]*?)endbfrange/g)) {
    for (const [, from, to, text] of block!.matchAll(
      /<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>/g,
    )) {
      for (let code = parseInt(from!, 16), i = 0; code <= parseInt(to!, 16); code++, i++) {
        map.set(code, String.fromCharCode(parseInt(text!, 16) + i));
      }
    }
  }
  return map;
}

/** An embedded font as read back: its CMap, its subset font file, and its face. */
export interface EmbeddedFont {
  cmap: Map<number, string>;
  subset: fontkit.Font;
  bold: boolean;
}

/** The fonts of a page's resources, by resource name (/F1). */
export function pageFonts(doc: PDFDocument, page: PDFPage): Map<string, EmbeddedFont> {
  const fonts = new Map<string, EmbeddedFont>();
  for (const [name, ref] of page.node.Resources()!.lookup(PDFName.of('Font'), PDFDict).entries()) {
    const font = doc.context.lookup(ref as PDFRef, PDFDict);
    const descendant = font.lookup(PDFName.of('DescendantFonts'), PDFArray).lookup(0, PDFDict);
    const file = descendant.lookup(PDFName.of('FontDescriptor'), PDFDict).lookup(PDFName.of('FontFile2'));
    fonts.set(name.asString(), {
      cmap: parseToUnicode(latin1(inflate(font.lookup(PDFName.of('ToUnicode')) as PDFRawStream))),
      subset: fontkit.create(inflate(file as PDFRawStream)),
      bold: font.get(PDFName.of('BaseFont'))!.toString().includes('Bold'),
    });
  }
  return fonts;
}

/** A page's content streams, inflated and joined. */
export function pageContent(doc: PDFDocument, page: PDFPage): string {
  const contents = page.node.Contents()!;
  const streams =
    contents instanceof PDFArray
      ? contents.asArray().map((ref) => doc.context.lookup(ref) as PDFRawStream)
      : [contents as PDFRawStream];
  return streams.map((stream) => latin1(inflate(stream))).join('\n');
}

/**
 * Whether the glyph `cid` of an embedded font has the same outline as `char` in the original
 * font file: a CMap can be right while a broken subset draws blanks.
 */
export function glyphIsFaithful(font: EmbeddedFont, cid: number, char: string): boolean {
  const source = font.bold ? sourceFonts.bold : sourceFonts.regular;
  const expected = source.glyphForCodePoint(char.codePointAt(0)!).path.toSVG();
  return expected !== '' && font.subset.getGlyph(cid).path.toSVG() === expected;
}

/** The text of the QR code in an RGB image XObject, or null when there is none. */
export function decodeQrImage(image: PDFRawStream): string | null {
  const width = Number(image.dict.get(PDFName.of('Width'))!.toString());
  const height = Number(image.dict.get(PDFName.of('Height'))!.toString());
  const rgb = inflate(image);
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    rgba.set([rgb[3 * i]!, rgb[3 * i + 1]!, rgb[3 * i + 2]!, 255], 4 * i);
  }
  const decode = jsQR as unknown as (d: Uint8ClampedArray, w: number, h: number) => { data: string } | null;
  return decode(rgba, width, height)?.data ?? null;
}
