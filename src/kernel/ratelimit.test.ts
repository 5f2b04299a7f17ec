import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/db.ts';
import type { RateLimits } from './config.ts';
import { AppError, toProblem } from './errors.ts';
import { ipBucket, LOCKOUT_MEMORY_SECONDS, rateLimitKey, RateLimiter } from './ratelimit.ts';

const limits: RateLimits = {
  passwordFailures: { max: 5, windowSeconds: 15 * 60 },
  loginIpFailures: { max: 50, windowSeconds: 15 * 60 },
  smsPerPhone: { max: 5, windowSeconds: 3600 },
  smsResendSeconds: 60,
  smsPerIp: { max: 30, windowSeconds: 3600 },
  smsCodeFailures: { max: 5, windowSeconds: 15 * 60 },
  lockoutBaseSeconds: 15 * 60,
  lockoutMaxSeconds: 24 * 3600,
};

let database: TestDatabase;
let clock: Date;
let limiter: RateLimiter;
let n = 0;
/** A key of its own for every test. */
const freshKey = (prefix = 'test') => `${prefix}:${++n}`;
const advance = (seconds: number) => (clock = new Date(clock.getTime() + seconds * 1000));

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
});
beforeEach(() => {
  clock = new Date('2025-03-03T08:00:00Z');
  limiter = new RateLimiter(database.db, limits, { now: () => clock });
});

async function fail(key: string, times: number) {
  for (let i = 0; i < times; i++) await limiter.recordFailure(key, limits.passwordFailures);
}

describe('progressive lockout', () => {
  it('locks the key on the 5th failure, so the 6th attempt is refused before any check', async () => {
    const key = freshKey();
    for (let i = 1; i <= 4; i++) {
      expect(await limiter.recordFailure(key, limits.passwordFailures)).toEqual({
        locked: false,
        retryAfterSeconds: 0,
        failures: i,
        remaining: 5 - i,
      });
      expect((await limiter.check(key)).locked).toBe(false);
    }
    expect(await limiter.recordFailure(key, limits.passwordFailures)).toMatchObject({
      locked: true,
      retryAfterSeconds: 900,
    });
    expect(await limiter.check(key)).toEqual({ locked: true, retryAfterSeconds: 900 });
    await expect(limiter.assertNotLocked(key)).rejects.toMatchObject({
      code: 'too_many_requests',
      status: 429,
      extra: { retryAfter: 900 },
    });
    advance(600);
    expect(await limiter.check(key)).toEqual({ locked: true, retryAfterSeconds: 300 });
    advance(300);
    expect(await limiter.check(key)).toEqual({ locked: false, retryAfterSeconds: 0 });
    await limiter.assertNotLocked(key);
  });

  it('puts retryAfter into the problem document', async () => {
    const key = freshKey();
    await fail(key, 5);
    const error = await limiter.assertNotLocked(key).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AppError);
    expect(toProblem(error as AppError)).toMatchObject({ status: 429, retryAfter: 900 });
  });

  it('doubles each successive lockout up to the maximum', async () => {
    const key = freshKey();
    const durations: number[] = [];
    for (let round = 0; round < 9; round++) {
      await fail(key, 4);
      const result = await limiter.recordFailure(key, limits.passwordFailures);
      expect(result.locked).toBe(true);
      durations.push(result.retryAfterSeconds);
      advance(result.retryAfterSeconds);
    }
    expect(durations).toEqual([900, 1800, 3600, 7200, 14400, 28800, 57600, 86400, 86400]);
  });

  it('ignores failures while locked: they neither extend nor deepen the lockout', async () => {
    const key = freshKey();
    await fail(key, 5);
    advance(100);
    expect(await limiter.recordFailure(key, limits.passwordFailures)).toMatchObject({
      locked: true,
      retryAfterSeconds: 800,
    });
    advance(800);
    await fail(key, 5);
    expect(await limiter.check(key)).toEqual({ locked: true, retryAfterSeconds: 1800 });
  });

  it('counts failures only within the window', async () => {
    const key = freshKey();
    await fail(key, 4);
    advance(15 * 60 - 1);
    expect((await limiter.recordFailure(key, limits.passwordFailures)).locked).toBe(true);

    const other = freshKey();
    await fail(other, 4);
    advance(15 * 60);
    // The window has passed: this is the first failure of a new window.
    expect(await limiter.recordFailure(other, limits.passwordFailures)).toMatchObject({
      locked: false,
      failures: 1,
      remaining: 4,
    });
  });

  it('clears failures on success but remembers lockouts for 24 hours after the last one ended', async () => {
    const key = freshKey();
    await fail(key, 4);
    await limiter.recordSuccess(key);
    expect((await limiter.recordFailure(key, limits.passwordFailures)).failures).toBe(1);

    await fail(key, 4); // locks (900 s)
    advance(900);
    await limiter.recordSuccess(key);
    await fail(key, 5);
    expect(await limiter.check(key)).toEqual({ locked: true, retryAfterSeconds: 1800 });

    advance(1800 + LOCKOUT_MEMORY_SECONDS);
    await fail(key, 5);
    expect(await limiter.check(key)).toEqual({ locked: true, retryAfterSeconds: 900 });
  });

  it('checks several keys at once and reports the longest lockout', async () => {
    const account = freshKey('password:acct');
    const ip = freshKey('login:ip');
    await fail(account, 5);
    advance(60);
    await fail(ip, 5);
    expect(await limiter.check([account, ip])).toEqual({ locked: true, retryAfterSeconds: 900 });
    expect(await limiter.check([account, freshKey()])).toEqual({ locked: true, retryAfterSeconds: 840 });
    expect(await limiter.check([freshKey(), freshKey()])).toEqual({ locked: false, retryAfterSeconds: 0 });
    expect(await limiter.check([])).toEqual({ locked: false, retryAfterSeconds: 0 });
  });

  it('reset unlocks at once and forgets the lockout count', async () => {
    const key = freshKey();
    await fail(key, 5);
    await limiter.reset(key);
    expect((await limiter.check(key)).locked).toBe(false);
    await fail(key, 5);
    expect(await limiter.check(key)).toEqual({ locked: true, retryAfterSeconds: 900 });
  });

  it('counts concurrent failures exactly: one lockout, not several', async () => {
    const key = freshKey();
    const results = await Promise.all(
      Array.from({ length: 5 }, () => limiter.recordFailure(key, limits.passwordFailures)),
    );
    expect(results.filter((r) => r.locked)).toHaveLength(1);
    expect(await limiter.check(key)).toEqual({ locked: true, retryAfterSeconds: 900 });
    advance(900);
    await fail(key, 5);
    expect(await limiter.check(key)).toEqual({ locked: true, retryAfterSeconds: 1800 });
  });
});

