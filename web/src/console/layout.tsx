import { LogoutOutlined, MenuOutlined } from '@ant-design/icons';
import { Button, Card, Drawer, Flex, Form, Grid, Input, Layout, Menu, Result, Spin, Typography } from 'antd';
import type { MenuProps } from 'antd';
import { useState, type ReactNode } from 'react';
import { Link, useLocation, useNavigate } from 'react-router';
import { api, fieldErrors } from '../api/client.ts';
import { useLocale, useT } from '../i18n/index.tsx';
import { LanguageSwitch } from '../shared/language-switch.tsx';
import { common } from '../shared/messages.ts';
import { ProblemAlert } from '../shared/problem.tsx';
import { useSession } from '../shared/session.tsx';
import { usePermissions } from './common.tsx';
import { shell } from './messages.ts';

type ShellKey = keyof (typeof shell)['zh-CN'];

interface Section {
  path: string;
  label: ShellKey;
  /** Shown to staff holding any of these. */
  permissions: string[];
}

/** The console's sections in menu order; the data-sharing pages form one group. */
export const SECTIONS: Section[] = [
  { path: 'dashboard', label: 'dashboard', permissions: ['supervision.read', 'audit.read'] },
  { path: 'catalog', label: 'catalog', permissions: ['catalog.manage'] },
  { path: 'catalog/bundles', label: 'bundles', permissions: ['catalog.manage'] },
  { path: 'directory', label: 'directory', permissions: ['directory.read', 'directory.manage'] },
  { path: 'staff', label: 'staff', permissions: ['staff.read', 'staff.manage', 'role.manage'] },
  { path: 'oidc-clients', label: 'oidcClients', permissions: ['oidc.manage'] },
  { path: 'calendar', label: 'calendar', permissions: ['calendar.manage'] },
];
export const EXCHANGE_SECTIONS: Section[] = (
  ['resources', 'consumers', 'grants', 'accesses', 'batches'] as const
).map((page) => ({ path: `exchange/${page}`, label: page, permissions: ['exchange.manage'] }));

/** The sections the signed-in staff member may open. */
export function useAllowedSections(): Section[] {
  const may = usePermissions();
  return [...SECTIONS, ...EXCHANGE_SECTIONS].filter((s) => may(...s.permissions));
}

function SideMenu({ onNavigate }: { onNavigate?: () => void }) {
  const t = useT(shell);
  const may = usePermissions();
  const { pathname } = useLocation();
  const navigate = useNavigate();
  const item = (s: Section) => ({ key: s.path, label: t(s.label) });
  const exchange = EXCHANGE_SECTIONS.filter((s) => may(...s.permissions)).map(item);
  const items: MenuProps['items'] = [
    ...SECTIONS.filter((s) => may(...s.permissions)).map(item),
    ...(exchange.length > 0 ? [{ key: 'exchange', label: t('exchange'), children: exchange }] : []),
  ];
  // The longest section path the address starts with (catalog/bundles before catalog).
  const relative = pathname.replace(/^\/console\/?/, '');
  const selected = [...SECTIONS, ...EXCHANGE_SECTIONS]
    .map((s) => s.path)
    .filter((p) => relative === p || relative.startsWith(`${p}/`))
    .sort((a, b) => b.length - a.length)[0];
  return (
    <nav aria-label={t('navigation')}>
      <Menu
        mode="inline"
        items={items}
        selectedKeys={selected ? [selected] : []}
        defaultOpenKeys={['exchange']}
        onClick={({ key }) => {
          void navigate(`/console/${key}`);
          onNavigate?.();
        }}
        style={{ borderInlineEnd: 'none' }}
      />
    </nav>
  );
}

