/**
 * `npm run bench`: item detail (anonymous and signed in), search, password login and the
 * case flow (caseflow.ts) under concurrent load, and e-licence issuance and proofs
 * (licences.ts), each beside its baseline
 * in the same run (see bench/README.md). Prints one JSON document to stdout and writes it
 * to bench/results/latest.json; progress goes to stderr.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { loadConfig } from '../src/kernel/config.ts';
import type { Database } from '../src/kernel/db.ts';
import { createApp, openPlatformDatabase } from '../src/main.ts';
import { SEARCH_SQL } from '../src/modules/catalog/index.ts';
import { seed, type Scale } from '../src/seed/index.ts';
import { runCaseflow } from './caseflow.ts';
import { BENCH_STAFF, prepareBenchStaff } from './identity.ts';
import { runExchangeIngest } from './exchange-ingest.ts';
import { runExchangeLookup } from './exchange-lookup.ts';
import { runLicences } from './licences.ts';
import {
  closedLoop,
  httpLoad,
  stopLoad,
  summarize,
  type CaseResult,
  type HttpRequest,
  type Sample,
} from './load.ts';

const ROOT = new URL('..', import.meta.url);
const HOST = '127.0.0.1';
const WARM_UP_S = 2;
const POOL_SIZE = 10;
const TARGETS = {
  searchP95Ms: 30,
  searchRatio: 0.5,
  detailRatio: 0.75,
  authenticatedRatio: 0.7,
  loginRatio: 0.6,
  caseflowTransitionsPerSec: 300,
  caseflowRatio: 0.3,
  licencesEd25519PerSec: 2000,
  licencesSm2PerSec: 1000,
  proofsPerSec: 10000,
  exchangeIngestPerSec: 50000,
  exchangeLookupRatio: 0.5,
};
const CASES = [
  'detail',
  'authenticated',
  'search',
  'login',
  'caseflow',
  'licences',
  'exchange-ingest',
  'exchange-lookup',
] as const;
/** Cases that make a database of their own instead of using the seeded bench database. */
const OWN_DATABASE: readonly Case[] = ['caseflow', 'licences', 'exchange-ingest', 'exchange-lookup'];
type Case = (typeof CASES)[number];
/** Bearer sessions of the bench staff member, rotated across the authenticated requests. */
const SESSION_COUNT = 32;
const DATABASES: Record<Scale, string> = { city: 'tongban_bench', small: 'tongban_bench_small' };
const log = (line: string) => process.stderr.write(`${line}\n`);

/** What people type (colloquial, pinyin, initials, a typo, traditional characters), rotated. */
const SEARCHES: { q: string; region?: string }[] = [
  ...'我要结婚 领证 结婚登记 jiehun jhdj 结昏登记 開個小飯館 公积金提取'.split(' ').map((q) => ({ q })),
  ...'社保卡丢了 身份证换领 营业执照 食品经营许可 出生登记 不动产登记'.split(' ').map((q) => ({ q })),
  ...'驾驶证换证 居住证 退休 开公司 户口迁移'.split(' ').map((q) => ({ q })),
  // A place named in the text, or a region parameter, scopes results to the entries offered there.
  { q: '长安区结婚登记' },
  { q: '在临江区开饭店' },
  { q: '社保卡', region: '329900' }, // 示例市
  { q: '结婚登记', region: '329901' }, // 长安区
  { q: '营业执照', region: '329902001000' }, // a street of 临江区
];

const USAGE = `Usage: npm run bench -- [options]

  --duration <s>       measured seconds per case and side (default 10)
  --connections <n>    concurrent connections (default 16)
  --rounds <n>         alternating rounds the duration is split into (default 4)
  --scale city|small   demo data set (default city; seeded once into its own database)
  --only <cases>       run only these cases, comma-separated: detail, authenticated,
                       search, login, caseflow, licences, exchange-ingest,
                       exchange-lookup (default all, in that order)
  --reseed             drop and seed the bench database again
  --postgres <url>     PostgreSQL server (default postgres://postgres@127.0.0.1:5432)`;

class UsageError extends Error {}

interface Options {
  durationS: number;
  connections: number;
  scale: Scale;
  rounds: number;
  cases: Set<Case>;
  reseed: boolean;
  postgres: string;
}

