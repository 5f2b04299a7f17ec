import { fullFormats } from 'ajv-formats/dist/formats.js';
import { format, type Locale } from '../../i18n/messages.ts';
import { ruleTexts } from './rule-texts.ts';

/**
 * Client-side validation of application form data against an item's JSON Schema with the
 * server's rules (src/modules/applications/form-data.ts: ajv, draft 2020-12, all errors,
 * ajv-formats), named by field path and explained with the server's wording
 * (src/kernel/i18n.ts `rule.*`). The page cannot run ajv itself: ajv generates code, and
 * the page's content security policy forbids eval. So this is a small interpreter of the
 * keywords forms use (type, enum, const, required, properties, additionalProperties,
 * string length, pattern, format, number limits, multipleOf, items, item counts,
 * uniqueItems, allOf, anyOf, oneOf, not, if/then/else), reporting errors as ajv does; the
 * formats are ajv-formats' own. A keyword it does not know is left to the server.
 * src/modules/applications/form-data.test.ts checks that both sides agree on many values.
 * Pure (no React, no browser). Identifier check digits (`x-ui.identifier`) are the
 * server's: `validateIdentifiers` (validate.ts) asks for them.
 */

/** One property of a form: JSON Schema keywords plus `x-ui` hints for the page. */
export interface FieldSchema {
  type?: string | string[];
  title?: string;
  description?: string;
  enum?: unknown[];
  const?: unknown;
  pattern?: string;
  format?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  items?: FieldSchema;
  default?: unknown;
  'x-ui'?: FieldUi;
  [keyword: string]: unknown;
}

/** Hints for the page; none of them changes what is valid. */
export interface FieldUi {
  /** input, textarea, radio, select, checkbox, number, date, phone, identifier (default: from the type). */
  widget?: string;
  /** Fields are shown in ascending order (default: the order of `properties`). */
  order?: number;
  /** A line of help under the field. */
  help?: string;
  helpEn?: string;
  /** The English label (the label is `title`). */
  titleEn?: string;
  /** Labels of the `enum` values, in the same order (default: the values themselves). */
  enumNames?: string[];
  enumNamesEn?: string[];
  /** residentId, uscc, orgCode ...: the server also checks the identifier's check digits. */
  identifier?: string;
  /** Shown but not editable (e.g. filled from the verified identity). */
  readOnly?: boolean;
  [hint: string]: unknown;
}

/** An item's application form (catalog element `formSchema`). */
export interface FormSchema {
  type?: string;
  title?: string;
  properties?: Record<string, FieldSchema>;
  required?: string[];
  allOf?: unknown[];
  additionalProperties?: boolean;
  [keyword: string]: unknown;
}

export type FormValue = Record<string, unknown>;
/** Messages by field path (`phone`, `children[0].name`); `form` for the form as a whole. */
export type FormErrors = Record<string, string>;

/** One failed keyword, shaped as ajv reports it (instancePath, keyword, params). */
interface SchemaError {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
}

const isObject = (node: unknown): node is Record<string, unknown> =>
  node !== null && typeof node === 'object' && !Array.isArray(node);

const TYPE_CHECKS: Record<string, (value: unknown) => boolean> = {
  string: (v) => typeof v === 'string',
  number: (v) => typeof v === 'number',
  integer: (v) => typeof v === 'number' && Number.isInteger(v),
  boolean: (v) => typeof v === 'boolean',
  null: (v) => v === null,
  array: Array.isArray,
  object: isObject,
};

const equal = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** Lengths count code points, as ajv's ucs2length does (an emoji is one character). */
const length = (text: string) => [...text].length;

function formatOk(name: string, value: string): boolean {
  const known = (fullFormats as Record<string, unknown>)[name];
  if (known instanceof RegExp) return known.test(value);
  if (typeof known === 'function') return Boolean((known as (v: string) => boolean)(value));
  if (isObject(known) && typeof known.validate === 'function')
    return Boolean((known.validate as (v: string) => boolean)(value));
  if (isObject(known) && known.validate instanceof RegExp) return known.validate.test(value);
  return true;
}

const patterns = new Map<string, RegExp>();
function matches(pattern: string, value: string): boolean {
  let regex = patterns.get(pattern);
  if (!regex) {
    regex = new RegExp(pattern, 'u');
    patterns.set(pattern, regex);
  }
  return regex.test(value);
}

