import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/kernel/config.ts';

describe('configuration', () => {
  it('reports every bad value at once, naming the variable and the rule', () => {
    let error: unknown;
    try {
      loadConfig({
        PORT: 'eighty',
        NODE_ENV: 'prod',
        DATABASE_URL: 'mysql://x',
        DB_POOL_SIZE: '0',
        LOG_LEVEL: 'loud',
        PUBLIC_URL: 'ftp://x',
        CASE_YELLOW_SHARE: '1.5',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toHaveLength(7);
    expect(problems.join('\n')).toMatch(/PUBLIC_URL="ftp:\/\/x": must be an http\(s\) URL/);
    expect(problems.join('\n')).toMatch(/CASE_YELLOW_SHARE="1.5": must be a number from 0.1 to 0.99/);
    expect(problems.join('\n')).toMatch(/PORT="eighty": must be an integer from 0 to 65535/);
    expect(problems.join('\n')).toMatch(/NODE_ENV/);
    expect(problems.join('\n')).toMatch(/DATABASE_URL: must start with postgres/);
  });

  it('refuses to start in production without its secrets', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/SESSION_SECRET: is required/);
    expect(() => loadConfig({ NODE_ENV: 'production', SESSION_SECRET: 'short' })).toThrow(/at least 32/);
  });

  it('generates a development secret once into DATA_DIR and reuses it', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tongban-config-'));
    const first = loadConfig({ DATA_DIR: dir });
    const second = loadConfig({ DATA_DIR: dir });
    expect(first.sessionSecret.length).toBeGreaterThanOrEqual(32);
    expect(second.sessionSecret).toBe(first.sessionSecret);
    expect(JSON.parse(readFileSync(path.join(dir, 'secrets.json'), 'utf8')).sessionSecret).toBe(
      first.sessionSecret,
    );
    expect(first).toMatchObject({ port: 8080, host: '0.0.0.0', databaseUrl: undefined, dataDir: dir });
  });
});

