import { Spin } from 'antd';
import { Suspense, lazy } from 'react';
import { Navigate, Route, Routes } from 'react-router';
import { NotFound } from '../common.tsx';

/** The data-sharing pages: resource catalog, consumers, grants, access log, bulk-exchange batches. */
const Resources = lazy(() => import('./resources.tsx'));
const Consumers = lazy(() => import('./consumers.tsx'));
const Grants = lazy(() => import('./grants.tsx'));
const Accesses = lazy(() => import('./accesses.tsx'));
const Batches = lazy(() => import('./batches.tsx'));

export default function Exchange() {
  return (
    <Suspense fallback={<Spin style={{ display: 'block', margin: '64px auto' }} />}>
      <Routes>
        <Route index element={<Navigate to="resources" replace />} />
        <Route path="resources" element={<Resources />} />
        <Route path="consumers" element={<Consumers />} />
        <Route path="grants" element={<Grants />} />
        <Route path="accesses" element={<Accesses />} />
        <Route path="batches/*" element={<Batches />} />
        <Route path="*" element={<NotFound />} />
      </Routes>
    </Suspense>
  );
}
