import type { FieldCipher } from '../../kernel/crypto.ts';
import type { Database } from '../../kernel/db.ts';

/** Encrypted columns of the identity tables: [table, key column, ciphertext column, blind index column, purpose]. */
const ENCRYPTED_COLUMNS = [
  ['identity_account', 'id', 'phone_enc', 'phone_index', 'phone'],
  ['identity_account', 'id', 'id_number_enc', 'id_number_index', 'idNumber'],
] as const;

/**
 * Key rotation: re-encrypts every personal field with the active key and recomputes its
 * blind index with the current index key. Run it after prepending a new key to
 * FIELD_ENCRYPTION_KEYS (or changing FIELD_INDEX_KEY); once it reports nothing left,
 * the old key can be dropped. Works in batches so it can run on a live system.
 */
export async function rotateFieldKeys(
  cipher: FieldCipher,
  db: Database,
  batchSize = 500,
): Promise<{ rewritten: number }> {
  let rewritten = 0;
  for (const [table, key, encrypted, index, purpose] of ENCRYPTED_COLUMNS) {
    let after = '';
    for (;;) {
      const rows = await db.query<{ id: string; value: string; blind: string | null }>(
        `select ${key}::text as id, ${encrypted} as value, ${index} as blind from ${table}
          where ${encrypted} is not null and ${key}::text > $1 order by ${key}::text limit $2`,
        [after, batchSize],
      );
      if (rows.length === 0) break;
      after = rows.at(-1)!.id;
      for (const row of rows) {
        const plain = cipher.decrypt(row.value, purpose);
        const blind = cipher.index(plain, purpose);
        if (!cipher.needsRotation(row.value) && blind === row.blind) continue;
        await db.query(`update ${table} set ${encrypted} = $2, ${index} = $3 where ${key}::text = $1`, [
          row.id,
          cipher.reencrypt(row.value, purpose),
          blind,
        ]);
        rewritten++;
      }
    }
  }
  return { rewritten };
}
