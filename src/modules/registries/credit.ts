import { jurisdictionClause, type Principal } from '../../kernel/auth.ts';
import { maskIdNumber } from '../../kernel/crypto.ts';
import type { Queryable } from '../../kernel/db.ts';
import { notFound, validationError } from '../../kernel/errors.ts';
import { checkIdentifier } from '../../kernel/identifiers/index.ts';

/**
 * The credit registry (信用库): public credit records on residents and market entities,
 * both honours (守信激励) and dishonesty (失信惩戒). Rows are parsed into these shapes here.
 */
export const CREDIT_KINDS = [
  'honour',
  'dishonest_debtor',
  'administrative_penalty',
  'abnormal_operation',
  'serious_violation',
] as const;
export type CreditKind = (typeof CREDIT_KINDS)[number];

/** The glossary names of the kinds, as the issuing bodies publish them. */
export const CREDIT_KIND_NAMES = {
  honour: '守信激励',
  dishonest_debtor: '失信被执行人',
  administrative_penalty: '行政处罚',
  abnormal_operation: '经营异常名录',
  serious_violation: '严重违法失信',
} as const satisfies Record<CreditKind, string>;

export type CreditSubjectKind = 'person' | 'enterprise';

export interface CreditRecord {
  id: number;
  subjectKind: CreditSubjectKind;
  /** Resident ID number or unified social credit code. */
  subjectKey: string;
  kind: CreditKind;
  title: string;
  /** Name of the issuing body. */
  authority: string;
  decidedOn: string;
  validUntil: string | null;
  /** Kind-specific: caseNumber, decisionNumber, amountCny, basis, ... */
  details: Record<string, unknown>;
}

/** A new record, as demo data and bulk loads insert it. */
export type NewCreditRecord = Omit<CreditRecord, 'id'>;

/** The credit records on one subject, newest decision first. */
export interface CreditRecordList {
  subject: {
    kind: CreditSubjectKind;
    key: string;
    /** As registered in the population or market-entity registry; null for a subject neither holds. */
    name: string | null;
  };
  records: CreditRecord[];
}

type Row = Record<string, unknown>;

const CREDIT_COLUMNS = `id, subject_kind, subject_key, kind, title, authority, decided_on, valid_until, details`;

function toCreditRecord(r: Row): CreditRecord {
  return {
    id: Number(r.id),
    subjectKind: r.subject_kind as CreditSubjectKind,
    subjectKey: r.subject_key as string,
    kind: r.kind as CreditKind,
    title: r.title as string,
    authority: r.authority as string,
    decidedOn: r.decided_on as string,
    validUntil: r.valid_until as string | null,
    details: r.details as Record<string, unknown>,
  };
}

/**
 * Which subject a key names: a valid ID number is a person, a valid credit code an
 * enterprise (an all-digit credit code can look like an ID number, so both are tried).
 * Otherwise a 400 naming the rule broken by the identifier the key most resembles.
 */
export function creditSubject(key: string): { kind: CreditSubjectKind; key: string } {
  const person = checkIdentifier('residentId', key);
  if (person.ok) return { kind: 'person', key: person.value };
  const enterprise = checkIdentifier('uscc', key);
  if (enterprise.ok) return { kind: 'enterprise', key: enterprise.value };
  // The one that failed only at its last step (the check digit) is the better explanation.
  const looksLikeIdNumber =
    person.rule === 'checkDigit' || (enterprise.rule !== 'checkDigit' && /^\d{17}[\dX]$/i.test(key.trim()));
  const { rule, message, messageEn } = looksLikeIdNumber ? person : enterprise;
  throw validationError([{ field: 'key', rule, message, messageEn }]);
}

async function findCreditRecords(db: Queryable, subjectKey: string): Promise<CreditRecord[]> {
  const rows = await db.query(
    `select ${CREDIT_COLUMNS} from registry_credit where subject_key = $1 order by decided_on desc, id desc`,
    [subjectKey],
  );
  return rows.map(toCreditRecord);
}

