import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Runtime configuration, read once from the environment and validated at start. */
export interface Config {
  port: number;
  host: string;
  dataDir: string;
  /** The built web app served at `/` (`npm run build:web` writes it; default web/dist). */
  webDist: string;
  /** PostgreSQL connection string; when absent the embedded PGlite database in `dataDir` is used. */
  databaseUrl: string | undefined;
  nodeEnv: 'development' | 'production' | 'test';
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Size of the PostgreSQL connection pool per process. */
  dbPoolSize: number;
  /** Secret from which the SSO provider derives its cookie keys (identity/oidc). */
  sessionSecret: string;
  /**
   * Keys for encrypting personal fields at rest (kernel/crypto.ts). The first key
   * encrypts, every key decrypts. Rotation: prepend a new key, re-encrypt, drop the old one.
   */
  fieldKeys: FieldKey[];
  /** HMAC key of the blind indexes that find encrypted values (phone, ID number) by equality. */
  indexKey: Buffer;
  /** A session ends after this many minutes without a request. */
  sessionIdleMinutes: number;
  /** A session ends this many hours after login, however active. */
  sessionAbsoluteHours: number;
  /** Whether session cookies carry the Secure attribute (off only for plain-HTTP development). */
  cookieSecure: boolean;
  /** Limits on password and SMS attempts (kernel/ratelimit.ts). */
  rateLimits: RateLimits;
  /** Where people reach the platform (PUBLIC_URL): printed in documents' verification QR codes. */
  publicUrl: string;
  /** Share of a time limit used at which a case clock turns yellow (CASE_YELLOW_SHARE). */
  caseYellowShare: number;
  /** NATS server (NATS_URL) whose JetStream also carries the data-sharing change feed; null: webhooks only. */
  natsUrl: string | null;
  /** E-licences: the signature algorithm of new seals and licences, checkpoint interval, expiry reminder lead time. */
  licences: LicenceSettings;
  /** Hall appointments (预约): platform defaults; a place may override the slot settings. */
  hall: HallDefaults;
}

/** Defaults of hall appointments (module hall); places override the first four. */
export interface HallDefaults {
  /** HALL_SLOT_MINUTES: length of one appointment slot (default 30). */
  slotMinutes: number;
  /** HALL_SLOT_CAPACITY: people per slot (default 3). */
  capacity: number;
  /** HALL_HOURS: opening hours on working days, China time (default 09:00-12:00,13:30-17:00). */
  hours: { from: string; to: string }[];
  /** HALL_HORIZON_DAYS: working days ahead, today included, that may be booked (default 10). */
  horizonDays: number;
  /** HALL_NO_SHOW_GRACE_MINUTES: after a slot's end, a booking nobody came for is a no-show (default 15). */
  noShowGraceMinutes: number;
  /** HALL_BAN_NO_SHOWS: no-shows within the window that ban a person from booking (default 3). */
  banNoShows: number;
  /** HALL_BAN_WINDOW_DAYS: the window in days in which no-shows are counted (default 90). */
  banWindowDays: number;
  /** HALL_BAN_DAYS: days after the latest no-show the ban lasts (default 30). */
  banDays: number;
}

export interface LicenceSettings {
  /** LICENCE_SIGNATURE_ALGORITHM: sm2-sm3 (GB/T 38540, default) or ed25519. */
  algorithm: 'sm2-sm3' | 'ed25519';
  /** LICENCE_CHECKPOINT_SECONDS: how often a signed checkpoint is published when the log grew (default 60). */
  checkpointSeconds: number;
  /** LICENCE_EXPIRY_REMINDER_DAYS: days before expiry the holder is reminded (default 30). */
  expiryReminderDays: number;
}

/** One field-encryption key: `id` is stored in every ciphertext so the right key decrypts it. */
export interface FieldKey {
  id: string;
  /** 32 bytes (AES-256). */
  key: Buffer;
}

/** At most `max` events per key within `windowSeconds`. */
export interface Limit {
  max: number;
  windowSeconds: number;
}

