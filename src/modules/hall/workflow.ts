/**
 * The appointment lifecycle as data: which action leads from which status to which, and
 * when each action is open relative to the slot. Pure; unit-tested without a database.
 */

export const APPOINTMENT_STATUSES = ['booked', 'cancelled', 'arrived', 'no_show'] as const;
export type AppointmentStatus = (typeof APPOINTMENT_STATUSES)[number];

export const APPOINTMENT_ACTIONS = ['cancel', 'arrive', 'no_show'] as const;
export type AppointmentAction = (typeof APPOINTMENT_ACTIONS)[number];

/** status -> action -> the status after it; an action missing from a status is not allowed there. */
export const APPOINTMENT_TRANSITIONS = {
  booked: { cancel: 'cancelled', arrive: 'arrived', no_show: 'no_show' },
  cancelled: {},
  arrived: {},
  no_show: {},
} as const satisfies Record<AppointmentStatus, Partial<Record<AppointmentAction, AppointmentStatus>>>;

/** The status after `action`, or null when the action is not allowed in `status`. */
export function nextStatus(status: AppointmentStatus, action: AppointmentAction): AppointmentStatus | null {
  const transitions: Partial<Record<AppointmentAction, AppointmentStatus>> = APPOINTMENT_TRANSITIONS[status];
  return transitions[action] ?? null;
}

/** Minutes around the slot that bound the actions (see `actionWindow`). */
export interface WindowSettings {
  /** Check-in opens this many minutes before the start (30). */
  arriveEarlyMinutes: number;
  /** A booking becomes a no-show this many minutes after the end (15). */
  noShowGraceMinutes: number;
}

const MINUTE = 60_000;

/**
 * When an action is open, as [from, until) in milliseconds: cancel until the start;
 * arrive from `arriveEarlyMinutes` before the start until the end; no_show from the end
 * plus the grace time on.
 */
export function actionWindow(
  action: AppointmentAction,
  slot: { startsAt: Date; endsAt: Date },
  settings: WindowSettings,
): { from: number; until: number } {
  const start = slot.startsAt.getTime();
  const end = slot.endsAt.getTime();
  switch (action) {
    case 'cancel':
      return { from: -Infinity, until: start };
    case 'arrive':
      return { from: start - settings.arriveEarlyMinutes * MINUTE, until: end };
    case 'no_show':
      return { from: end + settings.noShowGraceMinutes * MINUTE, until: Infinity };
  }
}

/** Whether `action` is open at `now` (see `actionWindow`). */
export function isOpen(
  action: AppointmentAction,
  slot: { startsAt: Date; endsAt: Date },
  settings: WindowSettings,
  now: Date,
): boolean {
  const window = actionWindow(action, slot, settings);
  return now.getTime() >= window.from && now.getTime() < window.until;
}

/** Outbox topics of the hall (key: the appointment id). */
export const HALL_TOPICS = {
  booked: 'hall.appointment.booked',
  cancelled: 'hall.appointment.cancelled',
  arrived: 'hall.appointment.arrived',
  noShow: 'hall.appointment.no_show',
} as const;
