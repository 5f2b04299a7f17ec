import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testConfig } from '../../../test/helpers/app.ts';
import { createTestDatabase, type TestDatabase } from '../../../test/helpers/db.ts';
import { auditTrail } from '../audit.ts';
import { buildApp, type App } from '../http.ts';
import { calendarModule } from './routes.ts';
import { identityModule } from '../../modules/identity/index.ts';
import { bearerFor, staffSession, type TestRole } from '../../../test/helpers/identity.ts';

describe('calendar routes', () => {
  let t: TestDatabase;
  let app: App;
  let bearer: (...roles: TestRole[]) => Promise<string>;

  beforeAll(async () => {
    t = await createTestDatabase();
    const config = testConfig();
    app = await buildApp({ config, db: t.db, modules: [identityModule, calendarModule] });
    await app.ready();
    bearer = (...roles) => bearerFor(app, t.db, ...roles);
  });
  afterAll(async () => {
    await app.close();
    await t.drop();
  });

  const get = (url: string) => app.inject({ method: 'GET', url });
  const fieldErrors = (body: { errors?: { field: string; rule: string }[] }) =>
    body.errors?.map(({ field, rule }) => ({ field, rule }));

  describe('GET /api/v1/calendar/days', () => {
    it('lists the Spring Festival week with kinds and names', async () => {
      const res = await get('/api/v1/calendar/days?from=2026-02-13&to=2026-02-16');
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({
        days: [
          { date: '2026-02-13', working: true, kind: 'workday' },
          { date: '2026-02-14', working: true, kind: 'makeup', name: '春节', nameEn: 'Spring Festival' },
          { date: '2026-02-15', working: false, kind: 'holiday', name: '春节', nameEn: 'Spring Festival' },
          { date: '2026-02-16', working: false, kind: 'holiday', name: '春节', nameEn: 'Spring Festival' },
        ],
      });
    });

    it('lists a whole leap year', async () => {
      const res = await get('/api/v1/calendar/days?from=2028-01-01&to=2028-12-31');
      expect(res.statusCode).toBe(200);
      expect(res.json().days).toHaveLength(366);
    });

    it.each([
      ['from=2026-02-30&to=2026-03-01', [{ field: 'from', rule: 'format' }]],
      ['from=2026-03-01', [{ field: 'to', rule: 'required' }]],
      ['from=2026-03-02&to=2026-03-01', [{ field: 'to', rule: 'order' }]],
      ['from=2026-01-01&to=2027-01-02', [{ field: 'to', rule: 'maxSpan' }]],
      [
        'from=1969-12-31&to=2200-01-01',
        [
          { field: 'from', rule: 'range' },
          { field: 'to', rule: 'range' },
        ],
      ],
    ])('rejects %s', async (query, expected) => {
      const res = await get(`/api/v1/calendar/days?${query}`);
      expect(res.statusCode).toBe(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      const body = res.json();
      expect(body.code).toBe('validation_failed');
      expect(fieldErrors(body)).toEqual(expected);
      expect(body.errors[0].message).toMatch(/\p{Script=Han}/u);
    });
  });

  describe('GET /api/v1/calendar/deadline', () => {
    it('adds working days across the Spring Festival', async () => {
      const res = await get('/api/v1/calendar/deadline?start=2026-02-12T10:00:00%2B08:00&days=3');
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ deadline: '2026-02-24T23:59:59.999+08:00' });
    });

    it('stops the clock during pauses, and has no deadline while one is open', async () => {
      const base = '/api/v1/calendar/deadline?start=2026-03-02T10:00:00Z&days=5';
      const closed = await get(`${base}&pause=2026-03-03T15:00:00%2B08:00/2026-03-05T09:00:00%2B08:00`);
      expect(closed.json()).toEqual({ deadline: '2026-03-11T23:59:59.999+08:00' });
      const open = await get(`${base}&pause=2026-03-03T15:00:00Z/`);
      expect(open.statusCode).toBe(200);
      expect(open.json()).toEqual({ deadline: null });
    });

    it.each([
      ['start=2026-02-12T10:00:00&days=3', [{ field: 'start', rule: 'format' }]],
      ['start=2026-02-12T10:00:00Z&days=-1', [{ field: 'days', rule: 'minimum' }]],
      ['start=2026-02-12T10:00:00Z&days=3651', [{ field: 'days', rule: 'maximum' }]],
      ['start=2026-02-12T10:00:00Z&days=two', [{ field: 'days', rule: 'type' }]],
      ['start=2026-02-12T10:00:00Z&days=3&pause=yesterday', [{ field: 'pause[0]', rule: 'format' }]],
      [
        'start=2026-02-12T10:00:00Z&days=3&pause=2026-02-13T10:00:00Z/&pause=2026-02-13T10:00:00Z/a/b',
        [{ field: 'pause[1]', rule: 'format' }],
      ],
      [
        'start=2026-02-12T10:00:00Z&days=3&pause=2200-02-13T10:00:00Z/',
        [{ field: 'pause[0]', rule: 'range' }],
      ],
      [
        'start=2026-02-12T10:00:00Z&days=3&pause=2026-02-13T10:00:00Z/2026-02-12T10:00:00Z',
        [{ field: 'pause[0]', rule: 'order' }],
      ],
      ['start=2199-06-01T10:00:00Z&days=3650', [{ field: 'days', rule: 'range' }]],
      ['start=2200-01-01T10:00:00Z&days=1', [{ field: 'start', rule: 'range' }]],
    ])('rejects %s', async (query, expected) => {
      const res = await get(`/api/v1/calendar/deadline?${query}`);
      expect(res.statusCode).toBe(400);
      expect(fieldErrors(res.json())).toEqual(expected);
    });
  });

  describe('overrides', () => {
    const date = '2026-03-07'; // a Saturday
    const put = async (authorization: string | undefined, body: unknown, day = date) =>
      app.inject({
        method: 'PUT',
        url: `/api/v1/calendar/overrides/${day}`,
        headers: { ...(authorization && { authorization }), 'x-request-id': 'req-put' },
        payload: body as object,
      });

    it('requires a token (401) and the calendar_admin role (403)', async () => {
      const body = { working: true, reason: '防汛值班' };
      expect((await put(undefined, body)).statusCode).toBe(401);
      expect((await put(await bearer('window_clerk', 'catalog_admin'), body)).statusCode).toBe(403);
      const del = await app.inject({
        method: 'DELETE',
        url: `/api/v1/calendar/overrides/${date}`,
        headers: { authorization: await bearer('citizen') },
      });
      expect(del.statusCode).toBe(403);
      expect((await get('/api/v1/calendar/overrides')).statusCode).toBe(401);
      expect(await auditTrail(t.db, 'calendar_override', date)).toEqual([]);
    });

    it('sets an override for a system administrator, audited, and the calendar follows', async () => {
      const { accountId, authorization: token } = await staffSession(app, t.db, ['system_admin']);
      const res = await put(token, { working: true, reason: '防汛值班' });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({
        date,
        working: true,
        reason: '防汛值班',
        updatedBy: accountId,
      });
      expect(res.json().updatedAt).toMatch(/\+08:00$/);

      const days = await get(`/api/v1/calendar/days?from=${date}&to=${date}`);
      expect(days.json().days).toEqual([
        { date, working: true, kind: 'override', override: { working: true, reason: '防汛值班' } },
      ]);
      const deadline = await get('/api/v1/calendar/deadline?start=2026-03-06T10:00:00%2B08:00&days=1');
      expect(deadline.json()).toEqual({ deadline: '2026-03-07T23:59:59.999+08:00' });

      const list = await app.inject({ url: '/api/v1/calendar/overrides', headers: { authorization: token } });
      expect(list.statusCode).toBe(200);
      expect(list.json().overrides).toEqual([res.json()]);

      const [entry] = await auditTrail(t.db, 'calendar_override', date);
      expect(entry).toMatchObject({
        actor: accountId,
        action: 'calendar.override.set',
        before: null,
        after: { working: true, reason: '防汛值班' },
      });
      const [row] = await t.db.query<{ request_id: string }>(
        `select request_id from audit_log where entity = 'calendar_override' and entity_id = $1`,
        [date],
      );
      expect(row?.request_id).toBe('req-put');
    });

    it('deletes an override (204), audited, and answers 404 for a day without one', async () => {
      const authorization = await bearer('system_admin');
      const del = () =>
        app.inject({
          method: 'DELETE',
          url: `/api/v1/calendar/overrides/${date}`,
          headers: { authorization },
        });
      const res = await del();
      expect(res.statusCode).toBe(204);
      expect(res.body).toBe('');
      const trail = await auditTrail(t.db, 'calendar_override', date);
      expect(trail.at(-1)).toMatchObject({ action: 'calendar.override.delete', after: null });
      const days = await get(`/api/v1/calendar/days?from=${date}&to=${date}`);
      expect(days.json().days[0]).toEqual({ date, working: false, kind: 'weekend' });
      expect((await del()).statusCode).toBe(404);
    });

    it.each([
      ['2026-02-30', { working: true, reason: 'x' }, [{ field: 'date', rule: 'format' }]],
      ['2200-01-01', { working: true, reason: 'x' }, [{ field: 'date', rule: 'range' }]],
      [date, { working: true, reason: '' }, [{ field: 'reason', rule: 'minLength' }]],
      [date, { working: true, reason: 'x'.repeat(201) }, [{ field: 'reason', rule: 'maxLength' }]],
      [date, { working: true, reason: '   ' }, [{ field: 'reason', rule: 'length' }]],
      [date, { reason: 'x' }, [{ field: 'working', rule: 'required' }]],
      [date, { working: true, reason: 'x', extra: 1 }, [{ field: 'extra', rule: 'additionalProperties' }]],
    ])('rejects PUT %s %j', async (day, body, expected) => {
      const res = await put(await bearer('system_admin'), body, day);
      expect(res.statusCode).toBe(400);
      expect(fieldErrors(res.json())).toEqual(expected);
    });
  });

  it('documents its routes in OpenAPI', async () => {
    const doc = (await get('/api/docs/openapi.json')).json();
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/calendar/days',
        '/api/v1/calendar/deadline',
        '/api/v1/calendar/overrides',
        '/api/v1/calendar/overrides/{date}',
      ]),
    );
  });
});