export interface RateLimits {
  /** Wrong passwords per account identifier before it is locked out. */
  passwordFailures: Limit;
  /** Failed logins (password or SMS code) per client IP before the IP is locked out. */
  loginIpFailures: Limit;
  /** SMS codes sent to one phone number per hour. */
  smsPerPhone: Limit;
  /** Minimum interval between two SMS codes to one phone number. */
  smsResendSeconds: number;
  /** SMS codes requested from one client IP per hour. */
  smsPerIp: Limit;
  /** Wrong SMS codes per phone number before code checks are locked out (window = password window). */
  smsCodeFailures: Limit;
  /** The first lockout lasts this long; each further lockout doubles it ... */
  lockoutBaseSeconds: number;
  /** ... up to this. */
  lockoutMaxSeconds: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

/** Where `npm run build:web` writes the web app unless WEB_DIST says otherwise. */
const WEB_DIST = fileURLToPath(new URL('../../web/dist', import.meta.url));

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const NODE_ENVS = ['development', 'production', 'test'] as const;
const KEY_ID = /^[A-Za-z0-9_-]{1,16}$/;
const BASE64 = /^(?:[A-Za-z0-9+/]+={0,2}|[A-Za-z0-9_-]+)$/;
/** Key id of the field-encryption key generated outside production. */
export const DEVELOPMENT_FIELD_KEY_ID = 'dev1';

function oneOf<T extends string>(value: string, allowed: readonly T[]): value is T {
  return (allowed as readonly string[]).includes(value);
}

/**
 * Parses the environment. Every bad value is reported at once, one line each,
 * naming the variable, the value and the rule, so an operator fixes them in one pass.
 */
export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];

  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(`${name}=${JSON.stringify(raw)}: must be an integer from ${min} to ${max}`);
      return fallback;
    }
    return n;
  };

  const nodeEnvRaw = env.NODE_ENV || 'development';
  if (!oneOf(nodeEnvRaw, NODE_ENVS))
    problems.push(`NODE_ENV=${JSON.stringify(nodeEnvRaw)}: must be one of ${NODE_ENVS.join(', ')}`);
  const nodeEnv = oneOf(nodeEnvRaw, NODE_ENVS) ? nodeEnvRaw : 'development';

  const logLevelRaw = env.LOG_LEVEL || (nodeEnv === 'test' ? 'silent' : 'info');
  if (!oneOf(logLevelRaw, LOG_LEVELS))
    problems.push(`LOG_LEVEL=${JSON.stringify(logLevelRaw)}: must be one of ${LOG_LEVELS.join(', ')}`);

  const caseYellowShare = env.CASE_YELLOW_SHARE ? Number(env.CASE_YELLOW_SHARE) : 0.8;
  if (!(caseYellowShare >= 0.1 && caseYellowShare <= 0.99)) {
    problems.push(
      `CASE_YELLOW_SHARE=${JSON.stringify(env.CASE_YELLOW_SHARE)}: must be a number from 0.1 to 0.99`,
    );
  }

  const licenceAlgorithm = env.LICENCE_SIGNATURE_ALGORITHM || 'sm2-sm3';
  if (licenceAlgorithm !== 'sm2-sm3' && licenceAlgorithm !== 'ed25519')
    problems.push(
      `LICENCE_SIGNATURE_ALGORITHM=${JSON.stringify(licenceAlgorithm)}: must be sm2-sm3 or ed25519`,
    );
  const natsUrl = env.NATS_URL || null;
  if (natsUrl !== null && !/^(nats|tls):\/\/[^\s/]+$/.test(natsUrl))
    problems.push(`NATS_URL=${JSON.stringify(natsUrl)}: must be nats://host:port or tls://host:port`);
  const licenceCheckpointSeconds = int('LICENCE_CHECKPOINT_SECONDS', 60, 1, 86_400);
  const licenceExpiryReminderDays = int('LICENCE_EXPIRY_REMINDER_DAYS', 30, 1, 365);

  const hall: HallDefaults = {
    slotMinutes: int('HALL_SLOT_MINUTES', 30, 5, 240),
    capacity: int('HALL_SLOT_CAPACITY', 3, 1, 1000),
    hours: parseHallHours(env.HALL_HOURS || '09:00-12:00,13:30-17:00', problems),
    horizonDays: int('HALL_HORIZON_DAYS', 10, 1, 60),
    noShowGraceMinutes: int('HALL_NO_SHOW_GRACE_MINUTES', 15, 0, 1440),
    banNoShows: int('HALL_BAN_NO_SHOWS', 3, 1, 100),
    banWindowDays: int('HALL_BAN_WINDOW_DAYS', 90, 1, 3650),
    banDays: int('HALL_BAN_DAYS', 30, 0, 3650),
  };

  const databaseUrl = env.DATABASE_URL || undefined;
  if (databaseUrl !== undefined) {
    try {
      const url = new URL(databaseUrl);
      if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
        problems.push(`DATABASE_URL: must start with postgres:// or postgresql://`);
      }
    } catch {
      problems.push(`DATABASE_URL: is not a valid URL`);
    }
  }

  const host = env.HOST || '0.0.0.0';
  const dataDir = path.resolve(env.DATA_DIR || './data');
  const webDist = env.WEB_DIST ? path.resolve(env.WEB_DIST) : WEB_DIST;
  const port = int('PORT', 8080, 0, 65535);
  const publicUrl = (env.PUBLIC_URL || `http://localhost:${port}`).replace(/\/+$/, '');
  if (!/^https?:\/\/[^\s/]+/.test(publicUrl)) {
    problems.push(`PUBLIC_URL=${JSON.stringify(env.PUBLIC_URL)}: must be an http(s) URL`);
  }

  const dbPoolSize = int('DB_POOL_SIZE', 10, 1, 200);

  const sessionIdleMinutes = int('SESSION_IDLE_MINUTES', 30, 1, 1440);
  const sessionAbsoluteHours = int('SESSION_ABSOLUTE_HOURS', 12, 1, 720);

  let cookieSecure = true;
  const cookieSecureRaw = env.COOKIE_SECURE;
  if (cookieSecureRaw !== undefined && cookieSecureRaw !== '') {
    if (cookieSecureRaw === 'true' || cookieSecureRaw === 'false') cookieSecure = cookieSecureRaw === 'true';
    else problems.push(`COOKIE_SECURE=${JSON.stringify(cookieSecureRaw)}: must be true or false`);
  }

  const passwordWindowSeconds = int('PASSWORD_WINDOW_MINUTES', 15, 1, 1440) * 60;
  const lockoutBaseSeconds = int('LOCKOUT_BASE_MINUTES', 15, 1, 1440) * 60;
  const lockoutMaxSeconds = int('LOCKOUT_MAX_MINUTES', 1440, 1, 43200) * 60;
  const rateLimits: RateLimits = {
    passwordFailures: { max: int('PASSWORD_MAX_FAILURES', 5, 1, 100), windowSeconds: passwordWindowSeconds },
    loginIpFailures: {
      max: int('LOGIN_IP_MAX_FAILURES', 50, 1, 100000),
      windowSeconds: passwordWindowSeconds,
    },
    smsPerPhone: { max: int('SMS_MAX_PER_HOUR', 5, 1, 1000), windowSeconds: 3600 },
    smsResendSeconds: int('SMS_RESEND_SECONDS', 60, 1, 3600),
    smsPerIp: { max: int('SMS_IP_MAX_PER_HOUR', 30, 1, 100000), windowSeconds: 3600 },
    smsCodeFailures: { max: int('SMS_CODE_MAX_FAILURES', 5, 1, 100), windowSeconds: passwordWindowSeconds },
    lockoutBaseSeconds,
    lockoutMaxSeconds,
  };
  if (lockoutMaxSeconds < lockoutBaseSeconds)
    problems.push('LOCKOUT_MAX_MINUTES: must not be less than LOCKOUT_BASE_MINUTES');

  // Secrets: values are never echoed in problems, only their names and what is wrong.
  const production = nodeEnv === 'production';
  const missing: string[] = [];

  let sessionSecret = env.SESSION_SECRET ?? '';
  if (sessionSecret !== '' && sessionSecret.length < 32) {
    problems.push('SESSION_SECRET: must be at least 32 characters');
  } else if (sessionSecret === '') {
    if (production) problems.push('SESSION_SECRET: is required when NODE_ENV=production');
    else missing.push('sessionSecret');
  }

  let fieldKeys: FieldKey[] = [];
  const fieldKeysRaw = env.FIELD_ENCRYPTION_KEYS ?? '';
  if (fieldKeysRaw !== '') fieldKeys = parseFieldKeys(fieldKeysRaw, problems);
  else if (production) problems.push('FIELD_ENCRYPTION_KEYS: is required when NODE_ENV=production');
  else missing.push('fieldEncryptionKey');

  let indexKey: Buffer = Buffer.alloc(0);
  const indexKeyRaw = env.FIELD_INDEX_KEY ?? '';
  if (indexKeyRaw !== '') {
    const decoded = decodeBase64(indexKeyRaw);
    if (decoded === undefined) problems.push('FIELD_INDEX_KEY: must be base64');
    else if (decoded.length < 32) problems.push('FIELD_INDEX_KEY: must decode to at least 32 bytes');
    else indexKey = decoded;
  } else if (production) problems.push('FIELD_INDEX_KEY: is required when NODE_ENV=production');
  else missing.push('fieldIndexKey');

  if (problems.length > 0) throw new ConfigError(problems);

  // Only a valid configuration may write generated secrets into DATA_DIR.
  if (missing.length > 0) {
    const generated = developmentSecrets(dataDir, missing);
    if (generated.sessionSecret) sessionSecret = generated.sessionSecret;
    if (generated.fieldEncryptionKey)
      fieldKeys = [
        { id: DEVELOPMENT_FIELD_KEY_ID, key: Buffer.from(generated.fieldEncryptionKey, 'base64url') },
      ];
    if (generated.fieldIndexKey) indexKey = Buffer.from(generated.fieldIndexKey, 'base64url');
  }

  return {
    port,
    host,
    dataDir,
    webDist,
    databaseUrl,
    nodeEnv,
    logLevel: logLevelRaw as Config['logLevel'],
    dbPoolSize,
    sessionSecret,
    fieldKeys,
    indexKey,
    sessionIdleMinutes,
    sessionAbsoluteHours,
    cookieSecure,
    rateLimits,
    publicUrl,
    caseYellowShare,
    natsUrl,
    licences: {
      algorithm: licenceAlgorithm as LicenceSettings['algorithm'],
      checkpointSeconds: licenceCheckpointSeconds,
      expiryReminderDays: licenceExpiryReminderDays,
    },
    hall,
  };
}

