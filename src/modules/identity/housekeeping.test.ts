import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/helpers/app.ts';
import { personSession } from '../../../test/helpers/identity.ts';
import { purgeIdentity } from './housekeeping.ts';

describe('identity housekeeping', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.drop());

  it('deletes long-ended sessions and dead codes, and keeps what is live or recent', async () => {
    const live = await personSession(t.app, t.db);
    const old = await personSession(t.app, t.db);
    const recent = await personSession(t.app, t.db);
    await t.db.query(
      `update identity_session set revoked_at = now() - interval '31 days' where account_id = $1`,
      [old.accountId],
    );
    await t.db.query(
      `update identity_session set revoked_at = now() - interval '1 day' where account_id = $1`,
      [recent.accountId],
    );
    await t.db.query(
      `insert into identity_sms_code (phone_index, purpose, code_hash, expires_at)
       values ('dead', 'login', 'x', now() - interval '2 days'), ('alive', 'login', 'x', now() + interval '5 minutes')`,
    );
    await t.db.query(
      `insert into identity_qr_login (id, desktop_binding_hash, expires_at)
       values ('dead', 'x', now() - interval '2 days'), ('alive', 'x', now() + interval '2 minutes')`,
    );

    await purgeIdentity(t.db, t.app.identity.limiter);

    const sessions = await t.db.query<{ account_id: string }>('select account_id from identity_session');
    expect(sessions.map((s) => s.account_id).sort()).toEqual([live.accountId, recent.accountId].sort());
    expect(await t.db.query('select phone_index from identity_sms_code')).toEqual([{ phone_index: 'alive' }]);
    expect(await t.db.query('select id from identity_qr_login')).toEqual([{ id: 'alive' }]);
    const me = await t.app.inject({
      url: '/api/v1/identity/me',
      headers: { authorization: live.authorization },
    });
    expect(me.statusCode).toBe(200);
  });
});
