/**
 * Bench `exchange-ingest` (issue 6 item 8): a bulk batch of population records as CSV
 * (1 % bad rows) ingested through the bulk-exchange service (streamed, validated, upserted
 * through COPY, bad rows reported, chained, change events published) beside a raw COPY of
 * the same good rows into a copy of the table, in the same run, in a database of its own.
 */
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Database } from '../src/kernel/db.ts';
import { residentIdCheckChar } from '../src/kernel/identifiers/resident-id.ts';
import { installResources } from '../src/modules/exchange/index.ts';
import { ingestBatch, type Batch } from '../src/modules/exchange/batches.ts';
import { recreateDatabase } from './databases.ts';

export const EXCHANGE_INGEST_DATABASE = 'tongban_bench_exchange';
export const DEFAULT_INGEST_ROWS = 300_000;
/** Bytes per piece of the body handed to the service, as a socket would deliver it. */
const PIECE = 64 * 1024;
const COLUMNS = ['id_number', 'name', 'sex', 'birth_date', 'region_code', 'phone'];
const HEADER = 'idNumber,name,sex,birthDate,regionCode,phone';

export interface ExchangeIngestOptions {
  /** PostgreSQL server without a database name, e.g. postgres://postgres@127.0.0.1:5432 */
  server: string;
  /** Opens a database as Tongban does (migrated, Tongban's pool size). */
  open: (databaseUrl: string) => Promise<Database>;
  log: (line: string) => void;
  rows?: number;
}

export interface IngestRun {
  rows: number;
  good: number;
  bad: number;
  seconds: number;
  /** Rows read, validated, upserted or reported, and audited, per second. */
  recordsPerSec: number;
  /** CPU seconds of this Node process during the run (parsing, validation, encoding). */
  nodeCpuSeconds: number;
}

export interface ExchangeIngestReport {
  /** The batch into an empty registry (inserts). */
  insert: IngestRun;
  /** The same batch again (every good row an update). */
  update: IngestRun;
  /** COPY of the good rows (CSV, no validation) into an empty copy of the table with its indexes. */
  rawCopy: { rows: number; seconds: number; recordsPerSec: number };
  /** insert.recordsPerSec / rawCopy.recordsPerSec */
  ratio: number;
  bodyMiB: number;
  postgres: string;
}

const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

// County codes from several provinces: ID numbers are unique by (region, birth date, sequence).
const REGIONS = ['110101', '310104', '320102', '330106', '440305', '510107', '420106', '610113'];
const FIRST_DAY = Date.UTC(1950, 0, 1);
const DAY = 86_400_000;
const DAYS = 20_000;

/** The i-th person, unique for i below 8 * 20,000 * 499, valid in every field. */
function personRow(i: number): string[] {
  const region = REGIONS[i % REGIONS.length]!;
  const rest = Math.floor(i / REGIONS.length);
  const birthDate = new Date(FIRST_DAY + (rest % DAYS) * DAY).toISOString().slice(0, 10);
  const sequence = 1 + (Math.floor(rest / DAYS) % 499) * 2; // odd: men
  const first17 = `${region}${birthDate.replaceAll('-', '')}${String(sequence).padStart(3, '0')}`;
  const idNumber = first17 + residentIdCheckChar(first17);
  const phone = i % 3 === 0 ? '' : `13${String(i % 1_000_000_000).padStart(9, '0')}`;
  return [idNumber, `居民${i}`, 'M', birthDate, `${region}000000`, phone];
}

/** One row in a hundred is bad, in turn: a wrong check digit, no such date, no name. */
function badRow(row: string[], i: number): string[] {
  const bad = [...row];
  const kind = (i / 100) % 3;
  if (kind === 0) bad[0] = bad[0]!.slice(0, 17) + (bad[0]![17] === '0' ? '1' : '0');
  else if (kind === 1) bad[3] = `${bad[3]!.slice(0, 4)}-02-30`;
  else bad[1] = '';
  return bad;
}

function generate(rows: number): { body: Buffer; good: Buffer; goodRows: number } {
  const all: string[] = [HEADER];
  const good: string[] = [HEADER];
  for (let i = 0; i < rows; i++) {
    const row = personRow(i);
    if (i % 100 === 0) all.push(badRow(row, i).join(','));
    else {
      const line = row.join(',');
      all.push(line);
      good.push(line);
    }
  }
  return {
    body: Buffer.from(`${all.join('\n')}\n`),
    good: Buffer.from(`${good.join('\n')}\n`),
    goodRows: good.length - 1,
  };
}

