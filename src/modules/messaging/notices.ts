import { maskPhone } from '../../kernel/crypto.ts';
import { contactPhone } from '../identity/index.ts';
import type { ComposedMessage, ComposedSms } from './compose.ts';
import { SmsSendError } from './providers/sms.ts';
import { insertMessages, openSms, recordSmsAttempt } from './queries.ts';
import { SMS_MAX_ATTEMPTS, type MessagingDeps } from './service.ts';

/**
 * A notice another module composed for one person (a hall booking ...): the in-app message
 * and, when the person has a phone, an SMS from a registered template. Written at most
 * once per (event, recipient), so an outbox subscriber may call it on every delivery.
 */
export interface Notice {
  /** The outbox event the notice is for (deduplication). */
  eventId: number;
  topic: string;
  recipientSub: string;
  message: ComposedMessage;
  sms: ComposedSms | null;
}

/**
 * Writes the message and sends the SMS of a notice. A transient SMS failure is recorded
 * and rethrown (with the gateway's `retryAfterMs`) so the outbox retries the delivery,
 * which then finds the message written and sends only the SMS.
 */
export async function deliverNotice(deps: MessagingDeps, notice: Notice): Promise<void> {
  await insertMessages(deps.db, [
    {
      recipientSub: notice.recipientSub,
      audience: 'applicant',
      eventId: notice.eventId,
      topic: notice.topic,
      caseId: null,
      caseNumber: null,
      message: notice.message,
    },
  ]);
  if (!notice.sms) return;
  const phone = await contactPhone(deps.identity, deps.db, notice.recipientSub);
  if (!phone) return;
  const sms = await openSms(deps.db, {
    eventId: notice.eventId,
    recipientSub: notice.recipientSub,
    caseId: null,
    phoneMasked: maskPhone(phone),
    template: notice.sms.template,
    params: notice.sms.params,
    provider: deps.sms.name,
  });
  if (sms.status !== 'pending') return;
  let receipt: { messageId: string };
  try {
    receipt = await deps.sms.send({
      phone,
      template: notice.sms.template,
      params: sms.params,
      reference: sms.id,
    });
  } catch (error) {
    const permanent = error instanceof SmsSendError && error.permanent;
    const description = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    const givingUp = !permanent && sms.attempts + 1 >= SMS_MAX_ATTEMPTS;
    const recorded = await recordSmsAttempt(deps.db, sms.id, {
      status: permanent || givingUp ? 'failed' : 'pending',
      error: givingUp ? `${description} (gave up after ${SMS_MAX_ATTEMPTS} attempts)` : description,
    });
    if (recorded.status === 'failed') return;
    throw Object.assign(new Error(`SMS ${sms.id} not sent yet: ${description}`), {
      retryAfterMs: error instanceof SmsSendError ? error.retryAfterMs : undefined,
    });
  }
  await recordSmsAttempt(deps.db, sms.id, { status: 'sent', providerMessageId: receipt.messageId });
}
