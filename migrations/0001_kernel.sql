-- Kernel tables: the audit trail shared by every module.

create table audit_log (
  id bigint generated always as identity primary key,
  at timestamptz not null default now(),
  actor text not null,
  on_behalf_of text,
  action text not null,
  entity text not null,
  entity_id text not null,
  before jsonb,
  after jsonb,
  ip text,
  request_id text
);
comment on table audit_log is 'Every change made by a person: who, acting for whom, what, when, from where, before -> after.';
comment on column audit_log.actor is 'Subject of the authenticated caller (user id or service name).';
comment on column audit_log.on_behalf_of is 'Subject the actor acted for (an enterprise, an applicant), if any.';
comment on column audit_log.action is 'Verb, dotted: catalog.item.publish, calendar.override.set ...';
comment on column audit_log.entity is 'Kind of the changed thing: catalog_item_version, calendar_override ...';
comment on column audit_log.entity_id is 'Key of the changed thing, as text.';
comment on column audit_log.before is 'State before the change (null for a creation).';
comment on column audit_log.after is 'State after the change (null for a deletion).';
comment on column audit_log.ip is 'Client address the request came from.';
comment on column audit_log.request_id is 'Request id, to join the audit with the logs.';
create index audit_log_entity_idx on audit_log (entity, entity_id, at);
