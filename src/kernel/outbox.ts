import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Database, Queryable } from './db.ts';
import { conflict, notFound } from './errors.ts';

/**
 * Domain events through a transactional outbox (migration 0011, ADR 0004).
 *
 * Publishing: `publish(tx, { topic, key, payload })` inserts the event in the transaction
 * of the change that caused it, so the event exists if and only if the change committed.
 *
 * Delivery: subscribers are named consumers ('notifications', 'supervision' ...) registered
 * with `Outbox.subscribe(name, pattern, handler)`. Their patterns are stored in
 * `outbox_subscription`, shared by every process. Fan-out is lazy: a worker picks
 * undispatched events and creates one `outbox_delivery` row per subscriber whose pattern
 * matches (so `publish` stays a single insert on the hot path, and an event published
 * before the first worker ran still reaches the subscribers registered by then). A
 * subscriber therefore receives the events dispatched after its first registration.
 *
 * Every (event, subscriber) delivery is retried and dead-lettered on its own, and every
 * subscriber is worked by its own loop, so a slow or failing subscriber delays nobody else.
 *
 * Guarantees, per subscriber:
 * - At least once. A handler may see an event again (a worker crashed after the handler
 *   succeeded, a claim outlived `leaseMs`, a dead letter was replayed), so HANDLERS MUST BE
 *   IDEMPOTENT: dedupe on `event.id` (e.g. a unique constraint on what they write), or make
 *   the effect naturally repeatable.
 * - Order per key. A delivery is claimed only when no earlier pending delivery of the same
 *   key (and no earlier undispatched event of that key) exists, so events of one key are
 *   handled one at a time, in id order; a failing event holds back the later ones of its key
 *   (for that subscriber only) until it succeeds or is dead-lettered. A dead letter does not
 *   hold its key back (one poisoned event must not freeze a case), and a replayed one is
 *   handled after later events. Ids are allocated before commit, so order by id equals
 *   commit order only when the publishers of one key are serialised, which they are when
 *   each changes the same aggregate row (row lock or optimistic version) in its transaction.
 *   No order across keys.
 * - Retries: attempt n failing waits `min(maxBackoffMs, baseBackoffMs * 2^(n-1))`; attempt
 *   `maxAttempts` failing makes the delivery a dead letter, which `replay` re-queues.
 *
 * Workers claim with `FOR UPDATE SKIP LOCKED`, so any number of processes can run them on
 * PostgreSQL (PGlite has one connection and runs them in one process). A claim is a lease:
 * the delivery becomes claimable again at `locked_until` if the handler has not finished.
 */

