import type { Auth } from '../../kernel/auth.ts';
import type { Config } from '../../kernel/config.ts';
import type { FieldCipher } from '../../kernel/crypto.ts';
import type { Database } from '../../kernel/db.ts';
import type { RateLimiter } from '../../kernel/ratelimit.ts';
import type { IdentityVerifier } from './providers/identity-verification.ts';
import type { LegalEntityVerifier } from './providers/legal-entity.ts';
import type { SmsProvider } from './providers/sms.ts';
import type { Sessions } from './sessions.ts';

/** Everything the identity module's use cases and routes share. */
export interface IdentityContext {
  db: Database;
  config: Config;
  auth: Auth;
  cipher: FieldCipher;
  limiter: RateLimiter;
  sessions: Sessions;
  sms: SmsProvider;
  identityVerifier: IdentityVerifier;
  legalEntityVerifier: LegalEntityVerifier;
  /**
   * Verifies an access token issued by the OIDC provider for the client credentials grant:
   * its client and scopes, or null when it is unknown, expired or revoked. Set up with the
   * provider's routes.
   */
  clientCredentialsToken?: (token: string) => Promise<ClientCredentialsToken | null>;
}

export interface ClientCredentialsToken {
  clientId: string;
  scopes: string[];
}
