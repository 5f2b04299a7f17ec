/**
 * E-licences (电子证照, issue 5): licence types, e-seals (SM2/SM3 and Ed25519 keys held by
 * the signing component), issuance (automatic when a case produces a licence, manual for
 * administrators), a transparency log (RFC 9162 Merkle tree with signed checkpoints,
 * inclusion and consistency proofs), the lifecycle, public verification by QR code, the
 * holder's wallet with authorisations to read a licence, and the log of who read it.
 */
import type { TongbanModule } from '../../kernel/http.ts';
import { CASE_TOPICS, type CaseStepEvent } from '../cases/index.ts';
import { issueFromCase, LICENCE_ISSUER } from './from-cases.ts';
import { TransparencyLog, type LogAudit } from './log.ts';
import type { FieldCipher } from '../../kernel/crypto.ts';
import type { Queryable } from '../../kernel/db.ts';
import { licenceRoutes } from './routes.ts';
import { expireLicences, findLicence, installLicenceTypes, type LicensesDeps } from './service.ts';
import { currentStatus } from './verification.ts';
import { remindExpiring } from './reminders.ts';
import { Signer } from './signer.ts';

/** The name of the licences' transparency log. */
export const LICENCE_LOG = 'licences';

declare module 'fastify' {
  interface FastifyInstance {
    /** The licences module's services (tests and benchmarks issue through them). */
    licenses: LicensesDeps;
  }
}

export const licensesModule: TongbanModule = {
  name: 'licenses',
  async routes(app, context) {
    const { db, config } = context;
    const cipher = app.identity.cipher;
    const signer = new Signer(cipher);
    const log = new TransparencyLog(LICENCE_LOG, signer);
    const deps: LicensesDeps = {
      db,
      cipher,
      signer,
      log,
      algorithm: config.licences.algorithm,
      sealKeys: new Map(),
    };
    app.decorate('licenses', deps);
    app.addHook('onReady', async () => {
      await installLicenceTypes(db);
      await log.open(db, `${new URL(config.publicUrl).host}/licences`, config.licences.algorithm);
    });
    context.outbox.subscribe<CaseStepEvent>(LICENCE_ISSUER, [CASE_TOPICS.transitioned], (event) =>
      issueFromCase(deps, app.identity, event),
    );
    app.jobs.push(
      {
        name: 'licences.checkpoint',
        everyMs: config.licences.checkpointSeconds * 1000,
        run: () => log.checkpoint(db),
      },
      { name: 'licences.expiry', everyMs: 3_600_000, run: () => expireLicences(deps) },
      {
        name: 'licences.reminders',
        everyMs: 3_600_000,
        run: () => remindExpiring(deps, config.licences.expiryReminderDays),
      },
    );
    await licenceRoutes(app, context, deps);
  },
};

/**
 * Audits the stored licence log from scratch (every leaf hash and every signed checkpoint's
 * root); null when no licence log exists yet. For `tongban audit verify`.
 */
export async function auditLicenceLog(db: Queryable, cipher: FieldCipher): Promise<LogAudit | null> {
  const log = await TransparencyLog.existing(db, LICENCE_LOG, new Signer(cipher));
  return log ? log.audit(db) : null;
}

/** A licence's summary as the licence library (电子证照库) shares it: no face data beyond the holder. */
export async function licenceSummary(
  deps: Pick<LicensesDeps, 'cipher'>,
  db: Queryable,
  id: string,
): Promise<Record<string, string | null> | null> {
  const licence = await findLicence(deps, db, id);
  if (!licence) return null;
  return {
    id: licence.id,
    typeName: licence.data.licenceType.name,
    holderName: licence.data.holder.name,
    holderIdentifier: licence.data.holder.identifier,
    issuerName: licence.data.issuer.name,
    issueDate: licence.data.issueDate,
    validUntil: licence.data.validUntil,
    status: currentStatus(licence, new Date()),
  };
}

export type { LicensesDeps, IssueInput, IssuedLicence, StoredLicence, LicenceStatus } from './service.ts';
export { issueLicences, createSeal, findLicenceType } from './service.ts';
export { LICENCE_TOPICS, type LicenceExpiringEvent } from './reminders.ts';
export { holderIndexOf, holderIndexOfIdentifier, listHeldLicences, useHeldLicence } from './wallet.ts';
export {
  TransparencyLog,
  type AppendedEntry,
  type EntryToAppend,
  type LogAudit,
  type LoggedEntry,
} from './log.ts';
export { Signer } from './signer.ts';
export { canonicalJson } from './canonical.ts';
