import type { FieldCipher } from '../../kernel/crypto.ts';
import type { Database } from '../../kernel/db.ts';
import type { DeliveredEvent, EventHandler } from '../../kernel/outbox.ts';
import {
  deliverWebhook,
  PermanentWebhookError,
  RetryableWebhookError,
  type FetchLike,
} from '../../kernel/webhooks.ts';
import {
  CASE_ACTIONS,
  CASE_TOPICS,
  findCase,
  stepCodeFor,
  type CaseAction,
  type CaseRow,
  type CaseStepEvent,
  type NeededMaterial,
} from '../cases/index.ts';
import { enabledSystemsOf, type SystemKeys } from './service.ts';

/**
 * Outbound: every step of a case goes, as a signed webhook, to the enabled systems of the
 * departments that handle it: the lead department and the departments of the process's
 * stages and parallel branches (resolved when the case was filed).
 *
 * One outbox subscriber serves every system. Each system that acknowledges an event is
 * recorded (department_system_delivery), so when another system fails and the outbox
 * retries the event, only the systems not yet served are sent it again. The webhook-id
 * `evt_<event id>_<system code>` is the same on every attempt and replay: a system that
 * got a message but whose answer was lost dedupes it.
 *
 * A failure is permanent (dead letter at once) when every failing system refused for good
 * (4xx, redirect); otherwise it is retried with the outbox backoff, at least as late as
 * the longest Retry-After. A permanent refuser is retried along with a retryable one
 * (harmless: it refuses again) until the delivery succeeds or dies.
 */

export const DELIVERY_SUBSCRIBER = 'department_systems.deliver';
export const DELIVERY_TOPICS = [CASE_TOPICS.submitted, CASE_TOPICS.transitioned] as const;

/** What a department system receives for each step of one of its cases (the webhook body). */
export interface CaseMessage {
  /** The event topic: case.submitted or case.transitioned. */
  type: string;
  caseId: string;
  caseNumber: string;
  applicationNumber: string;
  itemCode: string;
  itemName: string;
  /** The lead department of the case. */
  organisationId: number;
  /** The action taken ('submit' for a new case). */
  action: string;
  /** Provincial step code (110 受理 ... 190 发证); null for actions without one. */
  stepCode: string | null;
  /** For a review opinion: the stage and parallel branch it was given in. */
  stage: string | null;
  branch: string | null;
  from: string | null;
  to: string;
  terminal: boolean;
  /** Case version after the step: what a report about the next step sends as `version`. */
  version: number;
  reason: string | null;
  /** 补正 notice: every material the applicant must supply. */
  needed: NeededMaterial[] | null;
  /** How the actor appears (window_clerk, approver, department_system ...). */
  actorRole: string;
  /** When the step was taken (ISO 8601). */
  at: string;
}

const isCaseAction = (action: string): action is CaseAction =>
  (CASE_ACTIONS as readonly string[]).includes(action);

/** The webhook-id of an event for one system: stable across retries and replays. */
export function messageId(eventId: number, systemCode: string): string {
  return `evt_${eventId}_${systemCode}`;
}

/**
 * The message for an event. `c` (the case as it is now) gives the process, to tell the
 * step codes of review stages apart, and the opinion, for its stage and branch.
 */
export function caseMessage(topic: string, p: CaseStepEvent, c: CaseRow | null): CaseMessage {
  let stage: string | null = null;
  let branch: string | null = null;
  let stepCode: string | null = null;
  if (isCaseAction(p.action) && p.from !== null) {
    if (p.action === 'review_approve' || p.action === 'review_deny') {
      const opinion = c?.opinions.find((o) => o.at === p.at);
      stage = opinion?.stage ?? null;
      branch = opinion?.branch ?? null;
    }
    // A return after acceptance stops the clock and has no step code (workflow.ts).
    const clock = p.action === 'return' && p.from === 'supplementing' && c?.acceptedAt ? 'stop' : null;
    stepCode = stepCodeFor({ from: p.from, action: p.action, clock }, c?.process, stage ?? undefined);
  }
  return {
    type: topic,
    caseId: p.caseId,
    caseNumber: p.caseNumber,
    applicationNumber: p.applicationNumber,
    itemCode: p.itemCode,
    itemName: p.itemName,
    organisationId: p.organisationId,
    action: p.action,
    stepCode,
    stage,
    branch,
    from: p.from,
    to: p.to,
    terminal: p.terminal,
    version: p.version,
    reason: p.reason,
    needed: p.needed,
    actorRole: p.actorRole,
    at: p.at,
  };
}

