import {
  App,
  Button,
  Checkbox,
  DatePicker,
  Flex,
  Form,
  Input,
  Modal,
  Space,
  Table,
  Tabs,
  Tag,
  Typography,
} from 'antd';
import type { Dayjs } from 'dayjs';
import { useState } from 'react';
import { api, data } from '../../api/client.ts';
import { useT } from '../../i18n/index.tsx';
import { ProblemAlert } from '../../shared/problem.tsx';
import { useApi } from '../../shared/use-api.ts';
import { PageTitle, useDateTime, useDayjsLocale, useSubmit } from '../common.tsx';
import { exchange as messages, shell } from '../messages.ts';
import { loadResources, SENSITIVITY_COLOURS } from './resources.tsx';
import type { Grant, GrantStatus, Resource } from './types.ts';

const loadGrants = (status?: GrantStatus) =>
  data<Grant[]>(api.GET('/api/v1/exchange/grants', { params: { query: { status } } }));

/** Grant requests to approve (with masking) or reject, and the grants to revoke. */
export default function Grants() {
  useDayjsLocale();
  const t = useT(messages);
  const [tab, setTab] = useState<'pending' | 'decided'>('pending');
  const grants = useApi(() => loadGrants(tab === 'pending' ? 'requested' : undefined), [tab]);
  const resources = useApi(loadResources, []);
  return (
    <>
      <PageTitle title={t('grantsTitle')} />
      <Tabs
        activeKey={tab}
        onChange={(key) => setTab(key as typeof tab)}
        items={[
          { key: 'pending', label: t('pending') },
          { key: 'decided', label: t('decided') },
        ]}
      />
      {grants.error || resources.error ? <ProblemAlert error={grants.error ?? resources.error} /> : null}
      <GrantTable
        grants={grants.data}
        loading={grants.loading}
        resources={resources.data ?? []}
        onChanged={grants.reload}
      />
    </>
  );
}

type Decision = { kind: 'approve' | 'reject' | 'revoke'; grant: Grant };

function GrantTable({
  grants,
  loading,
  resources,
  onChanged,
}: {
  grants: Grant[] | undefined;
  loading: boolean;
  resources: Resource[];
  onChanged(): void;
}) {
  const t = useT(messages);
  const s = useT(shell);
  const time = useDateTime();
  const [deciding, setDeciding] = useState<Decision>();
  const resource = (code: string) => resources.find((r) => r.code === code);
  const label = (code: string, field: string) =>
    resource(code)?.fields.find((f) => f.name === field)?.label ?? field;
  const statusTag = (g: Grant) => {
    if (g.status === 'approved' && !g.active) return <Tag>{t('expired')}</Tag>;
    const colour = { requested: 'gold', approved: 'green', rejected: 'red', revoked: 'default' }[g.status];
    return <Tag color={colour}>{t(`grantStatus_${g.status}`)}</Tag>;
  };
  return (
    <>
      <Table<Grant>
        rowKey="id"
        loading={loading}
        dataSource={grants}
        pagination={false}
        scroll={{ x: 'max-content' }}
        columns={[
          { title: t('consumer'), dataIndex: 'consumerName' },
          { title: t('resource'), render: (_, g) => resource(g.resourceCode)?.name ?? g.resourceCode },
          { title: t('purpose'), dataIndex: 'purpose' },
          {
            title: t('fields'),
            render: (_, g) => (
              <Flex wrap gap={4}>
                {g.fields.map((f) => (
                  <Tag key={f} color={g.masked.includes(f) ? 'orange' : undefined}>
                    {label(g.resourceCode, f)}
                    {g.masked.includes(f) ? ` · ${t('mask')}` : ''}
                  </Tag>
                ))}
              </Flex>
            ),
          },
          { title: t('requestedAt'), render: (_, g) => time(g.requestedAt) },
          { title: t('expiresAt'), render: (_, g) => time(g.expiresAt) },
          { title: s('status'), render: (_, g) => statusTag(g) },
          {
            title: s('actions'),
            render: (_, g) => (
              <Space size={0} wrap>
                {g.status === 'requested' ? (
                  <>
                    <Button type="link" onClick={() => setDeciding({ kind: 'approve', grant: g })}>
                      {t('approve')}
                    </Button>
                    <Button type="link" danger onClick={() => setDeciding({ kind: 'reject', grant: g })}>
                      {t('reject')}
                    </Button>
                  </>
                ) : null}
                {g.status === 'approved' && g.active ? (
                  <Button type="link" danger onClick={() => setDeciding({ kind: 'revoke', grant: g })}>
                    {t('revoke')}
                  </Button>
                ) : null}
              </Space>
            ),
          },
        ]}
      />
      {deciding?.kind === 'approve' ? (
        <Approve
          grant={deciding.grant}
          resource={resource(deciding.grant.resourceCode)}
          onClose={(changed) => {
            setDeciding(undefined);
            if (changed) onChanged();
          }}
        />
      ) : deciding ? (
        <WithReason
          decision={deciding as Decision & { kind: 'reject' | 'revoke' }}
          resourceName={resource(deciding.grant.resourceCode)?.name ?? deciding.grant.resourceCode}
          onClose={(changed) => {
            setDeciding(undefined);
            if (changed) onChanged();
          }}
        />
      ) : null}
    </>
  );
}

