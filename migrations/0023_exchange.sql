-- Data sharing (issue 6): the resource catalog (信息资源目录), consumers with API keys,
-- grants for a purpose and a set of fields, and every access, sequenced into a
-- transparency log (the licences' log mechanism) so the record cannot be rewritten.

create table exchange_resource (
  code text primary key,
  name text not null,
  provider_organisation_id bigint references organisation (id),
  provider_name text not null,
  key_kind text not null,
  fields jsonb not null,
  sharing_type text not null,
  update_frequency text not null,
  description text not null default '',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint exchange_resource_code_check check (code ~ '^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$'),
  constraint exchange_resource_key_kind_check check (key_kind in ('residentId', 'uscc', 'subject', 'licenceId')),
  constraint exchange_resource_sharing_type_check check (sharing_type in ('unconditional', 'conditional', 'none')),
  constraint exchange_resource_frequency_check check (update_frequency in ('realtime', 'daily', 'weekly', 'monthly'))
);
comment on table exchange_resource is '信息资源目录: a shareable resource, its provider, fields with their sensitivity, and how it is shared.';
comment on column exchange_resource.key_kind is 'What a record is looked up by: a resident ID number, a credit code, either (subject), or a licence identifier.';
comment on column exchange_resource.fields is '[{ name, label, type, sensitivity: public | internal | sensitive, mask: name | idNumber | phone | middle | null }]';
comment on column exchange_resource.sharing_type is '无条件共享 (unconditional), 有条件共享 (conditional: a grant approved by the provider), 不予共享 (none).';

create table exchange_consumer (
  id uuid primary key default gen_random_uuid(),
  code text not null,
  name text not null,
  organisation_id bigint not null references organisation (id),
  key_id text not null,
  key_hash text not null,
  previous_key_hash text,
  previous_key_until timestamptz,
  status text not null default 'active',
  webhook_url text,
  webhook_secret text,
  created_by text not null,
  created_at timestamptz not null default now(),
  constraint exchange_consumer_code_key unique (code),
  constraint exchange_consumer_webhook_check check ((webhook_url is null) = (webhook_secret is null)),
  constraint exchange_consumer_key_id_key unique (key_id),
  constraint exchange_consumer_code_check check (code ~ '^[a-z][a-z0-9]*(-[a-z0-9]+)*$'),
  constraint exchange_consumer_status_check check (status in ('active', 'disabled'))
);
comment on table exchange_consumer is 'A department application that reads shared data, authenticated by an API key (dxk_<key id>.<secret>).';
comment on column exchange_consumer.key_hash is 'SHA-256 of the secret (256 random bits: a fast hash is enough).';
comment on column exchange_consumer.webhook_url is 'Where the change feed of the resources it is granted is POSTed (signed, Standard Webhooks); null: no feed.';
comment on column exchange_consumer.webhook_secret is 'The whsec_ secret that signs the feed, encrypted with the field cipher (purpose webhookSecret).';
comment on column exchange_consumer.previous_key_hash is 'The secret replaced by the last rotation, valid until previous_key_until.';

create table exchange_grant (
  id uuid primary key default gen_random_uuid(),
  consumer_id uuid not null references exchange_consumer (id),
  resource_code text not null references exchange_resource (code),
  purpose text not null,
  fields text[] not null,
  masked text[] not null default '{}',
  status text not null default 'requested',
  requested_by text not null,
  requested_at timestamptz not null default now(),
  decided_by text,
  decided_at timestamptz,
  decision_reason text,
  expires_at timestamptz not null,
  revoked_at timestamptz,
  constraint exchange_grant_status_check check (status in ('requested', 'approved', 'rejected', 'revoked')),
  constraint exchange_grant_fields_check check (cardinality(fields) > 0),
  constraint exchange_grant_masked_check check (masked <@ fields)
);
create index exchange_grant_consumer_idx on exchange_grant (consumer_id, resource_code) where status = 'approved';
create index exchange_grant_resource_idx on exchange_grant (resource_code, status);
comment on table exchange_grant is 'Access of a consumer to a resource for a stated purpose and set of fields, approved by the provider; expires and can be revoked.';
comment on column exchange_grant.masked is 'Fields returned masked (脱敏) under this grant.';

create table exchange_access (
  id bigserial primary key,
  at timestamptz not null default now(),
  consumer_id uuid not null,
  consumer_name text not null,
  grant_id uuid,
  resource_code text not null,
  operation text not null,
  subject_index text,
  purpose text,
  fields text[] not null default '{}',
  result_count integer not null default 0,
  outcome text not null,
  reason text,
  log_index bigint,
  constraint exchange_access_operation_check check (operation in ('lookup', 'verify', 'batch', 'feed')),
  constraint exchange_access_outcome_check check (outcome in ('allowed', 'denied'))
);
create index exchange_access_subject_idx on exchange_access (subject_index, at desc) where subject_index is not null;
create index exchange_access_resource_idx on exchange_access (resource_code, at desc);
create index exchange_access_unsequenced_idx on exchange_access (id) where log_index is null;
comment on table exchange_access is 'Every query of shared data, allowed or denied: who, what, about whom (a blind index), why, how much. Sequenced into the exchange transparency log.';
comment on column exchange_access.subject_index is 'Blind index (purpose dataSubject) of the ID number or credit code the query was about; a batch writes one row per key.';
comment on column exchange_access.log_index is 'Index of the entry that seals this row in the exchange log; null until the sequencer appends it.';

insert into identity_role_permission (role_code, permission) values
  ('system_admin', 'exchange.manage'), ('department_head', 'exchange.manage');
