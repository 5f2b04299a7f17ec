import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import formats from 'ajv-formats';
import type { FastifySchemaValidationError } from 'fastify/types/schema.js';
import type { FieldError } from '../../kernel/errors.ts';
import { fieldErrorFrom } from '../../kernel/http.ts';
import { checkIdentifier, IDENTIFIER_KINDS, type IdentifierKind } from '../../kernel/identifiers/index.ts';

/**
 * Server-side validation of application form data against the item version's JSON Schema
 * (the portal validates with the same schema, so both sides agree). Errors name the field
 * as `form.<path>` with the rule, in Chinese and English. Fields marked
 * `x-ui.identifier` (residentId, uscc ...) are also checked with their check digits.
 */

// The portal validates with the same options (web/src/shared/schema-form/rules.ts): keep them in step.
const ajv = new Ajv2020({ allErrors: true, strict: false });
// ajv-formats is CommonJS: its plugin is the default export's `default` under Node and bundlers alike.
formats.default(ajv);
const compiled = new WeakMap<object, ValidateFunction>();

interface FormProperty {
  'x-ui'?: { identifier?: string };
  [keyword: string]: unknown;
}
export interface FormSchemaLike {
  properties?: Record<string, FormProperty | boolean>;
  [keyword: string]: unknown;
}

const isIdentifierKind = (kind: unknown): kind is IdentifierKind =>
  typeof kind === 'string' && (IDENTIFIER_KINDS as string[]).includes(kind);

/**
 * The field errors of `data`; none means valid. A draft (`partial`) may leave required
 * fields empty, but what it holds must already be right.
 */
export function validateFormData(
  schema: FormSchemaLike,
  data: unknown,
  options: { partial?: boolean } = {},
): FieldError[] {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
    compiled.set(schema, validate);
  }
  const errors: FieldError[] = [];
  if (!validate(data)) {
    for (const error of validate.errors ?? []) {
      // `if` only reports that a `then`/`else` failed; the failing keyword is reported itself.
      if (error.keyword === 'if' || (options.partial && error.keyword === 'required')) continue;
      const fieldError = fieldErrorFrom(error as FastifySchemaValidationError);
      errors.push({
        ...fieldError,
        field: fieldError.field === 'body' ? 'form' : `form.${fieldError.field}`,
      });
    }
  }
  if (data && typeof data === 'object') {
    for (const [key, property] of Object.entries(schema.properties ?? {})) {
      const kind = typeof property === 'object' ? property['x-ui']?.identifier : undefined;
      const value = (data as Record<string, unknown>)[key];
      const field = `form.${key}`;
      if (!isIdentifierKind(kind) || typeof value !== 'string' || value === '') continue;
      if (errors.some((e) => e.field === field)) continue;
      const result = checkIdentifier(kind, value);
      if (!result.ok)
        errors.push({ field, rule: result.rule, message: result.message, messageEn: result.messageEn });
    }
  }
  return errors;
}
