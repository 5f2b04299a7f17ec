/**
 * Uploaded files (application materials): accepted through one gate that streams the
 * bytes with a size limit, hashes them (SHA-256 is the file's address), checks that the
 * file is what its name and declared type say, refuses types not allowed, stores the
 * bytes once however often they arrive, and records who uploaded what under which name.
 *
 * Tables (migrations/0012_files.sql): `stored_file` (one row per distinct content) and
 * `file_upload` (one row per upload, pointing at its content).
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { FastifyRequest } from 'fastify';
import type { Queryable } from '../db.ts';
import {
  AppError,
  fieldError,
  textFieldError,
  validationError,
  type FieldError,
  type ProblemCode,
} from '../errors.ts';
import type { App } from '../http.ts';
import { defineMessages, text } from '../i18n.ts';
import {
  classify,
  declaredMediaType,
  extensionAgrees,
  MEDIA_TYPES,
  SNIFF_HEAD_BYTES,
  SNIFF_TAIL_BYTES,
  type DangerousKind,
  type MaterialMediaType,
  type SniffedType,
} from './sniff.ts';
import { LocalDiskStorage, type FileStorage } from './storage.ts';

export * from './sniff.ts';
export * from './storage.ts';

defineMessages({
  'files.maxBytes': { zh: '文件不能超过{limit}', en: 'must be at most {limit}' },
  'files.empty': { zh: '文件为空', en: 'is empty' },
  'files.contentMismatch': {
    zh: '文件内容为{actual}，与文件名或声明的类型（{declared}）不符',
    en: 'contains {actual}, which does not match its name or declared type ({declared})',
  },
  'files.typeNotAllowed': {
    zh: '不支持{actual}文件，允许的类型：{allowed}',
    en: 'is {actual}, which is not allowed here; allowed: {allowed}',
  },
  'files.typeUnknown': {
    zh: '无法识别文件类型，允许的类型：{allowed}',
    en: 'is of an unrecognised type; allowed: {allowed}',
  },
  'files.dangerous.executable': {
    zh: '不允许上传可执行程序',
    en: 'is an executable program, which is refused',
  },
  'files.dangerous.script': { zh: '不允许上传脚本文件', en: 'is a script, which is refused' },
  'files.dangerous.html': { zh: '不允许上传网页文件', en: 'is an HTML page, which is refused' },
  'files.dangerous.svg': {
    zh: '不允许上传SVG图像（可能含脚本），请转为PNG或JPEG',
    en: 'is an SVG image (it may carry scripts), which is refused; convert it to PNG or JPEG',
  },
  'files.dangerous.macro': {
    zh: '不允许上传含宏的文档，请另存为不含宏的格式',
    en: 'is a document with macros, which is refused; save it without macros',
  },
  'files.notAFile': {
    zh: '请以文件内容作为请求体上传',
    en: 'must be sent as the raw request body',
  },
  'files.filenameRequired': {
    zh: '缺少文件名（Content-Disposition 请求头）',
    en: 'is missing (Content-Disposition header)',
  },
});

/** Human names of the material types, for messages. */
export const MEDIA_TYPE_LABELS: Record<MaterialMediaType, string> = {
  [MEDIA_TYPES.pdf]: 'PDF',
  [MEDIA_TYPES.ofd]: 'OFD',
  [MEDIA_TYPES.jpeg]: 'JPEG',
  [MEDIA_TYPES.png]: 'PNG',
  [MEDIA_TYPES.docx]: 'Word (DOCX)',
  [MEDIA_TYPES.xlsx]: 'Excel (XLSX)',
};

/** Longest stored file name, in characters. */
export const FILENAME_MAX_LENGTH = 200;

/** The field named in upload errors. */
const FIELD = 'file';

export interface UploadLimits {
  /** Largest accepted size in bytes; one byte more is refused (413) without reading the rest. */
  maxBytes: number;
  /** Media types accepted here (a material's allowed formats). */
  allowed: readonly MaterialMediaType[];
}

