import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caseCalendar } from '../../src/modules/cases/index.ts';
import { seed } from '../../src/seed/index.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { fileCase, publishParallelItem, type ParallelItem } from '../helpers/cases.ts';
import { personSession, staffSession } from '../helpers/identity.ts';

const DAY = 86_400_000;

/** The dashboard's figures, on real cases filed and moved over HTTP, limited to the caller's jurisdiction. */
describe('case statistics', () => {
  let t: TestApp;
  let item: ParallelItem;
  let supervisor: string;
  let elsewhere: string;
  let clerk: string;
  const now = new Date();
  const returnedAt = { submitted: new Date(now.getTime() - 8 * DAY) };

  const get = (authorization: string, query = '') =>
    t.app.inject({ url: `/api/v1/cases/statistics${query}`, headers: { authorization } });
  const act = (id: string, action: string, version: number, reason?: string) =>
    t.app.inject({
      method: 'POST',
      url: `/api/v1/cases/${id}/actions/${action}`,
      headers: { authorization: clerk },
      payload: { version, ...(reason && { reason }) },
    });

  beforeAll(async () => {
    t = await createTestApp({ LOG_LEVEL: 'error' });
    await seed(t.db, 'small');
    item = await publishParallelItem(t.db);
    const applicant = await personSession(t.app, t.db, { assurance: 2 });
    const lead = { organisationId: item.lead.id, regionCodes: [item.regionCode] };
    clerk = (await staffSession(t.app, t.db, ['window_clerk'], lead)).authorization;
    supervisor = (await staffSession(t.app, t.db, ['supervisor'], lead)).authorization;
    // A supervisor of the same region limited to a department that has none of these cases.
    const [other] = await t.db.query<{ id: number }>(
      'select id from organisation where region_code = $1 and id <> all($2::bigint[]) order by id limit 1',
      [item.regionCode, [item.lead.id, ...item.branches.map((b) => b.organisationId)]],
    );
    elsewhere = (
      await staffSession(t.app, t.db, ['supervisor'], {
        organisationId: Number(other!.id),
        regionCodes: [item.regionCode],
        organisationIds: [Number(other!.id)],
      })
    ).authorization;

    // Returned eight days after it came in; received today; filed 40 days ago and never touched.
    const returned = await fileCase(t.db, item, applicant.accountId, { at: returnedAt.submitted });
    expect((await act(returned, 'return', 1, '不属于本部门受理范围')).statusCode).toBe(200);
    const received = await fileCase(t.db, item, applicant.accountId, { at: now });
    expect((await act(received, 'receive', 1)).statusCode).toBe(200);
    await fileCase(t.db, item, applicant.accountId, { at: new Date(now.getTime() - 40 * DAY) });
  }, 120_000);
  afterAll(() => t.drop());

  it('counts cases by status and department, overdue, handling time and applications per day', async () => {
    const res = await get(supervisor);
    expect(res.statusCode, res.body).toBe(200);
    const stats = res.json();
    const byStatus = Object.fromEntries(
      stats.byStatus.map((s: { status: string; count: number }) => [s.status, s.count]),
    );
    expect(byStatus).toMatchObject({ returned: 1, prereviewing: 1, submitted: 1, completed: 0 });
    expect(stats.byStatus.find((s: { status: string }) => s.status === 'returned')).toMatchObject({
      name: '已退件',
      nameEn: 'returned',
    });
    expect(stats.byDepartment).toEqual([
      { organisationId: item.lead.id, organisationName: item.lead.name, total: 3, open: 2, overdue: 1 },
    ]);

    // Overdue as the workbench sees it: the case filed 40 days ago missed its 1-day acceptance stage.
    const workbench = await t.app.inject({
      url: '/api/v1/cases?view=all&overdue=true',
      headers: { authorization: clerk },
    });
    expect(workbench.json().total).toBe(1);
    expect(stats.overdue).toBe(1);

    // Only the returned case ended in the period: its working days from submission to today.
    const calendar = await caseCalendar(t.db);
    expect(stats.ended).toBe(1);
    expect(stats.averageHandlingDays).toBe(calendar.countWorkingDays(returnedAt.submitted, new Date()));

    // 30 days ending today; the case of 40 days ago lies before them.
    expect(stats.daily).toHaveLength(30);
    expect(stats.daily.at(-1).date).toBe(stats.to);
    expect(stats.daily[0].date).toBe(stats.from);
    expect(stats.daily.reduce((n: number, d: { applications: number }) => n + d.applications, 0)).toBe(2);
    expect((await get(supervisor, '?days=60')).json().daily.length).toBe(60);
  });

  it('sees only the jurisdiction, and only supervisors and administrators may ask', async () => {
    const other = (await get(elsewhere)).json();
    expect(other.byStatus.every((s: { count: number }) => s.count === 0)).toBe(true);
    expect(other.byDepartment).toEqual([]);
    expect(other.averageHandlingDays).toBeNull();
    expect((await get(clerk)).statusCode).toBe(403);
    expect((await get(supervisor, '?days=0')).statusCode).toBe(400);
  });
});
