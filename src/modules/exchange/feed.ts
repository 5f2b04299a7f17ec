import { randomBytes } from 'node:crypto';
import type { FieldCipher } from '../../kernel/crypto.ts';
import type { Database, Queryable } from '../../kernel/db.ts';
import { fieldError, notFound, validationError } from '../../kernel/errors.ts';
import { insertAccessRows } from './access-writer.ts';
import { publish, type DeliveredEvent, type Outbox } from '../../kernel/outbox.ts';
import { webhookEndpoint, webhookSubscriber, type FetchLike } from '../../kernel/webhooks.ts';
import { checkIdentifier } from '../../kernel/identifiers/index.ts';
import { connect, JSONCodec, RetentionPolicy, type NatsConnection } from 'nats';

/**
 * The change feed: when a provider's records change (a bulk batch publishes
 * `exchange.records.changed`), every consumer with an active grant on the resource and a
 * webhook gets the changed keys as a signed webhook (Standard Webhooks, `whsec_` secret),
 * with the outbox's retries, backoff and dead letters, and, when NATS is configured, on its
 * JetStream subject. The keys pushed are recorded as accesses (operation feed), so the data
 * subject sees them too.
 */
export const FEED_TOPICS = {
  /** Published by the provider side (bulk exchange): records of a resource changed. */
  changed: 'exchange.records.changed',
  /** One consumer's share of a change, delivered as a webhook. */
  delivery: 'exchange.feed.delivery',
} as const;

export interface RecordsChangedEvent {
  resource: string;
  batchId: string | null;
  /** The changed records' keys (at most 1,000 per event). */
  keys: string[];
}

export interface FeedDelivery extends RecordsChangedEvent {
  consumerId: string;
  grantId: string;
}

export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/** Sets (or clears, with null) a consumer's feed endpoint; a new secret is returned once. */
export async function setConsumerWebhook(
  db: Queryable,
  cipher: FieldCipher,
  consumerId: string,
  url: string | null,
): Promise<{ webhookUrl: string | null; webhookSecret: string | null }> {
  if (url !== null) {
    try {
      webhookEndpoint(url);
    } catch (error) {
      throw validationError([
        fieldError('url', 'webhookEndpoint', '回调地址应为不含凭据的 http(s) 地址', (error as Error).message),
      ]);
    }
  }
  const secret = url === null ? null : newWebhookSecret();
  const rows = await db.query(
    `update exchange_consumer set webhook_url = $2, webhook_secret = $3 where id = $1 returning id`,
    [consumerId, url, secret === null ? null : cipher.encrypt(secret, 'webhookSecret')],
  );
  if (rows.length === 0) throw notFound(`No consumer ${consumerId}`);
  return { webhookUrl: url, webhookSecret: secret };
}

/**
 * Fans a change out to the consumers granted the resource (one delivery event each, in one
 * transaction) and records the keys each is sent.
 */
export async function fanOut(
  db: Database,
  cipher: FieldCipher,
  event: DeliveredEvent<RecordsChangedEvent>,
  everyConsumer = false,
) {
  const { resource, keys, batchId } = event.payload;
  await db.transaction(async (tx) => {
    const consumers = await tx.query<{
      consumer_id: string;
      consumer_name: string;
      grant_id: string;
      purpose: string;
    }>(
      `select distinct on (c.id) c.id as consumer_id, c.name as consumer_name, g.id as grant_id, g.purpose
         from exchange_grant g join exchange_consumer c on c.id = g.consumer_id
        where g.resource_code = $1 and g.status = 'approved' and g.expires_at > now()
          and c.status = 'active' and (c.webhook_url is not null or $2)
        order by c.id, g.decided_at desc`,
      [resource, everyConsumer],
    );
    const subjects = keys.map((key) =>
      checkIdentifier('residentId', key).ok || checkIdentifier('uscc', key).ok
        ? cipher.index(key, 'dataSubject')
        : null,
    );
    for (const c of consumers) {
      const delivery: FeedDelivery = {
        resource,
        batchId,
        keys,
        consumerId: c.consumer_id,
        grantId: c.grant_id,
      };
      await publish(tx, { topic: FEED_TOPICS.delivery, key: c.consumer_id, payload: delivery });
      await insertAccessRows(
        tx,
        subjects.map((subjectIndex) => ({
          consumerId: c.consumer_id,
          consumerName: c.consumer_name,
          grantId: c.grant_id,
          resource,
          operation: 'feed' as const,
          subjectIndex,
          purpose: c.purpose,
          fields: [],
          resultCount: 1,
          outcome: 'allowed' as const,
          reason: null,
        })),
      );
    }
  });
}

