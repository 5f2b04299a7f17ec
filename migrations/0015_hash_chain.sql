-- Kernel: append-only, hash-chained logs (kernel/chain.ts). A chain is an ordered list of
-- entries (who, acting for whom, what, when, data such as before -> after) in which every entry
-- carries the SHA-256 of the previous entry's hash and its own content, so that editing,
-- removing or reordering an entry breaks every later hash. chain_head remembers the latest
-- seq and hash of each chain, so removing the LAST entries is detected too, and its row lock
-- serialises concurrent appends to one chain. One chain per case (case:<id>), per month of a
-- data-access log (exchange:2026-11) ...: appends to different chains never contend.
-- Chain names use the "C" collation: byte order, so a name prefix is one contiguous index range.

create table chain_head (
  chain text collate "C" not null,
  seq bigint not null,
  hash text not null,
  updated_at timestamptz not null default now(),
  constraint chain_head_pkey primary key (chain),
  constraint chain_head_chain_check check (chain ~ '^[a-z][a-z0-9_.-]*:[!-~]+$' and length(chain) <= 200),
  constraint chain_head_seq_check check (seq >= 0),
  constraint chain_head_hash_check check (hash ~ '^[0-9a-f]{64}$')
);
comment on table chain_head is 'The latest entry of each hash chain; appends lock this row (serialising appends to one chain) and move it, and verification compares it with the last entry, so deleted trailing entries are detected.';
comment on column chain_head.chain is 'The chain''s name, <kind>:<key> in printable ASCII: case:<case id>, exchange:2026-11 ...';
comment on column chain_head.seq is 'Sequence number of the chain''s latest entry (entries are numbered 1, 2, 3 ... without gaps); 0 for an empty chain.';
comment on column chain_head.hash is 'Hash of the chain''s latest entry (lower-case hex SHA-256); 64 zeros (the genesis hash) for an empty chain.';
comment on column chain_head.updated_at is 'When the latest entry was appended.';

create table chain_entry (
  chain text collate "C" not null,
  seq bigint not null,
  at timestamptz not null,
  actor text not null,
  on_behalf_of text,
  action text not null,
  data jsonb not null,
  prev_hash text not null,
  hash text not null,
  constraint chain_entry_pkey primary key (chain, seq),
  constraint chain_entry_chain_check check (chain ~ '^[a-z][a-z0-9_.-]*:[!-~]+$' and length(chain) <= 200),
  constraint chain_entry_seq_check check (seq >= 1),
  constraint chain_entry_actor_check check (length(actor) between 1 and 200),
  constraint chain_entry_action_check check (length(action) between 1 and 200),
  constraint chain_entry_prev_hash_check check (prev_hash ~ '^[0-9a-f]{64}$'),
  constraint chain_entry_hash_check check (hash ~ '^[0-9a-f]{64}$')
);
comment on table chain_entry is 'Append-only, hash-chained log entries (audit trail of a case, data-access log ...). hash = sha256_hex(prev_hash || canonical JSON of {action, actor, at, chain, data, onBehalfOf, seq}); see kernel/chain.ts for the exact, reproducible definition. Rows are never updated or deleted (a trigger refuses it).';
comment on column chain_entry.chain is 'The chain the entry belongs to (see chain_head.chain).';
comment on column chain_entry.seq is 'Position in the chain: 1 for the first entry, then +1 per entry, without gaps.';
comment on column chain_entry.at is 'When the action happened (millisecond precision: the hash covers it as an ISO 8601 UTC string, e.g. 2026-03-01T02:03:04.005Z).';
comment on column chain_entry.actor is 'Who did it: an account id, or a system component such as system:worker.';
comment on column chain_entry.on_behalf_of is 'For whom the actor acted (e.g. the enterprise an agent represents); null when for themselves.';
comment on column chain_entry.action is 'What was done, e.g. case.accepted, case.field_changed, data.read.';
comment on column chain_entry.data is 'Details of the action as JSON, typically {before, after}; covered by the hash. Never put secrets or unmasked personal data here: entries cannot be changed or erased without breaking the chain.';
comment on column chain_entry.prev_hash is 'Hash of the previous entry of the chain (lower-case hex); 64 zeros for the first entry.';
comment on column chain_entry.hash is 'This entry''s hash (lower-case hex SHA-256 of prev_hash followed by the entry''s canonical JSON).';

-- Defence in depth against accidental changes by the application: the hash chain, not this
-- trigger, is what detects deliberate tampering by someone who can disable triggers.
create function chain_entry_refuse_change() returns trigger language plpgsql as $$
begin
  raise exception 'chain_entry is append-only (% refused)', tg_op using errcode = '55000';
end;
$$;
comment on function chain_entry_refuse_change() is 'Refuses UPDATE, DELETE and TRUNCATE on chain_entry: hash-chained entries are append-only.';
create trigger chain_entry_append_only before update or delete on chain_entry
  for each row execute function chain_entry_refuse_change();
create trigger chain_entry_no_truncate before truncate on chain_entry
  for each statement execute function chain_entry_refuse_change();
comment on trigger chain_entry_append_only on chain_entry is 'Refuses updating or deleting an entry.';
comment on trigger chain_entry_no_truncate on chain_entry is 'Refuses emptying the table.';