function parseOptions(argv: string[]): Options {
  const parse = () => {
    try {
      return parseArgs({
        args: argv,
        options: {
          duration: { type: 'string', default: '10' },
          connections: { type: 'string', default: '16' },
          rounds: { type: 'string', default: '4' },
          scale: { type: 'string', default: 'city' },
          only: { type: 'string' },
          reseed: { type: 'boolean', default: false },
          postgres: { type: 'string', default: `postgres://postgres@${HOST}:5432` },
        },
      });
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  };
  const { values } = parse();
  const int = (name: string, raw: string, max: number) => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1 || n > max)
      throw new UsageError(`--${name} must be an integer from 1 to ${max}`);
    return n;
  };
  if (values.scale !== 'city' && values.scale !== 'small')
    throw new UsageError('--scale must be city or small');
  const only = values.only?.split(',').map((name) => name.trim()) ?? [...CASES];
  const unknown = only.filter((name) => !(CASES as readonly string[]).includes(name));
  if (unknown.length > 0 || only.length === 0)
    throw new UsageError(`--only takes cases from: ${CASES.join(', ')} (comma-separated)`);
  return {
    durationS: int('duration', values.duration, 600),
    connections: int('connections', values.connections, 1000),
    rounds: int('rounds', values.rounds, 100),
    scale: values.scale,
    cases: new Set(only as Case[]),
    reseed: values.reseed,
    postgres: values.postgres.replace(/\/+$/, ''),
  };
}

/**
 * Creates the bench database and seeds it once; a database comment marks a finished
 * seed, so an interrupted one is resumed (the seed is idempotent) and a finished one reused.
 */
async function prepareDatabase(server: string, scale: Scale, reseed: boolean): Promise<string> {
  const name = DATABASES[scale];
  const marker = `tongban bench: seeded at ${scale} scale`;
  const admin = new pg.Client({ connectionString: `${server}/postgres` });
  await admin.connect();
  let seeded = false;
  try {
    if (reseed) await admin.query(`drop database if exists ${name} with (force)`);
    const { rows } = await admin.query<{ note: string | null }>(
      `select shobj_description(oid, 'pg_database') as note from pg_database where datname = $1`,
      [name],
    );
    if (!rows[0]) await admin.query(`create database ${name}`);
    seeded = rows[0]?.note === marker;
  } finally {
    await admin.end();
  }
  const url = `${server}/${name}`;
  if (!seeded) {
    log(`Seeding ${name} at ${scale} scale (once; later runs reuse it) ...`);
    const db = await openPlatformDatabase(configFor(url));
    try {
      await seed(db, scale, (line) => log(`  ${line}`));
      // A production database has statistics; a freshly loaded one needs them for sane plans.
      await db.exec('vacuum analyze');
      await db.exec(`comment on database ${name} is '${marker}'`);
    } finally {
      await db.close();
    }
  }
  return url;
}

// Secrets of this run. Production refuses to start without them; nothing in the bench
// database is encrypted with the field keys (the bench staff member has no phone), so
// fresh ones every run are fine.
const sessionSecret = randomBytes(32).toString('base64url');
const fieldEncryptionKeys = `bench:${randomBytes(32).toString('base64')}`;
const fieldIndexKey = randomBytes(32).toString('base64');

/** The environment both Tongban and this process use for the bench database. */
const serverEnv = (databaseUrl: string) => ({
  DATABASE_URL: databaseUrl,
  HOST,
  NODE_ENV: 'production',
  SESSION_SECRET: sessionSecret,
  FIELD_ENCRYPTION_KEYS: fieldEncryptionKeys,
  FIELD_INDEX_KEY: fieldIndexKey,
  LOG_LEVEL: 'warn',
  DB_POOL_SIZE: String(POOL_SIZE),
});
const configFor = (databaseUrl: string) => loadConfig({ ...serverEnv(databaseUrl), PORT: '0' });

/** ~200 published codes, half basic items and half implementation entries across the city. */
async function sampleDetailCodes(db: Database): Promise<{ basic: string[]; implementation: string[] }> {
  // Ordered by a hash so every run (and both servers) gets the same sample.
  const basic = await db.query<{ code: string }>(
    `select i.code from catalog_item i join catalog_item_version v on v.item_id = i.id and v.status = 'published'
      order by md5(i.code) limit 100`,
  );
  const implementation = await db.query<{ code: string }>(
    `select e.code from catalog_entry e
       join catalog_entry_version ev on ev.entry_id = e.id and ev.status = 'published'
       join catalog_item_version v on v.item_id = e.item_id and v.status = 'published'
      order by md5(e.code) limit 100`,
  );
  return { basic: basic.map((r) => r.code), implementation: implementation.map((r) => r.code) };
}

