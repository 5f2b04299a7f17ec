import type { KeyObject } from 'node:crypto';
import { chinaDateOf } from '../../kernel/calendar/index.ts';
import { maskIdNumber, maskMiddle, maskName } from '../../kernel/crypto.ts';
import type { Queryable } from '../../kernel/db.ts';
import { escapeHtml } from '../../kernel/html.ts';
import { canonicalJson } from './canonical.ts';
import {
  BUNDLE_FORMAT,
  licenceDataHash,
  type Checkpoint,
  type InclusionProof,
  type LicenceBundle,
  type LogEntry,
} from './formats.ts';
import { TransparencyLog } from './log.ts';
import { findLicenceType, type LicensesDeps, type LicenceStatus, type StoredLicence } from './service.ts';
import { importPublicKey, verifyBytes, type SignatureAlgorithm } from './signing.ts';

/**
 * Public verification of a licence (no login): its status, issuer, a masked summary of
 * its face, the seal signature checked now, and its inclusion in the transparency log
 * against the latest checkpoint (signed on demand when the licence is newer than it).
 */
export interface LicenceVerification {
  licenceId: string;
  checkedAt: string;
  /** Valid now: status valid, within its dates, sealed by a key in force, and in the log. */
  valid: boolean;
  status: LicenceStatus | 'not_yet_valid';
  statusReason: string | null;
  statusChangedAt: string | null;
  supersededBy: string | null;
  version: number;
  licenceType: { code: string; name: string };
  issuer: { name: string; uscc: string };
  holder: { kind: 'person' | 'enterprise'; name: string; identifier: string };
  face: { key: string; label: string; value: string }[];
  issueDate: string;
  validFrom: string;
  validUntil: string | null;
  signature: {
    algorithm: SignatureAlgorithm;
    keyId: string;
    sealCode: string;
    sealName: string;
    valid: boolean;
    /** Why not, when not valid. */
    problem: string | null;
  };
  log: {
    leafIndex: number;
    entry: LogEntry;
    proof: InclusionProof;
    checkpoint: Checkpoint;
    included: boolean;
  };
}

interface SealKeyRecord {
  keyId: string;
  algorithm: SignatureAlgorithm;
  publicKey: KeyObject;
  logIndex: number;
  sealCode: string;
  sealName: string;
  revokedFrom: Date | null;
}

async function sealKeyOf(db: Queryable, keyId: string): Promise<SealKeyRecord> {
  const [row] = await db.query<Record<string, unknown>>(
    `select k.key_id, k.algorithm, k.public_key, k.log_index, s.code, s.name, s.revoked_from
       from seal_key k join seal s on s.code = k.seal_code where k.key_id = $1`,
    [keyId],
    { prepare: true },
  );
  if (!row) throw new Error(`Seal key ${keyId} is missing`);
  const algorithm = row.algorithm as SignatureAlgorithm;
  return {
    keyId,
    algorithm,
    publicKey: importPublicKey(algorithm, row.public_key as string),
    logIndex: Number(row.log_index),
    sealCode: row.code as string,
    sealName: row.name as string,
    revokedFrom: (row.revoked_from as Date | null) ?? null,
  };
}

/** The seal signature over the stored data, checked now (and against the seal's revocation). */
export async function checkSignature(
  db: Queryable,
  licence: StoredLicence,
): Promise<LicenceVerification['signature'] & { logIndex: number }> {
  const key = await sealKeyOf(db, licence.sealKeyId);
  const signatureOk = verifyBytes(
    key.algorithm,
    key.publicKey,
    Buffer.from(canonicalJson(licence.data), 'utf8'),
    Buffer.from(licence.signature, 'base64'),
  );
  let problem: string | null = null;
  if (!signatureOk) problem = 'The seal signature does not match the licence data';
  else if (licenceDataHash(licence.data) !== licence.dataHash)
    problem = 'The licence data does not match its logged hash';
  else if (key.revokedFrom && new Date(licence.data.signedAt) >= key.revokedFrom)
    problem = `Signed after the seal was revoked (from ${key.revokedFrom.toISOString()})`;
  return {
    algorithm: key.algorithm,
    keyId: key.keyId,
    sealCode: key.sealCode,
    sealName: key.sealName,
    valid: problem === null,
    problem,
    logIndex: key.logIndex,
  };
}

