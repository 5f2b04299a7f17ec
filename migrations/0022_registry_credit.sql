-- Credit registry (信用库, issue 6 item 1) and the last-change time of every base-registry
-- record, which the data-quality reports (item 7) need to find stale records. Subject
-- keys are ID numbers or credit codes, not foreign keys: the credit registry also holds
-- records on subjects that the population and market-entity registries do not.

create table registry_credit (
  id bigint generated always as identity primary key,
  subject_kind text not null,
  subject_key text not null,
  kind text not null,
  title text not null,
  authority text not null,
  decided_on date not null,
  valid_until date,
  details jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint registry_credit_subject_kind_check check (subject_kind in ('person', 'enterprise')),
  constraint registry_credit_subject_key_check check (
    (subject_kind = 'person' and subject_key ~ '^[0-9]{17}[0-9X]$')
    or (subject_kind = 'enterprise' and subject_key ~ '^[0-9A-HJ-NP-RT-UW-Y]{18}$')
  ),
  constraint registry_credit_kind_check check (
    kind in ('honour', 'dishonest_debtor', 'administrative_penalty', 'abnormal_operation', 'serious_violation')
  ),
  -- The list of abnormal operations (经营异常名录) is kept for market entities only.
  constraint registry_credit_abnormal_operation_check check (kind <> 'abnormal_operation' or subject_kind = 'enterprise'),
  constraint registry_credit_title_check check (btrim(title) <> ''),
  constraint registry_credit_authority_check check (btrim(authority) <> ''),
  constraint registry_credit_validity_check check (valid_until is null or valid_until >= decided_on),
  constraint registry_credit_details_check check (jsonb_typeof(details) = 'object')
);
comment on table registry_credit is 'Credit registry (信用库): public credit records on residents and market entities, both honours and dishonesty.';
comment on column registry_credit.id is 'Surrogate key.';
comment on column registry_credit.subject_kind is 'person (resident, keyed by ID number) or enterprise (keyed by credit code).';
comment on column registry_credit.subject_key is 'Resident ID number (GB 11643) or unified social credit code (GB 32100) of the subject; the shape is checked here, the check digits by the application.';
comment on column registry_credit.kind is 'honour (守信激励), dishonest_debtor (失信被执行人), administrative_penalty (行政处罚), abnormal_operation (经营异常名录, enterprises only) or serious_violation (严重违法失信).';
comment on column registry_credit.title is 'What the record is about, as the issuing body words it: 拒不履行生效判决确定的给付义务.';
comment on column registry_credit.authority is 'Name of the issuing body (court, administrative department).';
comment on column registry_credit.decided_on is 'Date of the decision or listing (认定日期).';
comment on column registry_credit.valid_until is 'Last day the record is in force (公示期满); null while open-ended.';
comment on column registry_credit.details is 'Kind-specific details as a JSON object: case or decision number, amount in yuan, legal basis, ...';
comment on column registry_credit.created_at is 'When the record was added.';
comment on column registry_credit.updated_at is 'When the record last changed (set by trigger unless the update sets it).';
create index registry_credit_subject_key_idx on registry_credit (subject_key);

alter table registry_person add column updated_at timestamptz not null default now();
comment on column registry_person.updated_at is 'When the record last changed (set by trigger unless the update sets it); old records are stale.';
alter table registry_enterprise add column updated_at timestamptz not null default now();
comment on column registry_enterprise.updated_at is 'When the record last changed (set by trigger unless the update sets it); old records are stale.';

-- Writers (forms, bulk exchange, hand-made SQL) need not remember updated_at; a statement
-- that sets it explicitly (a bulk load carrying the source's own time) keeps its value.
create function registry_touch_updated_at() returns trigger language plpgsql as $$
begin
  new.updated_at := now();
  return new;
end $$;
comment on function registry_touch_updated_at() is 'Sets updated_at to now() on an update of a base-registry record.';
create trigger registry_person_touch before update on registry_person
  for each row when (new.updated_at is not distinct from old.updated_at) execute function registry_touch_updated_at();
create trigger registry_enterprise_touch before update on registry_enterprise
  for each row when (new.updated_at is not distinct from old.updated_at) execute function registry_touch_updated_at();
create trigger registry_credit_touch before update on registry_credit
  for each row when (new.updated_at is not distinct from old.updated_at) execute function registry_touch_updated_at();
comment on trigger registry_person_touch on registry_person is 'Keeps updated_at current when an update does not set it.';
comment on trigger registry_enterprise_touch on registry_enterprise is 'Keeps updated_at current when an update does not set it.';
comment on trigger registry_credit_touch on registry_credit is 'Keeps updated_at current when an update does not set it.';
