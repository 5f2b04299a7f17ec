import { DownOutlined, UserOutlined } from '@ant-design/icons';
import { Button, Dropdown, type MenuProps } from 'antd';
import { useNavigate } from 'react-router';
import { useT } from '../../i18n/index.tsx';
import { common } from '../../shared/messages.ts';
import { useSession, type Profile } from '../../shared/session.tsx';
import { portal } from '../messages.ts';

/** The signed-in person's menu: my space, account, acting for an enterprise, sign out. */
export default function SignedInMenu({ profile, compact }: { profile: Profile; compact: boolean }) {
  const t = useT(portal);
  const c = useT(common);
  const { logout } = useSession();
  const navigate = useNavigate();
  const name = profile.name ?? profile.phone ?? t('unnamed');
  const items: MenuProps['items'] = [
    ...(profile.acting
      ? [{ key: 'acting', label: t('actingAs', { name: profile.acting.name }), disabled: true }]
      : []),
    { key: '/my', label: t('mySpace') },
    { key: '/account', label: t('account') },
    ...(profile.enterprises.length > 0 ? [{ key: '/account#acting', label: t('actForEnterprise') }] : []),
    ...(profile.staff ? [{ key: '/workbench', label: c('workbench') }] : []),
    { type: 'divider' as const },
    { key: 'logout', label: c('logout') },
  ];
  const onClick: MenuProps['onClick'] = ({ key }) => {
    if (key === 'logout') void logout().then(() => navigate('/'));
    else void navigate(key);
  };
  return (
    <Dropdown menu={{ items, onClick }} trigger={['click']}>
      <Button
        type="text"
        // Only the icon on a phone needs a name; elsewhere the visible text is the name (WCAG 2.5.3).
        aria-label={compact ? t('userMenu', { name }) : undefined}
        icon={<UserOutlined aria-hidden />}
      >
        {compact ? null : (
          <>
            {profile.acting ? `${profile.acting.name} · ` : ''}
            {name} <DownOutlined aria-hidden />
          </>
        )}
      </Button>
    </Dropdown>
  );
}
