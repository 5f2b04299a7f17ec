import { describe, expect, it } from 'vitest';
import {
  APPOINTMENT_ACTIONS,
  APPOINTMENT_STATUSES,
  actionWindow,
  isOpen,
  nextStatus,
  type AppointmentStatus,
} from './workflow.ts';

const slot = {
  startsAt: new Date('2026-06-09T09:00:00+08:00'),
  endsAt: new Date('2026-06-09T09:30:00+08:00'),
};
const windows = { arriveEarlyMinutes: 30, noShowGraceMinutes: 15 };
const at = (hhmm: string) => new Date(`2026-06-09T${hhmm}:00+08:00`);

describe('appointment lifecycle', () => {
  it('allows every action only on a booked appointment, each to its own end status', () => {
    const table = Object.fromEntries(
      APPOINTMENT_STATUSES.map((s) => [s, APPOINTMENT_ACTIONS.map((a) => nextStatus(s, a))]),
    ) as Record<AppointmentStatus, (AppointmentStatus | null)[]>;
    expect(table).toEqual({
      booked: ['cancelled', 'arrived', 'no_show'],
      cancelled: [null, null, null],
      arrived: [null, null, null],
      no_show: [null, null, null],
    });
  });

  it('opens cancel until the start, check-in from 30 minutes before until the end, no-show after the grace', () => {
    expect(isOpen('cancel', slot, windows, at('08:59'))).toBe(true);
    expect(isOpen('cancel', slot, windows, at('09:00'))).toBe(false);
    expect(isOpen('arrive', slot, windows, at('08:29'))).toBe(false);
    expect(isOpen('arrive', slot, windows, at('08:30'))).toBe(true);
    expect(isOpen('arrive', slot, windows, at('09:29'))).toBe(true);
    expect(isOpen('arrive', slot, windows, at('09:30'))).toBe(false);
    expect(isOpen('no_show', slot, windows, at('09:44'))).toBe(false);
    expect(isOpen('no_show', slot, windows, at('09:45'))).toBe(true);
    expect(actionWindow('no_show', slot, { ...windows, noShowGraceMinutes: 0 }).from).toBe(
      slot.endsAt.getTime(),
    );
  });
});
