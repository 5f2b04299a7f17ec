import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seed } from '../../src/seed/index.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { staffSession } from '../helpers/identity.ts';

/**
 * Data sharing with OIDC client credentials (issue 6 item 3): a consumer is given a client
 * of the platform's OIDC provider; an access token from the token endpoint (scope
 * exchange) then acts as the consumer, with the same grant checks as its API key.
 */
describe('data sharing with OIDC client credentials', () => {
  let t: TestApp;
  let head: string;
  let admin: string;
  let consumerId: string;
  let idNumber: string;
  const PURPOSE = '社会救助资格核验';

  const lookup = (authorization: string) =>
    t.app.inject({
      method: 'GET',
      url: `/api/v1/exchange/resources/population.person/records/${idNumber}?purpose=${encodeURIComponent(PURPOSE)}`,
      headers: { authorization },
    });

  /** The token endpoint, as a department application calls it (client_secret_basic). */
  async function token(client: { clientId: string; clientSecret: string }, scope?: string) {
    const response = await t.app.inject({
      method: 'POST',
      url: '/oidc/token',
      headers: {
        authorization: `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      payload: new URLSearchParams({ grant_type: 'client_credentials', ...(scope && { scope }) }).toString(),
    });
    expect(response.statusCode, response.body).toBe(200);
    return response.json<{ access_token: string; token_type: string; scope?: string }>();
  }

  const giveClient = async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: `/api/v1/exchange/consumers/${consumerId}/oidc-client`,
      headers: { authorization: head },
    });
    expect(response.statusCode, response.body).toBe(201);
    return response.json<{ clientId: string; clientSecret: string; consumer: { oidcClientId: string } }>();
  };

  beforeAll(async () => {
    t = await createTestApp();
    await seed(t.db, 'small');
    const [population] = await t.db.query<{ provider_organisation_id: number; region_code: string }>(
      `select r.provider_organisation_id, o.region_code from exchange_resource r
         join organisation o on o.id = r.provider_organisation_id where r.code = 'population.person'`,
    );
    const [civil] = await t.db.query<{ id: number }>(
      `select id from organisation where short_name = '民政局' and region_code = $1`,
      [population!.region_code],
    );
    head = (
      await staffSession(t.app, t.db, ['department_head'], {
        organisationId: civil!.id,
        regionCodes: [population!.region_code],
        organisationIds: [civil!.id, population!.provider_organisation_id],
      })
    ).authorization;
    admin = (await staffSession(t.app, t.db, ['system_admin'])).authorization;
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/exchange/consumers',
      headers: { authorization: head },
      payload: { code: 'mz-assistance', name: '社会救助系统', organisationId: civil!.id },
    });
    expect(created.statusCode, created.body).toBe(201);
    consumerId = created.json().consumer.id;
    const grant = await t.app.inject({
      method: 'POST',
      url: '/api/v1/exchange/grants',
      headers: { authorization: head },
      payload: {
        consumerId,
        resourceCode: 'population.person',
        purpose: PURPOSE,
        fields: ['name'],
        days: 30,
      },
    });
    expect(grant.statusCode, grant.body).toBe(201);
    const approved = await t.app.inject({
      method: 'POST',
      url: `/api/v1/exchange/grants/${grant.json().id}/approve`,
      headers: { authorization: head },
      payload: { masked: ['name'] },
    });
    expect(approved.statusCode, approved.body).toBe(200);
    [{ id_number: idNumber }] = (await t.db.query<{ id_number: string }>(
      `select id_number from registry_person order by id_number limit 1`,
    )) as [{ id_number: string }];
  }, 180_000);
  afterAll(() => t.drop());

  it('looks a record up with an access token of the consumer’s client, checked and recorded like an API key', async () => {
    const client = await giveClient();
    expect(client.consumer.oidcClientId).toBe(client.clientId);
    const issued = await token(client, 'exchange');
    expect(issued.token_type).toBe('Bearer');
    expect(issued.scope).toBe('exchange');

    const found = await lookup(`Bearer ${issued.access_token}`);
    expect(found.statusCode, found.body).toBe(200);
    const [record] = found.json().records;
    expect(Object.keys(record)).toEqual(['name']);
    expect(record.name).toContain('*'); // masked as granted

    // Outside the grant's purpose: refused and recorded, as with an API key.
    const other = await t.app.inject({
      method: 'GET',
      url: `/api/v1/exchange/resources/population.person/records/${idNumber}?purpose=${encodeURIComponent('其他用途')}`,
      headers: { authorization: `Bearer ${issued.access_token}` },
    });
    expect(other.statusCode).toBe(403);
    const recorded = await t.db.query<{ outcome: string }>(
      `select outcome from exchange_access where consumer_id = $1 order by id`,
      [consumerId],
    );
    expect(recorded.map((r) => r.outcome)).toEqual(['allowed', 'denied']);
  });

  it('refuses a token without the exchange scope, of a client that is no consumer, unknown or revoked', async () => {
    const client = await giveClient(); // a new client; the previous one is removed
    const problem = (
      response: { statusCode: number; headers: Record<string, unknown>; json: () => { detail?: string } },
      status: number,
      detail: RegExp,
    ) => {
      expect(response.statusCode).toBe(status);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.json().detail).toMatch(detail);
    };
    problem(await lookup(`Bearer ${(await token(client)).access_token}`), 403, /scope/); // no scope asked: none granted

    const stranger = await t.app.inject({
      method: 'POST',
      url: '/api/v1/identity/oidc-clients',
      headers: { authorization: admin },
      payload: { name: '其他部门应用', grantTypes: ['client_credentials'], scopes: ['exchange'] },
    });
    expect(stranger.statusCode, stranger.body).toBe(201);
    problem(
      await lookup(`Bearer ${(await token(stranger.json(), 'exchange')).access_token}`),
      403,
      /not a data-sharing consumer/,
    );

    problem(await lookup('Bearer not-a-token-of-this-platform'), 401, /not valid/);

    const issued = await token(client, 'exchange');
    expect((await lookup(`Bearer ${issued.access_token}`)).statusCode).toBe(200);
    const revoked = await t.app.inject({
      method: 'POST',
      url: '/oidc/token/revocation',
      headers: {
        authorization: `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      payload: new URLSearchParams({ token: issued.access_token }).toString(),
    });
    expect(revoked.statusCode, revoked.body).toBe(200);
    problem(await lookup(`Bearer ${issued.access_token}`), 401, /not valid/);

    // A disabled consumer is refused at once, whatever its token.
    const fresh = await token(client, 'exchange');
    const disabled = await t.app.inject({
      method: 'POST',
      url: `/api/v1/exchange/consumers/${consumerId}/disable`,
      headers: { authorization: head },
    });
    expect(disabled.statusCode, disabled.body).toBe(200);
    problem(await lookup(`Bearer ${fresh.access_token}`), 403, /disabled/);
  });

  it('removes the consumer’s client: its tokens stop working at once', async () => {
    const enabled = await t.app.inject({
      method: 'POST',
      url: `/api/v1/exchange/consumers/${consumerId}/enable`,
      headers: { authorization: head },
    });
    expect(enabled.statusCode, enabled.body).toBe(200);
    const client = await giveClient();
    const issued = await token(client, 'exchange');
    expect((await lookup(`Bearer ${issued.access_token}`)).statusCode).toBe(200);
    const removed = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/exchange/consumers/${consumerId}/oidc-client`,
      headers: { authorization: head },
    });
    expect(removed.statusCode, removed.body).toBe(200);
    expect(removed.json().oidcClientId).toBeNull();
    expect((await lookup(`Bearer ${issued.access_token}`)).statusCode).toBe(401);
    const again = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/exchange/consumers/${consumerId}/oidc-client`,
      headers: { authorization: head },
    });
    expect(again.statusCode).toBe(404);
  });

  it('documents both credentials of the consumer routes in the OpenAPI description', async () => {
    const spec = (await t.app.inject({ method: 'GET', url: '/api/docs/openapi.json' })).json();
    expect(spec.components.securitySchemes.oidcClient).toMatchObject({
      type: 'oauth2',
      flows: { clientCredentials: { tokenUrl: '/oidc/token', scopes: { exchange: expect.any(String) } } },
    });
    expect(spec.paths['/api/v1/exchange/resources/{code}/records/{key}'].get.security).toEqual([
      { apiKey: [] },
      { oidcClient: ['exchange'] },
    ]);
  });
});
