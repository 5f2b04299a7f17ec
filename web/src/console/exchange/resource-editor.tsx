import { App, Flex, Form, Input, Modal, Select, Table, Typography } from 'antd';
import { useState } from 'react';
import { ApiProblem, api, data, fieldErrors } from '../../api/client.ts';
import type { paths } from '../../api/schema.d.ts';
import { useLocale, useT } from '../../i18n/index.tsx';
import { ProblemAlert } from '../../shared/problem.tsx';
import { useSession } from '../../shared/session.tsx';
import { shell, exchange } from '../messages.ts';
import { resourceTexts } from './messages.ts';
import type { Frequency, Resource, ResourceField, Sensitivity, SharingType } from './types.ts';

/**
 * Changing how a data-sharing resource is shared: its sharing type, update frequency,
 * description, and each field's sensitivity and (for sensitive fields) mask. Only what
 * changed is sent; the server's field errors are shown beside the fields they name.
 */

export type Mask = NonNullable<ResourceField['mask']>;
export const MASKS: readonly Mask[] = ['name', 'idNumber', 'phone', 'middle'];
const SENSITIVITIES: readonly Sensitivity[] = ['public', 'internal', 'sensitive'];
const SHARING_TYPES: readonly SharingType[] = ['unconditional', 'conditional', 'none'];
const FREQUENCIES: readonly Frequency[] = ['realtime', 'daily', 'weekly', 'monthly'];
const DESCRIPTION_MAX = 500;

type Change =
  paths['/api/v1/exchange/resources/{code}']['patch']['requestBody']['content']['application/json'];
type FieldChange = NonNullable<Change['fields']>[number];

interface FieldValues {
  sensitivity: Sensitivity;
  mask?: Mask | null;
}

interface Values {
  sharingType: SharingType;
  updateFrequency: Frequency;
  description: string;
  fields: FieldValues[];
}

/**
 * Whether the signed-in staff member may change a resource of this provider: the
 * exchange management permission, and the provider within the organisations they act
 * for — their jurisdiction's organisations, else every one for a system administrator,
 * else their own organisation (the server decides the same way).
 */
export function useMayEditResource(): (resource: Pick<Resource, 'providerOrganisationId'>) => boolean {
  const { profile } = useSession();
  const staff = profile?.staff;
  return ({ providerOrganisationId: provider }) => {
    if (!staff?.permissions.includes('exchange.manage')) return false;
    const ids = staff.jurisdiction.organisationIds;
    if (ids.length > 0) return provider !== null && ids.includes(provider);
    if (staff.roles.includes('system_admin')) return true;
    return provider !== null && provider === staff.organisationId;
  };
}

/** The change to send: only what differs from the resource as it is (nothing: an empty object). */
export function changeOf(resource: Resource, values: Values): { change: Change; fieldIndexes: number[] } {
  const change: Change = {};
  if (values.sharingType !== resource.sharingType) change.sharingType = values.sharingType;
  if (values.updateFrequency !== resource.updateFrequency) change.updateFrequency = values.updateFrequency;
  const description = (values.description ?? '').trim();
  if (description !== resource.description) change.description = description;
  const fields: FieldChange[] = [];
  // Which row of the form each sent field is, to put the server's errors beside it.
  const fieldIndexes: number[] = [];
  resource.fields.forEach((field, i) => {
    const value = values.fields[i];
    if (!value) return;
    // Masks are for sensitive fields; a field made non-sensitive has none.
    const mask = value.sensitivity === 'sensitive' ? (value.mask ?? null) : null;
    const changed =
      value.sensitivity !== field.sensitivity || (value.sensitivity === 'sensitive' && mask !== field.mask);
    if (!changed) return;
    fields.push({ name: field.name, sensitivity: value.sensitivity, mask });
    fieldIndexes.push(i);
  });
  if (fields.length > 0) change.fields = fields;
  return { change, fieldIndexes };
}

