import type { Database, Queryable } from '../../kernel/db.ts';
import type { Locale, Text } from '../../kernel/i18n.ts';
import type { NeededMaterial } from '../cases/index.ts';
import type { ComposedMessage, MessageLink } from './compose.ts';

/*
 * The messaging tables (migration 0019): inbox_message and sms_notification. Rows become
 * domain objects here and nowhere else.
 */

// ---------------------------------------------------------------------------------------
// Inbox

export type Audience = 'applicant' | 'staff';

/** A message as its recipient reads it, in their language. */
export interface MessageView {
  id: string;
  kind: string;
  title: string;
  body: string;
  links: { rel: MessageLink['rel']; href: string; label: string }[];
  needed: NeededMaterial[] | null;
  caseId: string | null;
  caseNumber: string | null;
  readAt: string | null;
  createdAt: string;
}

export interface NewMessage {
  recipientSub: string;
  audience: Audience;
  eventId: number;
  topic: string;
  caseId: string | null;
  caseNumber: string | null;
  message: ComposedMessage;
}

interface MessageRow {
  id: string;
  seq: number;
  kind: string;
  case_id: string | null;
  case_number: string | null;
  title_zh: string;
  title_en: string;
  body_zh: string;
  body_en: string;
  links: MessageLink[];
  needed: NeededMaterial[] | null;
  created_at: Date;
  read_at: Date | null;
}

const MESSAGE_COLUMNS = `id, seq, kind, case_id, case_number, title_zh, title_en, body_zh, body_en, links, needed,
  created_at, read_at`;

const inLocale = (value: Text, locale: Locale) => (locale === 'en' ? value.en : value.zh);

function toMessage(row: MessageRow, locale: Locale): MessageView {
  return {
    id: row.id,
    kind: row.kind,
    title: locale === 'en' ? row.title_en : row.title_zh,
    body: locale === 'en' ? row.body_en : row.body_zh,
    links: row.links.map((link) => ({ rel: link.rel, href: link.href, label: inLocale(link.label, locale) })),
    needed: row.needed,
    caseId: row.case_id,
    caseNumber: row.case_number,
    readAt: row.read_at?.toISOString() ?? null,
    createdAt: row.created_at.toISOString(),
  };
}

/**
 * Writes messages, at most one per (event, recipient): a message already written for the
 * pair is left alone. Returns how many were new.
 */
export async function insertMessages(db: Database, messages: NewMessage[]): Promise<number> {
  if (messages.length === 0) return 0;
  return db.transaction(async (tx) => {
    let written = 0;
    for (const m of messages) {
      const rows = await tx.query(
        `insert into inbox_message (recipient_sub, audience, event_id, topic, kind, case_id, case_number,
                                    title_zh, title_en, body_zh, body_en, links, needed, params)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12::jsonb, $13::jsonb, $14::jsonb)
         on conflict (event_id, recipient_sub) do nothing
         returning id`,
        [
          m.recipientSub,
          m.audience,
          m.eventId,
          m.topic,
          m.message.kind,
          m.caseId,
          m.caseNumber,
          m.message.title.zh,
          m.message.title.en,
          m.message.body.zh,
          m.message.body.en,
          JSON.stringify(m.message.links),
          m.message.needed === null ? null : JSON.stringify(m.message.needed),
          JSON.stringify(m.message.params),
        ],
      );
      written += rows.length;
    }
    return written;
  });
}

export interface MessageFilter {
  unread?: boolean | undefined;
  /** The `nextCursor` of the previous page. */
  cursor?: string | undefined;
  size: number;
}

export interface MessagePage {
  items: MessageView[];
  /** Pass it as `cursor` for the next (older) page; null on the last page. */
  nextCursor: string | null;
}

/** The recipient's messages, newest first, a page at a time. */
export async function listMessages(
  db: Queryable,
  recipientSub: string,
  filter: MessageFilter,
  locale: Locale,
): Promise<MessagePage> {
  const rows = await db.query<MessageRow>(
    `select ${MESSAGE_COLUMNS} from inbox_message
      where recipient_sub = $1 and ($2::boolean is not true or read_at is null)
        and ($3::bigint is null or seq < $3)
      order by seq desc
      limit $4`,
    [recipientSub, filter.unread ?? false, filter.cursor ?? null, filter.size + 1],
  );
  const more = rows.length > filter.size;
  const page = more ? rows.slice(0, filter.size) : rows;
  return {
    items: page.map((row) => toMessage(row, locale)),
    nextCursor: more ? String(page[page.length - 1]!.seq) : null,
  };
}

export async function countUnread(db: Queryable, recipientSub: string): Promise<number> {
  const [row] = await db.query<{ n: number }>(
    'select count(*)::int as n from inbox_message where recipient_sub = $1 and read_at is null',
    [recipientSub],
  );
  return row!.n;
}