function* pieces(body: Buffer): Generator<Buffer> {
  for (let at = 0; at < body.length; at += PIECE) yield body.subarray(at, at + PIECE);
}

async function ingest(db: Database, body: Buffer, sha256: string): Promise<{ batch: Batch; run: IngestRun }> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const batch = await ingestBatch(db, {
    resource: 'population.person',
    format: 'csv',
    sha256,
    body: Readable.from(pieces(body)),
    uploadedBy: 'system:bench',
    organisationIds: null,
  });
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  if (batch.status !== 'completed')
    throw new Error(`batch ${batch.id} ended ${batch.status}: ${batch.failure}`);
  return {
    batch,
    run: {
      rows: batch.rowsTotal,
      good: batch.rowsGood,
      bad: batch.rowsBad,
      seconds: round(seconds, 2),
      recordsPerSec: Math.round(batch.rowsTotal / seconds),
      nodeCpuSeconds: round((used.user + used.system) / 1e6, 2),
    },
  };
}

/** COPY of the good rows as CSV into `registry_person_raw` (same columns, indexes and defaults). */
async function rawCopy(url: string, good: Buffer, rows: number): Promise<ExchangeIngestReport['rawCopy']> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`create table registry_person_raw (like registry_person including all)`);
    const started = performance.now();
    await pipeline(
      Readable.from(pieces(good)),
      client.query(
        copyFrom(
          `copy registry_person_raw (${COLUMNS.join(', ')}) from stdin with (format csv, header true)`,
        ),
      ),
    );
    const seconds = (performance.now() - started) / 1000;
    const [{ n }] = (await client.query<{ n: number }>('select count(*)::int as n from registry_person_raw'))
      .rows as [{ n: number }];
    if (n !== rows) throw new Error(`raw COPY loaded ${n} rows, not ${rows}`);
    return { rows, seconds: round(seconds, 2), recordsPerSec: Math.round(rows / seconds) };
  } finally {
    await client.end();
  }
}

export async function runExchangeIngest(options: ExchangeIngestOptions): Promise<ExchangeIngestReport> {
  const { log } = options;
  const rows = options.rows ?? DEFAULT_INGEST_ROWS;
  await recreateDatabase(options.server, EXCHANGE_INGEST_DATABASE, { create: true });
  const url = `${options.server}/${EXCHANGE_INGEST_DATABASE}`;
  let db: Database | undefined;
  try {
    db = await options.open(url);
    await installResources(db);
    const { body, good, goodRows } = generate(rows);
    const sha256 = createHash('sha256').update(body).digest('hex');
    const bodyMiB = round(body.length / 2 ** 20);
    log(`exchange-ingest: ${rows} population rows (${rows - goodRows} bad), ${bodyMiB} MiB of CSV`);

    const raw = await rawCopy(url, good, goodRows);
    log(
      `exchange-ingest: raw COPY of the ${goodRows} good rows: ${raw.recordsPerSec} records/s (${raw.seconds} s)`,
    );
    const insert = (await ingest(db, body, sha256)).run;
    log(
      `exchange-ingest: batch into an empty registry: ${insert.recordsPerSec} records/s (${insert.seconds} s, ` +
        `${insert.good} upserted, ${insert.bad} reported; ${insert.nodeCpuSeconds} CPU s in Node)`,
    );
    const update = (await ingest(db, body, sha256)).run;
    log(
      `exchange-ingest: the same batch again (updates): ${update.recordsPerSec} records/s (${update.seconds} s; ` +
        `${update.nodeCpuSeconds} CPU s in Node)`,
    );
    const [{ version }] = (await db.query<{ version: string }>('select version()')) as [{ version: string }];
    return {
      insert,
      update,
      rawCopy: raw,
      ratio: round(insert.recordsPerSec / raw.recordsPerSec, 2),
      bodyMiB,
      postgres: version,
    };
  } finally {
    await db?.close();
    await recreateDatabase(options.server, EXCHANGE_INGEST_DATABASE, { create: false });
  }
}
