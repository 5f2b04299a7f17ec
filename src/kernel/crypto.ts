import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';
import { hash as argon2Hash, verify as argon2Verify, type Algorithm, type Options } from '@node-rs/argon2';
import type { FieldKey } from './config.ts';
import { fieldError, type FieldError } from './errors.ts';

/*
 * Field encryption of personal data at rest (phone numbers, ID numbers), blind indexes
 * to find them by equality, masking for responses, password hashing, small token helpers.
 *
 * Cipher: AES-256-GCM. SM4-GCM would be the national-standard choice, but the OpenSSL
 * build in Node offers SM4 only in unauthenticated modes (cbc, ctr, ...), and an
 * encryption without authentication would let a tampered ciphertext decrypt to garbage
 * silently. AES-256-GCM is authenticated and hardware-accelerated.
 */

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_ID = /^[A-Za-z0-9_-]{1,16}$/;
/** Purposes end up in the AAD and in index inputs, separated by ':'; they must not contain one. */
const PURPOSE = /^[A-Za-z][A-Za-z0-9_-]{0,31}$/;
const B64URL = /^[A-Za-z0-9_-]*$/;

/** A stored value that cannot be decrypted: malformed, unknown key, tampered or of another purpose. */
export class FieldDecryptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FieldDecryptionError';
  }
}

/**
 * Encrypts single text fields into `v1.<key id>.<iv>.<tag>.<ciphertext>` (base64url parts).
 * Every ciphertext is bound to its purpose (e.g. `phone`, `idNumber`) through the GCM
 * additional data, so a value copied from one column into another does not decrypt.
 * The first key encrypts; every key decrypts, found by the key id inside the value.
 */
export class FieldCipher {
  readonly #keys: ReadonlyMap<string, Buffer>;
  readonly #activeId: string;
  readonly #indexKey: Buffer;

  constructor(keys: readonly FieldKey[], indexKey: Buffer) {
    const [active] = keys;
    if (active === undefined) throw new Error('FieldCipher: at least one field key is required');
    const map = new Map<string, Buffer>();
    for (const { id, key } of keys) {
      if (!KEY_ID.test(id)) throw new Error(`FieldCipher: invalid key id ${JSON.stringify(id)}`);
      if (key.length !== 32) throw new Error(`FieldCipher: key ${id} must be 32 bytes`);
      if (map.has(id)) throw new Error(`FieldCipher: key id ${id} is repeated`);
      map.set(id, Buffer.from(key));
    }
    if (indexKey.length < 32) throw new Error('FieldCipher: the index key must be at least 32 bytes');
    this.#keys = map;
    this.#activeId = active.id;
    this.#indexKey = Buffer.from(indexKey);
  }

  /** Id of the key that encrypts new values. */
  get activeKeyId(): string {
    return this.#activeId;
  }

