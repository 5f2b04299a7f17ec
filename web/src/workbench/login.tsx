import { LockOutlined, UserOutlined } from '@ant-design/icons';
import { Button, Card, Flex, Form, Input, Typography } from 'antd';
import { useState } from 'react';
import { Navigate, useSearchParams } from 'react-router';
import { api, data } from '../api/client.ts';
import { useT } from '../i18n/index.tsx';
import { LanguageSwitch } from '../shared/language-switch.tsx';
import { ProblemAlert } from '../shared/problem.tsx';
import { useSession } from '../shared/session.tsx';
import { messages } from './messages.ts';

interface Credentials {
  username: string;
  password: string;
}

/** Only a path inside the workbench is followed after sign-in (no open redirect). */
const safeNext = (next: string | null) =>
  next && next.startsWith('/workbench') && !next.startsWith('/workbench/login') ? next : '/workbench';

/** Staff sign in with their username and password; the session is an httpOnly cookie. */
export default function Login() {
  const t = useT(messages);
  const { profile, refresh } = useSession();
  const [params] = useSearchParams();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  if (profile?.kind === 'staff') return <Navigate to={safeNext(params.get('next'))} replace />;

  const signIn = async (values: Credentials) => {
    setBusy(true);
    setError(undefined);
    try {
      await data(api.POST('/api/v1/identity/login/password', { body: { ...values, client: 'browser' } }));
      await refresh();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="wb-login">
      <Flex justify="flex-end">
        <LanguageSwitch />
      </Flex>
      <Card className="wb-login-card">
        <Typography.Title level={1} style={{ fontSize: 24, marginTop: 0 }}>
          {t('loginTitle')}
        </Typography.Title>
        <Typography.Paragraph type="secondary">{t('loginSubtitle')}</Typography.Paragraph>
        {profile ? (
          <Typography.Paragraph type="danger" role="alert">
            {t('notStaff')}
          </Typography.Paragraph>
        ) : null}
        {error ? (
          <div style={{ marginBottom: 16 }}>
            <ProblemAlert error={error} />
          </div>
        ) : null}
        <Form<Credentials> layout="vertical" onFinish={(values) => void signIn(values)} requiredMark={false}>
          <Form.Item
            name="username"
            label={t('username')}
            rules={[{ required: true, whitespace: true, message: t('usernameRequired') }]}
          >
            <Input prefix={<UserOutlined />} autoComplete="username" autoFocus />
          </Form.Item>
          <Form.Item
            name="password"
            label={t('password')}
            rules={[{ required: true, message: t('passwordRequired') }]}
          >
            <Input.Password prefix={<LockOutlined />} autoComplete="current-password" />
          </Form.Item>
          <Button type="primary" htmlType="submit" block loading={busy}>
            {t('signIn')}
          </Button>
        </Form>
      </Card>
    </main>
  );
}
