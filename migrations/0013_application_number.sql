-- Unified application numbers (统一申办编号, kernel/identifiers/application-number.ts):
-- one counter per region and day hands out the serials, atomically across processes.

create table application_number_counter (
  region_code text not null,
  day date not null,
  last_serial int not null,
  primary key (region_code, day),
  constraint application_number_counter_region_check check (region_code ~ '^[0-9]{6}$'),
  constraint application_number_counter_serial_check check (last_serial between 1 and 999999)
);
comment on table application_number_counter is 'Serials of application numbers handed out, per region and day of submission.';
comment on column application_number_counter.region_code is '6-digit county code of the handling body.';
comment on column application_number_counter.day is 'Day of submission in China time (UTC+8).';
comment on column application_number_counter.last_serial is 'The last serial handed out for the region on that day.';