/** JetStream: one stream holds every consumer's feed, one subject per consumer. */
export const NATS_STREAM = 'TONGBAN_EXCHANGE_FEED';
/** How long JetStream keeps the feed for a consumer that was away. */
export const FEED_RETENTION_DAYS = 7;
export const natsSubject = (consumerCode: string) => `tongban.exchange.feed.${consumerCode}`;

/**
 * The feed over NATS JetStream (when NATS_URL is set): each delivery is published to the
 * consumer's own subject with a message id fixed per delivery (`feedMessageId`), so
 * JetStream drops a redelivered duplicate; NATS account permissions keep a consumer to its subject.
 */
export class NatsFeed {
  #connection: Promise<NatsConnection> | null = null;

  constructor(readonly url: string) {}

  async publish(subject: string, payload: unknown, messageId: string): Promise<void> {
    const connection = await this.#connect();
    await connection.jetstream().publish(subject, JSONCodec().encode(payload), { msgID: messageId });
  }

  #connect(): Promise<NatsConnection> {
    this.#connection ??= (async () => {
      const connection = await connect({ servers: this.url, name: 'tongban' });
      const manager = await connection.jetstreamManager();
      const config = {
        name: NATS_STREAM,
        subjects: ['tongban.exchange.feed.>'],
        retention: RetentionPolicy.Limits,
      };
      try {
        await manager.streams.info(NATS_STREAM);
      } catch {
        await manager.streams.add(config);
      }
      return connection;
    })().catch((error: unknown) => {
      this.#connection = null; // the next attempt connects again
      throw error;
    });
    return this.#connection;
  }

  async close(): Promise<void> {
    const connection = this.#connection;
    this.#connection = null;
    if (connection) await (await connection.catch(() => null))?.drain();
  }
}

/**
 * The JetStream message id of a delivery: the same on every redelivery of the event, and
 * unique beyond this database (event ids restart in another deployment or a restored one).
 */
export const feedMessageId = (event: Pick<DeliveredEvent<FeedDelivery>, 'id' | 'payload'>) =>
  `${event.payload.consumerId}:${event.id}`;

/** Subscribes the fan-out and the delivery (signed webhooks, and JetStream when configured) to the outbox. */
export function subscribeFeed(
  outbox: Outbox,
  db: Database,
  cipher: FieldCipher,
  options: { fetchImpl?: FetchLike; nats?: NatsFeed | null } = {},
): void {
  const nats = options.nats ?? null;
  outbox.subscribe<RecordsChangedEvent>('exchange.feed.fanout', [FEED_TOPICS.changed], (event) =>
    fanOut(db, cipher, event, nats !== null),
  );
  if (nats) {
    outbox.subscribe<FeedDelivery>('exchange.feed.nats', [FEED_TOPICS.delivery], async (event) => {
      const [row] = await db.query<{ code: string; status: string }>(
        `select code, status from exchange_consumer where id = $1`,
        [event.payload.consumerId],
      );
      if (row?.status !== 'active') return;
      await nats.publish(natsSubject(row.code), event.payload, feedMessageId(event));
    });
  }
  webhookSubscriber<FeedDelivery>(outbox, {
    name: 'exchange.feed.deliver',
    topicPattern: [FEED_TOPICS.delivery],
    async endpointFor(event) {
      const [row] = await db.query<{
        webhook_url: string | null;
        webhook_secret: string | null;
        status: string;
      }>(`select webhook_url, webhook_secret, status from exchange_consumer where id = $1`, [
        event.payload.consumerId,
      ]);
      // A consumer disabled or without a feed since: nothing to send.
      if (!row?.webhook_url || !row.webhook_secret || row.status !== 'active') return null;
      return { url: row.webhook_url, secrets: cipher.decrypt(row.webhook_secret, 'webhookSecret') };
    },
    ...(options.fetchImpl && { fetchImpl: options.fetchImpl }),
  });
}
