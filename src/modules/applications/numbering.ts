import type { Queryable } from '../../kernel/db.ts';
import { conflict } from '../../kernel/errors.ts';
import { applicationNumber } from '../../kernel/identifiers/index.ts';

/** The day in China (UTC+8, no daylight saving) of an instant, as YYYY-MM-DD. */
const chinaDay = (at: Date) => new Date(at.getTime() + 8 * 3600_000).toISOString().slice(0, 10);

/**
 * The next unified application number of a region for the day of `at` (China time). The
 * counter row is bumped by one atomic upsert, so concurrent submissions in any number of
 * processes get distinct, gap-free serials; call it inside the submission's transaction
 * and a rolled-back submission gives its serial back.
 */
export async function nextApplicationNumber(
  db: Queryable,
  regionCode: string,
  at = new Date(),
): Promise<string> {
  const region = regionCode.slice(0, 6);
  const day = chinaDay(at);
  const [row] = await db.query<{ last_serial: number }>(
    `insert into application_number_counter (region_code, day, last_serial) values ($1, $2, 1)
     on conflict (region_code, day) do update set last_serial = application_number_counter.last_serial + 1
     where application_number_counter.last_serial < 999999
     returning last_serial`,
    [region, day],
    { prepare: true },
  );
  if (!row) throw conflict(`Region ${region} has used every application number of ${day}`);
  return applicationNumber(region, day, row.last_serial);
}
