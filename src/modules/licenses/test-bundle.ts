/**
 * Test support (not used at runtime): an in-memory licence log with real keys, for building
 * licence bundles the way the platform does, and tampered ones. Used by verify.test.ts and
 * the CLI tests; other licence tests may reuse it.
 */
import type { KeyObject } from 'node:crypto';
import { createRng } from '../../kernel/identifiers/check.ts';
import { checkLicenceId, generateLicenceId } from '../../kernel/identifiers/licence-id.ts';
import { signCheckpoint } from './checkpoint.ts';
import {
  BUNDLE_FORMAT,
  type Checkpoint,
  type InclusionProof,
  LICENCE_FORMAT,
  type LicenceBundle,
  type LicenceData,
  licenceDataBytes,
  licenceDataHash,
  type LicenceSignature,
  type LicenceStatusEntryKind,
  type LogEntry,
  logEntryHash,
} from './formats.ts';
import { MerkleTree } from './merkle.ts';
import {
  exportPublicKey,
  generateSigningKey,
  keyIdOf,
  type SignatureAlgorithm,
  signBytes,
} from './signing.ts';

const TEST_LOG_ORIGIN = 'tongban.test/licence-log';

export interface TestKey {
  algorithm: SignatureAlgorithm;
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** SPKI DER, base64. */
  publicKeyB64: string;
  keyId: string;
}

function testKey(algorithm: SignatureAlgorithm): TestKey {
  const { privateKey, publicKey } = generateSigningKey(algorithm);
  const publicKeyB64 = exportPublicKey(publicKey);
  return { algorithm, privateKey, publicKey, publicKeyB64, keyId: keyIdOf(algorithm, publicKeyB64) };
}

export interface LogItem {
  entry: LogEntry;
  proof: InclusionProof;
}

/** An append-only log in memory, signed by its own log key. */
export class TestLog {
  readonly tree = new MerkleTree();
  readonly entries: LogEntry[] = [];
  readonly logKey: TestKey;

  /** A new log key of `key`'s algorithm, or `key` itself (a log operator forking its own log). */
  constructor(
    key: SignatureAlgorithm | TestKey = 'ed25519',
    readonly origin = TEST_LOG_ORIGIN,
  ) {
    this.logKey = typeof key === 'string' ? testKey(key) : key;
  }

  get size(): number {
    return this.tree.size;
  }

  append(entry: LogEntry): number {
    this.entries.push(entry);
    return this.tree.append(logEntryHash(entry));
  }

  /** A checkpoint of the first `size` entries (all by default) made at `timestamp`. */
  checkpoint(timestamp: string | Date, size = this.size): Checkpoint {
    return signCheckpoint(
      { origin: this.origin, treeSize: size, rootHash: this.tree.root(size), timestamp: new Date(timestamp) },
      this.logKey,
    );
  }

  proof(leafIndex: number, treeSize = this.size): InclusionProof {
    const hashes = this.tree.inclusionProof(leafIndex, treeSize).map((hash) => hash.toString('base64'));
    return { leafIndex, treeSize, hashes };
  }

  item(leafIndex: number, treeSize = this.size): LogItem {
    return { entry: this.entries[leafIndex]!, proof: this.proof(leafIndex, treeSize) };
  }

  consistency(oldSize: number, newSize = this.size): { oldSize: number; newSize: number; hashes: string[] } {
    const hashes = this.tree.consistencyProof(oldSize, newSize).map((hash) => hash.toString('base64'));
    return { oldSize, newSize, hashes };
  }

  /** Unrelated entries, as other licences issued meanwhile. */
  appendFiller(count: number, loggedAt: string): void {
    for (let i = 0; i < count; i++) {
      this.append({
        kind: 'licence.expired',
        loggedAt,
        licenceId: `filler-${this.size}`,
        reason: null,
        effectiveAt: loggedAt,
      });
    }
  }
}

export interface TestSeal extends TestKey {
  leafIndex: number;
}

/** A seal key published in the log. */
export function addTestSeal(
  log: TestLog,
  options: {
    algorithm?: SignatureAlgorithm;
    loggedAt: string;
    organisationUscc: string;
    organisationName?: string;
  },
): TestSeal {
  const key = testKey(options.algorithm ?? 'ed25519');
  const leafIndex = log.append({
    kind: 'seal.key.added',
    loggedAt: options.loggedAt,
    keyId: key.keyId,
    algorithm: key.algorithm,
    publicKey: key.publicKeyB64,
    sealCode: '3301000012345',
    organisationUscc: options.organisationUscc,
    organisationName: options.organisationName ?? '示例市市场监督管理局',
  });
  return { ...key, leafIndex };
}