/** Marks one of the recipient's messages read (a read one keeps its first read time); undefined if not theirs. */
export async function markRead(
  db: Queryable,
  recipientSub: string,
  id: string,
  locale: Locale,
): Promise<MessageView | undefined> {
  const [row] = await db.query<MessageRow>(
    `update inbox_message set read_at = coalesce(read_at, now())
      where id = $1 and recipient_sub = $2
      returning ${MESSAGE_COLUMNS}`,
    [id, recipientSub],
  );
  return row && toMessage(row, locale);
}

/** Marks every unread message of the recipient read; returns how many. */
export async function markAllRead(db: Queryable, recipientSub: string): Promise<number> {
  const rows = await db.query(
    `update inbox_message set read_at = now() where recipient_sub = $1 and read_at is null returning id`,
    [recipientSub],
  );
  return rows.length;
}

// ---------------------------------------------------------------------------------------
// SMS

export type SmsStatus = 'pending' | 'sent' | 'failed';

export interface SmsNotification {
  id: string;
  eventId: number;
  recipientSub: string;
  caseId: string | null;
  phoneMasked: string;
  template: string;
  params: Record<string, string>;
  status: SmsStatus;
  provider: string;
  providerMessageId: string | null;
  attempts: number;
  error: string | null;
  createdAt: Date;
  attemptedAt: Date | null;
  sentAt: Date | null;
}

interface SmsRow {
  id: string;
  event_id: number;
  recipient_sub: string;
  case_id: string | null;
  phone_masked: string;
  template: string;
  params: Record<string, string>;
  status: SmsStatus;
  provider: string;
  provider_message_id: string | null;
  attempts: number;
  error: string | null;
  created_at: Date;
  attempted_at: Date | null;
  sent_at: Date | null;
}

const SMS_COLUMNS = `id, event_id, recipient_sub, case_id, phone_masked, template, params, status, provider,
  provider_message_id, attempts, error, created_at, attempted_at, sent_at`;

function toSms(row: SmsRow): SmsNotification {
  return {
    id: row.id,
    eventId: row.event_id,
    recipientSub: row.recipient_sub,
    caseId: row.case_id,
    phoneMasked: row.phone_masked,
    template: row.template,
    params: row.params,
    status: row.status,
    provider: row.provider,
    providerMessageId: row.provider_message_id,
    attempts: row.attempts,
    error: row.error,
    createdAt: row.created_at,
    attemptedAt: row.attempted_at,
    sentAt: row.sent_at,
  };
}

/**
 * The SMS of an (event, recipient): created pending on the first call, the same row on
 * every later one (a redelivered event finds it sent or failed and sends nothing).
 */
export async function openSms(
  db: Queryable,
  sms: {
    eventId: number;
    recipientSub: string;
    caseId: string | null;
    phoneMasked: string;
    template: string;
    params: Record<string, string>;
    provider: string;
  },
): Promise<SmsNotification> {
  await db.query(
    `insert into sms_notification (event_id, recipient_sub, case_id, phone_masked, template, params, provider)
     values ($1, $2, $3, $4, $5, $6::jsonb, $7)
     on conflict (event_id, recipient_sub) do nothing`,
    [
      sms.eventId,
      sms.recipientSub,
      sms.caseId,
      sms.phoneMasked,
      sms.template,
      JSON.stringify(sms.params),
      sms.provider,
    ],
  );
  const [row] = await db.query<SmsRow>(
    `select ${SMS_COLUMNS} from sms_notification where event_id = $1 and recipient_sub = $2`,
    [sms.eventId, sms.recipientSub],
  );
  return toSms(row!);
}

/** Records one attempt of a pending SMS: sent, failed for good, or still pending (a transient failure). */
export async function recordSmsAttempt(
  db: Queryable,
  id: string,
  outcome: { status: 'sent'; providerMessageId: string } | { status: 'failed' | 'pending'; error: string },
): Promise<SmsNotification> {
  const [row] = await db.query<SmsRow>(
    `update sms_notification
        set status = $2, attempts = attempts + 1, attempted_at = now(),
            provider_message_id = $3, error = coalesce($4, error),
            sent_at = case when $2 = 'sent' then now() end
      where id = $1 and status = 'pending'
      returning ${SMS_COLUMNS}`,
    [
      id,
      outcome.status,
      outcome.status === 'sent' ? outcome.providerMessageId : null,
      outcome.status === 'sent' ? null : outcome.error.slice(0, 2000),
    ],
  );
  if (!row) throw new Error(`SMS ${id} is no longer pending`);
  return toSms(row);
}

/** SMS sent (or tried) for a case or to a recipient, oldest first. */
export async function listSms(
  db: Queryable,
  filter: { caseId?: string; recipientSub?: string },
): Promise<SmsNotification[]> {
  const rows = await db.query<SmsRow>(
    `select ${SMS_COLUMNS} from sms_notification
      where ($1::uuid is null or case_id = $1) and ($2::text is null or recipient_sub = $2)
      order by created_at, id`,
    [filter.caseId ?? null, filter.recipientSub ?? null],
  );
  return rows.map(toSms);
}
