import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRng, generateResidentId } from '../../src/kernel/identifiers/index.ts';
import { maskIdNumber, maskPhone } from '../../src/kernel/crypto.ts';
import type { DemoSmsProvider } from '../../src/modules/identity/providers/sms.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { anyOrganisation, personSession, staffSession } from '../helpers/identity.ts';

let t: TestApp;
const rng = createRng(20240603);
let phoneSequence = 0;

beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.drop();
});

const newPhone = () => `137${String(20_000_000 + ++phoneSequence * 104_729).slice(-8)}`;

/** A resident of the population registry; returns their ID number. */
async function resident(name: string): Promise<string> {
  const idNumber = generateResidentId(rng, { regionCode: '110105' });
  const birth = `${idNumber.slice(6, 10)}-${idNumber.slice(10, 12)}-${idNumber.slice(12, 14)}`;
  await t.db.query(
    `insert into registry_person (id_number, name, sex, birth_date, region_code) values ($1, $2, $3, $4, '110105001001')`,
    [idNumber, name, Number(idNumber[16]) % 2 === 1 ? 'M' : 'F', birth],
  );
  return idNumber;
}

function call(
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  url: string,
  authorization?: string,
  payload?: object,
) {
  return t.app.inject({
    method,
    url,
    headers: authorization ? { authorization } : {},
    ...(payload !== undefined && { payload }),
  });
}

async function account(id: string) {
  const [row] = await t.db.query<{
    name: string | null;
    id_number_enc: string | null;
    id_number_index: string | null;
    assurance: number;
    status: string;
    password_hash: string | null;
    phone_index: string | null;
    closed_at: Date | null;
  }>(
    `select name, id_number_enc, id_number_index, assurance, status, password_hash, phone_index, closed_at
       from identity_account where id = $1`,
    [id],
  );
  return row!;
}

async function auditActions(
  accountId: string,
): Promise<{ action: string; after: Record<string, unknown> }[]> {
  return t.db.query(
    `select action, after from audit_log where entity = 'identity_account' and entity_id = $1 order by id`,
    [accountId],
  );
}

/** A real-name-verified person (L2) through the route; returns the new bearer header. */
async function verifiedPerson(name: string) {
  const idNumber = await resident(name);
  const person = await personSession(t.app, t.db, { phone: newPhone() });
  const res = await call('POST', '/api/v1/identity/me/real-name', person.authorization, { name, idNumber });
  expect(res.statusCode).toBe(200);
  return { ...person, idNumber, authorization: `Bearer ${res.json().session.token as string}` };
}

/** Sends an SMS code through the sign-in module's route and reads it from the demo gateway. */
async function smsCode(
  phone: string,
  purpose: 'change_phone' | 'confirm',
  authorization: string,
): Promise<string> {
  const res = await call('POST', '/api/v1/identity/sms-codes', authorization, { phone, purpose });
  expect(res.statusCode).toBe(202);
  return (t.app.identity.sms as DemoSmsProvider).lastCode(phone)!;
}

async function setPassword(authorization: string, password: string) {
  const res = await call('PUT', '/api/v1/identity/me/password', authorization, { newPassword: password });
  expect(res.statusCode).toBe(200);
}