/** Licence data with a valid identifier whose type code and issuer match the data. */
export function testLicenceData(overrides: Partial<LicenceData> = {}, seed = 7): LicenceData {
  const id = overrides.id ?? generateLicenceId(createRng(seed));
  const info = checkLicenceId(id);
  if (!info.ok) throw new Error(`testLicenceData: ${info.messageEn}`);
  return {
    format: LICENCE_FORMAT,
    id,
    licenceType: { code: info.info.typeCode, name: '食品经营许可证' },
    issuer: { uscc: info.info.issuerUscc, name: '示例市市场监督管理局' },
    holder: { kind: 'enterprise', name: '示例市好味餐饮有限公司', identifier: '91330100MA2B3C4D5E' },
    face: { 经营场所: '示例市中山路1号', 经营项目: '热食类食品制售', 主体业态: '餐饮服务经营者' },
    issueDate: '2026-03-01',
    validFrom: '2026-03-01',
    validUntil: '2031-02-28',
    signedAt: '2026-03-01T02:00:00.000Z',
    supersedes: null,
    ...overrides,
  };
}

export function sealLicence(seal: TestKey, licence: LicenceData): LicenceSignature {
  const value = signBytes(seal.algorithm, seal.privateKey, licenceDataBytes(licence)).toString('base64');
  return { algorithm: seal.algorithm, keyId: seal.keyId, value };
}

/** Logs the issuance of `licence`, sealed by `seal`; returns its index. */
export function logIssuance(log: TestLog, seal: TestKey, licence: LicenceData, loggedAt: string): number {
  return log.append({
    kind: 'licence.issued',
    loggedAt,
    licenceId: licence.id,
    dataHash: licenceDataHash(licence),
    sealKeyId: seal.keyId,
    signedAt: licence.signedAt,
  });
}

export function logStatus(
  log: TestLog,
  licenceId: string,
  kind: LicenceStatusEntryKind,
  at: string,
  reason: string | null = null,
): number {
  return log.append({ kind, loggedAt: at, licenceId, reason, effectiveAt: at });
}

/** The file for a licence sealed by `seal`, with every proof against `checkpoint`. */
export function bundleOf(
  log: TestLog,
  parts: {
    licence: LicenceData;
    seal: TestSeal;
    issuanceIndex: number;
    /** Where the seal key is in `log`; by default where `addTestSeal` put it. */
    sealIndex?: number;
    statusIndices?: number[];
    checkpoint: Checkpoint;
  },
): LicenceBundle {
  const size = parts.checkpoint.treeSize;
  return {
    format: BUNDLE_FORMAT,
    licence: parts.licence,
    signature: sealLicence(parts.seal, parts.licence),
    issuance: log.item(parts.issuanceIndex, size),
    sealKey: log.item(parts.sealIndex ?? parts.seal.leafIndex, size),
    statusEntries: (parts.statusIndices ?? []).map((index) => log.item(index, size)),
    checkpoint: parts.checkpoint,
  };
}

export interface TestBundle {
  bundle: LicenceBundle;
  log: TestLog;
  seal: TestSeal;
  licence: LicenceData;
  issuanceIndex: number;
  /** A time at which the licence is valid. */
  now: Date;
}

/**
 * A valid licence file as the platform makes it: a seal key logged, some other entries, the
 * licence sealed and logged 5 seconds later, more entries, a checkpoint a minute later.
 */
export function buildTestBundle(
  options: {
    sealAlgorithm?: SignatureAlgorithm;
    logAlgorithm?: SignatureAlgorithm;
    licence?: Partial<LicenceData>;
    /** Default: 5 seconds after signedAt. */
    loggedAt?: string;
  } = {},
): TestBundle {
  const licence = testLicenceData(options.licence);
  const log = new TestLog(options.logAlgorithm);
  log.appendFiller(3, '2026-02-01T00:00:00.000Z');
  const seal = addTestSeal(log, {
    algorithm: options.sealAlgorithm,
    loggedAt: '2026-02-01T00:00:00.000Z',
    organisationUscc: licence.issuer.uscc,
  });
  log.appendFiller(5, '2026-02-15T00:00:00.000Z');
  const loggedAt = options.loggedAt ?? new Date(Date.parse(licence.signedAt) + 5_000).toISOString();
  const issuanceIndex = logIssuance(log, seal, licence, loggedAt);
  log.appendFiller(4, loggedAt);
  const checkpoint = log.checkpoint(new Date(Date.parse(loggedAt) + 60_000));
  const bundle = bundleOf(log, { licence, seal, issuanceIndex, checkpoint });
  return { bundle, log, seal, licence, issuanceIndex, now: new Date('2026-06-01T04:00:00.000Z') };
}
