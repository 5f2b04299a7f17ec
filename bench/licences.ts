/**
 * The e-licence benchmark (`npm run bench -- --only licences`, issue 5 item 8): batched
 * issuance through the licences service (identifier, seal signature, encrypted row and the
 * transparency-log append in one transaction) with Ed25519 and with SM2/SM3, and inclusion
 * proofs from the log's Merkle tree, each beside what the same cryptography costs alone
 * through node:crypto in the same run (see bench/README.md).
 */
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  hash,
  sign,
  type KeyObject,
} from 'node:crypto';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import type { Config } from '../src/kernel/config.ts';
import type { Database, Executor } from '../src/kernel/db.ts';
import { createRng, generateUscc, type Rng } from '../src/kernel/identifiers/index.ts';
import { createApp } from '../src/main.ts';
import { seedDemoDirectory } from '../src/modules/directory/index.ts';
import { canonicalJson } from '../src/modules/licenses/canonical.ts';
import {
  issueLicences,
  type IssueInput,
  type IssuedLicence,
  type LicensesDeps,
} from '../src/modules/licenses/index.ts';
import { TransparencyLog } from '../src/modules/licenses/log.ts';
import { verifyInclusion } from '../src/modules/licenses/merkle.ts';
import { importPublicKey, verifyBytes, type SignatureAlgorithm } from '../src/modules/licenses/signing.ts';
import { summarize } from './load.ts';
import { cpuMeter, type CpuUsed } from './cpu.ts';
import { recreateDatabase } from './databases.ts';

export const LICENCES_DATABASE = 'tongban_bench_licences';

const ALGORITHMS: readonly SignatureAlgorithm[] = ['ed25519', 'sm2-sm3'];
const LICENCE_TYPE = '营业执照';
/** Licences per issueLicences call, and concurrent callers: a batch import, or a busy issuing queue. */
const BATCH_SIZE = 200;
const CALLERS = 3;
/** Seconds per algorithm: issuance and its raw baseline, each in two rounds (A B, B A). */
const ISSUE_S = 6;
const RAW_SIGN_S = 2;
/** Proofs: rounds of the four measurements in rotating order, seconds each per round. */
const PROOF_ROUNDS = 4;
const PROOF_ROUND_S = 0.5;
/** Random leaf indexes drawn once; proofs cycle through them. */
const PROOF_INDEXES = 4096;

export interface LicencesOptions {
  /** PostgreSQL server without a database name, e.g. postgres://postgres@127.0.0.1:5432 */
  server: string;
  /** Tongban's configuration for a database, as the other cases run it. */
  config: (databaseUrl: string) => Config;
  /** Opens a database as Tongban does (migrated, Tongban's pool size). */
  open: (databaseUrl: string) => Promise<Database>;
  log: (line: string) => void;
}

export interface IssuanceResult {
  /** Licences issued (validated, signed, encrypted, stored and logged; committed) per second, all callers. */
  licencesPerSec: number;
  licences: number;
  batches: number;
  /** Latency of one issueLicences call of BATCH_SIZE licences, milliseconds. */
  batchP50Ms: number;
  batchP95Ms: number;
  errors: number;
  /**
   * CPU milliseconds per licence: this process (the service, node:crypto, the pg driver) and
   * the PostgreSQL backends of the database (null when the server runs on another host).
   */
  cpuMsPerLicence: { node: number; postgres: number | null };
  /** Share of the machine's CPU time that other processes used meanwhile (0 to 1; null when unknown). */
  otherCpuShare: number | null;
  /** node:crypto alone, one thread: sign a licence's canonical JSON and SHA-256 its log leaf, per second. */
  rawSignsPerSec: number;
  /** CPU milliseconds of one such raw signature and hash: compare with cpuMsPerLicence.node. */
  rawCpuMsPerSign: number;
  /** licencesPerSec ÷ rawSignsPerSec. */
  ratio: number;
}

export interface ProofsResult {
  /** Entries in the log (the seal keys and every licence of this run) when the proofs ran. */
  logSize: number;
  /** Mean hashes per inclusion proof at that size. */
  meanProofLength: number;
  /** MerkleTree.inclusionProof: the in-memory tree alone. */
  treePerSec: number;
  /** TransparencyLog.inclusionProof: what the proof endpoint calls (hashes as base64). */
  logPerSec: number;
  /** verifyInclusion of those proofs against the signed checkpoint's root. */
  verifyPerSec: number;
  /** node:crypto alone: ceil(log2(logSize)) SHA-256 of a 65-byte node (0x01 || left || right) per proof. */
  rawHashProofsPerSec: number;
  /** Each of the three over rawHashProofsPerSec. */
  ratio: { tree: number; log: number; verify: number };
}

