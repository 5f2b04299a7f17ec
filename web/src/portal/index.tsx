import { Spin } from 'antd';
import { Suspense, lazy } from 'react';
import { Route, Routes } from 'react-router';
import Home from './home.tsx';
import { PortalLayout } from './layout.tsx';

/**
 * The citizen and enterprise portal (PC and phone, one code base). The home page, what a
 * resident waits for first, comes with the portal's chunk (one round trip less on a slow
 * network); the other pages load lazily.
 */
const Search = lazy(() => import('./search.tsx'));
const Guide = lazy(() => import('./guide.tsx'));
const Bundle = lazy(() => import('./bundle.tsx'));
const Login = lazy(() => import('./login.tsx'));
const Account = lazy(() => import('./account.tsx'));
const Apply = lazy(() => import('./apply/index.tsx'));
const Book = lazy(() => import('./book/index.tsx'));
const My = lazy(() => import('./my/index.tsx'));
const NotFound = lazy(() => import('./not-found.tsx'));

export default function Portal() {
  return (
    <PortalLayout>
      <Suspense fallback={<Spin style={{ display: 'block', margin: '64px auto' }} />}>
        <Routes>
          <Route index element={<Home />} />
          <Route path="search" element={<Search />} />
          <Route path="items/:code" element={<Guide />} />
          <Route path="bundles/:code" element={<Bundle />} />
          <Route path="login" element={<Login />} />
          <Route path="account/*" element={<Account />} />
          <Route path="apply/*" element={<Apply />} />
          <Route path="book/:code" element={<Book />} />
          <Route path="my/*" element={<My />} />
          <Route path="*" element={<NotFound />} />
        </Routes>
      </Suspense>
    </PortalLayout>
  );
}