export interface UploadInput {
  /** The name the client gave; sanitised before use (see sanitiseFilename). */
  filename: string;
  /** The Content-Type the client declared; when informative it must agree with the content. */
  declaredType?: string | undefined;
  /**
   * The bytes. A stream is read only as far as needed: on a breach of `maxBytes` it is
   * left unconsumed and undestroyed for its owner (Fastify closes the request itself).
   */
  data: Buffer | Readable | AsyncIterable<Uint8Array>;
  limits: UploadLimits;
}

/** A file that passed every check and whose bytes are in the storage. */
export interface ReceivedFile {
  sha256: string;
  size: number;
  mediaType: MaterialMediaType;
  /** Sanitised; carries an extension that agrees with `mediaType`. */
  filename: string;
}

/** One recorded upload (a `file_upload` row). */
export interface FileUpload extends ReceivedFile {
  id: string;
  /** Account id of the uploader; null for a system upload. */
  uploadedBy: string | null;
  uploadedAt: Date;
}

export interface AcceptedUpload extends FileUpload {
  /** True when these bytes had never been uploaded before (a new `stored_file`). */
  firstSeen: boolean;
}

export interface ReceiveOptions {
  /** Folder for the bytes while they are checked; default: the storage's temporary folder or the OS's. */
  stagingDir?: string | undefined;
}

export interface FileContext extends ReceiveOptions {
  db: Queryable;
  storage: FileStorage;
}

/**
 * Receives, checks, stores and records one upload. The bytes are stored before the
 * rows are written, so a row always has its blob. Runs its two inserts on `db`: pass
 * a transaction to record the upload with other changes, but receive the bytes
 * (receiveUpload) before opening it when the upload is slow.
 */
export async function acceptUpload(
  context: FileContext,
  input: UploadInput & { uploadedBy: string | null },
): Promise<AcceptedUpload> {
  const file = await receiveUpload(context.storage, input, context);
  return recordUpload(context.db, file, input.uploadedBy);
}

/**
 * Streams the upload to a staging file while counting, hashing and keeping its first
 * and last bytes; then sniffs the content, checks name, declared type and allowed types,
 * and moves the bytes into `storage` unless the same content is already there.
 * Throws AppErrors naming field `file`: 413 payload_too_large (rule maxBytes),
 * 415 unsupported_media_type (rule type), 422 unprocessable (rules contentMismatch, empty).
 */
export async function receiveUpload(
  storage: FileStorage,
  input: UploadInput,
  options: ReceiveOptions = {},
): Promise<ReceivedFile> {
  const { limits } = input;
  if (Buffer.isBuffer(input.data)) {
    if (input.data.length > limits.maxBytes) throw tooLarge(limits.maxBytes);
    const sha256 = createHash('sha256').update(input.data).digest('hex');
    const head = input.data.subarray(0, SNIFF_HEAD_BYTES);
    const tail = input.data.subarray(Math.max(0, input.data.length - SNIFF_TAIL_BYTES));
    const checked = check(input, input.data.length, head, tail);
    if (!(await storage.has(sha256))) await storage.put(sha256, input.data);
    return { sha256, size: input.data.length, ...checked };
  }

  const stagingDir =
    options.stagingDir ??
    (storage instanceof LocalDiskStorage ? storage.temporaryDir : path.join(tmpdir(), 'tongban-uploads'));
  await mkdir(stagingDir, { recursive: true, mode: 0o750 });
  const staged = path.join(stagingDir, `upload-${randomBytes(12).toString('hex')}`);
  const out = await open(staged, 'wx', 0o600);
  try {
    const hash = createHash('sha256');
    const head = new Collector();
    const tail = new Collector();
    let size = 0;
    const source =
      input.data instanceof Readable ? input.data.iterator({ destroyOnReturn: false }) : input.data;
    for await (const chunk of source as AsyncIterable<Uint8Array | string>) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      size += bytes.length;
      if (size > limits.maxBytes) throw tooLarge(limits.maxBytes);
      hash.update(bytes);
      head.keepFirst(bytes, SNIFF_HEAD_BYTES);
      tail.keepLast(bytes, SNIFF_TAIL_BYTES);
      await out.write(bytes);
    }
    await out.close();
    const sha256 = hash.digest('hex');
    const checked = check(input, size, head.bytes(), tail.bytes().subarray(-SNIFF_TAIL_BYTES));
    if (!(await storage.has(sha256))) await storage.put(sha256, createReadStream(staged));
    return { sha256, size, ...checked };
  } finally {
    await out.close().catch(() => {});
    await rm(staged, { force: true });
  }
}

