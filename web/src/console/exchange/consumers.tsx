import { App, Button, Form, Input, Modal, Space, Table, Tag } from 'antd';
import { useState } from 'react';
import { api, data } from '../../api/client.ts';
import { useT } from '../../i18n/index.tsx';
import { ProblemAlert } from '../../shared/problem.tsx';
import { useApi } from '../../shared/use-api.ts';
import {
  OrganisationName,
  OrganisationSelect,
  PageTitle,
  SecretOnce,
  useDateTime,
  useSubmit,
} from '../common.tsx';
import { exchange as messages, shell } from '../messages.ts';
import type { Consumer } from './types.ts';

const loadConsumers = () => data<Consumer[]>(api.GET('/api/v1/exchange/consumers'));

/** Consumer applications of departments: register (the API key is shown once), rotate the key, disable or enable. */
export default function Consumers() {
  const t = useT(messages);
  const s = useT(shell);
  const time = useDateTime();
  const { modal } = App.useApp();
  const consumers = useApi(loadConsumers, []);
  const [registering, setRegistering] = useState(false);
  const [secret, setSecret] = useState<{ name: string; apiKey: string }>();
  const [failure, setFailure] = useState<unknown>();

  const act = async (call: () => Promise<void>) => {
    setFailure(undefined);
    try {
      await call();
      consumers.reload();
    } catch (e) {
      setFailure(e);
    }
  };
  const rotate = (c: Consumer) =>
    act(async () => {
      const { apiKey } = await data<{ apiKey: string }>(
        api.POST('/api/v1/exchange/consumers/{id}/rotate-key', {
          params: { path: { id: c.id } },
          body: { graceHours: 24 },
        }),
      );
      setSecret({ name: c.name, apiKey });
    });
  const setStatus = (c: Consumer, status: 'disable' | 'enable') =>
    act(async () => {
      await api.POST('/api/v1/exchange/consumers/{id}/{status}', { params: { path: { id: c.id, status } } });
    });

  return (
    <>
      <PageTitle
        title={t('consumersTitle')}
        extra={
          <Button type="primary" onClick={() => setRegistering(true)}>
            {t('registerConsumer')}
          </Button>
        }
      />
      {consumers.error || failure ? <ProblemAlert error={failure ?? consumers.error} /> : null}
      <Table<Consumer>
        rowKey="id"
        loading={consumers.loading}
        dataSource={consumers.data}
        pagination={false}
        scroll={{ x: 'max-content' }}
        columns={[
          { title: t('consumerName'), dataIndex: 'name' },
          { title: t('consumerCode'), dataIndex: 'code' },
          { title: s('organisation'), render: (_, c) => <OrganisationName id={c.organisationId} /> },
          { title: t('keyId'), render: (_, c) => <code>{c.keyId}</code> },
          {
            title: s('status'),
            render: (_, c) => (
              <Tag color={c.status === 'active' ? 'green' : 'default'}>{t(`status_${c.status}`)}</Tag>
            ),
          },
          { title: s('createdAt'), render: (_, c) => time(c.createdAt) },
          {
            title: s('actions'),
            render: (_, c) => (
              <Space size={0} wrap>
                <Button
                  type="link"
                  onClick={() =>
                    modal.confirm({ title: t('confirmRotate', { name: c.name }), onOk: () => rotate(c) })
                  }
                >
                  {t('rotateKey')}
                </Button>
                {c.status === 'active' ? (
                  <Button type="link" danger onClick={() => void setStatus(c, 'disable')}>
                    {t('disable')}
                  </Button>
                ) : (
                  <Button type="link" onClick={() => void setStatus(c, 'enable')}>
                    {t('enable')}
                  </Button>
                )}
              </Space>
            ),
          },
        ]}
      />
      {registering ? (
        <RegisterConsumer
          onClose={(created) => {
            setRegistering(false);
            if (created) {
              setSecret(created);
              consumers.reload();
            }
          }}
        />
      ) : null}
      <SecretOnce
        title={t('apiKeyTitle', { name: secret?.name ?? '' })}
        secret={secret?.apiKey}
        onClose={() => setSecret(undefined)}
      />
    </>
  );
}

interface ConsumerValues {
  code: string;
  name: string;
  organisationId: number;
}

function RegisterConsumer({ onClose }: { onClose(created?: { name: string; apiKey: string }): void }) {
  const t = useT(messages);
  const s = useT(shell);
  const [form] = Form.useForm<ConsumerValues>();
  const { submit, busy, error } = useSubmit(form, async (values) => {
    const created = await data<{ consumer: Consumer; apiKey: string }>(
      api.POST('/api/v1/exchange/consumers', { body: { ...values, name: values.name.trim() } }),
    );
    onClose({ name: created.consumer.name, apiKey: created.apiKey });
  });
  return (
    <Modal
      open
      title={t('registerConsumer')}
      okText={s('save')}
      cancelText={s('cancel')}
      confirmLoading={busy}
      onOk={() => form.submit()}
      onCancel={() => onClose()}
      destroyOnHidden
    >
      {error ? <ProblemAlert error={error} /> : null}
      <Form form={form} layout="vertical" onFinish={submit}>
        <Form.Item
          name="code"
          label={t('consumerCode')}
          rules={[
            {
              required: true,
              pattern: /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/,
              min: 2,
              max: 40,
              message: t('consumerCodeRule'),
            },
          ]}
        >
          <Input autoComplete="off" />
        </Form.Item>
        <Form.Item
          name="name"
          label={t('consumerName')}
          rules={[{ required: true, whitespace: true, min: 2, max: 100, message: t('consumerNameRule') }]}
        >
          <Input />
        </Form.Item>
        <Form.Item
          name="organisationId"
          label={s('organisation')}
          rules={[{ required: true, message: t('organisationRequired') }]}
        >
          <OrganisationSelect />
        </Form.Item>
      </Form>
    </Modal>
  );
}