const TOPIC = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$/;
const PATTERN = /^(\*|[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*(\.\*)?)$/;
const SUBSCRIBER = /^[a-z][a-z0-9_.-]*$/;
const MAX_KEY_LENGTH = 200;
const MAX_ERROR_LENGTH = 4000;

export interface EventToPublish {
  /** Dotted lower-case words: `case.submitted`, `case.deadline.yellow`. */
  topic: string;
  /** The aggregate the event is about (a case id ...): events of one key keep their order. */
  key: string | number;
  /** JSON-serialisable data; what subscribers need without reading the publisher's tables. */
  payload: unknown;
}

/** An event as a handler receives it. */
export interface DeliveredEvent<P = unknown> {
  /** The event id: the same on every delivery of the event, for deduplication. */
  id: number;
  topic: string;
  key: string;
  payload: P;
  occurredAt: Date;
  subscriber: string;
  deliveryId: number;
  /** 1 on the first attempt; more on retries (and after a lease ran out). */
  attempt: number;
}

export type EventHandler<P = unknown> = (event: DeliveredEvent<P>) => Promise<void>;

export interface OutboxOptions {
  /** Pause of an idle worker loop before it looks again (default 1000). */
  pollIntervalMs?: number;
  /** Events dispatched, and deliveries claimed per subscriber, per round trip (default 50). */
  batchSize?: number;
  /** Delay after the first failed attempt; doubles with every further one (default 1000). */
  baseBackoffMs?: number;
  /** Upper bound of the delay between two attempts (default one hour). */
  maxBackoffMs?: number;
  /** Attempts before a delivery becomes a dead letter (default 8). */
  maxAttempts?: number;
  /** How long a claim lasts before another worker may take the delivery again (default 5 minutes). */
  leaseMs?: number;
  /** The clock; tests pass their own so that backoffs pass without sleeping. */
  now?: () => Date;
  /** Told about failures of the workers themselves (database unreachable ...) and of handlers. */
  onError?: (error: unknown, context: OutboxErrorContext) => void;
}

export interface OutboxErrorContext {
  stage: 'dispatch' | 'claim' | 'handler' | 'complete';
  subscriber?: string;
  deliveryId?: number;
  eventId?: number;
}

export interface DrainResult {
  /** Events fanned out into deliveries. */
  dispatched: number;
  /** Deliveries whose handler succeeded. */
  delivered: number;
  /** Failed attempts scheduled for a retry. */
  retried: number;
  /** Deliveries that became dead letters. */
  dead: number;
}

export interface DeadLetter {
  deliveryId: number;
  subscriber: string;
  eventId: number;
  topic: string;
  key: string;
  payload: unknown;
  occurredAt: Date;
  attempts: number;
  lastError: string | null;
  /** When the last attempt failed. */
  diedAt: Date;
}

/**
 * Records a domain event. Call it with the transaction of the change that caused the event;
 * it is delivered only if that transaction commits. Returns the event id.
 */
export async function publish(tx: Queryable, event: EventToPublish): Promise<number> {
  if (!TOPIC.test(event.topic)) throw new TypeError(`Invalid event topic "${event.topic}"`);
  const key = String(event.key);
  if (key.length === 0 || key.length > MAX_KEY_LENGTH) throw new TypeError(`Invalid event key "${key}"`);
  const payload = JSON.stringify(event.payload);
  if (payload === undefined) throw new TypeError(`The payload of ${event.topic} is not JSON`);
  const [row] = await tx.query<{ id: number }>(
    'insert into outbox_event (topic, key, payload) values ($1, $2, $3::jsonb) returning id',
    [event.topic, key, payload],
    { prepare: true },
  );
  return row!.id;
}

/** Whether a subscription pattern (exact topic, `prefix.*` or `*`) covers a topic; the SQL in `dispatch` agrees. */
export function topicMatches(pattern: string, topic: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('.*')) return topic.startsWith(pattern.slice(0, -1));
  return pattern === topic;
}

/** Delay before the attempt after failed attempt number `attempt` (1-based). */
export function backoffMs(attempt: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
}

interface Subscriber {
  patterns: string[];
  handler: EventHandler;
  registered: boolean;
}

interface ClaimedRow {
  delivery_id: number;
  attempts: number;
  event_id: number;
  topic: string;
  key: string;
  payload: unknown;
  occurred_at: Date;
}

type Outcome = 'delivered' | 'retried' | 'dead' | 'lost';

/** Subscribers and the workers that deliver events to them. */
export class Outbox {
  /** Written into `locked_by` of the deliveries this instance claims. */
  readonly workerId = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  readonly #db: Database;
  readonly #pollIntervalMs: number;
  readonly #batchSize: number;
  readonly #baseBackoffMs: number;
  readonly #maxBackoffMs: number;
  readonly #maxAttempts: number;
  readonly #leaseMs: number;
  readonly #now: () => Date;
  readonly #onError: (error: unknown, context: OutboxErrorContext) => void;
  readonly #subscribers = new Map<string, Subscriber>();
  #running = false;
  readonly #loops = new Set<Promise<void>>();
  readonly #inFlight = new Set<Promise<unknown>>();
  readonly #sleepers = new Set<() => void>();

