/**
 * Bulk exchange (批量交换, issue 6 item 6): a provider uploads a batch of records of its
 * resource as CSV (with a header row) or NDJSON, with the body's SHA-256. The body is
 * streamed: rows are parsed and validated as they arrive and loaded in chunks (COPY into
 * a staging table, then one `insert ... select ... on conflict do update`), so a batch of
 * a million rows never sits in memory. Bad rows are reported with the rule they break and
 * do not block the good ones. The whole batch is one transaction: a body that does not
 * match its checksum (known only at its end) changes nothing. Each batch appends one
 * entry to the hash chain `exchange-batch:<resource>` and publishes the changed keys as
 * `exchange.records.changed` events (≤ 1,000 keys each) for the change feed.
 */
import { createHash, type Hash } from 'node:crypto';
import { StringDecoder } from 'node:string_decoder';
import { appendToChain } from '../../kernel/chain.ts';
import { copyRows } from '../../kernel/copy.ts';
import type { Database, Executor, Queryable } from '../../kernel/db.ts';
import { AppError, forbidden, notFound, textFieldError, validationError } from '../../kernel/errors.ts';
import { defineMessages, text } from '../../kernel/i18n.ts';
import { checkIdentifier } from '../../kernel/identifiers/index.ts';
import { publish } from '../../kernel/outbox.ts';
import type { Page, Paging } from '../directory/index.ts';
import { CREDIT_KINDS } from '../registries/index.ts';
import { FEED_TOPICS, type RecordsChangedEvent } from './feed.ts';

export const BATCH_FORMATS = ['csv', 'ndjson'] as const;
export type BatchFormat = (typeof BATCH_FORMATS)[number];
export const BATCH_STATUSES = ['processing', 'completed', 'rejected', 'failed'] as const;
export type BatchStatus = (typeof BATCH_STATUSES)[number];
/** The topic of the change feed (feed.ts fans it out to consumers). */
const RECORDS_CHANGED = FEED_TOPICS.changed;
/** Keys per change event, so that a consumer's webhook stays small. */
const KEYS_PER_EVENT = 1000;
const MAX_BATCH_ROWS = 1_000_000;
const DEFAULT_CHUNK_ROWS = 10_000;
const YIELD_EVERY = 500;

export interface Batch {
  id: string;
  resource: string;
  organisationId: number | null;
  uploadedBy: string;
  sha256: string;
  format: BatchFormat;
  rowsTotal: number;
  rowsGood: number;
  rowsBad: number;
  status: BatchStatus;
  failure: string | null;
  startedAt: Date;
  finishedAt: Date | null;
}

/** A refused row: its 1-based position among the data rows, the field (`*`: the whole row), the rule. */
export interface BatchRowError {
  row: number;
  field: string;
  rule: string;
  message: string;
  messageEn: string;
}

defineMessages({
  'exchange.batch.date': { zh: '应为有效日期（YYYY-MM-DD）', en: 'must be a calendar date (YYYY-MM-DD)' },
  'exchange.batch.text': { zh: '不能包含空字符', en: 'cannot contain the NUL character' },
  'exchange.batch.number': {
    zh: '应为不超过两位小数的非负金额',
    en: 'must be a non-negative amount with at most two decimals',
  },
  'exchange.batch.birthDateMismatch': {
    zh: '与公民身份号码中的出生日期不一致',
    en: 'does not match the birth date in the ID number',
  },
  'exchange.batch.sexMismatch': {
    zh: '与公民身份号码中的性别不一致',
    en: 'does not match the sex encoded in the ID number',
  },
  'exchange.batch.legalRepresentative': {
    zh: '法定代表人不在人口库中',
    en: 'the legal representative is not in the population registry',
  },
  'exchange.batch.validUntil': { zh: '不能早于认定日期', en: 'cannot be before decidedOn' },
  'exchange.batch.abnormalOperation': {
    zh: '经营异常名录仅适用于市场主体',
    en: 'abnormal_operation applies to enterprises only',
  },
  'exchange.batch.columns': {
    zh: '有{count}列，表头有{expected}列',
    en: 'has {count} columns; the header has {expected}',
  },
  'exchange.batch.json': { zh: '不是一个JSON对象', en: 'is not a JSON object' },
  'exchange.batch.header': {
    zh: '表头缺少必填列',
    en: 'the header row lacks this required column',
  },
  'exchange.batch.unknownColumn': { zh: '不是该资源的字段', en: 'is not a field of this resource' },
});

