-- Unified identity (统一身份认证): accounts of natural persons and staff, sessions,
-- one-time SMS codes, enterprises with their owners, administrators and agents, staff
-- roles as data with their jurisdictions, and QR-code login. Phone and ID numbers are
-- stored encrypted (kernel/crypto.ts FieldCipher) with a keyed blind index for lookup.

create table identity_account (
  id uuid primary key default gen_random_uuid(),
  kind text not null,
  username text,
  name text,
  phone_enc text,
  phone_index text,
  id_number_enc text,
  id_number_index text,
  password_hash text,
  assurance smallint not null default 0,
  real_name_verified_at timestamptz,
  face_verified_at timestamptz,
  email text,
  address text,
  status text not null default 'active',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  closed_at timestamptz,
  constraint identity_account_kind_check check (kind in ('person', 'staff')),
  constraint identity_account_assurance_check check (assurance between 0 and 3),
  constraint identity_account_status_check check (status in ('active', 'disabled', 'closed')),
  constraint identity_account_username_check check (username is null or username ~ '^[a-z][a-z0-9._-]{2,31}$')
);
comment on table identity_account is 'A natural person (自然人) or a staff member who signs in to the platform.';
comment on column identity_account.kind is 'person (citizen, also the people acting for enterprises) or staff (department and hall staff).';
comment on column identity_account.username is 'Staff login name; null for persons, who sign in with their phone.';
comment on column identity_account.name is 'Real name once verified (persons) or the staff member''s name.';
comment on column identity_account.phone_enc is 'Mobile phone number, encrypted (FieldCipher, purpose phone).';
comment on column identity_account.phone_index is 'Keyed blind index (HMAC) of the phone number, for sign-in lookup.';
comment on column identity_account.id_number_enc is 'Resident ID number once verified, encrypted (FieldCipher, purpose idNumber).';
comment on column identity_account.id_number_index is 'Keyed blind index of the ID number: one active person account per resident.';
comment on column identity_account.password_hash is 'argon2id hash of the password, if one was set.';
comment on column identity_account.assurance is 'Assurance level: 0 none, 1 phone verified, 2 real name verified, 3 face or in-person verified.';
comment on column identity_account.real_name_verified_at is 'When the real name was verified (实名认证).';
comment on column identity_account.face_verified_at is 'When the face or in-person verification succeeded.';
comment on column identity_account.email is 'Contact e-mail, optional.';
comment on column identity_account.address is 'Contact (mailing) address, optional.';
comment on column identity_account.status is 'active, disabled (by an administrator) or closed (by the person).';
comment on column identity_account.created_at is 'When the account was created.';
comment on column identity_account.updated_at is 'When the account last changed.';
comment on column identity_account.closed_at is 'When the account was closed.';
create unique index identity_account_phone_key on identity_account (kind, phone_index) where status <> 'closed';
create unique index identity_account_id_number_key on identity_account (kind, id_number_index) where status <> 'closed';
create unique index identity_account_username_key on identity_account (username);

create table identity_role (
  code text primary key,
  name text not null,
  name_en text not null,
  description text not null default '',
  constraint identity_role_code_check check (code ~ '^[a-z][a-z0-9_]{1,39}$')
);
comment on table identity_role is 'A staff role (岗位角色). Roles are data: administrators edit their permissions.';
comment on column identity_role.code is 'Stable code: window_clerk, approver ...';
comment on column identity_role.name is 'Chinese name.';
comment on column identity_role.name_en is 'English name.';
comment on column identity_role.description is 'What the role is for.';

create table identity_role_permission (
  role_code text not null references identity_role (code) on delete cascade,
  permission text not null,
  primary key (role_code, permission)
);
comment on table identity_role_permission is 'Permissions a role grants (the permission names are defined in code: kernel/auth.ts PERMISSIONS).';
comment on column identity_role_permission.role_code is 'The role.';
comment on column identity_role_permission.permission is 'A permission, dotted: catalog.manage, registry.read ...';

insert into identity_role (code, name, name_en, description) values
  ('window_clerk', '窗口人员', 'window clerk', 'Receives applications at a hall window and online: 接件, 预审, 受理.'),
  ('approver', '审批人员', 'approver', 'Reviews cases of the department and proposes decisions.'),
  ('department_head', '部门负责人', 'department head', 'Decides cases, approves extensions, manages the department''s staff.'),
  ('hall_manager', '大厅管理员', 'hall manager', 'Runs a service hall: windows, queues, staff on duty.'),
  ('catalog_admin', '事项管理员', 'catalog administrator', 'Maintains service items, bundles and their implementation in the jurisdiction.'),
  ('supervisor', '监察人员', 'supervisor', 'Supervises time limits and service quality; reads audit trails.'),
  ('system_admin', '系统管理员', 'system administrator', 'Administers the platform: staff, roles, regions, SSO clients, calendar.');

