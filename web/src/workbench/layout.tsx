import { LogoutOutlined, MenuOutlined } from '@ant-design/icons';
import { Button, Drawer, Flex, Grid, Layout, Menu, Spin, Typography } from 'antd';
import { useState, type ReactNode } from 'react';
import { Navigate, useLocation, useNavigate, useSearchParams } from 'react-router';
import { useT } from '../i18n/index.tsx';
import { LanguageSwitch } from '../shared/language-switch.tsx';
import { common } from '../shared/messages.ts';
import { useSession } from '../shared/session.tsx';
import { messages } from './messages.ts';
import { ShortcutHelp, useShortcuts } from './shortcuts.tsx';

/** The lists of the side navigation: a view of the task list (overdue = every case in my jurisdiction past a deadline). */
export const NAV_VIEWS = ['mine', 'department', 'all', 'overdue'] as const;
export type NavView = (typeof NAV_VIEWS)[number];
const NAV_LABELS = {
  mine: 'viewMine',
  department: 'viewDepartment',
  all: 'viewAll',
  overdue: 'viewOverdue',
} as const;

function SideMenu({ onNavigate }: { onNavigate?: () => void }) {
  const t = useT(messages);
  const navigate = useNavigate();
  const location = useLocation();
  const [params] = useSearchParams();
  const { profile } = useSession();
  const onList = location.pathname.replace(/\/$/, '') === '/workbench';
  const onAppointments = location.pathname.startsWith('/workbench/appointments');
  const selected = onList ? (params.get('view') ?? 'mine') : onAppointments ? 'appointments' : '';
  // The hall's appointments are for those who receive people at the hall or run it.
  const hall = profile?.staff?.permissions.some((p) => p === 'case.receive' || p === 'hall.manage');
  return (
    <Menu
      mode="inline"
      selectedKeys={[selected]}
      items={[
        ...NAV_VIEWS.map((view) => ({ key: view, label: t(NAV_LABELS[view]) })),
        ...(hall ? [{ key: 'appointments', label: t('navAppointments') }] : []),
      ]}
      onClick={({ key }) => {
        void navigate(key === 'appointments' ? '/workbench/appointments' : `/workbench?view=${key}`);
        onNavigate?.();
      }}
    />
  );
}

/** The staff shell: who is signed in (name, department, window), navigation, language, sign out. */
export function WorkbenchLayout({ children }: { children: ReactNode }) {
  const t = useT(messages);
  const tc = useT(common);
  const { profile, logout } = useSession();
  const screens = Grid.useBreakpoint();
  const phone = !screens.md;
  const [drawer, setDrawer] = useState(false);
  const [help, setHelp] = useState(false);
  const location = useLocation();
  useShortcuts({ '?': () => setHelp((open) => !open) });

  if (profile === undefined) return <Spin fullscreen />;
  if (profile === null || profile.kind !== 'staff' || !profile.staff)
    return (
      <Navigate
        to={`/workbench/login?next=${encodeURIComponent(location.pathname + location.search)}`}
        replace
      />
    );
  const staff = profile.staff;

  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Layout.Header className="wb-header">
        <Flex align="center" gap={8} style={{ minWidth: 0, flex: 1 }}>
          {phone ? (
            <Button
              type="text"
              icon={<MenuOutlined />}
              aria-label={t('menu')}
              aria-expanded={drawer}
              onClick={() => setDrawer(true)}
              className="wb-header-button"
            />
          ) : null}
          <span className="wb-brand">
            {tc('appName')} · {tc('workbench')}
          </span>
          <div className="wb-who" data-testid="staff-identity">
            <Typography.Text strong className="wb-header-text">
              {profile.name}
            </Typography.Text>
            <Typography.Text className="wb-header-text wb-who-detail">
              {staff.organisationName}
              {staff.hallWindow ? ` · ${t('window', { window: staff.hallWindow })}` : ''}
            </Typography.Text>
          </div>
        </Flex>
        <Flex align="center" gap={4} className="wb-header-actions">
          <LanguageSwitch />
          <Button
            type="text"
            icon={<LogoutOutlined />}
            aria-label={phone ? tc('logout') : undefined}
            onClick={() => void logout()}
          >
            {phone ? null : tc('logout')}
          </Button>
        </Flex>
      </Layout.Header>
      <Layout>
        {phone ? (
          <Drawer
            open={drawer}
            onClose={() => setDrawer(false)}
            placement="left"
            title={t('navigation')}
            size={260}
          >
            <nav aria-label={t('navigation')}>
              <SideMenu onNavigate={() => setDrawer(false)} />
            </nav>
          </Drawer>
        ) : (
          <Layout.Sider width={200} theme="light" className="wb-sider">
            <nav aria-label={t('navigation')}>
              <SideMenu />
            </nav>
          </Layout.Sider>
        )}
        {/* Layout.Content is the page's <main> landmark. */}
        <Layout.Content className="wb-content">{children}</Layout.Content>
      </Layout>
      <ShortcutHelp open={help} onClose={() => setHelp(false)} />
    </Layout>
  );
}
