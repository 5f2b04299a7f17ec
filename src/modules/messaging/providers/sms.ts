import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * The SMS gateway that tells applicants about their cases (阿里云短信, 腾讯云短信, a
 * carrier's own ...). Carriers in China pass only templates registered in advance with
 * the gateway, so a message names a template and fills its parameters; the gateway
 * renders the text. Identity's verification codes go through identity's own provider.
 */

/**
 * The registered templates: id at the gateway, its text, and the parameters it takes with
 * their longest value in characters (carriers limit each variable: 35 for names and
 * numbers, more for a link variable).
 */
export const SMS_TEMPLATES = {
  case_step: {
    id: 'TB_CASE_STEP_001',
    text: '【通办】您的办件${caseNumber}（${itemName}）${step}。${hint}详情请登录通办查看：${link}',
    params: { caseNumber: 35, itemName: 35, step: 35, hint: 35, link: 60 },
  },
  hall_booking: {
    id: 'TB_HALL_BOOKING_001',
    text: '【通办】您已预约${time}到${place}办理${itemName}，预约号${number}，地址：${address}。如不能前往，请提前取消预约。',
    params: { time: 35, place: 35, itemName: 35, number: 35, address: 60 },
  },
} as const satisfies Record<string, { id: string; text: string; params: Record<string, number> }>;

export type SmsTemplate = keyof typeof SMS_TEMPLATES;

export interface MessagingSms {
  phone: string;
  template: SmsTemplate;
  params: Record<string, string>;
  /**
   * The sender's id for this message (the gateway's OutId): a resend under the same
   * reference after an unclear outcome is recognised instead of delivered twice.
   */
  reference?: string;
}

/** What the gateway answered: its id of the message (BizId). */
export interface SmsReceipt {
  messageId: string;
}

/**
 * The gateway did not take the message. `permanent`: retrying cannot help (an
 * unreachable or invalid number, an unknown template); otherwise it may succeed later,
 * after at least `retryAfterMs` (the outbox honours it when the error is rethrown).
 */
export class SmsSendError extends Error {
  readonly permanent: boolean;
  readonly retryAfterMs: number | undefined;
  constructor(
    message: string,
    readonly code: string,
    options: { permanent: boolean; retryAfterMs?: number },
  ) {
    super(message);
    this.name = 'SmsSendError';
    this.permanent = options.permanent;
    this.retryAfterMs = options.permanent ? undefined : options.retryAfterMs;
  }
}

/** An SMS gateway for notifications. */
export interface MessagingSmsProvider {
  readonly name: string;
  /** Sends one templated message; throws SmsSendError when the gateway does not take it. */
  send(message: MessagingSms): Promise<SmsReceipt>;
}

/** The text a gateway sends for a template and its parameters (for logs and the demo outbox). */
export function renderSms(template: SmsTemplate, params: Record<string, string>): string {
  return SMS_TEMPLATES[template].text.replace(/\$\{(\w+)\}/g, (_, name: string) => params[name] ?? '');
}

/** A sent message in the demo gateway's outbox. */
export interface DemoSmsRecord extends MessagingSms {
  messageId: string;
  text: string;
  at: Date;
}

export interface DemoMessagingSmsOptions {
  /** Gateway latency in milliseconds (default 20; the real ones take 50-300). */
  delayMs?: number;
  /** Share of attempts (0..1) that fail transiently, as a congested gateway does (default 0). */
  failureRate?: number;
  /** Random numbers in [0, 1) for `failureRate` (default Math.random). */
  random?: () => number;
  /** Delay the gateway asks for after a transient failure (default 500 ms). */
  retryAfterMs?: number;
  /** Called with each delivered message (the development server logs them). */
  onSend?: (record: DemoSmsRecord) => void;
}

const PHONE = /^1[3-9][0-9]{9}$/;

/**
 * The demo gateway, used by default, in tests and in the embedded mode. It behaves like a
 * real one: a short latency; registered templates only, every parameter present and
 * within the carriers' length; numbers it cannot reach refused for good (the reserved
 * range 170 0000 xxxx); transient failures, as the option `failureRate` asks, and the
 * first attempt of every message to the range 170 0001 xxxx (so retries are exercised);
 * a resend under a reference already delivered answers the first receipt and sends
 * nothing. Delivered messages land in `outbox` (the last 1000).
 */
export class DemoMessagingSmsProvider implements MessagingSmsProvider {
  readonly name = 'demo';
  readonly outbox: DemoSmsRecord[] = [];
  /** Every attempt, delivered or not, in order (tests count retries with it). */
  readonly attempts: { phone: string; reference: string | undefined; outcome: 'sent' | 'failed' }[] = [];
  readonly #delayMs: number;
  readonly #failureRate: number;
  readonly #random: () => number;
  readonly #retryAfterMs: number;
  readonly #onSend: ((record: DemoSmsRecord) => void) | undefined;
  readonly #attemptsByReference = new Map<string, number>();
  readonly #delivered = new Map<string, string>();

  constructor(options: DemoMessagingSmsOptions = {}) {
    this.#delayMs = options.delayMs ?? 20;
    this.#failureRate = options.failureRate ?? 0;
    this.#random = options.random ?? Math.random;
    this.#retryAfterMs = options.retryAfterMs ?? 500;
    this.#onSend = options.onSend;
    if (!(this.#failureRate >= 0 && this.#failureRate <= 1)) {
      throw new RangeError('failureRate must lie between 0 and 1');
    }
  }

  async send(message: MessagingSms): Promise<SmsReceipt> {
    await sleep(this.#delayMs);
    try {
      const receipt = this.#deliver(message);
      this.attempts.push({ phone: message.phone, reference: message.reference, outcome: 'sent' });
      return receipt;
    } catch (error) {
      this.attempts.push({ phone: message.phone, reference: message.reference, outcome: 'failed' });
      throw error;
    }
  }

  #deliver(message: MessagingSms): SmsReceipt {
    const { phone, template, params, reference } = message;
    if (reference !== undefined) {
      const earlier = this.#delivered.get(reference);
      if (earlier) return { messageId: earlier };
    }
    const registered = (SMS_TEMPLATES as Record<string, (typeof SMS_TEMPLATES)[SmsTemplate] | undefined>)[
      template
    ];
    if (!registered) {
      throw new SmsSendError(`Template ${template} is not registered`, 'template_unknown', {
        permanent: true,
      });
    }
    for (const [name, maxLength] of Object.entries(registered.params)) {
      const value = params[name];
      if (value === undefined) {
        throw new SmsSendError(`Template ${template} needs the parameter ${name}`, 'param_missing', {
          permanent: true,
        });
      }
      if (Array.from(value).length > maxLength) {
        throw new SmsSendError(
          `The parameter ${name} is longer than ${maxLength} characters`,
          'param_too_long',
          {
            permanent: true,
          },
        );
      }
    }
    if (!PHONE.test(phone)) {
      throw new SmsSendError('The number is not a mainland mobile number', 'phone_invalid', {
        permanent: true,
      });
    }
    if (phone.startsWith('1700000')) {
      throw new SmsSendError('The number is unreachable', 'phone_unreachable', { permanent: true });
    }
    const key = reference ?? `${phone}:${template}:${JSON.stringify(params)}`;
    const attempt = (this.#attemptsByReference.get(key) ?? 0) + 1;
    remember(this.#attemptsByReference, key, attempt);
    if ((phone.startsWith('1700001') && attempt === 1) || this.#random() < this.#failureRate) {
      throw new SmsSendError('The gateway is busy; try again later', 'gateway_busy', {
        permanent: false,
        retryAfterMs: this.#retryAfterMs,
      });
    }
    const messageId = randomUUID();
    if (reference !== undefined) remember(this.#delivered, reference, messageId);
    const record: DemoSmsRecord = {
      ...message,
      params: { ...params },
      messageId,
      text: renderSms(template, params),
      at: new Date(),
    };
    this.outbox.push(record);
    if (this.outbox.length > 1000) this.outbox.splice(0, this.outbox.length - 1000);
    this.#onSend?.(record);
    return { messageId };
  }

  /** The messages delivered to a phone, oldest first. */
  sentTo(phone: string): DemoSmsRecord[] {
    return this.outbox.filter((m) => m.phone === phone);
  }
}

/** Sets a value in a map that keeps only its latest 10,000 keys (a long-running demo server). */
function remember<V>(map: Map<string, V>, key: string, value: V): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > 10_000) map.delete(map.keys().next().value!);
}
