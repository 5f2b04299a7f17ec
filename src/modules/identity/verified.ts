import type { Queryable } from '../../kernel/db.ts';
import type { IdentityContext } from './context.ts';

/** A person's identity as verified by 实名认证: the registered name and the resident ID number. */
export interface VerifiedIdentity {
  name: string;
  idNumber: string;
}

/**
 * The verified name and ID number of a live person account (decrypted), for other modules
 * that act on them (applications pre-fill and pre-check with them); null when the account
 * is unknown, not a person's, not active, or has no verified ID number.
 */
export async function verifiedIdentity(
  ctx: Pick<IdentityContext, 'cipher'>,
  db: Queryable,
  sub: string,
): Promise<VerifiedIdentity | null> {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(sub)) return null;
  const [row] = await db.query<{ name: string | null; id_number_enc: string | null }>(
    `select name, id_number_enc from identity_account
      where id = $1 and kind = 'person' and status = 'active' and real_name_verified_at is not null`,
    [sub],
  );
  if (!row?.name || !row.id_number_enc) return null;
  return { name: row.name, idNumber: ctx.cipher.decrypt(row.id_number_enc, 'idNumber') };
}