/** The departments of a case: the lead one and those of its stages and branches. */
export function departmentsOf(p: Pick<CaseStepEvent, 'organisationId'>, c: CaseRow | null): number[] {
  const ids = new Set<number>([p.organisationId]);
  for (const organisation of Object.values(c?.process.organisations ?? {})) ids.add(organisation.id);
  return [...ids];
}

/** Some systems failed; `permanent` when none of the failures is worth retrying. */
export class DepartmentDeliveryError extends Error {
  readonly permanent: boolean;
  /** The longest Retry-After asked for, in milliseconds (the outbox waits at least that long). */
  readonly retryAfterMs: number | undefined;
  constructor(readonly failures: { system: string; error: unknown }[]) {
    super(
      failures
        .map(({ system, error }) => `${system}: ${error instanceof Error ? error.message : String(error)}`)
        .join('; '),
    );
    this.name = 'DepartmentDeliveryError';
    this.permanent = failures.every(({ error }) => error instanceof PermanentWebhookError);
    const waits = failures
      .map(({ error }) => (error instanceof RetryableWebhookError ? error.retryAfterMs : undefined))
      .filter((ms): ms is number => ms !== undefined);
    this.retryAfterMs = waits.length > 0 ? Math.max(...waits) : undefined;
  }
}

export interface DeliveryDeps {
  db: Database;
  cipher: FieldCipher;
  fetchImpl?: FetchLike;
  timeoutMs?: number;
}

/** The outbox handler that delivers a case event to the department systems concerned. */
export function deliveryHandler(deps: DeliveryDeps): EventHandler<CaseStepEvent> {
  return async (event: DeliveredEvent<CaseStepEvent>) => {
    const p = event.payload;
    const c = await findCase(deps.db, p.caseId);
    const systems = await enabledSystemsOf(deps.db, deps.cipher, departmentsOf(p, c));
    if (systems.length === 0) return;
    const served = new Set(
      (
        await deps.db.query<{ system_id: number }>(
          'select system_id from department_system_delivery where event_id = $1',
          [event.id],
        )
      ).map((r) => r.system_id),
    );
    const pending = systems.filter((s) => !served.has(s.id));
    const body = caseMessage(event.topic, p, c);
    const outcomes = await Promise.all(pending.map((system) => deliverOne(deps, event.id, system, body)));
    const failures = outcomes.filter((o) => o !== null);
    if (failures.length > 0) throw new DepartmentDeliveryError(failures);
  };
}

async function deliverOne(
  deps: DeliveryDeps,
  eventId: number,
  system: SystemKeys,
  body: CaseMessage,
): Promise<{ system: string; error: unknown } | null> {
  const id = messageId(eventId, system.code);
  try {
    const receipt = await deliverWebhook({
      url: system.endpointUrl,
      secrets: system.outboundSecrets,
      id,
      body,
      userAgent: 'Tongban-DepartmentSystems/1',
      ...(deps.timeoutMs !== undefined && { timeoutMs: deps.timeoutMs }),
      ...(deps.fetchImpl && { fetchImpl: deps.fetchImpl }),
    });
    await deps.db.query(
      `insert into department_system_delivery (event_id, system_id, webhook_id, status_code)
       values ($1, $2, $3, $4) on conflict do nothing`,
      [eventId, system.id, id, receipt.status],
    );
    return null;
  } catch (error) {
    return { system: system.code, error };
  }
}