describe('profile', () => {
  it('refuses an anonymous caller', async () => {
    const res = await call('GET', '/api/v1/identity/me');
    expect(res.statusCode).toBe(401);
    expect(res.headers['content-type']).toContain('application/problem+json');
  });

  it('shows a person their profile with the phone masked and nothing unverified', async () => {
    const person = await personSession(t.app, t.db, { phone: newPhone() });
    const res = await call('GET', '/api/v1/identity/me', person.authorization);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      id: person.accountId,
      kind: 'person',
      name: null,
      phone: maskPhone(person.phone),
      idNumber: null,
      assurance: 1,
      hasPassword: false,
      realNameVerifiedAt: null,
      enterprises: [],
      acting: null,
      staff: null,
    });
    expect(res.body).not.toContain(person.phone);
  });

  it('lists the enterprises a person may act for, live mandates only', async () => {
    const person = await personSession(t.app, t.db, { phone: newPhone() });
    const organisation = await anyOrganisation(t.db);
    const [live, expired] = await t.db.query<{ id: string }>(
      `insert into identity_enterprise (uscc, name, legal_representative_name, region_code, verified_at, created_by)
       values ('91110105MA00000001', '示例甲公司', '某某', $1, now(), $2),
              ('91110105MA00000002', '示例乙公司', '某某', $1, now(), $2) returning id`,
      [organisation.regionCode, person.accountId],
    );
    await t.db.query(
      `insert into identity_enterprise_member (enterprise_id, account_id, role, item_codes, expires_at, appointed_by)
       values ($1, $3, 'agent', '{A1}', now() + interval '1 day', $3),
              ($2, $3, 'agent', '{A1}', now() - interval '1 day', $3)`,
      [live!.id, expired!.id, person.accountId],
    );
    const res = await call('GET', '/api/v1/identity/me', person.authorization);
    expect(res.json().enterprises).toEqual([
      expect.objectContaining({
        enterpriseId: live!.id,
        name: '示例甲公司',
        role: 'agent',
        itemCodes: ['A1'],
      }),
    ]);
  });

  it('shows staff their roles, permissions and jurisdiction', async () => {
    const staff = await staffSession(t.app, t.db, ['approver']);
    const res = await call('GET', '/api/v1/identity/me', staff.authorization);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.kind).toBe('staff');
    expect(body.staff.roles).toEqual(['approver']);
    expect(body.staff.permissions).toContain('case.decide');
    expect(body.staff.jurisdiction.regionCodes.length).toBeGreaterThan(0);
  });

  it('changes the contact details and refuses a malformed e-mail', async () => {
    const person = await personSession(t.app, t.db, { phone: newPhone() });
    const bad = await call('PATCH', '/api/v1/identity/me', person.authorization, { email: 'not-an-address' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0]).toMatchObject({ field: 'email', rule: 'format' });
    const res = await call('PATCH', '/api/v1/identity/me', person.authorization, {
      email: 'Zhang@Example.cn',
      address: '示例市长安区民生路1号',
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ email: 'zhang@example.cn', address: '示例市长安区民生路1号' });
    const cleared = await call('PATCH', '/api/v1/identity/me', person.authorization, { address: null });
    expect(cleared.json()).toMatchObject({ email: 'zhang@example.cn', address: null });
    expect((await auditActions(person.accountId)).map((a) => a.action)).toContain('identity.profile.update');
  });
});

