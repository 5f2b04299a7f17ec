/**
 * The platform's commands (start, migrate, seed, catalog, staff, audit, keys). Loaded only
 * for them: `tongban verify` (cli-verify.ts) needs none of the platform.
 */
import { readFileSync, writeFileSync } from 'node:fs';
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
import { auditExchangeLog } from './modules/exchange/index.ts';
import { auditLicenceLog } from './modules/licenses/index.ts';
import { issueDemoBusinessLicence } from './seed/licensing.ts';
import { openPlatformDatabase, start } from './main.ts';
import { USAGE, UsageError } from './cli-usage.ts';
import { isSeeded, seed, type Scale } from './seed/index.ts';

const formatOf = (file: string): FileFormat =>
  path.extname(file).toLowerCase() === '.xlsx' ? 'xlsx' : 'csv';
const cliActor = { actor: `cli:${process.env.USER ?? 'operator'}` };

async function main(argv: string[]): Promise<void> {
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
      const enterprise = demo?.persons.find((p) => p.legalRepresentativeOf)?.legalRepresentativeOf;
      if (enterprise && config.nodeEnv !== 'production')
        await issueDemoBusinessLicence(running.app.licenses, enterprise.uscc);
      console.log(`\nTongban (通办) is running at ${running.url}`);
      console.log(`  API docs: ${running.url}/api/docs   health: ${running.url}/api/v1/health`);
      if (demo && config.nodeEnv !== 'production') {
        console.log(`  Demo accounts (password ${DEMO_PASSWORD}):`);
        console.log(`    staff (username): ${demo.staff.map((s) => s.username).join(', ')}`);
        console.log(`    citizens (phone): ${demo.persons.map((p) => `${p.phone} ${p.name}`).join(', ')}`);
        if (enterprise)
          console.log(
            `    enterprise: ${enterprise.name} ${enterprise.uscc} (its legal representative is the first citizen)`,
          );
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
        // Without a prefix, the licences' transparency log is audited too (every leaf and checkpoint).
        const cipher = new FieldCipher(config.fieldKeys, config.indexKey);
        const logs = values.prefix
          ? {}
          : {
              licenceLog: await auditLicenceLog(db, cipher),
              exchangeLog: await auditExchangeLog(db, cipher),
            };
        console.log(JSON.stringify({ ...report, ...logs }, null, 2));
        if (report.broken.length > 0 || Object.values(logs).some((log) => log?.ok === false))
          process.exitCode = 1;
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

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof ConfigError) console.error(error.message);
  else if (error instanceof UsageError) console.error(`${error.message}\n\n${USAGE}`);
  else if (error instanceof AppError)
    console.error(`${error.detail ?? error.message}\n${JSON.stringify(error.errors ?? [], null, 2)}`);
  else console.error(error);
  process.exit(1);
});
