/**
 * The case-flow benchmark (`npm run bench -- --only caseflow`, issue 4 item 10): full cases
 * taken through the cases service under concurrency, beside a pgbench-style baseline that
 * replays the SQL the service sends, one plain transaction per step (see bench/README.md).
 *
 * A flow is 7 transitions, each one durable transaction: the submission (application number
 * and openCases), then receive → accept → review_approve (branch market) → review_approve
 * (branch housing) → decide_approve → complete through takeStep, with the case's hash chain,
 * timeline event, tasks, clocks and outbox event, exactly as staff actions run them.
 */
import { createHash, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import type { Database } from '../src/kernel/db.ts';
import { applicationNumber } from '../src/kernel/identifiers/index.ts';
import { nextApplicationNumber } from '../src/modules/applications/index.ts';
import { caseCalendar, openCases, takeStep, type CaseActor } from '../src/modules/cases/index.ts';
import { seed } from '../src/seed/index.ts';
import { publishParallelItem, type ParallelItem } from '../test/helpers/cases.ts';
import { summarize, type CaseResult, type Sample } from './load.ts';
import { backendTicks, machineTicks, TICK_MS } from './cpu.ts';
import { recreateDatabase } from './databases.ts';

export const CASEFLOW_DATABASE = 'tongban_bench_caseflow';

type Role = 'clerk' | 'market' | 'housing' | 'head';

/** The staff steps after the submission, in order; the case version before step i is i + 1. */
const STEPS: { action: string; by: Role; branch?: string }[] = [
  { action: 'receive', by: 'clerk' },
  { action: 'accept', by: 'clerk' },
  { action: 'review_approve', by: 'market', branch: 'market' },
  { action: 'review_approve', by: 'housing', branch: 'housing' },
  { action: 'decide_approve', by: 'head' },
  { action: 'complete', by: 'clerk' },
];
/** Transitions of one flow: the submission and the staff steps. */
export const TRANSITIONS_PER_FLOW = 1 + STEPS.length;
const STEP_NAMES = ['submit', ...STEPS.map((s) => (s.branch ? `${s.action}:${s.branch}` : s.action))];

export interface CaseflowOptions {
  /** PostgreSQL server without a database name, e.g. postgres://postgres@127.0.0.1:5432 */
  server: string;
  /** Opens a database as Tongban does (migrated, Tongban's pool size). */
  open: (databaseUrl: string) => Promise<Database>;
  poolSize: number;
  /** Concurrent flows. */
  concurrency: number;
  durationS: number;
  rounds: number;
  warmUpS: number;
  log: (line: string) => void;
}

export interface FlowResult extends CaseResult {
  /** Transitions per second: `reqPerSec` under the name this case uses. */
  transitionsPerSec: number;
  flowsPerSec: number;
  flows: number;
  /**
   * CPU milliseconds per transition: this process (the service's JavaScript or the replay, the
   * pg driver and the load loop) and the PostgreSQL backends serving the pools; null when the
   * backends' CPU cannot be read (a server on another host). Moved much less than throughput
   * by other work on the machine.
   */
  cpuMsPerTransition: { node: number; postgres: number | null };
  /**
   * Share of the machine's CPU time that other processes used during the measurement
   * (0 to 1; null when unknown): a run with much of it says more about the neighbours.
   */
  otherCpuShare: number | null;
}

export interface CaseflowReport {
  tongban: FlowResult;
  baseline: FlowResult;
  /** Tongban's transitions/s over the baseline's. */
  ratio: number;
  concurrency: number;
  poolSize: number;
  /** SQL statements each transition sends (BEGIN and COMMIT not counted), by step. */
  statementsPerStep: Record<string, number>;
  postgres: string;
}

// ---- The flow through the service ----

interface Staff {
  item: ParallelItem;
  actors: Record<Role, CaseActor>;
}

function benchStaff(item: ParallelItem): Staff {
  const [market, housing] = item.branches.map((b) => b.organisationId) as [number, number];
  // As the routes build them from principals (staffActor): sub, roles, permissions, organisations.
  const staff = (roles: string[], permissions: string[], organisations: number[]): CaseActor => ({
    sub: randomUUID(),
    onBehalfOf: null,
    applicant: false,
    permissions: new Set(permissions),
    roles,
    organisations: new Set(organisations),
  });
  return {
    item,
    actors: {
      clerk: staff(['window_clerk'], ['case.receive', 'case.accept'], [item.lead.id]),
      market: staff(['approver'], ['case.review'], [market]),
      housing: staff(['approver'], ['case.review'], [housing]),
      head: staff(['department_head'], ['case.decide'], [item.lead.id]),
    },
  };
}

/**
 * One case from submission to completion; `onStep` gets each transition's latency. The
 * submission is what the applications module does at submit: an application number and
 * openCases in one transaction.
 */
async function serviceFlow(db: Database, { item, actors }: Staff, onStep: (ms: number) => void) {
  let started = performance.now();
  const calendar = await caseCalendar(db);
  const at = new Date();
  const [opened] = await db.transaction(async (tx) => {
    const number = await nextApplicationNumber(tx, item.regionCode.slice(0, 6), at);
    return openCases(
      tx,
      {
        applicationId: randomUUID(),
        applicationNumber: number,
        applicant: { sub: randomUUID(), kind: 'person', name: '压测申请人', enterpriseUscc: null },
        submittedBy: { actor: 'bench' },
        channel: 'online',
        submittedAt: at,
        parts: [
          {
            itemVersionId: item.itemVersionId,
            entryId: item.entryId,
            formData: { shopName: '示例小店' },
            materials: [
              {
                name: '营业执照',
                source: 'registry',
                record: { registry: 'legal_entity', key: '9135***43', data: {}, fetchedAt: at.toISOString() },
              },
            ],
          },
        ],
      },
      calendar,
    );
  });
  onStep(performance.now() - started);
  for (const [i, step] of STEPS.entries()) {
    started = performance.now();
    await takeStep(
      db,
      opened!.caseId,
      { action: step.action, version: i + 1, ...(step.branch && { stage: 'review', branch: step.branch }) },
      actors[step.by],
    );
    onStep(performance.now() - started);
  }
  return opened!;
}

// ---- Recording the SQL of a flow ----

type Row = Record<string, unknown>;
interface Recorded {
  text: string;
  params: unknown[];
  prepare: boolean;
  rows: Row[];
}
/** The statements of a flow, per transaction. */
type Recording = Recorded[][];

/** A database whose transactions log every statement with its parameters and rows. */
function recorder(db: Database): { db: Database; take: () => Recording } {
  let transactions: Recording = [];
  const recording: Database = {
    ...db,
    transaction: (fn) =>
      db.transaction((tx) => {
        const statements: Recorded[] = [];
        transactions.push(statements);
        return fn({
          exec: (script) => tx.exec(script),
          query: async <R>(text: string, params?: readonly unknown[], options?: { prepare?: boolean }) => {
            const rows = await tx.query<R>(text, params, options);
            statements.push({
              text,
              params: [...(params ?? [])],
              prepare: options?.prepare === true,
              rows: rows as Row[],
            });
            return rows;
          },
        });
      }),
  };
  return {
    db: recording,
    take: () => {
      const taken = transactions;
      transactions = [];
      return taken;
    },
  };
}

// ---- The replay template: the recorded statements with fresh ids ----

/** A value in the rows of an earlier statement of the flow (flat index). */
interface Cell {
  statement: number;
  row: number;
  column: string;
}
type Template =
  | { kind: 'constant'; value: unknown }
  /** A time the service took from the clock: as recorded, moved by how much later the flow runs. */
  | { kind: 'time'; ms: number }
  | { kind: 'cell'; cell: Cell }
  | { kind: 'array'; items: Template[] }
  | { kind: 'text'; parts: (string | { token: number })[] };
/** Where a flow's own value comes from: fresh, a row the replay got back, or the application counter. */
type TokenSource =
  | { kind: 'fresh' }
  | { kind: 'cell'; cell: Cell }
  | { kind: 'applicationNumber'; statement: number; region: string; day: string };
interface Statement {
  text: string;
  /** The prepared statement name, when the service prepares it (db.ts names it the same way). */
  name: string | undefined;
  params: Template[];
}
interface FlowTemplate {
  transactions: Statement[][];
  /** When the recorded flow started (its first clock time): times move by a replayed flow's start minus this. */
  startedMs: number;
  tokens: TokenSource[];
  /** Tokens resolved from the rows of each statement. */
  resolvedAt: Map<number, number[]>;
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function uuidsIn(value: unknown, into: Set<string>): void {
  if (typeof value === 'string') for (const m of value.match(UUID) ?? []) into.add(m);
  else if (Array.isArray(value)) value.forEach((v) => uuidsIn(v, into));
  else if (value !== null && typeof value === 'object' && !(value instanceof Date))
    Object.values(value).forEach((v) => uuidsIn(v, into));
}

/**
 * Turns two recorded flows into a template whose parameters are the recorded values
 * ("hard-coded"), except each flow's own identities: UUIDs that differ between the two flows
 * (the case id the insert returns, the application id ...) become tokens, fresh per replayed
 * flow or taken from the row the replay gets back; the application number comes from the
 * counter's serial as in nextApplicationNumber; and numbers that differ between the flows and
 * equal, in both, a value of an earlier statement's rows (task ids) are taken from the
 * replay's rows. Times that differ between the flows were read from the clock (submitted,
 * started, updated at ...): they move with the replayed flow, so indexes on them grow as
 * they do under the service; times equal in both (deadlines, the next clock check) stay.
 * Everything else (hashes, JSON documents, the times inside them) is sent as recorded.
 */
function buildTemplate(a: Recording, b: Recording, warn: (line: string) => void): FlowTemplate {
  const flatA = a.flat();
  const flatB = b.flat();
  const shape = (r: Recording) => JSON.stringify(r.map((tx) => tx.map((s) => s.text)));
  if (shape(a) !== shape(b)) throw new Error('two recorded flows sent different statements; cannot replay');

  const shared = new Set<string>();
  for (const s of flatB) {
    uuidsIn(s.params, shared);
    uuidsIn(s.rows, shared);
  }
  const tokens: TokenSource[] = [];
  const tokenOf = new Map<string, number>();
  const resolvedAt = new Map<number, number[]>();
  const addToken = (value: string, source: TokenSource, statement?: number) => {
    tokenOf.set(value, tokens.length);
    if (statement !== undefined)
      resolvedAt.set(statement, [...(resolvedAt.get(statement) ?? []), tokens.length]);
    tokens.push(source);
  };
  flatA.forEach((s, k) => {
    const seen = new Set<string>();
    uuidsIn(s.params, seen);
    for (const id of seen) if (!shared.has(id) && !tokenOf.has(id)) addToken(id, { kind: 'fresh' });
    s.rows.forEach((row, r) =>
      Object.entries(row).forEach(([column, value]) => {
        if (
          typeof value === 'string' &&
          !shared.has(value) &&
          !tokenOf.has(value) &&
          value.match(UUID)?.[0] === value
        )
          addToken(value, { kind: 'cell', cell: { statement: k, row: r, column } }, k);
      }),
    );
    const serial = s.rows[0]?.last_serial;
    if (typeof serial === 'number') {
      const [region, day] = s.params as [string, string];
      addToken(
        applicationNumber(region, day, serial),
        { kind: 'applicationNumber', statement: k, region, day },
        k,
      );
    }
  });
  if (!tokens.some((t) => t.kind === 'applicationNumber'))
    throw new Error('no application number counter among the recorded statements');
  const tokenPattern = new RegExp([...tokenOf.keys()].map(escape).join('|'), 'g');

  const cellOf = (k: number, valueA: number, valueB: unknown): Cell | undefined => {
    for (let statement = 0; statement < k; statement++) {
      const rowsA = flatA[statement]!.rows;
      for (let row = 0; row < rowsA.length; row++) {
        for (const [column, v] of Object.entries(rowsA[row]!)) {
          if (v === valueA && flatB[statement]!.rows[row]?.[column] === valueB)
            return { statement, row, column };
        }
      }
    }
    return undefined;
  };
  const template = (k: number, valueA: unknown, valueB: unknown): Template => {
    if (typeof valueA === 'string') {
      const parts: (string | { token: number })[] = [];
      let last = 0;
      for (const m of valueA.matchAll(tokenPattern)) {
        parts.push(valueA.slice(last, m.index), { token: tokenOf.get(m[0])! });
        last = m.index + m[0].length;
      }
      if (parts.length === 0) return { kind: 'constant', value: valueA };
      parts.push(valueA.slice(last));
      return { kind: 'text', parts: parts.filter((p) => p !== '') };
    }
    if (Array.isArray(valueA)) {
      const items = valueA.map((v, i) => template(k, v, (valueB as unknown[] | undefined)?.[i]));
      return items.every((t) => t.kind === 'constant')
        ? { kind: 'constant', value: valueA }
        : { kind: 'array', items };
    }
    if (valueA instanceof Date && valueB instanceof Date && valueA.getTime() !== valueB.getTime()) {
      return { kind: 'time', ms: valueA.getTime() };
    }
    if (typeof valueA === 'number' && valueA !== valueB) {
      const cell = cellOf(k, valueA, valueB);
      if (cell) return { kind: 'cell', cell };
      warn(
        `  replay: parameter ${valueA} (then ${String(valueB)}) of "${flatA[k]!.text.slice(0, 60)}" sent as recorded`,
      );
    }
    return { kind: 'constant', value: valueA };
  };

  let k = 0;
  const transactions = a.map((tx) =>
    tx.map((s): Statement => {
      const statement = {
        text: s.text,
        name: s.prepare ? preparedName(s.text) : undefined,
        params: s.params.map((p, i) => template(k, p, flatB[k]!.params[i])),
      };
      k++;
      return statement;
    }),
  );
  const times = transactions
    .flat()
    .flatMap((s) => s.params)
    .filter((t) => t.kind === 'time')
    .map((t) => t.ms);
  return { transactions, startedMs: Math.min(...times, Date.now()), tokens, resolvedAt };
}

/** As src/kernel/db.ts names the statements it prepares. */
const preparedName = (text: string) => `tb_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;

/**
 * Replays one flow: each recorded transaction as BEGIN, its statements with this flow's ids,
 * COMMIT, on a plain pg pool; `onStep` gets each transaction's latency. Returns the flow's tokens.
 */
async function replayFlow(
  pool: pg.Pool,
  flow: FlowTemplate,
  onStep: (ms: number) => void,
): Promise<string[]> {
  const tokens = flow.tokens.map((t): string => (t.kind === 'fresh' ? randomUUID() : ''));
  const rows: Row[][] = [];
  const shift = Date.now() - flow.startedMs;
  const value = (t: Template): unknown => {
    switch (t.kind) {
      case 'constant':
        return t.value;
      case 'time':
        return new Date(t.ms + shift);
      case 'cell':
        return rows[t.cell.statement]![t.cell.row]![t.cell.column];
      case 'array':
        return t.items.map(value);
      case 'text':
        return t.parts.map((p) => (typeof p === 'string' ? p : tokens[p.token])).join('');
    }
  };
  for (const transaction of flow.transactions) {
    const started = performance.now();
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      for (const s of transaction) {
        const values = s.params.map(value);
        const result = await client.query(
          s.name ? { name: s.name, text: s.text, values } : { text: s.text, values },
        );
        const k = rows.push(result.rows as Row[]) - 1;
        for (const i of flow.resolvedAt.get(k) ?? []) {
          const source = flow.tokens[i]!;
          if (source.kind === 'cell')
            tokens[i] = String(rows[source.cell.statement]![source.cell.row]![source.cell.column]);
          else if (source.kind === 'applicationNumber')
            tokens[i] = applicationNumber(source.region, source.day, Number(result.rows[0].last_serial));
        }
      }
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
    onStep(performance.now() - started);
  }
  return tokens;
}

/** What a flow leaves behind for a case; the same for the service and the replay. */
async function caseState(pool: pg.Pool, caseId: string) {
  const { rows } = await pool.query(
    `select c.status, c.version,
            (select seq from chain_head where chain = 'case:' || c.id) as chain_seq,
            (select count(*)::int from chain_entry where chain = 'case:' || c.id) as chain_entries,
            (select count(*)::int from case_event where case_id = c.id) as events,
            (select count(*)::int from case_task where case_id = c.id) as tasks,
            (select count(*)::int from case_task where case_id = c.id and finished_at is null) as open_tasks,
            (select count(*)::int from case_task where case_id = c.id and due_at is not null) as tasks_due,
            (select count(*)::int from outbox_event where key = c.id::text) as outbox_events,
            c.legal_deadline is not null as has_deadline
       from cases c where c.id = $1`,
    [caseId],
  );
  return JSON.stringify(rows[0] ?? null);
}

// ---- Load ----

interface FlowSample extends Sample {
  flows: number;
  /** CPU milliseconds used meanwhile by this process and by the database's client backends. */
  cpuMs: { node: number; postgres: number | null };
  /** CPU milliseconds the whole machine used meanwhile (busy, all cores), and its capacity. */
  machineMs: { busy: number; capacity: number } | null;
}

/** Runs `load`, measuring the CPU this process and the database backends used meanwhile. */
async function measured(monitor: pg.Client, load: () => Promise<Omit<FlowSample, 'cpuMs' | 'machineMs'>>) {
  const before = await backendTicks(monitor);
  const machineBefore = machineTicks();
  const cpu = process.cpuUsage();
  const sample = await load();
  const used = process.cpuUsage(cpu);
  const machineAfter = machineTicks();
  const after = await backendTicks(monitor);
  let postgres: number | null = null;
  if (before && after) {
    // A backend that started during the run began at 0; idle ones left before it ended used nothing.
    postgres = [...after].reduce((sum, [pid, t]) => sum + (t - (before.get(pid) ?? 0)) * TICK_MS, 0);
  }
  const machineMs =
    machineBefore && machineAfter
      ? {
          busy: (machineAfter.busy - machineBefore.busy) * TICK_MS,
          capacity: (machineAfter.total - machineBefore.total) * TICK_MS,
        }
      : null;
  return { ...sample, cpuMs: { node: (used.user + used.system) / 1000, postgres }, machineMs };
}

/**
 * `concurrency` loops each running whole flows one after the other for `durationS`: a flow
 * under way at the deadline is finished, so no case is left half-way. A failing flow is
 * counted as an error and abandoned.
 */
async function flowLoad(
  concurrency: number,
  durationS: number,
  flow: (onStep: (ms: number) => void) => Promise<unknown>,
  log: (line: string) => void,
): Promise<Omit<FlowSample, 'cpuMs' | 'machineMs'>> {
  const latencies: number[] = [];
  let errors = 0;
  let flows = 0;
  const started = performance.now();
  const deadline = started + durationS * 1000;
  const loop = async () => {
    while (performance.now() < deadline) {
      try {
        await flow((ms) => latencies.push(ms));
        flows++;
      } catch (error) {
        if (errors++ === 0) log(`  first error: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  return { latenciesMs: latencies, elapsedS: (performance.now() - started) / 1000, errors, non2xx: 0, flows };
}

const round2 = (n: number) => Math.round(n * 100) / 100;

function flowResult(samples: FlowSample[]): FlowResult {
  const result = summarize(samples);
  const elapsedS = samples.reduce((sum, s) => sum + s.elapsedS, 0);
  const flows = samples.reduce((sum, s) => sum + s.flows, 0);
  const perTransition = (ms: number) => (result.requests > 0 ? round2(ms / result.requests) : 0);
  const postgres = samples.every((s) => s.cpuMs.postgres !== null)
    ? perTransition(samples.reduce((sum, s) => sum + s.cpuMs.postgres!, 0))
    : null;
  return {
    ...result,
    transitionsPerSec: result.reqPerSec,
    flowsPerSec: Math.round((flows / elapsedS) * 10) / 10,
    flows,
    cpuMsPerTransition: { node: perTransition(samples.reduce((sum, s) => sum + s.cpuMs.node, 0)), postgres },
    otherCpuShare: otherShare(samples),
  };
}

/** What other processes used of the machine: busy time minus this process and the backends. */
function otherShare(samples: FlowSample[]): number | null {
  if (samples.some((s) => s.machineMs === null || s.cpuMs.postgres === null)) return null;
  const sum = (f: (s: FlowSample) => number) => samples.reduce((total, s) => total + f(s), 0);
  const capacity = sum((s) => s.machineMs!.capacity);
  const other = sum((s) => s.machineMs!.busy - s.cpuMs.node - s.cpuMs.postgres!);
  return capacity > 0 ? Math.max(0, Math.round((other / capacity) * 100) / 100) : null;
}

// ---- The case ----

/** Creates a fresh database, seeds it (small scale) and publishes the parallel item. */
async function prepare(options: CaseflowOptions): Promise<string> {
  await recreateDatabase(options.server, CASEFLOW_DATABASE, { create: true });
  return `${options.server}/${CASEFLOW_DATABASE}`;
}

export async function runCaseflow(options: CaseflowOptions): Promise<CaseflowReport> {
  const { log, concurrency, durationS, rounds, warmUpS, poolSize } = options;
  const url = await prepare(options);
  let db: Database | undefined;
  let pool: pg.Pool | undefined;
  let monitor: pg.Client | undefined;
  try {
    db = await options.open(url);
    log(`caseflow: seeding ${CASEFLOW_DATABASE} at small scale (dropped at the end) ...`);
    await seed(db, 'small', (line) => log(`  ${line}`));
    const staff = benchStaff(await publishParallelItem(db));
    await db.exec('vacuum analyze');
    pool = new pg.Pool({ connectionString: url, max: poolSize });
    pool.on('error', () => {});
    const service = db;
    const bare = pool;

    // Two flows through a recording database: the SQL of every step, and what varies between flows.
    const { db: recordingDb, take } = recorder(service);
    const first = await serviceFlow(recordingDb, staff, () => {});
    const a = take();
    await serviceFlow(recordingDb, staff, () => {});
    const b = take();
    if (a.length !== TRANSITIONS_PER_FLOW) throw new Error(`recorded ${a.length} transactions, expected 7`);
    const template = buildTemplate(a, b, log);
    const statementsPerStep = Object.fromEntries(a.map((tx, i) => [STEP_NAMES[i]!, tx.length]));
    log(`caseflow: statements per step ${JSON.stringify(statementsPerStep)}`);

    // The replay must leave a case exactly as the service does.
    const tokens = await replayFlow(bare, template, () => {});
    const caseToken = template.tokens.findIndex(
      (t) =>
        t.kind === 'cell' && a.flat()[t.cell.statement]!.text.trimStart().startsWith('insert into cases'),
    );
    const [ours, theirs] = [await caseState(bare, first.caseId), await caseState(bare, tokens[caseToken]!)];
    if (ours !== theirs)
      throw new Error(`the replay leaves a case unlike the service's: ${ours} vs ${theirs}`);
    log(`caseflow: replay checked, a case ends as ${ours}`);

    monitor = new pg.Client({ connectionString: url });
    await monitor.connect();
    const watch = monitor;
    const sides = {
      tongban: (d: number) =>
        measured(watch, () => flowLoad(concurrency, d, (onStep) => serviceFlow(service, staff, onStep), log)),
      baseline: (d: number) =>
        measured(watch, () => flowLoad(concurrency, d, (onStep) => replayFlow(bare, template, onStep), log)),
    };
    log(
      `caseflow: ${concurrency} concurrent flows, pool ${poolSize}; warm-up ${warmUpS} s each, ` +
        `then ${rounds} alternating rounds, ${durationS} s each in all`,
    );
    await sides.tongban(warmUpS);
    await sides.baseline(warmUpS);
    const samples: { tongban: FlowSample[]; baseline: FlowSample[] } = { tongban: [], baseline: [] };
    for (let i = 0; i < rounds; i++) {
      const order = i % 2 === 0 ? (['tongban', 'baseline'] as const) : (['baseline', 'tongban'] as const);
      for (const side of order) samples[side].push(await sides[side](durationS / rounds));
    }
    const tongban = flowResult(samples.tongban);
    const baseline = flowResult(samples.baseline);
    const describe = (r: FlowResult) =>
      `${r.flowsPerSec} flows/s, ${r.transitionsPerSec} transitions/s, step p50 ${r.p50} ms, p95 ${r.p95} ms, ` +
      `CPU ms per transition: node ${r.cpuMsPerTransition.node}, PostgreSQL ${r.cpuMsPerTransition.postgres ?? '?'}; ` +
      `other processes ${r.otherCpuShare === null ? '?' : `${Math.round(r.otherCpuShare * 100)} %`} of the CPUs` +
      (r.errors ? `, ${r.errors} errors` : '');
    log(`  Tongban: ${describe(tongban)}\n  baseline: ${describe(baseline)}`);
    const postgres = (await bare.query<{ version: string }>('select version()')).rows[0]!.version;
    return {
      tongban,
      baseline,
      ratio:
        baseline.transitionsPerSec > 0
          ? Math.round((tongban.transitionsPerSec / baseline.transitionsPerSec) * 1000) / 1000
          : 0,
      concurrency,
      poolSize,
      statementsPerStep,
      postgres,
    };
  } finally {
    await monitor?.end();
    await pool?.end();
    await db?.close();
    await recreateDatabase(options.server, CASEFLOW_DATABASE, { create: false });
  }
}
