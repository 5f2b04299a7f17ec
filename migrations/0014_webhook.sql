-- Kernel: receipts of signed webhooks (kernel/webhooks.ts). Department systems report the
-- progress and results of cases back as signed webhooks; each message id is recorded in the
-- transaction of its effect, so a message delivered twice is processed once.

create table webhook_receipt (
  source text not null,
  id text not null,
  received_at timestamptz not null default now(),
  constraint webhook_receipt_pkey primary key (source, id),
  constraint webhook_receipt_source_check check (length(source) between 1 and 200),
  constraint webhook_receipt_id_check check (id ~ '^[A-Za-z0-9_-]{1,128}$')
);
comment on table webhook_receipt is 'Signed webhook messages already processed, per sender: a redelivered message (same webhook-id) is acknowledged without being processed again.';
comment on column webhook_receipt.source is 'Who sent the message, e.g. department:<organisation code>; message ids are unique per sender only.';
comment on column webhook_receipt.id is 'The webhook-id header of the message: the same on every retry of one message.';
comment on column webhook_receipt.received_at is 'When the message was first processed; receipts older than the senders'' retry horizon are purged.';
create index webhook_receipt_received_idx on webhook_receipt (received_at);