/** The errors of `value` against `schema` at `path`, in ajv's order: type, the keywords of the value's type, then the rest. */
function check(schema: unknown, value: unknown, path: string, out: SchemaError[]): void {
  const fail = (keyword: string, params: Record<string, unknown> = {}, at = path) =>
    out.push({ instancePath: at, keyword, params });
  if (schema === false) return void fail('false schema');
  if (!isObject(schema)) return;
  const s = schema;

  if (s.type !== undefined) {
    const types = Array.isArray(s.type) ? (s.type as string[]) : [String(s.type)];
    if (!types.some((type) => TYPE_CHECKS[type]?.(value))) fail('type', { type: types.join(',') });
  }

  if (typeof value === 'number') {
    if (typeof s.maximum === 'number' && !(value <= s.maximum))
      fail('maximum', { comparison: '<=', limit: s.maximum });
    if (typeof s.minimum === 'number' && !(value >= s.minimum))
      fail('minimum', { comparison: '>=', limit: s.minimum });
    if (typeof s.exclusiveMaximum === 'number' && !(value < s.exclusiveMaximum))
      fail('exclusiveMaximum', { comparison: '<', limit: s.exclusiveMaximum });
    if (typeof s.exclusiveMinimum === 'number' && !(value > s.exclusiveMinimum))
      fail('exclusiveMinimum', { comparison: '>', limit: s.exclusiveMinimum });
    if (typeof s.multipleOf === 'number' && !Number.isInteger(value / s.multipleOf))
      fail('multipleOf', { multipleOf: s.multipleOf });
  }

  if (typeof value === 'string') {
    if (typeof s.maxLength === 'number' && length(value) > s.maxLength)
      fail('maxLength', { limit: s.maxLength });
    if (typeof s.minLength === 'number' && length(value) < s.minLength)
      fail('minLength', { limit: s.minLength });
    if (typeof s.pattern === 'string' && !matches(s.pattern, value)) fail('pattern', { pattern: s.pattern });
    if (typeof s.format === 'string' && !formatOk(s.format, value)) fail('format', { format: s.format });
  }

  if (Array.isArray(value)) {
    if (typeof s.maxItems === 'number' && value.length > s.maxItems) fail('maxItems', { limit: s.maxItems });
    if (typeof s.minItems === 'number' && value.length < s.minItems) fail('minItems', { limit: s.minItems });
    if (
      s.uniqueItems === true &&
      value.some((item, i) => value.findIndex((other) => equal(other, item)) !== i)
    )
      fail('uniqueItems');
    if (s.items !== undefined) value.forEach((item, i) => check(s.items, item, `${path}/${i}`, out));
  }

  if (isObject(value)) {
    for (const name of Array.isArray(s.required) ? (s.required as string[]) : [])
      if (!(name in value)) fail('required', { missingProperty: name });
    const properties = isObject(s.properties) ? s.properties : {};
    for (const [name, item] of Object.entries(value)) {
      const at = `${path}/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`;
      if (name in properties) check(properties[name], item, at, out);
      else if (s.additionalProperties === false) fail('additionalProperties', { additionalProperty: name });
      else if (isObject(s.additionalProperties)) check(s.additionalProperties, item, at, out);
    }
  }

  if ('const' in s && !equal(value, s.const)) fail('const', { allowedValue: s.const });
  if (Array.isArray(s.enum) && !s.enum.some((option) => equal(option, value)))
    fail('enum', { allowedValues: s.enum });
  if (s.not !== undefined && errorsOf(s.not, value).length === 0) fail('not');
  if (Array.isArray(s.allOf)) for (const part of s.allOf) check(part, value, path, out);
  if (Array.isArray(s.anyOf) && !s.anyOf.some((part) => errorsOf(part, value).length === 0)) {
    // ajv lists every branch's errors, then anyOf's own.
    for (const part of s.anyOf) check(part, value, path, out);
    fail('anyOf');
  }
  if (Array.isArray(s.oneOf)) {
    const passing = s.oneOf.filter((part) => errorsOf(part, value).length === 0).length;
    if (passing !== 1) {
      if (passing === 0) for (const part of s.oneOf) check(part, value, path, out);
      fail('oneOf');
    }
  }
  if (s.if !== undefined) {
    const branch = errorsOf(s.if, value).length === 0 ? s.then : s.else;
    if (branch !== undefined) {
      const before = out.length;
      check(branch, value, path, out);
      if (out.length > before) fail('if', { failingKeyword: branch === s.then ? 'then' : 'else' });
    }
  }
}