export interface LicencesReport {
  organisation: { id: number; name: string };
  batchSize: number;
  callers: number;
  poolSize: number;
  /** SQL statements one issueLicences call of batchSize licences sends (BEGIN and COMMIT not counted). */
  statementsPerBatch: number;
  issuance: Record<SignatureAlgorithm, IssuanceResult>;
  proofs: ProofsResult;
  postgres: string;
}

// ---- Workload ----

const SCOPES = ['食品销售；餐饮服务', '技术开发、技术咨询、技术服务', '日用百货、服装鞋帽零售', '货物进出口'];

/** A 营业执照 for an enterprise with a valid credit code (企业, market regulation); numbered names. */
function businessLicence(
  rng: Rng,
  organisationId: number,
  n: number,
  algorithm: SignatureAlgorithm,
): IssueInput {
  const uscc = generateUscc(rng, { authority: '9', category: '1' });
  const name = `示例市${n}号商贸有限公司`;
  return {
    type: LICENCE_TYPE,
    organisationId,
    holder: { kind: 'enterprise', name, identifier: uscc },
    face: {
      name,
      creditCode: uscc,
      legalRepresentative: '张三',
      businessScope: SCOPES[n % SCOPES.length]!,
      address: `示例市长安区人民路${(n % 999) + 1}号`,
    },
    algorithm,
  };
}

// ---- Timing ----