/** Records a received file: its content once (`stored_file`), and this upload (`file_upload`). */
export async function recordUpload(
  db: Queryable,
  file: ReceivedFile,
  uploadedBy: string | null,
): Promise<AcceptedUpload> {
  const inserted = await db.query(
    `insert into stored_file (sha256, size, media_type) values ($1, $2, $3)
     on conflict (sha256) do nothing returning sha256`,
    [file.sha256, file.size, file.mediaType],
  );
  const [row] = await db.query<{ id: string; uploaded_at: Date }>(
    `insert into file_upload (sha256, filename, media_type, size, uploaded_by)
     values ($1, $2, $3, $4, $5) returning id, uploaded_at`,
    [file.sha256, file.filename, file.mediaType, file.size, uploadedBy],
  );
  return { ...file, id: row!.id, uploadedBy, uploadedAt: row!.uploaded_at, firstSeen: inserted.length > 0 };
}

/** One recorded upload by id, or null. */
export async function getUpload(db: Queryable, id: string): Promise<FileUpload | null> {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) return null;
  const [row] = await db.query<{
    id: string;
    sha256: string;
    size: number;
    media_type: MaterialMediaType;
    filename: string;
    uploaded_by: string | null;
    uploaded_at: Date;
  }>(
    `select id, sha256, size, media_type, filename, uploaded_by, uploaded_at from file_upload where id = $1`,
    [id],
  );
  if (!row) return null;
  return {
    id: row.id,
    sha256: row.sha256,
    size: row.size,
    mediaType: row.media_type,
    filename: row.filename,
    uploadedBy: row.uploaded_by,
    uploadedAt: row.uploaded_at,
  };
}

/** The checks on content and name; returns the media type and the name to store. */
function check(
  input: UploadInput,
  size: number,
  head: Uint8Array,
  tail: Uint8Array,
): { mediaType: MaterialMediaType; filename: string } {
  const allowed = input.limits.allowed;
  const allowedText = allowed.map((t) => MEDIA_TYPE_LABELS[t]).join(', ');
  if (size === 0) throw problem('unprocessable', 'empty', text('files.empty'));
  const found = classify(head, tail);
  if (found.kind === 'dangerous')
    throw problem('unsupported_media_type', 'type', dangerousText(found.dangerous));
  if (found.kind === 'unknown') {
    throw problem('unsupported_media_type', 'type', text('files.typeUnknown', { allowed: allowedText }));
  }
  const type = found.type;
  let filename = sanitiseFilename(input.filename);
  const extension = extensionOf(filename);
  const declared = declaredMediaType(input.declaredType);
  const nameAgrees = extension === null || extensionAgrees(type.mediaType, extension);
  if (!nameAgrees || (declared !== null && declared !== type.mediaType)) {
    throw problem(
      'unprocessable',
      'contentMismatch',
      text('files.contentMismatch', {
        actual: MEDIA_TYPE_LABELS[type.mediaType],
        declared: [extension && `.${extension}`, declared].filter(Boolean).join(', '),
      }),
      { detectedType: type.mediaType },
    );
  }
  if (!allowed.includes(type.mediaType)) {
    throw problem(
      'unsupported_media_type',
      'type',
      text('files.typeNotAllowed', { actual: MEDIA_TYPE_LABELS[type.mediaType], allowed: allowedText }),
      { detectedType: type.mediaType },
    );
  }
  if (extension === null) filename = withExtension(filename, type);
  return { mediaType: type.mediaType, filename };
}

const dangerousText = (kind: DangerousKind) => text(`files.dangerous.${kind}`);

function problem(
  code: ProblemCode,
  rule: string,
  message: { zh: string; en: string },
  extra?: Record<string, unknown>,
): AppError {
  const errors: FieldError[] = [fieldError(FIELD, rule, message.zh, message.en)];
  return new AppError(code, `${FIELD}: ${message.en}`, errors, extra);
}

