import type { Queryable } from '../../kernel/db.ts';
import type { IdentityContext } from './context.ts';

export interface AccountRow {
  id: string;
  kind: 'person' | 'staff';
  username: string | null;
  name: string | null;
  phone_enc: string | null;
  id_number_enc: string | null;
  password_hash: string | null;
  assurance: number;
  status: 'active' | 'disabled' | 'closed';
}

const ACCOUNT_COLUMNS =
  'id, kind, username, name, phone_enc, id_number_enc, password_hash, assurance, status';

/** The live (not closed) account of that kind registered with the phone. */
export async function findAccountByPhone(
  ctx: Pick<IdentityContext, 'cipher'>,
  db: Queryable,
  kind: 'person' | 'staff',
  phone: string,
): Promise<AccountRow | undefined> {
  const [row] = await db.query<AccountRow>(
    `select ${ACCOUNT_COLUMNS} from identity_account where kind = $1 and phone_index = $2 and status <> 'closed'`,
    [kind, ctx.cipher.index(phone, 'phone')],
  );
  return row;
}

export async function findAccountByUsername(
  db: Queryable,
  username: string,
): Promise<AccountRow | undefined> {
  const [row] = await db.query<AccountRow>(
    `select ${ACCOUNT_COLUMNS} from identity_account where username = $1 and status <> 'closed'`,
    [username],
  );
  return row;
}

export async function getAccount(db: Queryable, id: string): Promise<AccountRow | undefined> {
  const [row] = await db.query<AccountRow>(`select ${ACCOUNT_COLUMNS} from identity_account where id = $1`, [
    id,
  ]);
  return row;
}

/** A new person account whose phone has just been verified (assurance level 1). */
export async function createPerson(
  ctx: Pick<IdentityContext, 'cipher'>,
  db: Queryable,
  input: { phone: string; passwordHash?: string | null },
): Promise<string> {
  const [row] = await db.query<{ id: string }>(
    `insert into identity_account (kind, phone_enc, phone_index, password_hash, assurance)
     values ('person', $1, $2, $3, 1) returning id`,
    [
      ctx.cipher.encrypt(input.phone, 'phone'),
      ctx.cipher.index(input.phone, 'phone'),
      input.passwordHash ?? null,
    ],
  );
  return row!.id;
}
