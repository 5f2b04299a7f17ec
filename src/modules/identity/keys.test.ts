import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/helpers/db.ts';
import { FieldCipher } from '../../kernel/crypto.ts';
import { createPerson, findAccountByPhone } from './accounts.ts';
import { rotateFieldKeys } from './keys.ts';

describe('field key rotation', () => {
  let t: TestDatabase;
  const oldKey = { id: 'k1', key: randomBytes(32) };
  const newKey = { id: 'k2', key: randomBytes(32) };
  const indexKey = randomBytes(32);

  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(() => t.drop());

  it('re-encrypts with the new key so the old one can be dropped, and re-indexes', async () => {
    const before = new FieldCipher([oldKey], indexKey);
    const phones = ['13700000001', '13700000002', '13700000003'];
    for (const phone of phones) await createPerson({ cipher: before }, t.db, { phone });

    const during = new FieldCipher([newKey, oldKey], indexKey);
    expect(await rotateFieldKeys(during, t.db, 2)).toEqual({ rewritten: 3 });
    expect(await rotateFieldKeys(during, t.db, 2)).toEqual({ rewritten: 0 });

    const after = new FieldCipher([newKey], indexKey);
    for (const phone of phones) {
      const account = await findAccountByPhone({ cipher: after }, t.db, 'person', phone);
      expect(after.decrypt(account!.phone_enc!, 'phone')).toBe(phone);
    }

    // A new index key: lookups work again once the rotation has recomputed the indexes.
    const reindexed = new FieldCipher([newKey], randomBytes(32));
    expect(await findAccountByPhone({ cipher: reindexed }, t.db, 'person', phones[0]!)).toBeUndefined();
    expect(await rotateFieldKeys(reindexed, t.db)).toEqual({ rewritten: 3 });
    expect(await findAccountByPhone({ cipher: reindexed }, t.db, 'person', phones[0]!)).toBeDefined();
  });
});
