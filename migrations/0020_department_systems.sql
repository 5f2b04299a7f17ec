-- Department systems (modules/department-systems, 部门业务办理系统): a department that runs
-- its own case-handling system receives its cases as signed webhooks (Standard Webhooks,
-- kernel/webhooks.ts) and reports progress and results back through a signed API. Both
-- directions are idempotent: every outbound message has a stable webhook-id and is recorded
-- per system once delivered; every inbound report's webhook-id is a webhook_receipt.

create table department_system (
  id bigint generated always as identity primary key,
  code text not null,
  name text not null,
  organisation_id bigint not null references organisation (id),
  endpoint_url text not null,
  outbound_secret_enc text not null,
  inbound_secret_enc text not null,
  previous_outbound_secret_enc text,
  previous_inbound_secret_enc text,
  previous_secrets_until timestamptz,
  enabled boolean not null default true,
  created_by text not null,
  created_at timestamptz not null default now(),
  updated_by text not null,
  updated_at timestamptz not null default now(),
  secrets_rotated_at timestamptz,
  constraint department_system_code_key unique (code),
  constraint department_system_code_check check (
    code ~ '^[a-z][a-z0-9]*(-[a-z0-9]+)*$' and length(code) between 2 and 40 and code <> 'dead-letters'
  ),
  constraint department_system_name_check check (length(name) between 1 and 200),
  constraint department_system_endpoint_check check (endpoint_url ~ '^https?://' and length(endpoint_url) <= 2000),
  constraint department_system_previous_check check (
    (previous_secrets_until is null) = (previous_outbound_secret_enc is null)
    and (previous_secrets_until is null) = (previous_inbound_secret_enc is null)
  )
);
comment on table department_system is 'A department''s own case-handling system (部门业务办理系统): it receives the cases of its department as signed webhooks and reports steps back through POST /api/v1/department-systems/{code}/reports.';
comment on column department_system.code is 'Stable lower-case code, e.g. scjg-approval; in the report URL, the receipt source (department-system:<code>) and every webhook-id sent to it (evt_<event id>_<code>).';
comment on column department_system.name is 'Display name: 市场监管局审批系统.';
comment on column department_system.organisation_id is 'The department the system works for: it receives the cases this department leads or reviews a branch of, and acts for this department only.';
comment on column department_system.endpoint_url is 'Where case events are POSTed (http or https; https in production).';
comment on column department_system.outbound_secret_enc is 'The whsec_ secret that signs what the platform sends, encrypted (FieldCipher, purpose deptSystemOutbound).';
comment on column department_system.inbound_secret_enc is 'The whsec_ secret the system signs its reports with, encrypted (FieldCipher, purpose deptSystemInbound).';
comment on column department_system.previous_outbound_secret_enc is 'After a rotation: the old outbound secret, which still signs alongside the new one until previous_secrets_until.';
comment on column department_system.previous_inbound_secret_enc is 'After a rotation: the old inbound secret, still accepted until previous_secrets_until.';
comment on column department_system.previous_secrets_until is 'End of the grace period of the previous secrets; null when there are none.';
comment on column department_system.enabled is 'A disabled system receives nothing and its reports are refused (403).';
comment on column department_system.created_by is 'Administrator (account id) who registered the system.';
comment on column department_system.created_at is 'When the system was registered.';
comment on column department_system.updated_by is 'Administrator who last changed it.';
comment on column department_system.updated_at is 'When it was last changed.';
comment on column department_system.secrets_rotated_at is 'When the secrets were last rotated; null if never.';
create index department_system_organisation_idx on department_system (organisation_id) where enabled;

create table department_system_delivery (
  event_id bigint not null,
  system_id bigint not null references department_system (id) on delete cascade,
  webhook_id text not null,
  status_code integer not null,
  delivered_at timestamptz not null default now(),
  constraint department_system_delivery_pkey primary key (event_id, system_id),
  constraint department_system_delivery_webhook_id_check check (webhook_id ~ '^[A-Za-z0-9_-]{1,128}$')
);
comment on table department_system_delivery is 'Case events delivered to a department system: a retry of the outbox delivery (another system failed) skips the systems already served.';
comment on column department_system_delivery.event_id is 'The outbox event (outbox_event.id; the event may since be purged).';
comment on column department_system_delivery.system_id is 'The department system that acknowledged it.';
comment on column department_system_delivery.webhook_id is 'The webhook-id it was sent with: evt_<event id>_<system code>.';
comment on column department_system_delivery.status_code is 'The 2xx status the system answered.';
comment on column department_system_delivery.delivered_at is 'When the system acknowledged it.';

insert into identity_role_permission (role_code, permission) values ('system_admin', 'integration.manage');