/** `fields[2].mask` → ['fields', 2, 'mask']. */
function pathOf(field: string): (string | number)[] {
  return field
    .split(/\.|\[(\d+)\]/)
    .filter((part) => part !== undefined && part !== '')
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

export function ResourceEditor({ resource, onClose }: { resource: Resource; onClose(saved: boolean): void }) {
  const t = useT(resourceTexts);
  const x = useT(exchange);
  const s = useT(shell);
  const { locale } = useLocale();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<unknown>();
  // Server errors about the fields as a whole (or a field the form has no control for).
  const [tableErrors, setTableErrors] = useState<string[]>([]);

  const submit = async (values: Values) => {
    const { change, fieldIndexes } = changeOf(resource, values);
    if (Object.keys(change).length === 0) {
      void message.info(t('nothingChanged'));
      onClose(false);
      return;
    }
    setBusy(true);
    setFailure(undefined);
    setTableErrors([]);
    try {
      await data(
        api.PATCH('/api/v1/exchange/resources/{code}', {
          params: { path: { code: resource.code } },
          body: change,
        }),
      );
      void message.success(t('saved', { name: resource.name }));
      onClose(true);
    } catch (error) {
      const placed: { name: (string | number)[]; errors: string[] }[] = [];
      const rest: string[] = [];
      for (const [field, text] of Object.entries(fieldErrors(error, locale === 'en'))) {
        const path = pathOf(field);
        const [head, index, leaf] = path;
        if (
          path.length === 1 &&
          (head === 'sharingType' || head === 'updateFrequency' || head === 'description')
        )
          placed.push({ name: path, errors: [text] });
        else if (
          head === 'fields' &&
          typeof index === 'number' &&
          fieldIndexes[index] !== undefined &&
          (leaf === 'sensitivity' || leaf === 'mask')
        )
          placed.push({ name: ['fields', fieldIndexes[index], leaf], errors: [text] });
        else rest.push(text);
      }
      form.setFields(placed as never);
      setTableErrors(rest);
      // A 400 whose every error is shown beside a field needs no alert besides.
      const allPlaced = error instanceof ApiProblem && error.status === 400 && placed.length > 0;
      setFailure(allPlaced && rest.length === 0 ? undefined : error);
    } finally {
      setBusy(false);
    }
  };

  const maskOptions = MASKS.map((m) => ({ value: m, label: t(`mask_${m}`) }));
  return (
    <Modal
      open
      width={760}
      title={t('editTitle', { name: resource.name })}
      okText={s('save')}
      cancelText={s('cancel')}
      confirmLoading={busy}
      onOk={() => form.submit()}
      onCancel={() => onClose(false)}
      destroyOnHidden
    >
      {failure ? <ProblemAlert error={failure} /> : null}
      <Form<Values>
        form={form}
        layout="vertical"
        onFinish={submit}
        initialValues={{
          sharingType: resource.sharingType,
          updateFrequency: resource.updateFrequency,
          description: resource.description,
          fields: resource.fields.map((f) => ({ sensitivity: f.sensitivity, mask: f.mask ?? undefined })),
        }}
        style={{ marginTop: failure ? 16 : 0 }}
      >
        <Flex wrap style={{ columnGap: 12 }}>
          <Form.Item name="sharingType" label={x('sharingType')} style={{ flex: '1 1 200px' }}>
            <Select options={SHARING_TYPES.map((v) => ({ value: v, label: x(`sharing_${v}`) }))} />
          </Form.Item>
          <Form.Item name="updateFrequency" label={x('updateFrequency')} style={{ flex: '1 1 200px' }}>
            <Select options={FREQUENCIES.map((v) => ({ value: v, label: x(`frequency_${v}`) }))} />
          </Form.Item>
        </Flex>
        <Form.Item name="description" label={t('description')}>
          <Input.TextArea
            autoSize={{ minRows: 2, maxRows: 6 }}
            count={{ show: true, max: DESCRIPTION_MAX }}
          />
        </Form.Item>
        <Typography.Paragraph type="secondary" id="resource-fields-help">
          {t('fieldsHelp')}
        </Typography.Paragraph>
        <Table<ResourceField>
          rowKey="name"
          size="small"
          dataSource={resource.fields}
          pagination={false}
          scroll={{ x: 'max-content' }}
          aria-describedby="resource-fields-help"
          columns={[
            {
              title: x('fieldLabel'),
              render: (_, f) => (
                <>
                  <div>{f.label}</div>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {f.name}
                  </Typography.Text>
                </>
              ),
            },
            {
              title: x('sensitivity'),
              render: (_, f, i) => (
                <Form.Item name={['fields', i, 'sensitivity']} style={{ margin: 0 }}>
                  <Select
                    aria-label={t('sensitivityOf', { field: f.label })}
                    options={SENSITIVITIES.map((v) => ({ value: v, label: x(`sensitivity_${v}`) }))}
                    style={{ width: 110 }}
                  />
                </Form.Item>
              ),
            },
            {
              title: x('mask'),
              render: (_, f, i) => (
                <Form.Item
                  noStyle
                  shouldUpdate={(before: Values, after: Values) =>
                    before.fields?.[i]?.sensitivity !== after.fields?.[i]?.sensitivity
                  }
                >
                  {({ getFieldValue }) =>
                    getFieldValue(['fields', i, 'sensitivity']) === 'sensitive' ? (
                      <Form.Item
                        name={['fields', i, 'mask']}
                        rules={[{ required: true, message: t('maskRequired') }]}
                        style={{ margin: 0 }}
                      >
                        <Select
                          aria-label={t('maskOf', { field: f.label })}
                          placeholder={t('choose')}
                          options={maskOptions}
                          style={{ width: 260 }}
                        />
                      </Form.Item>
                    ) : (
                      <Typography.Text type="secondary">
                        {f.mask && getFieldValue(['fields', i, 'sensitivity']) === f.sensitivity
                          ? t(`mask_${f.mask}`)
                          : t('noMask')}
                      </Typography.Text>
                    )
                  }
                </Form.Item>
              ),
            },
          ]}
        />
        {tableErrors.length > 0 ? (
          <div role="alert" style={{ marginTop: 8 }}>
            {tableErrors.map((text) => (
              <Typography.Text key={text} type="danger" style={{ display: 'block' }}>
                {text}
              </Typography.Text>
            ))}
          </div>
        ) : null}
      </Form>
    </Modal>
  );
}
