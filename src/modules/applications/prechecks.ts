import type { Queryable } from '../../kernel/db.ts';
import { AppError, textFieldError } from '../../kernel/errors.ts';
import { checkIdentifier } from '../../kernel/identifiers/index.ts';
import { defineMessages, text } from '../../kernel/i18n.ts';
import { getEnterprise, getPerson, type Enterprise, type Person } from '../registries/index.ts';
import type { PrecheckResult } from './model.ts';
import type { Application } from './queries.ts';

/**
 * Pre-checks against the base registries before submission (also run at submission):
 * 名字与身份证号一致 (the name and ID number given match the population registry) and, for
 * an enterprise, that it is registered and active (存续 / 在业).
 */

defineMessages({
  'applications.precheck.nameMatches.ok': {
    zh: '姓名与身份证号一致',
    en: 'the name matches the ID number',
  },
  'applications.precheck.nameMatches.mismatch': {
    zh: '姓名“{name}”与身份证号在人口库中的登记不一致',
    en: 'the name "{name}" does not match the ID number in the population registry',
  },
  'applications.precheck.nameMatches.unknown': {
    zh: '人口库中没有该身份证号',
    en: 'the population registry has no resident with this ID number',
  },
  'applications.precheck.nameMatches.invalid': {
    zh: '身份证号不正确：{reason}',
    en: 'the ID number is invalid: {reasonEn}',
  },
  'applications.precheck.nameMatches.unverified': {
    zh: '申请人尚未完成实名认证',
    en: 'the applicant has no verified real name and ID number',
  },
  'applications.precheck.enterpriseActive.ok': {
    zh: '企业登记状态正常（{status}）',
    en: 'the enterprise is registered and active ({status})',
  },
  'applications.precheck.enterpriseActive.inactive': {
    zh: '企业登记状态为“{status}”，不能办理',
    en: 'the enterprise is registered as "{status}" and may not apply',
  },
  'applications.precheck.enterpriseActive.unknown': {
    zh: '法人库中没有该企业',
    en: 'the legal-entity registry has no such enterprise',
  },
  'applications.precheck.failed': {
    zh: '申请前置核验未通过：{message}',
    en: 'a pre-check failed: {messageEn}',
  },
});

/** Registration statuses of an enterprise that may apply. */
export const ACTIVE_ENTERPRISE_STATUSES: readonly string[] = ['存续', '在业'];

const result = (
  check: PrecheckResult['check'],
  ok: boolean,
  key: string,
  params: Record<string, string> = {},
): PrecheckResult => {
  const message = text(key, params);
  return { check, ok, message: message.zh, messageEn: message.en };
};

async function orNull<T>(lookup: Promise<T>): Promise<T | null> {
  try {
    return await lookup;
  } catch (error) {
    if (error instanceof AppError && error.code === 'not_found') return null;
    throw error;
  }
}

/**
 * The name/ID pairs to check: those the forms of the parts hold (applicantName with
 * idNumber), else the applicant's verified identity.
 */
function namedPersons(
  application: Pick<Application, 'parts'>,
  verified: { name: string; idNumber: string } | null,
): { name: string; idNumber: string }[] | null {
  const pairs = new Map<string, { name: string; idNumber: string }>();
  for (const part of application.parts) {
    const { applicantName: name, idNumber } = part.formData;
    if (typeof name === 'string' && name && typeof idNumber === 'string' && idNumber) {
      pairs.set(`${name}\u0000${idNumber}`, { name, idNumber });
    }
  }
  if (pairs.size > 0) return [...pairs.values()];
  return verified ? [verified] : null;
}

async function nameMatchesId(
  db: Queryable,
  pairs: { name: string; idNumber: string }[] | null,
): Promise<PrecheckResult> {
  const check = 'name_matches_id';
  if (!pairs) return result(check, false, 'applications.precheck.nameMatches.unverified');
  for (const { name, idNumber } of pairs) {
    const id = checkIdentifier('residentId', idNumber.trim().toUpperCase());
    if (!id.ok) {
      return result(check, false, 'applications.precheck.nameMatches.invalid', {
        reason: id.message,
        reasonEn: id.messageEn,
      });
    }
    const person: Person | null = await orNull(getPerson(db, id.value));
    if (!person) return result(check, false, 'applications.precheck.nameMatches.unknown');
    if (person.name !== name.trim()) {
      return result(check, false, 'applications.precheck.nameMatches.mismatch', { name });
    }
  }
  return result(check, true, 'applications.precheck.nameMatches.ok');
}

async function enterpriseActive(db: Queryable, uscc: string): Promise<PrecheckResult> {
  const check = 'enterprise_active';
  const enterprise: Enterprise | null = await orNull(getEnterprise(db, uscc));
  if (!enterprise) return result(check, false, 'applications.precheck.enterpriseActive.unknown');
  const ok = ACTIVE_ENTERPRISE_STATUSES.includes(enterprise.status);
  return result(
    check,
    ok,
    ok ? 'applications.precheck.enterpriseActive.ok' : 'applications.precheck.enterpriseActive.inactive',
    { status: enterprise.status },
  );
}

/** The pre-checks that apply to the application, in a fixed order. */
export async function runPrechecks(
  db: Queryable,
  application: Pick<Application, 'parts' | 'enterprise'>,
  verified: { name: string; idNumber: string } | null,
): Promise<PrecheckResult[]> {
  const results = [await nameMatchesId(db, namedPersons(application, verified))];
  if (application.enterprise) results.push(await enterpriseActive(db, application.enterprise.uscc));
  return results;
}

/** Refuses a submission whose pre-checks failed: 422 naming each failed check. */
export function assertPrechecksPass(results: PrecheckResult[]): void {
  const failed = results.filter((r) => !r.ok);
  if (failed.length === 0) return;
  throw new AppError(
    'unprocessable',
    failed.map((f) => `Pre-check ${f.check} failed: ${f.messageEn}`).join('; '),
    failed.map((f) =>
      textFieldError(`prechecks.${f.check}`, 'precheck', 'applications.precheck.failed', {
        message: f.message,
        messageEn: f.messageEn,
      }),
    ),
    { prechecks: results },
  );
}
