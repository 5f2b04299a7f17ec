import { Result, Spin } from 'antd';
import { Suspense, lazy } from 'react';
import { Navigate, Route, Routes } from 'react-router';
import { useT } from '../i18n/index.tsx';
import { NotFound } from './common.tsx';
import { ConsoleLayout, useAllowedSections } from './layout.tsx';
import { shell } from './messages.ts';

/** The management console: catalog, organisation, identity, data sharing, dashboard. */
const Dashboard = lazy(() => import('./dashboard.tsx'));
const Catalog = lazy(() => import('./catalog/index.tsx'));
const Directory = lazy(() => import('./directory.tsx'));
const Staff = lazy(() => import('./staff.tsx'));
const OidcClients = lazy(() => import('./oidc-clients.tsx'));
const Calendar = lazy(() => import('./calendar.tsx'));
const Exchange = lazy(() => import('./exchange/index.tsx'));

/** /console opens the first section the staff member may use. */
function FirstSection() {
  const t = useT(shell);
  const [first] = useAllowedSections();
  if (!first) return <Result status="403" title={t('nothingAllowed')} />;
  return <Navigate to={first.path} replace />;
}

export default function Console() {
  return (
    <ConsoleLayout>
      <Suspense fallback={<Spin style={{ display: 'block', margin: '64px auto' }} />}>
        <Routes>
          <Route index element={<FirstSection />} />
          <Route path="dashboard" element={<Dashboard />} />
          <Route path="catalog/*" element={<Catalog />} />
          <Route path="directory/*" element={<Directory />} />
          <Route path="staff/*" element={<Staff />} />
          <Route path="oidc-clients/*" element={<OidcClients />} />
          <Route path="calendar" element={<Calendar />} />
          <Route path="exchange/*" element={<Exchange />} />
          <Route path="*" element={<NotFound />} />
        </Routes>
      </Suspense>
    </ConsoleLayout>
  );
}
