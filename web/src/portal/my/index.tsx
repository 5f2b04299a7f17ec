import { Button, Flex, Skeleton } from 'antd';
import { Suspense, lazy, type ReactNode } from 'react';
import { Navigate, Route, Routes, useLocation, useNavigate } from 'react-router';
import { api, data } from '../../api/client.ts';
import { useT } from '../../i18n/index.tsx';
import { useSession } from '../../shared/session.tsx';
import { useApi } from '../../shared/use-api.ts';
import { PageTitle } from '../apply/parts.tsx';
import { loginPath } from '../layout.tsx';
import NotFound from '../not-found.tsx';
import { myTexts } from './messages.ts';

/**
 * 我的空间: my cases and drafts, messages, licences (wallet), files (cloud drive) and who
 * used my data; a case, an application and a licence each have their own page.
 */
const Cases = lazy(() => import('./cases.tsx'));
const CasePage = lazy(() => import('./case.tsx'));
const ApplicationProgress = lazy(() => import('./application.tsx'));
const MessagesPage = lazy(() => import('./messages-page.tsx'));
const Licences = lazy(() => import('./licences.tsx'));
const LicencePage = lazy(() => import('./licence.tsx'));
const Files = lazy(() => import('./files.tsx'));
const DataUses = lazy(() => import('./data-uses.tsx'));
const Appointments = lazy(() => import('./appointments.tsx'));

export default function My() {
  const { profile } = useSession();
  const location = useLocation();
  if (profile === undefined) return <Skeleton active />;
  if (profile === null) return <Navigate replace to={loginPath(location.pathname + location.search)} />;
  return (
    <Suspense fallback={<Skeleton active />}>
      <Routes>
        <Route index element={<Section page={<Cases />} />} />
        <Route path="messages" element={<Section page={<MessagesPage />} />} />
        <Route path="licences" element={<Section page={<Licences />} />} />
        <Route path="files" element={<Section page={<Files />} />} />
        <Route path="data-uses" element={<Section page={<DataUses />} />} />
        <Route path="appointments" element={<Section page={<Appointments />} />} />
        <Route path="cases/:id" element={<CasePage />} />
        <Route path="applications/:id" element={<ApplicationProgress />} />
        <Route path="licences/:id" element={<LicencePage />} />
        <Route path="*" element={<NotFound />} />
      </Routes>
    </Suspense>
  );
}

const SECTIONS = [
  { path: '/my', label: 'tabCases' },
  { path: '/my/appointments', label: 'tabAppointments' },
  { path: '/my/messages', label: 'tabMessages' },
  { path: '/my/licences', label: 'tabLicences' },
  { path: '/my/files', label: 'tabFiles' },
  { path: '/my/data-uses', label: 'tabDataUses' },
] as const;

/** A section of my space under the page title and the section tabs. */
function Section({ page }: { page: ReactNode }) {
  const t = useT(myTexts);
  const navigate = useNavigate();
  const { pathname } = useLocation();
  const unread = useApi(() => data(api.GET('/api/v1/messages/unread-count')), [pathname]);
  return (
    <Flex vertical gap={16} style={{ maxWidth: 1080, margin: '0 auto', width: '100%' }}>
      <PageTitle>{t('title')}</PageTitle>
      <nav aria-label={t('sections')}>
        {/* Links that wrap rather than tabs that scroll: five sections fit no phone in one row. */}
        <Flex wrap gap={8}>
          {SECTIONS.map((s) => {
            const current = pathname.replace(/\/$/, '') === s.path;
            return (
              <Button
                key={s.path}
                type={current ? 'primary' : 'default'}
                aria-current={current ? 'page' : undefined}
                onClick={() => void navigate(s.path)}
              >
                {t(s.label)}
                {s.path === '/my/messages' && unread.data?.unread ? (
                  // A count inside the label (read as "消息 3 未读"), in colours of its own that keep 4.5:1.
                  <span className="tb-unread-count">
                    {unread.data.unread}
                    <span className="tb-visually-hidden">{t('unread')}</span>
                  </span>
                ) : null}
              </Button>
            );
          })}
        </Flex>
      </nav>
      {page}
    </Flex>
  );
}
