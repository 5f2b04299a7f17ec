import { randomUUID } from 'node:crypto';
import { chinaDateOf } from '../kernel/calendar/index.ts';
import type { Database } from '../kernel/db.ts';
import { nextApplicationNumber } from '../modules/applications/index.ts';
import {
  caseCalendar,
  DEFAULT_CASE_SETTINGS,
  openCases,
  sweepDeadlines,
  takeStep,
  type CaseActor,
} from '../modules/cases/index.ts';

/**
 * Cases already under way when the demo starts, so that the staff workbench shows what a
 * working day looks like: applications received at the window of the first district some
 * working days ago and accepted there, one close to its promised deadline (yellow), one past
 * it (red). They are taken through the cases module's own steps with the instants they
 * happened at (takeStep's `now`), so their clocks, tasks, timelines and audit trails are
 * those of real cases. Idempotent: done once per database (the channel 'window' cases of
 * applicants without an account are the demo's alone).
 */

const DEMO_APPLICANT_PREFIX = 'demo-walk-in:';
const DAY_MS = 86_400_000;

/** The demo's cases: an item of the district's 民政局, and how many working days of its limit are used. */
const DEMO_CASES = [
  { item: '临时救助金给付', usedDays: 'most' },
  { item: '高龄津贴发放', usedDays: 'overdue' },
] as const;

/** The window clerk who received them: a staff actor of the district, as the seed itself. */
const windowActor: CaseActor = {
  sub: 'system:seed',
  onBehalfOf: null,
  applicant: false,
  permissions: new Set(['case.receive', 'case.accept']),
  roles: ['window_clerk'],
  organisations: new Set(),
  anyOrganisation: true,
};

/** Number of demo cases created (0 when they exist or the catalog lacks the items). */
export async function seedDemoCases(db: Database, now = new Date()): Promise<number> {
  const [existing] = await db.query<{ n: number }>(
    `select count(*)::int as n from cases where applicant_sub like $1`,
    [`${DEMO_APPLICANT_PREFIX}%`],
  );
  if (existing!.n > 0) return 0;
  const [district] = await db.query<{ code: string }>(
    `select code from region where parent_code = '329900000000' order by code limit 1`,
  );
  if (!district) return 0;
  const residents = await db.query<{ name: string }>(
    `select p.name from registry_person p
      where p.region_code like $1 and not exists (select 1 from identity_account a where a.name = p.name)
      order by p.id_number desc limit $2`,
    [`${district.code.slice(0, 6)}%`, DEMO_CASES.length],
  );
  const calendar = await caseCalendar(db);
  /** 10:00 China time on the day from which `n` working days are used up by `now` (counting as the clocks do). */
  const workingDaysAgo = (n: number): Date => {
    let back = 1;
    while (back < 400 && calendar.countWorkingDays(new Date(now.getTime() - back * DAY_MS), now) < n) back++;
    return new Date(`${chinaDateOf(new Date(now.getTime() - back * DAY_MS))}T10:00:00+08:00`);
  };

  let created = 0;
  for (const [index, demo] of DEMO_CASES.entries()) {
    const [entry] = await db.query<{ entryId: number; itemVersionId: number; promised: number }>(
      `select e.id as "entryId", v.id as "itemVersionId", v.promised_limit_days as promised
         from catalog_entry e
         join catalog_item_version v on v.item_id = e.item_id and v.status = 'published'
         join organisation o on o.id = e.organisation_id and o.short_name = '民政局'
        where v.name = $1 and e.region_code = $2
        order by e.id limit 1`,
      [demo.item, district.code],
    );
    if (!entry || entry.promised < 2) continue;
    // Yellow: 80% of the promised limit used, the review stage (the limit less the decision's day) not yet due.
    const used = demo.usedDays === 'overdue' ? entry.promised + 2 : Math.ceil(entry.promised * 0.8);
    const acceptedAt = workingDaysAgo(used);
    const receivedAt = new Date(acceptedAt.getTime() - 30 * 60_000);
    const applicationNumber = await nextApplicationNumber(db, district.code, receivedAt);
    const [opened] = await db.transaction((tx) =>
      openCases(
        tx,
        {
          applicationId: randomUUID(),
          applicationNumber,
          applicant: {
            sub: `${DEMO_APPLICANT_PREFIX}${index + 1}`,
            kind: 'person',
            name: residents[index]?.name ?? '示例申请人',
            enterpriseUscc: null,
          },
          submittedBy: { actor: windowActor.sub },
          channel: 'window',
          submittedAt: receivedAt,
          parts: [
            { itemVersionId: entry.itemVersionId, entryId: entry.entryId, formData: {}, materials: [] },
          ],
        },
        calendar,
      ),
    );
    const received = await takeStep(db, opened!.caseId, { action: 'receive', version: 1 }, windowActor, {
      now: new Date(receivedAt.getTime() + 5 * 60_000),
    });
    await takeStep(db, opened!.caseId, { action: 'accept', version: received.version }, windowActor, {
      now: acceptedAt,
    });
    created++;
  }
  // Their clocks as of now (the steps read them at the past instants), with the warnings due.
  await sweepDeadlines(db, DEFAULT_CASE_SETTINGS, now);
  return created;
}
