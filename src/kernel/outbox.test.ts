import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/db.ts';
import type { Database } from './db.ts';
import {
  backoffMs,
  Outbox,
  publish,
  topicMatches,
  type DeliveredEvent,
  type OutboxErrorContext,
  type OutboxOptions,
} from './outbox.ts';

let database: TestDatabase;
let db: Database;
let clock: Date;
const advance = (ms: number) => (clock = new Date(clock.getTime() + ms));
let reported: { error: unknown; context: OutboxErrorContext }[] = [];
const outbox = (options: OutboxOptions = {}) =>
  new Outbox(db, {
    baseBackoffMs: 1000,
    maxAttempts: 3,
    pollIntervalMs: 5,
    now: () => clock,
    onError: (error, context) => void reported.push({ error, context }),
    ...options,
  });

/** Publishes events in one committed transaction; returns their ids. */
async function publishAll(...events: { topic: string; key: string; payload?: unknown }[]): Promise<number[]> {
  return db.transaction(async (tx) => {
    const ids: number[] = [];
    for (const event of events) ids.push(await publish(tx, { payload: {}, ...event }));
    return ids;
  });
}

/** A handler that records what it receives. */
function recorder() {
  const received: DeliveredEvent[] = [];
  const handler = async (event: DeliveredEvent) => void received.push(event);
  return { received, handler };
}

const deliveryOf = async (eventId: number, subscriber: string) =>
  (
    await db.query<{
      id: number;
      status: string;
      attempts: number;
      available_at: Date;
      last_error: string | null;
    }>(
      'select id, status, attempts, available_at, last_error from outbox_delivery where event_id = $1 and subscriber = $2',
      [eventId, subscriber],
    )
  )[0]!;

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.db;
});
afterAll(async () => {
  await database.drop();
});
beforeEach(async () => {
  clock = new Date('2026-03-02T01:00:00Z');
  reported = [];
  await db.exec('delete from outbox_delivery; delete from outbox_event; delete from outbox_subscription;');
});

describe('topics and backoff', () => {
  it('matches exact topics, prefix wildcards and *', () => {
    expect(topicMatches('case.submitted', 'case.submitted')).toBe(true);
    expect(topicMatches('case.submitted', 'case.accepted')).toBe(false);
    expect(topicMatches('case.*', 'case.deadline.yellow')).toBe(true);
    expect(topicMatches('case.*', 'case')).toBe(false);
    expect(topicMatches('case.*', 'cases.submitted')).toBe(false);
    expect(topicMatches('*', 'payment.paid')).toBe(true);
  });

  it('doubles the delay per attempt up to the maximum', () => {
    expect([1, 2, 3, 4, 5].map((n) => backoffMs(n, 1000, 10_000))).toEqual([1000, 2000, 4000, 8000, 10_000]);
  });

  it('refuses malformed topics, keys, payloads, patterns and names', async () => {
    await expect(publish(db, { topic: 'Case.Submitted', key: '1', payload: {} })).rejects.toThrow(TypeError);
    await expect(publish(db, { topic: 'case.', key: '1', payload: {} })).rejects.toThrow(TypeError);
    await expect(publish(db, { topic: 'case.submitted', key: '', payload: {} })).rejects.toThrow(TypeError);
    await expect(publish(db, { topic: 'case.submitted', key: '1', payload: undefined })).rejects.toThrow(
      TypeError,
    );
    const box = outbox();
    expect(() => box.subscribe('n', 'case*', async () => {})).toThrow(TypeError);
    expect(() => box.subscribe('n', 'case.*.yellow', async () => {})).toThrow(TypeError);
    expect(() => box.subscribe('Bad Name', 'case.*', async () => {})).toThrow(TypeError);
    box.subscribe('n', 'case.*', async () => {});
    expect(() => box.subscribe('n', 'payment.*', async () => {})).toThrow(/already registered/);
    expect(await db.query('select 1 from outbox_event')).toHaveLength(0);
  });
});

