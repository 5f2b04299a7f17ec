/**
 * Offline verification of a licence file (the bundle attached to the licence PDF as
 * licence.json) against the log's public key and, optionally, other checkpoints of the log.
 * Pure and deterministic given its inputs: no database, no network, no clock unless `now` is
 * left out. Whatever the input, {@link verifyBundle} returns a verdict and never throws.
 *
 * What it proves: the seal key was published in the log before the licence; the seal signed
 * exactly this data; the issuance was logged within the allowed delay after signing and not
 * after a checkpoint that predates it; the log key signed a tree containing all of that; and
 * the status entries in the file are in that tree. What it cannot prove offline: status
 * changes logged after the file was made (the QR verification page is the live answer).
 */
import type { KeyObject } from 'node:crypto';
import { inflateSync } from 'node:zlib';
import { PDFArray, PDFDict, PDFDocument, PDFName, PDFRawStream, PDFString, PDFHexString } from 'pdf-lib';
// china-time.ts itself, not the calendar's index: the offline verifier must not load the platform.
import { chinaDateOf, parseDate } from '../../kernel/calendar/china-time.ts';
import { checkLicenceId } from '../../kernel/identifiers/licence-id.ts';
import { checkpointShapeProblem, isIsoInstant, verifyCheckpoint } from './checkpoint.ts';
import {
  BUNDLE_FORMAT,
  type Checkpoint,
  type InclusionProof,
  LICENCE_FORMAT,
  LICENCE_ATTACHMENT,
  type LicenceBundle,
  licenceDataBytes,
  licenceDataHash,
  type LicenceIssuedEntry,
  type LicenceStatusEntry,
  type LicenceStatusEntryKind,
  type LogEntry,
  logEntryHash,
  type SealKeyAddedEntry,
} from './formats.ts';
import { HASH_SIZE, verifyConsistency, verifyInclusion } from './merkle.ts';
import {
  decodeBase64Strict,
  exportPublicKey,
  importPublicKey,
  isSignatureAlgorithm,
  keyIdOf,
  verifyBytes,
} from './signing.ts';

export type LicenceStatus =
  'valid' | 'not_yet_valid' | 'expired' | 'suspended' | 'revoked' | 'superseded' | 'invalid';

export type BundleCheckName =
  | 'shape'
  | 'identifier'
  | 'checkpoint'
  | 'sealKey'
  | 'signature'
  | 'issuance'
  | 'timing'
  | 'consistency'
  | 'status';

export interface VerificationCheck {
  name: BundleCheckName;
  ok: boolean;
  /** What was found, in English. */
  detail: string;
}

export interface BundleVerification {
  /** Every check passed and the licence is valid now. */
  ok: boolean;
  /** 'invalid' when any check failed; otherwise the licence's status at `now`. */
  status: LicenceStatus;
  checks: VerificationCheck[];
  licenceId?: string;
  /** The issuance entry's position in the log. */
  leafIndex?: number;
}

/** A consistency proof as `GET /api/v1/licence-log/consistency?from=&to=` returns it. */
export interface ConsistencyProofFile {
  oldSize: number;
  newSize: number;
  /** base64 */
  hashes: string[];
}

export interface BundleVerificationOptions {
  /** The log's public key (its checkpoints are signed with it). */
  logKey: KeyObject;
  /** Other checkpoints of the log the verifier holds (from earlier verifications, a witness ...). */
  checkpoints?: Checkpoint[];
  /** A proof that `to` extends `from`; typically from the bundle's checkpoint to a newer one. */
  consistency?: { from: Checkpoint; to: Checkpoint; proof: string[] | ConsistencyProofFile };
  /** Default: the current time. */
  now?: Date;
  /** The longest accepted time between sealing and logging. Default: one hour. */
  maxSequencingDelayMs?: number;
}

const DEFAULT_MAX_SEQUENCING_DELAY_MS = 3_600_000;
/** Enough for a log of 2^64 entries; longer arrays are garbage. */
const MAX_PROOF_LENGTH = 64;