describe('identity settings', () => {
  const key = (byte: number, length = 32) => Buffer.alloc(length, byte).toString('base64');
  const productionSecrets = {
    NODE_ENV: 'production',
    SESSION_SECRET: 'production-secret-production-secret-12',
    FIELD_ENCRYPTION_KEYS: `k2:${key(2)}`,
    FIELD_INDEX_KEY: key(9),
  };
  const problemsOf = (env: Record<string, string>): string[] => {
    try {
      loadConfig(env);
    } catch (error) {
      if (error instanceof ConfigError) return error.problems;
      throw error;
    }
    return [];
  };

  it('refuses to start in production without the field keys', () => {
    const problems = problemsOf({ ...productionSecrets, FIELD_ENCRYPTION_KEYS: '', FIELD_INDEX_KEY: '' });
    expect(problems).toEqual([
      'FIELD_ENCRYPTION_KEYS: is required when NODE_ENV=production',
      'FIELD_INDEX_KEY: is required when NODE_ENV=production',
    ]);
  });

  it('reads rotation key lists: the first key encrypts, all are kept for decryption', () => {
    const config = loadConfig({
      ...productionSecrets,
      FIELD_ENCRYPTION_KEYS: ` k2:${key(2)} , k1_old:${Buffer.alloc(32, 1).toString('base64url')}`,
    });
    expect(config.fieldKeys.map((k) => k.id)).toEqual(['k2', 'k1_old']);
    expect(config.fieldKeys[0]!.key.equals(Buffer.alloc(32, 2))).toBe(true);
    expect(config.fieldKeys[1]!.key.equals(Buffer.alloc(32, 1))).toBe(true);
    expect(config.indexKey.equals(Buffer.alloc(32, 9))).toBe(true);
  });

  it('reports every bad key entry without echoing key material', () => {
    const secretLooking = key(7, 16);
    const problems = problemsOf({
      ...productionSecrets,
      FIELD_ENCRYPTION_KEYS: [
        `ok:${key(1)}`,
        `no colon`,
        `bad.id:${key(2)}`,
        `ok:${key(3)}`,
        `short:${secretLooking}`,
        `notb64:***`,
        `this-id-is-far-too-long:${key(4)}`,
      ].join(','),
      FIELD_INDEX_KEY: key(5, 16),
    });
    expect(problems).toEqual([
      'FIELD_ENCRYPTION_KEYS entry 2: must be <key id>:<base64 key>',
      'FIELD_ENCRYPTION_KEYS entry 3: key id "bad.id" must be 1 to 16 of A-Z a-z 0-9 _ -',
      'FIELD_ENCRYPTION_KEYS entry 4: key id "ok" is repeated',
      'FIELD_ENCRYPTION_KEYS entry 5 (short): key must decode to exactly 32 bytes, not 16',
      'FIELD_ENCRYPTION_KEYS entry 6 (notb64): key must be base64',
      'FIELD_ENCRYPTION_KEYS entry 7: key id "this-id-is-far-too-long" must be 1 to 16 of A-Z a-z 0-9 _ -',
      'FIELD_INDEX_KEY: must decode to at least 32 bytes',
    ]);
    expect(problems.join('\n')).not.toContain(secretLooking);
  });

  it('generates the field keys once into DATA_DIR outside production, keeping existing secrets', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tongban-config-'));
    const sessionOnly = loadConfig({
      DATA_DIR: dir,
      FIELD_ENCRYPTION_KEYS: `k:${key(1)}`,
      FIELD_INDEX_KEY: key(2),
    });
    expect(Object.keys(JSON.parse(readFileSync(path.join(dir, 'secrets.json'), 'utf8')))).toEqual([
      'sessionSecret',
    ]);
    const first = loadConfig({ NODE_ENV: 'test', DATA_DIR: dir });
    const second = loadConfig({ NODE_ENV: 'test', DATA_DIR: dir });
    expect(first.sessionSecret).toBe(sessionOnly.sessionSecret);
    expect(first.fieldKeys).toHaveLength(1);
    expect(first.fieldKeys[0]!.id).toBe('dev1');
    expect(first.fieldKeys[0]!.key).toHaveLength(32);
    expect(first.indexKey).toHaveLength(32);
    expect(first.indexKey.equals(first.fieldKeys[0]!.key)).toBe(false);
    expect(second.fieldKeys[0]!.key.equals(first.fieldKeys[0]!.key)).toBe(true);
    expect(second.indexKey.equals(first.indexKey)).toBe(true);
    const stored = JSON.parse(readFileSync(path.join(dir, 'secrets.json'), 'utf8')) as Record<string, string>;
    expect(Buffer.from(stored.fieldEncryptionKey!, 'base64url').equals(first.fieldKeys[0]!.key)).toBe(true);
    expect(readdirSync(dir).filter((f) => f.startsWith('secrets.json'))).toEqual(['secrets.json']);
  });

  it('writes no secrets when the configuration is invalid', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tongban-config-'));
    expect(() => loadConfig({ DATA_DIR: dir, PORT: 'x' })).toThrow(ConfigError);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('has session, cookie and rate-limit defaults', () => {
    const config = loadConfig(productionSecrets);
    expect(config).toMatchObject({ sessionIdleMinutes: 30, sessionAbsoluteHours: 12, cookieSecure: true });
    expect(config).toMatchObject({ publicUrl: 'http://localhost:8080', caseYellowShare: 0.8 });
    expect(
      loadConfig({ ...productionSecrets, CASE_YELLOW_SHARE: '0.7', PUBLIC_URL: 'https://gov.example/' }),
    ).toMatchObject({ caseYellowShare: 0.7, publicUrl: 'https://gov.example' });
    expect(config.rateLimits).toEqual({
      passwordFailures: { max: 5, windowSeconds: 900 },
      loginIpFailures: { max: 50, windowSeconds: 900 },
      smsPerPhone: { max: 5, windowSeconds: 3600 },
      smsResendSeconds: 60,
      smsPerIp: { max: 30, windowSeconds: 3600 },
      smsCodeFailures: { max: 5, windowSeconds: 900 },
      lockoutBaseSeconds: 900,
      lockoutMaxSeconds: 86400,
    });
  });

  it('reads session, cookie and rate-limit settings', () => {
    const config = loadConfig({
      ...productionSecrets,
      SESSION_IDLE_MINUTES: '10',
      SESSION_ABSOLUTE_HOURS: '2',
      COOKIE_SECURE: 'false',
      PASSWORD_MAX_FAILURES: '3',
      PASSWORD_WINDOW_MINUTES: '5',
      LOGIN_IP_MAX_FAILURES: '20',
      SMS_MAX_PER_HOUR: '4',
      SMS_RESEND_SECONDS: '90',
      SMS_IP_MAX_PER_HOUR: '10',
      SMS_CODE_MAX_FAILURES: '3',
      LOCKOUT_BASE_MINUTES: '1',
      LOCKOUT_MAX_MINUTES: '60',
    });
    expect(config).toMatchObject({ sessionIdleMinutes: 10, sessionAbsoluteHours: 2, cookieSecure: false });
    expect(config.rateLimits).toEqual({
      passwordFailures: { max: 3, windowSeconds: 300 },
      loginIpFailures: { max: 20, windowSeconds: 300 },
      smsPerPhone: { max: 4, windowSeconds: 3600 },
      smsResendSeconds: 90,
      smsPerIp: { max: 10, windowSeconds: 3600 },
      smsCodeFailures: { max: 3, windowSeconds: 300 },
      lockoutBaseSeconds: 60,
      lockoutMaxSeconds: 3600,
    });
  });

  it('reports bad session, cookie and rate-limit values', () => {
    const problems = problemsOf({
      ...productionSecrets,
      SESSION_IDLE_MINUTES: '0',
      SESSION_ABSOLUTE_HOURS: '721',
      COOKIE_SECURE: 'yes',
      PASSWORD_MAX_FAILURES: '2.5',
      LOCKOUT_BASE_MINUTES: '120',
      LOCKOUT_MAX_MINUTES: '60',
    });
    expect(problems).toEqual([
      'SESSION_IDLE_MINUTES="0": must be an integer from 1 to 1440',
      'SESSION_ABSOLUTE_HOURS="721": must be an integer from 1 to 720',
      'COOKIE_SECURE="yes": must be true or false',
      'PASSWORD_MAX_FAILURES="2.5": must be an integer from 1 to 100',
      'LOCKOUT_MAX_MINUTES: must not be less than LOCKOUT_BASE_MINUTES',
    ]);
  });
});