describe('real-name verification', () => {
  it('refuses an ID number with a wrong check digit before asking the registry', async () => {
    const idNumber = await resident('王小明');
    const wrong = idNumber.slice(0, 17) + (idNumber[17] === '1' ? '2' : '1');
    const person = await personSession(t.app, t.db, { phone: newPhone() });
    const res = await call('POST', '/api/v1/identity/me/real-name', person.authorization, {
      name: '王小明',
      idNumber: wrong,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual([expect.objectContaining({ field: 'idNumber', rule: 'checkDigit' })]);
    expect(await account(person.accountId)).toMatchObject({ assurance: 1, name: null, id_number_enc: null });
    const [event] = await auditActions(person.accountId);
    expect(event).toMatchObject({ action: 'identity.realname.failed' });
  });

  it('refuses a name that does not match the registry, changes nothing and audits the failure', async () => {
    const idNumber = await resident('李四海');
    const person = await personSession(t.app, t.db, { phone: newPhone() });
    const res = await call('POST', '/api/v1/identity/me/real-name', person.authorization, {
      name: '李四',
      idNumber,
    });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({
      code: 'unprocessable',
      errors: [{ field: 'idNumber', rule: 'realName' }],
    });
    expect(await account(person.accountId)).toMatchObject({ assurance: 1, name: null, id_number_enc: null });
    // The old session still works: nothing was rotated.
    expect((await call('GET', '/api/v1/identity/me', person.authorization)).statusCode).toBe(200);
    const events = await auditActions(person.accountId);
    const failure = events.find((e) => e.action === 'identity.realname.failed');
    expect(failure?.after).toMatchObject({ reason: 'name_mismatch', idNumber: maskIdNumber(idNumber) });
    expect(JSON.stringify(events)).not.toContain(idNumber);
  });

  it('refuses an ID number missing from the registry with the same answer as a wrong name', async () => {
    const person = await personSession(t.app, t.db, { phone: newPhone() });
    const unknown = generateResidentId(rng, { regionCode: '110105' });
    const res = await call('POST', '/api/v1/identity/me/real-name', person.authorization, {
      name: '赵六',
      idNumber: unknown,
    });
    expect(res.statusCode).toBe(422);
    const events = await auditActions(person.accountId);
    expect(events.at(-1)?.after).toMatchObject({ reason: 'not_found' });
  });

  it('verifies the real name: L2, encrypted ID number, and a rotated session', async () => {
    const idNumber = await resident('陈静怡');
    const person = await personSession(t.app, t.db, { phone: newPhone() });
    const res = await call('POST', '/api/v1/identity/me/real-name', person.authorization, {
      name: '陈静怡',
      idNumber: idNumber.toLowerCase(),
    });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.assurance).toBe(2);
    expect(body.session.channel).toBe('bearer');
    const fresh = `Bearer ${body.session.token as string}`;
    expect(fresh).not.toBe(person.authorization);

    expect((await call('GET', '/api/v1/identity/me', person.authorization)).statusCode).toBe(401);
    const me = await call('GET', '/api/v1/identity/me', fresh);
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ name: '陈静怡', idNumber: maskIdNumber(idNumber), assurance: 2 });
    expect(me.body).not.toContain(idNumber);

    const row = await account(person.accountId);
    expect(row.id_number_enc).not.toContain(idNumber);
    expect(t.app.identity.cipher.decrypt(row.id_number_enc!, 'idNumber')).toBe(idNumber);
    expect(row.id_number_index).toBe(t.app.identity.cipher.index(idNumber, 'idNumber'));

    const again = await call('POST', '/api/v1/identity/me/real-name', fresh, { name: '陈静怡', idNumber });
    expect(again.statusCode).toBe(409);
  });

  it('allows one live account per resident', async () => {
    const first = await verifiedPerson('周建国');
    const second = await personSession(t.app, t.db, { phone: newPhone() });
    const res = await call('POST', '/api/v1/identity/me/real-name', second.authorization, {
      name: '周建国',
      idNumber: first.idNumber,
    });
    expect(res.statusCode).toBe(409);
    expect(await account(second.accountId)).toMatchObject({ assurance: 1, id_number_enc: null });
  });

  it('refuses the 6th attempt of a day without asking the registry', async () => {
    const idNumber = await resident('孙丽');
    const person = await personSession(t.app, t.db, { phone: newPhone() });
    for (let i = 0; i < 5; i++) {
      const res = await call('POST', '/api/v1/identity/me/real-name', person.authorization, {
        name: `孙丽${'丽'.repeat(i + 1)}`,
        idNumber,
      });
      expect(res.statusCode).toBe(422);
    }
    const sixth = await call('POST', '/api/v1/identity/me/real-name', person.authorization, {
      name: '孙丽',
      idNumber,
    });
    expect(sixth.statusCode).toBe(429);
    expect(await account(person.accountId)).toMatchObject({ assurance: 1 });
  });

  it('is for persons only', async () => {
    const staff = await staffSession(t.app, t.db, ['window_clerk']);
    const res = await call('POST', '/api/v1/identity/me/real-name', staff.authorization, {
      name: '某人',
      idNumber: '11010519491231002X',
    });
    expect(res.statusCode).toBe(403);
  });
});