/**
 * The licence lifecycle as data: for each status, the log entries that change it and to what.
 * Entries not listed for a status leave it as it is (a reinstatement of a valid licence, a
 * suspension of a revoked one). Revocation applies even after expiry or replacement, because
 * a licence found fraudulent must read as revoked, not merely expired.
 */
const LICENCE_TRANSITIONS = {
  valid: {
    'licence.suspended': 'suspended',
    'licence.revoked': 'revoked',
    'licence.expired': 'expired',
    'licence.superseded': 'superseded',
  },
  suspended: {
    'licence.reinstated': 'valid',
    'licence.revoked': 'revoked',
    'licence.expired': 'expired',
    'licence.superseded': 'superseded',
  },
  expired: { 'licence.revoked': 'revoked' },
  superseded: { 'licence.revoked': 'revoked' },
  revoked: {},
} as const satisfies Record<
  'valid' | 'suspended' | 'expired' | 'superseded' | 'revoked',
  Partial<Record<LicenceStatusEntryKind, LicenceStatus>>
>;
type LoggedStatus = keyof typeof LICENCE_TRANSITIONS;

// ---------------------------------------------------------------------------------------------
// Shape: validated by hand, field by field, so that garbage gives a sentence and never a throw.

type Rule = (value: unknown, path: string) => string | null;

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const string: Rule = (v, path) => (typeof v === 'string' ? null : `${path} must be a string`);
const nonEmpty: Rule = (v, path) =>
  typeof v === 'string' && v.trim() !== '' ? null : `${path} must be a non-empty string`;
const literal =
  (...allowed: string[]): Rule =>
  (v, path) =>
    typeof v === 'string' && allowed.includes(v) ? null : `${path} must be ${allowed.join(' or ')}`;
const nullable =
  (rule: Rule): Rule =>
  (v, path) =>
    v === null ? null : rule(v, path);
const instant: Rule = (v, path) =>
  isIsoInstant(v) ? null : `${path} must be an ISO 8601 instant in UTC (…Z)`;
const calendarDate: Rule = (v, path) =>
  typeof v === 'string' && parseDate(v) !== undefined ? null : `${path} must be a date YYYY-MM-DD`;
const keyId: Rule = (v, path) =>
  typeof v === 'string' && /^[0-9a-f]{16}$/.test(v) ? null : `${path} must be 16 lower-case hex digits`;
const algorithm: Rule = (v, path) => (isSignatureAlgorithm(v) ? null : `${path} must be ed25519 or sm2-sm3`);
const base64: Rule = (v, path) =>
  typeof v === 'string' && decodeBase64Strict(v)?.length ? null : `${path} must be non-empty base64`;
const hashB64: Rule = (v, path) =>
  typeof v === 'string' && decodeBase64Strict(v)?.length === HASH_SIZE
    ? null
    : `${path} must be a ${HASH_SIZE}-byte hash in base64`;
const index: Rule = (v, path) =>
  Number.isSafeInteger(v) && (v as number) >= 0 ? null : `${path} must be a non-negative integer`;

/** An object with exactly these fields when `exact` (signed or hashed content), at least these otherwise. */
const object =
  (fields: Record<string, Rule>, exact: boolean): Rule =>
  (v, path) => {
    if (!isPlainObject(v)) return `${path} must be an object`;
    for (const [field, rule] of Object.entries(fields)) {
      if (!(field in v)) return `${path}.${field} is missing`;
      const problem = rule(v[field], `${path}.${field}`);
      if (problem) return problem;
    }
    if (exact) {
      const extra = Object.keys(v).find((field) => !(field in fields));
      // Signed and hashed objects must hold only fields whose meaning the verifier knows.
      if (extra !== undefined) return `${path}.${extra} is not a field of this format`;
    }
    return null;
  };

const stringRecord: Rule = (v, path) => {
  if (!isPlainObject(v)) return `${path} must be an object`;
  const bad = Object.keys(v).find((key) => typeof v[key] !== 'string');
  return bad === undefined ? null : `${path}.${bad} must be a string`;
};

