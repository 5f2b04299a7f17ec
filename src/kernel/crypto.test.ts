import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  FieldCipher,
  FieldDecryptionError,
  hashPassword,
  isEncryptedField,
  maskIdNumber,
  maskMiddle,
  maskName,
  maskPhone,
  maskUscc,
  passwordPolicy,
  randomToken,
  sha256,
  timingSafeEqualString,
  verifyPassword,
  verifyPasswordOfNoAccount,
} from './crypto.ts';

const oldKey = { id: 'k0', key: randomBytes(32) };
const newKey = { id: 'k1', key: randomBytes(32) };
const indexKey = randomBytes(32);

/** Flips one bit of the byte at `at` inside base64url part `part` of an encrypted value. */
function flip(value: string, part: number, at = 0): string {
  const parts = value.split('.');
  const bytes = Buffer.from(parts[part]!, 'base64url');
  bytes[at] = bytes[at]! ^ 0x01;
  parts[part] = bytes.toString('base64url');
  return parts.join('.');
}

describe('FieldCipher', () => {
  const cipher = new FieldCipher([oldKey], indexKey);

  it('round-trips text, including Chinese, empty and long values', () => {
    for (const plain of ['13812345678', '11010519491231002X', '张三丰', '', 'x'.repeat(5000)]) {
      const encrypted = cipher.encrypt(plain, 'phone');
      expect(encrypted).toMatch(/^v1\.k0\.[\w-]{16}\.[\w-]{22}\.[\w-]*$/);
      expect(encrypted).not.toContain(plain || '\u0000');
      expect(cipher.decrypt(encrypted, 'phone')).toBe(plain);
    }
  });

  it('encrypts the same value differently every time (random IV)', () => {
    const a = cipher.encrypt('13812345678', 'phone');
    const b = cipher.encrypt('13812345678', 'phone');
    expect(a).not.toBe(b);
    expect(cipher.decrypt(a, 'phone')).toBe(cipher.decrypt(b, 'phone'));
  });

  it('detects tampering with the ciphertext, the tag or the IV', () => {
    const encrypted = cipher.encrypt('11010519491231002X', 'idNumber');
    for (const part of [2, 3, 4]) {
      expect(() => cipher.decrypt(flip(encrypted, part), 'idNumber')).toThrow(FieldDecryptionError);
      expect(() => cipher.decrypt(flip(encrypted, part), 'idNumber')).toThrow(/failed authentication/);
    }
  });

  it('refuses a value of another purpose (a phone ciphertext copied into an ID column)', () => {
    const phone = cipher.encrypt('13812345678', 'phone');
    expect(() => cipher.decrypt(phone, 'idNumber')).toThrow(/not of purpose "idNumber"/);
  });

  it('refuses malformed values and unknown key ids with a clear error', () => {
    const encrypted = cipher.encrypt('13812345678', 'phone');
    expect(() => cipher.decrypt('13812345678', 'phone')).toThrow(/Not an encrypted field value/);
    expect(() => cipher.decrypt(encrypted.replace(/^v1/, 'v2'), 'phone')).toThrow(/Not an encrypted/);
    expect(() => cipher.decrypt(encrypted.replace('.k0.', '.zz.'), 'phone')).toThrow(
      /key id "zz", which is not configured/,
    );
    expect(isEncryptedField(encrypted)).toBe(true);
    expect(isEncryptedField('13812345678')).toBe(false);
  });

  it('rotates keys: the first key encrypts, every key decrypts', () => {
    const before = cipher.encrypt('13812345678', 'phone');
    expect(cipher.needsRotation(before)).toBe(false);

    const rotated = new FieldCipher([newKey, oldKey], indexKey);
    expect(rotated.activeKeyId).toBe('k1');
    expect(rotated.decrypt(before, 'phone')).toBe('13812345678');
    expect(rotated.needsRotation(before)).toBe(true);

    const after = rotated.reencrypt(before, 'phone');
    expect(after.split('.')[1]).toBe('k1');
    expect(rotated.needsRotation(after)).toBe(false);
    expect(rotated.reencrypt(after, 'phone')).toBe(after);

    // Once the old key is dropped, re-encrypted values still decrypt and old ones no longer do.
    const onlyNew = new FieldCipher([newKey], indexKey);
    expect(onlyNew.decrypt(after, 'phone')).toBe('13812345678');
    expect(() => onlyNew.decrypt(before, 'phone')).toThrow(/not configured/);
  });

  it('refuses a value encrypted under the same key id but another key', () => {
    const impostor = new FieldCipher([{ id: 'k0', key: randomBytes(32) }], indexKey);
    expect(() => cipher.decrypt(impostor.encrypt('13812345678', 'phone'), 'phone')).toThrow(/authentication/);
  });

  it('builds deterministic blind indexes, separated by purpose and key, on normalised input', () => {
    const index = cipher.index('11010519491231002x', 'idNumber');
    expect(index).toMatch(/^[\w-]{43}$/);
    expect(cipher.index('11010519491231002X', 'idNumber')).toBe(index);
    expect(cipher.index(' １１０１０５１９４９１２３１００２Ｘ ', 'idNumber')).toBe(index);
    expect(new FieldCipher([newKey], indexKey).index('11010519491231002X', 'idNumber')).toBe(index);
    expect(cipher.index('11010519491231002X', 'phone')).not.toBe(index);
    expect(cipher.index('11010519491231002Y', 'idNumber')).not.toBe(index);
    expect(new FieldCipher([oldKey], randomBytes(32)).index('11010519491231002X', 'idNumber')).not.toBe(
      index,
    );
  });

  it('validates its keys and purposes', () => {
    expect(() => new FieldCipher([], indexKey)).toThrow(/at least one/);
    expect(() => new FieldCipher([{ id: 'k', key: randomBytes(16) }], indexKey)).toThrow(/32 bytes/);
    expect(() => new FieldCipher([{ id: 'bad.id', key: randomBytes(32) }], indexKey)).toThrow(/key id/);
    expect(() => new FieldCipher([oldKey, oldKey], indexKey)).toThrow(/repeated/);
    expect(() => new FieldCipher([oldKey], randomBytes(16))).toThrow(/index key/);
    expect(() => cipher.encrypt('x', 'phone:idNumber')).toThrow(/purpose/);
    expect(() => cipher.index('x', '')).toThrow(/purpose/);
  });
});