describe('face verification', () => {
  it('requires the real name first', async () => {
    const person = await personSession(t.app, t.db, { phone: newPhone() });
    const res = await call('POST', '/api/v1/identity/me/face', person.authorization, {
      evidence: 'demo-face:x',
    });
    expect(res.statusCode).toBe(403);
  });

  it('refuses other evidence and raises a verified person to L3 with the demo token', async () => {
    const person = await verifiedPerson('吴晓光');
    const photo = Buffer.from([0xff, 0xd8, 0xff, 0xe0, ...Array<number>(40).fill(7)]).toString('base64');
    const refused = await call('POST', '/api/v1/identity/me/face', person.authorization, { evidence: photo });
    expect(refused.statusCode).toBe(422);
    expect(refused.json()).toMatchObject({ liveness: true });
    expect(refused.json().score).toBeLessThan(0.5);
    const otherId = generateResidentId(rng);
    const foreign = await call('POST', '/api/v1/identity/me/face', person.authorization, {
      evidence: `demo-face:${otherId}`,
    });
    expect(foreign.statusCode).toBe(422);
    expect((await account(person.accountId)).assurance).toBe(2);

    const res = await call('POST', '/api/v1/identity/me/face', person.authorization, {
      evidence: `demo-face:${person.idNumber}`,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().assurance).toBe(3);
    expect((await call('GET', '/api/v1/identity/me', person.authorization)).statusCode).toBe(401);
    const me = await call('GET', '/api/v1/identity/me', `Bearer ${res.json().session.token as string}`);
    expect(me.json()).toMatchObject({ assurance: 3 });
    expect(me.json().faceVerifiedAt).not.toBeNull();
  });
});

describe('password', () => {
  it('sets a first password, then requires the current one and ends the other sessions on change', async () => {
    const person = await personSession(t.app, t.db, { phone: newPhone() });
    const weak = await call('PUT', '/api/v1/identity/me/password', person.authorization, {
      newPassword: 'short',
    });
    expect(weak.statusCode).toBe(400);
    expect(weak.json().errors[0]).toMatchObject({ field: 'newPassword', rule: 'passwordStrength' });

    await setPassword(person.authorization, 'first-Pass-1');
    expect((await account(person.accountId)).password_hash).toMatch(/^\$argon2id\$/);

    const other = await t.app.identity.sessions.open(t.db, person.accountId, 'bearer', {});
    const otherAuth = `Bearer ${other.token}`;
    expect((await call('GET', '/api/v1/identity/me', otherAuth)).statusCode).toBe(200);

    const missing = await call('PUT', '/api/v1/identity/me/password', person.authorization, {
      newPassword: 'second-Pass-2',
    });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().errors[0]).toMatchObject({ field: 'currentPassword', rule: 'required' });
    const wrong = await call('PUT', '/api/v1/identity/me/password', person.authorization, {
      currentPassword: 'not-the-Pass-1',
      newPassword: 'second-Pass-2',
    });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().errors[0]).toMatchObject({ field: 'currentPassword', rule: 'mismatch' });
    expect((await call('GET', '/api/v1/identity/me', otherAuth)).statusCode).toBe(200);

    const res = await call('PUT', '/api/v1/identity/me/password', person.authorization, {
      currentPassword: 'first-Pass-1',
      newPassword: 'second-Pass-2',
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().sessionsEnded).toBe(1);
    expect((await call('GET', '/api/v1/identity/me', otherAuth)).statusCode).toBe(401);
    expect((await call('GET', '/api/v1/identity/me', person.authorization)).statusCode).toBe(200);
    const events = (await auditActions(person.accountId)).map((e) => e.action);
    expect(events).toEqual(
      expect.arrayContaining([
        'identity.password.set',
        'identity.password.failed',
        'identity.password.changed',
      ]),
    );
    expect(JSON.stringify(await auditActions(person.accountId))).not.toContain('Pass-');
  });
});

