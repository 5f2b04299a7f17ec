import type { KeyObject } from 'node:crypto';
import type { FieldCipher } from '../../kernel/crypto.ts';
import {
  exportPrivateKey,
  exportPublicKey,
  generateSigningKey,
  importPrivateKey,
  keyIdOf,
  signBytes,
  type SignatureAlgorithm,
} from './signing.ts';

/** A new key pair as stored: the private key already encrypted. */
export interface StoredKeyPair {
  keyId: string;
  algorithm: SignatureAlgorithm;
  /** SPKI DER, base64. */
  publicKey: string;
  /** PKCS#8 DER encrypted with the field cipher for `purpose`. */
  encryptedPrivateKey: string;
}

/**
 * The signing component: the only code that sees private keys in clear. Keys are
 * generated here and leave it only encrypted (field cipher, AES-256-GCM bound to the
 * purpose); a stored key is decrypted on its first use and kept in memory as a
 * non-exportable-by-API KeyObject. Callers get signatures, never keys.
 */
export class Signer {
  readonly #cipher: FieldCipher;
  readonly #keys = new Map<string, KeyObject>();

  constructor(cipher: FieldCipher) {
    this.#cipher = cipher;
  }

  generate(algorithm: SignatureAlgorithm, purpose: 'sealKey' | 'logKey'): StoredKeyPair {
    const { privateKey, publicKey } = generateSigningKey(algorithm);
    const exported = exportPublicKey(publicKey);
    const keyId = keyIdOf(algorithm, exported);
    this.#keys.set(keyId, privateKey);
    return {
      keyId,
      algorithm,
      publicKey: exported,
      encryptedPrivateKey: this.#cipher.encrypt(exportPrivateKey(privateKey).toString('base64'), purpose),
    };
  }

  /** Signs with a stored key; `encryptedPrivateKey` is decrypted only when the key is not yet loaded. */
  sign(
    key: { keyId: string; algorithm: SignatureAlgorithm; encryptedPrivateKey: string },
    purpose: 'sealKey' | 'logKey',
    data: Uint8Array,
  ): Buffer {
    let privateKey = this.#keys.get(key.keyId);
    if (!privateKey) {
      privateKey = importPrivateKey(
        Buffer.from(this.#cipher.decrypt(key.encryptedPrivateKey, purpose), 'base64'),
      );
      this.#keys.set(key.keyId, privateKey);
    }
    return signBytes(key.algorithm, privateKey, data);
  }
}
