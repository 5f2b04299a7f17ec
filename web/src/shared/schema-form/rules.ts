import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import formats from 'ajv-formats';
import { format, type Locale } from '../../i18n/messages.ts';
import { ruleTexts } from './rule-texts.ts';

/**
 * Client-side validation of application form data against an item's JSON Schema, with
 * the same rules as the server (src/modules/applications/form-data.ts): ajv's draft
 * 2020-12 validator with the server's options (allErrors, strict: false, ajv-formats),
 * errors named by field path and explained with the server's wording (src/kernel/i18n.ts
 * `rule.*`). Pure (no React, no browser), so the server's tests check that both sides
 * agree (src/modules/applications/form-data.test.ts). Check digits of identifier fields
 * (`x-ui.identifier`) are asked of the server by `validateIdentifiers` (validate.ts).
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

// The server's options (form-data.ts); the logger is quiet so a browser console stays clean.
const ajv = new Ajv2020({ allErrors: true, strict: false, logger: false });
formats.default(ajv);
const compiled = new WeakMap<object, ValidateFunction | Error>();

function compile(schema: object): ValidateFunction | Error {
  let validate = compiled.get(schema);
  if (!validate) {
    try {
      validate = ajv.compile(schema);
    } catch (error) {
      // A schema being designed may be broken for a moment; the form says so instead of failing.
      validate = error instanceof Error ? error : new Error(String(error));
    }
    compiled.set(schema, validate);
  }
  return validate;
}

/** Why the schema cannot be used, or undefined when it compiles. */
export function schemaProblem(schema: FormSchema): string | undefined {
  const validate = compile(schema);
  return validate instanceof Error ? validate.message.slice(0, 200) : undefined;
}

/** The field path and message of one ajv error, as the server's fieldErrorFrom (src/kernel/http.ts) makes them. */
function fieldError(error: ErrorObject, locale: Locale): { field: string; message: string } {
  const params = error.params as Record<string, unknown>;
  const texts = ruleTexts[locale];
  let field = error.instancePath
    .replace(/^\//, '')
    .replace(/\//g, '.')
    .replace(/\.(\d+)(?=\.|$)/g, '[$1]');
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
  const validate = compile(schema);
  if (validate instanceof Error) return { form: ruleTexts[locale].invalid };
  const errors: FormErrors = {};
  if (!validate(value)) {
    for (const error of validate.errors ?? []) {
      // `if` only reports that a `then`/`else` failed; the failing keyword is reported itself.
      if (error.keyword === 'if' || (options.partial && error.keyword === 'required')) continue;
      const { field, message } = fieldError(error, locale);
      errors[field] ??= message;
    }
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
    const validate = condition && typeof condition === 'object' ? compile(condition) : undefined;
    if (!validate || validate instanceof Error) continue;
    const branch = validate(value) ? then : otherwise;
    const names = (branch as { required?: unknown } | undefined)?.required;
    if (Array.isArray(names)) for (const name of names) if (typeof name === 'string') required.add(name);
  }
  return required;
}