describe('publishing in the transaction of the change', () => {
  it('delivers nothing when the transaction rolls back', async () => {
    const box = outbox();
    const { received, handler } = recorder();
    box.subscribe('notifications', '*', handler);
    await expect(
      db.transaction(async (tx) => {
        await publish(tx, { topic: 'case.submitted', key: 'c1', payload: { caseId: 1 } });
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    expect(await box.drain()).toEqual({ dispatched: 0, delivered: 0, retried: 0, dead: 0 });
    expect(received).toEqual([]);
    expect(await db.query('select 1 from outbox_event')).toHaveLength(0);
  });

  it('delivers a committed event once to each matching subscriber and not to the others', async () => {
    const box = outbox();
    const notifications = recorder();
    const supervision = recorder();
    const payments = recorder();
    const everything = recorder();
    box.subscribe('notifications', 'case.*', notifications.handler);
    box.subscribe('supervision', ['case.deadline.*', 'case.suspended'], supervision.handler);
    box.subscribe('payments', 'payment.*', payments.handler);
    box.subscribe('archive', '*', everything.handler);
    const [submitted, yellow] = await publishAll(
      { topic: 'case.submitted', key: 'c1', payload: { caseId: 1, items: ['A', 'B'], applicant: '张三' } },
      { topic: 'case.deadline.yellow', key: 'c1', payload: { caseId: 1 } },
    );

    expect(await box.drain()).toEqual({ dispatched: 2, delivered: 5, retried: 0, dead: 0 });
    expect(notifications.received.map((e) => [e.id, e.topic])).toEqual([
      [submitted, 'case.submitted'],
      [yellow, 'case.deadline.yellow'],
    ]);
    expect(notifications.received[0]).toMatchObject({
      id: submitted,
      key: 'c1',
      payload: { caseId: 1, items: ['A', 'B'], applicant: '张三' },
      subscriber: 'notifications',
      attempt: 1,
    });
    expect(notifications.received[0]!.occurredAt).toBeInstanceOf(Date);
    expect(supervision.received.map((e) => e.id)).toEqual([yellow]);
    expect(everything.received.map((e) => e.id)).toEqual([submitted, yellow]);
    expect(payments.received).toEqual([]);

    // Nothing is delivered twice.
    expect(await box.drain()).toEqual({ dispatched: 0, delivered: 0, retried: 0, dead: 0 });
    expect(notifications.received).toHaveLength(2);
  });

  it('fans out events published before the first worker ran to the subscribers registered then, not to later ones', async () => {
    const [early] = await publishAll({ topic: 'case.submitted', key: 'c1' });
    const first = outbox();
    const notifications = recorder();
    first.subscribe('notifications', 'case.*', notifications.handler);
    await first.drain();
    expect(notifications.received.map((e) => e.id)).toEqual([early]);

    const second = outbox();
    const latecomer = recorder();
    second.subscribe('latecomer', 'case.*', latecomer.handler);
    const [later] = await publishAll({ topic: 'case.accepted', key: 'c1' });
    await second.drain();
    expect(latecomer.received.map((e) => e.id)).toEqual([later]);
    // The first process's subscriber is stored, so the second process fanned the event out to it too.
    expect((await deliveryOf(later!, 'notifications')).status).toBe('pending');
    await first.drain();
    expect(notifications.received.map((e) => e.id)).toEqual([early, later]);
  });
});

describe('retries, dead letters and replay', () => {
  it('retries with exponential backoff, dead-letters after maxAttempts, and replay delivers it', async () => {
    const box = outbox({ baseBackoffMs: 1000, maxAttempts: 3 });
    let failing = true;
    const attempts: number[] = [];
    box.subscribe('notifications', 'case.*', async (event) => {
      attempts.push(event.attempt);
      if (failing) throw new Error('SMS gateway unreachable');
    });
    const [id] = await publishAll({ topic: 'case.accepted', key: 'c9' });

    expect(await box.drain()).toMatchObject({ delivered: 0, retried: 1, dead: 0 });
    let delivery = await deliveryOf(id!, 'notifications');
    expect(delivery).toMatchObject({ status: 'pending', attempts: 1 });
    expect(delivery.available_at.getTime() - clock.getTime()).toBe(1000);
    expect(delivery.last_error).toContain('SMS gateway unreachable');

    // Not due before the backoff has passed.
    advance(999);
    expect(await box.drain()).toMatchObject({ retried: 0, dead: 0 });
    advance(1);
    expect(await box.drain()).toMatchObject({ retried: 1, dead: 0 });
    delivery = await deliveryOf(id!, 'notifications');
    expect(delivery.available_at.getTime() - clock.getTime()).toBe(2000);

    advance(1999);
    expect(await box.drain()).toMatchObject({ retried: 0, dead: 0 });
    advance(1);
    expect(await box.drain()).toMatchObject({ retried: 0, dead: 1 });
    expect(attempts).toEqual([1, 2, 3]);
    expect((await deliveryOf(id!, 'notifications')).status).toBe('dead');

    // A dead letter is not retried any more.
    advance(3_600_000);
    expect(await box.drain()).toMatchObject({ retried: 0, dead: 0, delivered: 0 });

    const letters = await box.deadLetters('notifications');
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({
      deliveryId: delivery.id,
      subscriber: 'notifications',
      eventId: id,
      topic: 'case.accepted',
      key: 'c9',
      payload: {},
      attempts: 3,
    });
    expect(letters[0]!.lastError).toContain('SMS gateway unreachable');
    expect(letters[0]!.diedAt.getTime()).toBe(clock.getTime() - 3_600_000);
    expect(await box.deadLetters('supervision')).toEqual([]);
    expect(await box.deadLetters()).toHaveLength(1);

    failing = false;
    await box.replay(delivery.id);
    expect(await box.drain()).toMatchObject({ delivered: 1 });
    expect(attempts).toEqual([1, 2, 3, 1]);
    expect((await deliveryOf(id!, 'notifications')).status).toBe('done');
    expect(await box.deadLetters()).toEqual([]);

    await expect(box.replay(delivery.id)).rejects.toMatchObject({
      code: 'conflict',
      extra: { currentStatus: 'done' },
    });
    await expect(box.replay(987654321)).rejects.toMatchObject({ code: 'not_found' });
  });

  it('dead-letters a permanent failure at once and waits at least as long as Retry-After asks', async () => {
    const box = outbox({ baseBackoffMs: 1000, maxAttempts: 5 });
    box.subscribe('rejecting', 'dept.permanent', async () => {
      throw Object.assign(new Error('400 from the receiver'), { permanent: true });
    });
    box.subscribe('throttled', 'dept.throttled', async () => {
      throw Object.assign(new Error('429 from the receiver'), { retryAfterMs: 120_000 });
    });
    const [permanent, throttled] = await publishAll(
      { topic: 'dept.permanent', key: 'p1' },
      { topic: 'dept.throttled', key: 't1' },
    );
    expect(await box.drain()).toMatchObject({ retried: 1, dead: 1 });
    expect(await deliveryOf(permanent!, 'rejecting')).toMatchObject({ status: 'dead', attempts: 1 });
    const waiting = await deliveryOf(throttled!, 'throttled');
    expect(waiting).toMatchObject({ status: 'pending', attempts: 1 });
    expect(waiting.available_at.getTime() - clock.getTime()).toBe(120_000);
    await box.retire('rejecting');
    await box.retire('throttled');
  });

  it('does not let a failing subscriber hold back another one', async () => {
    const box = outbox({ maxAttempts: 2 });
    const healthy = recorder();
    let brokenCalls = 0;
    box.subscribe('broken', 'case.*', async () => {
      brokenCalls++;
      throw new Error('boom');
    });
    box.subscribe('healthy', 'case.*', healthy.handler);
    const ids = await publishAll(
      { topic: 'case.submitted', key: 'c1' },
      { topic: 'case.accepted', key: 'c1' },
      { topic: 'case.submitted', key: 'c2' },
    );
    await box.drain();
    expect(healthy.received.map((e) => e.id).sort((a, b) => a - b)).toEqual(ids);
    // broken: the first event of each key failed; c1's second event waits behind the first.
    expect(brokenCalls).toBe(2);
    expect(reported.map((r) => r.context)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ stage: 'handler', subscriber: 'broken', eventId: ids[0] }),
        expect.objectContaining({ stage: 'handler', subscriber: 'broken', eventId: ids[2] }),
      ]),
    );
    expect(reported).toHaveLength(2);
  });

  it('does not let a slow subscriber hold back another one (running workers)', async () => {
    const box = outbox();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let slowStarted = false;
    let slowFinished = false;
    box.subscribe('slow', 'case.*', async () => {
      slowStarted = true;
      await gate;
      slowFinished = true;
    });
    const fast = recorder();
    box.subscribe('fast', 'case.*', fast.handler);
    await box.start();
    const ids = await publishAll(
      { topic: 'case.submitted', key: 'c1' },
      { topic: 'case.submitted', key: 'c2' },
    );
    box.notify();

    await vi.waitFor(() => expect(fast.received.map((e) => e.id)).toEqual(ids), { timeout: 10_000 });
    await vi.waitFor(() => expect(slowStarted).toBe(true), { timeout: 10_000 });
    expect(slowFinished).toBe(false);

    const stopped = box.stop();
    release();
    await stopped;
    // stop() waited for the handler in flight, and its outcome was recorded.
    expect(slowFinished).toBe(true);
    expect((await deliveryOf(ids[0]!, 'slow')).status).toBe('done');
  });

  it('delivers again, as another attempt, when a claim outlives its lease', async () => {
    const crashed = outbox({ leaseMs: 60_000 });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let stuck = false;
    crashed.subscribe('notifications', 'case.*', async () => {
      stuck = true;
      await gate;
    });
    const [id] = await publishAll({ topic: 'case.submitted', key: 'c1' });
    const stuckDrain = crashed.drain();
    await vi.waitFor(() => expect(stuck).toBe(true), { timeout: 10_000 });

    const other = outbox({ leaseMs: 60_000 });
    const received = recorder();
    other.subscribe('notifications', 'case.*', received.handler);
    expect(await other.drain()).toMatchObject({ delivered: 0 });
    advance(60_000);
    expect(await other.drain()).toMatchObject({ delivered: 1 });
    expect(received.received.map((e) => [e.id, e.attempt])).toEqual([[id, 2]]);

    release();
    expect(await stuckDrain).toMatchObject({ delivered: 1 });
    expect(await deliveryOf(id!, 'notifications')).toMatchObject({ status: 'done', attempts: 2 });
  });
});

