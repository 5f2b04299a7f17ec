/**
 * Data sharing (数据共享交换, issue 6): the resource catalog over the base registries and the
 * licence library; consumers (department applications with API keys or OIDC client
 * credentials) that ask providers for grants (purpose, fields, masking, expiry); lookups,
 * batch lookups and yes/no verification checked against the grant; every access recorded
 * and sealed into a transparency log; providers see who used their data, citizens who
 * looked at theirs.
 */
import type { FieldCipher } from '../../kernel/crypto.ts';
import type { Database } from '../../kernel/db.ts';
import { AppError } from '../../kernel/errors.ts';
import type { TongbanModule } from '../../kernel/http.ts';
import { licenceSummary, Signer, TransparencyLog, type LogAudit } from '../licenses/index.ts';
import { getCreditRecords, getEnterprise, getPerson } from '../registries/index.ts';
import { auditAccesses, EXCHANGE_LOG, sequenceAccesses } from './audit.ts';
import { NatsFeed, subscribeFeed } from './feed.ts';
import { installResources } from './resources.ts';
import { AccessWriter } from './access-writer.ts';
import { batchRoutes } from './batch-routes.ts';
import { exchangeRoutes } from './routes.ts';
import { emptyCache, type AccessEntry, type ExchangeDeps } from './service.ts';

declare module 'fastify' {
  interface FastifyInstance {
    exchange: ExchangeDeps;
  }
}

/** null for a record that does not exist (the registries answer 404). */
const orNull = async <T>(read: () => Promise<T>): Promise<T | null> => {
  try {
    return await read();
  } catch (error) {
    if (error instanceof AppError && error.code === 'not_found') return null;
    throw error;
  }
};

function recordReaders(cipher: FieldCipher): ExchangeDeps['records'] {
  return {
    'population.person': async (db, key) => {
      const p = await orNull(() => getPerson(db, key));
      return p && [{ ...p }];
    },
    'legal_entity.enterprise': async (db, key) => {
      const e = await orNull(() => getEnterprise(db, key));
      if (!e) return null;
      const { legalRepresentative, ...rest } = e;
      return [{ ...rest, legalRepresentativeName: legalRepresentative.name }];
    },
    // A subject with no credit records is an answer too (a clean record): an empty list.
    'credit.record': async (db, key) =>
      (await getCreditRecords(db, key)).records.map(
        ({ details: _details, id: _id, subjectKind: _kind, ...r }) => r,
      ),
    'licence.licence': async (db, key) => {
      const summary = await licenceSummary({ cipher }, db, key);
      return summary && [summary];
    },
  };
}

export const exchangeModule: TongbanModule = {
  name: 'exchange',
  routes(app, context) {
    const { db, config } = context;
    const cipher = app.identity.cipher;
    const log = new TransparencyLog<AccessEntry>(EXCHANGE_LOG, new Signer(cipher));
    const deps: ExchangeDeps = {
      db,
      cipher,
      log,
      cache: emptyCache(),
      accesses: new AccessWriter(db),
      records: recordReaders(cipher),
    };
    app.decorate('exchange', deps);
    app.addHook('onReady', async () => {
      await installResources(db);
      await log.open(db, `${new URL(config.publicUrl).host}/exchange`, config.licences.algorithm);
    });
    app.jobs.push(
      { name: 'exchange.sequence', everyMs: 2_000, run: () => sequenceAccesses(deps) },
      {
        name: 'exchange.checkpoint',
        everyMs: config.licences.checkpointSeconds * 1000,
        run: async () => (await sequenceAccesses(deps), log.checkpoint(db)),
      },
    );
    const nats = config.natsUrl ? new NatsFeed(config.natsUrl) : null;
    if (nats) app.addHook('onClose', () => nats.close());
    subscribeFeed(context.outbox, db, cipher, { nats });
    exchangeRoutes(app, context, deps);
    batchRoutes(app, context);
  },
};

/** Audits the exchange access log (for `tongban audit verify`); null when none exists yet. */
export async function auditExchangeLog(db: Database, cipher: FieldCipher): Promise<LogAudit | null> {
  const log = await TransparencyLog.existing<AccessEntry>(db, EXCHANGE_LOG, new Signer(cipher));
  return log ? auditAccesses({ db, log }) : null;
}

export { sequenceAccesses, auditAccesses, EXCHANGE_LOG } from './audit.ts';
export { installResources } from './resources.ts';
export {
  FEED_TOPICS,
  NATS_STREAM,
  natsSubject,
  type FeedDelivery,
  type RecordsChangedEvent,
} from './feed.ts';
export type { ExchangeDeps, AccessEntry } from './service.ts';
