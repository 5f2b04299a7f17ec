-- Kernel: rate limits and progressive lockout (kernel/ratelimit.ts). The state lives here,
-- not in process memory, so every server process enforces the same limits.

create table rate_limit_counter (
  key text not null,
  window_start timestamptz not null,
  expires_at timestamptz not null,
  count integer not null,
  constraint rate_limit_counter_pkey primary key (key)
);
comment on table rate_limit_counter is 'Event counters of rate limits (SMS sends per phone and per IP, ...): at most a number of events per key within a window that starts at the first event.';
comment on column rate_limit_counter.key is 'What is limited, e.g. sms:phone:<blind index> or sms:ip:<address>; see kernel/ratelimit.ts for the naming convention.';
comment on column rate_limit_counter.window_start is 'When the current window began (the first event after the previous window ended).';
comment on column rate_limit_counter.expires_at is 'When the current window ends; the next event after it starts a new window.';
comment on column rate_limit_counter.count is 'Events in the current window, refused ones included.';
create index rate_limit_counter_expires_idx on rate_limit_counter (expires_at);

create table rate_limit_lockout (
  key text not null,
  failures integer not null default 0,
  failures_expire_at timestamptz,
  lockouts integer not null default 0,
  locked_until timestamptz,
  updated_at timestamptz not null,
  constraint rate_limit_lockout_pkey primary key (key)
);
comment on table rate_limit_lockout is 'Failed attempts (wrong passwords, wrong SMS codes) per key and the progressive lockout they cause.';
comment on column rate_limit_lockout.key is 'What is attacked, e.g. password:acct:<blind index> or password:ip:<address>; see kernel/ratelimit.ts.';
comment on column rate_limit_lockout.failures is 'Failures in the current window; reset by a success and by a lockout.';
comment on column rate_limit_lockout.failures_expire_at is 'When the current failure window ends (it starts at its first failure); null when there is none.';
comment on column rate_limit_lockout.lockouts is 'Lockouts so far: the next one lasts the base duration times 2^lockouts (capped). Forgotten 24 hours after the last lockout ended.';
comment on column rate_limit_lockout.locked_until is 'End of the latest lockout; attempts are refused before it. Kept after it passes, for the 24-hour memory of lockouts.';
comment on column rate_limit_lockout.updated_at is 'When the row last changed.';
create index rate_limit_lockout_updated_idx on rate_limit_lockout (updated_at);
