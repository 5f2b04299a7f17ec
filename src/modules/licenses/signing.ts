/**
 * Seal and log signatures with node:crypto alone: Ed25519, and SM2 with SM3 (GB/T 32918; the
 * e-seal standard GB/T 38540 builds on it).
 *
 * Two OpenSSL facts shape the SM2 code (Node 20 and 24 alike, OpenSSL 3):
 * - A key made by `generateKeyPairSync('ec', { namedCurve: 'SM2' })` is an *EC* key: signing with
 *   it is ECDSA on the SM2 curve, not SM2, and such signatures fail against the same public key
 *   once it has been exported and imported (OpenSSL then types it SM2). So every SM2 key is
 *   passed through its DER encoding first ({@link sm2Key}) and all signatures are real SM2.
 * - OpenSSL signs with an *empty* SM2 distinguishing identifier (ENTL = 0), not the GM/T 0009
 *   default "1234567812345678", and Node cannot set another. Verifiers elsewhere must use the
 *   empty identifier; signing.test.ts pins this so that a change of default cannot silently
 *   invalidate old seals.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, KeyObject, sign, verify } from 'node:crypto';
import { sha256 } from './canonical.ts';

export type SignatureAlgorithm = 'ed25519' | 'sm2-sm3';

export const SIGNATURE_ALGORITHMS: readonly SignatureAlgorithm[] = ['ed25519', 'sm2-sm3'];

export const isSignatureAlgorithm = (value: unknown): value is SignatureAlgorithm =>
  value === 'ed25519' || value === 'sm2-sm3';

export interface SigningKeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
}

export function generateSigningKey(algorithm: SignatureAlgorithm): SigningKeyPair {
  if (algorithm === 'ed25519') return generateKeyPairSync('ed25519');
  const pair = generateKeyPairSync('ec', { namedCurve: 'SM2' });
  return { privateKey: sm2Key(pair.privateKey), publicKey: sm2Key(pair.publicKey) };
}

/** DER of the SM2 curve's object identifier 1.2.156.10197.1.301, as it appears in an SPKI's algorithm. */
const SM2_CURVE_OID = Buffer.from('06082a811ccf5501822d', 'hex');

const publicOf = (key: KeyObject) => (key.type === 'private' ? createPublicKey(key) : key);

/** What a key is for, with SM2 keys in their SM2-typed form; null for keys of other kinds. */
const classified = new WeakMap<KeyObject, { algorithm: SignatureAlgorithm; key: KeyObject } | null>();

function classify(key: KeyObject): { algorithm: SignatureAlgorithm; key: KeyObject } | null {
  if (!(key instanceof KeyObject) || key.type === 'secret') return null;
  let result = classified.get(key);
  if (result !== undefined) return result;
  result = null;
  if (key.asymmetricKeyType === 'ed25519') result = { algorithm: 'ed25519', key };
  else if (key.asymmetricKeyType === 'ec' || key.asymmetricKeyType === undefined) {
    // OpenSSL's SM2 key type has no name in Node: recognise the curve in the SPKI algorithm identifier.
    const spki = publicOf(key).export({ type: 'spki', format: 'der' });
    if (spki.subarray(0, 32).includes(SM2_CURVE_OID)) {
      const typed =
        key.type === 'private'
          ? createPrivateKey({
              key: key.export({ type: 'pkcs8', format: 'der' }),
              format: 'der',
              type: 'pkcs8',
            })
          : createPublicKey({ key: spki, format: 'der', type: 'spki' });
      result = { algorithm: 'sm2-sm3', key: typed };
    }
  }
  classified.set(key, result);
  return result;
}

/** The SM2-typed form of an SM2 key (see the module comment); other keys unchanged. */
function sm2Key(key: KeyObject): KeyObject {
  return classify(key)?.key ?? key;
}

/** The algorithm a key (public or private) is for, or null for any other kind of key. */
export function algorithmOfKey(key: KeyObject): SignatureAlgorithm | null {
  try {
    return classify(key)?.algorithm ?? null;
  } catch {
    return null;
  }
}