// ---- validation ------------------------------------------------------------------------

/** Why a value is refused; a class so that a validator can return either a value or this. */
class Problem {
  constructor(
    readonly rule: string,
    readonly message: string,
    readonly messageEn: string,
  ) {}
  static of(rule: string, key: string, params: Record<string, string | number> = {}): Problem {
    const { zh, en } = text(key, params);
    return new Problem(rule, zh, en);
  }
}
const REQUIRED = Problem.of('required', 'rule.required');
const NOT_TEXT = Problem.of('type', 'rule.type', { type: 'string' });
const NUL = Problem.of('pattern', 'exchange.batch.text');
const TOO_LONG = (limit: number) => Problem.of('maxLength', 'rule.maxLength', { limit });
const BAD_DATE = Problem.of('date', 'exchange.batch.date');
const BAD_PATTERN = Problem.of('pattern', 'rule.pattern');
const BAD_AMOUNT = Problem.of('type', 'exchange.batch.number');
const NOT_OBJECT = Problem.of('type', 'exchange.batch.json');

type Validator = (value: string | number | object) => unknown;

interface Column {
  /** The field name in the upload (CSV header, NDJSON property), as in the resource catalog. */
  field: string;
  /** The registry column. */
  column: string;
  /** Its type in the staging table. */
  sqlType: string;
  required: boolean;
  /** The value to store, or the Problem with it; never called with a missing value. */
  check: Validator;
}

const textOf = (max: number): Validator => {
  const tooLong = TOO_LONG(max);
  return (value) => {
    if (typeof value !== 'string') return NOT_TEXT;
    const trimmed = value.trim();
    if (trimmed === '') return REQUIRED;
    if (trimmed.length > max) return tooLong;
    if (trimmed.includes('\0')) return NUL;
    return trimmed;
  };
};

const oneOf = (values: readonly string[]): Validator => {
  const allowed = new Set(values);
  const problem = Problem.of('enum', 'rule.enum', { values: values.join(', ') });
  return (value) => (typeof value === 'string' && allowed.has(value.trim()) ? value.trim() : problem);
};

const matching = (pattern: RegExp): Validator => {
  return (value) => (typeof value === 'string' && pattern.test(value.trim()) ? value.trim() : BAD_PATTERN);
};

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
/** A calendar date YYYY-MM-DD from 1800 on (no Date objects: this runs for every row). */
const checkDate: Validator = (value) => {
  if (typeof value !== 'string') return BAD_DATE;
  const match = DATE.exec(value.trim());
  if (!match) return BAD_DATE;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  if (year < 1800 || month < 1 || month > 12 || day < 1 || day > DAYS[month - 1]!) return BAD_DATE;
  if (month === 2 && day === 29 && !(year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0))) {
    return BAD_DATE;
  }
  return match[0];
};

const identifier =
  (kind: 'residentId' | 'uscc'): Validator =>
  (value) => {
    if (typeof value !== 'string') return NOT_TEXT;
    const result = checkIdentifier(kind, value);
    return result.ok ? result.value : new Problem(result.rule, result.message, result.messageEn);
  };

const amount: Validator = (value) => {
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value.trim()) : NaN;
  if (!Number.isFinite(n) || n < 0 || n >= 1e14 || Math.round(n * 100) / 100 !== n) return BAD_AMOUNT;
  return n;
};

const jsonObject: Validator = (value) => {
  let parsed: unknown = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch {
      return NOT_OBJECT;
    }
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return NOT_OBJECT;
  const json = JSON.stringify(parsed);
  return json.includes('\\u0000') ? NUL : json;
};

const REGION = /^\d{12}$/;
const MOBILE = /^1[3-9]\d{9}$/;
const ENTERPRISE_STATUSES = ['存续', '在业', '停业', '迁出', '吊销', '注销'] as const;

