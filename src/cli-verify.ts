import { createPublicKey, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { checkLicenceId } from './kernel/identifiers/licence-id.ts';
import { parseCheckpointFile } from './modules/licenses/checkpoint.ts';
import type { Checkpoint } from './modules/licenses/formats.ts';
import { algorithmOfKey } from './modules/licenses/signing.ts';
import {
  bundleFromPdf,
  type ConsistencyProofFile,
  type LicenceStatus,
  verifyBundle,
  verifyCheckpointConsistency,
} from './modules/licenses/verify.ts';
import { USAGE, UsageError } from './cli-usage.ts';

const STATUS_WORDS: Record<LicenceStatus, string> = {
  valid: '有效 valid',
  not_yet_valid: '未生效 not yet valid',
  expired: '已过期 expired',
  suspended: '已暂停 suspended',
  revoked: '已撤销 revoked',
  superseded: '已换发 superseded',
  invalid: '验证未通过 invalid',
};
const CHECK_WORDS: Record<string, string> = {
  file: '文件',
  shape: '格式',
  identifier: '证照标识',
  checkpoint: '检查点',
  sealKey: '印章密钥',
  signature: '印章签名',
  issuance: '签发记录',
  timing: '时间',
  consistency: '一致性',
  status: '状态',
};
const printCheck = (name: string, ok: boolean, detail: string) =>
  console.log(
    `  ${ok ? '✓' : '✗'} ${name.padEnd(12)} ${(CHECK_WORDS[name] ?? '').padEnd(5, '\u3000')} ${detail}`,
  );

/**
 * `tongban verify`: checks a licence file, an identifier, or two checkpoints, fully offline.
 * Returns the exit code: 0 valid, 1 not valid, 2 usage error.
 */
export async function verifyCommand(args: string[]): Promise<number> {
  const usage = (message: string) => {
    console.error(`${message}\n\n${USAGE}`);
    return 2;
  };
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        'log-key': { type: 'string' },
        checkpoint: { type: 'string', multiple: true, default: [] },
        consistency: { type: 'string' },
        at: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    return usage(`verify: ${(error as Error).message}`);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (positionals.length > 1) return usage('verify: one licence file or identifier at a time');
  const [target] = positionals;

  if (target !== undefined && !existsSync(target)) {
    if (/\.(pdf|json)$/i.test(target)) return usage(`verify: no file ${target}`);
    const id = checkLicenceId(target);
    printCheck(
      'identifier',
      id.ok,
      id.ok ? `${id.value}: GB/T 36904 shape and MOD 37,36 check character` : `${id.message} ${id.messageEn}`,
    );
    console.log('\n仅校验了标识格式与校验位；印章与状态请核验证照文件。');
    console.log("Only the identifier's form was checked; verify the licence file for its seal and status.");
    return id.ok ? 0 : 1;
  }

  // Every input file is read before any verdict, so a missing or malformed one is a usage error.
  const read = (file: string) => {
    try {
      return readFileSync(file);
    } catch (error) {
      throw new UsageError(`verify: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? error}`);
    }
  };
  let logKey: KeyObject;
  let checkpoints: Checkpoint[];
  let consistency: ConsistencyProofFile | undefined;
  let bytes = Buffer.alloc(0);
  let now = new Date();
  try {
    if (!values['log-key']) throw new UsageError('verify: --log-key <log-key.pem> is required');
    const keyText = read(values['log-key']).toString('utf8');
    try {
      logKey = keyText.includes('-----BEGIN')
        ? createPublicKey(keyText)
        : createPublicKey({ key: Buffer.from(keyText.trim(), 'base64'), format: 'der', type: 'spki' });
    } catch {
      throw new UsageError(`verify: ${values['log-key']} is not a public key (PEM, or base64 SPKI DER)`);
    }
    if (!algorithmOfKey(logKey))
      throw new UsageError(`verify: ${values['log-key']} is not an Ed25519 or SM2 key`);
    checkpoints = values.checkpoint.map((file) => {
      try {
        return parseCheckpointFile(read(file).toString('utf8'));
      } catch (error) {
        if (error instanceof UsageError) throw error;
        throw new UsageError(`verify: ${file}: ${(error as Error).message}`);
      }
    });
    if (values.consistency) {
      const notProof = `verify: ${values.consistency} is not JSON { "oldSize", "newSize", "hashes" }`;
      const text = read(values.consistency).toString('utf8');
      try {
        consistency = JSON.parse(text) as ConsistencyProofFile;
      } catch {
        throw new UsageError(notProof);
      }
      const { oldSize, newSize, hashes } = (consistency ?? {}) as Partial<ConsistencyProofFile>;
      if (!Number.isSafeInteger(oldSize) || !Number.isSafeInteger(newSize) || !Array.isArray(hashes)) {
        throw new UsageError(notProof);
      }
    }
    if (target !== undefined) bytes = read(target);
    if (values.at !== undefined) {
      now = new Date(values.at);
      if (Number.isNaN(now.getTime())) throw new UsageError(`verify: --at ${values.at} is not a time`);
    }
  } catch (error) {
    if (error instanceof UsageError) return usage(error.message);
    throw error;
  }

  if (target === undefined) {
    if (!consistency || checkpoints.length !== 2) {
      return usage('verify: give a licence file, an identifier, or two --checkpoint files and --consistency');
    }
    const [older, newer] = [...checkpoints].sort((a, b) => a.treeSize - b.treeSize) as [
      Checkpoint,
      Checkpoint,
    ];
    const result = verifyCheckpointConsistency(older, newer, consistency, logKey);
    printCheck('consistency', result.ok, result.detail);
    console.log(`\n${result.ok ? '一致 consistent' : '不一致 NOT consistent'}`);
    return result.ok ? 0 : 1;
  }

  let bundle: unknown;
  const isPdf = bytes.subarray(0, 5).toString('latin1') === '%PDF-';
  try {
    bundle = isPdf ? await bundleFromPdf(bytes) : (JSON.parse(bytes.toString('utf8')) as unknown);
  } catch (error) {
    printCheck('file', false, `${target}: ${(error as Error).message}`);
    console.log(`\n状态 Status: ${STATUS_WORDS.invalid}`);
    return 1;
  }
  let proof: { from: Checkpoint; to: Checkpoint; proof: ConsistencyProofFile } | undefined;
  if (consistency) {
    const own = (bundle as { checkpoint?: Checkpoint } | null)?.checkpoint;
    const known = own ? [own, ...checkpoints] : checkpoints;
    const from = known.find((cp) => cp.treeSize === consistency.oldSize);
    const to = known.find((cp) => cp.treeSize === consistency.newSize);
    if (!from || !to) {
      return usage(
        `verify: no checkpoint of size ${consistency.oldSize} and ${consistency.newSize} for --consistency`,
      );
    }
    proof = { from, to, proof: consistency };
  }
  const result = verifyBundle(bundle, { logKey, checkpoints, now, ...(proof ? { consistency: proof } : {}) });
  const licence = (bundle as { licence?: Record<string, { name?: string } | undefined> } | null)?.licence;
  if (result.checks[0]?.ok && licence) {
    console.log(`${licence.licenceType?.name} ${result.licenceId}`);
    console.log(`  ${licence.holder?.name} · ${licence.issuer?.name}\n`);
  }
  for (const check of result.checks) printCheck(check.name, check.ok, check.detail);
  console.log(`\n状态 Status: ${STATUS_WORDS[result.status]}`);
  if (isPdf) {
    console.log(
      'The data verified is the licence.json attached to the PDF; compare the printed page with it.',
    );
  }
  return result.ok ? 0 : 1;
}
