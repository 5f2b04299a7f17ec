import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Runtime configuration, read once from the environment and validated at start. */
export interface Config {
  port: number;
  host: string;
  dataDir: string;
  /** PostgreSQL connection string; when absent the embedded PGlite database in `dataDir` is used. */
  databaseUrl: string | undefined;
  nodeEnv: 'development' | 'production' | 'test';
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Size of the PostgreSQL connection pool per process. */
  dbPoolSize: number;
  /** HMAC key for signing bearer tokens (see kernel/auth.ts). */
  sessionSecret: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const NODE_ENVS = ['development', 'production', 'test'] as const;

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
  const port = int('PORT', 8080, 0, 65535);
  const dbPoolSize = int('DB_POOL_SIZE', 10, 1, 200);

  let sessionSecret = env.SESSION_SECRET ?? '';
  if (sessionSecret !== '' && sessionSecret.length < 32) {
    problems.push('SESSION_SECRET: must be at least 32 characters');
  } else if (sessionSecret === '') {
    if (nodeEnv === 'production') problems.push('SESSION_SECRET: is required when NODE_ENV=production');
    else if (problems.length === 0) sessionSecret = developmentSecret(dataDir, 'sessionSecret');
  }

  if (problems.length > 0) throw new ConfigError(problems);
  return {
    port,
    host,
    dataDir,
    databaseUrl,
    nodeEnv,
    logLevel: logLevelRaw as Config['logLevel'],
    dbPoolSize,
    sessionSecret,
  };
}

/** Outside production, secrets are generated once and kept in DATA_DIR/secrets.json. */
function developmentSecret(dataDir: string, name: string): string {
  const file = path.join(dataDir, 'secrets.json');
  let secrets: Record<string, string> = {};
  if (existsSync(file)) secrets = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
  const existing = secrets[name];
  if (existing) return existing;
  const secret = randomBytes(32).toString('base64url');
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, JSON.stringify({ ...secrets, [name]: secret }, null, 2), { mode: 0o600 });
  return secret;
}