/** A row's values in column order, checked against each other; may normalise them. */
type RowCheck = (values: unknown[]) => { field: string; problem: Problem } | null;

interface Spec {
  table: string;
  /** The conflict target of the upsert. */
  conflict: string;
  columns: Column[];
  /** Index of the column whose value is the change feed's key (what consumers look up by). */
  feedKey: number;
  /** Index of the column that identifies the record within a batch (duplicates: the last wins). */
  recordKey: number;
  rowCheck?: RowCheck;
  /** Refuses staged rows that the database alone can judge; returns their row numbers. */
  checkStaged?: (tx: Queryable) => Promise<{ row: number; field: string; problem: Problem }[]>;
}

const column = (
  field: string,
  columnName: string,
  sqlType: string,
  required: boolean,
  check: Validator,
): Column => ({ field, column: columnName, sqlType, required, check });

const BIRTH_MISMATCH = Problem.of('mismatch', 'exchange.batch.birthDateMismatch');
const SEX_MISMATCH = Problem.of('mismatch', 'exchange.batch.sexMismatch');
const NO_REPRESENTATIVE = Problem.of('reference', 'exchange.batch.legalRepresentative');
const VALID_UNTIL = Problem.of('date', 'exchange.batch.validUntil');
const ABNORMAL_OPERATION = Problem.of('enum', 'exchange.batch.abnormalOperation');

const SPECS: Record<string, Spec> = {
  'population.person': {
    table: 'registry_person',
    conflict: 'id_number',
    columns: [
      column('idNumber', 'id_number', 'text', true, identifier('residentId')),
      column('name', 'name', 'text', true, textOf(100)),
      column('sex', 'sex', 'text', true, oneOf(['M', 'F'])),
      column('birthDate', 'birth_date', 'date', true, checkDate),
      column('regionCode', 'region_code', 'text', true, matching(REGION)),
      column('phone', 'phone', 'text', false, matching(MOBILE)),
    ],
    feedKey: 0,
    recordKey: 0,
    // The ID number encodes birth date and sex (GB 11643): a record that disagrees is wrong somewhere.
    rowCheck(values) {
      const id = values[0] as string;
      const born = `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`;
      if (values[3] !== born) return { field: 'birthDate', problem: BIRTH_MISMATCH };
      if (values[2] !== (Number(id[16]) % 2 === 1 ? 'M' : 'F'))
        return { field: 'sex', problem: SEX_MISMATCH };
      return null;
    },
  },
  'legal_entity.enterprise': {
    table: 'registry_enterprise',
    conflict: 'uscc',
    columns: [
      column('uscc', 'uscc', 'text', true, identifier('uscc')),
      column('name', 'name', 'text', true, textOf(200)),
      column('type', 'type', 'text', true, textOf(50)),
      column('legalRepresentativeId', 'legal_representative_id', 'text', false, identifier('residentId')),
      column('legalRepresentativeName', 'legal_representative_name', 'text', true, textOf(100)),
      column('regionCode', 'region_code', 'text', true, matching(REGION)),
      column('registeredCapitalCny', 'registered_capital_cny', 'numeric', false, amount),
      column('establishedOn', 'established_on', 'date', true, checkDate),
      column('status', 'status', 'text', true, oneOf(ENTERPRISE_STATUSES)),
    ],
    feedKey: 0,
    recordKey: 0,
    // The registry refers to the population registry (a foreign key): refuse, not fail, such rows.
    async checkStaged(tx) {
      const missing = await tx.query<{ row_number: number }>(
        `delete from exchange_staging s
          where s.legal_representative_id is not null
            and not exists (select 1 from registry_person p where p.id_number = s.legal_representative_id)
          returning s.row_number`,
      );
      return missing.map((r) => ({
        row: r.row_number,
        field: 'legalRepresentativeId',
        problem: NO_REPRESENTATIVE,
      }));
    },
  },
  'credit.record': {
    table: 'registry_credit',
    conflict: 'record_key',
    columns: [
      column('recordKey', 'record_key', 'text', true, textOf(100)),
      column('subjectKind', 'subject_kind', 'text', true, oneOf(['person', 'enterprise'])),
      column('subjectKey', 'subject_key', 'text', true, textOf(18)),
      column('kind', 'kind', 'text', true, oneOf(CREDIT_KINDS)),
      column('title', 'title', 'text', true, textOf(200)),
      column('authority', 'authority', 'text', true, textOf(200)),
      column('decidedOn', 'decided_on', 'date', true, checkDate),
      column('validUntil', 'valid_until', 'date', false, checkDate),
      column('details', 'details', 'jsonb', false, jsonObject),
    ],
    feedKey: 2,
    recordKey: 0,
    rowCheck(values) {
      const kind = values[1] === 'person' ? 'residentId' : 'uscc';
      const subject = checkIdentifier(kind, values[2] as string);
      if (!subject.ok) {
        return {
          field: 'subjectKey',
          problem: new Problem(subject.rule, subject.message, subject.messageEn),
        };
      }
      values[2] = subject.value;
      if (values[3] === 'abnormal_operation' && values[1] !== 'enterprise') {
        return { field: 'kind', problem: ABNORMAL_OPERATION };
      }
      if (values[7] != null && (values[7] as string) < (values[6] as string)) {
        return { field: 'validUntil', problem: VALID_UNTIL };
      }
      values[8] ??= '{}';
      return null;
    },
  },
};

