import { maskIdNumber, maskName, maskUscc } from '../../kernel/crypto.ts';
import type { Database, Executor, Queryable } from '../../kernel/db.ts';
import { checkIdentifier, type IdentifierRule } from '../../kernel/identifiers/index.ts';

/**
 * Data-quality reports (数据质量报告) on the base registries: identifiers whose check
 * digits are wrong (the tables check only their shape), duplicate records, records
 * nobody has updated for a long time, and how complete each field is. Counting is done
 * in SQL; only the check digits need JavaScript, read in keyset pages so that memory
 * stays bounded whatever the size of the registry.
 */
export const QUALITY_RESOURCES = ['population', 'legal_entity', 'credit'] as const;
export type QualityResource = (typeof QUALITY_RESOURCES)[number];

export interface QualityOptions {
  /** A record not updated for longer is stale; 365 by default. */
  staleAfterDays?: number;
  /** How many examples each finding lists at most; 10 by default. */
  sampleSize?: number;
  /** Rows per page of the identifier scan; 10,000 by default (smaller in tests, to cross pages). */
  pageSize?: number;
}

export interface InvalidIdentifierSample {
  /** Masked. */
  key: string;
  rule: IdentifierRule;
  messageEn: string;
}

export interface DuplicateSample {
  /** The values the records share; names of residents and their ID numbers masked. */
  values: Record<string, string>;
  count: number;
  /** Keys of the first records of the group (ID numbers and credit codes masked, credit record ids). */
  keys: string[];
}

export interface StaleSample {
  key: string;
  updatedAt: string;
}

export interface FieldCompleteness {
  field: string;
  /** Rows with a value that is neither null nor blank (nor an empty JSON object). */
  filled: number;
  /** filled / totalRows; null for an empty registry. */
  share: number | null;
}

export interface QualityReport {
  resource: QualityResource;
  generatedAt: string;
  totalRows: number;
  invalidIdentifiers: {
    count: number;
    byRule: Partial<Record<IdentifierRule, number>>;
    samples: InvalidIdentifierSample[];
  };
  duplicates: {
    /** What makes two records duplicates of each other (field names). */
    on: string[];
    groups: number;
    /** Records in those groups, the first of each included. */
    rows: number;
    samples: DuplicateSample[];
  };
  stale: { staleAfterDays: number; updatedBefore: string; count: number; samples: StaleSample[] };
  completeness: FieldCompleteness[];
}

type IdentifierKind = 'residentId' | 'uscc';
type FieldType = 'text' | 'value' | 'json';

interface ResourceSpec {
  table: string;
  /** Primary key the identifier scan pages by, and where it starts. */
  pageBy: { column: string; start: string | number };
  /** The identifier checked, and which kind of identifier it is (an SQL expression). */
  identifier: { column: string; kind: string };
  /** SQL expression naming a record in samples; masked by `maskKey` with the row's identifier kind. */
  key: string;
  duplicateOn: { field: string; column: string; mask?: (value: string, kind: IdentifierKind) => string }[];
  fields: { field: string; column: string; type: FieldType }[];
}

type Row = Record<string, unknown>;