describe('order per key', () => {
  it('holds later events of a key behind a failing one, but not other keys, and not behind a dead letter', async () => {
    const box = outbox({ baseBackoffMs: 1000, maxAttempts: 2 });
    const order: number[] = [];
    const failOnce = new Set<number>();
    const failAlways = new Set<number>();
    box.subscribe('notifications', 'case.*', async (event) => {
      if (failAlways.has(event.id)) throw new Error('poisoned');
      if (failOnce.delete(event.id)) throw new Error('transient');
      order.push(event.id);
    });
    const [k1, k2, l1, k3, m1, m2] = await publishAll(
      { topic: 'case.submitted', key: 'K' },
      { topic: 'case.accepted', key: 'K' },
      { topic: 'case.submitted', key: 'L' },
      { topic: 'case.decided', key: 'K' },
      { topic: 'case.submitted', key: 'M' },
      { topic: 'case.accepted', key: 'M' },
    );
    failOnce.add(k1!);
    failAlways.add(m1!);

    const ofKey = (...keyIds: (number | undefined)[]) => order.filter((id) => keyIds.includes(id));
    await box.drain();
    expect(order).toEqual([l1]);
    advance(1000);
    await box.drain();
    // K resumes in id order; M's first event is dead after 2 attempts and no longer holds M back.
    expect(ofKey(k1, k2, k3)).toEqual([k1, k2, k3]);
    expect(ofKey(m1, m2)).toEqual([m2]);
    expect(order).toHaveLength(5);
    expect((await box.deadLetters()).map((d) => d.eventId)).toEqual([m1]);
  });

  it('keeps each (event, subscriber) exactly once and in key order under concurrent drains', async () => {
    const keys = Array.from({ length: 8 }, (_, i) => `case-${i}`);
    const events = Array.from({ length: 120 }, (_, i) => ({
      topic: i % 2 ? 'case.accepted' : 'case.submitted',
      key: keys[i % keys.length]!,
      payload: { n: i },
    }));
    const ids = await publishAll(...events);
    const seen = new Map<string, number[]>();
    const subscribers = ['notifications', 'supervision', 'analytics'];
    const instance = () => {
      const box = outbox({ batchSize: 7 });
      for (const name of subscribers) {
        box.subscribe(name, 'case.*', async (event) => {
          const list = seen.get(`${name}/${event.key}`) ?? [];
          list.push(event.id);
          seen.set(`${name}/${event.key}`, list);
          // Give the other drains a chance to interleave.
          await new Promise((resolve) => setImmediate(resolve));
        });
      }
      return box;
    };
    const first = instance();
    const second = instance();
    const results = await Promise.all([first.drain(), second.drain(), first.drain()]);

    expect(results.reduce((sum, r) => sum + r.delivered, 0)).toBe(ids.length * subscribers.length);
    expect(results.reduce((sum, r) => sum + r.dispatched, 0)).toBe(ids.length);
    for (const name of subscribers) {
      for (const key of keys) {
        const expected = ids.filter((_, i) => events[i]!.key === key);
        expect(seen.get(`${name}/${key}`)).toEqual(expected);
      }
    }
    const [counts] = await db.query<{ done: number; total: number }>(
      `select count(*) filter (where status = 'done')::int as done, count(*)::int as total from outbox_delivery`,
    );
    expect(counts).toEqual({ done: ids.length * subscribers.length, total: ids.length * subscribers.length });
  });
});