const upsertSql = (spec: Spec): string => {
  const names = spec.columns.map((c) => c.column);
  const updates = names
    .filter((name) => name !== spec.conflict)
    .map((name) => `${name} = excluded.${name}`)
    .concat('updated_at = now()');
  return `insert into ${spec.table} (${names.join(', ')})
    select ${names.join(', ')} from exchange_staging
    on conflict (${spec.conflict}) do update set ${updates.join(', ')}`;
};

// ---- reading the body --------------------------------------------------------------------

/** A row as read: values in column order (undefined: missing) or why it cannot be read. */
type RawRow = { values: (string | number | object | undefined)[] } | { problem: Problem; field: string };

async function* hashed(
  body: AsyncIterable<Buffer | string> | Iterable<Buffer | string>,
  hash: Hash,
): AsyncGenerator<Buffer> {
  for await (const chunk of body) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    hash.update(bytes);
    yield bytes;
  }
}

class CsvSyntaxError extends Error {}

/**
 * The complete CSV records (RFC 4180: quoted fields may hold commas, doubled quotes and
 * line breaks) at the start of `text`, and where the unread rest begins. Lines without a
 * quote, nearly all of them, are split at once; empty lines are skipped.
 */
export function readCsvRecords(text: string, final: boolean): { records: string[][]; rest: number } {
  const records: string[][] = [];
  let p = 0;
  let quote = text.indexOf('"'); // the next quote at or after p (-1: none left)
  while (p < text.length) {
    const newline = text.indexOf('\n', p);
    if (newline < 0 && !final) break;
    const end = newline < 0 ? text.length : newline;
    if (quote !== -1 && quote < p) quote = text.indexOf('"', p);
    if (quote < 0 || quote >= end) {
      const line = text.charCodeAt(end - 1) === 13 ? text.slice(p, end - 1) : text.slice(p, end);
      if (line !== '') records.push(line.split(','));
      p = end + 1;
      continue;
    }
    const fields: string[] = [];
    let field = '';
    let quoted = false;
    let closed = false;
    let i = p;
    let complete = false;
    while (i < text.length) {
      const c = text[i]!;
      if (quoted) {
        if (c !== '"') field += c;
        else if (i + 1 >= text.length && !final) break;
        else if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else {
          quoted = false;
          closed = true;
        }
      } else if (c === ',') {
        fields.push(field);
        field = '';
        closed = false;
      } else if (c === '\n' || (c === '\r' && text[i + 1] === '\n')) {
        i += c === '\r' ? 2 : 1;
        complete = true;
        break;
      } else if (c === '\r' && i + 1 >= text.length && !final) {
        break;
      } else if (closed || (c === '"' && field !== '')) {
        throw new CsvSyntaxError(
          `a quote in the middle of a field (record ${records.length + 1} of this part)`,
        );
      } else if (c === '"') quoted = true;
      else field += c;
      i++;
    }
    if (!complete) {
      if (!final || i < text.length) break; // the record continues in the next piece
      if (quoted) throw new CsvSyntaxError('a quoted field is not closed at the end of the file');
    }
    fields.push(field);
    records.push(fields);
    p = i;
  }
  return { records, rest: Math.min(p, text.length) };
}

