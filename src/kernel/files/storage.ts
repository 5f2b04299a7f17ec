/**
 * Where file contents live, addressed by their SHA-256: the same bytes are stored once
 * however often they are uploaded, and a stored file cannot change under its address.
 * A provider interface, so local disk (the default) can later give way to an
 * S3-compatible object store without touching the callers.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { Config } from '../config.ts';
import { notFound } from '../errors.ts';

/** Content-addressed blob storage. */
export interface FileStorage {
  /**
   * Stores `data` under its SHA-256 (lower-case hex). Rejects when the bytes do not
   * hash to `sha256`. A blob already present is kept as it is (the stream is then
   * destroyed unread). Either the whole blob becomes visible or none of it.
   */
  put(sha256: string, data: Buffer | Readable): Promise<void>;
  /** The stored bytes; a not_found AppError when there is no such blob. */
  get(sha256: string): Promise<Readable>;
  has(sha256: string): Promise<boolean>;
  /** Removes a blob; true when there was one. Callers make sure nothing refers to it any more. */
  delete?(sha256: string): Promise<boolean>;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** Throws unless `sha256` is 64 lower-case hex digits (it becomes part of a path or key). */
export function assertSha256(sha256: string): void {
  if (!SHA256_HEX.test(sha256)) throw new TypeError(`not a SHA-256 address: ${JSON.stringify(sha256)}`);
}

/**
 * Blobs on the local disk at `<root>/ab/cd/<sha256>` (the first two byte pairs of the
 * address fan the files out over 65,536 folders). A blob is written to
 * `<root>/.tmp/`, flushed to disk, checked against its address and only then renamed
 * into place, so a crash or an aborted upload never leaves a partial blob visible.
 */
export class LocalDiskStorage implements FileStorage {
  readonly root: string;

  constructor(root: string) {
    this.root = path.resolve(root);
  }

  /** Path of the blob `sha256` (whether or not it exists). */
  pathOf(sha256: string): string {
    assertSha256(sha256);
    return path.join(this.root, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  /** Folder of blobs being written; what is left there after a crash may be removed. */
  get temporaryDir(): string {
    return path.join(this.root, '.tmp');
  }

  async has(sha256: string): Promise<boolean> {
    try {
      return (await stat(this.pathOf(sha256))).isFile();
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
  }

  async put(sha256: string, data: Buffer | Readable): Promise<void> {
    const target = this.pathOf(sha256);
    if (await this.has(sha256)) {
      if (!Buffer.isBuffer(data)) data.destroy();
      return;
    }
    await mkdir(this.temporaryDir, { recursive: true, mode: 0o750 });
    const temporary = path.join(this.temporaryDir, `${sha256}.${randomBytes(8).toString('hex')}`);
    const file = await open(temporary, 'wx', 0o640);
    try {
      const hash = createHash('sha256');
      for await (const chunk of Buffer.isBuffer(data) ? [data] : (data as AsyncIterable<Buffer>)) {
        hash.update(chunk);
        await file.write(chunk);
      }
      const actual = hash.digest('hex');
      if (actual !== sha256) throw new Error(`content hashes to ${actual}, not to its address ${sha256}`);
      await file.sync();
      await file.close();
      await mkdir(path.dirname(target), { recursive: true, mode: 0o750 });
      // Rename is atomic; if the same blob arrived meanwhile, it is replaced by identical bytes.
      await rename(temporary, target);
      await syncDirectory(path.dirname(target));
    } catch (error) {
      await file.close().catch(() => {});
      await rm(temporary, { force: true });
      throw error;
    }
  }

  async get(sha256: string): Promise<Readable> {
    const file = this.pathOf(sha256);
    try {
      const handle = await open(file, 'r');
      return handle.createReadStream();
    } catch (error) {
      if (isMissing(error)) throw notFound(`No stored file ${sha256}`);
      throw error;
    }
  }

  async delete(sha256: string): Promise<boolean> {
    try {
      await unlink(this.pathOf(sha256));
      return true;
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
  }
}

/** The default storage of a running platform: local disk under `<dataDir>/files`. */
export function fileStorageFor(config: Pick<Config, 'dataDir'>): LocalDiskStorage {
  return new LocalDiskStorage(path.join(config.dataDir, 'files'));
}

/** Reads a whole stream (a stored blob) into memory; for small files and tests. */
export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

const isMissing = (error: unknown) => (error as { code?: unknown } | null)?.code === 'ENOENT';

/** Makes a rename durable; some file systems do not allow opening folders, which is then skipped. */
async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Not supported here (e.g. some network or Windows file systems); the rename itself stands.
  }
}
