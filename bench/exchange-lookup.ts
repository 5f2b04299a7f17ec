/**
 * Bench `exchange-lookup` (issue 6 item 8): authorised single lookups of the population
 * registry through the data-sharing service (API key, grant check, masking, the access
 * row that the transparency log seals) under concurrency, beside a bare `pg` select of
 * the same record with the same keys and the same pool size, and beside a replay of the
 * service's own statements, which splits the difference into SQL and JavaScript (see
 * bench/README.md).
 */
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import type { Config } from '../src/kernel/config.ts';
import { copyRows } from '../src/kernel/copy.ts';
import type { Database, Executor, QueryOptions } from '../src/kernel/db.ts';
import { createRng, generateResidentId, type Rng } from '../src/kernel/identifiers/index.ts';
import { createApp } from '../src/main.ts';
import { EXCHANGE_LOG, sequenceAccesses, type ExchangeDeps } from '../src/modules/exchange/index.ts';
import { getResource } from '../src/modules/exchange/resources.ts';
import {
  authenticateConsumer,
  createConsumer,
  decideGrant,
  lookup,
  requestGrant,
} from '../src/modules/exchange/service.ts';
import { seed } from '../src/seed/index.ts';
import { closedLoop, summarize, type CaseResult, type Sample } from './load.ts';
import { cpuMeter, type CpuUsed } from './cpu.ts';
import { recreateDatabase } from './databases.ts';

/**
 * Not `tongban_bench_exchange`: the `exchange-ingest` case drops and creates that one, and
 * the two must not pull a database from under each other when run side by side.
 */
export const EXCHANGE_LOOKUP_DATABASE = 'tongban_bench_exchange_lookup';

const RESOURCE = 'population.person';
const PURPOSE = '婚姻登记身份核验';
const GRANTED_FIELDS = ['name', 'idNumber', 'phone', 'sex'];
const MASKED_FIELDS = ['idNumber', 'phone'];
/** Residents added to the ~200 of the small demo seed, so the lookups do not all hit a few pages. */
const EXTRA_RESIDENTS = 50_000;
/** Random keys drawn once (fixed seed); both sides cycle through the same sequence. */
const KEY_COUNT = 65_536;
const WARM_UP_S = 1;
/**
 * Rounds A B C C B A, so that drifting load weighs on all three alike: 2 per side, 4 s each
 * for Tongban and the bare select, 2 s each for the diagnostic replay (keeps the case < 45 s).
 */
const ROUND_S = 4;
const REPLAY_ROUND_S = 2;
const SIDES = ['tongban', 'baseline', 'sameSql'] as const;
type Side = (typeof SIDES)[number];
const ORDER: readonly Side[] = [...SIDES, ...[...SIDES].reverse()];

/** What the bare side runs: the registry read alone, the columns the service reads. */
export const BARE_SELECT_SQL = `select id_number, name, sex, birth_date, region_code, phone from registry_person where id_number = $1`;

export interface ExchangeLookupOptions {
  /** PostgreSQL server without a database name, e.g. postgres://postgres@127.0.0.1:5432 */
  server: string;
  /** Tongban's configuration for a database, as the other cases run it. */
  config: (databaseUrl: string) => Config;
  /** Opens a database as Tongban does (migrated, Tongban's pool size). */
  open: (databaseUrl: string) => Promise<Database>;
  /** Concurrent callers on each side (default 16). */
  callers?: number;
  log: (line: string) => void;
}

export interface CpuPerOperation {
  /** CPU milliseconds per operation of this process: the service or the bare loop, the pg driver. */
  node: number;
  /** Of the PostgreSQL backends of the database; null when the server runs on another host. */
  postgres: number | null;
}

export interface ExchangeLookupSide extends CaseResult {
  cpuMsPerOperation: CpuPerOperation;
}