async function* csvRows(source: AsyncIterable<Buffer>, spec: Spec): AsyncGenerator<RawRow> {
  const decoder = new StringDecoder('utf8');
  let positions: number[] | undefined;
  let width = 0;
  let text = '';
  let first = true;
  const rows = function* (records: string[][]): Generator<RawRow> {
    for (const record of records) {
      if (!positions) {
        positions = headerPositions(record, spec);
        width = record.length;
        continue;
      }
      if (record.length !== width) {
        yield {
          field: '*',
          problem: Problem.of('row', 'exchange.batch.columns', { count: record.length, expected: width }),
        };
        continue;
      }
      const values = new Array<string | undefined>(positions.length);
      for (let i = 0; i < positions.length; i++) {
        const at = positions[i]!;
        const value = at < 0 ? undefined : record[at];
        values[i] = value === '' ? undefined : value;
      }
      yield { values };
    }
  };
  try {
    for await (const chunk of source) {
      text += decoder.write(chunk);
      if (first && text.length > 0) {
        if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
        first = false;
      }
      const { records, rest } = readCsvRecords(text, false);
      text = text.slice(rest);
      yield* rows(records);
    }
    text += decoder.end();
    if (first && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    yield* rows(readCsvRecords(text, true).records);
  } catch (error) {
    // A file that is not CSV (a stray quote ...) is refused as a whole.
    if (error instanceof CsvSyntaxError)
      throw new AppError('bad_request', `The CSV cannot be read: ${error.message}`);
    throw error;
  }
}

/** Where each column is in the CSV header; refuses the batch for unknown or missing required columns. */
function headerPositions(header: string[], spec: Spec): number[] {
  const names = header.map((name) => name.trim());
  const errors = names
    .filter((name) => !spec.columns.some((c) => c.field === name))
    .map((name) => textFieldError(`header.${name}`, 'additionalProperties', 'exchange.batch.unknownColumn'));
  for (const c of spec.columns) {
    if (c.required && !names.includes(c.field)) {
      errors.push(textFieldError(`header.${c.field}`, 'required', 'exchange.batch.header'));
    }
  }
  if (errors.length) throw validationError(errors);
  return spec.columns.map((c) => names.indexOf(c.field));
}

async function* ndjsonRows(source: AsyncIterable<Buffer>, spec: Spec): AsyncGenerator<RawRow> {
  const decoder = new StringDecoder('utf8');
  const known = new Set(spec.columns.map((c) => c.field));
  let rest = '';
  const row = (line: string): RawRow | null => {
    if (line.trim() === '') return null;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      return { field: '*', problem: NOT_OBJECT };
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      return { field: '*', problem: NOT_OBJECT };
    }
    const object = parsed as Record<string, unknown>;
    for (const name in object) {
      if (!known.has(name)) {
        return { field: name, problem: Problem.of('additionalProperties', 'exchange.batch.unknownColumn') };
      }
    }
    const values = spec.columns.map((c) => {
      const value = object[c.field];
      return value === null || value === '' ? undefined : (value as string | number | object | undefined);
    });
    return { values };
  };
  for await (const chunk of source) {
    const lines = (rest + decoder.write(chunk)).split('\n');
    rest = lines.pop()!;
    for (const line of lines) {
      const r = row(line);
      if (r) yield r;
    }
  }
  const last = row(rest + decoder.end());
  if (last) yield last;
}

// ---- ingesting ----------------------------------------------------------------------------