function errorsOf(schema: unknown, value: unknown): SchemaError[] {
  const out: SchemaError[] = [];
  check(schema, value, '', out);
  return out;
}

/** Why the schema cannot be used, or undefined when it can (a pattern that is no regular expression ...). */
export function schemaProblem(schema: FormSchema): string | undefined {
  try {
    for (const field of Object.values(schema.properties ?? {}))
      if (isObject(field) && typeof field.pattern === 'string') new RegExp(field.pattern, 'u');
    errorsOf(schema, {});
    return undefined;
  } catch (error) {
    return (error instanceof Error ? error.message : String(error)).slice(0, 200);
  }
}

/** `/a/0/b` → `a[0].b`, as the server names fields. */
const fieldPath = (pointer: string) =>
  pointer
    .replace(/^\//, '')
    .replace(/\//g, '.')
    .replace(/\.(\d+)(?=\.|$)/g, '[$1]');

/** The field and message of one error, as the server's fieldErrorFrom (src/kernel/http.ts) makes them. */
function fieldError(error: SchemaError, locale: Locale): { field: string; message: string } {
  const params = error.params;
  const texts = ruleTexts[locale];
  let field = fieldPath(error.instancePath);
  let message: string;
  switch (error.keyword) {
    case 'required':
      field = field ? `${field}.${String(params.missingProperty)}` : String(params.missingProperty);
      message = texts.required;
      break;
    case 'additionalProperties':
      field = field ? `${field}.${String(params.additionalProperty)}` : String(params.additionalProperty);
      message = texts.additionalProperties;
      break;
    case 'minLength':
    case 'maxLength':
    case 'minimum':
    case 'maximum':
    case 'minItems':
    case 'maxItems':
      message = format(texts[error.keyword], { limit: String(params.limit) });
      break;
    case 'type':
      message = format(texts.type, { type: String(params.type) });
      break;
    case 'format':
      message = format(texts.format, { format: String(params.format) });
      break;
    case 'pattern':
      message = texts.pattern;
      break;
    case 'enum':
    case 'const':
    case 'anyOf': {
      const values = (params.allowedValues as unknown[] | undefined) ?? [];
      message = values.length ? format(texts.enum, { values: values.join(', ') }) : texts.invalid;
      break;
    }
    default:
      message = texts.invalid;
  }
  return { field: field || 'form', message };
}

/**
 * The errors of `value` against `schema` by field, first error of each field; `{}` means
 * valid. `partial` (a draft) leaves required fields alone but checks what is filled in.
 */
export function validateAgainstSchema(
  schema: FormSchema,
  value: FormValue,
  options: { locale?: Locale; partial?: boolean } = {},
): FormErrors {
  const locale = options.locale ?? 'zh-CN';
  if (schemaProblem(schema)) return { form: ruleTexts[locale].invalid };
  const errors: FormErrors = {};
  for (const error of errorsOf(schema, value)) {
    // `if` only reports that a `then`/`else` failed; the failing keyword is reported itself.
    if (error.keyword === 'if' || (options.partial && error.keyword === 'required')) continue;
    const { field, message } = fieldError(error, locale);
    errors[field] ??= message;
  }
  return errors;
}

/**
 * The fields required for `value` as it stands: `required` plus those of the `allOf`
 * conditions (`if`/`then`/`else`) that apply, so the page marks the right ones.
 */
export function requiredFields(schema: FormSchema, value: FormValue): Set<string> {
  const required = new Set(schema.required ?? []);
  for (const rule of schema.allOf ?? []) {
    if (!rule || typeof rule !== 'object') continue;
    const { if: condition, then, else: otherwise } = rule as Record<string, unknown>;
    if (!condition || typeof condition !== 'object') continue;
    const branch = errorsOf(condition, value).length === 0 ? then : otherwise;
    const names = (branch as { required?: unknown } | undefined)?.required;
    if (Array.isArray(names)) for (const name of names) if (typeof name === 'string') required.add(name);
  }
  return required;
}