insert into identity_role_permission (role_code, permission) values
  ('window_clerk', 'registry.read'), ('window_clerk', 'pii.read_full'),
  ('window_clerk', 'case.receive'), ('window_clerk', 'case.accept'),
  ('approver', 'registry.read'), ('approver', 'pii.read_full'),
  ('approver', 'case.review'), ('approver', 'case.decide'),
  ('department_head', 'registry.read'), ('department_head', 'pii.read_full'),
  ('department_head', 'case.review'), ('department_head', 'case.decide'), ('department_head', 'case.extend'),
  ('department_head', 'staff.read'), ('department_head', 'staff.manage'),
  ('hall_manager', 'case.receive'), ('hall_manager', 'staff.read'), ('hall_manager', 'hall.manage'),
  ('catalog_admin', 'catalog.manage'), ('catalog_admin', 'directory.read'),
  ('supervisor', 'supervision.read'), ('supervisor', 'audit.read'), ('supervisor', 'staff.read'),
  ('system_admin', 'staff.read'), ('system_admin', 'staff.manage'), ('system_admin', 'role.manage'),
  ('system_admin', 'directory.manage'), ('system_admin', 'directory.read'), ('system_admin', 'calendar.manage'),
  ('system_admin', 'oidc.manage'), ('system_admin', 'audit.read'), ('system_admin', 'registry.read');

create table identity_staff (
  account_id uuid primary key references identity_account (id),
  organisation_id bigint not null references organisation (id),
  hall_window text,
  title text,
  region_codes text[] not null,
  organisation_ids bigint[] not null default '{}',
  created_at timestamptz not null default now(),
  constraint identity_staff_regions_check check (cardinality(region_codes) > 0)
);
comment on table identity_staff is 'A staff member''s place: home department, hall window and jurisdiction (辖区).';
comment on column identity_staff.account_id is 'The staff account.';
comment on column identity_staff.organisation_id is 'Department or service centre the member belongs to.';
comment on column identity_staff.hall_window is 'Window of a service hall the member serves at (e.g. 综合受理3号窗口), if any.';
comment on column identity_staff.title is 'Job title, optional.';
comment on column identity_staff.region_codes is 'Jurisdiction: roots of region subtrees the member may see (region.code).';
comment on column identity_staff.organisation_ids is 'Jurisdiction: departments whose records the member may see; empty means every department in the regions.';
comment on column identity_staff.created_at is 'When the member was added.';
create index identity_staff_organisation_idx on identity_staff (organisation_id);

create table identity_staff_role (
  account_id uuid not null references identity_staff (account_id) on delete cascade,
  role_code text not null references identity_role (code),
  primary key (account_id, role_code)
);
comment on table identity_staff_role is 'Roles held by a staff member.';
comment on column identity_staff_role.account_id is 'The staff account.';
comment on column identity_staff_role.role_code is 'The role.';

create table identity_enterprise (
  id uuid primary key default gen_random_uuid(),
  uscc text not null,
  name text not null,
  legal_representative_name text not null,
  region_code text not null,
  status text not null default 'active',
  verified_at timestamptz not null,
  created_by uuid not null references identity_account (id),
  created_at timestamptz not null default now(),
  constraint identity_enterprise_uscc_key unique (uscc),
  constraint identity_enterprise_status_check check (status in ('active', 'closed'))
);
comment on table identity_enterprise is 'An enterprise account (法人账户) bound to a credit code verified against the legal-entity registry.';
comment on column identity_enterprise.uscc is 'Unified social credit code (GB 32100).';
comment on column identity_enterprise.name is 'Registered name at verification.';
comment on column identity_enterprise.legal_representative_name is 'Legal representative at verification; they own the account.';
comment on column identity_enterprise.region_code is 'Region of the registered address (12 digits).';
comment on column identity_enterprise.status is 'active, or closed when the entity is deregistered.';
comment on column identity_enterprise.verified_at is 'When the registry confirmed the enterprise and its legal representative.';
comment on column identity_enterprise.created_by is 'Account that created it (the legal representative).';
comment on column identity_enterprise.created_at is 'When the account was created.';

create table identity_enterprise_member (
  id uuid primary key default gen_random_uuid(),
  enterprise_id uuid not null references identity_enterprise (id),
  account_id uuid not null references identity_account (id),
  role text not null,
  item_codes text[],
  expires_at timestamptz,
  appointed_by uuid not null references identity_account (id),
  appointed_at timestamptz not null default now(),
  revoked_at timestamptz,
  revoked_by uuid references identity_account (id),
  constraint identity_enterprise_member_role_check check (role in ('owner', 'admin', 'agent')),
  constraint identity_enterprise_member_agent_check check (role <> 'agent' or (item_codes is not null and expires_at is not null))
);
comment on table identity_enterprise_member is 'Who may act for an enterprise: its owner (legal representative), administrators (管理员) and agents (经办人).';
comment on column identity_enterprise_member.enterprise_id is 'The enterprise.';
comment on column identity_enterprise_member.account_id is 'The person acting for it.';
comment on column identity_enterprise_member.role is 'owner, admin (appointed by the owner) or agent (appointed by an administrator).';
comment on column identity_enterprise_member.item_codes is 'Agent scope: catalog item codes the agent may apply for; null for owners and administrators (all items).';
comment on column identity_enterprise_member.expires_at is 'End of the mandate; required for agents.';
comment on column identity_enterprise_member.appointed_by is 'Account that appointed the member.';
comment on column identity_enterprise_member.appointed_at is 'When the member was appointed.';
comment on column identity_enterprise_member.revoked_at is 'When the mandate was revoked; it stops working at once.';
comment on column identity_enterprise_member.revoked_by is 'Account that revoked it.';
create unique index identity_enterprise_member_active_key on identity_enterprise_member (enterprise_id, account_id) where revoked_at is null;
create index identity_enterprise_member_account_idx on identity_enterprise_member (account_id) where revoked_at is null;