export interface IngestInput {
  resource: string;
  format: BatchFormat;
  /** SHA-256 of the body as the uploader declares it (hex). */
  sha256: string;
  body: AsyncIterable<Buffer | string> | Buffer | string;
  /** Account id of the uploader. */
  uploadedBy: string;
  /** The organisations the uploader acts for; null = every one (a system administrator). */
  organisationIds: number[] | null;
}

export interface IngestOptions {
  /** Rows per COPY and upsert (default 10,000). */
  chunkRows?: number;
}

const SHA256 = /^[0-9a-fA-F]{64}$/;

/** A staged chunk: good rows (row number first) and refused ones. */
interface Chunk {
  good: Map<unknown, unknown[]>;
  errors: unknown[][];
}
const newChunk = (): Chunk => ({ good: new Map(), errors: [] });

class ChecksumMismatch extends Error {}

/**
 * Validates and upserts a batch (see the module comment). Throws 404 for an unknown
 * resource, 400 for one that cannot be loaded in batches, a malformed header or a body
 * that does not match its checksum (then nothing changed), 403 for an uploader who is not
 * of the resource's provider. Returns the finished batch.
 */
export async function ingestBatch(
  db: Database,
  input: IngestInput,
  options: IngestOptions = {},
): Promise<Batch> {
  if (!SHA256.test(input.sha256)) {
    throw validationError([textFieldError('X-Content-SHA256', 'pattern', 'rule.pattern')]);
  }
  const declared = input.sha256.toLowerCase();
  const [resource] = await db.query<{ code: string; provider_organisation_id: number | null }>(
    `select code, provider_organisation_id from exchange_resource where code = $1`,
    [input.resource],
  );
  if (!resource) throw notFound(`No resource ${input.resource}`);
  const spec = SPECS[resource.code];
  if (!spec) throw new AppError('bad_request', `Resource ${resource.code} cannot be loaded in batches`);
  const provider = resource.provider_organisation_id;
  if (input.organisationIds !== null && (provider === null || !input.organisationIds.includes(provider))) {
    throw forbidden(`Only the provider of ${resource.code} may upload its records`);
  }
  const [created] = await db.query<{ id: string }>(
    `insert into exchange_batch (resource_code, organisation_id, uploaded_by, sha256, format)
     values ($1, $2, $3, $4, $5) returning id`,
    [resource.code, provider, input.uploadedBy, declared, input.format],
  );
  const batchId = created!.id;
  const chain = `exchange-batch:${resource.code}`;
  const summary = { batchId, resource: resource.code, sha256: declared, format: input.format };
  try {
    await db.transaction(async (tx) => {
      const counts = await load(tx, spec, batchId, resource.code, input, declared, options.chunkRows);
      await tx.query(
        `update exchange_batch set status = 'completed', rows_total = $2, rows_good = $3, rows_bad = $4,
           finished_at = clock_timestamp() where id = $1`,
        [batchId, counts.total, counts.good, counts.bad],
      );
      await appendToChain(tx, chain, {
        actor: input.uploadedBy,
        action: 'exchange.batch.ingested',
        data: { ...summary, rowsTotal: counts.total, rowsGood: counts.good, rowsBad: counts.bad },
      });
    });
  } catch (error) {
    const rejected = error instanceof ChecksumMismatch || error instanceof AppError;
    const failure = rejected ? error.message : 'The batch could not be processed; nothing was changed';
    // The attempt is recorded (and chained) even though it changed nothing.
    await db.transaction(async (tx) => {
      await tx.query(
        `update exchange_batch set status = $2, failure = $3, finished_at = clock_timestamp() where id = $1`,
        [batchId, rejected ? 'rejected' : 'failed', failure],
      );
      await appendToChain(tx, chain, {
        actor: input.uploadedBy,
        action: rejected ? 'exchange.batch.rejected' : 'exchange.batch.failed',
        data: { ...summary, failure },
      });
    });
    if (error instanceof ChecksumMismatch) {
      throw new AppError('bad_request', error.message, undefined, { batchId });
    }
    if (error instanceof AppError) {
      throw new AppError(error.code, error.detail, error.errors, { ...error.extra, batchId });
    }
    throw error;
  }
  return getBatch(db, null, batchId);
}

