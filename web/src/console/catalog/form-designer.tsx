import { PlusOutlined } from '@ant-design/icons';
import {
  Alert,
  Button,
  Card,
  Checkbox,
  Col,
  Collapse,
  Empty,
  Flex,
  Form,
  Input,
  InputNumber,
  Row,
  Select,
  Typography,
} from 'antd';
import { useId, useState } from 'react';
import {
  SchemaForm,
  schemaProblem,
  type FieldSchema,
  type FormSchema,
  type FormValue,
} from '../../shared/schema-form/index.tsx';
import {
  FIELD_KEY,
  FIELD_KINDS,
  KIND_KEYS,
  changeKind,
  fieldsOf,
  freeKey,
  kindOf,
  newField,
  setKeyword,
  validPattern,
  withFields,
  type DesignedField,
  type FieldKind,
} from './form-fields.ts';
import { useLabels } from './labels.ts';
import { RowControls } from './list-controls.tsx';

/**
 * The application form's designer: fields added, removed, reordered and edited (label,
 * kind, required, rules), the form as applicants will see it beside them, and the JSON
 * Schema itself for experts. `serverError` is the server's word on the schema.
 */
export function FormDesigner({
  schema,
  onChange,
  serverError,
  disabled,
}: {
  schema: FormSchema;
  onChange(next: FormSchema): void;
  serverError?: string | undefined;
  disabled?: boolean;
}) {
  const { t } = useLabels();
  const [preview, setPreview] = useState<FormValue>({});
  const fields = fieldsOf(schema);
  const problem = schemaProblem(schema);
  const update = (next: DesignedField[]) => onChange(withFields(schema, next));
  const move = (from: number, to: number) => {
    const next = [...fields];
    const [moved] = next.splice(from, 1);
    next.splice(to, 0, moved!);
    update(next);
  };
  const remove = (index: number) => update(fields.filter((_, i) => i !== index));
  const replace = (index: number, field: DesignedField) =>
    update(fields.map((f, i) => (i === index ? field : f)));

  return (
    <Row gutter={[16, 16]}>
      <Col xs={24} lg={13}>
        <Typography.Title level={2} style={{ fontSize: 18 }}>
          {t('designerTitle')}
        </Typography.Title>
        {serverError ? (
          <Alert type="error" showIcon message={serverError} style={{ marginBottom: 12 }} />
        ) : null}
        {problem ? (
          <Alert
            type="warning"
            showIcon
            message={t('schemaProblem', { reason: problem })}
            style={{ marginBottom: 12 }}
          />
        ) : null}
        {fields.length === 0 ? <Empty description={t('fieldsEmpty')} /> : null}
        <Collapse
          // Only the title toggles: the whole header as one button would hold the row's own buttons.
          collapsible="header"
          // As when the whole header toggles: the title takes the room left beside the buttons and wraps.
          styles={{ title: { flex: 'auto', minWidth: 0 } }}
          items={fields.map((field, index) => {
            const label = field.schema.title ?? field.key;
            return {
              key: field.key,
              label: (
                <span>
                  {label}
                  <Typography.Text type="secondary">
                    {' '}
                    · {field.key} · {t(KIND_KEYS[kindOf(field.schema)])}
                    {field.required ? ` · ${t('fieldRequired')}` : ''}
                  </Typography.Text>
                </span>
              ),
              extra: disabled ? null : (
                <RowControls
                  index={index}
                  count={fields.length}
                  label={t('fieldOf', { label })}
                  move={move}
                  remove={remove}
                />
              ),
              children: (
                <FieldEditor field={field} onChange={(next) => replace(index, next)} disabled={disabled} />
              ),
            };
          })}
        />
        {disabled ? null : <AddField schema={schema} onAdd={(field) => update([...fields, field])} />}
        <RawJson schema={schema} onChange={onChange} disabled={disabled} />
      </Col>
      <Col xs={24} lg={11}>
        <Card
          title={
            <Typography.Title level={2} style={{ fontSize: 18, margin: 0 }}>
              {t('previewTitle')}
            </Typography.Title>
          }
          style={{ position: 'sticky', top: 16 }}
          data-testid="form-preview"
        >
          <SchemaForm schema={schema} value={preview} onChange={setPreview} />
        </Card>
      </Col>
    </Row>
  );
}

