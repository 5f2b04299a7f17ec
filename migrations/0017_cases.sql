-- Cases (办件, modules/cases): one case per item and implementing body of a submitted
-- application. The case row is the aggregate: every transition updates it with
-- `where version = $expected` (optimistic concurrency) and appends to its hash chain
-- (chain `case:<id>`, kernel/chain.ts) and its timeline (case_event) in one transaction.
-- The process (stages, parallel branches, limits) is copied from the item version at
-- submission: the rules a case runs under never change after it was filed.

create table cases (
  id uuid primary key default gen_random_uuid(),
  number text not null,
  application_id uuid not null,
  application_number text not null,
  part smallint not null default 1,
  status text not null default 'submitted',
  version integer not null default 1,
  item_id bigint not null,
  item_code text not null,
  item_version_id bigint not null,
  item_name text not null,
  entry_id bigint,
  organisation_id bigint not null,
  organisation_name text not null,
  region_code text not null,
  applicant_sub text not null,
  applicant_kind text not null,
  applicant_name text not null,
  enterprise_uscc text,
  submitted_by text not null,
  channel text not null default 'online',
  process jsonb not null,
  form_data jsonb not null default '{}',
  materials jsonb not null default '[]',
  opinions jsonb not null default '[]',
  submitted_at timestamptz not null,
  accepted_at timestamptz,
  decided_at timestamptz,
  ended_at timestamptz,
  extension_days integer not null default 0,
  paused_since timestamptz,
  legal_deadline timestamptz,
  promised_deadline timestamptz,
  clock_state text not null default 'green',
  warned jsonb not null default '{}',
  next_clock_check_at timestamptz,
  updated_at timestamptz not null default now(),
  constraint cases_number_key unique (number),
  constraint cases_application_part_key unique (application_id, part),
  constraint cases_status_check check (status in (
    'submitted', 'prereviewing', 'accepted', 'rejected', 'supplementing', 'under_review', 'suspended',
    'decided_approved', 'decided_denied', 'certificate_made', 'delivered', 'completed', 'withdrawn', 'returned')),
  constraint cases_applicant_kind_check check (applicant_kind in ('person', 'enterprise')),
  constraint cases_channel_check check (channel in ('online', 'window', 'mobile', 'kiosk', 'department')),
  constraint cases_version_check check (version >= 1),
  constraint cases_extension_check check (extension_days >= 0),
  constraint cases_clock_state_check check (clock_state in ('green', 'yellow', 'red'))
);
comment on table cases is 'A case (办件): one item handled by one implementing body for one application.';
comment on column cases.number is 'Case number: the application number, with -NN for the parts of a bundle.';
comment on column cases.application_id is 'The application (modules/applications) it came from.';
comment on column cases.part is 'Position of the case in its application (1 for a single item, 1..n for a bundle).';
comment on column cases.version is 'Optimistic concurrency: every transition requires the version the actor saw and increments it.';
comment on column cases.organisation_id is 'Implementing body (实施主体) that leads the case.';
comment on column cases.region_code is 'Region of the implementation entry; staff jurisdiction filters on it.';
comment on column cases.applicant_sub is 'Subject of the applicant person (for an enterprise: the person who acted for it).';
comment on column cases.enterprise_uscc is 'The enterprise applied for (法人申请), if any.';
comment on column cases.submitted_by is 'Actor who submitted (the applicant, an agent, or a window clerk).';
comment on column cases.process is 'The validated process definition (cases/process.ts) copied from the item version.';
comment on column cases.materials is 'Materials as filed: [{ name, source: upload|drive|registry|licence, uploadId?, sha256?, filename?, record? }], plus supplements.';
comment on column cases.opinions is 'Review opinions so far: [{ stage, branch?, opinion: approve|deny, by, at, reason? }].';
comment on column cases.paused_since is 'Start of the open pause (补正, 特别程序); null when the clock runs.';
comment on column cases.legal_deadline is 'Deadline of the legal limit as last computed (null before acceptance or while paused).';
comment on column cases.promised_deadline is 'Deadline of the promised limit as last computed.';
comment on column cases.warned is 'Warning levels already emitted per clock: { "promised": ["yellow"], ... }.';
comment on column cases.next_clock_check_at is 'When the deadline sweep next looks at the case (clocks change at day boundaries); null = never.';
create index cases_application_idx on cases (application_id);
create index cases_applicant_idx on cases (applicant_sub, submitted_at desc);
create index cases_enterprise_idx on cases (enterprise_uscc, submitted_at desc) where enterprise_uscc is not null;
create index cases_organisation_status_idx on cases (organisation_id, status, submitted_at desc);
create index cases_region_status_idx on cases (region_code, status);
create index cases_item_idx on cases (item_code, submitted_at desc);
create index cases_clock_check_idx on cases (next_clock_check_at) where next_clock_check_at is not null;
create index cases_overdue_idx on cases (promised_deadline) where ended_at is null and accepted_at is not null;

