import { Button, Card, Flex, Form, Input, Result, Space, Tabs, Typography } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { ApiProblem, api, data, fieldErrors } from '../api/client.ts';
import { useLocale, useT } from '../i18n/index.tsx';
import { ProblemAlert } from '../shared/problem.tsx';
import { useSession } from '../shared/session.tsx';
import { portal } from './messages.ts';

const PHONE = /^1[3-9]\d{9}$/;
const SMS_CODE = /^\d{6}$/;

/** Where to go after signing in: a path of this site only (never another origin). */
function useNext() {
  const [params] = useSearchParams();
  const next = params.get('next') ?? '/';
  return next.startsWith('/') && !next.startsWith('//') ? next : '/';
}

/** Signs in and goes on: the session cookie is set, the profile is read, then `next`. */
function useSignedIn() {
  const { refresh } = useSession();
  const navigate = useNavigate();
  const next = useNext();
  return useCallback(async () => {
    await refresh();
    await navigate(next, { replace: true });
  }, [refresh, navigate, next]);
}

/** A server refusal on the form: field errors beside their fields, anything else above the form. */
function useFormProblem<T>(form: ReturnType<typeof Form.useForm<T>>[0]) {
  const { locale } = useLocale();
  const [problem, setProblem] = useState<unknown>(undefined);
  const show = (error: unknown) => {
    const fields = Object.entries(fieldErrors(error, locale === 'en'));
    if (fields.length > 0)
      form.setFields(fields.map(([name, message]) => ({ name: name as never, errors: [message] })));
    else setProblem(error);
  };
  return { problem, show, clear: () => setProblem(undefined) };
}

/** The send-code button with its countdown; asks for a code only for a well-formed number. */
function SendCodeButton({
  form,
  purpose,
  onProblem,
}: {
  form: ReturnType<typeof Form.useForm<{ phone: string }>>[0];
  purpose: 'login' | 'signup';
  onProblem: (error: unknown) => void;
}) {
  const t = useT(portal);
  const [wait, setWait] = useState(0);
  const [sending, setSending] = useState(false);
  const [sent, setSent] = useState<number | null>(null);
  useEffect(() => {
    if (wait <= 0) return;
    const timer = setTimeout(() => setWait((w) => w - 1), 1000);
    return () => clearTimeout(timer);
  }, [wait]);
  const send = async () => {
    const { phone } = await form.validateFields(['phone']).catch(() => ({ phone: undefined }));
    if (!phone) return;
    setSending(true);
    try {
      const result = await data(api.POST('/api/v1/identity/sms-codes', { body: { phone, purpose } }));
      setWait(result.resendAfter);
      setSent(Math.round(result.expiresIn / 60));
    } catch (error) {
      if (error instanceof ApiProblem && typeof error.problem.retryAfter === 'number')
        setWait(error.problem.retryAfter);
      onProblem(error);
    } finally {
      setSending(false);
    }
  };
  return (
    <Flex vertical gap={4}>
      <Button onClick={() => void send()} disabled={wait > 0} loading={sending}>
        {wait > 0 ? t('resendIn', { n: wait }) : t('sendCode')}
      </Button>
      {sent !== null ? (
        <Typography.Text type="secondary" role="status">
          {t('codeSent', { n: sent })}
        </Typography.Text>
      ) : null}
    </Flex>
  );
}

interface SmsValues {
  phone: string;
  code: string;
  password?: string;
}

