-- Hall appointments (modules/hall, 预约办理): a person books a visit to a place that
-- handles an item (an implementation entry of the catalog) in a time slot of a working
-- day. Slots are computed from the settings (platform defaults, per-place overrides);
-- a counter row per booked slot holds its capacity under concurrency.

create table hall_place_settings (
  place_code text primary key,
  slot_minutes integer not null,
  capacity integer not null,
  hours jsonb not null,
  horizon_days integer not null,
  updated_by text not null,
  updated_at timestamptz not null default now(),
  constraint hall_place_settings_slot_minutes_check check (slot_minutes between 5 and 240),
  constraint hall_place_settings_capacity_check check (capacity between 1 and 1000),
  constraint hall_place_settings_hours_check check (jsonb_typeof(hours) = 'array'),
  constraint hall_place_settings_horizon_check check (horizon_days between 1 and 60)
);
comment on table hall_place_settings is 'Appointment settings of one place, overriding the platform defaults (HALL_* configuration).';
comment on column hall_place_settings.place_code is 'Implementation code of the catalog entry (catalog_entry.code): the place.';
comment on column hall_place_settings.slot_minutes is 'Length of one slot in minutes.';
comment on column hall_place_settings.capacity is 'People who may book one slot.';
comment on column hall_place_settings.hours is 'Opening hours on working days, China time: [{ "from": "09:00", "to": "12:00" }, ...], in order.';
comment on column hall_place_settings.horizon_days is 'Working days ahead, today included, that may be booked.';
comment on column hall_place_settings.updated_by is 'Account id of the staff member who last changed the settings.';
comment on column hall_place_settings.updated_at is 'When the settings last changed.';

create table hall_slot (
  place_code text not null,
  starts_at timestamptz not null,
  ends_at timestamptz not null,
  capacity integer not null,
  booked integer not null default 0,
  constraint hall_slot_pkey primary key (place_code, starts_at),
  constraint hall_slot_booked_check check (booked >= 0 and booked <= capacity),
  constraint hall_slot_time_check check (ends_at > starts_at)
);
comment on table hall_slot is 'Seats taken in one slot of a place: created by its first booking; a booking increments booked only while it is below capacity, a cancellation decrements it.';
comment on column hall_slot.place_code is 'Implementation code of the place (catalog_entry.code).';
comment on column hall_slot.starts_at is 'Start of the slot.';
comment on column hall_slot.ends_at is 'End of the slot.';
comment on column hall_slot.capacity is 'Capacity of the slot when it was last booked (the settings may change later).';
comment on column hall_slot.booked is 'Bookings holding a seat (status booked, arrived or no_show).';

create table hall_number_counter (
  day date primary key,
  last integer not null,
  constraint hall_number_counter_last_check check (last > 0)
);
comment on table hall_number_counter is 'The last serial of booking numbers per visit date (YY<date>-<serial>).';
comment on column hall_number_counter.day is 'China date of the visits numbered.';
comment on column hall_number_counter.last is 'The last serial given out for that date.';

create table hall_appointment (
  id uuid primary key default gen_random_uuid(),
  number text not null,
  status text not null default 'booked',
  person_sub text not null,
  acting_for text,
  applicant_name text not null,
  applicant_phone_masked text,
  item_code text not null,
  item_name text not null,
  place_code text not null,
  organisation_id bigint not null,
  organisation_name text not null,
  region_code text not null,
  address text,
  phone text,
  day date not null,
  starts_at timestamptz not null,
  ends_at timestamptz not null,
  created_at timestamptz not null default now(),
  cancelled_at timestamptz,
  arrived_at timestamptz,
  arrived_by text,
  no_show_at timestamptz,
  constraint hall_appointment_number_key unique (number),
  constraint hall_appointment_status_check check (status in ('booked', 'cancelled', 'arrived', 'no_show')),
  constraint hall_appointment_time_check check (ends_at > starts_at),
  constraint hall_appointment_cancelled_check check ((status = 'cancelled') = (cancelled_at is not null)),
  constraint hall_appointment_arrived_check check ((status = 'arrived') = (arrived_at is not null)),
  constraint hall_appointment_no_show_check check ((status = 'no_show') = (no_show_at is not null))
);
comment on table hall_appointment is 'A booked visit (预约) of a person to a place in a time slot, and what became of it.';
comment on column hall_appointment.id is 'Appointment id, as the API shows it.';
comment on column hall_appointment.number is 'Booking number told to the person (YY20261207-0003): the visit''s date and a serial.';
comment on column hall_appointment.status is 'booked, cancelled (by the person, before the start), arrived (checked in at the hall) or no_show (nobody came by the end of the slot and the grace time).';
comment on column hall_appointment.person_sub is 'Account id of the person who booked (identity_account.id): the owner.';
comment on column hall_appointment.acting_for is 'enterprise:<USCC> when the person booked acting for an enterprise; null for themselves.';
comment on column hall_appointment.applicant_name is 'Name of the person (or the enterprise they act for) as the staff list shows it.';
comment on column hall_appointment.applicant_phone_masked is 'The person''s mobile number masked (138****1234), for the staff list; null without a phone.';
comment on column hall_appointment.item_code is 'Basic code of the service item (catalog_item.code).';
comment on column hall_appointment.item_name is 'Name of the item when booked.';
comment on column hall_appointment.place_code is 'Implementation code of the place (catalog_entry.code).';
comment on column hall_appointment.organisation_id is 'The implementing body of the place (organisation.id): staff see bookings of their departments.';
comment on column hall_appointment.organisation_name is 'Name of the implementing body when booked.';
comment on column hall_appointment.region_code is 'Region of the place (region.code): staff see bookings of their jurisdiction.';
comment on column hall_appointment.address is 'Address of the place when booked.';
comment on column hall_appointment.phone is 'Telephone of the place when booked.';
comment on column hall_appointment.day is 'China date of the visit.';
comment on column hall_appointment.starts_at is 'Start of the slot.';
comment on column hall_appointment.ends_at is 'End of the slot.';
comment on column hall_appointment.created_at is 'When it was booked.';
comment on column hall_appointment.cancelled_at is 'When the person cancelled it.';
comment on column hall_appointment.arrived_at is 'When staff checked the person in.';
comment on column hall_appointment.arrived_by is 'Account id of the staff member who checked the person in.';
comment on column hall_appointment.no_show_at is 'When the sweep recorded the no-show.';
-- One live booking per person, place and day; the index also settles concurrent attempts.
create unique index hall_appointment_one_per_day_key on hall_appointment (person_sub, place_code, day)
  where status = 'booked';
create index hall_appointment_person_idx on hall_appointment (person_sub, starts_at desc);
create index hall_appointment_place_day_idx on hall_appointment (day, place_code, starts_at);
create index hall_appointment_due_idx on hall_appointment (ends_at) where status = 'booked';
create index hall_appointment_no_show_idx on hall_appointment (person_sub, starts_at)
  where status = 'no_show';