/** The registered name and region of a subject, or null when its registry does not hold it. */
async function findSubject(
  db: Queryable,
  subject: { kind: CreditSubjectKind; key: string },
): Promise<{ name: string; regionCode: string } | null> {
  const rows = await db.query<{ name: string; regionCode: string }>(
    subject.kind === 'person'
      ? `select name, region_code as "regionCode" from registry_person where id_number = $1`
      : `select name, region_code as "regionCode" from registry_enterprise where uscc = $1`,
    [subject.key],
  );
  return rows[0] ?? null;
}

/**
 * The credit records on a subject by ID number or credit code, unrestricted and unmasked:
 * for the platform's own use (data exchange, verification), never for a response as is.
 * The key is validated first (400); an empty list is an answer (no records), not an error.
 */
export async function getCreditRecords(db: Queryable, key: string): Promise<CreditRecordList> {
  const subject = creditSubject(key);
  const registered = await findSubject(db, subject);
  const records = await findCreditRecords(db, subject.key);
  return { subject: { ...subject, name: registered?.name ?? null }, records };
}

/**
 * The region the jurisdiction rule judges a subject by: its registry record's region, or
 * for a subject no registry holds, the county its identifier carries (a staff member
 * of that county or above sees it; one of a street does not).
 */
const regionOfUnregistered = (subject: { kind: CreditSubjectKind; key: string }) =>
  (subject.kind === 'person' ? subject.key.slice(0, 6) : subject.key.slice(2, 8)).padEnd(12, '0');

async function inJurisdiction(db: Queryable, principal: Principal, regionCode: string): Promise<boolean> {
  const params: unknown[] = [regionCode];
  const rows = await db.query(
    `select 1 from (select $1::text as region_code) s
      where ${jurisdictionClause(principal, { region: 's.region_code' }, params)}`,
    params,
  );
  return rows.length > 0;
}

/**
 * The credit records on a subject as a staff member may read them: only when the subject
 * lies in their jurisdiction (outside it is the same 404 as an unknown subject), a
 * resident's ID number masked unless they hold pii.read_full. A registered subject
 * without records is an empty list; an unregistered one without records is a 404.
 */
export async function readCreditRecords(
  db: Queryable,
  principal: Principal,
  key: string,
): Promise<CreditRecordList> {
  const subject = creditSubject(key);
  const registered = await findSubject(db, subject);
  const region = registered?.regionCode ?? regionOfUnregistered(subject);
  const records = (await inJurisdiction(db, principal, region))
    ? await findCreditRecords(db, subject.key)
    : null;
  if (records === null || (registered === null && records.length === 0)) {
    throw notFound('No credit records on this subject in your jurisdiction');
  }
  const list = { subject: { ...subject, name: registered?.name ?? null }, records };
  if (subject.kind === 'enterprise' || principal.permissions.has('pii.read_full')) return list;
  const masked = maskIdNumber(subject.key);
  return {
    subject: { ...list.subject, key: masked },
    records: records.map((r) => ({ ...r, subjectKey: masked })),
  };
}

/**
 * Inserts many records in one statement. A record equal to one already held (same
 * subject, kind, title and decision date) is skipped, so the demo seed can run twice;
 * genuine duplicates from other sources are the quality report's business.
 */
export async function insertCreditRecords(db: Queryable, records: NewCreditRecord[]): Promise<void> {
  await db.query(
    `insert into registry_credit (subject_kind, subject_key, kind, title, authority, decided_on, valid_until, details)
     select n.* from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::date[], $7::date[],
                            $8::jsonb[]) as n(subject_kind, subject_key, kind, title, authority, decided_on,
                                              valid_until, details)
      where not exists (select 1 from registry_credit c
                         where c.subject_key = n.subject_key and c.kind = n.kind and c.title = n.title
                           and c.decided_on = n.decided_on)`,
    [
      records.map((r) => r.subjectKind),
      records.map((r) => r.subjectKey),
      records.map((r) => r.kind),
      records.map((r) => r.title),
      records.map((r) => r.authority),
      records.map((r) => r.decidedOn),
      records.map((r) => r.validUntil),
      records.map((r) => JSON.stringify(r.details)),
    ],
  );
}

export async function countCreditRecords(db: Queryable): Promise<number> {
  const [row] = await db.query<{ n: number }>(`select count(*)::int as n from registry_credit`);
  return row!.n;
}
