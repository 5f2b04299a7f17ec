/**
 * What a file really is, from its bytes rather than its name: the few formats that
 * government materials come in (PDF, OFD, JPEG, PNG, DOCX, XLSX), and the kinds that
 * must never be accepted because a browser or a desktop could run them (programs,
 * HTML, SVG, Office macros). A small table of magic numbers, no dependency.
 */

/** The media types a material file may have; anything else is refused at upload. */
export const MEDIA_TYPES = {
  pdf: 'application/pdf',
  ofd: 'application/ofd',
  jpeg: 'image/jpeg',
  png: 'image/png',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
} as const;

export type MaterialMediaType = (typeof MEDIA_TYPES)[keyof typeof MEDIA_TYPES];

/** Every material media type, e.g. as the default `allowed` list of an upload. */
export const ALL_MEDIA_TYPES: readonly MaterialMediaType[] = Object.values(MEDIA_TYPES);

export interface SniffedType {
  mediaType: MaterialMediaType;
  /** The canonical file-name extension, without the dot. */
  extension: string;
}

/** File-name extensions (lower case, no dot) that agree with each media type; the first is canonical. */
export const EXTENSIONS: Record<MaterialMediaType, readonly string[]> = {
  [MEDIA_TYPES.pdf]: ['pdf'],
  [MEDIA_TYPES.ofd]: ['ofd'],
  [MEDIA_TYPES.jpeg]: ['jpg', 'jpeg', 'jpe'],
  [MEDIA_TYPES.png]: ['png'],
  [MEDIA_TYPES.docx]: ['docx'],
  [MEDIA_TYPES.xlsx]: ['xlsx'],
};

/** Other spellings of the media types that clients send in Content-Type. */
const MEDIA_TYPE_ALIASES: Record<string, MaterialMediaType> = {
  'application/x-pdf': MEDIA_TYPES.pdf,
  'application/x-ofd': MEDIA_TYPES.ofd,
  'image/jpg': MEDIA_TYPES.jpeg,
  'image/pjpeg': MEDIA_TYPES.jpeg,
  'image/x-png': MEDIA_TYPES.png,
};

/** A content type that says nothing about the content (the client did not know). */
const UNINFORMATIVE_TYPES = new Set([
  'application/octet-stream',
  'binary/octet-stream',
  'application/x-download',
  'application/download',
  'application/force-download',
  'application/unknown',
  'application/zip',
  'application/x-zip-compressed',
]);

/** Kinds of content refused whatever the name: each can run code when opened or displayed. */
export type DangerousKind = 'executable' | 'script' | 'html' | 'svg' | 'macro';

export type Classification =
  | { kind: 'material'; type: SniffedType }
  | { kind: 'dangerous'; dangerous: DangerousKind }
  | { kind: 'unknown' };

/** Bytes from the start of a file that sniffing looks at. */
export const SNIFF_HEAD_BYTES = 64 * 1024;
/** Bytes from the end of a file kept for sniffing: a ZIP's central directory (entry names) is there. */
export const SNIFF_TAIL_BYTES = 256 * 1024;

const typeOf = (mediaType: MaterialMediaType): SniffedType => ({
  mediaType,
  extension: EXTENSIONS[mediaType][0]!,
});

const startsWith = (bytes: Uint8Array, prefix: readonly number[], offset = 0) =>
  bytes.length >= offset + prefix.length && prefix.every((b, i) => bytes[offset + i] === b);

const PDF = [0x25, 0x50, 0x44, 0x46, 0x2d]; // %PDF-
const JPEG = [0xff, 0xd8, 0xff];
const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const ZIP_LOCAL = [0x50, 0x4b, 0x03, 0x04];

/**
 * The material type of a file from its first bytes (`head`, at least the first
 * SNIFF_HEAD_BYTES when the file is longer) and, for ZIP-based formats whose entry
 * list sits at the end, its last bytes (`tail`). Null when it is none of the material
 * types, including every dangerous kind.
 */
export function sniff(head: Uint8Array, tail?: Uint8Array): SniffedType | null {
  const result = classify(head, tail);
  return result.kind === 'material' ? result.type : null;
}

/** Like `sniff`, but says why a file is refused: dangerous (and which kind) or merely unknown. */
export function classify(head: Uint8Array, tail?: Uint8Array): Classification {
  if (startsWith(head, PDF)) return material(MEDIA_TYPES.pdf);
  if (startsWith(head, PNG)) return material(MEDIA_TYPES.png);
  if (startsWith(head, JPEG)) return material(MEDIA_TYPES.jpeg);
  if (startsWith(head, ZIP_LOCAL)) return classifyZip(zipEntryNames(head, tail));
  const dangerous = dangerousKind(head);
  return dangerous ? { kind: 'dangerous', dangerous } : { kind: 'unknown' };
}

const material = (mediaType: MaterialMediaType): Classification => ({
  kind: 'material',
  type: typeOf(mediaType),
});

