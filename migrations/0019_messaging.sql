-- Messaging (modules/messaging): what the platform tells people about their cases. The
-- in-app inbox (站内信) of applicants and staff, and one row per SMS sent to an applicant.
-- Both are written by outbox subscribers (messaging.inbox, messaging.sms), once per
-- (event, recipient): a redelivered event writes nothing new and sends no second SMS.

create table inbox_message (
  id uuid primary key default gen_random_uuid(),
  seq bigint generated always as identity,
  recipient_sub text not null,
  audience text not null,
  event_id bigint not null,
  topic text not null,
  kind text not null,
  case_id uuid,
  case_number text,
  title_zh text not null,
  title_en text not null,
  body_zh text not null,
  body_en text not null,
  links jsonb not null default '[]',
  needed jsonb,
  params jsonb not null default '{}',
  created_at timestamptz not null default now(),
  read_at timestamptz,
  constraint inbox_message_seq_key unique (seq),
  constraint inbox_message_event_recipient_key unique (event_id, recipient_sub),
  constraint inbox_message_audience_check check (audience in ('applicant', 'staff')),
  constraint inbox_message_links_check check (jsonb_typeof(links) = 'array'),
  constraint inbox_message_needed_check check (needed is null or jsonb_typeof(needed) = 'array')
);
comment on table inbox_message is 'An in-app message (站内信) to one person or staff member, written from a domain event.';
comment on column inbox_message.id is 'Message id, as the API shows it.';
comment on column inbox_message.seq is 'Insertion order: the inbox lists newest first by it, and its pages continue from it (cursor).';
comment on column inbox_message.recipient_sub is 'Account id (identity_account.id) of the recipient; only they may read the message.';
comment on column inbox_message.audience is 'applicant (a step of their case) or staff (a deadline warning of a case they handle).';
comment on column inbox_message.event_id is 'Outbox event the message was written for (outbox_event.id; the event may since be purged).';
comment on column inbox_message.topic is 'Topic of that event: case.submitted, case.transitioned, case.deadline.yellow, case.deadline.red.';
comment on column inbox_message.kind is 'Message template: case_step.<action> or case_deadline.<level>.';
comment on column inbox_message.case_id is 'The case the message is about (cases.id).';
comment on column inbox_message.case_number is 'Case number, for display and search.';
comment on column inbox_message.title_zh is 'Title in Chinese (zh-CN), as rendered when the message was written.';
comment on column inbox_message.title_en is 'Title in English.';
comment on column inbox_message.body_zh is 'Text in Chinese: what happened, the reason, what is needed, the links.';
comment on column inbox_message.body_en is 'Text in English.';
comment on column inbox_message.links is 'Links for the client: [{ rel: case|document, href, label: { zh, en } }].';
comment on column inbox_message.needed is 'What the recipient must supply (补正 notice): [{ name, problem }]; null when nothing.';
comment on column inbox_message.params is 'The values the texts were rendered from (case, item, action, reason, clock ...).';
comment on column inbox_message.created_at is 'When the message was written.';
comment on column inbox_message.read_at is 'When the recipient marked it read; null while unread.';
create index inbox_message_recipient_idx on inbox_message (recipient_sub, seq desc);
create index inbox_message_unread_idx on inbox_message (recipient_sub, seq desc) where read_at is null;

create table sms_notification (
  id uuid primary key default gen_random_uuid(),
  event_id bigint not null,
  recipient_sub text not null,
  case_id uuid,
  phone_masked text not null,
  template text not null,
  params jsonb not null default '{}',
  status text not null default 'pending',
  provider text not null,
  provider_message_id text,
  attempts integer not null default 0,
  error text,
  created_at timestamptz not null default now(),
  attempted_at timestamptz,
  sent_at timestamptz,
  constraint sms_notification_event_recipient_key unique (event_id, recipient_sub),
  constraint sms_notification_status_check check (status in ('pending', 'sent', 'failed')),
  constraint sms_notification_attempts_check check (attempts >= 0),
  constraint sms_notification_sent_check check ((status = 'sent') = (provider_message_id is not null))
);
comment on table sms_notification is 'One SMS to an applicant about a step of their case, with its delivery outcome.';
comment on column sms_notification.id is 'Id; also the reference (OutId) given to the gateway, so that it can recognise a resend.';
comment on column sms_notification.event_id is 'Outbox event the SMS was sent for (outbox_event.id).';
comment on column sms_notification.recipient_sub is 'Account id of the recipient (identity_account.id).';
comment on column sms_notification.case_id is 'The case the SMS is about (cases.id).';
comment on column sms_notification.phone_masked is 'The number sent to, masked (138****5678): the full number stays encrypted in identity.';
comment on column sms_notification.template is 'Registered gateway template: case_step ...';
comment on column sms_notification.params is 'Template parameters as sent.';
comment on column sms_notification.status is 'pending (not yet sent, or a transient failure awaiting its retry), sent, or failed (refused for good, or given up).';
comment on column sms_notification.provider is 'SMS gateway that handled it (demo, aliyun ...).';
comment on column sms_notification.provider_message_id is 'The gateway''s id of the sent message (BizId), when sent.';
comment on column sms_notification.attempts is 'Send attempts so far.';
comment on column sms_notification.error is 'The last error of the gateway; kept after a later success for the record.';
comment on column sms_notification.created_at is 'When the SMS was first due.';
comment on column sms_notification.attempted_at is 'When it was last attempted.';
comment on column sms_notification.sent_at is 'When the gateway accepted it.';
create index sms_notification_recipient_idx on sms_notification (recipient_sub, created_at desc);
create index sms_notification_case_idx on sms_notification (case_id) where case_id is not null;
create index sms_notification_unsent_idx on sms_notification (status, created_at) where status <> 'sent';