describe('masking', () => {
  it('masks ID numbers, phones, names and credit codes as the common practice does', () => {
    expect(maskIdNumber('11010519491231002X')).toBe('1101**********002X');
    expect(maskIdNumber('110105491231002')).toBe('1101*******1002');
    expect(maskPhone('13812345678')).toBe('138****5678');
    expect(maskPhone('+8613812345678')).toBe('+86138****5678');
    expect(maskPhone('138 1234 5678')).toBe('138****5678');
    expect(maskName('张三丰')).toBe('张**');
    expect(maskName('张三')).toBe('张*');
    expect(maskName('欧阳娜娜')).toBe('欧***');
    expect(maskUscc('91110000600037341L')).toBe('9111**********341L');
  });

  it('never returns a short or odd value whole, and never throws', () => {
    expect(maskIdNumber('')).toBe('');
    expect(maskIdNumber('1')).toBe('*');
    expect(maskIdNumber('12')).toBe('**');
    expect(maskIdNumber('123')).toBe('1*3');
    expect(maskIdNumber('12345678')).toBe('1******8');
    expect(maskIdNumber('123456789')).toBe('1*******9');
    expect(maskPhone('110')).toBe('1*0');
    expect(maskPhone('010-12345678')).toBe('010*****5678');
    expect(maskName('')).toBe('');
    expect(maskName('张')).toBe('*');
    expect(maskMiddle('😀😀😀😀', 1, 1)).toBe('😀**😀');
  });
});

describe('passwords', () => {
  it('hashes with argon2id and verifies', async () => {
    const hash = await hashPassword('correct horse 9');
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await verifyPassword(hash, 'correct horse 9')).toBe(true);
    expect(await verifyPassword(hash, 'correct horse 8')).toBe(false);
    expect(await hashPassword('correct horse 9')).not.toBe(hash);
  });

  it('answers false for a stored value that is not an argon2 hash, and for no account', async () => {
    expect(await verifyPassword('not-a-hash', 'whatever1')).toBe(false);
    expect(await verifyPasswordOfNoAccount('whatever1')).toBe(false);
  });

  it('requires 8 to 128 characters with two of letters, digits and symbols', () => {
    for (const good of ['abcdefg1', 'abcdefg!', '12345678!', '密码密码密码12', 'a'.repeat(127) + '1']) {
      expect(passwordPolicy(good), good).toBeNull();
    }
    for (const bad of [
      'abc12',
      'abcdefgh',
      '12345678',
      '!!!!!!!!',
      '密码密码密码密码',
      'a'.repeat(128) + '1',
    ]) {
      expect(passwordPolicy(bad), bad).toMatchObject({
        field: 'password',
        rule: 'passwordStrength',
        message: expect.stringContaining('密码'),
        messageEn: expect.stringContaining('8 to 128'),
      });
    }
    expect(passwordPolicy('short', 'newPassword')?.field).toBe('newPassword');
  });
});

describe('tokens and hashes', () => {
  it('makes random base64url tokens of the requested size', () => {
    expect(randomToken()).toMatch(/^[\w-]{43}$/);
    expect(randomToken(16)).toMatch(/^[\w-]{22}$/);
    expect(randomToken()).not.toBe(randomToken());
  });

  it('hashes with SHA-256 and compares strings', () => {
    expect(sha256('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(timingSafeEqualString('token-1', 'token-1')).toBe(true);
    expect(timingSafeEqualString('token-1', 'token-2')).toBe(false);
    expect(timingSafeEqualString('token-1', 'token-12')).toBe(false);
    expect(timingSafeEqualString('', '')).toBe(true);
  });
});
