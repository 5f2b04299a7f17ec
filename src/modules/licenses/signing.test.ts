import { createHash, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  algorithmOfKey,
  exportPrivateKey,
  exportPublicKey,
  generateSigningKey,
  importPrivateKey,
  importPublicKey,
  keyIdOf,
  publicKeyPem,
  SIGNATURE_ALGORITHMS,
  signBytes,
  verifyBytes,
} from './signing.ts';

const data = Buffer.from('{"id":"1.2.156.3005.2.X","name":"营业执照"}', 'utf8');

describe.each(SIGNATURE_ALGORITHMS)('%s seals', (algorithm) => {
  const { privateKey, publicKey } = generateSigningKey(algorithm);

  it('sign and verify, also after the keys went through their stored forms', () => {
    const signature = signBytes(algorithm, privateKey, data);
    expect(verifyBytes(algorithm, publicKey, data, signature)).toBe(true);

    const storedPublic = importPublicKey(algorithm, exportPublicKey(publicKey));
    const storedPrivate = importPrivateKey(exportPrivateKey(privateKey), algorithm);
    expect(verifyBytes(algorithm, storedPublic, data, signature)).toBe(true);
    expect(verifyBytes(algorithm, publicKey, data, signBytes(algorithm, storedPrivate, data))).toBe(true);
    expect(exportPublicKey(storedPublic)).toBe(exportPublicKey(publicKey));
    expect(exportPublicKey(privateKey)).toBe(exportPublicKey(publicKey));
    expect(algorithmOfKey(storedPublic)).toBe(algorithm);
    expect(algorithmOfKey(storedPrivate)).toBe(algorithm);
  });

  it('reject changed data, a changed signature and another key', () => {
    const signature = signBytes(algorithm, privateKey, data);
    const changed = Buffer.from(data);
    changed.writeUInt8(changed.readUInt8(5) ^ 1, 5);
    expect(verifyBytes(algorithm, publicKey, changed, signature)).toBe(false);
    const flipped = Buffer.from(signature);
    flipped.writeUInt8(flipped.readUInt8(flipped.length - 3) ^ 1, flipped.length - 3);
    expect(verifyBytes(algorithm, publicKey, data, flipped)).toBe(false);
    expect(verifyBytes(algorithm, generateSigningKey(algorithm).publicKey, data, signature)).toBe(false);
  });

  it('garbage keys and signatures give false, never an exception', () => {
    const signature = signBytes(algorithm, privateKey, data);
    const garbage: unknown[] = [null, undefined, 'key', {}, Buffer.alloc(0), Buffer.alloc(64, 7)];
    for (const bad of garbage) {
      expect(verifyBytes(algorithm, bad as KeyObject, data, signature)).toBe(false);
      expect(verifyBytes(algorithm, publicKey, data, bad as Buffer)).toBe(false);
      expect(verifyBytes(algorithm, publicKey, bad as Buffer, signature)).toBe(false);
      expect(verifyBytes(bad as typeof algorithm, publicKey, data, signature)).toBe(false);
    }
    expect(verifyBytes(algorithm, privateKey, data, signature)).toBe(true);
  });

  it('key ids are the first 16 hex digits of SHA-256 over algorithm and public key', () => {
    const b64 = exportPublicKey(publicKey);
    const expected = createHash('sha256').update(`${algorithm}:${b64}`).digest('hex').slice(0, 16);
    expect(keyIdOf(algorithm, b64)).toBe(expected);
    expect(publicKeyPem(privateKey)).toMatch(
      /^-----BEGIN PUBLIC KEY-----\n[\s\S]+-----END PUBLIC KEY-----\n$/,
    );
  });
});

describe('algorithms do not mix', () => {
  const ed = generateSigningKey('ed25519');
  const sm2 = generateSigningKey('sm2-sm3');

  it('a signature verifies only under the algorithm and key type it was made with', () => {
    const edSignature = signBytes('ed25519', ed.privateKey, data);
    const smSignature = signBytes('sm2-sm3', sm2.privateKey, data);
    expect(verifyBytes('sm2-sm3', ed.publicKey, data, edSignature)).toBe(false);
    expect(verifyBytes('ed25519', sm2.publicKey, data, smSignature)).toBe(false);
    expect(verifyBytes('sm2-sm3', sm2.publicKey, data, edSignature)).toBe(false);
    expect(verifyBytes('ed25519', ed.publicKey, data, smSignature)).toBe(false);
  });

  it('signing and importing refuse a key of the other algorithm or of another kind', () => {
    expect(() => signBytes('ed25519', sm2.privateKey, data)).toThrow(TypeError);
    expect(() => signBytes('sm2-sm3', ed.privateKey, data)).toThrow(TypeError);
    expect(() => signBytes('ed25519', ed.publicKey, data)).toThrow(TypeError);
    expect(() => importPublicKey('sm2-sm3', exportPublicKey(ed.publicKey))).toThrow(/ed25519, not sm2-sm3/);
    expect(() => importPublicKey('ed25519', exportPublicKey(sm2.publicKey))).toThrow(/sm2-sm3, not ed25519/);
    expect(() => importPrivateKey(exportPrivateKey(ed.privateKey), 'sm2-sm3')).toThrow(TypeError);
    const p256 = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    expect(algorithmOfKey(p256.publicKey)).toBeNull();
    expect(() => importPublicKey('sm2-sm3', exportPublicKey(p256.publicKey))).toThrow(/another kind/);
    expect(() => importPrivateKey(exportPrivateKey(p256.privateKey))).toThrow(TypeError);
    expect(() => importPublicKey('ed25519', 'not base64!')).toThrow(/base64/);
  });

  it('an SM2 key straight from generateKeyPairSync still makes real SM2 signatures', () => {
    // OpenSSL treats such a key as an EC key (ECDSA on the SM2 curve) until it is re-imported.
    const raw = generateKeyPairSync('ec', { namedCurve: 'SM2' });
    const signature = signBytes('sm2-sm3', raw.privateKey, data);
    const imported = importPublicKey('sm2-sm3', exportPublicKey(raw.publicKey));
    expect(verifyBytes('sm2-sm3', imported, data, signature)).toBe(true);
    expect(verifyBytes('sm2-sm3', raw.publicKey, data, signature)).toBe(true);
    expect(sm2Verify(exportPublicKey(raw.publicKey), data, signature, '')).toBe(true);
  });
});

