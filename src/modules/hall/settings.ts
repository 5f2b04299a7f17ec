import { audit, type Actor } from '../../kernel/audit.ts';
import type { HallDefaults } from '../../kernel/config.ts';
import type { Database, Queryable } from '../../kernel/db.ts';
import { textFieldError, validationError, type FieldError } from '../../kernel/errors.ts';
import type { OpeningHours, SlotSettings } from './slots.ts';
import type { WindowSettings } from './workflow.ts';

/** Everything the hall's rules need: slot settings of a place, windows and the no-show ban. */
export interface HallSettings extends SlotSettings, WindowSettings {
  banNoShows: number;
  banWindowDays: number;
  banDays: number;
}

/** Check-in opens this long before the start of a slot. */
export const ARRIVE_EARLY_MINUTES = 30;

/** The platform's settings from the configuration (HALL_* variables). */
export function hallSettings(defaults: HallDefaults): HallSettings {
  return {
    ...defaults,
    hours: defaults.hours.map((h) => ({ ...h })),
    arriveEarlyMinutes: ARRIVE_EARLY_MINUTES,
  };
}

/** What a place may override. */
export type PlaceSlotSettings = SlotSettings;

interface SettingsRow {
  slot_minutes: number;
  capacity: number;
  hours: OpeningHours[];
  horizon_days: number;
  updated_by: string;
  updated_at: Date;
}

export interface PlaceSettingsView extends PlaceSlotSettings {
  /** Whether the place has its own settings (false: the platform defaults apply). */
  own: boolean;
  updatedAt: string | null;
}

/** The settings in force at a place: its own when it has them, else the platform's. */
export async function settingsOf(
  db: Queryable,
  placeCode: string,
  platform: HallSettings,
): Promise<HallSettings & { own: boolean; updatedAt: string | null }> {
  const [row] = await db.query<SettingsRow>(
    `select slot_minutes, capacity, hours, horizon_days, updated_by, updated_at
       from hall_place_settings where place_code = $1`,
    [placeCode],
  );
  if (!row) return { ...platform, own: false, updatedAt: null };
  return {
    ...platform,
    slotMinutes: row.slot_minutes,
    capacity: row.capacity,
    hours: row.hours,
    horizonDays: row.horizon_days,
    own: true,
    updatedAt: row.updated_at.toISOString(),
  };
}

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;

/** Field errors of opening hours: each range HH:MM to a later HH:MM, in order, not overlapping, at least one slot long. */
export function checkHours(hours: OpeningHours[], slotMinutes: number): FieldError[] {
  const errors: FieldError[] = [];
  const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
  hours.forEach((range, i) => {
    for (const end of ['from', 'to'] as const) {
      if (!HHMM.test(range[end])) errors.push(textFieldError(`hours[${i}].${end}`, 'format', 'hall.hhmm'));
    }
    if (!HHMM.test(range.from) || !HHMM.test(range.to)) return;
    if (minutes(range.to) - minutes(range.from) < slotMinutes) {
      errors.push(
        textFieldError(`hours[${i}].to`, 'slotLength', 'hall.rangeLength', { minutes: slotMinutes }),
      );
    }
    const previous = hours[i - 1];
    if (previous && HHMM.test(previous.to) && range.from < previous.to) {
      errors.push(textFieldError(`hours[${i}].from`, 'order', 'hall.rangeOrder'));
    }
  });
  return errors;
}

/** Sets (creates or replaces) a place's own settings, audited. */
export async function saveSettings(
  db: Database,
  placeCode: string,
  input: PlaceSlotSettings,
  actor: Actor,
): Promise<void> {
  const errors = checkHours(input.hours, input.slotMinutes);
  if (errors.length > 0) throw validationError(errors);
  await db.transaction(async (tx) => {
    const [before] = await tx.query<SettingsRow>(
      `select slot_minutes, capacity, hours, horizon_days, updated_by, updated_at
         from hall_place_settings where place_code = $1 for update`,
      [placeCode],
    );
    await tx.query(
      `insert into hall_place_settings (place_code, slot_minutes, capacity, hours, horizon_days, updated_by)
       values ($1, $2, $3, $4::jsonb, $5, $6)
       on conflict (place_code) do update
         set slot_minutes = excluded.slot_minutes, capacity = excluded.capacity, hours = excluded.hours,
             horizon_days = excluded.horizon_days, updated_by = excluded.updated_by, updated_at = now()`,
      [
        placeCode,
        input.slotMinutes,
        input.capacity,
        JSON.stringify(input.hours),
        input.horizonDays,
        actor.actor,
      ],
    );
    await audit(tx, {
      ...actor,
      action: 'hall.settings.set',
      entity: 'hall_place_settings',
      entityId: placeCode,
      before: before && {
        slotMinutes: before.slot_minutes,
        capacity: before.capacity,
        hours: before.hours,
        horizonDays: before.horizon_days,
      },
      after: input,
    });
  });
}
