import { Spin } from 'antd';
import { Suspense, lazy } from 'react';
import { Navigate, Route, Routes } from 'react-router';
import { ConsoleLayout } from './layout.tsx';

/** The management console: catalog, organisation, identity, data sharing, dashboard. */
const Dashboard = lazy(() => import('./dashboard.tsx'));
const Catalog = lazy(() => import('./catalog/index.tsx'));
const Directory = lazy(() => import('./directory.tsx'));
const Staff = lazy(() => import('./staff.tsx'));
const OidcClients = lazy(() => import('./oidc-clients.tsx'));
const Calendar = lazy(() => import('./calendar.tsx'));
const Exchange = lazy(() => import('./exchange/index.tsx'));

export default function Console() {
  return (
    <ConsoleLayout>
      <Suspense fallback={<Spin style={{ display: 'block', margin: '64px auto' }} />}>
        <Routes>
          <Route index element={<Navigate to="dashboard" replace />} />
          <Route path="dashboard" element={<Dashboard />} />
          <Route path="catalog/*" element={<Catalog />} />
          <Route path="directory/*" element={<Directory />} />
          <Route path="staff/*" element={<Staff />} />
          <Route path="oidc-clients/*" element={<OidcClients />} />
          <Route path="calendar" element={<Calendar />} />
          <Route path="exchange/*" element={<Exchange />} />
        </Routes>
      </Suspense>
    </ConsoleLayout>
  );
}
