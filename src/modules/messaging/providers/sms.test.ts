import { describe, expect, it } from 'vitest';
import { DemoMessagingSmsProvider, renderSms, SmsSendError, type MessagingSms } from './sms.ts';

const message = (changes: Partial<MessagingSms> = {}): MessagingSms => ({
  phone: '13812345678',
  template: 'case_step',
  params: {
    caseNumber: '3299012026030200001X',
    itemName: '食品经营许可（新办）',
    step: '已受理',
    hint: '',
    link: '/my/cases/6f1c1a52-5d0e-4d7c-9a43-0e0c4c2f7d11',
  },
  ...changes,
});

const failure = async (promise: Promise<unknown>): Promise<SmsSendError> => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SmsSendError);
  return error as SmsSendError;
};

describe('demo SMS gateway for notifications', () => {
  it('delivers a registered template after its latency, rendered as the carrier sends it', async () => {
    const sms = new DemoMessagingSmsProvider({ delayMs: 15 });
    const started = performance.now();
    const receipt = await sms.send(message());
    expect(performance.now() - started).toBeGreaterThanOrEqual(14);
    expect(sms.outbox).toHaveLength(1);
    expect(sms.outbox[0]).toMatchObject({ phone: '13812345678', messageId: receipt.messageId });
    expect(sms.outbox[0]!.text).toBe(
      '【通办】您的办件3299012026030200001X（食品经营许可（新办））已受理。详情请登录通办查看：/my/cases/6f1c1a52-5d0e-4d7c-9a43-0e0c4c2f7d11',
    );
    expect(renderSms('case_step', message().params)).toBe(sms.outbox[0]!.text);
    expect(sms.sentTo('13812345678')).toHaveLength(1);
  });

  it('refuses the unreachable range 170 0000 xxxx for good', async () => {
    const sms = new DemoMessagingSmsProvider({ delayMs: 0 });
    const error = await failure(sms.send(message({ phone: '17000001234', reference: 'a' })));
    expect(error).toMatchObject({ permanent: true, code: 'phone_unreachable', retryAfterMs: undefined });
    expect(await failure(sms.send(message({ phone: '17000001234', reference: 'a' })))).toMatchObject({
      permanent: true,
    });
    expect(sms.outbox).toEqual([]);
    expect(sms.attempts.map((a) => a.outcome)).toEqual(['failed', 'failed']);
  });

  it('fails the first attempt of each message to 170 0001 xxxx transiently, then delivers it', async () => {
    const sms = new DemoMessagingSmsProvider({ delayMs: 0, retryAfterMs: 250 });
    const first = await failure(sms.send(message({ phone: '17000011234', reference: 'r1' })));
    expect(first).toMatchObject({ permanent: false, code: 'gateway_busy', retryAfterMs: 250 });
    await sms.send(message({ phone: '17000011234', reference: 'r1' }));
    // Another message to the same number fails its own first attempt.
    await failure(sms.send(message({ phone: '17000011234', reference: 'r2' })));
    expect(sms.outbox).toHaveLength(1);
  });

  it('answers a resend under a delivered reference with the first receipt and sends nothing', async () => {
    const sms = new DemoMessagingSmsProvider({ delayMs: 0 });
    const first = await sms.send(message({ reference: 'same' }));
    const second = await sms.send(message({ reference: 'same' }));
    expect(second.messageId).toBe(first.messageId);
    expect(sms.outbox).toHaveLength(1);
    await sms.send(message({ reference: 'other' }));
    expect(sms.outbox).toHaveLength(2);
  });

  it('fails transiently at the configured rate', async () => {
    const draws = [0.1, 0.9, 0.29, 0.31];
    const sms = new DemoMessagingSmsProvider({ delayMs: 0, failureRate: 0.3, random: () => draws.shift()! });
    const outcomes: string[] = [];
    for (let i = 0; i < 4; i++) {
      outcomes.push(
        await sms.send(message({ reference: `n${i}` })).then(
          () => 'sent',
          (e: SmsSendError) => (e.permanent ? 'permanent' : 'transient'),
        ),
      );
    }
    expect(outcomes).toEqual(['transient', 'sent', 'transient', 'sent']);
    expect(() => new DemoMessagingSmsProvider({ failureRate: 1.5 })).toThrow(RangeError);
  });

  it('refuses what a carrier would: unknown templates, missing or overlong parameters, bad numbers', async () => {
    const sms = new DemoMessagingSmsProvider({ delayMs: 0 });
    const unknown = message({ template: 'marketing' as MessagingSms['template'] });
    expect(await failure(sms.send(unknown))).toMatchObject({ permanent: true, code: 'template_unknown' });
    const { hint: _omitted, ...withoutHint } = message().params;
    expect(await failure(sms.send(message({ params: withoutHint })))).toMatchObject({
      code: 'param_missing',
    });
    const long = { ...message().params, itemName: '很'.repeat(36) };
    expect(await failure(sms.send(message({ params: long })))).toMatchObject({ code: 'param_too_long' });
    expect(await failure(sms.send(message({ phone: '02512345678' })))).toMatchObject({
      code: 'phone_invalid',
    });
    expect(sms.outbox).toEqual([]);
  });
});
