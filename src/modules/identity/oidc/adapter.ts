import type { Adapter, AdapterPayload } from 'oidc-provider';
import type { FieldCipher } from '../../../kernel/crypto.ts';
import type { Database } from '../../../kernel/db.ts';
import { clientMetadata, type ClientRow } from './clients.ts';

interface PayloadRow {
  payload: AdapterPayload;
  consumed_at: Date | null;
}

const epoch = (date: Date) => Math.floor(date.getTime() / 1000);

/**
 * oidc-provider's storage over the platform database: one row per artefact in
 * oidc_payload. Clients are not stored here: the `Client` model reads the clients that
 * administrators registered (oidc_client), with the secret decrypted for the provider.
 */
export function sqlAdapterFactory(db: Database, cipher: FieldCipher): (kind: string) => Adapter {
  return (kind) => (kind === 'Client' ? new ClientAdapter(db, cipher) : new PayloadAdapter(db, kind));
}

class PayloadAdapter implements Adapter {
  constructor(
    private readonly db: Database,
    private readonly kind: string,
  ) {}

  async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
    await this.db.query(
      `insert into oidc_payload (kind, id, payload, grant_id, user_code, uid, expires_at)
       values ($1, $2, $3, $4, $5, $6, case when $7::int is null then null else now() + make_interval(secs => $7::int) end)
       on conflict (kind, id) do update
          set payload = excluded.payload, grant_id = excluded.grant_id, user_code = excluded.user_code,
              uid = excluded.uid, expires_at = excluded.expires_at`,
      [
        this.kind,
        id,
        JSON.stringify(payload),
        payload.grantId ?? null,
        payload.userCode ?? null,
        payload.uid ?? null,
        typeof expiresIn === 'number' ? Math.ceil(expiresIn) : null,
      ],
    );
  }

  find(id: string): Promise<AdapterPayload | undefined> {
    return this.findWhere('id = $2', id);
  }

  findByUid(uid: string): Promise<AdapterPayload | undefined> {
    return this.findWhere('uid = $2', uid);
  }

  findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    return this.findWhere('user_code = $2', userCode);
  }

  async consume(id: string): Promise<void> {
    await this.db.query(
      'update oidc_payload set consumed_at = now() where kind = $1 and id = $2 and consumed_at is null',
      [this.kind, id],
    );
  }

  async destroy(id: string): Promise<void> {
    await this.db.query('delete from oidc_payload where kind = $1 and id = $2', [this.kind, id]);
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    // Every token and code of the grant, whatever this adapter's kind (as the reference adapter does).
    await this.db.query('delete from oidc_payload where grant_id = $1', [grantId]);
  }

  private async findWhere(condition: string, value: string): Promise<AdapterPayload | undefined> {
    const [row] = await this.db.query<PayloadRow>(
      `select payload, consumed_at from oidc_payload
        where kind = $1 and ${condition} and (expires_at is null or expires_at > now())`,
      [this.kind, value],
    );
    if (!row) return undefined;
    return row.consumed_at ? { ...row.payload, consumed: epoch(row.consumed_at) } : row.payload;
  }
}

/** Read-only: clients are registered through the administration API, not by the provider. */
class ClientAdapter implements Adapter {
  constructor(
    private readonly db: Database,
    private readonly cipher: FieldCipher,
  ) {}

  async find(id: string): Promise<AdapterPayload | undefined> {
    const [row] = await this.db.query<ClientRow>(
      'select * from oidc_client where client_id = $1 and deleted_at is null',
      [id],
    );
    return row ? (clientMetadata(row, this.cipher) as AdapterPayload) : undefined;
  }

  async upsert(): Promise<void> {
    throw new Error('OIDC clients are registered through /api/v1/identity/oidc-clients');
  }
  async findByUid(): Promise<undefined> {}
  async findByUserCode(): Promise<undefined> {}
  async consume(): Promise<void> {}
  async destroy(): Promise<void> {}
  async revokeByGrantId(): Promise<void> {}
}

/** Deletes expired artefacts and the enterprise consents of grants that no longer exist. */
export async function purgeExpired(db: Database): Promise<void> {
  await db.query('delete from oidc_payload where expires_at < now()');
  await db.query(
    `delete from oidc_grant_enterprise g
      where g.consented_at < now() - interval '1 hour'
        and not exists (select 1 from oidc_payload p where p.kind = 'Grant' and p.id = g.grant_id)`,
  );
}