export interface ExchangeLookupReport {
  /** Residents in the registry the keys are drawn from. */
  residents: number;
  callers: number;
  poolSize: number;
  /** Seconds per round: 2 rounds per side. */
  roundS: { tongban: number; baseline: number; sameSql: number };
  grant: { fields: string[]; masked: string[] };
  /** authenticateConsumer + lookup: reqPerSec is lookups/s. */
  tongban: ExchangeLookupSide;
  /** The bare select on a plain pg.Pool: reqPerSec is selects/s. */
  baseline: ExchangeLookupSide;
  /**
   * Diagnostic: the statements one warm lookup sends (recorded from the service), replayed
   * on the same plain pg.Pool with each key's values: what the SQL of a lookup costs alone.
   */
  sameSql: ExchangeLookupSide;
  /** tongban.reqPerSec ÷ baseline.reqPerSec (the target), and the split of the gap. */
  ratio: number;
  ratios: { sqlToBare: number; tongbanToSameSql: number };
  /** Statements sent per authorised lookup over the measured rounds (cache refreshes included). */
  statementsPerLookup: number;
  /** Share of the machine's CPU time that other processes used meanwhile (0 to 1; null when unknown). */
  otherCpuShare: number | null;
  /**
   * The access rows of the run: one per lookup (the service's and the replay's), all sealed
   * by sequenceAccesses afterwards.
   */
  accesses: {
    lookups: number;
    replayed: number;
    rows: number;
    allowed: number;
    sealed: number;
    sealedPerSec: number;
  };
  postgres: string;
}

const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

// ---- Setup ----

const SURNAMES = [
  ...'王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏',
];
const GIVEN = [...'伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩芳娜敏静丽艳娟霞秀玲桂英慧婷雪琳晶颖倩洁燕梅兰'];
const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;
const DAY = 86_400_000;
const BIRTH_FROM = Date.UTC(1940, 0, 1);
const BIRTH_TO = Date.UTC(2020, 11, 31);

/**
 * `count` more residents with valid ID numbers, registered in the communities the demo seed
 * used, loaded with COPY (the registry is read by key, so realistic size matters more than names).
 */
async function addResidents(db: Database, count: number): Promise<void> {
  const existing = await db.query<{ id_number: string; region_code: string }>(
    `select id_number, region_code from registry_person`,
  );
  const regions = [...new Set(existing.map((r) => r.region_code))];
  const taken = new Set(existing.map((r) => r.id_number));
  const rng = createRng(6008);
  const rows: unknown[][] = [];
  while (rows.length < count) {
    const regionCode = pick(rng, regions);
    const sex = rng() < 0.5 ? 'male' : 'female';
    const birthDate = new Date(BIRTH_FROM + Math.floor((rng() * (BIRTH_TO - BIRTH_FROM)) / DAY) * DAY)
      .toISOString()
      .slice(0, 10);
    const idNumber = generateResidentId(rng, { regionCode: regionCode.slice(0, 6), birthDate, sex });
    if (taken.has(idNumber)) continue;
    taken.add(idNumber);
    const name = `${pick(rng, SURNAMES)}${pick(rng, GIVEN)}${rng() < 0.7 ? pick(rng, GIVEN) : ''}`;
    const phone = `1${pick(rng, ['3', '5', '7', '8', '9'])}${String(Math.floor(rng() * 1e9)).padStart(9, '0')}`;
    rows.push([idNumber, name, sex === 'male' ? 'M' : 'F', birthDate, regionCode, phone]);
  }
  await copyRows(
    db,
    'registry_person',
    ['id_number', 'name', 'sex', 'birth_date', 'region_code', 'phone'],
    rows,
  );
}

/** A consumer of 民政局 (the marriage registry's system) with a grant the provider approved, masked. */
async function grantedConsumer(db: Database): Promise<{ id: string; apiKey: string }> {
  const resource = await getResource(db, RESOURCE);
  const [civil] = await db.query<{ id: number }>(
    `select c.id from organisation c join organisation p on p.region_code = c.region_code
      where p.id = $1 and c.short_name = '民政局'`,
    [resource.providerOrganisationId],
  );
  if (!civil) throw new Error('no 民政局 beside the provider of population.person in the demo directory');
  const { consumer, apiKey } = await createConsumer(
    db,
    { code: 'bench-marriage', name: '婚姻登记系统（基准测试）', organisationId: Number(civil.id) },
    'system:bench',
  );
  const requested = await requestGrant(
    db,
    { consumerId: consumer.id, resourceCode: RESOURCE, purpose: PURPOSE, fields: GRANTED_FIELDS, days: 30 },
    'system:bench',
  );
  const approved = await decideGrant(
    db,
    requested.id,
    { approve: true, masked: MASKED_FIELDS },
    'system:bench-provider',
  );
  if (!approved.active) throw new Error(`the grant is ${approved.status}, not active`);
  return { id: consumer.id, apiKey };
}

