import { api, data } from '../../api/client.ts';
import type { Locale } from '../../i18n/index.tsx';
import { validateAgainstSchema, type FormErrors, type FormSchema, type FormValue } from './rules.ts';

/**
 * Identifier check digits (resident ID, credit code ...) with the server's own rules:
 * GET /api/v1/identifiers/{kind}/{value}, the same check form-data.ts runs on save.
 */

interface IdentifierAnswer {
  valid: boolean;
  message?: string;
  messageEn?: string;
}

/**
 * The identifier fields (`x-ui.identifier`) of `value` whose check digits or structure the
 * server refuses, with its explanation. Fields that already break a schema rule, or are
 * empty, are not asked about. A failed call is no verdict: the server checks again on save.
 */
export async function validateIdentifiers(
  schema: FormSchema,
  value: FormValue,
  options: { locale?: Locale; only?: string } = {},
): Promise<FormErrors> {
  const errors: FormErrors = {};
  const checks = Object.entries(schema.properties ?? {})
    .filter(([name]) => options.only === undefined || options.only === name)
    .map(async ([name, field]) => {
      const kind = field['x-ui']?.identifier;
      const raw = value[name];
      if (!kind || typeof raw !== 'string' || raw.trim() === '' || raw.length > 128) return;
      try {
        const answer = await data<IdentifierAnswer>(
          api.GET('/api/v1/identifiers/{kind}/{value}', {
            params: { path: { kind: kind as 'residentId', value: raw } },
          }),
        );
        if (!answer.valid) errors[name] = (options.locale === 'en' ? answer.messageEn : answer.message) ?? '';
      } catch {
        // Unknown kind or no network: the server's own check on save decides.
      }
    });
  await Promise.all(checks);
  return errors;
}

/** Schema rules and identifier checks together: what to run before saving for real or submitting. */
export async function validateForm(
  schema: FormSchema,
  value: FormValue,
  options: { locale?: Locale; partial?: boolean } = {},
): Promise<FormErrors> {
  const errors = validateAgainstSchema(schema, value, options);
  const identifiers = await validateIdentifiers(schema, value, { locale: options.locale });
  for (const [field, message] of Object.entries(identifiers)) errors[field] ??= message;
  return errors;
}
