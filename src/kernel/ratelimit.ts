import { isIPv4, isIPv6 } from 'node:net';
import type { Limit, RateLimits } from './config.ts';
import type { Database } from './db.ts';
import { AppError } from './errors.ts';

/**
 * Rate limits and progressive lockout, kept in the database (migration 0008) so that
 * every server process enforces the same limits.
 *
 * Two mechanisms:
 * - `hit` counts events (SMS sends) per key in a window that starts at the key's first
 *   event: at most `max` events until the window ends.
 * - `check` / `recordFailure` / `recordSuccess` count failed attempts (wrong passwords,
 *   wrong SMS codes). When `max` failures fall within one window the key is locked for
 *   `lockoutBaseSeconds * 2^lockouts` (capped at `lockoutMaxSeconds`). Callers `check`
 *   BEFORE verifying a secret, so a locked key is refused without the secret being
 *   checked at all. A success clears the failures but not the lockout count: that is
 *   forgotten 24 hours after the last lockout ended, so an attacker who waits out one
 *   lockout meets a longer one.
 *
 * Key naming (build keys with `rateLimitKey`): the value attacked, never a secret, and
 * phone numbers or account identifiers only as blind indexes (kernel/crypto.ts):
 *   password:acct:<index of the identifier typed>   wrong passwords per account identifier
 *   login:ip:<address>                              failed logins per client address
 *   sms:phone:<phone index>                         SMS codes sent per phone (per hour)
 *   sms:resend:<phone index>                        minimum interval between two SMS codes
 *   sms:ip:<address>                                SMS codes requested per client address
 *   smscode:<phone index>                           wrong SMS codes per phone
 * Key the account limits by the identifier the client sent, whether or not such an
 * account exists, so that lockouts do not reveal which accounts exist.
 */

/** How long the lockout count is remembered after the last lockout ended. */
export const LOCKOUT_MEMORY_SECONDS = 24 * 3600;

export interface HitResult {
  allowed: boolean;
  /** Seconds until an event would be allowed again; 0 when allowed. */
  retryAfterSeconds: number;
  /** Events still allowed in the current window. */
  remaining: number;
}

export interface LockState {
  locked: boolean;
  /** Seconds until the lockout ends; 0 when not locked. */
  retryAfterSeconds: number;
}

export interface FailureResult extends LockState {
  /** Failures in the current window (0 right after this failure caused a lockout). */
  failures: number;
  /** Failures still allowed before a lockout; 0 when locked. */
  remaining: number;
}

export interface RateLimiterOptions {
  /** The clock; tests pass their own so that windows pass without sleeping. */
  now?: () => Date;
}

interface LockoutRow {
  failures: number;
  failures_expire_at: Date | null;
  lockouts: number;
  locked_until: Date | null;
}

export class RateLimiter {
  readonly #now: () => Date;

  constructor(
    private readonly db: Database,
    /** The configured limits, for callers: `limiter.limits.passwordFailures`. */
    readonly limits: RateLimits,
    options: RateLimiterOptions = {},
  ) {
    this.#now = options.now ?? (() => new Date());
  }

  /** Counts one event for `key`; allowed while the window holds at most `limit.max` events. */
  async hit(key: string, limit: Limit): Promise<HitResult> {
    const now = this.#now();
    const windowEnd = new Date(now.getTime() + limit.windowSeconds * 1000);
    // One atomic upsert: concurrent hits from any process are all counted exactly.
    // Refused events count too (they do not extend the window).
    const [row] = await this.db.query<{ count: number; expires_at: Date }>(
      `insert into rate_limit_counter as c (key, window_start, expires_at, count)
       values ($1, $2::timestamptz, $3::timestamptz, 1)
       on conflict (key) do update set
         window_start = case when c.expires_at <= excluded.window_start then excluded.window_start else c.window_start end,
         expires_at = case when c.expires_at <= excluded.window_start then excluded.expires_at else c.expires_at end,
         count = case when c.expires_at <= excluded.window_start then 1 else least(c.count, 1000000000) + 1 end
       returning count, expires_at`,
      [key, now, windowEnd],
    );
    const count = row!.count;
    const allowed = count <= limit.max;
    return {
      allowed,
      retryAfterSeconds: allowed ? 0 : secondsUntil(row!.expires_at, now),
      remaining: Math.max(0, limit.max - count),
    };
  }