/** The fields whose completeness is counted, with how; each one's column is its name in snake_case. */
const fieldsOf = (types: Record<string, FieldType>): ResourceSpec['fields'] =>
  Object.entries(types).map(([field, type]) => ({
    field,
    column: field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`),
    type,
  }));

const maskKey = (value: string, kind: IdentifierKind) =>
  kind === 'residentId' ? maskIdNumber(value) : maskUscc(value);

const SPECS: Record<QualityResource, ResourceSpec> = {
  population: {
    table: 'registry_person',
    pageBy: { column: 'id_number', start: '' },
    identifier: { column: 'id_number', kind: `'residentId'` },
    key: 'id_number',
    duplicateOn: [
      { field: 'name', column: 'name', mask: maskName },
      { field: 'birthDate', column: 'birth_date' },
      { field: 'regionCode', column: 'region_code' },
    ],
    fields: fieldsOf({
      idNumber: 'text',
      name: 'text',
      sex: 'text',
      birthDate: 'value',
      regionCode: 'text',
      phone: 'text',
    }),
  },
  legal_entity: {
    table: 'registry_enterprise',
    pageBy: { column: 'uscc', start: '' },
    identifier: { column: 'uscc', kind: `'uscc'` },
    key: 'uscc',
    // Registered names are public (企业信用信息公示), so they are not masked.
    duplicateOn: [{ field: 'name', column: 'name' }],
    fields: fieldsOf({
      uscc: 'text',
      name: 'text',
      type: 'text',
      legalRepresentativeId: 'text',
      legalRepresentativeName: 'text',
      regionCode: 'text',
      registeredCapitalCny: 'value',
      establishedOn: 'value',
      status: 'text',
    }),
  },
  credit: {
    table: 'registry_credit',
    pageBy: { column: 'id', start: 0 },
    identifier: {
      column: 'subject_key',
      kind: `case subject_kind when 'person' then 'residentId' else 'uscc' end`,
    },
    key: 'id::text',
    duplicateOn: [
      {
        field: 'subjectKey',
        column: 'subject_key',
        mask: maskKey,
      },
      { field: 'kind', column: 'kind' },
      { field: 'title', column: 'title' },
      { field: 'decidedOn', column: 'decided_on' },
    ],
    fields: fieldsOf({
      subjectKind: 'text',
      subjectKey: 'text',
      kind: 'text',
      title: 'text',
      authority: 'text',
      decidedOn: 'value',
      validUntil: 'value',
      details: 'json',
    }),
  },
};

/** Keyset pages of the identifier scan: bounded memory, and each page an index range scan. */
const DEFAULT_PAGE_SIZE = 10_000;
/** Keys listed per duplicate group. */
const GROUP_KEYS = 5;
const DAY = 86_400_000;

const filledCondition = (column: string, type: FieldType) =>
  type === 'text'
    ? `nullif(btrim(${column}), '') is not null`
    : type === 'json'
      ? `${column} is not null and ${column} <> '{}'::jsonb`
      : `${column} is not null`;

const isDatabase = (db: Queryable): db is Database => 'transaction' in db;

/**
 * The quality report on one registry. Given the database, it reads in one read-only
 * repeatable-read transaction so that its counts agree with each other while the
 * registry keeps changing; given a transaction, it reads in that one.
 */
export async function qualityReport(
  db: Queryable,
  resource: QualityResource,
  options: QualityOptions = {},
): Promise<QualityReport> {
  const staleAfterDays = options.staleAfterDays ?? 365;
  const sampleSize = options.sampleSize ?? 10;
  const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(staleAfterDays) || staleAfterDays < 0) {
    throw new RangeError('staleAfterDays must be a non-negative integer');
  }
  if (!Number.isInteger(sampleSize) || sampleSize < 0) {
    throw new RangeError('sampleSize must be a non-negative integer');
  }
  if (!Number.isInteger(pageSize) || pageSize < 1)
    throw new RangeError('pageSize must be a positive integer');
  const run = (q: Queryable) =>
    report(q, resource, SPECS[resource], { staleAfterDays, sampleSize, pageSize });
  if (!isDatabase(db)) return run(db);
  return db.transaction(async (tx: Executor) => {
    await tx.query('set transaction isolation level repeatable read, read only');
    return run(tx);
  });
}

async function report(
  db: Queryable,
  resource: QualityResource,
  spec: ResourceSpec,
  { staleAfterDays, sampleSize, pageSize }: Required<QualityOptions>,
): Promise<QualityReport> {
  const generatedAt = new Date();
  const updatedBefore = new Date(generatedAt.getTime() - staleAfterDays * DAY);
  const { totalRows, completeness } = await fieldCompleteness(db, spec);
  return {
    resource,
    generatedAt: generatedAt.toISOString(),
    totalRows,
    invalidIdentifiers: await invalidIdentifiers(db, spec, sampleSize, pageSize),
    duplicates: await duplicates(db, spec, sampleSize),
    stale: {
      staleAfterDays,
      updatedBefore: updatedBefore.toISOString(),
      ...(await staleRecords(db, spec, updatedBefore, sampleSize)),
    },
    completeness,
  };
}

/** Row count and every field's fill rate in one pass over the table. */
async function fieldCompleteness(
  db: Queryable,
  spec: ResourceSpec,
): Promise<{ totalRows: number; completeness: FieldCompleteness[] }> {
  const counts = spec.fields
    .map((f, i) => `count(*) filter (where ${filledCondition(f.column, f.type)})::int as f${i}`)
    .join(', ');
  const [row] = await db.query<Record<string, number>>(
    `select count(*)::int as total, ${counts} from ${spec.table}`,
  );
  const totalRows = row!.total!;
  return {
    totalRows,
    completeness: spec.fields.map((f, i) => {
      const filled = row![`f${i}`]!;
      return { field: f.field, filled, share: totalRows === 0 ? null : filled / totalRows };
    }),
  };
}

async function invalidIdentifiers(
  db: Queryable,
  spec: ResourceSpec,
  sampleSize: number,
  pageSize: number,
): Promise<QualityReport['invalidIdentifiers']> {
  const found: QualityReport['invalidIdentifiers'] = { count: 0, byRule: {}, samples: [] };
  let after: string | number = spec.pageBy.start;
  for (;;) {
    const rows = await db.query<{ page: string | number; key: string; id_kind: IdentifierKind }>(
      `select ${spec.pageBy.column} as page, ${spec.identifier.column} as key, ${spec.identifier.kind} as id_kind
         from ${spec.table} where ${spec.pageBy.column} > $1 order by ${spec.pageBy.column} limit $2`,
      [after, pageSize],
    );
    for (const row of rows) {
      const check = checkIdentifier(row.id_kind, row.key);
      if (check.ok) continue;
      found.count++;
      found.byRule[check.rule] = (found.byRule[check.rule] ?? 0) + 1;
      if (found.samples.length < sampleSize) {
        found.samples.push({
          key: maskKey(row.key, row.id_kind),
          rule: check.rule,
          messageEn: check.messageEn,
        });
      }
    }
    if (rows.length < pageSize) return found;
    after = rows[rows.length - 1]!.page;
  }
}

async function duplicates(
  db: Queryable,
  spec: ResourceSpec,
  sampleSize: number,
): Promise<QualityReport['duplicates']> {
  const groupBy = spec.duplicateOn.map((d) => d.column).join(', ');
  const [totals] = await db.query<{ groups: number; rows: number }>(
    `select count(*)::int as groups, coalesce(sum(n), 0)::int as rows
       from (select count(*) as n from ${spec.table} group by ${groupBy} having count(*) > 1) d`,
  );
  // The identifier kind of the group's first row tells how to mask its keys.
  const groups = await db.query<Row & { n: number; keys: string[]; id_kind: IdentifierKind }>(
    `select ${groupBy}, count(*)::int as n, min(${spec.identifier.kind}) as id_kind,
            (array_agg(${spec.key} order by ${spec.pageBy.column}))[1:${GROUP_KEYS}] as keys
       from ${spec.table} group by ${groupBy} having count(*) > 1
      order by n desc, ${groupBy} limit $1`,
    [sampleSize],
  );
  return {
    on: spec.duplicateOn.map((d) => d.field),
    groups: totals!.groups,
    rows: totals!.rows,
    samples: groups.map((g) => ({
      values: Object.fromEntries(
        spec.duplicateOn.map((d) => {
          const value = String(g[d.column]);
          return [d.field, d.mask ? d.mask(value, g.id_kind) : value];
        }),
      ),
      count: g.n,
      keys: spec.key === spec.identifier.column ? g.keys.map((k) => maskKey(k, g.id_kind)) : g.keys,
    })),
  };
}

async function staleRecords(
  db: Queryable,
  spec: ResourceSpec,
  updatedBefore: Date,
  sampleSize: number,
): Promise<{ count: number; samples: StaleSample[] }> {
  const [total] = await db.query<{ n: number }>(
    `select count(*)::int as n from ${spec.table} where updated_at < $1`,
    [updatedBefore.toISOString()],
  );
  const oldest = await db.query<{ key: string; id_kind: IdentifierKind; updated_at: Date }>(
    `select ${spec.key} as key, ${spec.identifier.kind} as id_kind, updated_at from ${spec.table}
      where updated_at < $1 order by updated_at, ${spec.pageBy.column} limit $2`,
    [updatedBefore.toISOString(), sampleSize],
  );
  return {
    count: total!.n,
    samples: oldest.map((r) => ({
      key: spec.key === spec.identifier.column ? maskKey(r.key, r.id_kind) : r.key,
      updatedAt: new Date(r.updated_at).toISOString(),
    })),
  };
}