interface SearchWorkload {
  path: string;
  q: string;
  region: string | null;
  total: number;
  /** Parameters of each SEARCH_SQL statement Tongban runs for this query, in order. */
  statements: unknown[][];
}

/**
 * Runs every search once through an in-process Tongban app whose database records the
 * search statements. The raw SQL baseline then replays exactly the database work of a
 * request (analysed tsquery, region chain, fuzzy fallback) with nothing else around it.
 */
async function recordSearches(db: Database, databaseUrl: string): Promise<SearchWorkload[]> {
  let recording: unknown[][] = [];
  const recorder: Database = {
    ...db,
    query: (sql, params) => {
      if (sql === SEARCH_SQL) recording.push([...(params ?? [])]);
      return db.query(sql, params);
    },
  };
  const app = await createApp({ ...configFor(databaseUrl), logLevel: 'silent' }, recorder);
  try {
    const workload: SearchWorkload[] = [];
    for (const { q, region } of SEARCHES) {
      const path = `/api/v1/catalog/search?q=${encodeURIComponent(q)}${region ? `&region=${region}` : ''}`;
      recording = [];
      const response = await app.inject({ method: 'GET', url: path });
      if (response.statusCode !== 200)
        throw new Error(`GET ${path}: ${response.statusCode} ${response.body}`);
      if (recording.length === 0) throw new Error(`GET ${path} ran no search statement; pick another query`);
      const total = (response.json() as { total: number }).total;
      workload.push({ path, q, region: region ?? null, total, statements: recording });
    }
    return workload;
  } finally {
    await app.close();
  }
}

// Child processes (servers) are ended however this process ends.
const children = new Set<ChildProcess>();
process.on('exit', () => children.forEach((child) => child.kill('SIGKILL')));
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`${signal}: stopping`);
    stopLoad();
    void stopChildren().finally(() => process.exit(130));
  });
}

function startChild(name: string, args: string[], env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    // stdout goes to our stderr so that stdout carries only the JSON result; IPC lets the baseline notice we left.
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  child.stdout!.pipe(process.stderr);
  children.add(child);
  child.once('exit', (code, signal) => {
    children.delete(child);
    if (code !== 0 && signal === null) log(`${name} exited with code ${code}`);
  });
  return child;
}

