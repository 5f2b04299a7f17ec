import type { Queryable } from '../../kernel/db.ts';
import type { IdentityContext } from './context.ts';

/*
 * Who to tell, for the modules that notify people (messaging): a person's phone for an
 * SMS, and the staff of a department who should act on a case. Nothing here is shown to
 * anyone: the callers send to these addresses, they do not display them.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The mobile number an account can be reached at, decrypted; null when the account does
 * not exist, is closed, or has no phone (then the caller tells them in-app only).
 */
export async function contactPhone(
  ctx: Pick<IdentityContext, 'cipher'>,
  db: Queryable,
  sub: string,
): Promise<string | null> {
  if (!UUID.test(sub)) return null;
  const [row] = await db.query<{ phone_enc: string | null }>(
    `select phone_enc from identity_account where id = $1 and status <> 'closed'`,
    [sub],
  );
  return row?.phone_enc ? ctx.cipher.decrypt(row.phone_enc, 'phone') : null;
}

/** A staff member to notify. */
export interface StaffContact {
  sub: string;
  name: string;
  roles: string[];
}

/**
 * The active staff accounts whose home department is `organisationId`, holding `role`
 * (any role when null or omitted), ordered by account id.
 */
export async function staffOfOrganisation(
  db: Queryable,
  organisationId: number,
  role?: string | null,
): Promise<StaffContact[]> {
  return db.query<StaffContact>(
    `select a.id as sub, coalesce(a.name, a.username) as name,
            coalesce((select array_agg(r.role_code order by r.role_code)
                        from identity_staff_role r where r.account_id = a.id), '{}') as roles
       from identity_staff s
       join identity_account a on a.id = s.account_id
      where s.organisation_id = $1 and a.kind = 'staff' and a.status = 'active'
        and ($2::text is null or exists (select 1 from identity_staff_role r
                                          where r.account_id = a.id and r.role_code = $2))
      order by a.id`,
    [organisationId, role ?? null],
  );
}
