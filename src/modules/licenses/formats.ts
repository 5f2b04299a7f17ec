/**
 * The data formats of e-licences (电子证照) and their transparency log, shared by the service
 * that issues them and by the offline verifier. Whatever is signed or hashed is the RFC 8785
 * canonical JSON of these objects in UTF-8 (see canonical.ts), so a third party can recompute
 * every hash and check every signature from the JSON alone.
 */
import { canonicalJson, sha256 } from './canonical.ts';
import { leafHash } from './merkle.ts';
import type { SignatureAlgorithm } from './signing.ts';

export type { SignatureAlgorithm } from './signing.ts';

export const LICENCE_FORMAT = 'tongban-licence/1';
export const BUNDLE_FORMAT = 'tongban-licence-bundle/1';
/** The name of the licence file (a `LicenceBundle`) attached to the licence PDF. */
export const LICENCE_ATTACHMENT = 'licence.json';

/** What the seal signs (canonical JSON, UTF-8). */
export interface LicenceData {
  format: typeof LICENCE_FORMAT;
  /** GB/T 36904 identifier. */
  id: string;
  licenceType: { code: string; name: string };
  issuer: { uscc: string; name: string };
  /** identifier: resident ID number or USCC. */
  holder: { kind: 'person' | 'enterprise'; name: string; identifier: string };
  /** 照面信息, string values only. */
  face: Record<string, string>;
  /** YYYY-MM-DD printed on the licence (发证日期). */
  issueDate: string;
  /** YYYY-MM-DD. */
  validFrom: string;
  /** YYYY-MM-DD inclusive, null = long-term (长期). */
  validUntil: string | null;
  /** ISO instant with Z, set by the platform when sealing. */
  signedAt: string;
  /** Identifier of the version this one replaces. */
  supersedes: string | null;
}

export interface LicenceSignature {
  algorithm: SignatureAlgorithm;
  keyId: string;
  /** base64 */
  value: string;
}

export type LogEntryKind =
  | 'seal.key.added'
  | 'seal.key.revoked'
  | 'licence.issued'
  | 'licence.suspended'
  | 'licence.reinstated'
  | 'licence.revoked'
  | 'licence.expired'
  | 'licence.superseded';

/** The entries that change a licence's status after issuance. */
export type LicenceStatusEntryKind =
  'licence.suspended' | 'licence.reinstated' | 'licence.revoked' | 'licence.expired' | 'licence.superseded';

/** A log leaf: its canonical JSON is the leaf data. */
export type LogEntry =
  | {
      kind: 'seal.key.added';
      loggedAt: string;
      keyId: string;
      algorithm: SignatureAlgorithm;
      publicKey: string;
      sealCode: string;
      organisationUscc: string;
      organisationName: string;
    }
  | { kind: 'seal.key.revoked'; loggedAt: string; keyId: string; revokedFrom: string; reason: string }
  | {
      kind: 'licence.issued';
      loggedAt: string;
      licenceId: string;
      /** base64 SHA-256 of the canonical LicenceData. */
      dataHash: string;
      sealKeyId: string;
      signedAt: string;
    }
  | {
      kind: LicenceStatusEntryKind;
      loggedAt: string;
      licenceId: string;
      reason: string | null;
      effectiveAt: string;
    };

export type SealKeyAddedEntry = Extract<LogEntry, { kind: 'seal.key.added' }>;
export type LicenceIssuedEntry = Extract<LogEntry, { kind: 'licence.issued' }>;
export type LicenceStatusEntry = Extract<LogEntry, { kind: LicenceStatusEntryKind }>;

export interface Checkpoint {
  origin: string;
  treeSize: number;
  /** base64 */
  rootHash: string;
  /** ISO instant with Z. */
  timestamp: string;
  keyId: string;
  algorithm: SignatureAlgorithm;
  /** base64 */
  signature: string;
}

export interface InclusionProof {
  leafIndex: number;
  treeSize: number;
  /** base64, deepest sibling first (RFC 9162 PATH order). */
  hashes: string[];
}

/** The licence file: the JSON attached inside the PDF as licence.json, and downloadable alone. */
export interface LicenceBundle {
  format: typeof BUNDLE_FORMAT;
  licence: LicenceData;
  signature: LicenceSignature;
  /** entry: licence.issued */
  issuance: { entry: LogEntry; proof: InclusionProof };
  /** entry: seal.key.added */
  sealKey: { entry: LogEntry; proof: InclusionProof };
  /** Later entries about this licence known when the file was made (status changes). */
  statusEntries: { entry: LogEntry; proof: InclusionProof }[];
  /** All proofs are against this checkpoint's tree size. */
  checkpoint: Checkpoint;
}

/** The leaf data of a log entry: the UTF-8 of its canonical JSON. */
function logEntryBytes(entry: LogEntry): Buffer {
  return Buffer.from(canonicalJson(entry), 'utf8');
}

/** The Merkle leaf hash of a log entry. */
export function logEntryHash(entry: LogEntry): Buffer {
  return leafHash(logEntryBytes(entry));
}

/** What the seal signs: the UTF-8 of the licence data's canonical JSON. */
export function licenceDataBytes(data: LicenceData): Buffer {
  return Buffer.from(canonicalJson(data), 'utf8');
}

/** base64 SHA-256 of the licence data's canonical JSON (the `dataHash` of its licence.issued entry). */
export function licenceDataHash(data: LicenceData): string {
  return sha256(licenceDataBytes(data)).toString('base64');
}
