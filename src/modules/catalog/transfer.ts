import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';
import type { Actor } from '../../kernel/audit.ts';
import type { Database } from '../../kernel/db.ts';
import { AppError, validationError, type FieldError } from '../../kernel/errors.ts';
import { defineMessages, text } from '../../kernel/i18n.ts';
import { BASIC_CODE } from './codes.ts';
import {
  ALL_LIFE_EVENTS,
  AUDIENCES,
  HANDLING_TYPES,
  ITEM_TYPES,
  ONLINE_DEPTHS,
  SUB_SITUATIONS,
  TYPE_CODES,
  type Audience,
  type HandlingType,
  ItemElements as ItemElementsSchema,
  type ItemElements,
  type Material,
  type TypeCode,
} from './model.ts';
import { findItem, findItemVersion, listPublishedItemVersions, type ItemVersion } from './queries.ts';
import { createItem, publishItem, saveItemDraft } from './service.ts';
import { checkItemElements } from './validate.ts';

/**
 * Import and export of the catalog as CSV or XLSX, in the column layout of
 * shared/data/items.csv (plus an optional leading `code`). A bad row is reported with
 * its row number, column and rule; the good rows are imported all the same.
 */

export const COLUMNS = [
  'code',
  'name',
  'sub_situation',
  'type_code',
  'type_name',
  'department',
  'audience',
  'handling_type',
  'legal_limit_days',
  'promised_limit_days',
  'visits',
  'online_depth',
  'fee',
  'materials',
  'legal_basis',
  'result_licence',
  'life_event',
  'keywords',
] as const;
type Column = (typeof COLUMNS)[number];
const REQUIRED_COLUMNS: Column[] = [
  'name',
  'type_code',
  'department',
  'audience',
  'handling_type',
  'online_depth',
];

/** Which column an element comes from, to report semantic errors against the file. */
const COLUMN_OF: Record<string, Column> = {
  name: 'name',
  subSituation: 'sub_situation',
  typeCode: 'type_code',
  department: 'department',
  audience: 'audience',
  handlingType: 'handling_type',
  legalLimitDays: 'legal_limit_days',
  promisedLimitDays: 'promised_limit_days',
  visits: 'visits',
  onlineDepth: 'online_depth',
  fee: 'fee',
  materials: 'materials',
  legalBasis: 'legal_basis',
  resultLicence: 'result_licence',
  lifeEvents: 'life_event',
  keywords: 'keywords',
};

defineMessages({
  'import.required': { zh: '必填', en: 'is required' },
  'import.length': { zh: '长度应为{min}至{max}个字符', en: 'must be {min} to {max} characters' },
  'import.oneOf': {
    zh: '取值应为以下之一：{values}（实际为“{value}”）',
    en: 'must be one of: {values} (got "{value}")',
  },
  'import.integer': {
    zh: '应为{min}至{max}之间的整数（实际为“{value}”）',
    en: 'must be a whole number from {min} to {max} (got "{value}")',
  },
  'import.typeName': {
    zh: '事项类型名称与编码{code}（{name}）不符',
    en: 'the type name does not match type code {code} ({name})',
  },
  'import.material': {
    zh: '材料“{value}”应写成“名称[自备]”或“名称[可共享]”，可加“容缺”',
    en: 'material "{value}" must read "name[自备]" or "name[可共享]", optionally with 容缺',
  },
  'import.code': {
    zh: '基本编码应为6至20位数字或大写字母',
    en: 'a basic code is 6 to 20 digits or capital letters',
  },
  'import.conflict': { zh: '与现有事项冲突：{reason}', en: 'conflicts with an existing item: {reason}' },
  'import.columns': { zh: '缺少必需的列：{columns}', en: 'required columns are missing: {columns}' },
  'import.file': { zh: '文件无法解析：{reason}', en: 'the file cannot be read: {reason}' },
});

export interface RowError extends FieldError {
  row: number;
  column: string;
}

export interface ImportReport {
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
  errors: RowError[];
  /** Codes of the items created or updated. */
  codes: string[];
}

export type FileFormat = 'csv' | 'xlsx';

