import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publish } from '../../src/kernel/outbox.ts';
import { verifyWebhook } from '../../src/kernel/webhooks.ts';
import { auditAccesses, FEED_TOPICS, sequenceAccesses } from '../../src/modules/exchange/index.ts';
import { seed } from '../../src/seed/index.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { staffSession, verifiedPersonSession } from '../helpers/identity.ts';

/**
 * Data sharing end to end (issue 6): a consumer without a grant is refused; the provider
 * approves a grant with masking; lookups, batch lookups and yes/no verification answer
 * only the granted fields; every access is in the provider's and the data subject's view
 * and sealed into the exchange log, whose audit finds an edited or deleted row.
 */
describe('data sharing', () => {
  let t: TestApp;
  let provider: string;
  let otherHead: string;
  let consumerHead: string;
  let apiKey: string;
  let consumerId: string;
  let resident: { idNumber: string; name: string; phone: string | null; birthDate: string };
  let enterprise: { uscc: string; status: string };

  const call = (
    method: 'GET' | 'POST',
    url: string,
    headers: Record<string, string> = {},
    payload?: unknown,
  ) => t.app.inject({ method, url, headers, payload: payload as object });
  const asStaff = (authorization: string) => ({ authorization });
  const key = () => ({ 'x-api-key': apiKey });
  const PURPOSE = '婚姻登记身份核验';

  beforeAll(async () => {
    t = await createTestApp();
    await seed(t.db, 'small');
    const resources = (await call('GET', '/api/v1/exchange/resources')).json() as {
      code: string;
      providerOrganisationId: number;
    }[];
    const population = resources.find((r) => r.code === 'population.person')!;
    const [org] = await t.db.query<{ region_code: string }>(
      `select region_code from organisation where id = $1`,
      [population.providerOrganisationId],
    );
    const region = org!.region_code;
    provider = (
      await staffSession(t.app, t.db, ['department_head'], {
        organisationId: population.providerOrganisationId,
        regionCodes: [region],
        organisationIds: [population.providerOrganisationId],
      })
    ).authorization;
    const [civil] = await t.db.query<{ id: number }>(
      `select id from organisation where short_name = '民政局' and region_code = $1`,
      [region],
    );
    consumerHead = (
      await staffSession(t.app, t.db, ['department_head'], {
        organisationId: civil!.id,
        regionCodes: [region],
        organisationIds: [civil!.id],
      })
    ).authorization;
    otherHead = consumerHead;
    [resident] = (await t.db.query<typeof resident>(
      `select id_number as "idNumber", name, phone, to_char(birth_date, 'YYYY-MM-DD') as "birthDate"
         from registry_person order by id_number limit 1`,
    )) as [typeof resident];
    [enterprise] = (await t.db.query<typeof enterprise>(
      `select uscc, status from registry_enterprise order by uscc limit 1`,
    )) as [typeof enterprise];
    const created = await call('POST', '/api/v1/exchange/consumers', asStaff(consumerHead), {
      code: 'mz-marriage',
      name: '婚姻登记系统',
      organisationId: civil!.id,
    });
    expect(created.statusCode, created.body).toBe(201);
    apiKey = created.json().apiKey;
    consumerId = created.json().consumer.id;
  }, 180_000);
  afterAll(() => t.drop());

  const lookup = (id: string, purpose = PURPOSE, headers = key()) =>
    call(
      'GET',
      `/api/v1/exchange/resources/population.person/records/${id}?purpose=${encodeURIComponent(purpose)}`,
      headers,
    );

  it('refuses a consumer without a grant, then answers only the granted fields, masked as granted', async () => {
    expect((await lookup(resident.idNumber)).statusCode).toBe(403);
    const requested = await call('POST', '/api/v1/exchange/grants', asStaff(consumerHead), {
      consumerId,
      resourceCode: 'population.person',
      purpose: PURPOSE,
      fields: ['name', 'idNumber', 'phone', 'sex'],
      days: 30,
    });
    expect(requested.statusCode, requested.body).toBe(201);
    expect(requested.json().status).toBe('requested');
    expect((await lookup(resident.idNumber)).statusCode).toBe(403); // not yet approved

    const grantId = requested.json().id;
    expect(
      (await call('POST', `/api/v1/exchange/grants/${grantId}/approve`, asStaff(otherHead), { masked: [] }))
        .statusCode,
    ).toBe(403);
    const beyond = await call('POST', `/api/v1/exchange/grants/${grantId}/approve`, asStaff(provider), {
      masked: ['birthDate'],
    });
    expect(beyond.statusCode).toBe(400);
    const approved = await call('POST', `/api/v1/exchange/grants/${grantId}/approve`, asStaff(provider), {
      fields: ['name', 'idNumber', 'phone'],
      masked: ['idNumber', 'phone'],
    });
    expect(approved.statusCode, approved.body).toBe(200);
    expect(approved.json()).toMatchObject({
      status: 'approved',
      active: true,
      masked: ['idNumber', 'phone'],
    });

    const found = await lookup(resident.idNumber);
    expect(found.statusCode, found.body).toBe(200);
    const [record] = found.json().records;
    expect(record.name).toBe(resident.name);
    expect(record.idNumber).not.toBe(resident.idNumber);
    expect(record.idNumber).toMatch(/^\d{6}\*+[\dX]{4}$|\*/);
    expect(Object.keys(record).sort()).toEqual(
      ['idNumber', 'name', 'phone'].filter((f) => f !== 'phone' || resident.phone !== null).sort(),
    );
    expect(record).not.toHaveProperty('sex');
    expect(record).not.toHaveProperty('birthDate');
    // Another purpose than the grant's is refused.
    expect((await lookup(resident.idNumber, '其他用途')).statusCode).toBe(403);
  });

  it('verifies claims with yes or no only, and looks up in batches', async () => {
    const verify = (claims: Record<string, string | boolean>) =>
      call('POST', '/api/v1/exchange/resources/population.person/verify', key(), {
        purpose: PURPOSE,
        key: resident.idNumber,
        claims,
      });
    expect((await verify({ name: resident.name })).json()).toEqual({ match: true });
    expect((await verify({ name: `${resident.name}X` })).json()).toEqual({ match: false });
    const ungranted = await verify({ birthDate: resident.birthDate });
    expect(ungranted.statusCode).toBe(400);
    expect(ungranted.json().errors[0].field).toBe('claims.birthDate');

    const [second] = await t.db.query<{ id: string }>(
      `select id_number as id from registry_person order by id_number offset 1 limit 1`,
    );
    const batch = await call('POST', '/api/v1/exchange/resources/population.person/records/batch', key(), {
      purpose: PURPOSE,
      keys: [resident.idNumber, second!.id, '11010519491231002X'],
    });
    expect(batch.statusCode, batch.body).toBe(200);
    expect(batch.json().results.map((r: { found: boolean }) => r.found)).toEqual([true, true, false]);
    const badKey = await call('POST', '/api/v1/exchange/resources/population.person/records/batch', key(), {
      purpose: PURPOSE,
      keys: [resident.idNumber, '110105194912310021'],
    });
    expect(badKey.statusCode).toBe(400);
    expect(badKey.json().errors[0].field).toBe('keys[1]');
  });

  it('lets the provider change field sensitivity and masks, but not another provider', async () => {
    const patch = (authorization: string, body: unknown) =>
      t.app.inject({
        method: 'PATCH',
        url: '/api/v1/exchange/resources/population.person',
        headers: { authorization },
        payload: body as object,
      });
    expect((await patch(consumerHead, { description: '改' })).statusCode).toBe(403);
    const changed = await patch(provider, {
      fields: [{ name: 'phone', sensitivity: 'sensitive', mask: 'middle' }],
    });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json().fields.find((f: { name: string }) => f.name === 'phone').mask).toBe('middle');
    const unknown = await patch(provider, { fields: [{ name: 'nope', sensitivity: 'public', mask: null }] });
    expect(unknown.statusCode).toBe(400);
    await patch(provider, { fields: [{ name: 'phone', sensitivity: 'sensitive', mask: 'phone' }] });
  });

  it('shares unconditional resources at once, and answers whether an enterprise is active', async () => {
    const requested = await call('POST', '/api/v1/exchange/grants', asStaff(consumerHead), {
      consumerId,
      resourceCode: 'legal_entity.enterprise',
      purpose: '企业状态核验',
      fields: ['name', 'status'],
      days: 10,
    });
    expect(requested.json()).toMatchObject({ status: 'approved', active: true });
    const active = await call('POST', '/api/v1/exchange/resources/legal_entity.enterprise/verify', key(), {
      purpose: '企业状态核验',
      key: enterprise.uscc,
      claims: { active: true },
    });
    expect(active.json()).toEqual({ match: ['存续', '在业'].includes(enterprise.status) });
  });

  it('shares credit records of a subject, an empty list for a clean one', async () => {
    const requested = await call('POST', '/api/v1/exchange/grants', asStaff(consumerHead), {
      consumerId,
      resourceCode: 'credit.record',
      purpose: '信用核查',
      fields: ['kind', 'title', 'decidedOn'],
      days: 10,
    });
    const [credit] = await t.db.query<{ provider: number; region: string }>(
      `select r.provider_organisation_id as provider, o.region_code as region
         from exchange_resource r join organisation o on o.id = r.provider_organisation_id where r.code = 'credit.record'`,
    );
    const creditProvider = (
      await staffSession(t.app, t.db, ['department_head'], {
        organisationId: credit!.provider,
        regionCodes: [credit!.region],
        organisationIds: [credit!.provider],
      })
    ).authorization;
    const approved = await call(
      'POST',
      `/api/v1/exchange/grants/${requested.json().id}/approve`,
      asStaff(creditProvider),
      {
        masked: [],
      },
    );
    expect(approved.statusCode, approved.body).toBe(200);
    const [subject] = await t.db.query<{ key: string; n: number }>(
      `select subject_key as key, count(*)::int as n from registry_credit group by subject_key order by subject_key limit 1`,
    );
    const read = (subjectKey: string) =>
      call(
        'GET',
        `/api/v1/exchange/resources/credit.record/records/${subjectKey}?purpose=${encodeURIComponent('信用核查')}`,
        key(),
      );
    const listed = await read(subject!.key);
    expect(listed.statusCode, listed.body).toBe(200);
    expect(listed.json().records).toHaveLength(subject!.n);
    expect(Object.keys(listed.json().records[0]).sort()).toEqual(['decidedOn', 'kind', 'title']);
    const [clean] = await t.db.query<{ key: string }>(
      `select uscc as key from registry_enterprise e where not exists (select 1 from registry_credit c where c.subject_key = e.uscc) limit 1`,
    );
    expect((await read(clean!.key)).json().records).toEqual([]);
  });

  it('refuses a wrong or disabled key (401) and a revoked grant (403)', async () => {
    expect((await lookup(resident.idNumber, PURPOSE, {} as { 'x-api-key': string })).statusCode).toBe(401);
    const forged = `${apiKey.slice(0, -4)}AAAA`;
    expect((await lookup(resident.idNumber, PURPOSE, { 'x-api-key': forged })).statusCode).toBe(401);
    const grants = (
      await call('GET', '/api/v1/exchange/grants?status=approved', asStaff(provider))
    ).json() as {
      id: string;
      resourceCode: string;
    }[];
    const grant = grants.find((g) => g.resourceCode === 'population.person')!;
    const revoked = await call('POST', `/api/v1/exchange/grants/${grant.id}/revoke`, asStaff(provider), {
      reason: '用途已结束',
    });
    expect(revoked.json().status).toBe('revoked');
    expect((await lookup(resident.idNumber)).statusCode).toBe(403);
    const disabled = await call(
      'POST',
      `/api/v1/exchange/consumers/${consumerId}/disable`,
      asStaff(consumerHead),
    );
    expect(disabled.json().status).toBe('disabled');
    expect((await lookup(resident.idNumber)).statusCode).toBe(401);
    await call('POST', `/api/v1/exchange/consumers/${consumerId}/enable`, asStaff(consumerHead));
  });

  it('shows every access to the provider and to the person the data is about', async () => {
    const provided = (
      await call('GET', '/api/v1/exchange/accesses?resource=population.person&size=200', asStaff(provider))
    ).json();
    const outcomes = new Set(provided.items.map((a: { outcome: string }) => a.outcome));
    expect(outcomes).toEqual(new Set(['allowed', 'denied']));
    expect(provided.items.every((a: { consumer: string }) => a.consumer === '婚姻登记系统')).toBe(true);

    const person = await verifiedPersonSession(t.app, t.db, {
      name: resident.name,
      idNumber: resident.idNumber,
    });
    const mine = (await call('GET', '/api/v1/my/data-accesses', asStaff(person.authorization))).json();
    expect(mine.total).toBeGreaterThanOrEqual(5);
    expect(mine.items[0]).toMatchObject({ consumer: '婚姻登记系统', resource: 'population.person' });
    expect(
      mine.items.some(
        (a: { purpose: string; outcome: string }) => a.purpose === PURPOSE && a.outcome === 'allowed',
      ),
    ).toBe(true);
    // Someone else sees nothing of it.
    const [other] = await t.db.query<{ id: string; name: string }>(
      `select id_number as id, name from registry_person order by id_number desc limit 1`,
    );
    const stranger = await verifiedPersonSession(t.app, t.db, { name: other!.name, idNumber: other!.id });
    expect(
      (await call('GET', '/api/v1/my/data-accesses', asStaff(stranger.authorization))).json().total,
    ).toBe(0);
  });

  it('pushes changed keys to granted consumers as signed webhooks, recorded for the data subject', async () => {
    const received: { headers: Record<string, string>; body: string }[] = [];
    const server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        received.push({ headers: request.headers as Record<string, string>, body });
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as AddressInfo).port;
      const set = await t.app.inject({
        method: 'PUT',
        url: `/api/v1/exchange/consumers/${consumerId}/webhook`,
        headers: asStaff(consumerHead),
        payload: { url: `http://127.0.0.1:${port}/feed` },
      });
      expect(set.statusCode, set.body).toBe(200);
      const secret = set.json().webhookSecret as string;
      expect(secret).toMatch(/^whsec_/);
      // The legal-entity grant is active: a change of that resource reaches the consumer.
      await t.db.transaction((tx) =>
        publish(tx, {
          topic: FEED_TOPICS.changed,
          key: 'legal_entity.enterprise',
          payload: { resource: 'legal_entity.enterprise', batchId: null, keys: [enterprise.uscc] },
        }),
      );
      // Nobody is granted the licence library: its change goes nowhere.
      await t.db.transaction((tx) =>
        publish(tx, {
          topic: FEED_TOPICS.changed,
          key: 'licence.licence',
          payload: { resource: 'licence.licence', batchId: null, keys: ['1.2.156.3005.2.x'] },
        }),
      );
      await t.app.outbox.drain();
      await t.app.outbox.drain();
      expect(received).toHaveLength(1);
      const verified = verifyWebhook({
        headers: received[0]!.headers,
        body: received[0]!.body,
        secrets: secret,
      });
      expect(verified.id).toBe(received[0]!.headers['webhook-id']); // verifyWebhook throws when the signature is wrong
      expect(JSON.parse(received[0]!.body).payload).toMatchObject({
        resource: 'legal_entity.enterprise',
        keys: [enterprise.uscc],
        consumerId,
      });
      const [fed] = await t.db.query<{ n: number }>(
        `select count(*)::int as n from exchange_access where operation = 'feed' and consumer_id = $1`,
        [consumerId],
      );
      expect(fed!.n).toBe(1);
    } finally {
      server.close();
    }
  });

  it('seals every access into the log; editing or deleting a sealed row is detected', async () => {
    const deps = t.app.exchange;
    expect(await sequenceAccesses(deps)).toBeGreaterThan(5);
    expect(await sequenceAccesses(deps)).toBe(0);
    await deps.log.checkpoint(t.db);
    const clean = await auditAccesses(deps);
    expect(clean.problems).toEqual([]);
    expect(clean.ok).toBe(true);

    const [row] = await t.db.query<{ id: string; purpose: string }>(
      `select id, purpose from exchange_access where outcome = 'allowed' and log_index is not null order by id limit 1`,
    );
    await t.db.query(`update exchange_access set purpose = '篡改' where id = $1`, [row!.id]);
    const edited = await auditAccesses(deps);
    expect(edited.ok).toBe(false);
    expect(edited.problems.join('\n')).toMatch(new RegExp(`access ${row!.id} .*does not match`));
    await t.db.query(`update exchange_access set purpose = $2 where id = $1`, [row!.id, row!.purpose]);

    const [removed] = await t.db.query(`delete from exchange_access where id = $1 returning *`, [row!.id]);
    const deleted = await auditAccesses(deps);
    expect(deleted.problems.join('\n')).toMatch(new RegExp(`access ${row!.id} .*is missing`));
    await t.db.query(
      `insert into exchange_access select * from json_populate_record(null::exchange_access, $1::json)`,
      [JSON.stringify(removed)],
    );
    expect((await auditAccesses(deps)).ok).toBe(true);
  });
});
