import type { Queryable } from '../../kernel/db.ts';
import { defineMessages, text, type Locale } from '../../kernel/i18n.ts';

/*
 * Who an audited actor is, for the pages that show a history (who drafted, who published):
 * a staff member's name and home department, or the platform itself for the `system:…`
 * actors (seeding, imports, sweeps). Only staff are named: a citizen's account id stays an
 * id, so a history page never discloses who a person is.
 */

defineMessages({
  'identity.actor.system': { zh: '系统', en: 'The platform' },
});

/** The display name of an actor, and the staff member's department (null for the platform). */
export interface ActorName {
  name: string;
  department: string | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The names of the actors among `ids`, in one query; an id absent from the map is not
 * known (an account that is no staff member, or an actor such as `anonymous` or `test`).
 */
export async function actorNames(
  db: Queryable,
  ids: Iterable<string | null>,
  locale: Locale = 'zh-CN',
): Promise<Map<string, ActorName>> {
  const names = new Map<string, ActorName>();
  const accounts = new Set<string>();
  for (const id of ids) {
    if (!id) continue;
    if (id === 'system' || id.startsWith('system:')) {
      const platform = text('identity.actor.system');
      names.set(id, { name: locale === 'en' ? platform.en : platform.zh, department: null });
    } else if (UUID.test(id)) accounts.add(id);
  }
  if (accounts.size === 0) return names;
  // Staff names are kept in clear (only phone and ID numbers are encrypted); a member
  // without a name is shown by their username, as the staff pages do.
  const rows = await db.query<{ id: string; name: string; department: string | null }>(
    `select a.id::text as id, coalesce(a.name, a.username) as name, o.name as department
       from identity_account a
       left join identity_staff s on s.account_id = a.id
       left join organisation o on o.id = s.organisation_id
      where a.id = any($1::uuid[]) and a.kind = 'staff'`,
    [[...accounts]],
  );
  for (const row of rows) names.set(row.id, { name: row.name, department: row.department });
  return names;
}