/** Reads a CSV or XLSX file into records keyed by column name, with their 1-based row number. */
export async function readRecords(
  data: Buffer,
  format: FileFormat,
): Promise<{ row: number; record: Record<string, string> }[]> {
  let table: string[][];
  try {
    table =
      format === 'csv'
        ? parse(data, { bom: true, relax_column_count: true, skip_empty_lines: true })
        : await readXlsx(data);
  } catch (error) {
    throw fileError(String((error as Error).message).slice(0, 200));
  }
  const [header, ...rows] = table;
  if (!header) throw fileError('empty file');
  const names = header.map((h) => String(h).trim());
  const missing = REQUIRED_COLUMNS.filter((c) => !names.includes(c));
  if (missing.length > 0) {
    const t = text('import.columns', { columns: missing.join(', ') });
    throw validationError([{ field: 'file', rule: 'columns', message: t.zh, messageEn: t.en }]);
  }
  return rows.map((cells, i) => ({
    row: i + 2,
    record: Object.fromEntries(names.map((name, j) => [name, String(cells[j] ?? '').trim()])),
  }));
}

function fileError(reason: string): AppError {
  const t = text('import.file', { reason });
  return validationError([{ field: 'file', rule: 'format', message: t.zh, messageEn: t.en }]);
}

async function readXlsx(data: Buffer): Promise<string[][]> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(data as unknown as ArrayBuffer);
  const sheet = workbook.worksheets[0];
  if (!sheet) return [];
  const rows: string[][] = [];
  sheet.eachRow({ includeEmpty: false }, (row) => {
    const values = row.values as unknown[];
    rows.push(values.slice(1).map((v) => cellText(v)));
  });
  return rows;
}

function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') {
    const v = value as { text?: string; richText?: { text: string }[]; result?: unknown };
    if (v.richText) return v.richText.map((r) => r.text).join('');
    if (v.text !== undefined) return v.text;
    if (v.result !== undefined) return String(v.result);
  }
  return String(value);
}

const split = (value: string, separators = /[;；]/) =>
  value
    .split(separators)
    .map((s) => s.trim())
    .filter(Boolean);

const ROMAN: Record<string, string> = { Ⅰ: 'I', Ⅱ: 'II', Ⅲ: 'III', Ⅳ: 'IV' };

