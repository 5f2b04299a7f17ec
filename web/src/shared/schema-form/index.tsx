import { Alert, Checkbox, Form, Input, InputNumber, Radio, Select } from 'antd';
import { useCallback, useId, useMemo, useState, type ReactNode } from 'react';
import { useLocale, useT } from '../../i18n/index.tsx';
import { formTexts } from './messages.ts';
import {
  requiredFields,
  schemaProblem,
  validateAgainstSchema,
  type FieldSchema,
  type FormErrors,
  type FormSchema,
  type FormValue,
} from './rules.ts';
import { validateIdentifiers } from './validate.ts';

/**
 * SchemaForm: an antd form drawn from a service item's application JSON Schema (the
 * catalog's `formSchema`, draft 2020-12 with `x-ui` hints), used by the portal's apply
 * flow and the console's form designer preview. Keep this API stable:
 *
 *   <SchemaForm schema={schema} value={value} onChange={setValue} errors={errors} disabled />
 *
 * - `value` is the form data (field name → value); `onChange` gets the whole new object.
 *   Emptied fields are removed rather than kept as '' (as the server expects).
 * - The form checks a field when it loses focus (schema rules, and the identifier check
 *   digits through the server) and shows the message beside it; `errors` (field → message,
 *   e.g. from `validateAgainstSchema` before submitting, or a server 400's field errors)
 *   are shown too and win over the form's own.
 * - Before saving or submitting call `validateAgainstSchema(schema, value, { locale,
 *   partial })` → `{ field: message }` (`{}` = valid; `partial` skips required, for drafts),
 *   or `validateForm(...)` to include the identifier check digits.
 * - Widgets come from `x-ui.widget` (input, textarea, radio, select, checkbox, number,
 *   date, phone, identifier) or else from the type; labels from `title` (`x-ui.titleEn` in
 *   English), help from `x-ui.help`/`helpEn`, option labels from `x-ui.enumNames`/`enumNamesEn`.
 */
export interface SchemaFormProps {
  schema: FormSchema;
  value: FormValue;
  onChange(next: FormValue): void;
  errors?: FormErrors;
  disabled?: boolean;
}

export {
  requiredFields,
  schemaProblem,
  validateAgainstSchema,
  type FieldSchema,
  type FieldUi,
  type FormErrors,
  type FormSchema,
  type FormValue,
} from './rules.ts';
export { validateForm, validateIdentifiers } from './validate.ts';

/** The properties in display order (`x-ui.order`, then as written). */
export function orderedFields(schema: FormSchema): [string, FieldSchema][] {
  return Object.entries(schema.properties ?? {})
    .map((entry, index) => ({ entry, index }))
    .sort((a, b) => (a.entry[1]['x-ui']?.order ?? a.index) - (b.entry[1]['x-ui']?.order ?? b.index))
    .map(({ entry }) => entry);
}

export function SchemaForm({ schema, value, onChange, errors = {}, disabled = false }: SchemaFormProps) {
  const { locale } = useLocale();
  const t = useT(formTexts);
  const formId = useId();
  const [ownErrors, setOwnErrors] = useState<FormErrors>({});
  const problem = useMemo(() => schemaProblem(schema), [schema]);
  const required = useMemo(() => requiredFields(schema, value), [schema, value]);
  const fields = useMemo(() => orderedFields(schema), [schema]);

  const set = useCallback(
    (name: string, next: unknown) => {
      const copy = { ...value };
      if (next === undefined || next === null || next === '' || (Array.isArray(next) && next.length === 0))
        delete copy[name];
      else copy[name] = next;
      // A corrected field stops showing its old message at once.
      setOwnErrors(({ [name]: _fixed, ...rest }) => rest);
      onChange(copy);
    },
    [value, onChange],
  );

  const check = useCallback(
    async (name: string) => {
      const found = validateAgainstSchema(schema, value, { locale, partial: true });
      let message = found[name];
      if (!message) message = (await validateIdentifiers(schema, value, { locale, only: name }))[name];
      setOwnErrors((current) => {
        const { [name]: _old, ...rest } = current;
        return message ? { ...rest, [name]: message } : rest;
      });
    },
    [schema, value, locale],
  );

  if (problem) return <Alert type="warning" showIcon message={t('schemaBroken', { reason: problem })} />;

  return (
    <Form layout="vertical" component="div" disabled={disabled}>
      {fields.map(([name, field]) => {
        const id = `${formId}-${name}`;
        const message = errors[name] ?? ownErrors[name];
        const ui = field['x-ui'] ?? {};
        const help = locale === 'en' ? (ui.helpEn ?? ui.help) : ui.help;
        return (
          <Form.Item
            key={name}
            label={
              <span>{locale === 'en' ? (ui.titleEn ?? field.title ?? name) : (field.title ?? name)}</span>
            }
            htmlFor={id}
            required={required.has(name)}
            validateStatus={message ? 'error' : undefined}
            help={message ? readable(message, locale) : undefined}
            extra={help}
          >
            <FieldInput
              id={id}
              field={field}
              value={value[name]}
              invalid={Boolean(message)}
              readOnly={Boolean(ui.readOnly)}
              onChange={(next) => set(name, next)}
              onBlur={() => void check(name)}
              optionLabel={(option, index) => optionLabel(field, option, index, locale, t)}
              placeholder={t('selectPlaceholder')}
              yes={t('yes')}
            />
          </Form.Item>
        );
      })}
    </Form>
  );
}