const licenceRule = object(
  {
    format: literal(LICENCE_FORMAT),
    id: nonEmpty,
    licenceType: object({ code: nonEmpty, name: nonEmpty }, true),
    issuer: object({ uscc: nonEmpty, name: nonEmpty }, true),
    holder: object({ kind: literal('person', 'enterprise'), name: nonEmpty, identifier: nonEmpty }, true),
    face: stringRecord,
    issueDate: calendarDate,
    validFrom: calendarDate,
    validUntil: nullable(calendarDate),
    signedAt: instant,
    supersedes: nullable(nonEmpty),
  },
  true,
);

const STATUS_KINDS: readonly LicenceStatusEntryKind[] = [
  'licence.suspended',
  'licence.reinstated',
  'licence.revoked',
  'licence.expired',
  'licence.superseded',
];

const entryRules: Record<LogEntry['kind'], Rule> = {
  'seal.key.added': object(
    {
      kind: literal('seal.key.added'),
      loggedAt: instant,
      keyId,
      algorithm,
      publicKey: base64,
      sealCode: nonEmpty,
      organisationUscc: nonEmpty,
      organisationName: nonEmpty,
    },
    true,
  ),
  'seal.key.revoked': object(
    { kind: literal('seal.key.revoked'), loggedAt: instant, keyId, revokedFrom: instant, reason: string },
    true,
  ),
  'licence.issued': object(
    {
      kind: literal('licence.issued'),
      loggedAt: instant,
      licenceId: nonEmpty,
      dataHash: hashB64,
      sealKeyId: keyId,
      signedAt: instant,
    },
    true,
  ),
  ...Object.fromEntries(
    STATUS_KINDS.map((kind) => [
      kind,
      object(
        {
          kind: literal(kind),
          loggedAt: instant,
          licenceId: nonEmpty,
          reason: nullable(string),
          effectiveAt: instant,
        },
        true,
      ),
    ]),
  ),
} as Record<LogEntry['kind'], Rule>;

/** A log entry of one of `kinds`. */
const entryOf =
  (...kinds: LogEntry['kind'][]): Rule =>
  (v, path) => {
    if (!isPlainObject(v)) return `${path} must be an object`;
    if (!kinds.includes(v.kind as LogEntry['kind'])) return `${path}.kind must be ${kinds.join(' or ')}`;
    return entryRules[v.kind as LogEntry['kind']](v, path);
  };

const hashList: Rule = (v, path) => {
  if (!Array.isArray(v)) return `${path} must be an array`;
  if (v.length > MAX_PROOF_LENGTH) return `${path} is too long`;
  for (const [i, hash] of v.entries()) {
    const problem = hashB64(hash, `${path}[${i}]`);
    if (problem) return problem;
  }
  return null;
};

const proofRule: Rule = (v, path) => {
  const problem = object({ leafIndex: index, treeSize: index, hashes: hashList }, false)(v, path);
  if (problem) return problem;
  const proof = v as InclusionProof;
  return proof.leafIndex < proof.treeSize ? null : `${path}.leafIndex must be below ${path}.treeSize`;
};

const itemOf = (...kinds: LogEntry['kind'][]): Rule =>
  object({ entry: entryOf(...kinds), proof: proofRule }, false);

const bundleRule = object(
  {
    format: literal(BUNDLE_FORMAT),
    licence: licenceRule,
    signature: object({ algorithm, keyId, value: base64 }, false),
    issuance: itemOf('licence.issued'),
    sealKey: itemOf('seal.key.added'),
    statusEntries: (v, path) => {
      if (!Array.isArray(v)) return `${path} must be an array`;
      for (const [i, item] of v.entries()) {
        const problem = itemOf(...STATUS_KINDS)(item, `${path}[${i}]`);
        if (problem) return problem;
      }
      return null;
    },
    checkpoint: (v, path) => {
      const problem = checkpointShapeProblem(v);
      return problem === null ? null : `${path}: ${problem}`;
    },
  },
  false,
);

