-- Kernel: replay of retried state-changing requests (Idempotency-Key header).

create table idempotency_key (
  key text not null,
  principal text not null,
  method text not null,
  path text not null,
  request_hash text not null,
  status_code smallint,
  response_body text,
  content_type text,
  created_at timestamptz not null default now(),
  constraint idempotency_key_pkey primary key (principal, key)
);
comment on table idempotency_key is 'Responses of state-changing requests sent with an Idempotency-Key, replayed when the client retries.';
comment on column idempotency_key.key is 'The Idempotency-Key header value chosen by the client.';
comment on column idempotency_key.principal is 'Who sent it (token subject, or anonymous); keys are scoped per caller.';
comment on column idempotency_key.method is 'HTTP method of the first request.';
comment on column idempotency_key.path is 'URL of the first request.';
comment on column idempotency_key.request_hash is 'SHA-256 of method, URL and body: a retry must send the same request.';
comment on column idempotency_key.status_code is 'Status of the stored response; null while the first request is still running.';
comment on column idempotency_key.response_body is 'Body of the stored response.';
comment on column idempotency_key.content_type is 'Content type of the stored response.';
comment on column idempotency_key.created_at is 'When the first request arrived; keys older than 24 hours are purged.';
create index idempotency_key_created_idx on idempotency_key (created_at);