/** Turns one record into item elements, or the list of what is wrong with it. */
export function recordToElements(
  record: Record<string, string>,
  row: number,
): { elements?: ItemElements; code?: string; errors: RowError[] } {
  const errors: RowError[] = [];
  const fail = (column: Column, rule: string, key: string, params: Record<string, string | number> = {}) => {
    const t = text(key, params);
    errors.push({ row, column, field: column, rule, message: t.zh, messageEn: t.en });
  };
  const get = (c: Column) => record[c] ?? '';
  const oneOf = <T extends string>(
    column: Column,
    value: string,
    allowed: Record<string, T>,
  ): T | undefined => {
    if (value in allowed) return allowed[value];
    fail(column, 'enum', 'import.oneOf', { values: Object.keys(allowed).join('、'), value });
    return undefined;
  };
  const integer = (column: Column, min: number, max: number, fallback?: number): number => {
    const raw = get(column);
    if (raw === '' && fallback !== undefined) return fallback;
    const n = Number(raw);
    if (raw === '' || !Number.isInteger(n) || n < min || n > max) {
      fail(column, 'integer', 'import.integer', { min, max, value: raw });
      return 0;
    }
    return n;
  };

  const code = get('code') || undefined;
  if (code !== undefined && !BASIC_CODE.test(code)) fail('code', 'pattern', 'import.code');
  const name = get('name');
  if (!name) fail('name', 'required', 'import.required');
  else if (name.length < 2 || name.length > 100)
    fail('name', 'length', 'import.length', { min: 2, max: 100 });
  const situationRaw = get('sub_situation');
  const subSituation = situationRaw
    ? oneOf('sub_situation', situationRaw, Object.fromEntries(SUB_SITUATIONS.map((s) => [s, s])))
    : null;
  const typeCode = oneOf(
    'type_code',
    get('type_code'),
    Object.fromEntries(TYPE_CODES.map((c) => [c, c])) as Record<string, TypeCode>,
  );
  const typeName = get('type_name');
  if (typeCode && typeName && typeName !== ITEM_TYPES[typeCode]) {
    fail('type_name', 'typeName', 'import.typeName', { code: typeCode, name: ITEM_TYPES[typeCode] });
  }
  const department = get('department');
  if (!department) fail('department', 'required', 'import.required');
  const audienceByLabel = Object.fromEntries(Object.entries(AUDIENCES).map(([k, v]) => [v, k])) as Record<
    string,
    Audience
  >;
  const audience = split(get('audience'), /[,，、;；]/).map((a) => oneOf('audience', a, audienceByLabel));
  if (audience.length === 0) fail('audience', 'required', 'import.required');
  const handlingByLabel = Object.fromEntries(
    Object.entries(HANDLING_TYPES).map(([k, v]) => [v, k]),
  ) as Record<string, HandlingType>;
  const handlingType = oneOf('handling_type', get('handling_type'), handlingByLabel);
  const legalLimitDays = integer('legal_limit_days', 0, 3650, 0);
  const promisedLimitDays = integer('promised_limit_days', 0, 3650, 0);
  const visits = integer('visits', 0, 9, 1);
  const depthRaw = get('online_depth').toUpperCase();
  const onlineDepth = oneOf(
    'online_depth',
    ROMAN[depthRaw] ?? depthRaw,
    Object.fromEntries(ONLINE_DEPTHS.map((d) => [d, d])),
  );
  const feeRaw = get('fee');
  const fee = !feeRaw || feeRaw === '不收费' ? { charged: false } : { charged: true, standard: feeRaw };
  const materials: Material[] = [];
  for (const part of split(get('materials'))) {
    const match = /^(.+?)\s*[[【]([^\]】]+)[\]】]$/.exec(part);
    const tags = match ? split(match[2]!, /[,，、\s]+/) : [];
    const source = tags.includes('可共享') ? 'government' : tags.includes('自备') ? 'applicant' : undefined;
    if (!match || !source) {
      fail('materials', 'material', 'import.material', { value: part });
      continue;
    }
    materials.push({
      name: match[1]!.trim(),
      source,
      form: 'either',
      copies: 1,
      required: true,
      tolerated: tags.includes('容缺'),
    });
  }
  const lifeEvents = split(get('life_event'), /[,，、;；]/);
  for (const event of lifeEvents) {
    if (!ALL_LIFE_EVENTS.includes(event))
      fail('life_event', 'enum', 'import.oneOf', { values: ALL_LIFE_EVENTS.join('、'), value: event });
  }
  if (errors.length > 0 || !typeCode || !handlingType || !onlineDepth || audience.some((a) => !a))
    return { errors };
  const elements: ItemElements = {
    name,
    subSituation: subSituation ?? null,
    typeCode,
    department,
    legalBasis: split(get('legal_basis')).map((title) => ({ title })),
    audience: audience as Audience[],
    handlingType,
    legalLimitDays,
    promisedLimitDays,
    visits,
    onlineDepth,
    fee,
    materials,
    process: [],
    specialProcedures: [],
    resultLicence: get('result_licence') || null,
    lifeEvents,
    keywords: split(get('keywords')),
  };
  for (const e of checkItemElements(elements)) {
    const column = COLUMN_OF[e.field.split(/[.[]/)[0]!] ?? 'name';
    errors.push({ ...e, row, column });
  }
  return errors.length > 0 ? { errors } : { elements, ...(code !== undefined && { code }), errors };
}

/** The elements an import compares to decide whether a row changes an item (keys sorted: jsonb reorders them); spreadsheets carry no form or workflow. */
const IMPORTED_ELEMENTS = Object.keys(ItemElementsSchema.properties).filter(
  (k) => !['formSchema', 'process', 'specialProcedures', 'workflow'].includes(k),
);
function comparable(e: ItemElements): string {
  const rest = Object.fromEntries(IMPORTED_ELEMENTS.map((k) => [k, e[k as keyof ItemElements]]));
  const canonical = (value: unknown): unknown =>
    Array.isArray(value)
      ? value.map(canonical)
      : value && typeof value === 'object'
        ? Object.fromEntries(
            Object.entries(value)
              .filter(([, v]) => v !== undefined)
              .sort(([a], [b]) => (a < b ? -1 : 1))
              .map(([k, v]) => [k, canonical(v)]),
          )
        : value;
  return JSON.stringify(canonical(rest));
}

/**
 * Imports records: a row whose code (or, without code, name and situation) is known
 * updates that item with a new version when anything differs; others create items.
 * With `publish`, versions are published at once (the importer acts as reviewer).
 */
