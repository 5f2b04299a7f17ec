import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chinaDateOf } from '../../src/kernel/calendar/index.ts';
import { seedDemoCases } from '../../src/seed/cases.ts';
import { seed } from '../../src/seed/index.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { staffSession } from '../helpers/identity.ts';

/**
 * The demo's cases under way: a fresh `npm start` shows the district's staff a case close
 * to its promised deadline (yellow) and one past it (red), with clocks read by the server.
 */
describe('demo cases under way', () => {
  let t: TestApp;
  let approver: string;
  beforeAll(async () => {
    t = await createTestApp();
    await seed(t.db, 'small');
    const [department] = await t.db.query<{ id: number; regionCode: string }>(
      `select o.id, o.region_code as "regionCode" from organisation o
        where o.short_name = '民政局' and o.region_code = (
          select code from region where parent_code = '329900000000' order by code limit 1)`,
    );
    approver = (
      await staffSession(t.app, t.db, ['approver'], {
        organisationId: Number(department!.id),
        regionCodes: [department!.regionCode],
        organisationIds: [Number(department!.id)],
      })
    ).authorization;
  }, 120_000);
  afterAll(() => t.drop());

  it('creates a yellow and a red case once, waiting for the department’s review', async () => {
    expect(await seedDemoCases(t.db)).toBe(2);
    expect(await seedDemoCases(t.db)).toBe(0);
    const list = await t.app.inject({ url: '/api/v1/cases?view=mine', headers: { authorization: approver } });
    expect(list.statusCode, list.body).toBe(200);
    const items = list.json().items as {
      id: string;
      itemName: string;
      status: string;
      remainingWorkingDays: number | null;
      clockState: string;
    }[];
    // Most urgent first; the list counts working days to the nearest deadline (the review stage's).
    expect(items.map((c) => c.itemName)).toEqual(['高龄津贴发放', '临时救助金给付']);
    expect(items[0]!.remainingWorkingDays).toBeLessThan(0);
    expect(items[1]!.remainingWorkingDays).toBe(1);
    // The stored clock state is already swept: the list shows the markers before the first periodic sweep.
    expect(items.map((c) => c.clockState)).toEqual(['red', 'yellow']);
    const states: Record<string, string> = {};
    for (const c of items) {
      expect(c.status).toBe('accepted');
      const detail = (
        await t.app.inject({ url: `/api/v1/cases/${c.id}`, headers: { authorization: approver } })
      ).json();
      states[c.itemName] = detail.clocks.promised.state;
      expect(detail.allowedActions.map((a: { action: string }) => a.action)).toContain('review_approve');
    }
    expect(states).toEqual({ 临时救助金给付: 'yellow', 高龄津贴发放: 'red' });
  });

  it('filters by the day received (China dates)', async () => {
    const received = async (query: string) => {
      const res = await t.app.inject({
        url: `/api/v1/cases?view=all&${query}`,
        headers: { authorization: approver },
      });
      expect(res.statusCode, res.body).toBe(200);
      return (res.json().items as { itemName: string; submittedAt: string }[]).map((c) => c.itemName);
    };
    const today = chinaDateOf(new Date());
    expect(await received(`receivedFrom=${today}`)).toEqual([]);
    expect((await received(`receivedTo=${today}`)).sort()).toEqual(['临时救助金给付', '高龄津贴发放']);
    const [first] = await t.db.query<{ day: string }>(
      `select min(submitted_at) as day from cases where item_name = '高龄津贴发放'`,
    );
    const day = chinaDateOf(new Date(first!.day));
    expect(await received(`receivedFrom=${day}&receivedTo=${day}`)).toEqual(['高龄津贴发放']);
    const bad = await t.app.inject({
      url: '/api/v1/cases?receivedFrom=2026-13-01',
      headers: { authorization: approver },
    });
    expect(bad.statusCode).toBe(400);
  });
});