function classifyZip(names: Set<string>): Classification {
  const lower = [...names].map((n) => n.toLowerCase());
  // Office documents with VBA carry it in vbaProject.bin, whatever the extension says.
  if (lower.some((n) => n.endsWith('vbaproject.bin'))) return { kind: 'dangerous', dangerous: 'macro' };
  // OFD (GB/T 33190): the package's entry file OFD.xml sits at the root.
  if (lower.includes('ofd.xml')) return material(MEDIA_TYPES.ofd);
  if (names.has('[Content_Types].xml')) {
    if (lower.some((n) => n.startsWith('word/'))) return material(MEDIA_TYPES.docx);
    if (lower.some((n) => n.startsWith('xl/'))) return material(MEDIA_TYPES.xlsx);
  }
  return { kind: 'unknown' };
}

/**
 * Entry names found in a ZIP's local file headers (in `head`) and central directory
 * records (in `tail`, and in `head` for a small file). Reading the headers where they
 * are found, rather than walking the archive, also works when entries use data
 * descriptors (sizes unknown in the local header) or the file is cut off.
 */
export function zipEntryNames(head: Uint8Array, tail?: Uint8Array): Set<string> {
  const names = new Set<string>();
  for (const part of tail ? [head, tail] : [head]) {
    const bytes = Buffer.from(part.buffer, part.byteOffset, part.byteLength);
    collect(bytes, Buffer.from([0x50, 0x4b, 0x03, 0x04]), 26, 30, names);
    collect(bytes, Buffer.from([0x50, 0x4b, 0x01, 0x02]), 28, 46, names);
  }
  return names;
}

function collect(bytes: Buffer, signature: Buffer, lengthAt: number, nameAt: number, names: Set<string>) {
  for (let at = bytes.indexOf(signature); at >= 0; at = bytes.indexOf(signature, at + 4)) {
    if (at + nameAt > bytes.length) break;
    const length = bytes.readUInt16LE(at + lengthAt);
    if (length === 0 || at + nameAt + length > bytes.length) continue;
    names.add(bytes.toString('utf8', at + nameAt, at + nameAt + length));
  }
}

const EXECUTABLE_MAGIC: readonly (readonly number[])[] = [
  [0x4d, 0x5a], // MZ: Windows PE / DOS
  [0x7f, 0x45, 0x4c, 0x46], // ELF
  [0xfe, 0xed, 0xfa, 0xce], // Mach-O 32
  [0xfe, 0xed, 0xfa, 0xcf], // Mach-O 64
  [0xce, 0xfa, 0xed, 0xfe], // Mach-O 32, little-endian
  [0xcf, 0xfa, 0xed, 0xfe], // Mach-O 64, little-endian
  [0xca, 0xfe, 0xba, 0xbe], // Mach-O universal / Java class
  [0x00, 0x61, 0x73, 0x6d], // WebAssembly
];

/** The HTML tags that make browsers treat a document as HTML (WHATWG MIME Sniffing, "HTML" patterns). */
const HTML_TAGS = [
  '!doctype html',
  'html',
  'head',
  'script',
  'iframe',
  'h1',
  'div',
  'font',
  'table',
  'a',
  'style',
  'title',
  'b',
  'body',
  'br',
  'p',
  '!--',
];

function dangerousKind(head: Uint8Array): DangerousKind | null {
  if (EXECUTABLE_MAGIC.some((magic) => startsWith(head, magic))) return 'executable';
  const text = leadingText(head);
  if (text.startsWith('#!')) return 'script';
  const lower = text.trimStart().toLowerCase();
  if (!lower.startsWith('<')) return null;
  // SVG: an XML document whose root is <svg>, possibly after a prolog, comments or a doctype.
  if (/<svg[\s>/]/.test(lower)) return 'svg';
  for (const tag of HTML_TAGS) {
    if (lower.startsWith(`<${tag}`)) {
      const next = lower.charAt(tag.length + 1);
      if (tag === '!--' || next === '' || next === '>' || /\s/.test(next)) return 'html';
    }
  }
  // Any other markup (XHTML, XML with scripts) is refused too, as unknown.
  return /<(?:html|script|body|iframe)[\s>/]/.test(lower) ? 'html' : null;
}

/** The first kilobytes as text, after a UTF-8 or UTF-16 byte-order mark. */
function leadingText(head: Uint8Array): string {
  const bytes = Buffer.from(head.buffer, head.byteOffset, Math.min(head.byteLength, 4096));
  if (startsWith(bytes, [0xef, 0xbb, 0xbf])) return bytes.toString('utf8', 3);
  if (startsWith(bytes, [0xff, 0xfe])) return bytes.toString('utf16le', 2);
  if (startsWith(bytes, [0xfe, 0xff])) {
    const even = Buffer.from(bytes.subarray(2, 2 + ((bytes.length - 2) & ~1)));
    return even.swap16().toString('utf16le');
  }
  return bytes.toString('utf8');
}

/**
 * The media type a client declared (a Content-Type value), lower case without
 * parameters and with aliases resolved; null when it says nothing about the content
 * (absent, application/octet-stream, a bare ZIP type).
 */
export function declaredMediaType(contentType: string | undefined): string | null {
  const type = contentType?.split(';')[0]?.trim().toLowerCase();
  if (!type || UNINFORMATIVE_TYPES.has(type)) return null;
  return MEDIA_TYPE_ALIASES[type] ?? type;
}

/** Whether `extension` (lower case, no dot) is a right one for `mediaType`. */
export function extensionAgrees(mediaType: MaterialMediaType, extension: string): boolean {
  return EXTENSIONS[mediaType].includes(extension);
}
