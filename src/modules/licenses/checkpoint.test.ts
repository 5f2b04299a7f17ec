import { describe, expect, it } from 'vitest';
import {
  checkpointBody,
  formatCheckpointNote,
  parseCheckpointFile,
  parseCheckpointNote,
  signCheckpoint,
  verifyCheckpoint,
} from './checkpoint.ts';
import type { Checkpoint } from './formats.ts';
import { leafHash, MerkleTree } from './merkle.ts';
import {
  exportPublicKey,
  generateSigningKey,
  keyIdOf,
  SIGNATURE_ALGORITHMS,
  verifyBytes,
} from './signing.ts';

const origin = 'licences.tongban.example/log';
const tree = new MerkleTree(['a', 'b', 'c'].map((leaf) => leafHash(Buffer.from(leaf))));

function logKey(algorithm: (typeof SIGNATURE_ALGORITHMS)[number]) {
  const { privateKey, publicKey } = generateSigningKey(algorithm);
  return { algorithm, privateKey, publicKey, keyId: keyIdOf(algorithm, exportPublicKey(publicKey)) };
}

describe.each(SIGNATURE_ALGORITHMS)('checkpoints signed with %s', (algorithm) => {
  const key = logKey(algorithm);
  const cp = signCheckpoint(
    { origin, treeSize: 3, rootHash: tree.root(), timestamp: new Date('2026-03-01T02:03:04.005Z') },
    key,
  );

  it('sign the C2SP-style body: origin, size, root, time, one per line', () => {
    expect(checkpointBody(cp)).toBe(
      `${origin}\n3\n${tree.root().toString('base64')}\n2026-03-01T02:03:04.005Z\n`,
    );
    expect(cp).toMatchObject({ origin, treeSize: 3, keyId: key.keyId, algorithm });
    const signature = Buffer.from(cp.signature, 'base64');
    expect(verifyBytes(algorithm, key.publicKey, Buffer.from(checkpointBody(cp)), signature)).toBe(true);
    expect(verifyCheckpoint(cp, key.publicKey)).toBe(true);
  });

  it('fail verification when any field changes, or under another key', () => {
    const changes: Partial<Checkpoint>[] = [
      { origin: 'other.example/log' },
      { treeSize: 2 },
      { rootHash: tree.root(2).toString('base64') },
      { timestamp: '2026-03-01T02:03:04.006Z' },
      { keyId: '0000000000000000' },
      { algorithm: algorithm === 'ed25519' ? 'sm2-sm3' : 'ed25519' },
      { signature: Buffer.alloc(64, 1).toString('base64') },
    ];
    for (const change of changes) expect(verifyCheckpoint({ ...cp, ...change }, key.publicKey)).toBe(false);
    expect(verifyCheckpoint(cp, logKey(algorithm).publicKey)).toBe(false);
  });

  it('round-trip through the note text and through JSON', () => {
    const note = formatCheckpointNote(cp);
    expect(note).toBe(`${checkpointBody(cp)}\n— ${origin} ${key.keyId} ${algorithm} ${cp.signature}\n`);
    expect(parseCheckpointNote(note)).toEqual(cp);
    expect(parseCheckpointFile(note)).toEqual(cp);
    expect(parseCheckpointFile(note.replace(/\n/g, '\r\n'))).toEqual(cp);
    expect(parseCheckpointFile(JSON.stringify({ ...cp, extra: 1 }, null, 2))).toEqual(cp);
    expect(verifyCheckpoint(parseCheckpointNote(note), key.publicKey)).toBe(true);
  });
});

describe('checkpoint files', () => {
  const key = logKey('ed25519');
  const cp = signCheckpoint(
    { origin, treeSize: 0, rootHash: new MerkleTree().root(), timestamp: new Date(0) },
    key,
  );
  const note = formatCheckpointNote(cp);

  it.each([
    ['no signature line', note.slice(0, note.indexOf('\n\n') + 2), /one signature line/],
    ['a body of 3 lines', note.replace(/^[^\n]*\n/, ''), /4 lines/],
    ['a tree size that is not a number', note.replace('\n0\n', '\nzero\n'), /tree size/],
    ['a signature line for another origin', note.replace(`— ${origin}`, '— other/log'), /one signature line/],
    ['a short root hash', note.replace(cp.rootHash, 'AAAA'), /rootHash/],
    ['a local time', note.replace(cp.timestamp, '1970-01-01 08:00:00'), /timestamp/],
    ['a day that does not exist', note.replace(cp.timestamp, '1970-02-30T00:00:00.000Z'), /timestamp/],
    ['an unknown algorithm', note.replace(' ed25519 ', ' rsa '), /algorithm/],
    ['no blank line', note.replace('\n\n', '\n'), /blank line/],
    ['broken JSON', '{"origin": ', /invalid JSON/],
    ['JSON without a signature', JSON.stringify({ ...cp, signature: undefined }), /signature/],
  ])('reject %s with a clear message', (_case, text, message) => {
    expect(() => parseCheckpointFile(text)).toThrow(message);
  });

  it('refuse to sign an origin with spaces or line breaks, or a hash of the wrong length', () => {
    const content = { treeSize: 1, rootHash: tree.root(1), timestamp: new Date(0) };
    expect(() => signCheckpoint({ ...content, origin: 'a log' }, key)).toThrow(/origin/);
    expect(() => signCheckpoint({ ...content, origin: 'a\nb' }, key)).toThrow(/origin/);
    expect(() => signCheckpoint({ ...content, origin, rootHash: Buffer.alloc(31) }, key)).toThrow(
      /root hash/,
    );
  });

  it('garbage never verifies and never throws', () => {
    for (const bad of [null, {}, [], 'checkpoint', { ...cp, treeSize: -1 }, { ...cp, signature: '%%%' }]) {
      expect(verifyCheckpoint(bad as Checkpoint, key.publicKey)).toBe(false);
    }
    expect(verifyCheckpoint(cp, null as never)).toBe(false);
  });
});
