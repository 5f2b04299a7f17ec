import { randomInt } from 'node:crypto';
import { audit } from '../../kernel/audit.ts';
import { maskPhone, sha256, timingSafeEqualString } from '../../kernel/crypto.ts';
import { AppError, textFieldError, validationError } from '../../kernel/errors.ts';
import { rateLimitKey } from '../../kernel/ratelimit.ts';
import { defineMessages } from '../../kernel/i18n.ts';
import type { IdentityContext } from './context.ts';
import { SmsDeliveryError } from './providers/sms.ts';

export const SMS_PURPOSES = ['signup', 'login', 'change_phone', 'confirm'] as const;
export type SmsPurpose = (typeof SMS_PURPOSES)[number];

const CODE_TTL_SECONDS = 300;
export const MOBILE_PHONE = /^1[3-9][0-9]{9}$/;

defineMessages({
  'identity.phone.format': {
    zh: '请输入11位中国大陆手机号码',
    en: 'must be an 11-digit mainland China mobile number',
  },
  'identity.code.invalid': { zh: '验证码不正确', en: 'the verification code is wrong' },
  'identity.code.expired': {
    zh: '验证码已失效，请重新获取',
    en: 'no valid code for this number: request a new one',
  },
});

/** Refuses anything but a mainland mobile number, naming the field. */
export function assertMobilePhone(phone: string, field = 'phone'): void {
  if (!MOBILE_PHONE.test(phone))
    throw validationError([textFieldError(field, 'format', 'identity.phone.format')]);
}

const codeHash = (phoneIndex: string, code: string) => sha256(`${phoneIndex}:${code}`);

/**
 * Sends a one-time code. The answer is the same whether or not an account uses the
 * number, so the endpoint cannot be used to find out who is registered.
 */
export async function sendSmsCode(
  ctx: IdentityContext,
  phone: string,
  purpose: SmsPurpose,
  request: { ip: string; id: string; actor?: string | undefined },
): Promise<{ expiresIn: number; resendAfter: number }> {
  assertMobilePhone(phone);
  const phoneIndex = ctx.cipher.index(phone, 'phone');
  const limits = ctx.config.rateLimits;
  await ctx.limiter.assertWithinLimit(rateLimitKey.smsResend(`${purpose}:${phoneIndex}`), {
    max: 1,
    windowSeconds: limits.smsResendSeconds,
  });
  await ctx.limiter.assertWithinLimit(rateLimitKey.smsPhone(phoneIndex), limits.smsPerPhone);
  await ctx.limiter.assertWithinLimit(rateLimitKey.smsIp(request.ip), limits.smsPerIp);

  const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
  const [row] = await ctx.db.query<{ id: number }>(
    `insert into identity_sms_code (phone_index, purpose, code_hash, expires_at)
     values ($1, $2, $3, now() + make_interval(secs => $4)) returning id`,
    [phoneIndex, purpose, codeHash(phoneIndex, code), CODE_TTL_SECONDS],
  );
  const event = {
    actor: request.actor ?? 'anonymous',
    entity: 'phone',
    entityId: maskPhone(phone),
    ip: request.ip,
    requestId: request.id,
  };
  try {
    await ctx.sms.send({ phone, template: 'verification_code', params: { code, minutes: '5' } });
  } catch (error) {
    if (!(error instanceof SmsDeliveryError)) throw error;
    await ctx.db.query('delete from identity_sms_code where id = $1', [row!.id]);
    await audit(ctx.db, {
      ...event,
      action: 'identity.sms.failed',
      after: { purpose, reason: error.message },
    });
    throw error.retryable
      ? new AppError('unavailable', 'The SMS gateway is unavailable; try again shortly')
      : new AppError('unprocessable', 'This number cannot receive SMS', [
          {
            field: 'phone',
            rule: 'reachable',
            message: '该号码无法接收短信',
            messageEn: 'this number cannot receive SMS',
          },
        ]);
  }
  await audit(ctx.db, { ...event, action: 'identity.sms.sent', after: { purpose } });
  return { expiresIn: CODE_TTL_SECONDS, resendAfter: limits.smsResendSeconds };
}

/**
 * Checks and consumes a code. Wrong guesses count per number: at the limit the code dies
 * and further checks are refused for the lockout period without being compared.
 */
export async function verifySmsCode(
  ctx: IdentityContext,
  phone: string,
  purpose: SmsPurpose,
  code: string,
  ip: string,
): Promise<void> {
  assertMobilePhone(phone);
  const phoneIndex = ctx.cipher.index(phone, 'phone');
  const lockKey = rateLimitKey.smsCode(phoneIndex);
  const ipKey = rateLimitKey.loginIp(ip);
  await ctx.limiter.assertNotLocked([lockKey, ipKey]);
  const [row] = await ctx.db.query<{ id: number; code_hash: string }>(
    `select id, code_hash from identity_sms_code
      where phone_index = $1 and purpose = $2 and consumed_at is null and expires_at > now()
        and failures < $3
      order by created_at desc, id desc limit 1`,
    [phoneIndex, purpose, ctx.config.rateLimits.smsCodeFailures.max],
  );
  const fail = async (key: 'identity.code.invalid' | 'identity.code.expired') => {
    const rule = key === 'identity.code.invalid' ? 'mismatch' : 'expired';
    await audit(ctx.db, {
      actor: 'anonymous',
      action: 'identity.sms.rejected',
      entity: 'phone',
      entityId: maskPhone(phone),
      after: { purpose, reason: rule },
      ip,
    });
    return validationError([textFieldError('code', rule, key)]);
  };
  if (!row) throw await fail('identity.code.expired');
  if (!/^[0-9]{6}$/.test(code) || !timingSafeEqualString(codeHash(phoneIndex, code), row.code_hash)) {
    await ctx.db.query('update identity_sms_code set failures = failures + 1 where id = $1', [row.id]);
    await ctx.limiter.recordFailure(lockKey, ctx.config.rateLimits.smsCodeFailures);
    await ctx.limiter.recordFailure(ipKey, ctx.config.rateLimits.loginIpFailures);
    throw await fail('identity.code.invalid');
  }
  const consumed = await ctx.db.query(
    'update identity_sms_code set consumed_at = now() where id = $1 and consumed_at is null returning id',
    [row.id],
  );
  if (consumed.length === 0) throw await fail('identity.code.expired');
  await ctx.limiter.recordSuccess(lockKey);
}
