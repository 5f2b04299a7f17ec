import { AppstoreOutlined, HomeOutlined, SearchOutlined, UserOutlined } from '@ant-design/icons';
import { Button, Grid } from 'antd';
import { Suspense, lazy, type ReactNode } from 'react';
import { Link, useLocation, useNavigate } from 'react-router';
import { useT } from '../i18n/index.tsx';
import { LanguageSwitch } from '../shared/language-switch.tsx';
import { common } from '../shared/messages.ts';
import { useSession } from '../shared/session.tsx';
import { SearchBox } from './components/search-box.tsx';
import './components/portal.css';
import { portal } from './messages.ts';

/** `/login?next=<where we are>`: sign-in comes back to the page that asked for it. */
export function loginPath(next: string) {
  return `/login?next=${encodeURIComponent(next)}`;
}

/** The signed-in menu (a dropdown) loads only for someone signed in: the home page stays light. */
const SignedInMenu = lazy(() => import('./components/user-menu.tsx'));

function UserMenu({ compact }: { compact: boolean }) {
  const c = useT(common);
  const { profile } = useSession();
  const navigate = useNavigate();
  const location = useLocation();
  if (profile === undefined) return null;
  if (profile === null) {
    if (location.pathname === '/login') return null;
    return (
      <Button
        type="primary"
        ghost
        className="tb-login-button"
        icon={<UserOutlined />}
        onClick={() => void navigate(loginPath(location.pathname + location.search))}
      >
        {c('login')}
      </Button>
    );
  }
  return (
    <Suspense fallback={<Button type="text" icon={<UserOutlined />} loading />}>
      <SignedInMenu profile={profile} compact={compact} />
    </Suspense>
  );
}

function BottomNav() {
  const t = useT(portal);
  const c = useT(common);
  const { pathname } = useLocation();
  const links = [
    { to: '/', label: c('home'), icon: <HomeOutlined />, current: pathname === '/' },
    { to: '/search', label: t('searchButton'), icon: <SearchOutlined />, current: pathname === '/search' },
    { to: '/my', label: t('mySpace'), icon: <AppstoreOutlined />, current: pathname.startsWith('/my') },
    { to: '/account', label: t('account'), icon: <UserOutlined />, current: pathname.startsWith('/account') },
  ];
  return (
    <nav className="tb-bottom-nav" aria-label={t('mainNav')}>
      {links.map((link) => (
        <Link key={link.to} to={link.to} aria-current={link.current ? 'page' : undefined}>
          {link.icon}
          <span>{link.label}</span>
        </Link>
      ))}
    </nav>
  );
}

/**
 * The portal's frame: a header with the site's name, a search box on inner pages, the
 * language switch and the account menu; on phones a compact header and a bottom
 * navigation bar; a footer. The page itself goes into `<main>`.
 */
export function PortalLayout({ children }: { children: ReactNode }) {
  const t = useT(portal);
  const screens = Grid.useBreakpoint();
  const phone = screens.md === false;
  const { pathname, search } = useLocation();
  const navigate = useNavigate();
  const showSearch = !phone && pathname !== '/' && pathname !== '/search';
  const query = new URLSearchParams(search).get('q') ?? '';
  return (
    // Plain elements rather than antd's Layout and Typography: the home page's chunk stays small.
    <div className={`tb-portal${phone ? ' tb-phone' : ''}`}>
      <a className="tb-skip-link" href="#main">
        {t('skipToContent')}
      </a>
      <header className="tb-header">
        <Link to="/" className="tb-brand">
          {t('siteName')}
        </Link>
        {showSearch ? (
          <div className="tb-header-search">
            <SearchBox initial={query} />
          </div>
        ) : null}
        <div className="tb-header-tools">
          {phone && pathname !== '/search' ? (
            <Button
              type="text"
              aria-label={t('searchLabel')}
              icon={<SearchOutlined />}
              onClick={() => void navigate('/search')}
            />
          ) : null}
          <LanguageSwitch />
          <UserMenu compact={phone} />
        </div>
      </header>
      <main id="main" className="tb-content">
        {children}
      </main>
      <footer className="tb-footer">
        <div>{t('footerOrganiser')}</div>
        <div>{t('footerHotline')}</div>
        <div>{t('footerNote')}</div>
      </footer>
      {phone ? <BottomNav /> : null}
    </div>
  );
}
