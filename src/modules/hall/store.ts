import { formatChinaInstant } from '../../kernel/calendar/index.ts';
import type { AppointmentStatus } from './workflow.ts';

/** Rows of hall_appointment become domain objects here and nowhere else. */

export interface Appointment {
  id: string;
  number: string;
  status: AppointmentStatus;
  item: { code: string; name: string };
  place: {
    code: string;
    implementingBody: { id: number; name: string };
    address: string | null;
    phone: string | null;
  };
  startsAt: string;
  endsAt: string;
  createdAt: string;
  cancelledAt: string | null;
  arrivedAt: string | null;
}

/** An appointment as staff see it: with who booked it (phone masked). */
export interface StaffAppointment extends Appointment {
  applicant: { name: string; phone: string | null };
}

export interface AppointmentRow {
  id: string;
  number: string;
  status: AppointmentStatus;
  person_sub: string;
  acting_for: string | null;
  applicant_name: string;
  applicant_phone_masked: string | null;
  item_code: string;
  item_name: string;
  place_code: string;
  organisation_id: number;
  organisation_name: string;
  region_code: string;
  address: string | null;
  phone: string | null;
  starts_at: Date;
  ends_at: Date;
  created_at: Date;
  cancelled_at: Date | null;
  arrived_at: Date | null;
}

export const APPOINTMENT_COLUMNS = `a.id, a.number, a.status, a.person_sub, a.acting_for, a.applicant_name,
  a.applicant_phone_masked, a.item_code, a.item_name, a.place_code, a.organisation_id, a.organisation_name,
  a.region_code, a.address, a.phone, a.starts_at, a.ends_at, a.created_at, a.cancelled_at, a.arrived_at`;

/** The same columns for `returning` (no table alias there). */
export const RETURNING_COLUMNS = APPOINTMENT_COLUMNS.replace(/\ba\./g, '');

const instant = (value: Date | null) => (value ? formatChinaInstant(value) : null);

export function toAppointment(row: AppointmentRow): Appointment {
  return {
    id: row.id,
    number: row.number,
    status: row.status,
    item: { code: row.item_code, name: row.item_name },
    place: {
      code: row.place_code,
      implementingBody: { id: row.organisation_id, name: row.organisation_name },
      address: row.address,
      phone: row.phone,
    },
    startsAt: formatChinaInstant(row.starts_at),
    endsAt: formatChinaInstant(row.ends_at),
    createdAt: formatChinaInstant(row.created_at),
    cancelledAt: instant(row.cancelled_at),
    arrivedAt: instant(row.arrived_at),
  };
}

export function toStaffAppointment(row: AppointmentRow): StaffAppointment {
  return {
    ...toAppointment(row),
    applicant: { name: row.applicant_name, phone: row.applicant_phone_masked },
  };
}

/** What the hall's events carry (key: the appointment id). */
export interface AppointmentEvent {
  appointmentId: string;
  number: string;
  status: AppointmentStatus;
  personSub: string;
  actingFor: string | null;
  item: { code: string; name: string };
  place: { code: string; organisationId: number; organisationName: string; regionCode: string };
  address: string | null;
  startsAt: string;
  endsAt: string;
  at: string;
}

export function eventOf(row: AppointmentRow, at: Date): AppointmentEvent {
  return {
    appointmentId: row.id,
    number: row.number,
    status: row.status,
    personSub: row.person_sub,
    actingFor: row.acting_for,
    item: { code: row.item_code, name: row.item_name },
    place: {
      code: row.place_code,
      organisationId: row.organisation_id,
      organisationName: row.organisation_name,
      regionCode: row.region_code,
    },
    address: row.address,
    startsAt: formatChinaInstant(row.starts_at),
    endsAt: formatChinaInstant(row.ends_at),
    at: formatChinaInstant(at),
  };
}