  encrypt(plain: string, purpose: string): string {
    checkPurpose(purpose);
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#keys.get(this.#activeId)!, iv);
    cipher.setAAD(additionalData(this.#activeId, purpose));
    const ciphertext = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return [VERSION, this.#activeId, b64(iv), b64(cipher.getAuthTag()), b64(ciphertext)].join('.');
  }

  /** @throws FieldDecryptionError when the value is malformed, of an unknown key, tampered or of another purpose. */
  decrypt(value: string, purpose: string): string {
    checkPurpose(purpose);
    const { keyId, iv, tag, ciphertext } = parse(value);
    const key = this.#keys.get(keyId);
    if (key === undefined)
      throw new FieldDecryptionError(
        `Encrypted field uses key id ${JSON.stringify(keyId)}, which is not configured`,
      );
    const decipher = createDecipheriv('aes-256-gcm', key, iv);
    decipher.setAAD(additionalData(keyId, purpose));
    decipher.setAuthTag(tag);
    try {
      return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
    } catch {
      throw new FieldDecryptionError(
        `Encrypted field failed authentication: tampered, or not of purpose ${JSON.stringify(purpose)}`,
      );
    }
  }

  /** True when the value is not encrypted with the active key (re-encrypt it with `reencrypt`). */
  needsRotation(value: string): boolean {
    return parse(value).keyId !== this.#activeId;
  }

  /** The value re-encrypted with the active key; the same string when it already is. */
  reencrypt(value: string, purpose: string): string {
    return this.needsRotation(value) ? this.encrypt(this.decrypt(value, purpose), purpose) : value;
  }

  /**
   * Blind index: a deterministic keyed hash of the normalised value (Unicode NFKC, no
   * whitespace, upper case), so a unique column can find an encrypted value by equality
   * without storing it in clear. Separate purposes give unrelated indexes.
   */
  index(plain: string, purpose: string): string {
    checkPurpose(purpose);
    return createHmac('sha256', this.#indexKey)
      .update(`${purpose}:${normaliseForIndex(plain)}`, 'utf8')
      .digest('base64url');
  }
}

/** Full-width digits and letters to ASCII, whitespace removed, upper case (`x` in ID numbers). */
export function normaliseForIndex(plain: string): string {
  return plain.normalize('NFKC').replace(/\s+/g, '').toUpperCase();
}

/** True when the string has the shape of a FieldCipher value (it may still fail to decrypt). */
export function isEncryptedField(value: string): boolean {
  try {
    parse(value);
    return true;
  } catch {
    return false;
  }
}

function checkPurpose(purpose: string): void {
  if (!PURPOSE.test(purpose)) throw new Error(`FieldCipher: invalid purpose ${JSON.stringify(purpose)}`);
}

function additionalData(keyId: string, purpose: string): Buffer {
  return Buffer.from(`tongban:${VERSION}:${keyId}:${purpose}`, 'utf8');
}

const b64 = (bytes: Buffer) => bytes.toString('base64url');

function parse(value: string): { keyId: string; iv: Buffer; tag: Buffer; ciphertext: Buffer } {
  const parts = value.split('.');
  const [version, keyId, iv, tag, ciphertext] = parts;
  const malformed = () =>
    new FieldDecryptionError('Not an encrypted field value (expected v1.<key id>.<iv>.<tag>.<ciphertext>)');
  if (parts.length !== 5 || version !== VERSION || keyId === undefined || !KEY_ID.test(keyId))
    throw malformed();
  if (![iv, tag, ciphertext].every((part) => part !== undefined && B64URL.test(part))) throw malformed();
  const ivBytes = Buffer.from(iv!, 'base64url');
  const tagBytes = Buffer.from(tag!, 'base64url');
  if (ivBytes.length !== IV_BYTES || tagBytes.length !== TAG_BYTES) throw malformed();
  return { keyId, iv: ivBytes, tag: tagBytes, ciphertext: Buffer.from(ciphertext!, 'base64url') };
}

// ---------------------------------------------------------------------------------------
// Masking for responses. Short or odd inputs are masked too, never returned whole.

/**
 * Keeps `keepStart` leading and `keepEnd` trailing characters and stars the rest. When
 * that would star less than a third of a (short or odd) value, only its first and last
 * characters remain (none for one or two characters): a mask never reveals most of a value.
 */
export function maskMiddle(value: string, keepStart: number, keepEnd: number): string {
  const chars = Array.from(value);
  const n = chars.length;
  if (n <= 2) return '*'.repeat(n);
  let start = keepStart;
  let end = keepEnd;
  if (n - start - end < Math.ceil(n / 3)) {
    start = Math.min(start, 1);
    end = Math.min(end, 1);
  }
  return chars.slice(0, start).join('') + '*'.repeat(n - start - end) + chars.slice(n - end).join('');
}

/** `11010519491231002X` -> `1101**********002X` (first 4 and last 4 kept). */
export function maskIdNumber(value: string): string {
  return maskMiddle(value, 4, 4);
}

/** `13812345678` -> `138****5678`; a `+86`/`86` prefix is kept in front of the masked number. */
export function maskPhone(value: string): string {
  const mainland = /^(\+?86)?(1\d{10})$/.exec(value.replace(/[\s-]/g, ''));
  if (mainland) return `${mainland[1] ?? ''}${maskMiddle(mainland[2]!, 3, 4)}`;
  return maskMiddle(value, 3, 4);
}

/** Keeps the surname's first character: `张三丰` -> `张**`, `张三` -> `张*`, `张` -> `*`. */
export function maskName(value: string): string {
  const chars = Array.from(value.trim());
  if (chars.length <= 1) return '*'.repeat(chars.length);
  return chars[0] + '*'.repeat(chars.length - 1);
}

/** Unified social credit code: `91110000600037341L` -> `9111**********341L`. */
export function maskUscc(value: string): string {
  return maskMiddle(value, 4, 4);
}

// ---------------------------------------------------------------------------------------
// Passwords

/** argon2id with the OWASP minimum: 19 MiB, 2 passes, 1 lane. */
const ARGON2: Options = {
  algorithm: 2 as Algorithm, // Argon2id (the package's enum is const and cannot be imported at run time)
  memoryCost: 19456,
  timeCost: 2,
  parallelism: 1,
};

export function hashPassword(plain: string): Promise<string> {
  return argon2Hash(plain, ARGON2);
}

/** False for a wrong password and for a stored hash that is not a valid argon2 hash. */
export async function verifyPassword(hash: string, plain: string): Promise<boolean> {
  try {
    return await argon2Verify(hash, plain);
  } catch {
    return false;
  }
}

let unknownAccountHash: Promise<string> | undefined;

/**
 * Spends the time of one password check and returns false: call it when the account
 * does not exist (or has no password), so the response time does not tell an attacker
 * which accounts exist.
 */
export async function verifyPasswordOfNoAccount(plain: string): Promise<false> {
  unknownAccountHash ??= hashPassword(randomToken(16));
  await verifyPassword(await unknownAccountHash, plain);
  return false;
}

const PASSWORD_MIN = 8;
const PASSWORD_MAX = 128;

/**
 * The password rule: 8 to 128 characters with at least two of letters, digits and
 * symbols. Returns the broken rule as a field error (`password`, `passwordStrength`).
 */
export function passwordPolicy(plain: string, field = 'password'): FieldError | null {
  const length = Array.from(plain).length;
  const classes = [/\p{L}/u, /\p{N}/u, /[^\p{L}\p{N}]/u].filter((re) => re.test(plain)).length;
  if (length >= PASSWORD_MIN && length <= PASSWORD_MAX && classes >= 2) return null;
  return fieldError(
    field,
    'passwordStrength',
    `密码应为${PASSWORD_MIN}至${PASSWORD_MAX}个字符，且至少包含字母、数字、符号中的两类`,
    `must be ${PASSWORD_MIN} to ${PASSWORD_MAX} characters with at least two of: letters, digits, symbols`,
  );
}

// ---------------------------------------------------------------------------------------
// Tokens and hashes

/** `bytes` random bytes as base64url (32 bytes = 256 bits, 43 characters). */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** SHA-256 of the UTF-8 text, hex. For storing tokens: the database never holds the token itself. */
export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Constant-time string comparison; the lengths do not leak either (both sides are hashed first). */
export function timingSafeEqualString(a: string, b: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(a), digest(b));
}