/** Signing in (or up) with a mobile number and the code sent to it. */
function SmsForm({ purpose }: { purpose: 'login' | 'signup' }) {
  const t = useT(portal);
  const [form] = Form.useForm<SmsValues>();
  const { problem, show, clear } = useFormProblem(form);
  const [busy, setBusy] = useState(false);
  const signedIn = useSignedIn();
  const submit = async (values: SmsValues) => {
    clear();
    setBusy(true);
    try {
      if (purpose === 'signup')
        await data(
          api.POST('/api/v1/identity/signup', {
            body: {
              phone: values.phone,
              code: values.code,
              password: values.password || undefined,
              client: 'browser',
            },
          }),
        );
      else
        await data(
          api.POST('/api/v1/identity/login/sms', {
            body: { phone: values.phone, code: values.code, client: 'browser' },
          }),
        );
      await signedIn();
    } catch (error) {
      show(error);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Form form={form} layout="vertical" onFinish={(values) => void submit(values)} requiredMark={false}>
      {problem ? (
        <div style={{ marginBottom: 16 }}>
          <ProblemAlert error={problem} />
        </div>
      ) : null}
      <Form.Item
        name="phone"
        label={t('phoneLabel')}
        rules={[
          { required: true, message: t('phoneRequired') },
          { pattern: PHONE, message: t('phoneInvalid') },
        ]}
      >
        <Input inputMode="numeric" autoComplete="tel" maxLength={11} placeholder={t('phonePlaceholder')} />
      </Form.Item>
      <Form.Item label={t('codeLabel')} required>
        <Flex gap={8} align="flex-start">
          <Form.Item
            name="code"
            noStyle
            rules={[
              { required: true, message: t('codeRequired') },
              { pattern: SMS_CODE, message: t('codeInvalid') },
            ]}
          >
            <Input
              aria-label={t('codeLabel')}
              inputMode="numeric"
              autoComplete="one-time-code"
              maxLength={6}
              placeholder={t('codePlaceholder')}
            />
          </Form.Item>
          <SendCodeButton form={form as never} purpose={purpose} onProblem={show} />
        </Flex>
      </Form.Item>
      {purpose === 'signup' ? (
        <Form.Item name="password" label={t('passwordLabel')}>
          <Input.Password autoComplete="new-password" />
        </Form.Item>
      ) : null}
      <Button type="primary" htmlType="submit" block size="large" loading={busy}>
        {purpose === 'signup' ? t('signUp') : t('signIn')}
      </Button>
    </Form>
  );
}

interface PasswordValues {
  account: string;
  password: string;
}

/** Persons sign in with their number, staff with their username. */
function PasswordForm() {
  const t = useT(portal);
  const [form] = Form.useForm<PasswordValues>();
  const { problem, show, clear } = useFormProblem(form);
  const [busy, setBusy] = useState(false);
  const signedIn = useSignedIn();
  const submit = async ({ account, password }: PasswordValues) => {
    clear();
    setBusy(true);
    const who = PHONE.test(account) ? { phone: account } : { username: account };
    try {
      await data(
        api.POST('/api/v1/identity/login/password', { body: { ...who, password, client: 'browser' } }),
      );
      await signedIn();
    } catch (error) {
      show(error);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Form form={form} layout="vertical" onFinish={(values) => void submit(values)} requiredMark={false}>
      {problem ? (
        <div style={{ marginBottom: 16 }}>
          <ProblemAlert error={problem} />
        </div>
      ) : null}
      <Form.Item
        name="account"
        label={t('accountLabel')}
        extra={t('staffHint')}
        rules={[{ required: true, whitespace: true, message: t('accountRequired') }]}
      >
        <Input autoComplete="username" maxLength={100} />
      </Form.Item>
      <Form.Item
        name="password"
        label={t('passwordLabel')}
        rules={[{ required: true, message: t('passwordRequired') }]}
      >
        <Input.Password autoComplete="current-password" />
      </Form.Item>
      <Button type="primary" htmlType="submit" block size="large" loading={busy}>
        {t('signIn')}
      </Button>
    </Form>
  );
}

type QrStatus = 'pending' | 'scanned' | 'approved' | 'denied' | 'consumed' | 'expired';

/** A QR code the Tongban app scans; the page polls until the phone approves, then redeems it once. */
function QrLogin() {
  const t = useT(portal);
  const signedIn = useSignedIn();
  const [round, setRound] = useState(0);
  const [qr, setQr] = useState<{ code: string; image: string; interval: number } | null>(null);
  const [status, setStatus] = useState<QrStatus>('pending');
  const [problem, setProblem] = useState<unknown>(undefined);
  useEffect(() => {
    let current = true;
    setQr(null);
    setStatus('pending');
    void (async () => {
      try {
        const created = await data(api.POST('/api/v1/identity/qr-logins'));
        const { toDataURL } = await import('qrcode');
        const image = await toDataURL(created.qrContent, { width: 220, margin: 1 });
        if (current) setQr({ code: created.code, image, interval: created.pollIntervalSeconds });
      } catch (error) {
        if (current) setProblem(error);
      }
    })();
    return () => {
      current = false;
    };
  }, [round]);
  useEffect(() => {
    if (!qr || status === 'expired' || status === 'denied' || status === 'consumed') return;
    const timer = setInterval(() => {
      void (async () => {
        try {
          const polled = await data(
            api.GET('/api/v1/identity/qr-logins/{code}', { params: { path: { code: qr.code } } }),
          );
          if (polled.status === 'approved') {
            clearInterval(timer);
            await data(
              api.POST('/api/v1/identity/qr-logins/{code}/session', { params: { path: { code: qr.code } } }),
            );
            await signedIn();
            return;
          }
          setStatus(polled.status);
        } catch (error) {
          clearInterval(timer);
          setProblem(error);
        }
      })();
    }, qr.interval * 1000);
    return () => clearInterval(timer);
  }, [qr, status, signedIn]);
  if (problem)
    return <ProblemAlert error={problem} onRetry={() => (setProblem(undefined), setRound((r) => r + 1))} />;
  const ended = status === 'expired' || status === 'denied';
  return (
    <Flex vertical align="center" gap={12}>
      <Typography.Paragraph>{t('qrHint')}</Typography.Paragraph>
      {qr ? (
        <img src={qr.image} alt={t('qrAlt')} width={220} height={220} style={{ opacity: ended ? 0.2 : 1 }} />
      ) : (
        <div style={{ width: 220, height: 220 }} />
      )}
      <div role="status">
        {status === 'scanned' ? t('qrScanned') : null}
        {status === 'expired' ? t('qrExpired') : null}
        {status === 'denied' ? t('qrDenied') : null}
      </div>
      {ended ? <Button onClick={() => setRound((r) => r + 1)}>{t('qrRefresh')}</Button> : null}
    </Flex>
  );
}

/** 登录: SMS code, password or QR code; sign-up with an SMS code; back to `next` afterwards. */
export default function Login() {
  const t = useT(portal);
  const { profile } = useSession();
  const next = useNext();
  const navigate = useNavigate();
  const [tab, setTab] = useState('sms');
  if (profile)
    return (
      <Result
        status="success"
        title={
          <h1 style={{ fontSize: 24, margin: 0 }}>
            {t('signedInAs', { name: profile.name ?? profile.phone ?? profile.username ?? '' })}
          </h1>
        }
        extra={
          <Button type="primary" onClick={() => void navigate(next)}>
            {t('continue')}
          </Button>
        }
      />
    );
  return (
    <Flex justify="center">
      <Card style={{ width: '100%', maxWidth: 460 }}>
        <Space direction="vertical" style={{ width: '100%' }}>
          <Typography.Title level={1} style={{ fontSize: 24, margin: 0 }}>
            {t('loginTitle')}
          </Typography.Title>
          <Typography.Paragraph type="secondary">{t('loginSubtitle')}</Typography.Paragraph>
          <Tabs
            activeKey={tab}
            onChange={setTab}
            destroyOnHidden
            items={[
              { key: 'sms', label: t('smsTab'), children: <SmsForm purpose="login" /> },
              { key: 'password', label: t('passwordTab'), children: <PasswordForm /> },
              { key: 'qr', label: t('qrTab'), children: tab === 'qr' ? <QrLogin /> : null },
              { key: 'signup', label: t('signUpTab'), children: <SmsForm purpose="signup" /> },
            ]}
          />
        </Space>
      </Card>
    </Flex>
  );
}
