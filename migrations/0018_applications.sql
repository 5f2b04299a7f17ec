-- Applications (申办, modules/applications): what a citizen or an enterprise applies for,
-- from one item or one 一件事 bundle. A draft is kept on the server (resume on any device),
-- edited under optimistic concurrency (version), and on submission gets its unified
-- application number (统一申办编号) and opens one case per part (modules/cases).
-- Materials belong to the application, not to a part: the items of a bundle that need the
-- same material (居民身份证) share it (材料共享).

create table application (
  id uuid primary key default gen_random_uuid(),
  number text,
  status text not null default 'draft',
  version integer not null default 1,
  title text not null,
  applicant_sub text not null,
  applicant_kind text not null,
  enterprise_id uuid,
  enterprise_uscc text,
  enterprise_name text,
  created_by text not null,
  bundle_id bigint,
  bundle_code text,
  region_code text not null,
  channel text not null default 'online',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  submitted_at timestamptz,
  completed_at timestamptz,
  constraint application_number_key unique (number),
  constraint application_status_check check (status in ('draft', 'submitted', 'completed', 'withdrawn')),
  constraint application_number_status_check check ((number is null) = (status = 'draft')),
  constraint application_version_check check (version >= 1),
  constraint application_applicant_kind_check check (applicant_kind in ('person', 'enterprise')),
  constraint application_enterprise_check check (
    (applicant_kind = 'enterprise') = (enterprise_id is not null and enterprise_uscc is not null and enterprise_name is not null)
    and (applicant_kind = 'enterprise' or (enterprise_id is null and enterprise_uscc is null and enterprise_name is null))),
  constraint application_bundle_check check ((bundle_id is null) = (bundle_code is null)),
  constraint application_region_check check (region_code ~ '^[0-9]{12}$'),
  constraint application_channel_check check (channel in ('online', 'window', 'mobile', 'kiosk'))
);
comment on table application is 'An application (申办) for one item or one 一件事 bundle: a draft until submitted, then the parent of its cases.';
comment on column application.id is 'Identifier of the application.';
comment on column application.number is '统一申办编号 (kernel/identifiers/application-number.ts), given at submission; null while a draft.';
comment on column application.status is 'draft, submitted (cases open), completed (every case ended), withdrawn (every case withdrawn).';
comment on column application.version is 'Optimistic concurrency of draft edits: a save names the version it was based on and increments it.';
comment on column application.title is 'What is applied for, for lists: the item''s or the bundle''s name.';
comment on column application.applicant_sub is 'Account id of the person who applies (for an enterprise: the person acting for it).';
comment on column application.applicant_kind is 'person (自然人申请) or enterprise (法人申请, through principal.acting).';
comment on column application.enterprise_id is 'The enterprise applied for (identity_enterprise.id), when acting for one.';
comment on column application.enterprise_uscc is 'Unified social credit code of that enterprise.';
comment on column application.enterprise_name is 'Registered name of that enterprise when the draft was made.';
comment on column application.created_by is 'Actor who started the draft.';
comment on column application.bundle_id is 'The 一件事 bundle (catalog_bundle.id) applied for; null for a single item.';
comment on column application.bundle_code is 'Code of that bundle (newborn, business-startup ...).';
comment on column application.region_code is '12-digit region the applicant applies in; the application number takes its first 6 digits.';
comment on column application.channel is 'Channel of the application: online (PC), mobile (H5), kiosk, window.';
comment on column application.created_at is 'When the draft was started.';
comment on column application.updated_at is 'Last change (form data, materials, status).';
comment on column application.submitted_at is 'When it was submitted; null while a draft.';
comment on column application.completed_at is 'When its last case ended.';
create index application_person_idx on application (applicant_sub, created_at desc) where applicant_kind = 'person';
create index application_enterprise_idx on application (enterprise_id, created_at desc) where enterprise_id is not null;

create table application_part (
  application_id uuid not null references application (id) on delete cascade,
  part smallint not null,
  item_id bigint not null,
  item_code text not null,
  item_name text not null,
  item_version_id bigint not null,
  entry_id bigint not null,
  entry_code text not null,
  organisation_id bigint not null,
  organisation_name text not null,
  form_data jsonb not null default '{}',
  constraint application_part_pkey primary key (application_id, part),
  constraint application_part_part_check check (part between 1 and 50),
  constraint application_part_form_check check (jsonb_typeof(form_data) = 'object')
);
comment on table application_part is 'One item of an application (one for a single item, one per item of a bundle), bound to the implementation entry that handles it; becomes one case.';
comment on column application_part.part is 'Position in the application, from 1 (the bundle''s item order).';
comment on column application_part.item_id is 'Basic item (catalog_item.id).';
comment on column application_part.item_code is '基本编码 of the item (agents'' mandates are scoped by it).';
comment on column application_part.item_name is 'Name of the item version.';
comment on column application_part.item_version_id is 'The published item version (catalog_item_version.id) whose form and materials apply; moved to the newly published one while a draft.';
comment on column application_part.entry_id is 'Implementation entry (catalog_entry.id) that handles the part: the nearest to the applicant''s region that offers the item.';
comment on column application_part.entry_code is '实施编码 of that entry.';
comment on column application_part.organisation_id is 'Implementing body of that entry.';
comment on column application_part.organisation_name is 'Name of the implementing body.';
comment on column application_part.form_data is 'The form as filled (JSON object, validated against the item version''s form schema: partially while a draft, fully at submission).';

create table application_material (
  application_id uuid not null references application (id) on delete cascade,
  name text not null,
  source text not null,
  upload_id uuid references file_upload (id),
  record jsonb,
  added_by text not null,
  added_at timestamptz not null default now(),
  constraint application_material_pkey primary key (application_id, name),
  constraint application_material_source_check check (source in ('upload', 'drive', 'registry', 'licence')),
  constraint application_material_payload_check check (
    (source in ('upload', 'drive') and upload_id is not null and record is null)
    or (source in ('registry', 'licence') and upload_id is null and record is not null))
);
comment on table application_material is 'Materials provided for an application, one per material name, shared by every part that needs it (材料共享).';
comment on column application_material.name is 'Material name as in the catalog (居民身份证, 营业执照 ...).';
comment on column application_material.source is 'upload (a new file), drive (a file of the applicant''s cloud drive reused), registry (免提交: filled from a base registry), licence (an e-licence, issue 5).';
comment on column application_material.upload_id is 'The file (kernel file_upload) for upload and drive.';
comment on column application_material.record is 'For registry and licence: { registry, key, data, fetchedAt }, the record as filled; the case carries it instead of a file.';
comment on column application_material.added_by is 'Actor who attached it (system:registry for 免提交 fills).';
comment on column application_material.added_at is 'When it was attached or last refreshed.';
create index application_material_upload_idx on application_material (upload_id) where upload_id is not null;
