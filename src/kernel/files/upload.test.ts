import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/helpers/db.ts';
import { AppError } from '../errors.ts';
import {
  acceptUpload,
  ALL_MEDIA_TYPES,
  extensionOf,
  filenameFromDisposition,
  getUpload,
  LocalDiskStorage,
  MEDIA_TYPES,
  readAll,
  receiveUpload,
  sanitiseFilename,
  SNIFF_HEAD_BYTES,
  type FileContext,
  type UploadLimits,
} from './index.ts';
import { docx, jpeg, lazyStream, ofd, ofdWithLargeFirstEntry, pdf, png, xlsx } from './test-samples.ts';

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const limits: UploadLimits = { maxBytes: 1024 * 1024, allowed: ALL_MEDIA_TYPES };
const files = (dir: string) =>
  readdirSync(dir, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile());

let database: TestDatabase;
let root: string;
let context: FileContext;
beforeAll(async () => {
  database = await createTestDatabase();
  root = mkdtempSync(path.join(tmpdir(), 'tongban-upload-'));
  context = { db: database.db, storage: new LocalDiskStorage(root) };
});
afterAll(async () => {
  await database.drop();
  rmSync(root, { recursive: true, force: true });
});

/** The AppError an upload fails with. */
async function refusal(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

describe('acceptUpload', () => {
  it('stores, records and returns the file', async () => {
    const data = pdf('unique-1');
    const upload = await acceptUpload(context, {
      filename: '营业执照.pdf',
      declaredType: 'application/pdf',
      data,
      limits,
      uploadedBy: 'account-1',
    });
    expect(upload).toMatchObject({
      sha256: sha256(data),
      size: data.length,
      mediaType: MEDIA_TYPES.pdf,
      filename: '营业执照.pdf',
      uploadedBy: 'account-1',
      firstSeen: true,
    });
    expect(upload.uploadedAt).toBeInstanceOf(Date);
    expect(await getUpload(database.db, upload.id)).toEqual({
      id: upload.id,
      sha256: upload.sha256,
      size: upload.size,
      mediaType: upload.mediaType,
      filename: upload.filename,
      uploadedBy: 'account-1',
      uploadedAt: upload.uploadedAt,
    });
    expect(await readAll(await context.storage.get(upload.sha256))).toEqual(data);
    const [stored] = await database.db.query<{ size: number; media_type: string }>(
      'select size, media_type from stored_file where sha256 = $1',
      [upload.sha256],
    );
    expect(stored).toEqual({ size: data.length, media_type: MEDIA_TYPES.pdf });
  });

  it.each([
    ['scan.JPG', jpeg(), MEDIA_TYPES.jpeg],
    ['photo.png', png(), MEDIA_TYPES.png],
    ['证照.ofd', ofd(), MEDIA_TYPES.ofd],
    ['申请书.docx', docx(), MEDIA_TYPES.docx],
    ['清单.xlsx', xlsx(), MEDIA_TYPES.xlsx],
  ])('accepts %s from a stream', async (filename, data, mediaType) => {
    const upload = await acceptUpload(context, {
      filename,
      data: Readable.from([data.subarray(0, 7), data.subarray(7)]),
      limits,
      uploadedBy: null,
    });
    expect(upload).toMatchObject({ mediaType, filename, size: data.length, sha256: sha256(data) });
  });

  it('sniffs a ZIP-based file by its end when the start does not tell', async () => {
    const data = ofdWithLargeFirstEntry(SNIFF_HEAD_BYTES * 3);
    const upload = await acceptUpload(context, {
      filename: 'big.ofd',
      data: Readable.from(Array.from({ length: 20 }, (_, i) => data.subarray(i * 10_000, (i + 1) * 10_000))),
      limits,
      uploadedBy: null,
    });
    expect(upload.mediaType).toBe(MEDIA_TYPES.ofd);
    expect(upload.sha256).toBe(sha256(data));
  });

  it('stores identical content once, and records every upload', async () => {
    const data = pdf('stored once');
    const uploads = [];
    for (const filename of ['a.pdf', 'b.pdf', 'c.pdf']) {
      uploads.push(
        await acceptUpload(context, {
          filename,
          data: Readable.from([data]),
          limits,
          uploadedBy: 'account-2',
        }),
      );
    }
    expect(new Set(uploads.map((u) => u.sha256)).size).toBe(1);
    expect(new Set(uploads.map((u) => u.id)).size).toBe(3);
    expect(uploads.map((u) => u.firstSeen)).toEqual([true, false, false]);
    const blobs = files(root).filter((entry) => entry.name === sha256(data));
    expect(blobs).toHaveLength(1);
    const [counts] = await database.db.query<{ stored: number; uploads: number }>(
      `select (select count(*) from stored_file where sha256 = $1)::int as stored,
              (select count(*) from file_upload where sha256 = $1)::int as uploads`,
      [sha256(data)],
    );
    expect(counts).toEqual({ stored: 1, uploads: 3 });
  });

  it('refuses a file whose name says another type (field file, rule contentMismatch)', async () => {
    const error = await refusal(
      acceptUpload(context, { filename: 'licence.pdf', data: png(), limits, uploadedBy: null }),
    );
    expect(error.status).toBe(422);
    expect(error.errors).toEqual([
      expect.objectContaining({
        field: 'file',
        rule: 'contentMismatch',
        message: expect.stringContaining('PNG'),
      }),
    ]);
    expect(error.errors?.[0]?.messageEn).toContain('.pdf');
    expect(error.extra).toEqual({ detectedType: MEDIA_TYPES.png });
  });

  it('refuses a file whose declared type says another type', async () => {
    const error = await refusal(
      acceptUpload(context, {
        filename: 'licence',
        declaredType: 'image/jpeg',
        data: pdf(),
        limits,
        uploadedBy: null,
      }),
    );
    expect(error.errors?.[0]?.rule).toBe('contentMismatch');
  });

  it('names a file without an extension after its content', async () => {
    const upload = await acceptUpload(context, {
      filename: '营业执照 v1.2',
      declaredType: 'application/octet-stream',
      data: pdf('no-extension'),
      limits,
      uploadedBy: null,
    });
    expect(upload.filename).toBe('营业执照 v1.2.pdf');
  });

  it('refuses a type not allowed here (rule type, 415)', async () => {
    const error = await refusal(
      acceptUpload(context, {
        filename: 'form.docx',
        data: docx(),
        limits: { maxBytes: 1000, allowed: [MEDIA_TYPES.pdf, MEDIA_TYPES.ofd] },
        uploadedBy: null,
      }),
    );
    expect(error.status).toBe(415);
    expect(error.errors?.[0]).toMatchObject({ field: 'file', rule: 'type' });
    expect(error.errors?.[0]?.message).toContain('PDF, OFD');
  });

  it('refuses dangerous and unknown content, and empty files', async () => {
    const html = await refusal(
      acceptUpload(context, {
        filename: 'x.pdf',
        data: Buffer.from('<html><script>alert(1)</script></html>'),
        limits,
        uploadedBy: null,
      }),
    );
    expect(html.status).toBe(415);
    expect(html.errors?.[0]).toMatchObject({ field: 'file', rule: 'type', message: '不允许上传网页文件' });
    const unknown = await refusal(
      acceptUpload(context, { filename: 'x.txt', data: Buffer.from('text'), limits, uploadedBy: null }),
    );
    expect(unknown.errors?.[0]?.rule).toBe('type');
    const empty = await refusal(
      acceptUpload(context, { filename: 'x.pdf', data: Readable.from([]), limits, uploadedBy: null }),
    );
    expect(empty.status).toBe(422);
    expect(empty.errors?.[0]?.rule).toBe('empty');
  });

  it('stops reading at the size limit, leaving nothing stored or staged', async () => {
    const before = files(root).length;
    const maxBytes = 256 * 1024;
    const { stream, counter } = lazyStream(100 * maxBytes, 16 * 1024, pdf());
    const error = await refusal(
      acceptUpload(context, {
        filename: 'huge.pdf',
        data: stream,
        limits: { ...limits, maxBytes },
        uploadedBy: null,
      }),
    );
    expect(error.status).toBe(413);
    expect(error.code).toBe('payload_too_large');
    expect(error.errors).toEqual([
      { field: 'file', rule: 'maxBytes', message: '文件不能超过256 KB', messageEn: 'must be at most 256 KB' },
    ]);
    // Read a little past the limit (stream buffering), far from the whole 25 MB.
    expect(counter.produced).toBeLessThan(2 * maxBytes);
    expect(stream.destroyed).toBe(false);
    stream.destroy();
    expect(files(root)).toHaveLength(before);
  });

  it('refuses an oversize buffer and accepts one of exactly the limit', async () => {
    const data = pdf('exact');
    const error = await refusal(
      receiveUpload(context.storage, {
        filename: 'a.pdf',
        data,
        limits: { ...limits, maxBytes: data.length - 1 },
      }),
    );
    expect(error.errors?.[0]?.rule).toBe('maxBytes');
    const ok = await receiveUpload(context.storage, {
      filename: 'a.pdf',
      data: Readable.from([data]),
      limits: { ...limits, maxBytes: data.length },
    });
    expect(ok.size).toBe(data.length);
  });

  it('leaves no staged or stored file when the stream breaks off', async () => {
    const before = files(root).length;
    const broken = new Readable({
      read() {
        this.push(pdf('broken'));
        this.destroy(new Error('client went away'));
      },
    });
    await expect(
      acceptUpload(context, { filename: 'broken.pdf', data: broken, limits, uploadedBy: null }),
    ).rejects.toThrow('client went away');
    expect(files(root)).toHaveLength(before);
    const rows = await database.db.query(`select 1 from file_upload where filename = 'broken.pdf'`);
    expect(rows).toHaveLength(0);
  });
});

describe('sanitiseFilename', () => {
  it.each([
    ['../../etc/passwd', 'passwd'],
    ['..\\..\\Windows\\system.ini', 'system.ini'],
    ['C:\\Users\\张三\\Desktop\\身份证.jpg', '身份证.jpg'],
    ['report\u0000.pdf', 'report.pdf'],
    ['line\r\nbreak.pdf', 'line break.pdf'],
    ['invoice\u202Efdp.exe', 'invoicefdp.exe'],
    ['  .hidden.pdf  ', 'hidden.pdf'],
    ['a<b>c:d"e|f?g*.pdf', 'a_b_c_d_e_f_g_.pdf'],
    ['name.pdf...', 'name.pdf'],
    ['..', 'file'],
    ['', 'file'],
    ['/', 'file'],
    ['tab\tand   spaces.pdf', 'tab and spaces.pdf'],
  ])('%j → %j', (input, expected) => {
    expect(sanitiseFilename(input)).toBe(expected);
  });

  it('cuts very long names to 200 characters, keeping the extension', () => {
    const long = `${'很长的文件名'.repeat(100)}.pdf`;
    const clean = sanitiseFilename(long);
    expect([...clean]).toHaveLength(200);
    expect(clean.endsWith('.pdf')).toBe(true);
    // Characters outside the BMP are never split.
    const emoji = sanitiseFilename(`${'😀'.repeat(300)}.png`);
    expect([...emoji]).toHaveLength(200);
    expect(emoji).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  });

  it('stores the sanitised name', async () => {
    const upload = await acceptUpload(context, {
      filename: '../../etc/passwd',
      data: pdf('passwd'),
      limits,
      uploadedBy: null,
    });
    expect(upload.filename).toBe('passwd.pdf');
    const long = await acceptUpload(context, {
      filename: `${'x'.repeat(500)}.pdf`,
      data: pdf('long'),
      limits,
      uploadedBy: null,
    });
    expect(long.filename).toHaveLength(200);
  });

  it('finds extensions', () => {
    expect(extensionOf('a.PDF')).toBe('pdf');
    expect(extensionOf('v1.2')).toBeNull();
    expect(extensionOf('noext')).toBeNull();
  });
});

describe('filenameFromDisposition', () => {
  it('reads RFC 6266 file names', () => {
    expect(
      filenameFromDisposition(`attachment; filename*=UTF-8''%E8%90%A5%E4%B8%9A%E6%89%A7%E7%85%A7.pdf`),
    ).toBe('营业执照.pdf');
    expect(filenameFromDisposition('attachment; filename="a \\"b\\".pdf"')).toBe('a "b".pdf');
    expect(filenameFromDisposition('attachment; filename=plain.pdf')).toBe('plain.pdf');
    expect(filenameFromDisposition(`attachment; filename="fallback.pdf"; filename*=UTF-8''real.pdf`)).toBe(
      'real.pdf',
    );
    expect(filenameFromDisposition(Buffer.from('attachment; filename="营业.pdf"').toString('latin1'))).toBe(
      '营业.pdf',
    );
    expect(filenameFromDisposition('attachment')).toBeUndefined();
    expect(filenameFromDisposition(undefined)).toBeUndefined();
  });
});