  /** `hit`, throwing 429 too_many_requests (with `retryAfter`) when the limit is exceeded. */
  async assertWithinLimit(key: string, limit: Limit): Promise<HitResult> {
    const result = await this.hit(key, limit);
    if (!result.allowed)
      throw tooManyRequests(
        result.retryAfterSeconds,
        `Too many requests; try again in ${result.retryAfterSeconds} seconds`,
      );
    return result;
  }

  /** Whether any of the keys is locked now; with several, the longest remaining lockout. */
  async check(keys: string | readonly string[]): Promise<LockState> {
    const now = this.#now();
    const list = typeof keys === 'string' ? [keys] : [...keys];
    const [row] = await this.db.query<{ locked_until: Date | null }>(
      `select max(locked_until) as locked_until from rate_limit_lockout
        where key = any($1::text[]) and locked_until > $2::timestamptz`,
      [list, now],
    );
    const lockedUntil = row?.locked_until ?? null;
    return lockedUntil === null
      ? { locked: false, retryAfterSeconds: 0 }
      : { locked: true, retryAfterSeconds: secondsUntil(lockedUntil, now) };
  }

  /** `check`, throwing 429 too_many_requests (with `retryAfter`) while locked. Call before verifying a secret. */
  async assertNotLocked(keys: string | readonly string[]): Promise<void> {
    const state = await this.check(keys);
    if (state.locked)
      throw tooManyRequests(
        state.retryAfterSeconds,
        `Too many failed attempts; try again in ${state.retryAfterSeconds} seconds`,
      );
  }

  /**
   * Counts one failure. The failure that brings the window to `limit.max` locks the
   * key (the next attempt is refused by `check`). A failure while locked changes nothing.
   */
  async recordFailure(key: string, limit: Limit): Promise<FailureResult> {
    const now = this.#now();
    return this.db.transaction(async (tx) => {
      // Insert or lock the key's row in one statement, so a concurrent purge cannot slip in between.
      const [row] = await tx.query<LockoutRow>(
        `insert into rate_limit_lockout as l (key, updated_at) values ($1, $2::timestamptz)
         on conflict (key) do update set updated_at = l.updated_at
         returning failures, failures_expire_at, lockouts, locked_until`,
        [key, now],
      );
      const state = row!;
      if (state.locked_until !== null && state.locked_until > now) {
        return {
          locked: true,
          retryAfterSeconds: secondsUntil(state.locked_until, now),
          failures: state.failures,
          remaining: 0,
        };
      }
      let lockouts = state.lockouts;
      if (
        state.locked_until !== null &&
        state.locked_until.getTime() + LOCKOUT_MEMORY_SECONDS * 1000 <= now.getTime()
      )
        lockouts = 0;
      let failures = state.failures;
      let failuresExpireAt = state.failures_expire_at;
      if (failuresExpireAt === null || failuresExpireAt <= now) {
        failures = 0;
        failuresExpireAt = new Date(now.getTime() + limit.windowSeconds * 1000);
      }
      failures += 1;
      let lockedUntil = state.locked_until;
      let locked = false;
      let lockSeconds = 0;
      if (failures >= limit.max) {
        lockSeconds = this.lockoutSeconds(lockouts);
        lockedUntil = new Date(now.getTime() + lockSeconds * 1000);
        lockouts += 1;
        failures = 0;
        failuresExpireAt = null;
        locked = true;
      }
      await tx.query(
        `update rate_limit_lockout
            set failures = $2, failures_expire_at = $3::timestamptz, lockouts = $4,
                locked_until = $5::timestamptz, updated_at = $6::timestamptz
          where key = $1`,
        [key, failures, failuresExpireAt, lockouts, lockedUntil, now],
      );
      return {
        locked,
        retryAfterSeconds: lockSeconds,
        failures,
        remaining: locked ? 0 : limit.max - failures,
      };
    });
  }

