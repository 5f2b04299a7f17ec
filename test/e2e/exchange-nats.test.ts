import { randomBytes } from 'node:crypto';
import { AckPolicy, connect, DeliverPolicy, JSONCodec, type NatsConnection } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publish } from '../../src/kernel/outbox.ts';
import {
  FEED_TOPICS,
  NATS_STREAM,
  natsSubject,
  type FeedDelivery,
} from '../../src/modules/exchange/index.ts';
import { feedMessageId, NatsFeed } from '../../src/modules/exchange/feed.ts';
import { seed } from '../../src/seed/index.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { staffSession } from '../helpers/identity.ts';

const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

/**
 * The change feed over the local NATS server's JetStream (NATS_URL): a consumer granted a
 * resource finds each change on its own subject, once, even when the outbox delivers the
 * event again.
 */
describe('data-sharing change feed on NATS JetStream', () => {
  let t: TestApp;
  let nats: NatsConnection;
  const code = `feed-${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    t = await createTestApp({ NATS_URL });
    nats = await connect({ servers: NATS_URL });
    await seed(t.db, 'small');
  }, 180_000);
  afterAll(async () => {
    await nats.close();
    await t.drop();
  });

  it('publishes a granted consumer’s share of a change to its subject, once', async () => {
    const [civil] = await t.db.query<{ id: number; region_code: string }>(
      `select id, region_code from organisation where short_name = '民政局' order by region_code limit 1`,
    );
    const head = (
      await staffSession(t.app, t.db, ['department_head'], {
        organisationId: civil!.id,
        regionCodes: [civil!.region_code],
        organisationIds: [civil!.id],
      })
    ).authorization;
    const inject = (url: string, payload: unknown) =>
      t.app.inject({ method: 'POST', url, headers: { authorization: head }, payload: payload as object });
    const consumer = (
      await inject('/api/v1/exchange/consumers', { code, name: '订阅测试', organisationId: civil!.id })
    ).json().consumer as { id: string };
    const granted = await inject('/api/v1/exchange/grants', {
      consumerId: consumer.id,
      resourceCode: 'legal_entity.enterprise',
      purpose: '企业变更订阅',
      fields: ['name', 'status'],
      days: 1,
    });
    expect(granted.json().status).toBe('approved');

    const [enterprise] = await t.db.query<{ uscc: string }>(`select uscc from registry_enterprise limit 1`);
    await t.db.transaction((tx) =>
      publish(tx, {
        topic: FEED_TOPICS.changed,
        key: 'legal_entity.enterprise',
        payload: { resource: 'legal_entity.enterprise', batchId: null, keys: [enterprise!.uscc] },
      }),
    );
    await t.app.outbox.drain();
    await t.app.outbox.drain();
    // The outbox delivering the same event again (after a lost acknowledgement) adds nothing.
    const [delivery] = await t.db.query<{ id: number; payload: FeedDelivery }>(
      `select id, payload from outbox_event where topic = $1 and key = $2`,
      [FEED_TOPICS.delivery, consumer.id],
    );
    const again = new NatsFeed(NATS_URL);
    await again.publish(natsSubject(code), delivery!.payload, feedMessageId(delivery!));
    await again.close();

    const manager = await nats.jetstreamManager();
    const reader = await manager.consumers.add(NATS_STREAM, {
      filter_subject: natsSubject(code),
      ack_policy: AckPolicy.None,
      deliver_policy: DeliverPolicy.All,
    });
    const messages = await nats.jetstream().consumers.get(NATS_STREAM, reader.name);
    const batch = await messages.fetch({ max_messages: 10, expires: 1000 });
    const received: FeedDelivery[] = [];
    for await (const message of batch) received.push(JSONCodec<FeedDelivery>().decode(message.data));
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({
      resource: 'legal_entity.enterprise',
      keys: [enterprise!.uscc],
      consumerId: consumer.id,
    });
    await manager.consumers.delete(NATS_STREAM, reader.name);
  });
});
