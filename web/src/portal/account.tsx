import {
  App,
  Button,
  Card,
  Descriptions,
  Flex,
  Form,
  Input,
  List,
  Result,
  Skeleton,
  Tag,
  Typography,
} from 'antd';
import { useEffect, useState } from 'react';
import { Navigate, useLocation, useNavigate } from 'react-router';
import { api, data } from '../api/client.ts';
import { useLocale, useT } from '../i18n/index.tsx';
import { ProblemAlert } from '../shared/problem.tsx';
import { useSubmit } from '../shared/use-submit.ts';
import { useSession, type Profile } from '../shared/session.tsx';
import { loginPath } from './layout.tsx';
import { portal } from './messages.ts';

const ID_NUMBER = /^\d{17}[\dXx]$/;
/** GB 32100's alphabet; the check character is the server's to verify. */
const USCC = /^[0-9A-HJ-NP-RT-UW-Y]{18}$/;

function useDate() {
  const { locale } = useLocale();
  return (iso: string) => new Date(iso).toLocaleDateString(locale === 'en' ? 'en-GB' : 'zh-CN');
}

function ProfileCard({ profile }: { profile: Profile }) {
  const t = useT(portal);
  const levels = [t('assurance0'), t('assurance1'), t('assurance2'), t('assurance3')];
  return (
    <Card title={<h2 className="tb-card-title">{t('profile')}</h2>}>
      <Descriptions column={{ xs: 1, md: 2 }} size="small" bordered>
        <Descriptions.Item label={t('name')}>{profile.name ?? t('unnamed')}</Descriptions.Item>
        <Descriptions.Item label={t('phoneLabel')}>{profile.phone ?? t('notSet')}</Descriptions.Item>
        <Descriptions.Item label={t('idNumber')}>{profile.idNumber ?? t('notSet')}</Descriptions.Item>
        <Descriptions.Item label={t('assurance')}>
          <Tag color={profile.assurance >= 2 ? 'green' : 'orange'}>{levels[profile.assurance] ?? ''}</Tag>
        </Descriptions.Item>
        <Descriptions.Item label={t('email')}>{profile.email ?? t('notSet')}</Descriptions.Item>
      </Descriptions>
    </Card>
  );
}

function RealNameCard({ profile }: { profile: Profile }) {
  const t = useT(portal);
  const date = useDate();
  const { refresh } = useSession();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ name: string; idNumber: string }>();
  const {
    submit,
    error: problem,
    busy,
  } = useSubmit(
    form,
    async (body) => {
      await data(
        api.POST('/api/v1/identity/me/real-name', {
          body: { ...body, idNumber: body.idNumber.toUpperCase() },
        }),
      );
      await refresh();
      void message.success(t('verified'));
    },
    { alertFieldErrors: false },
  );
  return (
    <Card title={<h2 className="tb-card-title">{t('realName')}</h2>}>
      {profile.realNameVerifiedAt ? (
        <Typography.Paragraph>
          {t('realNameDone', { date: date(profile.realNameVerifiedAt) })}
        </Typography.Paragraph>
      ) : (
        <Form form={form} layout="vertical" requiredMark={false} onFinish={(v) => void submit(v)}>
          <Typography.Paragraph type="secondary">{t('realNameText')}</Typography.Paragraph>
          {problem ? (
            <div style={{ marginBottom: 16 }}>
              <ProblemAlert error={problem} />
            </div>
          ) : null}
          <Form.Item
            name="name"
            label={t('realNameLabel')}
            rules={[{ required: true, whitespace: true, message: t('realNameRequired') }]}
          >
            <Input autoComplete="name" maxLength={50} />
          </Form.Item>
          <Form.Item
            name="idNumber"
            label={t('idNumberLabel')}
            rules={[
              { required: true, message: t('idNumberRequired') },
              { pattern: ID_NUMBER, message: t('idNumberInvalid') },
            ]}
          >
            <Input maxLength={18} autoComplete="off" />
          </Form.Item>
          <Button type="primary" htmlType="submit" loading={busy}>
            {t('verify')}
          </Button>
        </Form>
      )}
    </Card>
  );
}

function FaceCard({ profile }: { profile: Profile }) {
  const t = useT(portal);
  const date = useDate();
  const { refresh } = useSession();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ idNumber: string }>();
  const {
    submit,
    error: problem,
    busy,
  } = useSubmit(
    form,
    async ({ idNumber }) => {
      // The demo face service takes "demo-face:<ID number>" as the evidence of a live face.
      await data(
        api.POST('/api/v1/identity/me/face', { body: { evidence: `demo-face:${idNumber.toUpperCase()}` } }),
      );
      await refresh();
      void message.success(t('faceVerified'));
    },
    { alertFieldErrors: false },
  );
  if (profile.assurance < 2) return null;
  return (
    <Card title={<h2 className="tb-card-title">{t('face')}</h2>}>
      {profile.faceVerifiedAt ? (
        <Typography.Paragraph>{t('faceDone', { date: date(profile.faceVerifiedAt) })}</Typography.Paragraph>
      ) : (
        <Form form={form} layout="vertical" requiredMark={false} onFinish={(v) => void submit(v)}>
          <Typography.Paragraph type="secondary">{t('faceText')}</Typography.Paragraph>
          {problem ? (
            <div style={{ marginBottom: 16 }}>
              <ProblemAlert error={problem} />
            </div>
          ) : null}
          <Form.Item
            name="idNumber"
            label={t('idNumberLabel')}
            rules={[
              { required: true, message: t('idNumberRequired') },
              { pattern: ID_NUMBER, message: t('idNumberInvalid') },
            ]}
          >
            <Input maxLength={18} autoComplete="off" />
          </Form.Item>
          <Button htmlType="submit" loading={busy}>
            {t('faceVerify')}
          </Button>
        </Form>
      )}
    </Card>
  );
}

