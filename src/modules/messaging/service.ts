import { maskPhone } from '../../kernel/crypto.ts';
import type { Database } from '../../kernel/db.ts';
import type { DeliveredEvent } from '../../kernel/outbox.ts';
import type { CaseDeadlineEvent, CaseStepEvent } from '../cases/index.ts';
import { contactPhone, staffOfOrganisation, type IdentityContext } from '../identity/index.ts';
import { composeDeadlineMessage, composeStepMessage, composeStepSms } from './compose.ts';
import { SmsSendError, type MessagingSmsProvider } from './providers/sms.ts';
import {
  insertMessages,
  openSms,
  recordSmsAttempt,
  type NewMessage,
  type SmsNotification,
} from './queries.ts';

/**
 * The two outbox subscribers of messaging, kept apart so that neither holds the other up:
 * `messaging.inbox` writes in-app messages (applicants: every step that concerns them;
 * staff: deadline warnings of the cases they must act on), `messaging.sms` texts the
 * applicant. Both write at most once per (event, recipient), so a redelivered event
 * writes and sends nothing new.
 */

export const STEP_TOPICS = ['case.submitted', 'case.transitioned'] as const;
export const DEADLINE_TOPICS = ['case.deadline.yellow', 'case.deadline.red'] as const;

/** Attempts at one SMS before it is recorded failed (below the outbox's own limit of 8). */
export const SMS_MAX_ATTEMPTS = 5;

export interface MessagingDeps {
  db: Database;
  identity: Pick<IdentityContext, 'cipher'>;
  sms: MessagingSmsProvider;
}

