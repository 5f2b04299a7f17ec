import { audit, type Actor } from '../audit.ts';
import type { Database, Queryable } from '../db.ts';
import { notFound, textFieldError, validationError } from '../errors.ts';
import { WorkingCalendar, type DayOverride } from './calendar.ts';
import { requireDate } from './validation.ts';

/** The longest reason an override may give (the column has the same check). */
export const REASON_MAX_LENGTH = 200;

/** An override as stored, with who set it and when. */
export interface CalendarOverride extends DayOverride {
  date: string;
  updatedBy: string;
  updatedAt: Date;
}

export interface CalendarServiceOptions {
  /**
   * How long a loaded calendar is trusted. Changes made through this service are seen at
   * once; changes made by other server processes are picked up within this time,
   * since state lives in the database, not in one process's memory. Default 30 s.
   */
  ttlMs?: number;
  countStartDay?: boolean;
  /** Milliseconds now; tests move it forward. */
  clock?: () => number;
}

const OVERRIDE_COLUMNS = `to_char(day, 'YYYY-MM-DD') as date, working, reason, updated_by as "updatedBy", updated_at as "updatedAt"`;

/** The working calendar with the overrides stored in the database, cached for a short time. */
export class CalendarService {
  private readonly ttlMs: number;
  private readonly countStartDay: boolean;
  private readonly clock: () => number;
  private cached: { calendar: Promise<WorkingCalendar>; loadedAt: number } | undefined;

  constructor(
    private readonly db: Database,
    { ttlMs = 30_000, countStartDay = false, clock = Date.now }: CalendarServiceOptions = {},
  ) {
    this.ttlMs = ttlMs;
    this.countStartDay = countStartDay;
    this.clock = clock;
  }

  /** The current calendar; cheap to call on every request. */
  calendar(): Promise<WorkingCalendar> {
    const now = this.clock();
    if (!this.cached || now - this.cached.loadedAt >= this.ttlMs) {
      const calendar = this.load();
      const entry = { calendar, loadedAt: now };
      this.cached = entry;
      // A failed load is not cached: the next call tries again.
      calendar.catch(() => {
        if (this.cached === entry) this.cached = undefined;
      });
    }
    return this.cached.calendar;
  }

  listOverrides(): Promise<CalendarOverride[]> {
    return this.db.query<CalendarOverride>(`select ${OVERRIDE_COLUMNS} from calendar_override order by day`);
  }

  /** Sets (creates or replaces) the override of `date`, audited. */
  async setOverride(date: string, override: DayOverride, actor: Actor): Promise<CalendarOverride> {
    requireDate('date', date);
    const reason = override.reason.trim();
    if (reason.length === 0 || reason.length > REASON_MAX_LENGTH) {
      throw validationError([
        textFieldError('reason', 'length', 'calendar.reason', { min: 1, max: REASON_MAX_LENGTH }),
      ]);
    }
    const saved = await this.db.transaction(async (tx) => {
      const before = await findOverride(tx, date);
      const [row] = await tx.query<CalendarOverride>(
        `insert into calendar_override (day, working, reason, updated_by) values ($1, $2, $3, $4)
         on conflict (day) do update
           set working = excluded.working, reason = excluded.reason,
               updated_by = excluded.updated_by, updated_at = now()
         returning ${OVERRIDE_COLUMNS}`,
        [date, override.working, reason, actor.actor],
      );
      await audit(tx, {
        ...actor,
        action: 'calendar.override.set',
        entity: 'calendar_override',
        entityId: date,
        before: before && auditState(before),
        after: auditState(row!),
      });
      return row!;
    });
    this.invalidate();
    return saved;
  }

  /** Removes the override of `date`, audited; not_found when there is none. */
  async removeOverride(date: string, actor: Actor): Promise<void> {
    requireDate('date', date);
    await this.db.transaction(async (tx) => {
      const before = await findOverride(tx, date);
      if (!before) throw notFound(`No calendar override for ${date}`);
      await tx.query('delete from calendar_override where day = $1', [date]);
      await audit(tx, {
        ...actor,
        action: 'calendar.override.delete',
        entity: 'calendar_override',
        entityId: date,
        before: auditState(before),
        after: null,
      });
    });
    this.invalidate();
  }

  /** Forgets the cached calendar after a change; the next call loads it afresh. */
  private invalidate(): void {
    this.cached = undefined;
  }

  private async load(): Promise<WorkingCalendar> {
    const overrides: Record<string, DayOverride> = {};
    for (const { date, working, reason } of await this.listOverrides()) {
      overrides[date] = { working, reason };
    }
    return new WorkingCalendar({ overrides, countStartDay: this.countStartDay });
  }
}

/** The override of `date`, locked until the transaction ends. */
async function findOverride(tx: Queryable, date: string): Promise<CalendarOverride | undefined> {
  const [row] = await tx.query<CalendarOverride>(
    `select ${OVERRIDE_COLUMNS} from calendar_override where day = $1 for update`,
    [date],
  );
  return row;
}

const auditState = ({ working, reason }: DayOverride) => ({ working, reason });

const services = new WeakMap<Database, CalendarService>();

/**
 * The calendar service of a database, shared by every module of this process so that a
 * change made through one is seen at once by all.
 */
export function calendarServiceFor(db: Database): CalendarService {
  let service = services.get(db);
  if (!service) services.set(db, (service = new CalendarService(db)));
  return service;
}
