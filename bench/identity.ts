/**
 * The signed-in side of the benchmark: one staff account in the bench database and bearer
 * sessions opened for it at the start of every run (see bench/README.md).
 */
import type { Config } from '../src/kernel/config.ts';
import { FieldCipher, hashPassword } from '../src/kernel/crypto.ts';
import type { Database } from '../src/kernel/db.ts';
import { RateLimiter, rateLimitKey } from '../src/kernel/ratelimit.ts';
import { createStaff, Sessions } from '../src/modules/identity/index.ts';

/** The bench staff member; no phone, so nothing of theirs depends on the run's field keys. */
export const BENCH_STAFF = {
  username: 'bench.clerk',
  name: '压测窗口人员',
  password: 'bench-Clerk-2025!',
  role: 'window_clerk',
  /** 示例市, the whole demo city. */
  regionCode: '329900000000',
} as const;

export interface BenchStaff {
  accountId: string;
  /** Bearer tokens of live sessions, rotated across requests. */
  tokens: string[];
}

/**
 * Finds or creates the bench staff account, hashes its password again with today's
 * parameters, forgets the sessions and rate-limit state of earlier runs and opens
 * `sessionCount` fresh bearer sessions.
 */
export async function prepareBenchStaff(
  db: Database,
  config: Config,
  sessionCount: number,
): Promise<BenchStaff> {
  const [found] = await db.query<{ id: string }>('select id from identity_account where username = $1', [
    BENCH_STAFF.username,
  ]);
  let accountId = found?.id;
  if (accountId === undefined) {
    const [organisation] = await db.query<{ id: number }>(
      'select id from organisation where region_code = $1 order by id limit 1',
      [BENCH_STAFF.regionCode],
    );
    if (!organisation) throw new Error(`No organisation in region ${BENCH_STAFF.regionCode}: reseed`);
    accountId = await createStaff(
      { cipher: new FieldCipher(config.fieldKeys, config.indexKey) },
      db,
      {
        username: BENCH_STAFF.username,
        name: BENCH_STAFF.name,
        password: BENCH_STAFF.password,
        organisationId: Number(organisation.id),
        roles: [BENCH_STAFF.role],
        regionCodes: [BENCH_STAFF.regionCode],
      },
      { actor: 'bench' },
    );
  } else {
    await db.query(`update identity_account set password_hash = $2, status = 'active' where id = $1`, [
      accountId,
      await hashPassword(BENCH_STAFF.password),
    ]);
  }
  // Every login of the login case leaves a session row; they would pile up run after run.
  await db.query('delete from identity_session where account_id = $1', [accountId]);
  const limiter = new RateLimiter(db, config.rateLimits);
  await limiter.reset(rateLimitKey.passwordAccount(`user:${BENCH_STAFF.username}`));
  await limiter.reset(rateLimitKey.loginIp('127.0.0.1'));
  const sessions = new Sessions(db, config);
  const tokens: string[] = [];
  for (let i = 0; i < sessionCount; i++) {
    tokens.push((await sessions.open(db, accountId, 'bearer', { userAgent: 'tongban-bench' })).token);
  }
  return { accountId, tokens };
}