  constructor(db: Database, options: OutboxOptions = {}) {
    this.#db = db;
    this.#pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.#batchSize = options.batchSize ?? 50;
    this.#baseBackoffMs = options.baseBackoffMs ?? 1000;
    this.#maxBackoffMs = options.maxBackoffMs ?? 3_600_000;
    this.#maxAttempts = options.maxAttempts ?? 8;
    this.#leaseMs = options.leaseMs ?? 300_000;
    this.#now = options.now ?? (() => new Date());
    this.#onError = options.onError ?? ((error, context) => console.error('outbox:', context, error));
    if (!(this.#batchSize >= 1 && this.#maxAttempts >= 1 && this.#leaseMs > 0)) {
      throw new RangeError('Outbox needs batchSize >= 1, maxAttempts >= 1 and leaseMs > 0');
    }
  }

  /**
   * Registers a named subscriber for one or more topic patterns: an exact topic
   * (`case.submitted`), a prefix wildcard (`case.*`: every topic below `case.`) or `*`.
   * The handler must be idempotent (see the module comment). The patterns are stored at
   * the next `start`/`drain` (or at once, when running), replacing the ones stored before
   * under that name.
   */
  subscribe<P = unknown>(
    name: string,
    topicPattern: string | readonly string[],
    handler: EventHandler<P>,
  ): void {
    if (!SUBSCRIBER.test(name)) throw new TypeError(`Invalid subscriber name "${name}"`);
    if (this.#subscribers.has(name)) throw new Error(`Subscriber "${name}" is already registered`);
    const patterns = [...new Set(typeof topicPattern === 'string' ? [topicPattern] : topicPattern)];
    if (patterns.length === 0) throw new TypeError(`Subscriber "${name}" needs a topic pattern`);
    for (const pattern of patterns) {
      if (!PATTERN.test(pattern)) throw new TypeError(`Invalid topic pattern "${pattern}"`);
    }
    this.#subscribers.set(name, { patterns, handler: handler as EventHandler, registered: false });
    if (this.#running) this.#spawn('claim', () => this.#subscriberStep(name), name);
  }

  /** Starts the polling workers: one dispatcher and one loop per subscriber (timers unref'd). */
  async start(): Promise<void> {
    if (this.#running) return;
    await this.#register();
    this.#running = true;
    this.#spawn('dispatch', () => this.#dispatch());
    for (const name of this.#subscribers.keys()) this.#spawn('claim', () => this.#subscriberStep(name), name);
  }

  /** Stops the workers and waits for the handlers in flight to finish. */
  async stop(): Promise<void> {
    this.#running = false;
    this.#wake();
    while (this.#loops.size > 0 || this.#inFlight.size > 0) {
      await Promise.allSettled([...this.#loops, ...this.#inFlight]);
    }
  }

  /** Wakes idle workers at once (e.g. after committing a transaction that published events). */
  notify(): void {
    this.#wake();
  }

  /**
   * Dispatches and delivers until nothing is due (retries scheduled in the future stay
   * pending), for tests and the command line. Safe to run beside workers and other drains.
   */
  async drain(): Promise<DrainResult> {
    await this.#register();
    const total: DrainResult = { dispatched: 0, delivered: 0, retried: 0, dead: 0 };
    for (;;) {
      let progress = 0;
      for (let n = await this.#dispatch(); n > 0; n = await this.#dispatch()) {
        total.dispatched += n;
        progress += n;
      }
      const perSubscriber = await Promise.all(
        [...this.#subscribers.keys()].map(async (name) => {
          const outcomes: Outcome[] = [];
          for (
            let batch = await this.#deliverBatch(name);
            batch.length > 0;
            batch = await this.#deliverBatch(name)
          ) {
            outcomes.push(...batch);
          }
          return outcomes;
        }),
      );
      for (const outcome of perSubscriber.flat()) {
        progress++;
        if (outcome !== 'lost') total[outcome]++;
      }
      if (progress === 0) return total;
    }
  }

  /** Dead letters, oldest first, of one subscriber or of all. */
  async deadLetters(subscriber?: string, options: { limit?: number } = {}): Promise<DeadLetter[]> {
    const rows = await this.#db.query<{
      delivery_id: number;
      subscriber: string;
      event_id: number;
      topic: string;
      key: string;
      payload: unknown;
      occurred_at: Date;
      attempts: number;
      last_error: string | null;
      finished_at: Date;
    }>(
      `select d.id as delivery_id, d.subscriber, e.id as event_id, e.topic, e.key, e.payload, e.occurred_at,
              d.attempts, d.last_error, d.finished_at
         from outbox_delivery d join outbox_event e on e.id = d.event_id
        where d.status = 'dead' and ($1::text is null or d.subscriber = $1)
        order by d.finished_at, d.id
        limit $2`,
      [subscriber ?? null, options.limit ?? 100],
    );
    return rows.map((r) => ({
      deliveryId: r.delivery_id,
      subscriber: r.subscriber,
      eventId: r.event_id,
      topic: r.topic,
      key: r.key,
      payload: r.payload,
      occurredAt: r.occurred_at,
      attempts: r.attempts,
      lastError: r.last_error,
      diedAt: r.finished_at,
    }));
  }

  /**
   * Re-queues a dead letter with a fresh set of attempts (an administrator's action; the
   * caller audits it). Throws not_found for an unknown delivery, conflict when it is not dead.
   */
  async replay(deliveryId: number): Promise<void> {
    const replayed = await this.#db.query(
      `update outbox_delivery
          set status = 'pending', attempts = 0, available_at = $2, finished_at = null,
              locked_by = null, locked_until = null
        where id = $1 and status = 'dead'
        returning id`,
      [deliveryId, this.#now()],
    );
    if (replayed.length > 0) {
      this.#wake();
      return;
    }
    const [row] = await this.#db.query<{ status: string }>(
      'select status from outbox_delivery where id = $1',
      [deliveryId],
    );
    if (!row) throw notFound(`Delivery ${deliveryId} does not exist`);
    throw conflict(`Delivery ${deliveryId} is ${row.status}, not a dead letter`, {
      currentStatus: row.status,
    });
  }

  /**
   * Removes a subscriber that no longer exists in the code: its patterns are deleted (no new
   * deliveries) and its pending deliveries become dead letters, kept for the record.
   * Returns how many pending deliveries it had.
   */
  async retire(subscriber: string): Promise<number> {
    return this.#db.transaction(async (tx) => {
      await tx.query('delete from outbox_subscription where subscriber = $1', [subscriber]);
      const rows = await tx.query(
        `update outbox_delivery set status = 'dead', finished_at = $2, last_error = 'subscriber retired'
          where subscriber = $1 and status = 'pending' returning id`,
        [subscriber, this.#now()],
      );
      return rows.length;
    });
  }

  /**
   * Deletes events that occurred before `before` and were delivered to every subscriber
   * (events with a pending or dead delivery are kept). Returns how many were deleted.
   */
  async purge(before: Date): Promise<number> {
    const rows = await this.#db.query(
      `delete from outbox_event e
        where e.occurred_at < $1 and e.dispatched_at is not null
          and not exists (select 1 from outbox_delivery d where d.event_id = e.id and d.status <> 'done')
        returning e.id`,
      [before],
    );
    return rows.length;
  }

  /** Stores the patterns of the subscribers not stored yet. */
  async #register(): Promise<void> {
    for (const [name, subscriber] of this.#subscribers) {
      if (subscriber.registered) continue;
      await this.#db.transaction(async (tx) => {
        await tx.query(
          'delete from outbox_subscription where subscriber = $1 and topic_pattern <> all($2::text[])',
          [name, subscriber.patterns],
        );
        await tx.query(
          `insert into outbox_subscription (subscriber, topic_pattern)
           select $1, unnest($2::text[]) on conflict do nothing`,
          [name, subscriber.patterns],
        );
      });
      subscriber.registered = true;
    }
  }

  /** Fans one batch of undispatched events out into deliveries; returns how many events. */
  async #dispatch(): Promise<number> {
    const [row] = await this.#db.query<{ events: number }>(
      `with picked as (
         select id, topic, key from outbox_event
          where dispatched_at is null
          order by id
          limit $1
          for update skip locked
       ), marked as (
         update outbox_event e set dispatched_at = $2::timestamptz from picked where e.id = picked.id returning e.id
       ), fanned as (
         insert into outbox_delivery (event_id, subscriber, key, available_at, created_at)
         select distinct p.id, s.subscriber, p.key, $2::timestamptz, $2::timestamptz
           from picked p
           join outbox_subscription s
             on s.topic_pattern = p.topic
             or (right(s.topic_pattern, 1) = '*'
                 and left(p.topic, length(s.topic_pattern) - 1) = left(s.topic_pattern, length(s.topic_pattern) - 1))
         on conflict (event_id, subscriber) do nothing
         returning 1
       )
       select (select count(*) from marked)::int as events, (select count(*) from fanned)::int as deliveries`,
      [this.#batchSize, this.#now()],
    );
    return row!.events;
  }

  /** Claims one batch of due deliveries of a subscriber and runs them; returns their outcomes. */
  async #deliverBatch(name: string): Promise<Outcome[]> {
    const subscriber = this.#subscribers.get(name)!;
    const now = this.#now();
    const claimed = await this.#db.query<ClaimedRow>(
      `with due as (
         select d.id from outbox_delivery d
          where d.subscriber = $1 and d.status = 'pending' and d.available_at <= $2::timestamptz
            and not exists (
              select 1 from outbox_delivery p
               where p.subscriber = d.subscriber and p.key = d.key and p.status = 'pending'
                 and p.event_id < d.event_id)
            and not exists (
              select 1 from outbox_event u where u.key = d.key and u.dispatched_at is null and u.id < d.event_id)
          order by d.event_id
          limit $3
          for update of d skip locked
       )
       update outbox_delivery d
          set attempts = d.attempts + 1, locked_by = $4, locked_until = $5::timestamptz, available_at = $5::timestamptz
         from due, outbox_event e
        where d.id = due.id and e.id = d.event_id
       returning d.id as delivery_id, d.attempts, e.id as event_id, e.topic, e.key, e.payload, e.occurred_at`,
      [name, now, this.#batchSize, this.workerId, new Date(now.getTime() + this.#leaseMs)],
    );
    // At most one delivery per key is claimed, so running the batch concurrently keeps the order per key.
    return Promise.all(claimed.map((row) => this.#track(this.#run(name, subscriber.handler, row))));
  }

  async #run(name: string, handler: EventHandler, row: ClaimedRow): Promise<Outcome> {
    const context = { subscriber: name, deliveryId: row.delivery_id, eventId: row.event_id };
    if (row.attempts > this.#maxAttempts) {
      // The worker that started the last attempt never reported back (crash, or a lease too short).
      return this.#fail(row, 'the last attempt did not finish before its lease ran out', context);
    }
    let failure: { error: unknown } | undefined;
    try {
      await handler({
        id: row.event_id,
        topic: row.topic,
        key: row.key,
        payload: row.payload,
        occurredAt: row.occurred_at,
        subscriber: name,
        deliveryId: row.delivery_id,
        attempt: row.attempts,
      });
    } catch (error) {
      failure = { error };
    }
    if (failure) {
      this.#onError(failure.error, { stage: 'handler', ...context });
      return this.#fail(row, errorText(failure.error), context, failureHints(failure.error));
    }
    try {
      // Done even if another worker re-claimed it meanwhile: the handler did succeed.
      await this.#db.query(
        `update outbox_delivery set status = 'done', finished_at = $2 where id = $1 and status = 'pending'`,
        [row.delivery_id, this.#now()],
      );
      return 'delivered';
    } catch (error) {
      this.#onError(error, { stage: 'complete', ...context });
      return 'lost';
    }
  }

  async #fail(
    row: ClaimedRow,
    message: string,
    context: Omit<OutboxErrorContext, 'stage'>,
    hints: FailureHints = {},
  ): Promise<Outcome> {
    const now = this.#now();
    const dead = hints.permanent === true || row.attempts >= this.#maxAttempts;
    const waitMs = Math.min(
      this.#maxBackoffMs,
      Math.max(backoffMs(row.attempts, this.#baseBackoffMs, this.#maxBackoffMs), hints.retryAfterMs ?? 0),
    );
    const retryAt = new Date(now.getTime() + waitMs);
    try {
      // Only while our claim is the latest one: a newer claim's outcome must not be overwritten.
      const updated = await this.#db.query(
        `update outbox_delivery
            set status = case when $5 then 'dead' else 'pending' end,
                finished_at = case when $5 then $2::timestamptz end,
                available_at = case when $5 then available_at else $6::timestamptz end,
                last_error = $7
          where id = $1 and status = 'pending' and locked_by = $3 and attempts = $4
          returning id`,
        [
          row.delivery_id,
          now,
          this.workerId,
          row.attempts,
          dead,
          retryAt,
          message.slice(0, MAX_ERROR_LENGTH),
        ],
      );
      if (updated.length === 0) return 'lost';
      return dead ? 'dead' : 'retried';
    } catch (error) {
      this.#onError(error, { stage: 'complete', ...context });
      return 'lost';
    }
  }

  /** One worker loop step for a subscriber: register, claim a batch, run it; returns how many ran. */
  async #subscriberStep(name: string): Promise<number> {
    await this.#register();
    return (await this.#deliverBatch(name)).length;
  }

  /** Runs `step` until stopped, pausing `pollIntervalMs` whenever it finds nothing to do. */
  #spawn(stage: 'dispatch' | 'claim', step: () => Promise<number>, subscriber?: string): void {
    const loop = (async () => {
      while (this.#running) {
        let worked = 0;
        try {
          worked = await step();
        } catch (error) {
          this.#onError(error, subscriber ? { stage, subscriber } : { stage });
        }
        if (worked === 0 && this.#running) await this.#sleep(this.#pollIntervalMs);
      }
    })();
    this.#loops.add(loop);
    void loop.finally(() => this.#loops.delete(loop));
  }

  #track<T>(promise: Promise<T>): Promise<T> {
    this.#inFlight.add(promise);
    void promise.finally(() => this.#inFlight.delete(promise)).catch(() => {});
    return promise;
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      timer.unref();
      this.#sleepers.add(done);
    });
  }

  #wake(): void {
    for (const wake of [...this.#sleepers]) wake();
  }
}

/**
 * What a handler's error may say about retrying: `permanent: true` dead-letters the
 * delivery at once (retrying cannot help, e.g. a 400 from a webhook receiver);
 * `retryAfterMs` asks for at least that long before the next attempt (HTTP Retry-After).
 */
interface FailureHints {
  permanent?: boolean;
  retryAfterMs?: number;
}

function failureHints(error: unknown): FailureHints {
  if (!error || typeof error !== 'object') return {};
  const { permanent, retryAfterMs } = error as { permanent?: unknown; retryAfterMs?: unknown };
  return {
    permanent: permanent === true,
    ...(typeof retryAfterMs === 'number' && Number.isFinite(retryAfterMs) && { retryAfterMs }),
  };
}

function errorText(error: unknown): string {
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
  return String(error);
}