/** Staff sign in here with username and password (the portal's login is for residents). */
function StaffSignIn() {
  const t = useT(shell);
  const { refresh } = useSession();
  const { locale } = useLocale();
  const [form] = Form.useForm<{ username: string; password: string }>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const submit = async (values: { username: string; password: string }) => {
    setBusy(true);
    setError(undefined);
    try {
      await api.POST('/api/v1/identity/login/password', { body: { ...values, client: 'browser' } });
      await refresh();
    } catch (e) {
      const fields = fieldErrors(e, locale === 'en');
      form.setFields(
        Object.entries(fields).map(([name, message]) => ({ name: name as 'username', errors: [message] })),
      );
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Flex justify="center" style={{ padding: '48px 16px' }}>
      <Card style={{ width: '100%', maxWidth: 400 }}>
        <Typography.Title level={1} style={{ fontSize: 22 }}>
          {t('signInTitle')}
        </Typography.Title>
        <Typography.Paragraph type="secondary">{t('signInHint')}</Typography.Paragraph>
        {error ? <ProblemAlert error={error} /> : null}
        <Form form={form} layout="vertical" onFinish={submit} requiredMark={false} style={{ marginTop: 16 }}>
          <Form.Item
            name="username"
            label={t('username')}
            rules={[{ required: true, message: t('usernameRequired') }]}
          >
            <Input autoComplete="username" />
          </Form.Item>
          <Form.Item
            name="password"
            label={t('password')}
            rules={[{ required: true, message: t('passwordRequired') }]}
          >
            <Input.Password autoComplete="current-password" />
          </Form.Item>
          <Button type="primary" htmlType="submit" block loading={busy}>
            {t('signIn')}
          </Button>
        </Form>
      </Card>
    </Flex>
  );
}

function Header({ onMenu }: { onMenu?: () => void }) {
  const t = useT(shell);
  const c = useT(common);
  const { profile, logout } = useSession();
  const screens = Grid.useBreakpoint();
  return (
    <Layout.Header
      style={{
        background: '#fff',
        borderBottom: '1px solid #e5e7eb',
        paddingInline: 16,
        display: 'flex',
        alignItems: 'center',
        gap: 8,
      }}
    >
      {onMenu ? (
        <Button type="text" icon={<MenuOutlined />} aria-label={t('openMenu')} onClick={onMenu} />
      ) : null}
      <Link to="/console" style={{ fontWeight: 600, fontSize: 16, whiteSpace: 'nowrap' }}>
        {c('appName')} · {c('console')}
      </Link>
      <Flex gap={4} align="center" style={{ marginInlineStart: 'auto', minWidth: 0 }}>
        {profile && screens.md ? (
          <Typography.Text ellipsis style={{ maxWidth: 360 }} data-testid="signed-in-as">
            {profile.name}
            {profile.staff ? ` · ${profile.staff.organisationName}` : ''}
          </Typography.Text>
        ) : null}
        <LanguageSwitch />
        {profile ? (
          <Button
            type="text"
            icon={<LogoutOutlined />}
            aria-label={c('logout')}
            onClick={() => void logout()}
          >
            {screens.md ? c('logout') : null}
          </Button>
        ) : null}
      </Flex>
    </Layout.Header>
  );
}

/** The console's frame: header, side menu by permission (a drawer on phones), sign-in when needed. */
export function ConsoleLayout({ children }: { children: ReactNode }) {
  const t = useT(shell);
  const c = useT(common);
  const { profile, logout } = useSession();
  const screens = Grid.useBreakpoint();
  const [drawer, setDrawer] = useState(false);
  const phone = !screens.md;

  let body: ReactNode;
  if (profile === undefined) body = <Spin style={{ display: 'block', margin: '64px auto' }} />;
  else if (profile === null) body = <StaffSignIn />;
  else if (profile.kind !== 'staff')
    body = (
      <Result
        status="403"
        title={t('notStaffTitle')}
        subTitle={t('notStaffText')}
        extra={<Button onClick={() => void logout()}>{c('logout')}</Button>}
      />
    );
  if (body)
    return (
      <Layout style={{ minHeight: '100vh' }}>
        <Header />
        {/* antd's Content is the page's <main> landmark. */}
        <Layout.Content>{body}</Layout.Content>
      </Layout>
    );

  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Header onMenu={phone ? () => setDrawer(true) : undefined} />
      <Layout>
        {phone ? (
          <Drawer
            open={drawer}
            placement="left"
            size={260}
            title={t('menu')}
            onClose={() => setDrawer(false)}
          >
            <SideMenu onNavigate={() => setDrawer(false)} />
          </Drawer>
        ) : (
          <Layout.Sider width={220} theme="light" style={{ borderInlineEnd: '1px solid #e5e7eb' }}>
            <SideMenu />
          </Layout.Sider>
        )}
        <Layout.Content style={{ padding: phone ? 12 : 24, minWidth: 0 }}>{children}</Layout.Content>
      </Layout>
    </Layout>
  );
}