describe('housekeeping', () => {
  it('purges fully delivered events and keeps undelivered ones', async () => {
    const box = outbox({ maxAttempts: 1 });
    box.subscribe('notifications', 'case.*', async (event) => {
      if (event.key === 'bad') throw new Error('boom');
    });
    const [good, bad] = await publishAll(
      { topic: 'case.submitted', key: 'good' },
      { topic: 'case.submitted', key: 'bad' },
    );
    const [unmatched] = await publishAll({ topic: 'payment.paid', key: 'p1' });
    await box.drain();
    const [later] = await db.query<{ at: Date }>(`select now() + interval '1 minute' as at`);
    expect(await box.purge(later!.at)).toBe(2);
    const left = await db.query<{ id: number }>('select id from outbox_event order by id');
    expect(left.map((r) => r.id)).toEqual([bad]);
    expect(good).not.toBe(unmatched);
  });

  it('retires a subscriber: no new deliveries, pending ones become dead letters', async () => {
    const box = outbox();
    box.subscribe('legacy', 'case.*', async () => {
      throw new Error('down');
    });
    await publishAll({ topic: 'case.submitted', key: 'c1' });
    await box.drain();
    expect(await box.retire('legacy')).toBe(1);
    expect((await box.deadLetters('legacy')).map((d) => d.lastError)).toEqual(['subscriber retired']);
    const fresh = outbox();
    fresh.subscribe('current', 'case.*', async () => {});
    await publishAll({ topic: 'case.accepted', key: 'c1' });
    await fresh.drain();
    const [row] = await db.query<{ n: number }>(
      `select count(*)::int as n from outbox_delivery where subscriber = 'legacy'`,
    );
    expect(row!.n).toBe(1);
  });
});