interface ApproveValues {
  fields: string[];
  masked: string[];
  expiresAt?: Dayjs;
}

/** The provider approves: which of the requested fields, which of them masked (脱敏), until when. */
function Approve({
  grant,
  resource,
  onClose,
}: {
  grant: Grant;
  resource: Resource | undefined;
  onClose(changed: boolean): void;
}) {
  const t = useT(messages);
  const s = useT(shell);
  const { message } = App.useApp();
  const [form] = Form.useForm<ApproveValues>();
  const granted = Form.useWatch('fields', form) ?? grant.fields;
  const field = (name: string) => resource?.fields.find((f) => f.name === name);
  const option = (name: string) => {
    const f = field(name);
    return {
      value: name,
      label: (
        <>
          {f?.label ?? name}{' '}
          {f ? (
            <Tag color={SENSITIVITY_COLOURS[f.sensitivity]}>{t(`sensitivity_${f.sensitivity}`)}</Tag>
          ) : null}
        </>
      ),
    };
  };
  const { submit, busy, error } = useSubmit(form, async (values) => {
    await api.POST('/api/v1/exchange/grants/{id}/approve', {
      params: { path: { id: grant.id } },
      body: {
        fields: values.fields,
        masked: values.masked.filter((m) => values.fields.includes(m)),
        expiresAt: values.expiresAt?.endOf('day').toISOString(),
      },
    });
    void message.success(t('approved'));
    onClose(true);
  });
  return (
    <Modal
      open
      title={t('approveTitle', {
        consumer: grant.consumerName,
        resource: resource?.name ?? grant.resourceCode,
      })}
      okText={t('approve')}
      cancelText={s('cancel')}
      confirmLoading={busy}
      onOk={() => form.submit()}
      onCancel={() => onClose(false)}
      destroyOnHidden
    >
      {error ? <ProblemAlert error={error} /> : null}
      <Typography.Paragraph>
        {t('purpose')}：{grant.purpose}
      </Typography.Paragraph>
      <Form
        form={form}
        layout="vertical"
        onFinish={submit}
        initialValues={{
          fields: grant.fields,
          // Sensitive fields with a mask are offered masked unless the provider decides otherwise.
          masked: grant.fields.filter(
            (name) => field(name)?.sensitivity === 'sensitive' && field(name)?.mask,
          ),
        }}
      >
        <Form.Item
          name="fields"
          label={t('grantedFields')}
          rules={[{ required: true, type: 'array', min: 1, message: t('fieldsRequired') }]}
        >
          <Checkbox.Group options={grant.fields.map(option)} />
        </Form.Item>
        <Form.Item name="masked" label={t('maskedFields')} extra={t('maskedHelp')}>
          <Checkbox.Group
            options={grant.fields
              .filter((name) => field(name)?.mask)
              .map((name) => ({ ...option(name), disabled: !granted.includes(name) }))}
          />
        </Form.Item>
        <Form.Item name="expiresAt" label={t('expiresAt')} extra={t('expiresHelp')}>
          <DatePicker format="YYYY-MM-DD" style={{ width: '100%' }} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function WithReason({
  decision,
  resourceName,
  onClose,
}: {
  decision: Decision & { kind: 'reject' | 'revoke' };
  resourceName: string;
  onClose(changed: boolean): void;
}) {
  const t = useT(messages);
  const s = useT(shell);
  const { message } = App.useApp();
  const [form] = Form.useForm<{ reason: string }>();
  const { grant, kind } = decision;
  const { submit, busy, error } = useSubmit(form, async ({ reason }) => {
    const params = { path: { id: grant.id } };
    const body = { reason: reason.trim() };
    if (kind === 'reject') await api.POST('/api/v1/exchange/grants/{id}/reject', { params, body });
    else await api.POST('/api/v1/exchange/grants/{id}/revoke', { params, body });
    void message.success(t(kind === 'reject' ? 'rejected' : 'revoked'));
    onClose(true);
  });
  return (
    <Modal
      open
      title={t('reasonTitle', { action: t(kind), consumer: grant.consumerName, resource: resourceName })}
      okText={t(kind)}
      okButtonProps={{ danger: true }}
      cancelText={s('cancel')}
      confirmLoading={busy}
      onOk={() => form.submit()}
      onCancel={() => onClose(false)}
      destroyOnHidden
    >
      {error ? <ProblemAlert error={error} /> : null}
      <Form form={form} layout="vertical" onFinish={submit}>
        <Form.Item
          name="reason"
          label={t('reason')}
          rules={[{ required: true, whitespace: true, min: 2, max: 500, message: t('reasonRequired') }]}
        >
          <Input.TextArea rows={3} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