/** What is wrong with the shape of a would-be licence bundle, or null when it is well-formed. */
function bundleShapeProblem(value: unknown): string | null {
  const problem = bundleRule(value, 'bundle');
  if (problem) return problem;
  const { licence } = value as LicenceBundle;
  if (licence.validUntil !== null && licence.validUntil < licence.validFrom) {
    return 'bundle.licence.validUntil is before validFrom';
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Checks

const b64 = (value: string) => decodeBase64Strict(value) ?? Buffer.alloc(0);

/** Whether `item`'s entry is in the tree `checkpoint` signs, and if not why. */
function inclusionProblem(
  item: { entry: LogEntry; proof: InclusionProof },
  checkpoint: Checkpoint,
): string | null {
  const { proof } = item;
  if (proof.treeSize !== checkpoint.treeSize) {
    return `its proof is for a tree of ${proof.treeSize}, not the checkpoint's ${checkpoint.treeSize}`;
  }
  const included = verifyInclusion(
    logEntryHash(item.entry),
    proof.leafIndex,
    proof.treeSize,
    proof.hashes.map(b64),
    b64(checkpoint.rootHash),
  );
  return included
    ? null
    : `its inclusion proof at index ${proof.leafIndex} does not lead to the checkpoint's root`;
}

function formatDuration(ms: number): string {
  if (Math.abs(ms) < 120_000) return `${Math.round(ms / 1000)} s`;
  if (Math.abs(ms) < 7_200_000) return `${Math.round(ms / 60_000)} min`;
  if (Math.abs(ms) < 172_800_000) return `${(ms / 3_600_000).toFixed(1)} h`;
  return `${(ms / 86_400_000).toFixed(1)} d`;
}

/** Whether `newer` extends `older`, both signed by `logKey`. Never throws. */
export function verifyCheckpointConsistency(
  older: Checkpoint,
  newer: Checkpoint,
  proof: string[] | ConsistencyProofFile,
  logKey: KeyObject,
): { ok: boolean; detail: string } {
  try {
    const fail = (detail: string) => ({ ok: false, detail });
    for (const [name, cp] of [
      ['older', older],
      ['newer', newer],
    ] as const) {
      const problem = checkpointShapeProblem(cp);
      if (problem) return fail(`the ${name} checkpoint is malformed: ${problem}`);
      if (!verifyCheckpoint(cp, logKey)) {
        return fail(`the ${name} checkpoint (size ${cp.treeSize}) is not signed by the log key`);
      }
    }
    if (older.origin !== newer.origin)
      return fail(`the checkpoints are of two logs: ${older.origin}, ${newer.origin}`);
    if (older.treeSize > newer.treeSize) {
      return fail(`the "older" checkpoint is larger (${older.treeSize} > ${newer.treeSize})`);
    }
    let hashes: unknown = proof;
    if (!Array.isArray(proof)) {
      if (!isPlainObject(proof)) return fail('the consistency proof is not { oldSize, newSize, hashes }');
      if (proof.oldSize !== older.treeSize || proof.newSize !== newer.treeSize) {
        return fail(
          `the consistency proof is from ${String(proof.oldSize)} to ${String(proof.newSize)}, ` +
            `not from ${older.treeSize} to ${newer.treeSize}`,
        );
      }
      hashes = proof.hashes;
    }
    const hashProblem = hashList(hashes, 'the consistency proof hashes');
    if (hashProblem) return fail(hashProblem);
    const consistent = verifyConsistency(
      older.treeSize,
      newer.treeSize,
      b64(older.rootHash),
      b64(newer.rootHash),
      (hashes as string[]).map(b64),
    );
    return consistent
      ? { ok: true, detail: `the log of size ${newer.treeSize} extends the log of size ${older.treeSize}` }
      : fail(
          older.treeSize === newer.treeSize
            ? `two signed trees of size ${older.treeSize} with different roots: the log shows different views`
            : `the consistency proof from ${older.treeSize} to ${newer.treeSize} does not verify: the log was rewritten or the proof is wrong`,
        );
  } catch (error) {
    return { ok: false, detail: `could not check consistency: ${(error as Error).message}` };
  }
}

/** Verifies a licence bundle offline; see the module comment. */
export function verifyBundle(bundle: unknown, options: BundleVerificationOptions): BundleVerification {
  try {
    return verifyWellFormedBundle(bundle, options);
  } catch (error) {
    // Defence in depth: the shape check should make this unreachable.
    return {
      ok: false,
      status: 'invalid',
      checks: [{ name: 'shape', ok: false, detail: `unexpected input: ${(error as Error).message}` }],
    };
  }
}

function verifyWellFormedBundle(input: unknown, options: BundleVerificationOptions): BundleVerification {
  const problem = bundleShapeProblem(input);
  if (problem)
    return { ok: false, status: 'invalid', checks: [{ name: 'shape', ok: false, detail: problem }] };
  const bundle = input as LicenceBundle;
  const { licence, signature, checkpoint } = bundle;
  const issuance = bundle.issuance as { entry: LicenceIssuedEntry; proof: InclusionProof };
  const sealKey = bundle.sealKey as { entry: SealKeyAddedEntry; proof: InclusionProof };
  const now = options.now ?? new Date();
  const maxDelay = options.maxSequencingDelayMs ?? DEFAULT_MAX_SEQUENCING_DELAY_MS;

  const checks: VerificationCheck[] = [{ name: 'shape', ok: true, detail: `a ${BUNDLE_FORMAT} file` }];
  const check = (name: BundleCheckName, problems: string[], detail: string) =>
    checks.push({ name, ok: problems.length === 0, detail: problems.length ? problems.join('; ') : detail });

  // identifier
  {
    const problems: string[] = [];
    const id = checkLicenceId(licence.id);
    if (!id.ok) problems.push(`${licence.id}: ${id.messageEn}`);
    else {
      if (id.value !== licence.id)
        problems.push(`the identifier is not written in its normal form ${id.value}`);
      if (id.info.issuerUscc !== licence.issuer.uscc) {
        problems.push(
          `the identifier names issuer ${id.info.issuerUscc}, the licence ${licence.issuer.uscc}`,
        );
      }
      if (id.info.typeCode !== licence.licenceType.code) {
        problems.push(
          `the identifier names licence type ${id.info.typeCode}, the licence ${licence.licenceType.code}`,
        );
      }
    }
    check('identifier', problems, `${licence.id}: GB/T 36904 shape and MOD 37,36 check character`);
  }

  // checkpoint
  const checkpointSigned = verifyCheckpoint(checkpoint, options.logKey);
  check(
    'checkpoint',
    checkpointSigned ? [] : ['the checkpoint is not signed by the given log key'],
    `${checkpoint.origin} at size ${checkpoint.treeSize}, ${checkpoint.timestamp}, signed by log key ${checkpoint.keyId}`,
  );

  // sealKey
  let sealPublicKey: KeyObject | null = null;
  {
    const problems: string[] = [];
    const entry = sealKey.entry;
    if (keyIdOf(entry.algorithm, entry.publicKey) !== entry.keyId) {
      problems.push('the seal key entry names a key id that is not its public key’s');
    }
    if (signature.keyId !== entry.keyId || signature.algorithm !== entry.algorithm) {
      problems.push(
        `the licence is signed with ${signature.algorithm} key ${signature.keyId}, ` +
          `the logged seal key is ${entry.algorithm} key ${entry.keyId}`,
      );
    }
    if (entry.organisationUscc !== licence.issuer.uscc) {
      problems.push(
        `the seal belongs to ${entry.organisationUscc}, the licence issuer is ${licence.issuer.uscc}`,
      );
    }
    try {
      sealPublicKey = importPublicKey(entry.algorithm, entry.publicKey);
      if (exportPublicKey(sealPublicKey) !== entry.publicKey)
        problems.push('the seal public key is not in DER form');
    } catch (error) {
      problems.push(`the seal public key cannot be read: ${(error as Error).message}`);
    }
    const notIncluded = inclusionProblem(sealKey, checkpoint);
    if (notIncluded) problems.push(`the seal key entry is not in the log: ${notIncluded}`);
    check(
      'sealKey',
      problems,
      `seal ${entry.sealCode} of ${entry.organisationName} (${entry.algorithm} key ${entry.keyId}) ` +
        `logged at index ${sealKey.proof.leafIndex}`,
    );
  }

  // signature
  {
    const signed =
      sealPublicKey !== null &&
      signature.algorithm === sealKey.entry.algorithm &&
      verifyBytes(signature.algorithm, sealPublicKey, licenceDataBytes(licence), b64(signature.value));
    check(
      'signature',
      signed
        ? []
        : [
            'the seal signature does not match the licence data: the data was changed or not sealed by this seal',
          ],
      `sealed with ${signature.algorithm} over the canonical licence data`,
    );
  }

  // issuance
  {
    const problems: string[] = [];
    const entry = issuance.entry;
    if (entry.licenceId !== licence.id) problems.push(`the issuance entry is for ${entry.licenceId}`);
    if (entry.dataHash !== licenceDataHash(licence)) {
      problems.push('the logged data hash is not the hash of this licence data');
    }
    if (entry.sealKeyId !== signature.keyId)
      problems.push(`the issuance entry names seal key ${entry.sealKeyId}`);
    if (entry.signedAt !== licence.signedAt)
      problems.push(`the issuance entry says signed at ${entry.signedAt}`);
    const notIncluded = inclusionProblem(issuance, checkpoint);
    if (notIncluded) problems.push(`the issuance entry is not in the log: ${notIncluded}`);
    check('issuance', problems, `issuance logged at index ${issuance.proof.leafIndex}, ${entry.loggedAt}`);
  }

  const otherCheckpoints = (options.checkpoints ?? []).map((cp) => ({
    cp,
    problem:
      checkpointShapeProblem(cp) ??
      (!verifyCheckpoint(cp, options.logKey)
        ? 'not signed by the log key'
        : cp.origin !== checkpoint.origin
          ? `of another log (${cp.origin})`
          : null),
  }));

  // timing: back-dating is caught by the sequencing delay and by checkpoints that predate the entry.
  {
    const problems: string[] = [];
    const leafIndex = issuance.proof.leafIndex;
    const loggedAt = Date.parse(issuance.entry.loggedAt);
    const delay = loggedAt - Date.parse(licence.signedAt);
    if (delay < 0) problems.push(`logged ${formatDuration(-delay)} before it was signed`);
    else if (delay > maxDelay) {
      problems.push(
        `logged ${formatDuration(delay)} after it was signed (more than ${formatDuration(maxDelay)}): back-dated?`,
      );
    }
    if (sealKey.proof.leafIndex >= leafIndex) {
      problems.push(
        `the seal key was logged after the licence (index ${sealKey.proof.leafIndex} ≥ ${leafIndex})`,
      );
    }
    if (Date.parse(checkpoint.timestamp) < loggedAt) {
      problems.push(`the bundle's checkpoint (${checkpoint.timestamp}) includes an entry logged later`);
    }
    let compared = 0;
    for (const { cp, problem } of otherCheckpoints) {
      if (problem) {
        problems.push(`checkpoint of size ${String(cp?.treeSize)}: ${problem}`);
        continue;
      }
      compared++;
      const at = Date.parse(cp.timestamp);
      if (cp.treeSize <= leafIndex && at > loggedAt) {
        problems.push(
          `a checkpoint of ${cp.treeSize} entries made ${cp.timestamp} does not contain the issuance, ` +
            `which claims to be logged earlier (${issuance.entry.loggedAt}): back-dated`,
        );
      } else if (cp.treeSize > leafIndex && at < loggedAt) {
        problems.push(
          `a checkpoint of ${cp.treeSize} entries made ${cp.timestamp} contains the issuance, ` +
            `which claims to be logged later (${issuance.entry.loggedAt})`,
        );
      }
    }
    check(
      'timing',
      problems,
      `logged ${formatDuration(delay)} after sealing (at most ${formatDuration(maxDelay)}), ` +
        `after its seal key, consistent with ${compared + 1} checkpoint time(s)`,
    );
  }

  // consistency
  {
    const problems: string[] = [];
    const notes: string[] = [];
    let linked = new Set<number>();
    if (options.consistency) {
      const { from, to, proof } = options.consistency;
      const result = verifyCheckpointConsistency(from, to, proof, options.logKey);
      if (!result.ok) problems.push(result.detail);
      else {
        notes.push(result.detail);
        const isBundle = (cp: Checkpoint) =>
          cp.treeSize === checkpoint.treeSize && cp.rootHash === checkpoint.rootHash;
        if (isBundle(from)) linked = new Set([to.treeSize]);
        else if (isBundle(to)) linked = new Set([from.treeSize]);
        else
          notes.push(`(the proof does not involve the bundle's checkpoint of size ${checkpoint.treeSize})`);
      }
    }
    for (const { cp, problem } of otherCheckpoints) {
      if (problem) continue; // reported under timing
      if (cp.treeSize === checkpoint.treeSize && cp.rootHash !== checkpoint.rootHash) {
        problems.push(
          `two signed trees of size ${cp.treeSize} with different roots: the log shows different views`,
        );
      } else if (cp.treeSize !== checkpoint.treeSize && !linked.has(cp.treeSize)) {
        notes.push(
          `the checkpoint of size ${cp.treeSize} cannot be compared offline without a consistency proof`,
        );
      }
    }
    if (notes.length === 0) notes.push('no other checkpoint to compare with');
    check('consistency', problems, notes.join('; '));
  }

  // status
  const statusResult = licenceStatus(bundle, now);
  check('status', statusResult.problems, statusResult.detail);

  const failed = checks.some((c) => !c.ok);
  const status: LicenceStatus = failed ? 'invalid' : statusResult.status;
  return {
    ok: !failed && status === 'valid',
    status,
    checks,
    licenceId: licence.id,
    leafIndex: issuance.proof.leafIndex,
  };
}

/** The status the bundle's entries and dates give at `now`, and problems with those entries. */
function licenceStatus(
  bundle: LicenceBundle,
  now: Date,
): { status: LicenceStatus; problems: string[]; detail: string } {
  const { licence, checkpoint } = bundle;
  const problems: string[] = [];
  const notes: string[] = [];
  const issuedAt = bundle.issuance.proof.leafIndex;
  const items = [...bundle.statusEntries].sort((a, b) => a.proof.leafIndex - b.proof.leafIndex);
  let logged: LoggedStatus = 'valid';
  let previousIndex = -1;
  for (const item of items) {
    const entry = item.entry as LicenceStatusEntry;
    const where = `status entry ${entry.kind} at index ${item.proof.leafIndex}`;
    const itemProblems: string[] = [];
    if (item.proof.leafIndex === previousIndex) itemProblems.push(`${where} appears twice`);
    previousIndex = item.proof.leafIndex;
    if (entry.licenceId !== licence.id) itemProblems.push(`${where} is about ${entry.licenceId}`);
    if (item.proof.leafIndex <= issuedAt) itemProblems.push(`${where} precedes the issuance`);
    const notIncluded = inclusionProblem(item, checkpoint);
    if (notIncluded) itemProblems.push(`${where} is not in the log: ${notIncluded}`);
    problems.push(...itemProblems);
    if (itemProblems.length > 0) continue;
    if (Date.parse(entry.effectiveAt) > now.getTime()) {
      notes.push(`${entry.kind} takes effect ${entry.effectiveAt}`);
      continue;
    }
    const transitions: Partial<Record<LicenceStatusEntryKind, LoggedStatus>> = LICENCE_TRANSITIONS[logged];
    const next = transitions[entry.kind];
    if (next) {
      logged = next;
      notes.push(
        `${entry.kind.slice('licence.'.length)} ${entry.effectiveAt}${entry.reason ? ` (${entry.reason})` : ''}`,
      );
    }
  }

  let status: LicenceStatus = logged;
  const today = chinaDateOf(now);
  if (logged === 'valid' && today < licence.validFrom) status = 'not_yet_valid';
  if (
    (logged === 'valid' || logged === 'suspended') &&
    licence.validUntil !== null &&
    today > licence.validUntil
  ) {
    status = 'expired';
  }
  const validity = `valid from ${licence.validFrom} ${licence.validUntil ? `until ${licence.validUntil}` : '(long-term, 长期)'}`;
  const history = notes.length ? `; ${notes.join('; ')}` : '';
  return {
    status,
    problems,
    detail:
      `${status} on ${today} (China date), ${validity}${history}; ` +
      `as logged up to the bundle's checkpoint ${checkpoint.timestamp}: later changes need an online check`,
  };
}

// ---------------------------------------------------------------------------------------------
// PDF

/**
 * The licence bundle attached to a licence PDF as `licence.json` (by pdf-lib's `attach`), parsed
 * as JSON and not yet validated. Throws an Error saying what is missing when there is none.
 */
export async function bundleFromPdf(bytes: Uint8Array): Promise<unknown> {
  let document: PDFDocument;
  try {
    document = await PDFDocument.load(bytes, { updateMetadata: false, throwOnInvalidObject: false });
  } catch (error) {
    throw new Error(`not a readable PDF: ${(error as Error).message}`);
  }
  const names = document.catalog.lookupMaybe(PDFName.of('Names'), PDFDict);
  const embedded = names?.lookupMaybe(PDFName.of('EmbeddedFiles'), PDFDict);
  if (!embedded) throw new Error('the PDF has no attached files');
  const fileSpec = findInNameTree(embedded, LICENCE_ATTACHMENT, 0);
  if (!fileSpec) throw new Error(`the PDF has no ${LICENCE_ATTACHMENT} attachment`);
  const stream = fileSpec.lookupMaybe(PDFName.of('EF'), PDFDict)?.lookup(PDFName.of('F'));
  if (!(stream instanceof PDFRawStream))
    throw new Error(`the ${LICENCE_ATTACHMENT} attachment has no file stream`);
  const filter = stream.dict.lookup(PDFName.of('Filter'));
  const filters = filter instanceof PDFArray ? filter.asArray() : filter ? [filter] : [];
  let content: Uint8Array = stream.contents;
  for (const name of filters) {
    if (name !== PDFName.of('FlateDecode'))
      throw new Error(`the attachment uses an unsupported filter ${String(name)}`);
    content = inflateSync(content);
  }
  try {
    return JSON.parse(Buffer.from(content).toString('utf8')) as unknown;
  } catch (error) {
    throw new Error(`the ${LICENCE_ATTACHMENT} attachment is not JSON: ${(error as Error).message}`);
  }
}

/** The file specification named `name` in a PDF name tree (ISO 32000 §7.9.6). */
function findInNameTree(node: PDFDict, name: string, depth: number): PDFDict | null {
  if (depth > 32) return null; // a loop in a malicious file
  const entries = node.lookupMaybe(PDFName.of('Names'), PDFArray);
  if (entries) {
    for (let i = 0; i + 1 < entries.size(); i += 2) {
      const key = entries.lookup(i);
      if ((key instanceof PDFString || key instanceof PDFHexString) && key.decodeText() === name) {
        const value = entries.lookup(i + 1);
        return value instanceof PDFDict ? value : null;
      }
    }
  }
  const kids = node.lookupMaybe(PDFName.of('Kids'), PDFArray);
  for (let i = 0; kids && i < kids.size(); i++) {
    const kid = kids.lookup(i);
    const found = kid instanceof PDFDict ? findInNameTree(kid, name, depth + 1) : null;
    if (found) return found;
  }
  return null;
}
