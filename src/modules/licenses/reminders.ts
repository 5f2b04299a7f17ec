import { chinaDateOf } from '../../kernel/calendar/index.ts';
import { publish } from '../../kernel/outbox.ts';
import type { LicensesDeps } from './service.ts';

/** Events the licences module publishes for other modules (messaging reminds the holder). */
export const LICENCE_TOPICS = {
  /** A licence reaches the reminder lead time before its last valid day. */
  expiring: 'licence.expiring',
} as const;

export interface LicenceExpiringEvent {
  licenceId: string;
  typeName: string;
  holderSub: string;
  holderName: string;
  /** Last valid day, YYYY-MM-DD. */
  validUntil: string;
  daysLeft: number;
}

/**
 * Publishes one `licence.expiring` per licence that ends within `days` days and has an
 * account to notify, and marks it reminded in the same transaction, so a licence is
 * reminded once however often the job runs. A reissued version is reminded again.
 */
export async function remindExpiring(
  deps: LicensesDeps,
  days: number,
  now = new Date(),
  limit = 1000,
): Promise<number> {
  const today = chinaDateOf(now);
  return deps.db.transaction(async (tx) => {
    const rows = await tx.query<{
      id: string;
      name: string;
      holder_sub: string;
      holder_name: string;
      valid_until: string;
      days_left: number;
    }>(
      `update licence l set reminded_at = $3
         from licence_type t
        where t.code = l.type_code
          and l.id in (select id from licence
                        where status = 'valid' and reminded_at is null and holder_sub is not null
                          and valid_until between $1::date and $1::date + $2::int
                        order by valid_until limit $4 for update skip locked)
       returning l.id, t.name, l.holder_sub, l.holder_name, to_char(l.valid_until, 'YYYY-MM-DD') as valid_until,
                 (l.valid_until - $1::date) as days_left`,
      [today, days, now, limit],
    );
    for (const row of rows) {
      const payload: LicenceExpiringEvent = {
        licenceId: row.id,
        typeName: row.name,
        holderSub: row.holder_sub,
        holderName: row.holder_name,
        validUntil: row.valid_until,
        daysLeft: Number(row.days_left),
      };
      await publish(tx, { topic: LICENCE_TOPICS.expiring, key: row.id, payload });
    }
    return rows.length;
  });
}