/** The identities the person may act under: themselves and the enterprises with a live mandate. */
function ActingCard({ profile }: { profile: Profile }) {
  const t = useT(portal);
  const date = useDate();
  const { refresh } = useSession();
  const { message } = App.useApp();
  const [problem, setProblem] = useState<unknown>(undefined);
  const [busy, setBusy] = useState<string | null>(null);
  const switchTo = async (enterpriseId: string | null) => {
    setProblem(undefined);
    setBusy(enterpriseId ?? 'self');
    try {
      await data(api.PUT('/api/v1/identity/acting', { body: { enterpriseId } }));
      await refresh();
      void message.success(t('switched'));
    } catch (error) {
      setProblem(error);
    } finally {
      setBusy(null);
    }
  };
  const current = profile.acting?.enterpriseId ?? null;
  const choices = [
    { id: null, name: t('actingSelf', { name: profile.name ?? profile.phone ?? '' }), detail: null },
    ...profile.enterprises.map((e) => ({
      id: e.enterpriseId,
      name: e.name,
      detail: [
        t(`role_${e.role}`),
        e.uscc,
        e.expiresAt ? t('mandateUntil', { date: date(e.expiresAt) }) : null,
      ]
        .filter(Boolean)
        .join(' · '),
    })),
  ];
  return (
    <Card id="acting" title={<h2 className="tb-card-title">{t('acting')}</h2>}>
      {problem ? (
        <div style={{ marginBottom: 16 }}>
          <ProblemAlert error={problem} />
        </div>
      ) : null}
      <Typography.Paragraph type="secondary">
        {profile.enterprises.length > 0 ? t('actingText') : t('noEnterprises')}
      </Typography.Paragraph>
      <List
        dataSource={choices}
        renderItem={(choice) => (
          <List.Item
            key={choice.id ?? 'self'}
            actions={[
              choice.id === current ? (
                <Tag color="blue" key="current">
                  {t('currentIdentity')}
                </Tag>
              ) : (
                <Button
                  key="switch"
                  size="small"
                  loading={busy === (choice.id ?? 'self')}
                  onClick={() => void switchTo(choice.id)}
                  aria-label={`${t('switchTo')}：${choice.name}`}
                >
                  {t('switchTo')}
                </Button>
              ),
            ]}
          >
            <List.Item.Meta title={choice.name} description={choice.detail} />
          </List.Item>
        )}
      />
    </Card>
  );
}

/** A legal representative binds their enterprise (the legal-entity registry must name them). */
function BindEnterpriseCard() {
  const t = useT(portal);
  const { refresh } = useSession();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ uscc: string }>();
  const {
    submit,
    error: problem,
    busy,
  } = useSubmit(
    form,
    async ({ uscc }) => {
      const bound = await data(api.POST('/api/v1/identity/enterprises', { body: { uscc } }));
      await refresh();
      form.resetFields();
      void message.success(t('bound', { name: bound.name }));
    },
    { alertFieldErrors: false },
  );
  return (
    <Card title={<h2 className="tb-card-title">{t('bindTitle')}</h2>}>
      <Form form={form} layout="vertical" requiredMark={false} onFinish={(v) => void submit(v)}>
        <Typography.Paragraph type="secondary">{t('bindText')}</Typography.Paragraph>
        {problem ? (
          <div style={{ marginBottom: 16 }}>
            <ProblemAlert error={problem} />
          </div>
        ) : null}
        <Form.Item
          name="uscc"
          label={t('usccLabel')}
          normalize={(value: string) => value.toUpperCase().trim()}
          rules={[
            { required: true, message: t('usccRequired') },
            { pattern: USCC, message: t('usccInvalid') },
          ]}
        >
          <Input maxLength={18} autoComplete="off" />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={busy}>
          {t('bind')}
        </Button>
      </Form>
    </Card>
  );
}

/** 账户与认证: profile, real-name and face verification, and the identity to act under. */
export default function Account() {
  const t = useT(portal);
  const { profile } = useSession();
  const location = useLocation();
  const navigate = useNavigate();
  useEffect(() => {
    if (location.hash === '#acting') document.getElementById('acting')?.scrollIntoView();
  }, [location.hash, profile]);
  if (profile === undefined) return <Skeleton active />;
  if (profile === null) return <Navigate to={loginPath('/account')} replace />;
  if (profile.kind === 'staff')
    return (
      <Result
        status="info"
        title={<h1 style={{ fontSize: 24, margin: 0 }}>{t('accountTitle')}</h1>}
        subTitle={t('staffAccount')}
        extra={
          <Button type="primary" onClick={() => void navigate('/workbench')}>
            {t('goWorkbench')}
          </Button>
        }
      />
    );
  return (
    <Flex vertical gap={16}>
      <Typography.Title level={1} style={{ fontSize: 26, margin: 0 }}>
        {t('accountTitle')}
      </Typography.Title>
      <ProfileCard profile={profile} />
      <RealNameCard profile={profile} />
      <FaceCard profile={profile} />
      <ActingCard profile={profile} />
      <BindEnterpriseCard />
    </Flex>
  );
}