export async function importCatalog(
  db: Database,
  data: Buffer,
  format: FileFormat,
  actor: Actor,
  options: { publish: boolean } = { publish: true },
): Promise<ImportReport> {
  const records = await readRecords(data, format);
  const report: ImportReport = {
    rows: records.length,
    created: 0,
    updated: 0,
    unchanged: 0,
    errors: [],
    codes: [],
  };
  for (const { row, record } of records) {
    const parsed = recordToElements(record, row);
    if (!parsed.elements) {
      report.errors.push(...parsed.errors);
      continue;
    }
    try {
      const existing = await findExisting(db, parsed.elements, parsed.code);
      if (existing && comparable(existing) === comparable(parsed.elements)) {
        report.unchanged++;
        continue;
      }
      const elements = existing
        ? { ...existing, ...parsed.elements, formSchema: existing.formSchema }
        : parsed.elements;
      const saved = existing
        ? await saveItemDraft(db, existing.code, elements, actor)
        : await createItem(db, elements, actor, parsed.code !== undefined ? { code: parsed.code } : {});
      if (options.publish) await publishItem(db, saved.code, actor);
      report[existing ? 'updated' : 'created']++;
      report.codes.push(saved.code);
    } catch (error) {
      if (!(error instanceof AppError) || error.status >= 500) throw error;
      const fieldErrors = error.errors ?? [];
      if (fieldErrors.length === 0) {
        const t = text('import.conflict', { reason: error.detail ?? error.message });
        report.errors.push({
          row,
          column: 'name',
          field: 'name',
          rule: error.code,
          message: t.zh,
          messageEn: t.en,
        });
      }
      for (const e of fieldErrors)
        report.errors.push({ ...e, row, column: COLUMN_OF[e.field.split(/[.[]/)[0]!] ?? 'name' });
    }
  }
  return report;
}

/** The item a row refers to: by code, else by name and situation; its current published or open version. */
async function findExisting(db: Database, e: ItemElements, code?: string): Promise<ItemVersion | undefined> {
  let itemId: number | undefined;
  if (code !== undefined) itemId = (await findItem(db, code))?.id;
  else {
    const [row] = await db.query<{ item_id: number }>(
      `select item_id from catalog_item_version where name = $1 and coalesce(sub_situation, '') = coalesce($2, '')
        and status in ('draft', 'in_review', 'published') order by version desc limit 1`,
      [e.name, e.subSituation],
    );
    itemId = row?.item_id;
  }
  if (itemId === undefined) return undefined;
  return (await findItemVersion(db, itemId, 'open')) ?? (await findItemVersion(db, itemId, 'published'));
}

function elementsToRecord(v: ItemVersion): Record<Column, string | number> {
  return {
    code: v.code,
    name: v.name,
    sub_situation: v.subSituation ?? '',
    type_code: v.typeCode,
    type_name: ITEM_TYPES[v.typeCode],
    department: v.department,
    audience: v.audience.map((a) => AUDIENCES[a]).join(','),
    handling_type: HANDLING_TYPES[v.handlingType],
    legal_limit_days: v.legalLimitDays,
    promised_limit_days: v.promisedLimitDays,
    visits: v.visits,
    online_depth: v.onlineDepth,
    fee: v.fee.charged ? (v.fee.standard ?? '收费') : '不收费',
    materials: v.materials
      .map((m) => `${m.name}[${m.source === 'government' ? '可共享' : '自备'}${m.tolerated ? '、容缺' : ''}]`)
      .join(';'),
    legal_basis: v.legalBasis.map((b) => b.title).join(';'),
    result_licence: v.resultLicence ?? '',
    life_event: v.lifeEvents.join(';'),
    keywords: v.keywords.join(';'),
  };
}

/** Exports every published basic item, ordered by code. */
export async function exportCatalog(db: Database, format: FileFormat): Promise<Buffer> {
  const records = (await listPublishedItemVersions(db)).map(elementsToRecord);
  if (format === 'csv')
    return Buffer.from(stringify(records, { header: true, columns: [...COLUMNS], bom: true }));
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('事项目录');
  sheet.columns = COLUMNS.map((c) => ({ header: c, key: c, width: c === 'materials' ? 60 : 16 }));
  sheet.addRows(records);
  sheet.getRow(1).font = { bold: true };
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
