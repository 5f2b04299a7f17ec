import { App, Button, Checkbox, Flex, Form, Input, Modal, Radio, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { api, data } from '../api/client.ts';
import { useT } from '../i18n/index.tsx';
import { ProblemAlert } from '../shared/problem.tsx';
import { useApi } from '../shared/use-api.ts';
import { PageTitle, SecretOnce, useDateTime, useSubmit } from './common.tsx';
import { oidc as messages, shell } from './messages.ts';

type Client = Awaited<ReturnType<typeof loadClients>>[number];
const loadClients = async () => (await data(api.GET('/api/v1/identity/oidc-clients'))).items;

const GRANT_TYPES = ['authorization_code', 'refresh_token', 'client_credentials'] as const;
const SCOPES = ['openid', 'profile', 'phone', 'enterprise', 'offline_access'] as const;
const AUTH_METHODS = ['client_secret_basic', 'client_secret_post'] as const;

/** Department systems registered for single sign-on: list, register and rotate (the secret shown once), remove. */
export default function OidcClients() {
  const t = useT(messages);
  const s = useT(shell);
  const time = useDateTime();
  const { message, modal } = App.useApp();
  const clients = useApi(loadClients, []);
  const [registering, setRegistering] = useState(false);
  const [secret, setSecret] = useState<{ name: string; secret: string }>();
  const [failure, setFailure] = useState<unknown>();

  const rotate = async (client: Client) => {
    setFailure(undefined);
    try {
      const rotated = await data(
        api.POST('/api/v1/identity/oidc-clients/{clientId}/rotate-secret', {
          params: { path: { clientId: client.clientId } },
        }),
      );
      setSecret({ name: rotated.name, secret: rotated.clientSecret });
    } catch (e) {
      setFailure(e);
    }
  };
  const remove = async (client: Client) => {
    setFailure(undefined);
    try {
      await api.DELETE('/api/v1/identity/oidc-clients/{clientId}', {
        params: { path: { clientId: client.clientId } },
      });
      void message.success(t('removed', { name: client.name }));
      clients.reload();
    } catch (e) {
      setFailure(e);
    }
  };

  return (
    <>
      <PageTitle
        title={t('title')}
        extra={
          <Button type="primary" onClick={() => setRegistering(true)}>
            {t('register')}
          </Button>
        }
      />
      <Typography.Paragraph type="secondary">{t('intro')}</Typography.Paragraph>
      {clients.error || failure ? <ProblemAlert error={failure ?? clients.error} /> : null}
      <Table<Client>
        rowKey="clientId"
        loading={clients.loading}
        dataSource={clients.data}
        pagination={false}
        scroll={{ x: 'max-content' }}
        columns={[
          { title: s('name'), dataIndex: 'name' },
          { title: t('clientId'), render: (_, c) => <code>{c.clientId}</code> },
          { title: t('redirectUris'), render: (_, c) => c.redirectUris.join(', ') },
          {
            title: t('grantTypes'),
            render: (_, c) => (
              <Flex wrap gap={4}>
                {c.grantTypes.map((g) => (
                  <Tag key={g}>{g}</Tag>
                ))}
              </Flex>
            ),
          },
          { title: t('scopes'), render: (_, c) => c.scopes.join(' ') },
          { title: s('createdAt'), render: (_, c) => time(c.createdAt) },
          {
            title: s('actions'),
            render: (_, c) => (
              <Space size={0} wrap>
                <Button
                  type="link"
                  onClick={() =>
                    modal.confirm({
                      title: t('confirmRotateSecret', { name: c.name }),
                      onOk: () => rotate(c),
                    })
                  }
                >
                  {t('rotateSecret')}
                </Button>
                <Button
                  type="link"
                  danger
                  onClick={() =>
                    modal.confirm({ title: t('confirmRemove', { name: c.name }), onOk: () => remove(c) })
                  }
                >
                  {s('remove')}
                </Button>
              </Space>
            ),
          },
        ]}
      />
      {registering ? (
        <Register
          onClose={(created) => {
            setRegistering(false);
            if (created) {
              setSecret(created);
              clients.reload();
            }
          }}
        />
      ) : null}
      <SecretOnce
        title={t('secretTitle', { name: secret?.name ?? '' })}
        secret={secret?.secret}
        onClose={() => setSecret(undefined)}
      />
    </>
  );
}

interface ClientValues {
  name: string;
  redirectUris?: string;
  postLogoutRedirectUris?: string;
  grantTypes: (typeof GRANT_TYPES)[number][];
  scopes: (typeof SCOPES)[number][];
  tokenEndpointAuthMethod: (typeof AUTH_METHODS)[number];
}

const lines = (text: string | undefined) =>
  (text ?? '')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);

function Register({ onClose }: { onClose(created?: { name: string; secret: string }): void }) {
  const t = useT(messages);
  const s = useT(shell);
  const [form] = Form.useForm<ClientValues>();
  const { submit, busy, error } = useSubmit(form, async (values) => {
    const created = await data(
      api.POST('/api/v1/identity/oidc-clients', {
        body: {
          ...values,
          name: values.name.trim(),
          redirectUris: lines(values.redirectUris),
          postLogoutRedirectUris: lines(values.postLogoutRedirectUris),
        },
      }),
    );
    onClose({ name: created.name, secret: created.clientSecret });
  });
  return (
    <Modal
      open
      title={t('register')}
      okText={s('save')}
      cancelText={s('cancel')}
      confirmLoading={busy}
      onOk={() => form.submit()}
      onCancel={() => onClose()}
      destroyOnHidden
    >
      {error ? <ProblemAlert error={error} /> : null}
      <Form
        form={form}
        layout="vertical"
        onFinish={submit}
        initialValues={{
          grantTypes: ['authorization_code'],
          scopes: ['openid', 'profile'],
          tokenEndpointAuthMethod: 'client_secret_basic',
        }}
      >
        <Form.Item
          name="name"
          label={s('name')}
          rules={[{ required: true, whitespace: true, message: t('nameRequired') }]}
        >
          <Input />
        </Form.Item>
        <Form.Item name="redirectUris" label={t('redirectUris')} extra={t('redirectUrisHelp')}>
          <Input.TextArea rows={2} />
        </Form.Item>
        <Form.Item
          name="postLogoutRedirectUris"
          label={t('postLogoutRedirectUris')}
          extra={t('redirectUrisHelp')}
        >
          <Input.TextArea rows={2} />
        </Form.Item>
        <Form.Item
          name="grantTypes"
          label={t('grantTypes')}
          rules={[{ required: true, type: 'array', min: 1, message: t('grantTypesRequired') }]}
        >
          <Checkbox.Group options={[...GRANT_TYPES]} />
        </Form.Item>
        <Form.Item
          name="scopes"
          label={t('scopes')}
          rules={[{ required: true, type: 'array', min: 1, message: t('scopesRequired') }]}
        >
          <Checkbox.Group options={[...SCOPES]} />
        </Form.Item>
        <Form.Item name="tokenEndpointAuthMethod" label={t('authMethod')}>
          <Radio.Group options={[...AUTH_METHODS]} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