/** The status as of today: expired or not yet valid by its dates even before the daily job marks it. */
export function currentStatus(
  licence: Pick<StoredLicence, 'status' | 'validFrom' | 'validUntil'>,
  now: Date,
) {
  const today = chinaDateOf(now);
  if (licence.status === 'valid' && licence.validUntil !== null && licence.validUntil < today)
    return 'expired';
  if (licence.status === 'valid' && licence.validFrom > today) return 'not_yet_valid';
  return licence.status;
}

/** Verifies a licence and counts the verification in the holder's access log. */
export async function verifyLicence(
  deps: LicensesDeps,
  licence: StoredLicence,
  meta: { ip: string | null },
): Promise<LicenceVerification> {
  const { db, log } = deps;
  const now = new Date();
  const signature = await checkSignature(db, licence);
  const checkpoint = await log.checkpointCovering(db, licence.logIndex);
  const proof = await log.inclusionProof(db, licence.logIndex, checkpoint.treeSize);
  const entry = (await log.entries(db, [licence.logIndex])).get(licence.logIndex)!;
  const included =
    TransparencyLog.proofHolds(entry, proof, checkpoint) &&
    entry.kind === 'licence.issued' &&
    entry.licenceId === licence.id &&
    entry.dataHash === licence.dataHash;
  const status = currentStatus(licence, now);
  const type = await findLicenceType(db, licence.typeCode);
  await db.query(
    `insert into licence_access (licence_id, kind, outcome, accessor, purpose, ip)
     values ($1, 'verification', 'allowed', '公众核验', null, $2)`,
    [licence.id, meta.ip],
    { prepare: true },
  );
  const { logIndex: _sealLogIndex, ...sealSignature } = signature;
  return {
    licenceId: licence.id,
    checkedAt: now.toISOString(),
    valid: status === 'valid' && signature.valid && included,
    status,
    statusReason: licence.statusReason,
    statusChangedAt: licence.statusChangedAt?.toISOString() ?? null,
    supersededBy: licence.supersededBy,
    version: licence.version,
    licenceType: licence.data.licenceType,
    issuer: licence.data.issuer,
    holder: maskedHolder(licence),
    face: (type?.faceFields ?? [])
      .filter((f) => licence.data.face[f.key] !== undefined)
      .map((f) => ({
        key: f.key,
        label: f.label,
        value: maskedValue(licence, f.source, licence.data.face[f.key]!),
      })),
    issueDate: licence.data.issueDate,
    validFrom: licence.data.validFrom,
    validUntil: licence.data.validUntil,
    signature: sealSignature,
    log: { leafIndex: licence.logIndex, entry, proof, checkpoint, included },
  };
}

function maskedHolder(licence: StoredLicence): LicenceVerification['holder'] {
  const { kind, name, identifier } = licence.data.holder;
  // An enterprise's name and credit code are public (企业信用信息公示); a person's are not.
  return kind === 'enterprise'
    ? { kind, name, identifier }
    : { kind, name: maskName(name), identifier: maskIdNumber(identifier) };
}

const SUMMARY_LENGTH = 60;

/** A person's face values are masked; an enterprise's are public but long ones are cut. */
function maskedValue(licence: StoredLicence, source: string, value: string): string {
  if (source === 'issueDate' || source === 'issuer.name' || source === 'item.name') return value;
  if (licence.holderKind === 'enterprise')
    return value.length > SUMMARY_LENGTH ? `${value.slice(0, SUMMARY_LENGTH)}…` : value;
  if (/^\d{17}[\dX]$/.test(value)) return maskIdNumber(value);
  if (value.length <= 4) return maskName(value);
  return maskMiddle(value, 1, 1);
}

/**
 * The licence file: data, signature, and the log entries with their proofs (issuance, the
 * seal key that signed it, later status changes) against one checkpoint, so that
 * `tongban verify` can check it offline with only the log's public key.
 */
export async function licenceBundle(deps: LicensesDeps, licence: StoredLicence): Promise<LicenceBundle> {
  const { db, log } = deps;
  const signature = await checkSignature(db, licence);
  const statusEntries = await log.entriesAbout(db, licence.id, licence.logIndex);
  const last = Math.max(licence.logIndex, ...statusEntries.map((e) => e.index));
  const checkpoint = await log.checkpointCovering(db, last);
  const entries = await log.entries(db, [licence.logIndex, signature.logIndex]);
  const withProof = async (index: number, entry: LogEntry) => ({
    entry,
    proof: await log.inclusionProof(db, index, checkpoint.treeSize),
  });
  return {
    format: BUNDLE_FORMAT,
    licence: licence.data,
    signature: { algorithm: signature.algorithm, keyId: signature.keyId, value: licence.signature },
    issuance: await withProof(licence.logIndex, entries.get(licence.logIndex)!),
    sealKey: await withProof(signature.logIndex, entries.get(signature.logIndex)!),
    statusEntries: await Promise.all(statusEntries.map((e) => withProof(e.index, e.entry))),
    checkpoint,
  };
}