describe('event counters', () => {
  it('allows max events per window, then refuses until the window ends', async () => {
    const key = freshKey('sms:phone');
    for (let i = 1; i <= 5; i++) {
      expect(await limiter.hit(key, limits.smsPerPhone)).toEqual({
        allowed: true,
        retryAfterSeconds: 0,
        remaining: 5 - i,
      });
      advance(60);
    }
    // The window began at the first event, 300 s ago.
    expect(await limiter.hit(key, limits.smsPerPhone)).toEqual({
      allowed: false,
      retryAfterSeconds: 3300,
      remaining: 0,
    });
    advance(3299);
    expect((await limiter.hit(key, limits.smsPerPhone)).allowed).toBe(false);
    advance(1);
    expect(await limiter.hit(key, limits.smsPerPhone)).toEqual({
      allowed: true,
      retryAfterSeconds: 0,
      remaining: 4,
    });
  });

  it('enforces a minimum interval with max 1', async () => {
    const key = freshKey('sms:resend');
    const resend = { max: 1, windowSeconds: limits.smsResendSeconds };
    expect((await limiter.hit(key, resend)).allowed).toBe(true);
    advance(59);
    expect(await limiter.hit(key, resend)).toEqual({ allowed: false, retryAfterSeconds: 1, remaining: 0 });
    advance(1);
    expect((await limiter.hit(key, resend)).allowed).toBe(true);
  });

  it('throws 429 with retryAfter from assertWithinLimit', async () => {
    const key = freshKey();
    const limit = { max: 2, windowSeconds: 100 };
    await limiter.assertWithinLimit(key, limit);
    await limiter.assertWithinLimit(key, limit);
    await expect(limiter.assertWithinLimit(key, limit)).rejects.toMatchObject({
      code: 'too_many_requests',
      extra: { retryAfter: 100 },
    });
  });

  it('counts 20 concurrent hits exactly', async () => {
    const key = freshKey();
    const results = await Promise.all(
      Array.from({ length: 20 }, () => limiter.hit(key, { max: 100, windowSeconds: 60 })),
    );
    expect(results.map((r) => r.remaining).sort((a, b) => b - a)).toEqual(
      Array.from({ length: 20 }, (_, i) => 99 - i),
    );
    const [row] = await database.db.query<{ count: number }>(
      'select count from rate_limit_counter where key = $1',
      [key],
    );
    expect(row?.count).toBe(20);
  });

  it('lets exactly max of many concurrent hits through', async () => {
    const key = freshKey();
    const results = await Promise.all(
      Array.from({ length: 20 }, () => limiter.hit(key, { max: 5, windowSeconds: 60 })),
    );
    expect(results.filter((r) => r.allowed)).toHaveLength(5);
  });

  it('keeps keys apart', async () => {
    const a = freshKey();
    const b = freshKey();
    const limit = { max: 1, windowSeconds: 60 };
    expect((await limiter.hit(a, limit)).allowed).toBe(true);
    expect((await limiter.hit(b, limit)).allowed).toBe(true);
    expect((await limiter.hit(a, limit)).allowed).toBe(false);
  });
});

