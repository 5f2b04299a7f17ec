import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import type { FieldCipher } from '../../../kernel/crypto.ts';
import type { Database } from '../../../kernel/db.ts';

const KEYS_PURPOSE = 'oidcKeys';
const CURRENT = 'current';

async function newSigningKey(alg: 'RS256' | 'ES256'): Promise<JWK> {
  const { privateKey } = await generateKeyPair(alg, {
    extractable: true,
    ...(alg === 'RS256' && { modulusLength: 2048 }),
  });
  const jwk = await exportJWK(privateKey);
  return { ...jwk, kid: await calculateJwkThumbprint(jwk), alg, use: 'sig' };
}

/**
 * The provider's private signing keys, generated once and kept encrypted in the database
 * so that every process and every restart signs with (and publishes) the same keys.
 * Concurrent first starts race on the insert; the loser reads the winner's keys.
 */
export async function loadSigningKeys(db: Database, cipher: FieldCipher): Promise<{ keys: JWK[] }> {
  const read = async () => {
    const [row] = await db.query<{ jwks_enc: string }>(
      'select jwks_enc from oidc_signing_keys where id = $1',
      [CURRENT],
    );
    return row ? (JSON.parse(cipher.decrypt(row.jwks_enc, KEYS_PURPOSE)) as { keys: JWK[] }) : undefined;
  };
  const existing = await read();
  if (existing) return existing;
  const generated = { keys: [await newSigningKey('RS256'), await newSigningKey('ES256')] };
  await db.query('insert into oidc_signing_keys (id, jwks_enc) values ($1, $2) on conflict (id) do nothing', [
    CURRENT,
    cipher.encrypt(JSON.stringify(generated), KEYS_PURPOSE),
  ]);
  return (await read())!;
}