/** One field's label, kind, required flag and the rules its kind has. */
function FieldEditor({
  field,
  onChange,
  disabled,
}: {
  field: DesignedField;
  onChange(next: DesignedField): void;
  disabled?: boolean | undefined;
}) {
  const { t } = useLabels();
  const id = useId();
  const kind = kindOf(field.schema);
  const set = (name: string, value: unknown, ui = false) =>
    onChange({ ...field, schema: setKeyword(field.schema, name, value, ui) });
  const ui = field.schema['x-ui'] ?? {};
  const item = (name: string) => ({ htmlFor: `${id}-${name}`, style: { marginBottom: 12 } });
  const text = kind === 'text' || kind === 'textarea';
  const pattern = typeof field.schema.pattern === 'string' ? field.schema.pattern : '';
  return (
    <Form layout="vertical" component="div" disabled={disabled}>
      <Row gutter={12}>
        <Col xs={24} md={12}>
          <Form.Item label={t('fieldLabel')} {...item('title')}>
            <Input
              id={`${id}-title`}
              value={field.schema.title ?? ''}
              maxLength={100}
              onChange={(e) => set('title', e.target.value)}
            />
          </Form.Item>
        </Col>
        <Col xs={24} md={12}>
          <Form.Item label={t('fieldLabelEn')} {...item('titleEn')}>
            <Input
              id={`${id}-titleEn`}
              value={ui.titleEn ?? ''}
              maxLength={100}
              onChange={(e) => set('titleEn', e.target.value, true)}
            />
          </Form.Item>
        </Col>
        <Col xs={24} md={12}>
          <Form.Item label={t('fieldKind')} {...item('kind')}>
            <Select<FieldKind>
              id={`${id}-kind`}
              value={kind}
              onChange={(next) =>
                next !== 'other' && onChange({ ...field, schema: changeKind(field.schema, next) })
              }
              options={[...FIELD_KINDS, ...(kind === 'other' ? (['other'] as const) : [])].map((k) => ({
                value: k,
                label: t(KIND_KEYS[k]),
              }))}
            />
          </Form.Item>
        </Col>
        <Col xs={24} md={12}>
          <Form.Item label={t('fieldRequired')} {...item('required')}>
            <Checkbox
              id={`${id}-required`}
              checked={field.required}
              onChange={(e) => onChange({ ...field, required: e.target.checked })}
            >
              {t('fieldRequired')}
            </Checkbox>
          </Form.Item>
        </Col>
        <Col xs={24}>
          <Form.Item label={t('fieldHelp')} {...item('help')}>
            <Input
              id={`${id}-help`}
              value={ui.help ?? ''}
              maxLength={200}
              onChange={(e) => set('help', e.target.value, true)}
            />
          </Form.Item>
        </Col>
        {kind === 'select' || kind === 'radio' ? (
          <Col xs={24}>
            <Form.Item label={t('fieldOptions')} {...item('enum')}>
              <Input.TextArea
                id={`${id}-enum`}
                autoSize={{ minRows: 2, maxRows: 8 }}
                value={(field.schema.enum ?? []).map(String).join('\n')}
                onChange={(e) => set('enum', e.target.value.split('\n'))}
                onBlur={(e) =>
                  set(
                    'enum',
                    e.target.value
                      .split('\n')
                      .map((o) => o.trim())
                      .filter((o, i, all) => o && all.indexOf(o) === i),
                  )
                }
              />
            </Form.Item>
          </Col>
        ) : null}
        {text ? (
          <>
            <NumberRule id={id} name="minLength" label={t('fieldMinLength')} field={field.schema} set={set} />
            <NumberRule id={id} name="maxLength" label={t('fieldMaxLength')} field={field.schema} set={set} />
            <Col xs={24}>
              <Form.Item
                label={t('fieldPattern')}
                {...item('pattern')}
                validateStatus={pattern && !validPattern(pattern) ? 'error' : undefined}
                help={pattern && !validPattern(pattern) ? t('fieldPatternInvalid') : undefined}
              >
                <Input
                  id={`${id}-pattern`}
                  value={pattern}
                  maxLength={200}
                  onChange={(e) => set('pattern', e.target.value)}
                />
              </Form.Item>
            </Col>
          </>
        ) : null}
        {kind === 'number' ? (
          <>
            <NumberRule id={id} name="minimum" label={t('fieldMinimum')} field={field.schema} set={set} />
            <NumberRule id={id} name="maximum" label={t('fieldMaximum')} field={field.schema} set={set} />
          </>
        ) : null}
      </Row>
    </Form>
  );
}