const HALL_RANGE = /^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$/;

/** `09:00-12:00,13:30-17:00`: ranges in order, each ending after it begins, not overlapping. */
function parseHallHours(raw: string, problems: string[]): { from: string; to: string }[] {
  const hours: { from: string; to: string }[] = [];
  for (const part of raw.split(',').map((p) => p.trim())) {
    const match = HALL_RANGE.exec(part);
    const from = match ? `${match[1]}:${match[2]}` : '';
    const to = match ? `${match[3]}:${match[4]}` : '';
    if (!match || to <= from || (hours.length > 0 && from < hours[hours.length - 1]!.to)) {
      problems.push(
        `HALL_HOURS=${JSON.stringify(raw)}: must be HH:MM-HH:MM ranges separated by commas, in order and not overlapping`,
      );
      return [
        { from: '09:00', to: '12:00' },
        { from: '13:30', to: '17:00' },
      ];
    }
    hours.push({ from, to });
  }
  return hours;
}

/** Standard or URL-safe base64 (Node decodes both alphabets); undefined when not base64 at all. */
function decodeBase64(value: string): Buffer | undefined {
  return BASE64.test(value) ? Buffer.from(value, 'base64') : undefined;
}

/** `kid1:base64,kid0:base64`: every entry a unique key id and a 32-byte key. */
function parseFieldKeys(raw: string, problems: string[]): FieldKey[] {
  const keys: FieldKey[] = [];
  raw.split(',').forEach((entry, i) => {
    const where = `FIELD_ENCRYPTION_KEYS entry ${i + 1}`;
    const colon = entry.indexOf(':');
    const id = colon < 0 ? '' : entry.slice(0, colon).trim();
    const encoded = colon < 0 ? '' : entry.slice(colon + 1).trim();
    if (colon < 0) return void problems.push(`${where}: must be <key id>:<base64 key>`);
    if (!KEY_ID.test(id))
      return void problems.push(`${where}: key id ${JSON.stringify(id)} must be 1 to 16 of A-Z a-z 0-9 _ -`);
    if (keys.some((k) => k.id === id))
      return void problems.push(`${where}: key id ${JSON.stringify(id)} is repeated`);
    const key = decodeBase64(encoded);
    if (key === undefined) return void problems.push(`${where} (${id}): key must be base64`);
    if (key.length !== 32)
      return void problems.push(`${where} (${id}): key must decode to exactly 32 bytes, not ${key.length}`);
    keys.push({ id, key });
  });
  return keys;
}

/**
 * Outside production, secrets are generated once and kept in DATA_DIR/secrets.json.
 * The file is replaced atomically (write, then rename), so a process starting at the
 * same moment never reads half a file.
 */
function developmentSecrets(dataDir: string, names: readonly string[]): Record<string, string> {
  const file = path.join(dataDir, 'secrets.json');
  const secrets = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>) : {};
  const absent = names.filter((name) => !secrets[name]);
  if (absent.length > 0) {
    for (const name of absent) secrets[name] = randomBytes(32).toString('base64url');
    mkdirSync(dataDir, { recursive: true });
    const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    writeFileSync(temporary, JSON.stringify(secrets, null, 2), { mode: 0o600 });
    renameSync(temporary, file);
  }
  return Object.fromEntries(names.map((name) => [name, secrets[name] ?? '']));
}
