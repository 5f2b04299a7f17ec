import type { Database } from '../../kernel/db.ts';
import type { RateLimiter } from '../../kernel/ratelimit.ts';

/** Ended sessions stay this long for "my sessions" and investigations, then go. */
const SESSION_RETENTION_DAYS = 30;

/**
 * Deletes what has no use any more: sessions ended a month ago, SMS and QR codes past
 * their life, spent rate-limit windows. Idempotent, so processes may overlap.
 */
export async function purgeIdentity(db: Database, limiter: RateLimiter): Promise<void> {
  await db.query(
    `delete from identity_session
      where coalesce(revoked_at, expires_at) < now() - make_interval(days => $1)`,
    [SESSION_RETENTION_DAYS],
  );
  await db.query(`delete from identity_sms_code where expires_at < now() - interval '1 day'`);
  await db.query(`delete from identity_qr_login where expires_at < now() - interval '1 day'`);
  await limiter.purge();
}