const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;
const ratioOf = (a: number, b: number) => (b > 0 ? Math.round((a / b) * 1000) / 1000 : 0);
const mean = (values: number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;

/** Calls `op` in a tight loop on this thread for `seconds`; returns operations per second. */
function syncRate(seconds: number, op: (i: number) => unknown): number {
  let ops = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  let now = started;
  while (now < deadline) {
    for (let k = 0; k < 32; k++) op(ops++);
    now = performance.now();
  }
  return ops / ((now - started) / 1000);
}

/** The same for an async `op`, awaited one after the other. */
async function asyncRate(seconds: number, op: (i: number) => Promise<unknown>): Promise<number> {
  let ops = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  let now = started;
  while (now < deadline) {
    for (let k = 0; k < 32; k++) await op(ops++);
    now = performance.now();
  }
  return ops / ((now - started) / 1000);
}

// ---- CPU accounting (as caseflow.ts does it): this process, the database's backends, the machine ----

// ---- Issuance ----

interface IssueSample {
  licences: number;
  batchLatenciesMs: number[];
  elapsedS: number;
  errors: number;
  cpu: CpuUsed;
  /** The last batch issued, for the checks and the baseline's bytes. */
  last: IssuedLicence[];
}

/**
 * CALLERS loops, each issuing a batch after the other for `seconds`; a batch under way at
 * the deadline is finished and counted (the time runs until it commits).
 */
async function issueLoad(
  deps: LicensesDeps,
  monitor: pg.Client,
  seconds: number,
  next: () => IssueInput[],
  log: (line: string) => void,
): Promise<IssueSample> {
  let licences = 0;
  let errors = 0;
  let last: IssuedLicence[] = [];
  const batchLatenciesMs: number[] = [];
  const cpu = await cpuMeter(monitor);
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const caller = async () => {
    while (performance.now() < deadline) {
      const batch = next();
      const t = performance.now();
      try {
        last = await issueLicences(deps, batch, 'system:bench');
        batchLatenciesMs.push(performance.now() - t);
        licences += last.length;
      } catch (error) {
        if (errors++ === 0) log(`  first error: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  };
  await Promise.all(Array.from({ length: CALLERS }, caller));
  const elapsedS = (performance.now() - started) / 1000;
  return { licences, batchLatenciesMs, elapsedS, errors, cpu: await cpu(), last };
}

/** Issued licences must hold: the seal signature over their canonical data, their licence.issued entry. */
async function checkIssued(
  deps: LicensesDeps,
  licences: IssuedLicence[],
): Promise<{ data: Buffer; leaf: Buffer }[]> {
  const [key] = await deps.db.query<{ algorithm: SignatureAlgorithm; public_key: string }>(
    `select algorithm, public_key from seal_key where key_id = $1`,
    [licences[0]!.signature.keyId],
  );
  const publicKey = importPublicKey(key!.algorithm, key!.public_key);
  const entries = await deps.log.entries(
    deps.db,
    licences.map((l) => l.logIndex),
  );
  return licences.map((licence) => {
    const data = Buffer.from(canonicalJson(licence.data), 'utf8');
    if (
      !verifyBytes(
        licence.signature.algorithm,
        publicKey,
        data,
        Buffer.from(licence.signature.value, 'base64'),
      )
    )
      throw new Error(`licence ${licence.id}: the seal signature does not verify`);
    const entry = entries.get(licence.logIndex);
    if (entry?.kind !== 'licence.issued' || entry.licenceId !== licence.id)
      throw new Error(`licence ${licence.id}: log entry ${licence.logIndex} is not its issuance`);
    return { data, leaf: Buffer.from(canonicalJson(entry), 'utf8') };
  });
}

/** A private key of node:crypto alone; an SM2 key goes through PKCS#8 so that OpenSSL signs SM2, not ECDSA. */
function rawKey(algorithm: SignatureAlgorithm): KeyObject {
  if (algorithm === 'ed25519') return generateKeyPairSync('ed25519').privateKey;
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'SM2' });
  return createPrivateKey({
    key: privateKey.export({ type: 'pkcs8', format: 'der' }),
    format: 'der',
    type: 'pkcs8',
  });
}

/** What a licence costs in cryptography alone: sign its canonical data, hash its log leaf. */
function rawSigning(algorithm: SignatureAlgorithm, samples: { data: Buffer; leaf: Buffer }[]) {
  const key = rawKey(algorithm);
  const digest = algorithm === 'ed25519' ? null : 'sm3';
  // The leaf as hashed (0x00 || entry), built once: the baseline hashes, it does not copy.
  const leaves = samples.map((s) => Buffer.concat([Buffer.from([0]), s.leaf]));
  const spki = createPublicKey(key).export({ type: 'spki', format: 'der' }).toString('base64');
  const probe = sign(digest, samples[0]!.data, key);
  if (!verifyBytes(algorithm, importPublicKey(algorithm, spki), samples[0]!.data, probe))
    throw new Error(`the raw ${algorithm} baseline does not make ${algorithm} signatures`);
  return (i: number) => {
    const k = i % samples.length;
    sign(digest, samples[k]!.data, key);
    hash('sha256', leaves[k]!, 'buffer');
  };
}

async function measureIssuance(
  deps: LicensesDeps,
  monitor: pg.Client,
  next: () => IssueInput[],
  algorithm: SignatureAlgorithm,
  log: (line: string) => void,
): Promise<IssuanceResult> {
  // Warm-up: the seal key of this algorithm is made on first use, statements get prepared.
  const warm = await issueLoad(deps, monitor, 1, next, log);
  if (warm.errors > 0 || warm.last.length === 0) throw new Error(`${algorithm}: issuance fails`);
  const raw = rawSigning(algorithm, await checkIssued(deps, warm.last));
  syncRate(0.3, raw);

  const samples: IssueSample[] = [];
  const rates: number[] = [];
  let rawCpuMs = 0;
  let rawOps = 0;
  const rawRound = () => {
    const cpu = process.cpuUsage();
    const started = performance.now();
    const rate = syncRate(RAW_SIGN_S / 2, raw);
    const used = process.cpuUsage(cpu);
    rawCpuMs += (used.user + used.system) / 1000;
    rawOps += (rate * (performance.now() - started)) / 1000;
    rates.push(rate);
  };
  // Two rounds, issuance then raw and raw then issuance, so that drifting load weighs on both.
  samples.push(await issueLoad(deps, monitor, ISSUE_S / 2, next, log));
  rawRound();
  rawRound();
  samples.push(await issueLoad(deps, monitor, ISSUE_S / 2, next, log));
  for (const sample of samples) if (sample.last.length > 0) await checkIssued(deps, sample.last);

  const sum = (f: (s: IssueSample) => number) => samples.reduce((total, s) => total + f(s), 0);
  const licences = sum((s) => s.licences);
  const batches = summarize(
    samples.map((s) => ({
      latenciesMs: s.batchLatenciesMs,
      elapsedS: s.elapsedS,
      errors: s.errors,
      non2xx: 0,
    })),
  );
  const perLicence = (ms: number) => (licences > 0 ? round(ms / licences, 3) : 0);
  const known = samples.every((s) => s.cpu.postgres !== null && s.cpu.machine !== null);
  const capacity = sum((s) => s.cpu.machine?.capacity ?? 0);
  const other = sum((s) => (s.cpu.machine?.busy ?? 0) - s.cpu.node - (s.cpu.postgres ?? 0));
  const licencesPerSec = round(licences / sum((s) => s.elapsedS));
  const rawSignsPerSec = round(mean(rates));
  const result: IssuanceResult = {
    licencesPerSec,
    licences,
    batches: batches.requests,
    batchP50Ms: batches.p50,
    batchP95Ms: batches.p95,
    errors: batches.errors,
    cpuMsPerLicence: {
      node: perLicence(sum((s) => s.cpu.node)),
      postgres: samples.every((s) => s.cpu.postgres !== null)
        ? perLicence(sum((s) => s.cpu.postgres!))
        : null,
    },
    otherCpuShare: known && capacity > 0 ? Math.max(0, round(other / capacity, 2)) : null,
    rawSignsPerSec,
    rawCpuMsPerSign: rawOps > 0 ? round(rawCpuMs / rawOps, 3) : 0,
    ratio: ratioOf(licencesPerSec, rawSignsPerSec),
  };
  const { node, postgres } = result.cpuMsPerLicence;
  log(
    `  ${algorithm}: ${licencesPerSec} licences/s (${licences} in ${batches.requests} batches, ` +
      `batch p50 ${result.batchP50Ms} ms, p95 ${result.batchP95Ms} ms; CPU ms per licence: node ${node}, ` +
      `PostgreSQL ${postgres ?? '?'}; other processes ${result.otherCpuShare === null ? '?' : `${Math.round(result.otherCpuShare * 100)} %`} of the CPUs` +
      `${result.errors ? `; ${result.errors} errors` : ''}); raw sign + leaf hash ${rawSignsPerSec}/s ` +
      `(${result.rawCpuMsPerSign} CPU ms each); ratio ${result.ratio}`,
  );
  return result;
}

/** Statements one issueLicences call sends, counted through a database that counts them. */
async function countStatements(deps: LicensesDeps, batch: IssueInput[]): Promise<number> {
  let statements = 0;
  const counted = (q: Executor): Executor => ({
    exec: (script) => q.exec(script),
    query: (text, params, options) => {
      statements++;
      return q.query(text, params, options);
    },
  });
  const db: Database = {
    ...deps.db,
    ...counted(deps.db),
    transaction: (fn) => deps.db.transaction((tx) => fn(counted(tx))),
  };
  await issueLicences({ ...deps, db }, batch, 'system:bench');
  return statements;
}

// ---- Proofs ----

async function measureProofs(deps: LicensesDeps, log: (line: string) => void): Promise<ProofsResult> {
  const size = await deps.log.sync(deps.db);
  const checkpoint = await deps.log.checkpoint(deps.db);
  if (checkpoint.treeSize !== size)
    throw new Error(`the checkpoint covers ${checkpoint.treeSize} entries, the tree holds ${size}`);
  const tree = deps.log.tree;
  const root = Buffer.from(checkpoint.rootHash, 'base64');

  const rng = createRng(36904);
  const indexes = Array.from({ length: PROOF_INDEXES }, () => Math.floor(rng() * size));
  // Proofs from the endpoint's path must hold against the signed checkpoint for the stored entries.
  const entries = await deps.log.entries(deps.db, indexes.slice(0, 200));
  for (const [index, entry] of entries) {
    const proof = await deps.log.inclusionProof(deps.db, index, size);
    if (!TransparencyLog.proofHolds(entry, proof, checkpoint))
      throw new Error(`the inclusion proof of entry ${index} does not hold against the checkpoint`);
  }
  // What a verifier holds: the leaf hash, the proof and the checkpoint's root.
  const proofs = indexes.map((index) => ({
    index,
    leaf: tree.leaf(index),
    path: tree.inclusionProof(index, size),
  }));
  const meanProofLength = round(mean(proofs.map((p) => p.path.length)), 2);
  const depth = Math.ceil(Math.log2(size));
  const node = Buffer.alloc(65, 7);
  node[0] = 1;
  let failed = 0;
  const measures = {
    tree: (seconds: number) =>
      syncRate(seconds, (i) => tree.inclusionProof(indexes[i % PROOF_INDEXES]!, size)),
    log: (seconds: number) =>
      asyncRate(seconds, (i) => deps.log.inclusionProof(deps.db, indexes[i % PROOF_INDEXES]!, size)),
    verify: (seconds: number) =>
      syncRate(seconds, (i) => {
        const p = proofs[i % PROOF_INDEXES]!;
        if (!verifyInclusion(p.leaf, p.index, size, p.path, root)) failed++;
      }),
    raw: (seconds: number) =>
      syncRate(seconds, () => {
        for (let d = 0; d < depth; d++) hash('sha256', node, 'buffer');
      }),
  };
  const names = Object.keys(measures) as (keyof typeof measures)[];
  const rates = Object.fromEntries(names.map((name) => [name, [] as number[]])) as Record<
    keyof typeof measures,
    number[]
  >;
  for (const name of names) await measures[name](0.2);
  // Rotating order per round, so that drifting load on the machine weighs on all four.
  for (let r = 0; r < PROOF_ROUNDS; r++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(r + k) % names.length]!;
      rates[name].push(await measures[name](PROOF_ROUND_S));
    }
  }
  if (failed > 0) throw new Error(`${failed} inclusion proofs did not verify`);
  const [treePerSec, logPerSec, verifyPerSec, rawHashProofsPerSec] = names.map((name) =>
    round(mean(rates[name])),
  ) as [number, number, number, number];
  const result: ProofsResult = {
    logSize: size,
    meanProofLength,
    treePerSec,
    logPerSec,
    verifyPerSec,
    rawHashProofsPerSec,
    ratio: {
      tree: ratioOf(treePerSec, rawHashProofsPerSec),
      log: ratioOf(logPerSec, rawHashProofsPerSec),
      verify: ratioOf(verifyPerSec, rawHashProofsPerSec),
    },
  };
  log(
    `  proofs at size ${size} (${meanProofLength} hashes each): tree ${treePerSec}/s, log ${logPerSec}/s, ` +
      `verify ${verifyPerSec}/s; raw ${depth} node hashes ${rawHashProofsPerSec}/s; ` +
      `ratios ${result.ratio.tree} / ${result.ratio.log} / ${result.ratio.verify}`,
  );
  return result;
}

// ---- The case ----

/**
 * Issues licences for ISSUE_S seconds per algorithm and measures proofs, in a database of
 * its own (created with the demo directory, dropped at the end), through an in-process
 * Tongban app's `app.licenses`.
 */
export async function runLicences(options: LicencesOptions): Promise<LicencesReport> {
  const { log } = options;
  const started = performance.now();
  await recreateDatabase(options.server, LICENCES_DATABASE, { create: true });
  const url = `${options.server}/${LICENCES_DATABASE}`;
  const config = options.config(url);
  let db: Database | undefined;
  let app: Awaited<ReturnType<typeof createApp>> | undefined;
  let monitor: pg.Client | undefined;
  try {
    db = await options.open(url);
    log(`licences: ${LICENCES_DATABASE} with the demo directory at small scale (dropped at the end) ...`);
    await seedDemoDirectory(db, { scale: 'small' });
    await db.exec('vacuum analyze');
    app = await createApp({ ...config, logLevel: 'silent' }, db);
    await app.ready();
    const deps = app.licenses;
    monitor = new pg.Client({ connectionString: url });
    await monitor.connect();
    const [organisation] = await db.query<{ id: number; name: string }>(
      `select id, name from organisation where name like '%市场监督管理局' order by id limit 1`,
    );
    if (!organisation) throw new Error('no 市场监督管理局 in the demo directory');
    const organisationId = Number(organisation.id);
    const rng = createRng(2026);
    let n = 0;
    const batchOf = (algorithm: SignatureAlgorithm) => () =>
      Array.from({ length: BATCH_SIZE }, () => businessLicence(rng, organisationId, n++, algorithm));
    // The first batch makes the organisation's seal; the second is what every later batch sends.
    await countStatements(deps, batchOf('ed25519')());
    const statementsPerBatch = await countStatements(deps, batchOf('ed25519')());
    log(
      `licences: ${LICENCE_TYPE} by ${organisation.name}, batches of ${BATCH_SIZE} (${statementsPerBatch} statements each) ` +
        `from ${CALLERS} callers, pool ${config.dbPoolSize}; per algorithm ${ISSUE_S} s of issuance beside ${RAW_SIGN_S} s of raw signing`,
    );
    const issuance = {} as Record<SignatureAlgorithm, IssuanceResult>;
    for (const algorithm of ALGORITHMS)
      issuance[algorithm] = await measureIssuance(deps, monitor, batchOf(algorithm), algorithm, log);
    const proofs = await measureProofs(deps, log);
    const [{ version }] = (await db.query<{ version: string }>('select version()')) as [{ version: string }];
    log(`licences: done in ${round((performance.now() - started) / 1000)} s`);
    return {
      organisation: { id: organisationId, name: organisation.name },
      batchSize: BATCH_SIZE,
      callers: CALLERS,
      poolSize: config.dbPoolSize,
      statementsPerBatch,
      issuance,
      proofs,
      postgres: version,
    };
  } finally {
    await monitor?.end();
    await app?.close();
    await db?.close();
    await recreateDatabase(options.server, LICENCES_DATABASE, { create: false });
  }
}