create table identity_session (
  id text primary key,
  account_id uuid not null references identity_account (id),
  channel text not null,
  csrf_hash text,
  acting_member_id uuid references identity_enterprise_member (id),
  assurance smallint not null,
  created_at timestamptz not null default now(),
  last_seen_at timestamptz not null default now(),
  expires_at timestamptz not null,
  ip text,
  user_agent text,
  revoked_at timestamptz,
  revoked_reason text,
  constraint identity_session_channel_check check (channel in ('cookie', 'bearer'))
);
comment on table identity_session is 'A signed-in session. The token itself is never stored: id is its SHA-256.';
comment on column identity_session.id is 'SHA-256 (hex) of the session token.';
comment on column identity_session.account_id is 'The signed-in account.';
comment on column identity_session.channel is 'cookie (browser, CSRF-protected) or bearer (API client).';
comment on column identity_session.csrf_hash is 'SHA-256 of the CSRF token of a cookie session.';
comment on column identity_session.acting_member_id is 'Mandate the person currently acts under (acting for an enterprise), if any.';
comment on column identity_session.assurance is 'Assurance level reached when the session was opened or rotated.';
comment on column identity_session.created_at is 'When the session was opened.';
comment on column identity_session.last_seen_at is 'Last request (updated at most once a minute); idle timeout counts from here.';
comment on column identity_session.expires_at is 'Absolute end of the session.';
comment on column identity_session.ip is 'Client address at sign-in.';
comment on column identity_session.user_agent is 'User agent at sign-in.';
comment on column identity_session.revoked_at is 'When the session was ended (logout, rotation, log out everywhere, account change).';
comment on column identity_session.revoked_reason is 'Why: logout, rotated, logout_all, password_changed, closed ...';
create index identity_session_account_idx on identity_session (account_id) where revoked_at is null;

create table identity_sms_code (
  id bigint generated always as identity primary key,
  phone_index text not null,
  purpose text not null,
  code_hash text not null,
  failures int not null default 0,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  consumed_at timestamptz,
  constraint identity_sms_code_purpose_check check (purpose in ('signup', 'login', 'change_phone', 'confirm'))
);
comment on table identity_sms_code is 'One-time SMS verification codes (hashed); the latest unconsumed one per phone and purpose counts.';
comment on column identity_sms_code.phone_index is 'Blind index of the phone the code was sent to.';
comment on column identity_sms_code.purpose is 'signup, login, change_phone (sent to the new number) or confirm (a sensitive action).';
comment on column identity_sms_code.code_hash is 'SHA-256 of the phone index and the code.';
comment on column identity_sms_code.failures is 'Wrong guesses; the code dies after the configured number.';
comment on column identity_sms_code.created_at is 'When the code was sent.';
comment on column identity_sms_code.expires_at is 'When it stops working (5 minutes).';
comment on column identity_sms_code.consumed_at is 'When it was used; a code works once.';
create index identity_sms_code_lookup_idx on identity_sms_code (phone_index, purpose, created_at desc);

create table identity_qr_login (
  id text primary key,
  desktop_binding_hash text not null,
  status text not null default 'pending',
  account_id uuid references identity_account (id),
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  approved_at timestamptz,
  consumed_at timestamptz,
  constraint identity_qr_login_status_check check (status in ('pending', 'scanned', 'approved', 'denied', 'consumed'))
);
comment on table identity_qr_login is 'QR-code login: a desktop shows a code, a signed-in phone approves it, the desktop redeems it once.';
comment on column identity_qr_login.id is 'SHA-256 of the code shown in the QR image.';
comment on column identity_qr_login.desktop_binding_hash is 'SHA-256 of the secret kept by the desktop that asked (cookie); only it can redeem.';
comment on column identity_qr_login.status is 'pending, scanned, approved, denied or consumed.';
comment on column identity_qr_login.account_id is 'Account that approved it on the phone.';
comment on column identity_qr_login.created_at is 'When the desktop asked for the code.';
comment on column identity_qr_login.expires_at is 'When the code stops working (2 minutes).';
comment on column identity_qr_login.approved_at is 'When the phone approved.';
comment on column identity_qr_login.consumed_at is 'When the desktop redeemed it for a session.';
