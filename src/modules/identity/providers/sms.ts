import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

export interface SmsMessage {
  phone: string;
  /** Template of the gateway (carriers only pass registered templates). */
  template: 'verification_code';
  params: Record<string, string>;
}

/** Raised when the gateway refuses or cannot deliver; the caller reports 503 and keeps nothing. */
export class SmsDeliveryError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'SmsDeliveryError';
  }
}

/** An SMS gateway (阿里云短信, 腾讯云短信, a carrier's own ...). */
export interface SmsProvider {
  readonly name: string;
  send(message: SmsMessage): Promise<{ messageId: string }>;
}

export interface DemoSmsOptions {
  /** Gateway latency in milliseconds (the real ones take 50-300 ms). */
  delayMs?: number;
  /** Called with each delivered message (the development server logs codes this way). */
  onSend?: (message: SmsMessage) => void;
}

/**
 * The demo gateway: delivers after a delay into an in-memory outbox that tests and the
 * development console read. Like a real gateway it refuses numbers it cannot reach:
 * the reserved test range 170 0000 xxxx fails as undeliverable.
 */
export class DemoSmsProvider implements SmsProvider {
  readonly name = 'demo';
  readonly outbox: (SmsMessage & { messageId: string; at: Date })[] = [];
  private readonly delayMs: number;

  constructor(private readonly options: DemoSmsOptions = {}) {
    this.delayMs = options.delayMs ?? 20;
  }

  async send(message: SmsMessage): Promise<{ messageId: string }> {
    await sleep(this.delayMs);
    if (message.phone.startsWith('1700000')) {
      throw new SmsDeliveryError(`Number ${message.phone} is unreachable`, false);
    }
    const messageId = randomUUID();
    this.outbox.push({ ...message, messageId, at: new Date() });
    if (this.outbox.length > 1000) this.outbox.splice(0, this.outbox.length - 1000);
    this.options.onSend?.(message);
    return { messageId };
  }

  /** The last verification code sent to a phone (tests, the development console). */
  lastCode(phone: string): string | undefined {
    for (let i = this.outbox.length - 1; i >= 0; i--) {
      const message = this.outbox[i]!;
      if (message.phone === phone) return message.params.code;
    }
    return undefined;
  }
}
