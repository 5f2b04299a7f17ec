-- Bulk exchange (issue 6 item 6): a provider uploads a batch of records of a resource
-- (CSV or NDJSON with its SHA-256); good rows are upserted into the base registry, bad
-- rows reported here with the rule they break, without blocking the good ones.

create table exchange_batch (
  id uuid primary key default gen_random_uuid(),
  resource_code text not null references exchange_resource (code),
  organisation_id bigint references organisation (id),
  uploaded_by text not null,
  sha256 text not null,
  format text not null,
  rows_total integer not null default 0,
  rows_good integer not null default 0,
  rows_bad integer not null default 0,
  status text not null default 'processing',
  failure text,
  started_at timestamptz not null default now(),
  finished_at timestamptz,
  constraint exchange_batch_sha256_check check (sha256 ~ '^[0-9a-f]{64}$'),
  constraint exchange_batch_format_check check (format in ('csv', 'ndjson')),
  constraint exchange_batch_status_check check (status in ('processing', 'completed', 'rejected', 'failed')),
  constraint exchange_batch_counts_check check (rows_good >= 0 and rows_bad >= 0 and rows_good + rows_bad = rows_total)
);
comment on table exchange_batch is 'An upload of records of a resource by its provider (批量交换): counts, outcome, who and when.';
comment on column exchange_batch.id is 'Batch id, also in its hash-chain entry and change events.';
comment on column exchange_batch.resource_code is 'The resource the records belong to.';
comment on column exchange_batch.organisation_id is 'The provider organisation the batch was uploaded for (the resource''s provider).';
comment on column exchange_batch.uploaded_by is 'Account id of the staff member who uploaded it.';
comment on column exchange_batch.sha256 is 'SHA-256 of the body as declared by the uploader (X-Content-SHA256), lower-case hex.';
comment on column exchange_batch.format is 'csv (with a header row) or ndjson (one JSON object a line).';
comment on column exchange_batch.rows_total is 'Data rows read (the CSV header not counted).';
comment on column exchange_batch.rows_good is 'Rows that passed validation and were upserted.';
comment on column exchange_batch.rows_bad is 'Rows refused; their reasons are in exchange_batch_error.';
comment on column exchange_batch.status is 'processing; completed; rejected (the upload was refused as a whole: checksum mismatch, bad header, too many rows; nothing changed); failed (an unexpected error: nothing changed).';
comment on column exchange_batch.failure is 'Why a batch was rejected or failed, for the uploader.';
comment on column exchange_batch.started_at is 'When the upload began.';
comment on column exchange_batch.finished_at is 'When processing ended, whatever the outcome.';
create index exchange_batch_organisation_idx on exchange_batch (organisation_id, started_at desc);
create index exchange_batch_resource_idx on exchange_batch (resource_code, started_at desc);

create table exchange_batch_error (
  batch_id uuid not null references exchange_batch (id) on delete cascade,
  row_number integer not null,
  field text not null,
  rule text not null,
  message text not null,
  message_en text not null,
  constraint exchange_batch_error_pkey primary key (batch_id, row_number, field),
  constraint exchange_batch_error_row_check check (row_number >= 1)
);
comment on table exchange_batch_error is 'A refused row of a batch: which row, which field, the rule it breaks. Values are not kept (they may be personal data).';
comment on column exchange_batch_error.batch_id is 'The batch.';
comment on column exchange_batch_error.row_number is '1-based position of the row among the data rows (CSV: the header row not counted; NDJSON: blank lines not counted).';
comment on column exchange_batch_error.field is 'The field at fault; "*" for a row that could not be read at all.';
comment on column exchange_batch_error.rule is 'Machine-readable rule: required, type, enum, date, maxLength, checkDigit, mismatch, reference, row ...';
comment on column exchange_batch_error.message is 'What is wrong, in Chinese.';
comment on column exchange_batch_error.message_en is 'What is wrong, in English.';

-- A credit record has no natural key; a batch upserts it by the provider's own reference
-- (decision or case number, or its record id), so a re-upload updates instead of duplicating.
alter table registry_credit add column record_key text;
comment on column registry_credit.record_key is 'The provider''s own unique reference of the record (决定书文号 or its record id); bulk exchange upserts by it. Null for records entered otherwise.';
alter table registry_credit add constraint registry_credit_record_key_check check (record_key is null or btrim(record_key) <> '');
create unique index registry_credit_record_key_idx on registry_credit (record_key);