/** Streams the body into the registry inside `tx`; parsing of a chunk overlaps the loading of the one before. */
async function load(
  tx: Executor,
  spec: Spec,
  batchId: string,
  resource: string,
  input: IngestInput,
  declared: string,
  chunkRows = DEFAULT_CHUNK_ROWS,
): Promise<{ total: number; good: number; bad: number }> {
  const staging = spec.columns.map((c) => `${c.column} ${c.sqlType}`).join(', ');
  await tx.query(`create temp table exchange_staging (row_number integer, ${staging}) on commit drop`);
  const stagingColumns = ['row_number', ...spec.columns.map((c) => c.column)];
  const upsert = upsertSql(spec);
  const refuse = (chunk: Chunk, row: number, field: string, problem: Problem) =>
    chunk.errors.push([batchId, row, field, problem.rule, problem.message, problem.messageEn]);

  const flush = async (chunk: Chunk): Promise<void> => {
    if (chunk.good.size > 0) {
      await copyRows(tx, 'exchange_staging', stagingColumns, [...chunk.good.values()]);
      const refused = spec.checkStaged ? await spec.checkStaged(tx) : [];
      await tx.query(upsert);
      await tx.query(`truncate exchange_staging`);
      const refusedRows = new Set<number>();
      for (const { row, field, problem } of refused) {
        refusedRows.add(row);
        refuse(chunk, row, field, problem);
      }
      const keys = new Set<unknown>();
      for (const values of chunk.good.values()) {
        if (!refusedRows.has(values[0] as number)) keys.add(values[spec.feedKey + 1]);
      }
      const all = [...keys] as string[];
      for (let i = 0; i < all.length; i += KEYS_PER_EVENT) {
        await publish(tx, {
          topic: RECORDS_CHANGED,
          key: resource,
          payload: {
            resource,
            batchId,
            keys: all.slice(i, i + KEYS_PER_EVENT),
          } satisfies RecordsChangedEvent,
        });
      }
    }
    if (chunk.errors.length > 0) {
      await copyRows(
        tx,
        'exchange_batch_error',
        ['batch_id', 'row_number', 'field', 'rule', 'message', 'message_en'],
        chunk.errors,
      );
    }
  };

  const hash = createHash('sha256');
  const source =
    typeof input.body === 'string' || Buffer.isBuffer(input.body) ? [Buffer.from(input.body)] : input.body;
  const bytes = hashed(source, hash);
  const rows = input.format === 'csv' ? csvRows(bytes, spec) : ndjsonRows(bytes, spec);
  const width = spec.columns.length;
  const rowCheck = spec.rowCheck;

  let chunk = newChunk();
  let rowsInChunk = 0;
  let inFlight: Promise<void> = Promise.resolve();
  const send = async (next: Chunk) => {
    await inFlight;
    inFlight = flush(next);
    inFlight.catch(() => {}); // awaited at the next send or the end; not unhandled meanwhile
  };

  let row = 0;
  try {
    for await (const raw of rows) {
      row++;
      if (row > MAX_BATCH_ROWS) {
        throw new AppError('bad_request', `A batch holds at most ${MAX_BATCH_ROWS} rows; split the upload`);
      }
      rowsInChunk++;
      // Parsing a body already in memory never waits for I/O: give the database's replies to
      // the chunk being loaded a turn now and then, so that loading overlaps parsing.
      if (rowsInChunk % YIELD_EVERY === 0) await new Promise(setImmediate);
      if ('problem' in raw) refuse(chunk, row, raw.field, raw.problem);
      else {
        const values = new Array<unknown>(width);
        let bad = false;
        for (let i = 0; i < width; i++) {
          const c = spec.columns[i]!;
          const value = raw.values[i];
          const checked = value === undefined ? (c.required ? REQUIRED : null) : c.check(value);
          if (checked instanceof Problem) {
            refuse(chunk, row, c.field, checked);
            bad = true;
          } else values[i] = checked;
        }
        const crossed = bad || !rowCheck ? null : rowCheck(values);
        if (crossed) {
          refuse(chunk, row, crossed.field, crossed.problem);
          bad = true;
        }
        // A record repeated within a chunk would be upserted twice by one statement: the last wins.
        if (!bad) chunk.good.set(values[spec.recordKey], [row, ...values]);
      }
      if (rowsInChunk >= chunkRows) {
        await send(chunk);
        chunk = newChunk();
        rowsInChunk = 0;
      }
    }
    await send(chunk);
    await inFlight;
  } catch (error) {
    // Let a chunk still loading finish before the transaction rolls back under it.
    await inFlight.catch(() => {});
    throw error;
  }

  const actual = hash.digest('hex');
  if (actual !== declared) {
    throw new ChecksumMismatch(
      `The body's SHA-256 is ${actual}, not the declared ${declared}; nothing was changed`,
    );
  }
  // Counted where every refusal ends up, those by the database (checkStaged) included.
  const [refused] = await tx.query<{ n: number }>(
    `select count(distinct row_number)::int as n from exchange_batch_error where batch_id = $1`,
    [batchId],
  );
  return { total: row, good: row - refused!.n, bad: refused!.n };
}

