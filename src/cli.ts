import { createPublicKey, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { verifyAllChains } from './kernel/chain.ts';
import { ConfigError, loadConfig } from './kernel/config.ts';
import { AppError } from './kernel/errors.ts';
import { FieldCipher, passwordPolicy } from './kernel/crypto.ts';
import {
  createStaff,
  DEMO_PASSWORD,
  rotateFieldKeys,
  seedDemoIdentities,
  type DemoIdentities,
} from './modules/identity/index.ts';
import { exportCatalog, importCatalog, reindexCatalog, type FileFormat } from './modules/catalog/index.ts';
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
import { openPlatformDatabase, start } from './main.ts';
import { isSeeded, seed, type Scale } from './seed/index.ts';

const USAGE = `Usage: tongban <command>

  start                          start the platform (seeds the demo city on first start)
  migrate                        apply database migrations
  seed [--scale small|city]      build the demo city, catalog and registries (idempotent)
  catalog import <file> [--publish]   import items from .csv or .xlsx
  catalog export <file>          export the published catalog to .csv or .xlsx
  catalog reindex                rebuild the search index (after search dictionaries change)
  staff create --username u --name n --role r [--role r2] --organisation <id> --region <code>
                                 create a staff account (the first system administrator);
                                 the password is read from TONGBAN_PASSWORD
  audit verify [--prefix case:]  check every hash-chained log (or those whose name starts with the prefix);
                                 exit code 1 when one is broken
  keys rotate                    re-encrypt personal fields with the first FIELD_ENCRYPTION_KEYS key
                                 and recompute blind indexes (after adding a key or a new FIELD_INDEX_KEY)
  verify <licence.pdf|licence.json> --log-key <log-key.pem> [--checkpoint <file>]...
         [--consistency <proof.json>] [--at <ISO time>]
                                 check a licence file offline (no configuration, database or network):
                                 identifier, seal signature, log inclusion, back-dating, status;
                                 checkpoints (signed note or JSON) you hold are compared with the file's
  verify <identifier>            check only an e-licence identifier's form and MOD 37,36 check character
  verify --log-key <pem> --checkpoint <older> --checkpoint <newer> --consistency <proof.json>
                                 check that the newer checkpoint extends the older one
                                 (verify exits 0 when valid, 1 when not, 2 on usage errors)

Environment: PORT, HOST, DATA_DIR, DATABASE_URL, LOG_LEVEL, SESSION_SECRET (see README).`;

const formatOf = (file: string): FileFormat =>
  path.extname(file).toLowerCase() === '.xlsx' ? 'xlsx' : 'csv';
const cliActor = { actor: `cli:${process.env.USER ?? 'operator'}` };

async function main(argv: string[]): Promise<void> {
  // Before anything reads the configuration: verification needs none, nor a database.
  if (argv[0] === 'verify') {
    process.exitCode = await verifyCommand(argv.slice(1));
    return;
  }
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      scale: { type: 'string', default: 'small' },
      publish: { type: 'boolean', default: false },
      role: { type: 'string', multiple: true },
      username: { type: 'string' },
      name: { type: 'string' },
      organisation: { type: 'string' },
      region: { type: 'string', multiple: true },
      prefix: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, sub, file] = positionals;
  if (values.help || !command) return console.log(USAGE);
  const config = loadConfig();

  switch (command) {
    case 'start': {
      const cipher = new FieldCipher(config.fieldKeys, config.indexKey);
      let demo: DemoIdentities | undefined;
      const running = await start(config, async (db) => {
        if (!(await isSeeded(db))) {
          console.log('First start: building the demo city (示例市) ...');
          demo = await seed(db, 'small', (line) => console.log(`  ${line}`), { cipher });
        } else if (config.nodeEnv !== 'production') {
          demo = await seedDemoIdentities({ cipher }, db);
        }
      });
      console.log(`\nTongban (通办) is running at ${running.url}`);
      console.log(`  API docs: ${running.url}/api/docs   health: ${running.url}/api/v1/health`);
      if (demo && config.nodeEnv !== 'production') {
        console.log(`  Demo accounts (password ${DEMO_PASSWORD}):`);
        console.log(`    staff (username): ${demo.staff.map((s) => s.username).join(', ')}`);
        console.log(`    citizens (phone): ${demo.persons.map((p) => `${p.phone} ${p.name}`).join(', ')}`);
      }
      return;
    }
    case 'migrate': {
      const db = await openPlatformDatabase(config);
      await db.close();
      return console.log('Migrations applied.');
    }
    case 'seed': {
      if (values.scale !== 'small' && values.scale !== 'city')
        throw new UsageError('--scale must be small or city');
      const db = await openPlatformDatabase(config);
      try {
        await seed(db, values.scale as Scale, (line) => console.log(line));
      } finally {
        await db.close();
      }
      return;
    }
    case 'catalog': {
      if (sub !== 'reindex' && ((sub !== 'import' && sub !== 'export') || !file)) {
        throw new UsageError('catalog import|export <file>, or catalog reindex');
      }
      const db = await openPlatformDatabase(config);
      try {
        if (sub === 'reindex') {
          console.log(`Reindexed ${await reindexCatalog(db)} items.`);
        } else if (sub === 'import') {
          const report = await importCatalog(db, readFileSync(file!), formatOf(file!), cliActor, {
            publish: values.publish,
          });
          console.log(JSON.stringify({ ...report, codes: undefined }, null, 2));
          if (report.errors.length > 0) process.exitCode = 1;
        } else {
          writeFileSync(file!, await exportCatalog(db, formatOf(file!)));
          console.log(`Exported to ${file}`);
        }
      } finally {
        await db.close();
      }
      return;
    }
    case 'audit': {
      if (sub !== 'verify') throw new UsageError('audit verify [--prefix <chain prefix>]');
      const db = await openPlatformDatabase(config);
      try {
        const report = await verifyAllChains(db, values.prefix ? { prefix: values.prefix } : {});
        console.log(JSON.stringify(report, null, 2));
        if (report.broken.length > 0) process.exitCode = 1;
      } finally {
        await db.close();
      }
      return;
    }
    case 'keys': {
      if (sub !== 'rotate') throw new UsageError('keys rotate');
      const db = await openPlatformDatabase(config);
      try {
        const { rewritten } = await rotateFieldKeys(new FieldCipher(config.fieldKeys, config.indexKey), db);
        console.log(`${rewritten} encrypted fields rewritten with key ${config.fieldKeys[0]!.id}.`);
      } finally {
        await db.close();
      }
      return;
    }
    case 'staff': {
      const password = process.env.TONGBAN_PASSWORD ?? '';
      const weak = passwordPolicy(password);
      if (sub !== 'create' || !values.username || !values.name || !values.role || !values.region)
        throw new UsageError('staff create needs --username, --name, --role, --organisation and --region');
      if (weak) throw new UsageError(`TONGBAN_PASSWORD: ${weak.messageEn}`);
      const db = await openPlatformDatabase(config);
      try {
        const id = await createStaff(
          { cipher: new FieldCipher(config.fieldKeys, config.indexKey) },
          db,
          {
            username: values.username,
            name: values.name,
            password,
            organisationId: Number(values.organisation),
            roles: values.role,
            regionCodes: values.region,
          },
          cliActor,
        );
        console.log(`Staff account ${values.username} created (${id}).`);
      } finally {
        await db.close();
      }
      return;
    }
    default:
      throw new UsageError(`unknown command ${command}`);
  }
}

class UsageError extends Error {}

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
async function verifyCommand(args: string[]): Promise<number> {
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

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof ConfigError) console.error(error.message);
  else if (error instanceof UsageError) console.error(`${error.message}\n\n${USAGE}`);
  else if (error instanceof AppError)
    console.error(`${error.detail ?? error.message}\n${JSON.stringify(error.errors ?? [], null, 2)}`);
  else console.error(error);
  process.exit(1);
});