function NumberRule({
  id,
  name,
  label,
  field,
  set,
}: {
  id: string;
  name: 'minLength' | 'maxLength' | 'minimum' | 'maximum';
  label: string;
  field: FieldSchema;
  set(name: string, value: unknown): void;
}) {
  const value = field[name];
  const lengths = name === 'minLength' || name === 'maxLength';
  return (
    <Col xs={12}>
      <Form.Item label={label} htmlFor={`${id}-${name}`} style={{ marginBottom: 12 }}>
        <InputNumber
          id={`${id}-${name}`}
          style={{ width: '100%' }}
          value={typeof value === 'number' ? value : null}
          {...(lengths && { min: 0, precision: 0 })}
          onChange={(next) => set(name, next ?? undefined)}
        />
      </Form.Item>
    </Col>
  );
}

/** A new field: its key (what the data is stored under), label and kind. */
function AddField({ schema, onAdd }: { schema: FormSchema; onAdd(field: DesignedField): void }) {
  const { t } = useLabels();
  const [form] = Form.useForm<{ key: string; title: string; kind: Exclude<FieldKind, 'other'> }>();
  const taken = Object.keys(schema.properties ?? {});
  return (
    <Card size="small" title={t('addField')} style={{ marginTop: 16 }} data-testid="add-field">
      <Form
        form={form}
        layout="vertical"
        component="div"
        initialValues={{ key: freeKey(schema), title: t('newFieldLabel'), kind: 'text' }}
        onFinish={({ key, title, kind }) => {
          onAdd(newField(key.trim(), kind, title.trim()));
          form.setFieldsValue({
            key: freeKey({ ...schema, properties: { ...schema.properties, [key]: {} } }),
          });
        }}
      >
        <Flex wrap gap={12} align="flex-start">
          <Form.Item
            name="key"
            label={t('fieldKey')}
            extra={t('fieldKeyHelp')}
            style={{ flex: '1 1 160px', marginBottom: 8 }}
            rules={[
              { required: true, message: t('required', { label: t('fieldKey') }) },
              { pattern: FIELD_KEY, message: t('fieldKeyPattern') },
              {
                validator: (_, value: string) =>
                  taken.includes(value?.trim())
                    ? Promise.reject(new Error(t('fieldKeyTaken')))
                    : Promise.resolve(),
              },
            ]}
          >
            <Input maxLength={50} />
          </Form.Item>
          <Form.Item
            name="title"
            label={t('fieldLabel')}
            style={{ flex: '1 1 160px', marginBottom: 8 }}
            rules={[{ required: true, whitespace: true, message: t('required', { label: t('fieldLabel') }) }]}
          >
            <Input maxLength={100} />
          </Form.Item>
          <Form.Item name="kind" label={t('fieldKind')} style={{ flex: '1 1 160px', marginBottom: 8 }}>
            <Select options={FIELD_KINDS.map((k) => ({ value: k, label: t(KIND_KEYS[k]) }))} />
          </Form.Item>
        </Flex>
        <Button type="dashed" icon={<PlusOutlined />} onClick={() => form.submit()}>
          {t('addField')}
        </Button>
      </Form>
    </Card>
  );
}

/** The schema as JSON: edited as text and applied when it parses to a form. */
function RawJson({
  schema,
  onChange,
  disabled,
}: {
  schema: FormSchema;
  onChange(next: FormSchema): void;
  disabled?: boolean | undefined;
}) {
  const { t } = useLabels();
  const id = useId();
  const [draft, setDraft] = useState<string>();
  const [error, setError] = useState<string>();
  const apply = () => {
    if (draft === undefined) return;
    try {
      const parsed = JSON.parse(draft) as unknown;
      const form = parsed as FormSchema;
      if (
        !parsed ||
        typeof parsed !== 'object' ||
        form.type !== 'object' ||
        typeof form.properties !== 'object'
      )
        return setError(t('jsonNotObject'));
      setError(undefined);
      setDraft(undefined);
      onChange(form);
    } catch (e) {
      setError(t('invalidJson', { reason: (e as Error).message }));
    }
  };
  return (
    <Collapse
      style={{ marginTop: 16 }}
      items={[
        {
          key: 'json',
          label: t('rawJson'),
          children: (
            <Form layout="vertical" component="div" disabled={disabled}>
              <Form.Item
                label={t('rawJson')}
                htmlFor={id}
                validateStatus={error ? 'error' : undefined}
                help={error}
              >
                <Input.TextArea
                  id={id}
                  spellCheck={false}
                  autoSize={{ minRows: 8, maxRows: 24 }}
                  style={{ fontFamily: 'monospace', fontSize: 12 }}
                  value={draft ?? JSON.stringify(schema, null, 2)}
                  onChange={(e) => setDraft(e.target.value)}
                />
              </Form.Item>
              <Button onClick={apply} disabled={draft === undefined}>
                {t('applyJson')}
              </Button>
            </Form>
          ),
        },
      ]}
    />
  );
}
