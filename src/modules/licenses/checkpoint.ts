/**
 * Signed checkpoints of the licence log, in the style of C2SP tlog-checkpoint signed notes:
 * the log key signs the UTF-8 body
 *
 *     <origin>\n<tree size>\n<root hash, base64>\n<timestamp, ISO 8601 UTC>\n
 *
 * and the note file adds one signature line after a blank line:
 *
 *     — <origin> <key id> <algorithm> <signature, base64>
 *
 * (the em dash U+2014 as in C2SP signed notes). The JSON {@link Checkpoint} carries the same
 * fields; either form is accepted by `tongban verify --checkpoint`.
 */
import type { KeyObject } from 'node:crypto';
// china-time.ts itself, not the calendar's index: the offline verifier must not load the platform.
import { parseDate } from '../../kernel/calendar/china-time.ts';
import type { Checkpoint } from './formats.ts';
import { HASH_SIZE } from './merkle.ts';
import {
  algorithmOfKey,
  decodeBase64Strict,
  exportPublicKey,
  isSignatureAlgorithm,
  keyIdOf,
  type SignatureAlgorithm,
  signBytes,
  verifyBytes,
} from './signing.ts';

export interface CheckpointContent {
  origin: string;
  treeSize: number;
  rootHash: Buffer;
  timestamp: Date;
}

export interface CheckpointSigner {
  algorithm: SignatureAlgorithm;
  privateKey: KeyObject;
  keyId: string;
}

const SIGNATURE_DASH = '\u2014';
/** An ISO 8601 UTC instant as `Date.prototype.toISOString` writes it (fraction optional). */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

/** A log origin names the log on one line; no spaces either, so the signature line stays unambiguous. */
const isOrigin = (value: unknown): value is string =>
  typeof value === 'string' &&
  value.length > 0 &&
  value.length <= 200 &&
  /^[\x21-\x7e\u00a0-\uffff]+$/.test(value);

/** Date.parse alone would take 2026-02-30 for March 2; the date must be a real one. */
export const isIsoInstant = (value: unknown): value is string =>
  typeof value === 'string' &&
  ISO_INSTANT.test(value) &&
  parseDate(value.slice(0, 10)) !== undefined &&
  Number.isFinite(Date.parse(value));

/** The text the log key signs. */
export function checkpointBody(
  cp: Pick<Checkpoint, 'origin' | 'treeSize' | 'rootHash' | 'timestamp'>,
): string {
  return `${cp.origin}\n${cp.treeSize}\n${cp.rootHash}\n${cp.timestamp}\n`;
}

export function signCheckpoint(content: CheckpointContent, signer: CheckpointSigner): Checkpoint {
  if (!isOrigin(content.origin))
    throw new TypeError('a checkpoint origin is one word of printable characters');
  if (!Number.isSafeInteger(content.treeSize) || content.treeSize < 0) {
    throw new TypeError('a checkpoint tree size is a non-negative integer');
  }
  if (content.rootHash.length !== HASH_SIZE)
    throw new TypeError(`a checkpoint root hash has ${HASH_SIZE} bytes`);
  const body = {
    origin: content.origin,
    treeSize: content.treeSize,
    rootHash: content.rootHash.toString('base64'),
    timestamp: content.timestamp.toISOString(),
  };
  const signature = signBytes(signer.algorithm, signer.privateKey, Buffer.from(checkpointBody(body), 'utf8'));
  return {
    ...body,
    keyId: signer.keyId,
    algorithm: signer.algorithm,
    signature: signature.toString('base64'),
  };
}

/**
 * What is wrong with a value that should be a {@link Checkpoint}, or null when it has the shape.
 * Checks the form of every field, not the signature.
 */