describe('phone change', () => {
  it('moves the account to a new number proven by its code and the password', async () => {
    const person = await personSession(t.app, t.db, { phone: newPhone() });
    await setPassword(person.authorization, 'phone-Pass-1');
    const target = newPhone();
    const code = await smsCode(target, 'change_phone', person.authorization);

    const noProof = await call('PUT', '/api/v1/identity/me/phone', person.authorization, {
      newPhone: target,
      code,
    });
    expect(noProof.statusCode).toBe(400);
    expect(noProof.json().errors[0]).toMatchObject({ field: 'password', rule: 'required' });
    const wrongCode = await call('PUT', '/api/v1/identity/me/phone', person.authorization, {
      newPhone: target,
      code: code === '000000' ? '111111' : '000000',
      password: 'phone-Pass-1',
    });
    expect(wrongCode.statusCode).toBe(400);
    expect(wrongCode.json().errors[0]).toMatchObject({ field: 'code', rule: 'mismatch' });

    const res = await call('PUT', '/api/v1/identity/me/phone', person.authorization, {
      newPhone: target,
      code,
      password: 'phone-Pass-1',
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ phone: maskPhone(target) });
    expect((await account(person.accountId)).phone_index).toBe(t.app.identity.cipher.index(target, 'phone'));
    const me = await call('GET', '/api/v1/identity/me', person.authorization);
    expect(me.json().phone).toBe(maskPhone(target));
    const changed = (await auditActions(person.accountId)).find((e) => e.action === 'identity.phone.changed');
    expect(changed?.after).toMatchObject({ phone: maskPhone(target) });
    expect(JSON.stringify(changed)).not.toContain(target);

    // The code was used once.
    const replay = await call('PUT', '/api/v1/identity/me/phone', person.authorization, {
      newPhone: target,
      code,
      password: 'phone-Pass-1',
    });
    expect(replay.statusCode).toBe(400);
  });

  it('accepts a confirm code sent to the current number as proof', async () => {
    const person = await personSession(t.app, t.db, { phone: newPhone() });
    const target = newPhone();
    const currentCode = await smsCode(person.phone, 'confirm', person.authorization);
    const code = await smsCode(target, 'change_phone', person.authorization);
    const res = await call('PUT', '/api/v1/identity/me/phone', person.authorization, {
      newPhone: target,
      code,
      currentCode,
    });
    expect(res.statusCode).toBe(200);
    expect((await account(person.accountId)).phone_index).toBe(t.app.identity.cipher.index(target, 'phone'));
  });

  it('refuses a number another account uses', async () => {
    const holder = await personSession(t.app, t.db, { phone: newPhone() });
    const person = await personSession(t.app, t.db, { phone: newPhone() });
    await setPassword(person.authorization, 'phone-Pass-2');
    const code = await smsCode(holder.phone, 'change_phone', person.authorization);
    const res = await call('PUT', '/api/v1/identity/me/phone', person.authorization, {
      newPhone: holder.phone,
      code,
      password: 'phone-Pass-2',
    });
    expect(res.statusCode).toBe(409);
    expect((await account(person.accountId)).phone_index).toBe(
      t.app.identity.cipher.index(person.phone, 'phone'),
    );
  });
});