const digestOf = (algorithm: SignatureAlgorithm) => (algorithm === 'ed25519' ? null : 'sm3');

export function signBytes(algorithm: SignatureAlgorithm, privateKey: KeyObject, data: Uint8Array): Buffer {
  const signer = privateKey.type === 'private' ? classify(privateKey) : null;
  if (signer?.algorithm !== algorithm)
    throw new TypeError(`signBytes: the key is not a ${algorithm} private key`);
  return sign(digestOf(algorithm), data, signer.key);
}

/** Whether `signature` is `algorithm`'s signature of `data` by `publicKey`; false (never throws) on any garbage. */
export function verifyBytes(
  algorithm: SignatureAlgorithm,
  publicKey: KeyObject,
  data: Uint8Array,
  signature: Uint8Array,
): boolean {
  try {
    const verifier = classify(publicKey);
    if (!isSignatureAlgorithm(algorithm) || verifier?.algorithm !== algorithm) return false;
    if (!(data instanceof Uint8Array) || !(signature instanceof Uint8Array) || signature.length === 0)
      return false;
    return verify(digestOf(algorithm), data, verifier.key, signature);
  } catch {
    return false;
  }
}

/** Strict base64: Node's decoder skips invalid characters, so a value must re-encode to itself. */
export function decodeBase64Strict(value: string): Buffer | null {
  if (typeof value !== 'string' || value.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(value))
    return null;
  const bytes = Buffer.from(value, 'base64');
  return bytes.toString('base64') === value ? bytes : null;
}

/** Base64 of the SubjectPublicKeyInfo DER of a key (of its public half when given a private key). */
export function exportPublicKey(key: KeyObject): string {
  return publicOf(key).export({ type: 'spki', format: 'der' }).toString('base64');
}

/** The SPKI PEM of a key's public half, for the log key file operators hand to `tongban verify`. */
export function publicKeyPem(key: KeyObject): string {
  return publicOf(key).export({ type: 'spki', format: 'pem' }).toString();
}

/** A public key from base64 SPKI DER; throws unless it is a key for `algorithm`. */
export function importPublicKey(algorithm: SignatureAlgorithm, publicKeyB64: string): KeyObject {
  const der = decodeBase64Strict(publicKeyB64);
  if (!der) throw new TypeError('the public key is not base64');
  const key = createPublicKey({ key: der, format: 'der', type: 'spki' });
  const actual = algorithmOfKey(key);
  if (actual !== algorithm)
    throw new TypeError(`the public key is ${actual ?? 'of another kind'}, not ${algorithm}`);
  return sm2Key(key);
}

/** PKCS#8 DER of a private key, for the caller to encrypt at rest. */
export function exportPrivateKey(key: KeyObject): Buffer {
  if (key.type !== 'private') throw new TypeError('exportPrivateKey needs a private key');
  return key.export({ type: 'pkcs8', format: 'der' });
}

/** A private key from PKCS#8 DER; throws unless it is an Ed25519 or SM2 key (of `algorithm` when given). */
export function importPrivateKey(der: Uint8Array, algorithm?: SignatureAlgorithm): KeyObject {
  const key = createPrivateKey({ key: Buffer.from(der), format: 'der', type: 'pkcs8' });
  const actual = algorithmOfKey(key);
  if (!actual || (algorithm && actual !== algorithm)) {
    throw new TypeError(
      `the private key is ${actual ?? 'of another kind'}, not ${algorithm ?? 'Ed25519 or SM2'}`,
    );
  }
  return sm2Key(key);
}

/** A short stable key identifier: the first 16 hex characters of SHA-256(`${algorithm}:${publicKeyB64}`). */
export function keyIdOf(algorithm: SignatureAlgorithm, publicKeyB64: string): string {
  return sha256(`${algorithm}:${publicKeyB64}`).toString('hex').slice(0, 16);
}