function tooLarge(maxBytes: number): AppError {
  return problem('payload_too_large', 'maxBytes', text('files.maxBytes', { limit: formatBytes(maxBytes) }), {
    maxBytes,
  });
}

/** 10485760 → "10 MB", 512000 → "500 KB". */
export function formatBytes(bytes: number): string {
  const units: [number, string][] = [
    [1024 * 1024 * 1024, 'GB'],
    [1024 * 1024, 'MB'],
    [1024, 'KB'],
  ];
  for (const [size, unit] of units) {
    if (bytes >= size) return `${Math.round((bytes / size) * 10) / 10} ${unit}`;
  }
  return `${bytes} B`;
}

/**
 * A file name safe to store and to send back in a Content-Disposition header: only
 * the last path part, no control, format (bidi override, zero-width) or line-break
 * characters, no characters Windows forbids, no leading dots (hidden files), at most
 * `maxLength` characters with the extension kept. Never empty ("file").
 */
export function sanitiseFilename(name: string, maxLength = FILENAME_MAX_LENGTH): string {
  let clean = name
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '')
    .normalize('NFC')
    .replace(/[\t\n\v\f\r\u2028\u2029]/g, ' ')
    .replace(/[\p{Cc}\p{Cf}]/gu, '');
  clean = clean.split(/[/\\]/).pop() ?? '';
  clean = clean
    .replace(/[<>:"|?*]/g, '_')
    .replace(/\s+/gu, ' ')
    .replace(/^[\s.]+/u, '')
    .replace(/[\s.]+$/u, '');
  if (!clean) clean = 'file';
  return truncate(clean, maxLength);
}

function truncate(name: string, maxLength: number): string {
  const chars = [...name];
  if (chars.length <= maxLength) return name;
  const extension = extensionOf(name);
  const suffix = extension === null ? '' : `.${extension}`;
  return (
    chars
      .slice(0, maxLength - suffix.length)
      .join('')
      .trimEnd() + suffix
  );
}

/**
 * The extension of a file name, lower case without the dot, or null when it has none.
 * "营业执照 v1.2" has none: an extension has 1 to 8 letters and digits, at least one a letter.
 */
export function extensionOf(filename: string): string | null {
  const match = /\.([A-Za-z0-9]{1,8})$/.exec(filename);
  if (!match || !/[A-Za-z]/.test(match[1]!)) return null;
  return match[1]!.toLowerCase();
}

function withExtension(filename: string, type: SniffedType): string {
  const suffix = `.${type.extension}`;
  const chars = [...filename];
  return chars.slice(0, FILENAME_MAX_LENGTH - suffix.length).join('') + suffix;
}

/** Keeps the first or the last bytes of a stream without holding more than needed. */
class Collector {
  private chunks: Uint8Array[] = [];
  private length = 0;

  keepFirst(bytes: Uint8Array, limit: number): void {
    if (this.length >= limit) return;
    const part = bytes.subarray(0, limit - this.length);
    this.chunks.push(part);
    this.length += part.length;
  }

  keepLast(bytes: Uint8Array, limit: number): void {
    this.chunks.push(bytes);
    this.length += bytes.length;
    while (this.chunks.length > 1 && this.length - this.chunks[0]!.length >= limit) {
      this.length -= this.chunks.shift()!.length;
    }
  }

  bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

/** Content types a raw upload may be sent with (anything else gets Fastify's 415). */
export const UPLOAD_CONTENT_TYPES: readonly string[] = [
  'application/octet-stream',
  'application/pdf',
  'application/ofd',
  'application/zip',
  MEDIA_TYPES.docx,
  MEDIA_TYPES.xlsx,
];
const IMAGE_CONTENT_TYPES = /^image\/[\w.+-]+(?:;|$)/;

export interface UploadParserOptions {
  /** A request whose Content-Length exceeds this is refused (413) before its body is read. */
  bodyLimit: number;
}

/**
 * Lets the routes of `scope` take a raw file as the request body: for the upload
 * content types (and image/*), `request.body` becomes the unread request stream, to
 * pass to acceptUpload through readUpload. Call it inside an encapsulated plugin
 * (`app.register(async (scope) => { registerUploadParser(scope, ...); scope.post(...) })`):
 * parsers the scope inherited for these types (catalog's buffer parser for
 * octet-stream) are replaced there only. The byte limit is enforced while streaming
 * by acceptUpload; this refuses an announced oversize body at once.
 */
export function registerUploadParser(
  scope: Pick<App, 'addContentTypeParser' | 'hasContentTypeParser' | 'removeContentTypeParser'>,
  options: UploadParserOptions,
): void {
  const parse = (
    request: FastifyRequest,
    payload: unknown,
    done: (err: Error | null, body?: unknown) => void,
  ) => {
    const announced = Number(request.headers['content-length']);
    if (Number.isFinite(announced) && announced > options.bodyLimit) done(tooLarge(options.bodyLimit));
    else done(null, payload);
  };
  for (const type of [...UPLOAD_CONTENT_TYPES, IMAGE_CONTENT_TYPES]) {
    if (scope.hasContentTypeParser(type)) scope.removeContentTypeParser(type);
  }
  scope.addContentTypeParser([...UPLOAD_CONTENT_TYPES], parse);
  scope.addContentTypeParser(IMAGE_CONTENT_TYPES, parse);
}

/** What readUpload takes from a request, to spread into acceptUpload's input. */
export interface RawUpload {
  filename: string;
  declaredType: string | undefined;
  data: Readable;
}

/**
 * The upload in a request to a route of a scope with registerUploadParser: the body
 * stream, the declared Content-Type, and the file name from
 * `Content-Disposition: attachment; filename*=UTF-8''<percent-encoded>` (or a plain
 * `filename="..."`), else `fallbackFilename`. 400 (field filename) when there is no
 * name at all, 415 when the body was not sent as a raw file.
 */
export function readUpload(request: FastifyRequest, fallbackFilename?: string): RawUpload {
  const body: unknown = request.body;
  if (!(body instanceof Readable)) {
    throw problem('unsupported_media_type', 'type', text('files.notAFile'));
  }
  const filename = filenameFromDisposition(request.headers['content-disposition']) ?? fallbackFilename;
  if (!filename) {
    throw validationError([textFieldError('filename', 'required', 'files.filenameRequired')]);
  }
  return { filename, declaredType: request.headers['content-type'], data: body };
}

/** The file name in a Content-Disposition header (RFC 6266; `filename*` wins), or undefined. */
export function filenameFromDisposition(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const extended = /filename\*\s*=\s*([\w!#$%&+.^`|~-]+)'[^']*'([^;\s]+)/i.exec(header);
  if (extended) {
    const bytes = percentDecode(extended[2]!);
    return extended[1]!.toLowerCase() === 'utf-8' ? bytes.toString('utf8') : bytes.toString('latin1');
  }
  const quoted = /(?:^|;)\s*filename\s*=\s*"((?:[^"\\]|\\.)*)"/i.exec(header);
  const plain = quoted
    ? quoted[1]!.replace(/\\(.)/g, '$1')
    : /(?:^|;)\s*filename\s*=\s*([^;\s]+)/i.exec(header)?.[1];
  if (plain === undefined) return undefined;
  // Browsers send UTF-8 bytes in the plain parameter; Node reads header bytes as Latin-1.
  // eslint-disable-next-line no-control-regex
  if (/[^\x00-\x7f]/.test(plain) && ![...plain].some((c) => c.charCodeAt(0) > 0xff)) {
    const utf8 = Buffer.from(plain, 'latin1').toString('utf8');
    if (!utf8.includes('\uFFFD')) return utf8;
  }
  return plain;
}

/** The bytes of a percent-encoded RFC 8187 value (`%E8%90%A5` → 3 bytes); other characters as they are. */
function percentDecode(value: string): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < value.length; i++) {
    const hex = value.slice(i + 1, i + 3);
    if (value[i] === '%' && /^[0-9a-f]{2}$/i.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else bytes.push(value.charCodeAt(i) & 0xff);
  }
  return Buffer.from(bytes);
}