describe('account closure', () => {
  it('is refused while the person owns an enterprise', async () => {
    const person = await personSession(t.app, t.db, { phone: newPhone() });
    await setPassword(person.authorization, 'close-Pass-1');
    const organisation = await anyOrganisation(t.db);
    const [enterprise] = await t.db.query<{ id: string }>(
      `insert into identity_enterprise (uscc, name, legal_representative_name, region_code, verified_at, created_by)
       values ('91110105MA00000003', '示例丙公司', '某某', $1, now(), $2) returning id`,
      [organisation.regionCode, person.accountId],
    );
    await t.db.query(
      `insert into identity_enterprise_member (enterprise_id, account_id, role, appointed_by) values ($1, $2, 'owner', $2)`,
      [enterprise!.id, person.accountId],
    );
    const res = await call('DELETE', '/api/v1/identity/me', person.authorization, {
      password: 'close-Pass-1',
    });
    expect(res.statusCode).toBe(409);
    expect(res.json().enterprises).toEqual([{ uscc: '91110105MA00000003', name: '示例丙公司' }]);
    expect((await account(person.accountId)).status).toBe('active');
  });

  it('closes the account: sessions and mandates end, the number is free again, the row stays', async () => {
    const person = await verifiedPerson('郑秀英');
    await setPassword(person.authorization, 'close-Pass-2');
    const organisation = await anyOrganisation(t.db);
    const [enterprise] = await t.db.query<{ id: string }>(
      `insert into identity_enterprise (uscc, name, legal_representative_name, region_code, verified_at, created_by)
       values ('91110105MA00000004', '示例丁公司', '某某', $1, now(), $2) returning id`,
      [organisation.regionCode, person.accountId],
    );
    await t.db.query(
      `insert into identity_enterprise_member (enterprise_id, account_id, role, item_codes, expires_at, appointed_by)
       values ($1, $2, 'agent', '{A1}', now() + interval '30 days', $2)`,
      [enterprise!.id, person.accountId],
    );
    const wrong = await call('DELETE', '/api/v1/identity/me', person.authorization, {
      password: 'nope-Pass-9',
    });
    expect(wrong.statusCode).toBe(400);
    expect((await account(person.accountId)).status).toBe('active');

    const res = await call('DELETE', '/api/v1/identity/me', person.authorization, {
      password: 'close-Pass-2',
    });
    expect(res.statusCode).toBe(204);
    const row = await account(person.accountId);
    expect(row).toMatchObject({ status: 'closed', password_hash: null });
    expect(row.closed_at).toBeInstanceOf(Date);
    expect((await call('GET', '/api/v1/identity/me', person.authorization)).statusCode).toBe(401);
    const [mandate] = await t.db.query<{ revoked_at: Date | null }>(
      'select revoked_at from identity_enterprise_member where account_id = $1',
      [person.accountId],
    );
    expect(mandate!.revoked_at).toBeInstanceOf(Date);

    // The same phone and the same resident may open a new account.
    const again = await personSession(t.app, t.db, { phone: person.phone });
    const verified = await call('POST', '/api/v1/identity/me/real-name', again.authorization, {
      name: '郑秀英',
      idNumber: person.idNumber,
    });
    expect(verified.statusCode).toBe(200);
    expect((await auditActions(person.accountId)).map((e) => e.action)).toContain('identity.account.closed');
  });

  it('accepts a confirm code as proof', async () => {
    const person = await personSession(t.app, t.db, { phone: newPhone() });
    const code = await smsCode(person.phone, 'confirm', person.authorization);
    const res = await call('DELETE', '/api/v1/identity/me', person.authorization, { code });
    expect(res.statusCode).toBe(204);
    expect((await account(person.accountId)).status).toBe('closed');
  });
});

describe('own history', () => {
  it('lists the account’s events newest first, paginated', async () => {
    const person = await verifiedPerson('冯志强');
    await setPassword(person.authorization, 'audit-Pass-1');
    const first = await call('GET', '/api/v1/identity/me/audit?size=1', person.authorization);
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ total: 2, page: 1, size: 1 });
    expect(first.json().items).toEqual([
      expect.objectContaining({ action: 'identity.password.set', bySelf: true }),
    ]);
    const second = await call('GET', '/api/v1/identity/me/audit?size=1&page=2', person.authorization);
    expect(second.json().items).toEqual([expect.objectContaining({ action: 'identity.realname.verified' })]);
    const other = await personSession(t.app, t.db, { phone: newPhone() });
    expect((await call('GET', '/api/v1/identity/me/audit', other.authorization)).json().total).toBe(0);
  });
});
