-- Working-day calendar: administrator overrides on top of the official holiday data
-- that ships with the code (kernel/calendar).

create table calendar_override (
  day date primary key,
  working boolean not null,
  reason text not null,
  updated_by text not null,
  updated_at timestamptz not null default now(),
  constraint calendar_override_day_range check (day between date '1970-01-01' and date '2199-12-31'),
  constraint calendar_override_reason_length check (char_length(reason) between 1 and 200)
);
comment on table calendar_override is 'Days an administrator declared working or not, overriding the official holiday data (a local holiday, a late State Council notice). Changes are audited in audit_log.';
comment on column calendar_override.day is 'The day, in China Standard Time; within the range the calendar code covers (1970-01-01 to 2199-12-31).';
comment on column calendar_override.working is 'True: a working day (counts towards time limits); false: a day off.';
comment on column calendar_override.reason is 'Why, as shown to staff and citizens, e.g. the notice that decided it (1 to 200 characters).';
comment on column calendar_override.updated_by is 'Subject of the administrator who last set the override.';
comment on column calendar_override.updated_at is 'When the override was last set.';