async function stopChildren(): Promise<void> {
  await Promise.all(
    [...children].map(
      (child) =>
        new Promise<void>((resolve) => {
          const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
          child.once('exit', () => {
            clearTimeout(kill);
            resolve();
          });
          child.kill('SIGTERM');
        }),
    ),
  );
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Polls `url` until it answers 200; fails when the server exits or after 60 s. */
async function waitFor(url: string, child: ChildProcess, name: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`${name} exited before it was ready`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${name} was not ready at ${url} within 60 s`);
}

async function startServer(name: string, args: string[], databaseUrl: string, readyPath: string) {
  const port = await freePort();
  const child = startChild(name, args, { ...serverEnv(databaseUrl), PORT: String(port) });
  const origin = `http://${HOST}:${port}`;
  await waitFor(`${origin}${readyPath}`, child, name);
  return origin;
}

/** Every request must answer 200 before the load starts, so failures show as a clear error. */
async function checkRequests(origin: string, requests: HttpRequest[]): Promise<void> {
  for (const { method = 'GET', path, headers, body } of requests) {
    const response = await fetch(`${origin}${path}`, {
      method,
      headers: { ...headers, ...(body !== undefined && { 'content-type': 'application/json' }) },
      ...(body !== undefined && { body }),
    });
    if (response.status !== 200)
      throw new Error(`${method} ${origin}${path}: ${response.status} ${await response.text()}`);
  }
}

type Load = (durationS: number) => Promise<Sample>;

/**
 * Waits `seconds` after each run: the client stops at the deadline, but the server still
 * finishes the requests in flight. Slow requests (a login is hundreds of milliseconds under
 * load) would otherwise run into the other side's next round.
 */
const settled =
  (load: Load, seconds: number): Load =>
  async (durationS) => {
    const sample = await load(durationS);
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    return sample;
  };

/**
 * Measures a case beside its baseline: a warm-up of each, then `rounds` alternating runs
 * (A B, B A, ...) that add up to `durationS` per side, so that background load drifting
 * on a shared machine weighs on both sides alike.
 */
async function compare(label: string, ours: Load, theirs: Load, durationS: number, rounds: number) {
  log(`${label}: warm-up ${WARM_UP_S} s each, then ${rounds} alternating rounds, ${durationS} s each in all`);
  await ours(WARM_UP_S);
  await theirs(WARM_UP_S);
  const a: Sample[] = [];
  const b: Sample[] = [];
  for (let i = 0; i < rounds; i++) {
    if (i % 2 === 0) a.push(await ours(durationS / rounds));
    b.push(await theirs(durationS / rounds));
    if (i % 2 === 1) a.push(await ours(durationS / rounds));
  }
  const results = [summarize(a), summarize(b)] as const;
  log(`  Tongban: ${describe(results[0])}\n  baseline: ${describe(results[1])}`);
  return results;
}

function describe(r: CaseResult): string {
  const failures = r.errors || r.non2xx ? `, ${r.errors} errors, ${r.non2xx} non-2xx` : '';
  return `${r.reqPerSec} req/s, p50 ${r.p50} ms, p95 ${r.p95} ms, p99 ${r.p99} ms${failures}`;
}

const clean = (...results: CaseResult[]) => results.every((r) => r.errors === 0 && r.non2xx === 0);
const ratio = (a: CaseResult, b: CaseResult) =>
  b.reqPerSec > 0 ? Math.round((a.reqPerSec / b.reqPerSec) * 1000) / 1000 : 0;

/** The cases against the Tongban server and the baselines, on the seeded bench database. */
async function serverCases(
  options: Options,
  rounds: number,
  results: Record<string, unknown>,
  pass: Record<string, boolean>,
) {
  const { durationS, connections, scale, cases } = options;
  const databaseUrl = await prepareDatabase(options.postgres, scale, options.reseed);

  const config = configFor(databaseUrl);
  const db = await openPlatformDatabase(config);
  let codes: Awaited<ReturnType<typeof sampleDetailCodes>>;
  let searches: SearchWorkload[] = [];
  let tokens: string[] = [];
  let entries: number;
  let postgres: string;
  try {
    codes = await sampleDetailCodes(db);
    if (cases.has('search')) searches = await recordSearches(db, databaseUrl);
    // Before the servers start: the baseline reads the staff member's password hash once.
    if (cases.has('authenticated') || cases.has('login'))
      tokens = (await prepareBenchStaff(db, config, SESSION_COUNT)).tokens;
    entries = (await db.query<{ n: number }>('select count(*)::int as n from catalog_entry'))[0]!.n;
    postgres = (await db.query<{ version: string }>('select version()'))[0]!.version;
  } finally {
    await db.close();
  }
  // Interleaved, so consecutive requests alternate between the two kinds of code.
  const detailCodes = codes.basic.flatMap((code, i) => [code, ...codes.implementation.slice(i, i + 1)]);

  const tongban = await startServer('Tongban', ['bin/tongban.js', 'start'], databaseUrl, '/api/v1/ready');
  const baseline =
    cases.has('detail') || cases.has('authenticated') || cases.has('login')
      ? await startServer(
          'baseline',
          ['--import', 'tsx', 'bench/baseline-server.ts'],
          databaseUrl,
          `/item/${detailCodes[0]}`,
        )
      : '';
  const load = (origin: string, requests: HttpRequest[]) => (d: number) =>
    httpLoad({ origin, requests, connections, durationS: d });
  const gets = (paths: string[]) => paths.map((path) => ({ path }));
  /** Checks both sides' requests, then measures them side by side. */
  const compareHttp = async (label: string, ours: HttpRequest[], theirs: HttpRequest[], settleS = 0) => {
    await checkRequests(tongban, ours);
    await checkRequests(baseline, theirs);
    const [a, b] = [load(tongban, ours), load(baseline, theirs)];
    return settleS > 0
      ? compare(label, settled(a, settleS), settled(b, settleS), durationS, rounds)
      : compare(label, a, b, durationS, rounds);
  };
  let anonymous: readonly [CaseResult, CaseResult] | undefined;

  if (cases.has('detail')) {
    const [ours, theirs] = (anonymous = await compareHttp(
      'detail: Tongban vs bare Fastify + pg',
      gets(detailCodes.map((code) => `/api/v1/catalog/items/${code}`)),
      gets(detailCodes.map((code) => `/item/${code}`)),
    ));
    results.detail = { tongban: ours, baseline: theirs, ratio: ratio(ours, theirs) };
    pass.detailRatio = clean(ours, theirs) && ratio(ours, theirs) >= TARGETS.detailRatio;
  }

  if (cases.has('authenticated')) {
    // Code i with token i mod 32: 200 codes and 32 sessions mix, as many users would.
    const signedIn = (prefix: string) =>
      detailCodes.map((code, i) => ({
        path: `${prefix}/${code}`,
        headers: { authorization: `Bearer ${tokens[i % tokens.length]}` },
      }));
    const [ours, theirs] = await compareHttp(
      'authenticated detail: Tongban vs bare Fastify + pg (session query + detail)',
      signedIn('/api/v1/catalog/items'),
      signedIn('/authenticated/item'),
    );
    results.authenticated = {
      tongban: ours,
      baseline: theirs,
      ratio: ratio(ours, theirs),
      // Throughput relative to the anonymous detail of this run: what signing in costs each side.
      toAnonymous: anonymous
        ? { tongban: ratio(ours, anonymous[0]), baseline: ratio(theirs, anonymous[1]) }
        : null,
    };
    pass.authenticatedRatio = clean(ours, theirs) && ratio(ours, theirs) >= TARGETS.authenticatedRatio;
  }

  if (cases.has('search')) {
    const searchPaths = searches.map((s) => s.path);
    const pool = new pg.Pool({ connectionString: databaseUrl, max: POOL_SIZE });
    const replay = async (i: number) => {
      for (const params of searches[i % searches.length]!.statements) await pool.query(SEARCH_SQL, params);
    };
    let ours: CaseResult;
    let rawSql: CaseResult;
    try {
      [ours, rawSql] = await compare(
        'search: Tongban vs raw SQL',
        load(tongban, gets(searchPaths)),
        (d) => closedLoop(connections, d, replay),
        durationS,
        rounds,
      );
    } finally {
      await pool.end();
    }
    results.search = { tongban: ours, rawSql, ratio: ratio(ours, rawSql) };
    pass.searchP95 = clean(ours) && ours.p95 < TARGETS.searchP95Ms;
    pass.searchRatio = clean(ours, rawSql) && ratio(ours, rawSql) >= TARGETS.searchRatio;
  }

  // Last: every login writes a session row and an audit row, which should not weigh on the reads.
  if (cases.has('login')) {
    const body = JSON.stringify({
      username: BENCH_STAFF.username,
      password: BENCH_STAFF.password,
      client: 'api',
    });
    const [ours, theirs] = await compareHttp(
      'login: Tongban vs bare Fastify + argon2id verify',
      [{ method: 'POST', path: '/api/v1/identity/login/password', body }],
      [{ method: 'POST', path: '/login', body }],
      1.5,
    );
    results.login = { tongban: ours, baseline: theirs, ratio: ratio(ours, theirs) };
    pass.loginRatio = clean(ours, theirs) && ratio(ours, theirs) >= TARGETS.loginRatio;
  }
  await stopChildren();
  return {
    entries,
    postgres,
    workload: {
      detailCodes: { basic: codes.basic.length, implementation: codes.implementation.length },
      ...(cases.has('authenticated') && { sessions: tokens.length }),
      ...(cases.has('search') && {
        searches: searches.map(({ q, region, total, statements }) => ({
          q,
          region,
          total,
          statements: statements.length,
        })),
      }),
    },
  };
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const { durationS, connections, scale, cases } = options;
  // A run shorter than a second would be mostly start-up and autocannon's one-second ticks.
  const rounds = Math.min(options.rounds, durationS);
  const results: Record<string, unknown> = {};
  const pass: Record<string, boolean> = {};
  const server = CASES.some((name) => !OWN_DATABASE.includes(name) && cases.has(name))
    ? await serverCases(options, rounds, results, pass)
    : undefined;

  // In a database of its own, created, seeded (small scale) and dropped by the case.
  let caseflow: Awaited<ReturnType<typeof runCaseflow>> | undefined;
  if (cases.has('caseflow')) {
    caseflow = await runCaseflow({
      server: options.postgres,
      open: (url) => openPlatformDatabase(configFor(url)),
      poolSize: POOL_SIZE,
      concurrency: connections,
      durationS,
      rounds,
      warmUpS: WARM_UP_S,
      log,
    });
    const { tongban, baseline, ratio: flowRatio, concurrency, poolSize } = caseflow;
    results.caseflow = { tongban, baseline, ratio: flowRatio, concurrency, poolSize };
    const flowsClean = clean(tongban, baseline);
    pass.caseflowTransitions = flowsClean && tongban.transitionsPerSec >= TARGETS.caseflowTransitionsPerSec;
    pass.caseflowRatio = flowsClean && flowRatio >= TARGETS.caseflowRatio;
  }

  // Issuance and proofs, in a database of their own (demo directory only), dropped at the end.
  let licences: Awaited<ReturnType<typeof runLicences>> | undefined;
  if (cases.has('licences')) {
    licences = await runLicences({
      server: options.postgres,
      config: configFor,
      open: (url) => openPlatformDatabase(configFor(url)),
      log,
    });
    const { issuance, proofs } = licences;
    results.licences = { issuance, proofs };
    const issued = (algorithm: keyof typeof issuance, target: number) =>
      issuance[algorithm].errors === 0 && issuance[algorithm].licencesPerSec >= target;
    pass.licencesEd25519 = issued('ed25519', TARGETS.licencesEd25519PerSec);
    pass.licencesSm2 = issued('sm2-sm3', TARGETS.licencesSm2PerSec);
    // The proof endpoint's path (the log) and the tree alone must both keep up.
    pass.proofs = Math.min(proofs.logPerSec, proofs.treePerSec) >= TARGETS.proofsPerSec;
  }

  // Bulk ingest of validated, audited records beside a raw COPY, in a database of its own.
  let exchangeIngest: Awaited<ReturnType<typeof runExchangeIngest>> | undefined;
  if (cases.has('exchange-ingest')) {
    exchangeIngest = await runExchangeIngest({
      server: options.postgres,
      open: (url) => openPlatformDatabase(configFor(url)),
      log,
    });
    const { insert, update, rawCopy, ratio, bodyMiB } = exchangeIngest;
    results.exchangeIngest = { insert, update, rawCopy, ratio, bodyMiB };
    pass.exchangeIngest =
      Math.min(insert.recordsPerSec, update.recordsPerSec) >= TARGETS.exchangeIngestPerSec;
  }

  // Authorised lookups (each writes its access row) beside a bare select, in a database of its own.
  let exchangeLookup: Awaited<ReturnType<typeof runExchangeLookup>> | undefined;
  if (cases.has('exchange-lookup')) {
    exchangeLookup = await runExchangeLookup({
      server: options.postgres,
      config: configFor,
      open: (url) => openPlatformDatabase(configFor(url)),
      callers: connections,
      log,
    });
    const { tongban, baseline, sameSql, ratio: lookupRatio, ratios, statementsPerLookup } = exchangeLookup;
    results.exchangeLookup = { tongban, baseline, sameSql, ratio: lookupRatio, ratios, statementsPerLookup };
    pass.exchangeLookupRatio = clean(tongban, baseline) && lookupRatio >= TARGETS.exchangeLookupRatio;
  }

  const cpus = os.cpus();
  const report = {
    machine: {
      cpus: cpus.length,
      cpuModel: cpus[0]?.model.trim() ?? 'unknown',
      memGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
      node: process.version,
      postgres:
        server?.postgres ??
        caseflow?.postgres ??
        licences?.postgres ??
        exchangeIngest?.postgres ??
        exchangeLookup!.postgres,
    },
    scale: server ? scale : null,
    entries: server?.entries ?? null,
    durationS,
    connections,
    rounds,
    results,
    targets: TARGETS,
    pass: { ...pass, all: Object.values(pass).every(Boolean) },
    workload: {
      ...server?.workload,
      ...(caseflow && { caseflow: { statementsPerStep: caseflow.statementsPerStep } }),
      ...(licences && {
        licences: {
          organisation: licences.organisation,
          batchSize: licences.batchSize,
          statementsPerBatch: licences.statementsPerBatch,
          callers: licences.callers,
          poolSize: licences.poolSize,
        },
      }),
      ...(exchangeLookup && {
        exchangeLookup: {
          residents: exchangeLookup.residents,
          callers: exchangeLookup.callers,
          poolSize: exchangeLookup.poolSize,
          roundS: exchangeLookup.roundS,
          grant: exchangeLookup.grant,
          accesses: exchangeLookup.accesses,
          otherCpuShare: exchangeLookup.otherCpuShare,
        },
      }),
    },
  };
  const json = JSON.stringify(report, null, 2);
  mkdirSync(new URL('results/', import.meta.url), { recursive: true });
  writeFileSync(new URL('results/latest.json', import.meta.url), `${json}\n`);
  console.log(json);
  if (!report.pass.all) process.exitCode = 1;
}

main().catch(async (error: unknown) => {
  if (error instanceof UsageError) log(`${error.message}\n\n${USAGE}`);
  else log(error instanceof Error ? (error.stack ?? error.message) : String(error));
  await stopChildren();
  process.exit(1);
});
