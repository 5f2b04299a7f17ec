-- E-licences (issue 5): licence types, e-seals with their keys, licences, the
-- transparency log (an append-only Merkle tree with signed checkpoints), authorisations
-- to read a licence and the log of who read it.

create table licence_type (
  code text primary key,
  name text not null,
  holder_kind text not null,
  authority text not null,
  face_fields jsonb not null,
  validity_years smallint,
  template text not null,
  created_at timestamptz not null default now(),
  constraint licence_type_name_key unique (name),
  constraint licence_type_code_check check (code ~ '^[0-9A-HJ-NP-RT-UW-Y]{18}[0-9]{3}$'),
  constraint licence_type_holder_kind_check check (holder_kind in ('person', 'enterprise')),
  constraint licence_type_validity_check check (validity_years is null or validity_years between 1 and 99),
  constraint licence_type_template_check check (template in ('certificate', 'card'))
);
comment on table licence_type is '证照类型: a kind of licence, its face fields and how it is issued.';
comment on column licence_type.code is 'Licence type code of GB/T 36904: the responsible ministry''s USCC and a 3-digit number.';
comment on column licence_type.authority is 'The kind of body that issues it (a department short name such as 市场监督管理局, 民政局).';
comment on column licence_type.face_fields is '照面信息: [{ key, label, source, required }], source = holder.name | holder.identifier | issuer.name | case.number | item.name | form.<field>.';
comment on column licence_type.validity_years is 'Years of validity from the issue date; null for long-term (长期).';
comment on column licence_type.template is 'Layout of the rendered licence: certificate (A4 frame) or card.';

-- The one writer of a log holds its row lock while appending, so indexes have no gaps
-- and a committed entry never precedes an uncommitted one.
create table transparency_log (
  name text primary key,
  origin text not null,
  size bigint not null default 0,
  key_id text not null,
  algorithm text not null,
  public_key text not null,
  private_key text not null,
  created_at timestamptz not null default now(),
  constraint transparency_log_algorithm_check check (algorithm in ('ed25519', 'sm2-sm3')),
  constraint transparency_log_size_check check (size >= 0)
);
comment on table transparency_log is 'An append-only Merkle-tree log (RFC 9162 hashing) and the key that signs its checkpoints.';
comment on column transparency_log.origin is 'The log''s name in its checkpoints, e.g. tongban.example/licences.';
comment on column transparency_log.private_key is 'PKCS#8 private key, encrypted with the field cipher (purpose logKey).';

create table transparency_log_entry (
  log_name text not null references transparency_log (name),
  idx bigint not null,
  kind text not null,
  subject text not null,
  data text not null,
  leaf_hash bytea not null,
  logged_at timestamptz not null,
  constraint transparency_log_entry_pkey primary key (log_name, idx)
);
create index transparency_log_entry_subject_idx on transparency_log_entry (log_name, subject, idx);
comment on table transparency_log_entry is 'The leaves of a log, in order; never updated or deleted.';
comment on column transparency_log_entry.subject is 'What the entry is about (licence identifier or seal key id), to find its entries.';
comment on column transparency_log_entry.data is 'The entry as canonical JSON (RFC 8785), exactly the bytes the leaf hash covers.';

create table transparency_log_checkpoint (
  log_name text not null references transparency_log (name),
  tree_size bigint not null,
  root_hash bytea not null,
  signed_at timestamptz not null,
  key_id text not null,
  algorithm text not null,
  signature text not null,
  constraint transparency_log_checkpoint_pkey primary key (log_name, tree_size)
);
create index transparency_log_checkpoint_time_idx on transparency_log_checkpoint (log_name, signed_at);
comment on table transparency_log_checkpoint is 'Signed checkpoints (tree size, root hash, time): published on an interval and on demand.';

create table seal (
  code text primary key,
  organisation_id bigint not null references organisation (id),
  name text not null,
  status text not null default 'active',
  revoked_from timestamptz,
  revoke_reason text,
  created_at timestamptz not null default now(),
  constraint seal_code_check check (code ~ '^[0-9]{13}$'),
  constraint seal_status_check check (status in ('active', 'revoked')),
  constraint seal_revoked_check check ((status = 'revoked') = (revoked_from is not null))
);
create index seal_organisation_idx on seal (organisation_id);
comment on table seal is '电子印章: a seal of an organisation (行政审批专用章 ...); its keys sign licences.';
comment on column seal.code is '13-digit seal code (印章编码).';
comment on column seal.revoked_from is 'Signatures made from this instant on are invalid; earlier ones stay valid.';

create table seal_key (
  key_id text primary key,
  seal_code text not null references seal (code),
  algorithm text not null,
  public_key text not null,
  private_key text not null,
  status text not null default 'active',
  log_index bigint not null,
  created_at timestamptz not null default now(),
  retired_at timestamptz,
  constraint seal_key_algorithm_check check (algorithm in ('ed25519', 'sm2-sm3')),
  constraint seal_key_status_check check (status in ('active', 'retired'))
);
create unique index seal_key_active_idx on seal_key (seal_code, algorithm) where status = 'active';
comment on table seal_key is 'Key pairs of a seal. Rotation retires a key: it no longer signs, its signatures stay verifiable.';
comment on column seal_key.public_key is 'SubjectPublicKeyInfo, DER, base64.';
comment on column seal_key.private_key is 'PKCS#8 private key, encrypted with the field cipher (purpose sealKey); decrypted only inside the signer.';
comment on column seal_key.log_index is 'Index of the seal.key.added entry that publishes the public key in the transparency log.';