/*
 * SM2 verification (GB/T 32918.2 §7) written out with bigints, to pin which distinguishing
 * identifier OpenSSL hashes into Z_A: if a Node or OpenSSL upgrade changed it, every SM2 seal
 * made before would stop verifying, and this test says so before a release does.
 */
const hex = (value: string) => BigInt(`0x${value}`);
const P = hex('FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFF');
const A = hex('FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC');
const B = hex('28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93');
const N = hex('FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123');
const G: Point = [
  hex('32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7'),
  hex('BC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0'),
];
type Point = [bigint, bigint] | null;
const mod = (x: bigint, m: bigint) => ((x % m) + m) % m;
function inverse(x: bigint, m: bigint): bigint {
  let [a, b, s, t] = [mod(x, m), m, 1n, 0n];
  while (b !== 0n) {
    const q = a / b;
    [a, b, s, t] = [b, a - q * b, t, s - q * t];
  }
  return mod(s, m);
}
function add(p: Point, q: Point): Point {
  if (!p) return q;
  if (!q) return p;
  if (p[0] === q[0] && mod(p[1] + q[1], P) === 0n) return null;
  const slope =
    p[0] === q[0] ? (3n * p[0] * p[0] + A) * inverse(2n * p[1], P) : (q[1] - p[1]) * inverse(q[0] - p[0], P);
  const x = mod(slope * slope - p[0] - q[0], P);
  return [x, mod(slope * (p[0] - x) - p[1], P)];
}
function multiply(k: bigint, point: Point): Point {
  let result: Point = null;
  for (let addend = point; k > 0n; k >>= 1n, addend = add(addend, addend)) {
    if (k & 1n) result = add(result, addend);
  }
  return result;
}
const bytes32 = (x: bigint) => Buffer.from(x.toString(16).padStart(64, '0'), 'hex');
const sm3 = (...parts: Buffer[]) => createHash('sm3').update(Buffer.concat(parts)).digest();

function sm2Verify(publicKeyB64: string, message: Buffer, signature: Buffer, id: string): boolean {
  const spki = Buffer.from(publicKeyB64, 'base64');
  const point = spki.subarray(spki.length - 64);
  const [x, y] = [hex(point.subarray(0, 32).toString('hex')), hex(point.subarray(32).toString('hex'))];
  // signature = SEQUENCE { INTEGER r, INTEGER s } (short DER lengths for 256-bit values)
  const rLength = signature[3]!;
  const r = hex(signature.subarray(4, 4 + rLength).toString('hex'));
  const s = hex(signature.subarray(6 + rLength).toString('hex'));
  const entl = Buffer.alloc(2);
  entl.writeUInt16BE(Buffer.byteLength(id) * 8);
  const z = sm3(entl, Buffer.from(id), ...[A, B, G![0], G![1], x, y].map(bytes32));
  const e = hex(sm3(z, message).toString('hex'));
  const t = mod(r + s, N);
  const sum = add(multiply(s, G), multiply(t, [x, y]));
  return sum !== null && mod(e + sum[0], N) === r;
}

describe('SM2 signatures as other implementations see them', () => {
  it('are real SM2 signatures with an empty distinguishing identifier (not 1234567812345678)', () => {
    const { privateKey, publicKey } = generateSigningKey('sm2-sm3');
    const signature = signBytes('sm2-sm3', privateKey, data);
    expect(sm2Verify(exportPublicKey(publicKey), data, signature, '')).toBe(true);
    expect(sm2Verify(exportPublicKey(publicKey), data, signature, '1234567812345678')).toBe(false);
    const changed = Buffer.from(data);
    changed.writeUInt8(changed.readUInt8(0) ^ 1, 0);
    expect(sm2Verify(exportPublicKey(publicKey), changed, signature, '')).toBe(false);
  });
});
