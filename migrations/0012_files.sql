-- Kernel: uploaded files (application materials), stored once per content under their
-- SHA-256 (kernel/files). The bytes live in a FileStorage (local disk by default); these
-- tables say which contents exist and who uploaded them under which name.

create table stored_file (
  sha256 text primary key,
  size bigint not null,
  media_type text not null,
  first_seen_at timestamptz not null default now(),
  constraint stored_file_sha256_check check (sha256 ~ '^[0-9a-f]{64}$'),
  constraint stored_file_size_check check (size > 0)
);
comment on table stored_file is 'One row per distinct file content held in the file storage, however often it was uploaded.';
comment on column stored_file.sha256 is 'SHA-256 of the content, lower-case hex: its address in the file storage.';
comment on column stored_file.size is 'Size of the content in bytes.';
comment on column stored_file.media_type is 'Media type sniffed from the content (application/pdf, application/ofd, image/jpeg ...).';
comment on column stored_file.first_seen_at is 'When this content was first uploaded.';

create table file_upload (
  id uuid primary key default gen_random_uuid(),
  sha256 text not null references stored_file (sha256),
  filename text not null,
  media_type text not null,
  size bigint not null,
  uploaded_by text,
  uploaded_at timestamptz not null default now(),
  constraint file_upload_filename_check check (length(filename) between 1 and 200)
);
comment on table file_upload is 'One row per accepted upload: a name given by an uploader to a stored content.';
comment on column file_upload.id is 'Identifier of the upload; materials of applications refer to it.';
comment on column file_upload.sha256 is 'The uploaded content (stored_file).';
comment on column file_upload.filename is 'File name as the uploader gave it, sanitised (no path, no control characters, at most 200 characters), with an extension that agrees with the content.';
comment on column file_upload.media_type is 'Media type sniffed from the content.';
comment on column file_upload.size is 'Size of the content in bytes.';
comment on column file_upload.uploaded_by is 'Account id of the uploader; null for uploads made by the platform itself.';
comment on column file_upload.uploaded_at is 'When the upload was accepted.';
create index file_upload_sha256_idx on file_upload (sha256);
create index file_upload_uploaded_by_idx on file_upload (uploaded_by, uploaded_at);
