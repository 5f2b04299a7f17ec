/**
 * Identity: one sign-in for citizens, enterprises and staff (统一身份认证). Persons sign
 * up with their phone and verify their real name; enterprises are bound to their credit
 * code with owners, administrators and agents; staff hold roles (data) within a
 * jurisdiction; department systems sign users in through the built-in OIDC provider.
 */
import { FieldCipher } from '../../kernel/crypto.ts';
import type { TongbanModule } from '../../kernel/http.ts';
import { RateLimiter } from '../../kernel/ratelimit.ts';
import { authRoutes } from './auth-routes.ts';
import type { IdentityContext } from './context.ts';
import { enterprisesRoutes } from './enterprises-routes.ts';
import { purgeIdentity } from './housekeeping.ts';
import { oidcRoutes } from './oidc/routes.ts';
import { personsRoutes } from './persons-routes.ts';
import { DemoIdentityVerifier } from './providers/identity-verification.ts';
import { DemoLegalEntityVerifier } from './providers/legal-entity.ts';
import { DemoSmsProvider } from './providers/sms.ts';
import { qrRoutes } from './qr-routes.ts';
import { Sessions } from './sessions.ts';
import { staffRoutes } from './staff-routes.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** The identity module's services (tests read the demo SMS outbox through it). */
    identity: IdentityContext;
  }
}

export const identityModule: TongbanModule = {
  name: 'identity',
  async routes(app, { db, config, auth }) {
    const sessions = new Sessions(db, config);
    auth.useResolver(sessions.resolve);
    const context: IdentityContext = {
      db,
      config,
      auth,
      cipher: new FieldCipher(config.fieldKeys, config.indexKey),
      limiter: new RateLimiter(db, config.rateLimits),
      sessions,
      sms: new DemoSmsProvider({
        onSend: (message) => {
          if (config.nodeEnv === 'development') app.log.info({ sms: message }, 'demo SMS gateway');
        },
      }),
      identityVerifier: new DemoIdentityVerifier(db),
      legalEntityVerifier: new DemoLegalEntityVerifier(db),
    };
    app.decorate('identity', context);
    const purge = setInterval(
      () =>
        void purgeIdentity(db, context.limiter).catch((err: unknown) =>
          app.log.warn({ err }, 'identity purge failed'),
        ),
      10 * 60_000,
    );
    purge.unref();
    app.addHook('onClose', async () => clearInterval(purge));
    authRoutes(app, context);
    personsRoutes(app, context);
    enterprisesRoutes(app, context);
    staffRoutes(app, context);
    qrRoutes(app, context);
    await oidcRoutes(app, context);
  },
};

export type { IdentityContext, ClientCredentialsToken } from './context.ts';
export { deleteClient, registerClient } from './oidc/clients.ts';
export { createStaff, type StaffInput } from './staff.ts';
export { contactPhone, staffOfOrganisation, type StaffContact } from './contacts.ts';
export { actorNames, type ActorName } from './actors.ts';
export { rotateFieldKeys } from './keys.ts';
export { DEMO_PASSWORD, seedDemoIdentities, type DemoIdentities } from './demo.ts';
export { RESOLVE_SQL } from './sessions.ts';
export { Sessions } from './sessions.ts';
export { verifiedIdentity, type VerifiedIdentity } from './verified.ts';