/** An event that cannot be handled however often it is retried: dead-lettered at once. */
function malformed(event: DeliveredEvent, what: string): Error {
  return Object.assign(new Error(`Event ${event.id} (${event.topic}): ${what}`), { permanent: true });
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isString = (value: unknown): value is string => typeof value === 'string' && value.length > 0;

/** The fields of a case event that messages use, checked (a publisher's bug must not write nonsense). */
function checkCaseRef(event: DeliveredEvent, p: Record<string, unknown>): void {
  for (const field of ['caseId', 'caseNumber', 'itemCode', 'itemName', 'organisationName'] as const) {
    if (!isString(p[field])) throw malformed(event, `payload.${field} is missing`);
  }
  if (!isObject(p.applicant) || !isString(p.applicant.sub)) {
    throw malformed(event, 'payload.applicant.sub is missing');
  }
}

export function parseStepEvent(event: DeliveredEvent): CaseStepEvent {
  const p = event.payload;
  if (!isObject(p)) throw malformed(event, 'the payload is not an object');
  checkCaseRef(event, p);
  if (!isString(p.action)) throw malformed(event, 'payload.action is missing');
  if (!isString(p.at) || Number.isNaN(Date.parse(p.at))) throw malformed(event, 'payload.at is not a time');
  if (typeof p.concernsApplicant !== 'boolean')
    throw malformed(event, 'payload.concernsApplicant is missing');
  if (p.reason !== null && p.reason !== undefined && typeof p.reason !== 'string') {
    throw malformed(event, 'payload.reason is not text');
  }
  const needed = p.needed ?? null;
  if (
    needed !== null &&
    !(
      Array.isArray(needed) &&
      needed.every((m) => isObject(m) && isString(m.name) && typeof m.problem === 'string')
    )
  ) {
    throw malformed(event, 'payload.needed is not a list of { name, problem }');
  }
  const documents = p.documents ?? [];
  if (!(
    Array.isArray(documents) && documents.every((d) => isObject(d) && isString(d.id) && isString(d.kind))
  )) {
    throw malformed(event, 'payload.documents is not a list of { id, kind }');
  }
  return {
    ...(p as unknown as CaseStepEvent),
    reason: (p.reason as string | null | undefined) ?? null,
    needed,
    documents,
  } as CaseStepEvent;
}

export function parseDeadlineEvent(event: DeliveredEvent): CaseDeadlineEvent {
  const p = event.payload;
  if (!isObject(p)) throw malformed(event, 'the payload is not an object');
  checkCaseRef(event, p);
  const w = p.warning;
  if (!isObject(w) || !isString(w.clock) || (w.level !== 'yellow' && w.level !== 'red')) {
    throw malformed(event, 'payload.warning needs a clock and a level');
  }
  for (const field of ['limitDays', 'usedWorkingDays', 'remainingWorkingDays', 'shareUsed'] as const) {
    if (typeof w[field] !== 'number') throw malformed(event, `payload.warning.${field} is not a number`);
  }
  if (typeof p.responsibleOrganisationId !== 'number') {
    throw malformed(event, 'payload.responsibleOrganisationId is missing');
  }
  if (p.responsibleRole !== null && p.responsibleRole !== undefined && !isString(p.responsibleRole)) {
    throw malformed(event, 'payload.responsibleRole is not a role code');
  }
  return p as unknown as CaseDeadlineEvent;
}

/** messaging.inbox: the in-app messages of one event. Returns how many were written now. */
export async function deliverToInbox(deps: MessagingDeps, event: DeliveredEvent): Promise<number> {
  if ((STEP_TOPICS as readonly string[]).includes(event.topic)) {
    const step = parseStepEvent(event);
    if (!step.concernsApplicant) return 0;
    return insertMessages(deps.db, [
      {
        recipientSub: step.applicant.sub,
        audience: 'applicant',
        eventId: event.id,
        topic: event.topic,
        caseId: step.caseId,
        caseNumber: step.caseNumber,
        message: composeStepMessage(step),
      },
    ]);
  }
  if ((DEADLINE_TOPICS as readonly string[]).includes(event.topic)) {
    const warning = parseDeadlineEvent(event);
    const staff = await staffOfOrganisation(
      deps.db,
      warning.responsibleOrganisationId,
      warning.responsibleRole ?? null,
    );
    const message = composeDeadlineMessage(warning);
    return insertMessages(
      deps.db,
      staff.map((member): NewMessage => ({
        recipientSub: member.sub,
        audience: 'staff',
        eventId: event.id,
        topic: event.topic,
        caseId: warning.caseId,
        caseNumber: warning.caseNumber,
        message,
      })),
    );
  }
  return 0;
}

/**
 * messaging.sms: the applicant's SMS about a step. Nothing when the step does not concern
 * them or they have no phone (in-app only). A refusal for good (an unreachable number) is
 * recorded failed and not retried; a transient failure is recorded and rethrown with the
 * gateway's `retryAfterMs`, so the outbox retries the delivery, up to SMS_MAX_ATTEMPTS.
 * Returns the SMS row, or null when none is due.
 */
export async function deliverSms(
  deps: MessagingDeps,
  event: DeliveredEvent,
): Promise<SmsNotification | null> {
  if (!(STEP_TOPICS as readonly string[]).includes(event.topic)) return null;
  const step = parseStepEvent(event);
  if (!step.concernsApplicant) return null;
  const phone = await contactPhone(deps.identity, deps.db, step.applicant.sub);
  if (!phone) return null;
  const { template, params } = composeStepSms(step);
  const sms = await openSms(deps.db, {
    eventId: event.id,
    recipientSub: step.applicant.sub,
    caseId: step.caseId,
    phoneMasked: maskPhone(phone),
    template,
    params,
    provider: deps.sms.name,
  });
  if (sms.status !== 'pending') return sms;
  let receipt: { messageId: string };
  try {
    // The row's parameters, not freshly composed ones: a retry sends what the first attempt did.
    receipt = await deps.sms.send({ phone, template, params: sms.params, reference: sms.id });
  } catch (error) {
    const permanent = !(error instanceof SmsSendError) ? false : error.permanent;
    const description = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    const givingUp = !permanent && sms.attempts + 1 >= SMS_MAX_ATTEMPTS;
    const recorded = await recordSmsAttempt(deps.db, sms.id, {
      status: permanent || givingUp ? 'failed' : 'pending',
      error: givingUp ? `${description} (gave up after ${SMS_MAX_ATTEMPTS} attempts)` : description,
    });
    if (recorded.status === 'failed') return recorded;
    throw Object.assign(new Error(`SMS ${sms.id} not sent yet: ${description}`), {
      retryAfterMs: error instanceof SmsSendError ? error.retryAfterMs : undefined,
    });
  }
  return recordSmsAttempt(deps.db, sms.id, { status: 'sent', providerMessageId: receipt.messageId });
}
