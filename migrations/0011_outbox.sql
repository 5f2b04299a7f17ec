-- Kernel: domain events through a transactional outbox (kernel/outbox.ts, ADR 0004).
-- An event is inserted in the same transaction as the change that caused it; workers later
-- fan it out into one delivery per subscriber whose topic pattern matches, and deliver each
-- at least once, with retries, exponential backoff and dead letters, per subscriber.

create table outbox_event (
  id bigint generated always as identity,
  topic text not null,
  key text not null,
  payload jsonb not null,
  occurred_at timestamptz not null default now(),
  dispatched_at timestamptz,
  constraint outbox_event_pkey primary key (id),
  constraint outbox_event_topic_check check (topic ~ '^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$'),
  constraint outbox_event_key_check check (length(key) between 1 and 200)
);
comment on table outbox_event is 'Domain events, written in the transaction of the change that caused them (transactional outbox); a rolled-back change leaves no event.';
comment on column outbox_event.id is 'Event id, increasing: the order of events of one key, and what handlers use to recognise an event delivered twice.';
comment on column outbox_event.topic is 'What happened, as dotted lower-case words: case.submitted, case.deadline.yellow ...';
comment on column outbox_event.key is 'The aggregate the event is about (e.g. a case id); events of one key reach each subscriber in id order.';
comment on column outbox_event.payload is 'The event data (JSON); what a subscriber needs without reading the publisher''s tables.';
comment on column outbox_event.occurred_at is 'When the publishing transaction began.';
comment on column outbox_event.dispatched_at is 'When a worker created its deliveries for the subscriptions that match its topic; null until then.';
create index outbox_event_undispatched_idx on outbox_event (id) where dispatched_at is null;
create index outbox_event_undispatched_key_idx on outbox_event (key, id) where dispatched_at is null;
create index outbox_event_occurred_idx on outbox_event (occurred_at);

create table outbox_subscription (
  subscriber text not null,
  topic_pattern text not null,
  registered_at timestamptz not null default now(),
  constraint outbox_subscription_pkey primary key (subscriber, topic_pattern),
  constraint outbox_subscription_subscriber_check check (subscriber ~ '^[a-z][a-z0-9_.-]*$'),
  constraint outbox_subscription_pattern_check check (
    topic_pattern ~ '^(\*|[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*(\.\*)?)$'
  )
);
comment on table outbox_subscription is 'Which named subscribers (notifications, supervision ...) want which topics; registered by the processes that run their handlers, shared by all processes so any worker can fan events out.';
comment on column outbox_subscription.subscriber is 'The consumer''s name; its deliveries are retried and dead-lettered independently of other subscribers.';
comment on column outbox_subscription.topic_pattern is 'An exact topic (case.submitted), a prefix wildcard (case.* = every topic below case.) or * (every topic).';
comment on column outbox_subscription.registered_at is 'When the pattern was first registered; events dispatched from then on reach the subscriber.';

create table outbox_delivery (
  id bigint generated always as identity,
  event_id bigint not null,
  subscriber text not null,
  key text not null,
  status text not null default 'pending',
  attempts integer not null default 0,
  available_at timestamptz not null,
  locked_by text,
  locked_until timestamptz,
  last_error text,
  created_at timestamptz not null,
  finished_at timestamptz,
  constraint outbox_delivery_pkey primary key (id),
  constraint outbox_delivery_event_fkey foreign key (event_id) references outbox_event (id) on delete cascade,
  constraint outbox_delivery_event_subscriber_key unique (event_id, subscriber),
  constraint outbox_delivery_status_check check (status in ('pending', 'done', 'dead'))
);
comment on table outbox_delivery is 'One event to be delivered to one subscriber: delivered at least once, retried with exponential backoff, dead-lettered after the last attempt; an administrator can replay a dead letter.';
comment on column outbox_delivery.id is 'Delivery id (what an administrator replays).';
comment on column outbox_delivery.event_id is 'The event delivered.';
comment on column outbox_delivery.subscriber is 'The subscriber it is delivered to.';
comment on column outbox_delivery.key is 'Copy of the event key: a delivery waits while an earlier one of the same key and subscriber is pending.';
comment on column outbox_delivery.status is 'pending (waiting, retrying or being handled), done (the handler succeeded), dead (dead letter: the last attempt failed).';
comment on column outbox_delivery.attempts is 'Attempts started so far (a claim counts, so a worker that crashes mid-handler still uses one up).';
comment on column outbox_delivery.available_at is 'Earliest time a worker may claim it: creation, the next retry after a backoff, or the end of the current claim.';
comment on column outbox_delivery.locked_by is 'The worker that claimed it last (host:pid:random); null when never claimed or replayed.';
comment on column outbox_delivery.locked_until is 'End of the last claim: if the handler has not finished by then, another worker may claim it again.';
comment on column outbox_delivery.last_error is 'The error of the last failed attempt (truncated), kept after a replay for the record.';
comment on column outbox_delivery.created_at is 'When the event was fanned out to this subscriber.';
comment on column outbox_delivery.finished_at is 'When it became done or dead; null while pending.';
create index outbox_delivery_due_idx on outbox_delivery (subscriber, available_at) where status = 'pending';
create index outbox_delivery_pending_key_idx on outbox_delivery (subscriber, key, event_id) where status = 'pending';
create index outbox_delivery_dead_idx on outbox_delivery (subscriber, finished_at) where status = 'dead';
create index outbox_delivery_unfinished_event_idx on outbox_delivery (event_id) where status <> 'done';