  /** Clears the failures of `key` (after a correct password or code); the lockout count stays remembered. */
  async recordSuccess(key: string): Promise<void> {
    await this.db.query(
      `update rate_limit_lockout set failures = 0, failures_expire_at = null, updated_at = $2::timestamptz
        where key = $1 and failures > 0`,
      [key, this.#now()],
    );
  }

  /** Forgets everything about `key`: counters, failures, lockout (an administrator unlocking an account). */
  async reset(key: string): Promise<void> {
    await this.db.query('delete from rate_limit_counter where key = $1', [key]);
    await this.db.query('delete from rate_limit_lockout where key = $1', [key]);
  }

  /**
   * Deletes rows that no longer matter: ended counter windows, and lockout rows with no
   * open failure window whose last lockout is older than the lockout memory. Safe to run
   * from several processes at once. Returns the number of rows deleted.
   */
  async purge(): Promise<number> {
    const now = this.#now();
    const forgetBefore = new Date(now.getTime() - LOCKOUT_MEMORY_SECONDS * 1000);
    const counters = await this.db.query(
      'delete from rate_limit_counter where expires_at <= $1::timestamptz returning 1',
      [now],
    );
    const lockouts = await this.db.query(
      `delete from rate_limit_lockout
        where (failures_expire_at is null or failures_expire_at <= $1::timestamptz)
          and (locked_until is null or locked_until <= $2::timestamptz)
        returning 1`,
      [now, forgetBefore],
    );
    return counters.length + lockouts.length;
  }

  /** Duration of the lockout after `previousLockouts` earlier ones: base * 2^n, capped. */
  lockoutSeconds(previousLockouts: number): number {
    const { lockoutBaseSeconds, lockoutMaxSeconds } = this.limits;
    return Math.min(lockoutMaxSeconds, lockoutBaseSeconds * 2 ** Math.min(previousLockouts, 30));
  }
}

/** 429 with `retryAfter` (seconds) in the problem document; the HTTP layer may copy it into Retry-After. */
export function tooManyRequests(retryAfterSeconds: number, detail?: string): AppError {
  return new AppError('too_many_requests', detail, undefined, { retryAfter: retryAfterSeconds });
}

function secondsUntil(moment: Date, now: Date): number {
  return Math.max(1, Math.ceil((moment.getTime() - now.getTime()) / 1000));
}

/**
 * The address a per-client limit counts: IPv4 as is (also when IPv4-mapped), IPv6 by
 * its /64 prefix, because one subscriber usually holds a whole /64 and could otherwise
 * rotate addresses within it.
 */
export function ipBucket(ip: string): string {
  const address = ip
    .trim()
    .replace(/^\[|\]$/g, '')
    .replace(/%.*$/, '');
  if (isIPv4(address)) return address;
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  if (mapped && isIPv4(mapped[1]!)) return mapped[1]!;
  if (!isIPv6(address)) return address;
  const groups = (part: string) => (part === '' ? [] : part.split(':'));
  const [head = '', tail] = address.split('::');
  const front = groups(head);
  const back = tail === undefined ? [] : groups(tail);
  // An embedded IPv4 tail (a.b.c.d) takes the room of two groups.
  const backSize = back.length + (back.at(-1)?.includes('.') ? 1 : 0);
  const full = [...front, ...Array<string>(Math.max(0, 8 - front.length - backSize)).fill('0'), ...back];
  return `${full
    .slice(0, 4)
    .map((g) => parseInt(g, 16).toString(16))
    .join(':')}::/64`;
}

/** Builders of the rate-limit keys (see the naming convention above). */
export const rateLimitKey = {
  passwordAccount: (identifierIndex: string) => `password:acct:${identifierIndex}`,
  loginIp: (ip: string) => `login:ip:${ipBucket(ip)}`,
  smsPhone: (phoneIndex: string) => `sms:phone:${phoneIndex}`,
  smsResend: (phoneIndex: string) => `sms:resend:${phoneIndex}`,
  smsIp: (ip: string) => `sms:ip:${ipBucket(ip)}`,
  smsCode: (phoneIndex: string) => `smscode:${phoneIndex}`,
} as const;