export function checkpointShapeProblem(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return 'a checkpoint is a JSON object';
  const cp = value as Record<string, unknown>;
  if (!isOrigin(cp.origin)) return 'origin must be one word of printable characters';
  if (!Number.isSafeInteger(cp.treeSize) || (cp.treeSize as number) < 0) {
    return 'treeSize must be a non-negative integer';
  }
  if (typeof cp.rootHash !== 'string' || decodeBase64Strict(cp.rootHash)?.length !== HASH_SIZE) {
    return `rootHash must be ${HASH_SIZE} bytes in base64`;
  }
  if (!isIsoInstant(cp.timestamp)) return 'timestamp must be an ISO 8601 instant in UTC (…Z)';
  if (typeof cp.keyId !== 'string' || !/^[0-9a-f]{16}$/.test(cp.keyId)) return 'keyId must be 16 hex digits';
  if (!isSignatureAlgorithm(cp.algorithm)) return 'algorithm must be ed25519 or sm2-sm3';
  if (typeof cp.signature !== 'string' || !decodeBase64Strict(cp.signature)?.length) {
    return 'signature must be base64';
  }
  return null;
}

/** Whether `cp` is signed by `publicKey`, whose key id and algorithm it names. Never throws. */
export function verifyCheckpoint(cp: Checkpoint, publicKey: KeyObject): boolean {
  try {
    if (checkpointShapeProblem(cp) !== null) return false;
    if (algorithmOfKey(publicKey) !== cp.algorithm) return false;
    if (keyIdOf(cp.algorithm, exportPublicKey(publicKey)) !== cp.keyId) return false;
    return verifyBytes(
      cp.algorithm,
      publicKey,
      Buffer.from(checkpointBody(cp), 'utf8'),
      decodeBase64Strict(cp.signature)!,
    );
  } catch {
    return false;
  }
}

/** The signed-note text of a checkpoint (the file `tongban verify --checkpoint` reads). */
export function formatCheckpointNote(cp: Checkpoint): string {
  return `${checkpointBody(cp)}\n${SIGNATURE_DASH} ${cp.origin} ${cp.keyId} ${cp.algorithm} ${cp.signature}\n`;
}

class CheckpointFormatError extends Error {
  constructor(problem: string) {
    super(`Not a checkpoint: ${problem}`);
    this.name = 'CheckpointFormatError';
  }
}

/** A checkpoint from its signed-note text; throws an Error saying what is malformed. Does not check the signature. */
export function parseCheckpointNote(text: string): Checkpoint {
  const normalised = text.replace(/\r\n/g, '\n');
  const separator = normalised.indexOf('\n\n');
  if (separator < 0) throw new CheckpointFormatError('no blank line between the body and the signature line');
  const bodyLines = normalised.slice(0, separator).split('\n');
  if (bodyLines.length !== 4) {
    throw new CheckpointFormatError('the body has 4 lines: origin, tree size, root hash, timestamp');
  }
  const [origin, size, rootHash, timestamp] = bodyLines as [string, string, string, string];
  if (!/^(0|[1-9]\d*)$/.test(size)) throw new CheckpointFormatError(`tree size ${JSON.stringify(size)}`);
  const signatureLines = normalised
    .slice(separator + 2)
    .split('\n')
    .filter((line) => line !== '');
  const ours = signatureLines.filter((line) => line.startsWith(`${SIGNATURE_DASH} ${origin} `));
  if (ours.length !== 1) {
    throw new CheckpointFormatError(
      `expected one signature line "${SIGNATURE_DASH} ${origin} <key id> <algorithm> <signature>"`,
    );
  }
  const fields = ours[0]!.slice(`${SIGNATURE_DASH} ${origin} `.length).split(' ');
  if (fields.length !== 3)
    throw new CheckpointFormatError('the signature line has key id, algorithm and signature');
  const [keyId, algorithm, signature] = fields as [string, string, string];
  const cp = { origin, treeSize: Number(size), rootHash, timestamp, keyId, algorithm, signature };
  const problem = checkpointShapeProblem(cp);
  if (problem) throw new CheckpointFormatError(problem);
  return cp as Checkpoint;
}

/** A checkpoint from a file: a JSON {@link Checkpoint} or a signed note. Throws a clear Error when malformed. */
export function parseCheckpointFile(text: string): Checkpoint {
  if (!text.trimStart().startsWith('{')) return parseCheckpointNote(text);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new CheckpointFormatError(`invalid JSON (${(error as Error).message})`);
  }
  const problem = checkpointShapeProblem(value);
  if (problem) throw new CheckpointFormatError(problem);
  const { origin, treeSize, rootHash, timestamp, keyId, algorithm, signature } = value as Checkpoint;
  return { origin, treeSize, rootHash, timestamp, keyId, algorithm, signature };
}