create sequence licence_serial;
create sequence seal_serial;

create table licence (
  id text primary key,
  series text not null,
  version smallint not null,
  type_code text not null references licence_type (code),
  organisation_id bigint not null references organisation (id),
  seal_key_id text not null references seal_key (key_id),
  holder_kind text not null,
  holder_name text not null,
  holder_index text not null,
  holder_sub uuid,
  data text not null,
  data_hash text not null,
  signature text not null,
  status text not null default 'valid',
  status_reason text,
  status_changed_at timestamptz,
  valid_from date not null,
  valid_until date,
  signed_at timestamptz not null,
  log_index bigint not null,
  source_case_id uuid,
  issued_by text not null,
  superseded_by text,
  reminded_at timestamptz,
  rendered_upload_id uuid references file_upload (id),
  constraint licence_series_version_key unique (series, version),
  constraint licence_holder_kind_check check (holder_kind in ('person', 'enterprise')),
  constraint licence_status_check check (status in ('valid', 'suspended', 'revoked', 'expired', 'superseded')),
  constraint licence_validity_check check (valid_until is null or valid_until >= valid_from)
);
create unique index licence_case_idx on licence (source_case_id, type_code) where source_case_id is not null;
create index licence_holder_idx on licence (holder_index, signed_at desc);
create index licence_expiry_idx on licence (valid_until) where status in ('valid', 'suspended') and valid_until is not null;
comment on table licence is '电子证照: one version of a licence, sealed and logged.';
comment on column licence.id is 'GB/T 36904 identifier of this version (1.2.156.3005.2.<type>.<issuer>.<serial>.<version>.<check>).';
comment on column licence.series is 'The identifier without version and check character: the versions of one licence share it.';
comment on column licence.holder_index is 'Blind index of the holder''s ID number or credit code (purpose licenceHolder): the wallet finds licences by it.';
comment on column licence.holder_sub is 'Account to notify (expiry reminders), when known.';
comment on column licence.data is 'The signed licence data (canonical JSON), encrypted with the field cipher (purpose licenceData).';
comment on column licence.data_hash is 'Base64 SHA-256 of the canonical licence data, as logged.';
comment on column licence.signature is 'Base64 signature of the canonical data by seal_key_id.';
comment on column licence.log_index is 'Index of its licence.issued entry in the transparency log.';
comment on column licence.rendered_upload_id is 'The rendered PDF, made on first download and kept.';

create table licence_authorisation (
  id uuid primary key default gen_random_uuid(),
  licence_id text not null references licence (id),
  grantee_kind text not null,
  grantee_organisation_id bigint references organisation (id),
  grantee_name text not null,
  purpose text not null,
  single_use boolean not null default false,
  token_hash text,
  expires_at timestamptz not null,
  revoked_at timestamptz,
  used_at timestamptz,
  created_by text not null,
  created_at timestamptz not null default now(),
  constraint licence_authorisation_grantee_check check (
    (grantee_kind = 'organisation' and grantee_organisation_id is not null and token_hash is null)
    or (grantee_kind = 'third_party' and grantee_organisation_id is null and token_hash is not null))
);
create index licence_authorisation_licence_idx on licence_authorisation (licence_id, created_at desc);
create unique index licence_authorisation_token_idx on licence_authorisation (token_hash) where token_hash is not null;
comment on table licence_authorisation is '用证授权: the holder lets a department or a third party read one licence for a purpose until a time.';
comment on column licence_authorisation.token_hash is 'SHA-256 of the bearer token a third party presents (shown to the holder once, e.g. as a QR code).';

create table licence_access (
  id bigserial primary key,
  licence_id text not null,
  at timestamptz not null default now(),
  kind text not null,
  outcome text not null,
  accessor text not null,
  authorisation_id uuid,
  purpose text,
  reason text,
  ip text,
  constraint licence_access_kind_check check (kind in ('verification', 'read', 'download')),
  constraint licence_access_outcome_check check (outcome in ('allowed', 'denied'))
);
create index licence_access_licence_idx on licence_access (licence_id, at desc);
comment on table licence_access is 'Every verification, read and download of a licence, allowed or denied: what the holder sees as "who looked at my licence".';
comment on column licence_access.licence_id is 'The licence asked for (not a foreign key: a denied attempt may name one that does not exist).';

insert into identity_role_permission (role_code, permission) values
  ('system_admin', 'seal.manage'), ('system_admin', 'licence.manage'), ('department_head', 'licence.manage');

-- The log is append-only: a change would break the signed checkpoints anyway (the audit
-- detects it), but refusing it here stops accidents and careless scripts.
create function transparency_log_append_only() returns trigger language plpgsql as $$
begin
  raise exception 'transparency_log_entry is append-only' using errcode = 'P0001';
end $$;
create trigger transparency_log_entry_append_only before update or delete on transparency_log_entry
  for each row execute function transparency_log_append_only();
