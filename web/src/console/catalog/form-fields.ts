import type { FieldSchema, FormSchema } from '../../shared/schema-form/rules.ts';
import type { CatalogKey } from './messages.ts';

/**
 * The form designer's model: an application form (JSON Schema with `x-ui` hints) seen as
 * an ordered list of fields of known kinds. Pure functions, so the designer only edits a
 * field's schema and everything it does not know (allOf rules, extra keywords) is kept.
 */

export const FIELD_KINDS = [
  'text',
  'textarea',
  'number',
  'date',
  'select',
  'radio',
  'checkbox',
  'residentId',
  'phone',
  'uscc',
] as const;
export type FieldKind = (typeof FIELD_KINDS)[number] | 'other';

export const KIND_KEYS: Record<FieldKind, CatalogKey> = {
  text: 'kindText',
  textarea: 'kindTextarea',
  number: 'kindNumber',
  date: 'kindDate',
  select: 'kindSelect',
  radio: 'kindRadio',
  checkbox: 'kindCheckbox',
  residentId: 'kindResidentId',
  phone: 'kindPhone',
  uscc: 'kindUscc',
  other: 'kindOther',
};

/** A mobile number as the server's default forms check it (src/modules/catalog/form.ts). */
export const PHONE_PATTERN = '^1[3-9]\\d{9}$';
export const FIELD_KEY = /^[A-Za-z][A-Za-z0-9]*$/;

/** The schema of a new field of `kind` (the identifier kinds are checked by the server with their check digits). */
function template(kind: Exclude<FieldKind, 'other'>): FieldSchema {
  switch (kind) {
    case 'text':
      return { type: 'string', maxLength: 200, 'x-ui': { widget: 'input' } };
    case 'textarea':
      return { type: 'string', maxLength: 2000, 'x-ui': { widget: 'textarea' } };
    case 'number':
      return { type: 'number', 'x-ui': { widget: 'number' } };
    case 'date':
      return { type: 'string', format: 'date', 'x-ui': { widget: 'date' } };
    case 'select':
    case 'radio':
      return { type: 'string', enum: ['选项一', '选项二'], 'x-ui': { widget: kind } };
    case 'checkbox':
      return { type: 'boolean', 'x-ui': { widget: 'checkbox' } };
    case 'residentId':
      return { type: 'string', maxLength: 18, 'x-ui': { widget: 'identifier', identifier: 'residentId' } };
    case 'phone':
      return { type: 'string', pattern: PHONE_PATTERN, 'x-ui': { widget: 'phone' } };
    case 'uscc':
      return { type: 'string', maxLength: 18, 'x-ui': { widget: 'identifier', identifier: 'uscc' } };
  }
}

/** The kind of an existing field; one the designer cannot edit safely is 'other' (edited as JSON). */
export function kindOf(field: FieldSchema): FieldKind {
  const ui = field['x-ui'] ?? {};
  const type = Array.isArray(field.type) ? field.type[0] : field.type;
  if (ui.widget === 'identifier')
    return ui.identifier === 'residentId' ? 'residentId' : ui.identifier === 'uscc' ? 'uscc' : 'other';
  if (ui.widget === 'phone') return 'phone';
  if (type === 'boolean') return 'checkbox';
  if (type === 'number' || type === 'integer') return 'number';
  if (type !== 'string') return 'other';
  if (field.enum) return ui.widget === 'select' ? 'select' : 'radio';
  if (ui.widget === 'date' || field.format === 'date') return 'date';
  if (ui.widget === 'textarea') return 'textarea';
  return ui.widget === undefined || ui.widget === 'input' ? 'text' : 'other';
}

export interface DesignedField {
  key: string;
  schema: FieldSchema;
  required: boolean;
}

/** The fields in display order (x-ui.order, then as written). */
export function fieldsOf(schema: FormSchema): DesignedField[] {
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties ?? {})
    .map(([key, field], index) => ({ key, field, index }))
    .sort((a, b) => (a.field['x-ui']?.order ?? a.index) - (b.field['x-ui']?.order ?? b.index))
    .map(({ key, field }) => ({ key, schema: field, required: required.has(key) }));
}

/**
 * The form with these fields, in this order: a field keeps its x-ui.order while the orders
 * still rise, and only the fields out of place get a new one (so adding a field or editing
 * one changes nothing else). `required` names the required ones (plus names that are no
 * field, which other rules may use); every other keyword of the form is kept.
 */
export function withFields(schema: FormSchema, fields: DesignedField[]): FormSchema {
  const keys = new Set(fields.map((f) => f.key));
  const properties: Record<string, FieldSchema> = {};
  let previous = 0;
  for (const f of fields) {
    const own = f.schema['x-ui']?.order;
    const order = typeof own === 'number' && own > previous ? own : previous + 10;
    properties[f.key] = { ...f.schema, 'x-ui': { ...f.schema['x-ui'], order } };
    previous = order;
  }
  const required = [
    ...fields.filter((f) => f.required).map((f) => f.key),
    ...(schema.required ?? []).filter((key) => !keys.has(key) && !(key in (schema.properties ?? {}))),
  ];
  return { ...schema, type: 'object', properties, required };
}

export function newField(key: string, kind: Exclude<FieldKind, 'other'>, title: string): DesignedField {
  const base = template(kind);
  return { key, required: false, schema: { ...base, title } };
}

/** The field as another kind: its label, help and English texts stay, the rest is the kind's. */
export function changeKind(field: FieldSchema, kind: Exclude<FieldKind, 'other'>): FieldSchema {
  const base = template(kind);
  const { title, description } = field;
  const ui = field['x-ui'] ?? {};
  return {
    ...base,
    ...(title !== undefined && { title }),
    ...(description !== undefined && { description }),
    'x-ui': {
      ...base['x-ui'],
      ...(ui.help !== undefined && { help: ui.help }),
      ...(ui.helpEn !== undefined && { helpEn: ui.helpEn }),
      ...(ui.titleEn !== undefined && { titleEn: ui.titleEn }),
    },
  };
}

/** Sets (or, with undefined or '', removes) one keyword of a field or of its x-ui hints. */
export function setKeyword(field: FieldSchema, name: string, value: unknown, ui = false): FieldSchema {
  const empty = value === undefined || value === null || value === '';
  if (ui) {
    const { [name]: _old, ...hints } = field['x-ui'] ?? {};
    return { ...field, 'x-ui': empty ? hints : { ...hints, [name]: value } };
  }
  const { [name]: _old, ...rest } = field;
  return empty ? rest : { ...rest, [name]: value };
}

/** A unique key for a new field: field1, field2 ... */
export function freeKey(schema: FormSchema): string {
  const taken = new Set(Object.keys(schema.properties ?? {}));
  let n = taken.size + 1;
  while (taken.has(`field${n}`)) n += 1;
  return `field${n}`;
}

/** Whether `pattern` is a regular expression the browser (and so ajv) accepts. */
export function validPattern(pattern: string): boolean {
  try {
    new RegExp(pattern, 'u');
    return true;
  } catch {
    return false;
  }
}