describe('purge', () => {
  it('deletes ended windows and forgotten lockouts, and keeps what still matters', async () => {
    // Start from a clock after everything earlier tests left behind.
    clock = new Date('2030-01-01T00:00:00Z');
    await limiter.purge();
    const counter = freshKey();
    const failing = freshKey();
    const locked = freshKey();
    await limiter.hit(counter, { max: 5, windowSeconds: 60 });
    await fail(failing, 2);
    await fail(locked, 5);
    const keys = async () =>
      (
        await database.db.query<{ key: string }>(
          `select key from rate_limit_counter where key = any($1::text[])
           union select key from rate_limit_lockout where key = any($1::text[]) order by key`,
          [[counter, failing, locked]],
        )
      ).map((r) => r.key);

    expect(await limiter.purge()).toBe(0);
    advance(60);
    expect(await limiter.purge()).toBe(1); // the counter window ended
    advance(15 * 60);
    expect(await limiter.purge()).toBe(1); // the failure window ended
    expect(await keys()).toEqual([locked]);
    // The lockout ended 60 s ago; it is remembered for LOCKOUT_MEMORY_SECONDS after that.
    advance(LOCKOUT_MEMORY_SECONDS - 60 - 1);
    expect(await limiter.purge()).toBe(0);
    advance(1);
    expect(await limiter.purge()).toBe(1);
    expect(await keys()).toEqual([]);
  });
});

describe('keys', () => {
  it('counts IPv6 clients by /64 and IPv4-mapped addresses as IPv4', () => {
    expect(ipBucket('203.0.113.7')).toBe('203.0.113.7');
    expect(ipBucket('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(ipBucket('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(ipBucket('2001:0db8:0001:0002:ffff:ffff:ffff:ffff')).toBe('2001:db8:1:2::/64');
    expect(ipBucket('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(ipBucket('::1')).toBe('0:0:0:0::/64');
    expect(ipBucket('[fe80::1%eth0]')).toBe('fe80:0:0:0::/64');
    expect(ipBucket('64:ff9b::203.0.113.7')).toBe('64:ff9b:0:0::/64');
    expect(ipBucket('unknown')).toBe('unknown');
  });

  it('builds keys by the naming convention', () => {
    expect(rateLimitKey.passwordAccount('IDX')).toBe('password:acct:IDX');
    expect(rateLimitKey.loginIp('2001:db8:1:2::9')).toBe('login:ip:2001:db8:1:2::/64');
    expect(rateLimitKey.smsPhone('P')).toBe('sms:phone:P');
    expect(rateLimitKey.smsResend('P')).toBe('sms:resend:P');
    expect(rateLimitKey.smsIp('198.51.100.1')).toBe('sms:ip:198.51.100.1');
    expect(rateLimitKey.smsCode('P')).toBe('smscode:P');
  });
});