-- The open work on a case: one row per stage (or parallel branch) waiting for someone to
-- act, with the role and organisation that should. The workbench reads it.
create table case_task (
  id bigint generated always as identity primary key,
  case_id uuid not null references cases (id) on delete cascade,
  stage text not null,
  branch text,
  role text not null,
  organisation_id bigint not null,
  region_code text not null,
  started_at timestamptz not null,
  limit_days integer not null,
  due_at timestamptz,
  finished_at timestamptz,
  finished_by text,
  constraint case_task_stage_key unique (case_id, stage, branch)
);
comment on table case_task is 'Work waiting on a case: a stage or parallel branch, who should act, its deadline.';
comment on column case_task.role is 'Identity role code of who acts (window_clerk, approver, department_head ...).';
comment on column case_task.organisation_id is 'Department that acts (the lead body, or a parallel branch''s department).';
comment on column case_task.due_at is 'Deadline of the stage (working days from started_at, moved by pauses); null for a 0-day limit before start.';
create index case_task_open_idx on case_task (organisation_id, role, due_at) where finished_at is null;
create index case_task_case_idx on case_task (case_id) where finished_at is null;

-- Clock pauses: 补正 (supplement) and 特别程序 (special procedure).
create table case_pause (
  id bigint generated always as identity primary key,
  case_id uuid not null references cases (id) on delete cascade,
  kind text not null,
  reason text not null,
  expected_days integer,
  started_at timestamptz not null,
  ended_at timestamptz,
  constraint case_pause_kind_check check (kind in ('supplement', 'special_procedure')),
  constraint case_pause_order_check check (ended_at is null or ended_at >= started_at)
);
comment on column case_pause.expected_days is 'Expected length in working days (特别程序); null for a supplement.';
create index case_pause_case_idx on case_pause (case_id, started_at);
create unique index case_pause_open_idx on case_pause (case_id) where ended_at is null;

-- The applicant's timeline and the staff's history: every step, by role not name.
create table case_event (
  id bigint generated always as identity primary key,
  case_id uuid not null references cases (id) on delete cascade,
  at timestamptz not null,
  action text not null,
  from_status text not null,
  to_status text not null,
  actor text not null,
  actor_role text not null,
  on_behalf_of text,
  stage text,
  branch text,
  reason text,
  details jsonb not null default '{}'
);
comment on column case_event.actor is 'Subject who acted (shown to staff; the applicant sees actor_role).';
comment on column case_event.actor_role is 'How the actor appears to the applicant: applicant, window_clerk, approver, department_system ...';
comment on column case_event.details is 'What the step needs or produced: the supplement notice''s materials, an extension''s days, documents ...';
create index case_event_case_idx on case_event (case_id, id);

-- Documents produced for the applicant (受理通知书 ...), stored as files (kernel/files).
create table case_document (
  id uuid primary key default gen_random_uuid(),
  case_id uuid not null references cases (id) on delete cascade,
  kind text not null,
  step_version integer not null,
  sha256 text not null references stored_file (sha256),
  size bigint not null,
  verification_code text not null,
  created_at timestamptz not null default now(),
  constraint case_document_kind_check check (kind in (
    'acceptance_notice', 'rejection_decision', 'supplement_notice', 'approval_decision', 'denial_decision')),
  constraint case_document_code_key unique (verification_code),
  constraint case_document_step_key unique (case_id, kind, step_version)
);
comment on column case_document.step_version is 'Case version after the step that produced it: one document per step and kind.';
comment on column case_document.verification_code is 'Random code in the document''s QR link; anyone holding it can check the document is genuine.';
create index case_document_case_idx on case_document (case_id, created_at);