const STATUS_TEXT: Record<LicenceVerification['status'], { zh: string; en: string }> = {
  valid: { zh: '有效', en: 'valid' },
  suspended: { zh: '已暂停', en: 'suspended' },
  revoked: { zh: '已注销', en: 'revoked' },
  expired: { zh: '已过期', en: 'expired' },
  superseded: { zh: '已变更（有新版本）', en: 'superseded by a new version' },
  not_yet_valid: { zh: '尚未生效', en: 'not yet valid' },
};

export const statusText = (status: LicenceVerification['status']) => STATUS_TEXT[status];

/** The page behind the licence's QR code: the verification, readable on a phone, no script needed. */
export function verificationPage(v: LicenceVerification): string {
  const status = STATUS_TEXT[v.status];
  const verdict = v.valid
    ? { zh: '证照真实有效', en: 'Authentic and valid', colour: '#1a7f37' }
    : !v.signature.valid || !v.log.included
      ? {
          zh: '核验未通过：证照数据或签章无效',
          en: 'Verification failed: data or seal not valid',
          colour: '#cf222e',
        }
      : { zh: `证照${status.zh}`, en: `The licence is ${status.en}`, colour: '#bc4c00' };
  const row = (label: string, value: string) =>
    `<tr><th scope="row">${escapeHtml(label)}</th><td>${escapeHtml(value)}</td></tr>`;
  const rows = [
    row('证照名称', v.licenceType.name),
    row('证照标识', v.licenceId),
    row('状态', `${status.zh}${v.statusReason ? `（${v.statusReason}）` : ''}`),
    row('持证主体', `${v.holder.name}（${v.holder.identifier}）`),
    ...v.face.filter((f) => f.key !== 'name').map((f) => row(f.label, f.value)),
    row('发证机关', v.issuer.name),
    row('发证日期', v.issueDate),
    row('有效期', v.validUntil ? `${v.validFrom} 至 ${v.validUntil}` : `${v.validFrom} 起长期有效`),
    row(
      '电子印章',
      `${v.signature.sealName}（${v.signature.sealCode}，${v.signature.algorithm === 'sm2-sm3' ? 'SM2/SM3' : 'Ed25519'}）${v.signature.valid ? ' ✓' : ' ✗'}`,
    ),
    row(
      '存证日志',
      `第 ${v.log.leafIndex} 条，检查点 ${v.log.checkpoint.treeSize}（${v.log.checkpoint.timestamp}）${v.log.included ? ' ✓' : ' ✗'}`,
    ),
    row('核验时间', v.checkedAt),
  ].join('');
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>电子证照核验 · ${escapeHtml(v.licenceType.name)}</title>
<style>
body{font-family:system-ui,"PingFang SC","Microsoft YaHei",sans-serif;margin:0;background:#f6f8fa;color:#1f2328}
main{max-width:40rem;margin:0 auto;padding:1rem}
.verdict{border-radius:.5rem;padding:1rem;color:#fff;background:${verdict.colour};font-size:1.25rem}
.verdict small{display:block;font-size:.875rem}
table{width:100%;border-collapse:collapse;background:#fff;margin-top:1rem}
th,td{text-align:left;padding:.5rem;border-bottom:1px solid #d0d7de;vertical-align:top;word-break:break-all}
th{width:7rem;color:#59636e;font-weight:normal}
footer{font-size:.75rem;color:#59636e;margin-top:1rem}
</style></head>
<body><main>
<h1>电子证照核验 <small lang="en">Licence verification</small></h1>
<p class="verdict" role="status">${escapeHtml(verdict.zh)}<small lang="en">${escapeHtml(verdict.en)}</small></p>
<table>${rows}</table>
<footer>签章与存证可离线复核：下载证照文件后运行 <code>npx tongban verify</code>。
<span lang="en">Check offline with <code>npx tongban verify</code> and the log's public key (/api/v1/licence-log).</span></footer>
</main></body></html>`;
}