interface Recorded {
  text: string;
  params: readonly unknown[];
  options: QueryOptions | undefined;
  rows: number;
}

interface Counter {
  statements: number;
  /** When set, every statement is also recorded here with the number of rows it returned. */
  recording: Recorded[] | null;
}

/** The database with every statement counted (the driver's work is unchanged), or recorded. */
function countingDatabase(db: Database, counter: Counter): Database {
  const counted = (q: Executor): Executor => ({
    exec: (script) => q.exec(script),
    query: async <R>(text: string, params?: readonly unknown[], options?: QueryOptions) => {
      counter.statements++;
      const recording = counter.recording;
      const rows = await q.query<R>(text, params, options);
      recording?.push({ text, params: [...(params ?? [])], options, rows: rows.length });
      return rows;
    },
  });
  return {
    kind: db.kind,
    ...counted(db),
    transaction: (fn) => db.transaction((tx) => fn(counted(tx))),
    close: () => db.close(),
  };
}

/** As src/kernel/db.ts names the statements it prepares, so the replay prepares them alike. */
const preparedName = (text: string) => `tb_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;

/**
 * The recorded statements of one lookup of `key` (subject index `index`) as a replay for
 * any key: a parameter equal to the key takes the new key, and one that holds the index
 * (the access rows as JSON) the new index in its place.
 */
function replayOf(recorded: Recorded[], key: string, index: string) {
  const substituted = { key: false, index: false };
  const slots = recorded.map((r) =>
    r.params.map((p) => {
      if (p === key) return ((substituted.key = true), 'key');
      if (typeof p === 'string' && p.includes(index)) return ((substituted.index = true), 'index');
      return null;
    }),
  );
  if (!substituted.key || !substituted.index)
    throw new Error('the recorded lookup has no parameter for the key or its subject index; cannot replay');
  return async (pool: pg.Pool, nextKey: string, nextIndex: string) => {
    for (let k = 0; k < recorded.length; k++) {
      const { text, params, options, rows } = recorded[k]!;
      const values = params.map((p, j) =>
        slots[k]![j] === 'key'
          ? nextKey
          : slots[k]![j] === 'index'
            ? (p as string).replace(index, nextIndex)
            : p,
      );
      const result = await pool.query(
        options?.prepare ? { name: preparedName(text), text, values } : { text, values },
      );
      if (result.rows.length !== rows)
        throw new Error(`replayed statement ${k + 1}: ${result.rows.length} rows, recorded ${rows}`);
    }
  };
}

// ---- The case ----

interface Round {
  sample: Sample;
  cpu: CpuUsed;
  statements: number;
}

interface Round {
  sample: Sample;
  cpu: CpuUsed;
  statements: number;
}

/**
 * Seeds a database of its own (small demo seed plus EXTRA_RESIDENTS residents; dropped at
 * the end), grants a consumer population.person, then measures authorised lookups through
 * an in-process Tongban app's `app.exchange` beside the bare select and the replay of the
 * lookup's statements, in rounds A B C C B A.
 */
export async function runExchangeLookup(options: ExchangeLookupOptions): Promise<ExchangeLookupReport> {
  const { log } = options;
  const callers = options.callers ?? 16;
  const started = performance.now();
  await recreateDatabase(options.server, EXCHANGE_LOOKUP_DATABASE, { create: true });
  const url = `${options.server}/${EXCHANGE_LOOKUP_DATABASE}`;
  const config = options.config(url);
  let db: Database | undefined;
  let app: Awaited<ReturnType<typeof createApp>> | undefined;
  let pool: pg.Pool | undefined;
  let monitor: pg.Client | undefined;
  try {
    db = await options.open(url);
    log(`exchange-lookup: ${EXCHANGE_LOOKUP_DATABASE}, demo seed at small scale (dropped at the end) ...`);
    await seed(db, 'small');
    await addResidents(db, EXTRA_RESIDENTS);
    await db.exec('vacuum analyze');
    const counter: Counter = { statements: 0, recording: null };
    app = await createApp({ ...config, logLevel: 'silent' }, countingDatabase(db, counter));
    await app.ready();
    const deps: ExchangeDeps = app.exchange;
    const consumer = await grantedConsumer(db);

    const residents = await db.query<{ id_number: string }>(`select id_number from registry_person`);
    const rng = createRng(2026);
    const keys = Array.from({ length: KEY_COUNT }, () => pick(rng, residents).id_number);
    // The replay's subject indexes, computed before the load: the replay sends SQL, nothing else.
    const indexes = keys.map((key) => deps.cipher.index(key, 'dataSubject'));

    let lookups = 0;
    let replayed = 0;
    let firstError: string | undefined;
    const failed = (error: unknown) => {
      firstError ??= error instanceof Error ? error.message : String(error);
      throw error;
    };
    // As the HTTP route does: the API key to a consumer, then the lookup for the grant's purpose.
    const authorised = async (i: number) => {
      const key = keys[i % KEY_COUNT]!;
      try {
        const caller = await authenticateConsumer(deps, consumer.apiKey);
        lookups++;
        const answer = await lookup(deps, RESOURCE, key, { consumer: caller, purpose: PURPOSE });
        const [record] = answer.records;
        if (
          answer.records.length !== 1 ||
          typeof record?.name !== 'string' ||
          !String(record.idNumber).includes('*')
        )
          throw new Error(`lookup ${key}: not one masked record`);
      } catch (error) {
        failed(error);
      }
    };
    pool = new pg.Pool({ connectionString: url, max: config.dbPoolSize });
    // pool.end() resolves before its connections have closed; the database dropped right
    // after ends them, which must not crash the run (the kernel's pool does the same).
    pool.on('error', () => {});
    const bare = async (i: number) => {
      const key = keys[i % KEY_COUNT]!;
      try {
        const { rows } = await pool!.query(BARE_SELECT_SQL, [key]);
        if (rows.length !== 1) throw new Error(`select ${key}: ${rows.length} rows`);
      } catch (error) {
        failed(error);
      }
    };
    // One lookup fills the caches; the next one's statements are what every warm lookup sends.
    await authorised(0);
    counter.recording = [];
    await authorised(1);
    const replay = replayOf(counter.recording, keys[1]!, indexes[1]!);
    counter.recording = null;
    const sameSql = async (i: number) => {
      try {
        replayed++;
        await replay(pool!, keys[i % KEY_COUNT]!, indexes[i % KEY_COUNT]!);
      } catch (error) {
        failed(error);
      }
    };
    const tasks: Record<Side, (i: number) => Promise<void>> = {
      tongban: authorised,
      baseline: bare,
      sameSql,
    };
    log(
      `exchange-lookup: ${residents.length} residents; ${callers} callers per side, pool ${config.dbPoolSize}; ` +
        `warm-up ${WARM_UP_S} s each, then rounds ${ORDER.join(', ')} of ${ROUND_S} s, the replay ${REPLAY_ROUND_S} s ` +
        `(setup ${round((performance.now() - started) / 1000)} s)`,
    );

    monitor = new pg.Client({ connectionString: url });
    await monitor.connect();
    for (const side of SIDES) await closedLoop(callers, WARM_UP_S, tasks[side]);
    const rounds: Record<Side, Round[]> = { tongban: [], baseline: [], sameSql: [] };
    for (const side of ORDER) {
      const cpu = await cpuMeter(monitor);
      counter.statements = 0;
      const sample = await closedLoop(callers, side === 'sameSql' ? REPLAY_ROUND_S : ROUND_S, tasks[side]);
      rounds[side].push({ sample, cpu: await cpu(), statements: counter.statements });
    }
    if (firstError) log(`  first error: ${firstError}`);

    const result = (side: Side): ExchangeLookupSide => {
      const summary = summarize(rounds[side].map((r) => r.sample));
      const sum = (f: (r: Round) => number) => rounds[side].reduce((total, r) => total + f(r), 0);
      const per = (ms: number) => (summary.requests > 0 ? round(ms / summary.requests, 3) : 0);
      return {
        ...summary,
        cpuMsPerOperation: {
          node: per(sum((r) => r.cpu.node)),
          postgres: rounds[side].every((r) => r.cpu.postgres !== null)
            ? per(sum((r) => r.cpu.postgres!))
            : null,
        },
      };
    };
    const [tongban, baseline, same] = SIDES.map(result) as [
      ExchangeLookupSide,
      ExchangeLookupSide,
      ExchangeLookupSide,
    ];
    const all = Object.values(rounds).flat();
    const capacity = all.reduce((sum, r) => sum + (r.cpu.machine?.capacity ?? 0), 0);
    const other = all.reduce(
      (sum, r) => sum + (r.cpu.machine?.busy ?? 0) - r.cpu.node - (r.cpu.postgres ?? 0),
      0,
    );
    const known = all.every((r) => r.cpu.machine !== null && r.cpu.postgres !== null);
    const statementsPerLookup = round(
      rounds.tongban.reduce((sum, r) => sum + r.statements, 0) / Math.max(1, tongban.requests),
      3,
    );
    const ratioOf = (a: ExchangeLookupSide, b: ExchangeLookupSide) =>
      b.reqPerSec > 0 ? Math.round((a.reqPerSec / b.reqPerSec) * 1000) / 1000 : 0;
    const ratio = ratioOf(tongban, baseline);
    const describe = (label: string, unit: string, r: ExchangeLookupSide) =>
      `  ${label}: ${r.reqPerSec} ${unit}/s, p50 ${r.p50} ms, p95 ${r.p95} ms, ${r.errors} errors; CPU ms each: ` +
      `node ${r.cpuMsPerOperation.node}, PostgreSQL ${r.cpuMsPerOperation.postgres ?? '?'}`;
    log(`${describe('Tongban', 'lookups', tongban)}; ${statementsPerLookup} statements per lookup`);
    log(describe('bare select', 'selects', baseline));
    log(describe('same SQL', 'replayed lookups', same));
    log(
      `  ratio ${ratio} (same SQL ÷ bare ${ratioOf(same, baseline)}, Tongban ÷ same SQL ${ratioOf(tongban, same)}); ` +
        `other processes ${known && capacity > 0 ? `${Math.round((other / capacity) * 100)} %` : '?'} of the CPUs`,
    );

    // Every lookup wrote its access row; the sequencer seals them all into the exchange log.
    const [written] = (await db.query<{ rows: number; allowed: number }>(
      `select count(*)::int as rows, count(*) filter (where outcome = 'allowed')::int as allowed
         from exchange_access where consumer_id = $1 and operation = 'lookup'`,
      [consumer.id],
    )) as [{ rows: number; allowed: number }];
    if (written.rows !== lookups + replayed)
      throw new Error(
        `${lookups} lookups and ${replayed} replayed ones wrote ${written.rows} access rows, not one each`,
      );
    const sealStarted = performance.now();
    let sealed = 0;
    for (;;) {
      const n = await sequenceAccesses(deps);
      if (n === 0) break;
      sealed += n;
    }
    const sealS = (performance.now() - sealStarted) / 1000;
    const [check] = (await db.query<{ unsealed: number; entries: number }>(
      `select (select count(*)::int from exchange_access where log_index is null) as unsealed,
              (select count(*)::int from exchange_access a join transparency_log_entry e
                  on e.log_name = $1 and e.idx = a.log_index and e.subject = a.id::text
                where a.consumer_id = $2) as entries`,
      [EXCHANGE_LOG, consumer.id],
    )) as [{ unsealed: number; entries: number }];
    if (check.unsealed !== 0 || check.entries !== written.rows)
      throw new Error(
        `after sequencing, ${check.unsealed} access rows are unsealed and ${check.entries} of ${written.rows} have their entry`,
      );
    const sealedPerSec = round(sealed / sealS);
    log(
      `  ${written.rows} access rows (${written.allowed} allowed), all sealed: ${sealed} in ${round(sealS, 2)} s`,
    );

    const [{ version }] = (await db.query<{ version: string }>('select version()')) as [{ version: string }];
    log(`exchange-lookup: done in ${round((performance.now() - started) / 1000)} s`);
    return {
      residents: residents.length,
      callers,
      poolSize: config.dbPoolSize,
      roundS: { tongban: ROUND_S, baseline: ROUND_S, sameSql: REPLAY_ROUND_S },
      grant: { fields: GRANTED_FIELDS, masked: MASKED_FIELDS },
      tongban,
      baseline,
      sameSql: same,
      ratio,
      ratios: { sqlToBare: ratioOf(same, baseline), tongbanToSameSql: ratioOf(tongban, same) },
      statementsPerLookup,
      otherCpuShare: known && capacity > 0 ? Math.max(0, round(other / capacity, 2)) : null,
      accesses: { lookups, replayed, rows: written.rows, allowed: written.allowed, sealed, sealedPerSec },
      postgres: version,
    };
  } finally {
    await monitor?.end();
    await pool?.end();
    await app?.close();
    await db?.close();
    await recreateDatabase(options.server, EXCHANGE_LOOKUP_DATABASE, { create: false });
  }
}