/** The server's English rule texts follow a field name ("is required"); beside a field they need a subject. */
function readable(message: string, locale: string): string {
  return locale === 'en' && /^[a-z]/.test(message) ? `This field ${message}` : message;
}

function optionLabel(
  field: FieldSchema,
  option: unknown,
  index: number,
  locale: string,
  t: (key: 'natural_person' | 'legal_person') => string,
): string {
  const ui = field['x-ui'] ?? {};
  const names = locale === 'en' ? (ui.enumNamesEn ?? ui.enumNames) : ui.enumNames;
  if (names?.[index]) return names[index];
  if (option === 'natural_person' || option === 'legal_person') return t(option);
  return String(option);
}

interface FieldInputProps {
  id: string;
  field: FieldSchema;
  value: unknown;
  invalid: boolean;
  readOnly: boolean;
  onChange(next: unknown): void;
  onBlur(): void;
  optionLabel(option: unknown, index: number): string;
  placeholder: string;
  yes: string;
}

const typeOf = (field: FieldSchema) => (Array.isArray(field.type) ? field.type[0] : field.type);

/** The widget `x-ui.widget` names, or the natural one for the field's type. */
function widgetOf(field: FieldSchema): string {
  const widget = field['x-ui']?.widget;
  if (widget) return widget;
  const type = typeOf(field);
  if (field.enum) return field.enum.length <= 4 ? 'radio' : 'select';
  if (type === 'boolean') return 'checkbox';
  if (type === 'integer' || type === 'number') return 'number';
  if (type === 'array' && field.items?.enum) return 'checkboxes';
  if (field.format === 'date') return 'date';
  if ((field.maxLength ?? 0) > 500) return 'textarea';
  return 'input';
}

function FieldInput(props: FieldInputProps): ReactNode {
  const { id, field, value, invalid, readOnly, onChange, onBlur, optionLabel, placeholder } = props;
  const status = invalid ? 'error' : undefined;
  const text = typeof value === 'string' ? value : value === undefined ? '' : String(value);
  const common = { id, onBlur, 'aria-invalid': invalid || undefined };
  const options = (field.enum ?? field.items?.enum ?? []).map((option, index) => ({
    value: option as string,
    label: optionLabel(option, index),
  }));
  switch (widgetOf(field)) {
    case 'textarea':
      return (
        <Input.TextArea
          {...common}
          status={status}
          readOnly={readOnly}
          value={text}
          maxLength={field.maxLength}
          autoSize={{ minRows: 3, maxRows: 8 }}
          onChange={(e) => onChange(e.target.value)}
        />
      );
    case 'radio':
      return (
        <Radio.Group
          id={id}
          value={value}
          disabled={readOnly}
          options={options}
          onChange={(e) => {
            onChange(e.target.value);
          }}
          onBlur={onBlur}
        />
      );
    case 'select':
      return (
        <Select
          id={id}
          status={status}
          value={value as string | undefined}
          disabled={readOnly}
          allowClear
          placeholder={placeholder}
          options={options}
          onChange={(next) => onChange(next)}
          onBlur={onBlur}
          style={{ width: '100%' }}
        />
      );
    case 'checkboxes':
      return (
        <div id={id} role="group">
          <Checkbox.Group
            value={Array.isArray(value) ? (value as string[]) : []}
            disabled={readOnly}
            options={options}
            onChange={(next) => onChange(next)}
          />
        </div>
      );
    case 'checkbox':
      return (
        <Checkbox
          id={id}
          checked={value === true}
          disabled={readOnly}
          onChange={(e) => onChange(e.target.checked)}
        >
          {props.yes}
        </Checkbox>
      );
    case 'number':
      return (
        <InputNumber
          {...common}
          status={status}
          readOnly={readOnly}
          value={typeof value === 'number' ? value : null}
          min={field.minimum}
          max={field.maximum}
          precision={typeOf(field) === 'integer' ? 0 : undefined}
          onChange={(next) => onChange(next ?? undefined)}
          style={{ width: '100%', maxWidth: 240 }}
        />
      );
    case 'date':
      return (
        <Input
          {...common}
          type="date"
          status={status}
          readOnly={readOnly}
          value={text}
          onChange={(e) => onChange(e.target.value)}
          style={{ maxWidth: 240 }}
        />
      );
    default:
      return (
        <Input
          {...common}
          status={status}
          readOnly={readOnly}
          value={text}
          inputMode={widgetOf(field) === 'phone' ? 'tel' : undefined}
          autoComplete={widgetOf(field) === 'phone' ? 'tel' : 'off'}
          onChange={(e) => onChange(e.target.value)}
        />
      );
  }
}