// ---- reading batches ----------------------------------------------------------------------

const BATCH_COLUMNS = `id, resource_code, organisation_id, uploaded_by, sha256, format, rows_total, rows_good,
  rows_bad, status, failure, started_at, finished_at`;

function toBatch(r: Record<string, unknown>): Batch {
  return {
    id: r.id as string,
    resource: r.resource_code as string,
    organisationId: r.organisation_id === null ? null : Number(r.organisation_id),
    uploadedBy: r.uploaded_by as string,
    sha256: r.sha256 as string,
    format: r.format as BatchFormat,
    rowsTotal: Number(r.rows_total),
    rowsGood: Number(r.rows_good),
    rowsBad: Number(r.rows_bad),
    status: r.status as BatchStatus,
    failure: r.failure as string | null,
    startedAt: new Date(r.started_at as string | Date),
    finishedAt: r.finished_at === null ? null : new Date(r.finished_at as string | Date),
  };
}

/** Batches of the organisations (null: all), newest first. */
export async function listBatches(
  db: Queryable,
  organisationIds: number[] | null,
  filter: Paging & { resource?: string | undefined },
): Promise<Page<Batch>> {
  const where = `($1::bigint[] is null or organisation_id = any($1)) and ($2::text is null or resource_code = $2)`;
  const params = [organisationIds, filter.resource ?? null];
  const [count] = await db.query<{ n: number }>(
    `select count(*)::int as n from exchange_batch where ${where}`,
    params,
  );
  const rows = await db.query(
    `select ${BATCH_COLUMNS} from exchange_batch where ${where}
      order by started_at desc, id limit $3 offset $4`,
    [...params, filter.size, (filter.page - 1) * filter.size],
  );
  return { items: rows.map(toBatch), total: count!.n, page: filter.page, size: filter.size };
}

/** One batch; 404 when it does not exist or belongs to another organisation. */
export async function getBatch(db: Queryable, organisationIds: number[] | null, id: string): Promise<Batch> {
  const [row] = await db.query(
    `select ${BATCH_COLUMNS} from exchange_batch where id = $1 and ($2::bigint[] is null or organisation_id = any($2))`,
    [id, organisationIds],
  );
  if (!row) throw notFound(`No batch ${id}`);
  return toBatch(row);
}

/** The refused rows of a batch, in row order. */
export async function listBatchErrors(
  db: Queryable,
  organisationIds: number[] | null,
  id: string,
  paging: Paging,
): Promise<Page<BatchRowError>> {
  const batch = await getBatch(db, organisationIds, id);
  const [count] = await db.query<{ n: number }>(
    `select count(*)::int as n from exchange_batch_error where batch_id = $1`,
    [batch.id],
  );
  const rows = await db.query<BatchRowError>(
    `select row_number as "row", field, rule, message, message_en as "messageEn"
       from exchange_batch_error where batch_id = $1
      order by row_number, field limit $2 offset $3`,
    [batch.id, paging.size, (paging.page - 1) * paging.size],
  );
  return { items: rows, total: count!.n, page: paging.page, size: paging.size };
}
