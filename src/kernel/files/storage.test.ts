import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../errors.ts';
import { fileStorageFor, LocalDiskStorage, readAll } from './storage.ts';

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** Every file under `dir`, relative. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)))
    .sort();
}

let root: string;
let storage: LocalDiskStorage;
beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'tongban-files-'));
  storage = new LocalDiskStorage(root);
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('LocalDiskStorage', () => {
  it('stores a blob at <root>/ab/cd/<sha256> and gives it back', async () => {
    const data = Buffer.from('营业执照扫描件');
    const address = sha256(data);
    expect(await storage.has(address)).toBe(false);
    await storage.put(address, data);
    expect(await storage.has(address)).toBe(true);
    expect(filesUnder(root)).toEqual([path.join(address.slice(0, 2), address.slice(2, 4), address)]);
    expect(await readAll(await storage.get(address))).toEqual(data);
  });

  it('takes a stream', async () => {
    const data = Buffer.alloc(300_000, 9);
    const address = sha256(data);
    await storage.put(address, Readable.from([data.subarray(0, 1000), data.subarray(1000)]));
    expect((await readAll(await storage.get(address))).equals(data)).toBe(true);
  });

  it('does not rewrite a blob it already holds', async () => {
    const data = Buffer.from('same bytes');
    const address = sha256(data);
    await storage.put(address, data);
    const before = statSync(storage.pathOf(address));
    const again = Readable.from([data]);
    await storage.put(address, again);
    const after = statSync(storage.pathOf(address));
    expect(after.ino).toBe(before.ino);
    expect(again.destroyed).toBe(true);
    expect(filesUnder(root)).toHaveLength(1);
  });

  it('refuses bytes that do not hash to the address, leaving nothing behind', async () => {
    const address = sha256(Buffer.from('the real content'));
    await expect(storage.put(address, Buffer.from('something else'))).rejects.toThrow(/hashes to/);
    expect(await storage.has(address)).toBe(false);
    expect(filesUnder(root)).toEqual([]);
  });

  it('leaves no partial file when the stream fails half way', async () => {
    const data = Buffer.alloc(200_000, 3);
    const address = sha256(data);
    const failing = new Readable({
      read() {
        if (this.readableLength === 0 && !this.destroyed) {
          this.push(data.subarray(0, 100_000));
          this.destroy(new Error('connection reset'));
        }
      },
    });
    await expect(storage.put(address, failing)).rejects.toThrow('connection reset');
    expect(await storage.has(address)).toBe(false);
    expect(filesUnder(root)).toEqual([]);
    // The same content can still be stored afterwards.
    await storage.put(address, data);
    expect(await storage.has(address)).toBe(true);
  });

  it('deletes, and reports a missing blob as not found', async () => {
    const data = Buffer.from('to delete');
    const address = sha256(data);
    await storage.put(address, data);
    expect(await storage.delete(address)).toBe(true);
    expect(await storage.delete(address)).toBe(false);
    const error = await storage.get(address).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('not_found');
  });

  it('accepts only SHA-256 addresses (no path tricks)', async () => {
    for (const bad of ['../../etc/passwd', 'A'.repeat(64), 'ab'.repeat(31), `${'a'.repeat(63)}/`]) {
      expect(() => storage.pathOf(bad)).toThrow(TypeError);
      await expect(storage.has(bad)).rejects.toThrow(TypeError);
    }
  });

  it('lives under <dataDir>/files by default', () => {
    expect(fileStorageFor({ dataDir: '/srv/tongban' }).root).toBe('/srv/tongban/files');
  });
});
