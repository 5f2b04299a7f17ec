import { App as AntApp, ConfigProvider, Spin } from 'antd';
import enUS from 'antd/locale/en_US';
import zhCN from 'antd/locale/zh_CN';
import { StrictMode, Suspense, lazy } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter, Route, Routes } from 'react-router';
import { setApiLanguage } from './api/client.ts';
import { LocaleProvider, useLocale } from './i18n/index.tsx';
import { ErrorBoundary } from './shared/error-boundary.tsx';
import { SessionProvider } from './shared/session.tsx';
import { theme } from './shared/theme.ts';

// Each area is its own chunk: a resident on a phone never downloads the console.
const Portal = lazy(() => import('./portal/index.tsx'));
const Workbench = lazy(() => import('./workbench/index.tsx'));
const Console = lazy(() => import('./console/index.tsx'));

function Localised() {
  const { locale } = useLocale();
  // Set while rendering, so the calls of the children's first effects already carry it.
  setApiLanguage(locale);
  return (
    <ConfigProvider locale={locale === 'en' ? enUS : zhCN} theme={theme}>
      <AntApp>
        <ErrorBoundary>
          <SessionProvider>
            <BrowserRouter>
              <Suspense fallback={<Spin fullscreen />}>
                <Routes>
                  <Route path="/workbench/*" element={<Workbench />} />
                  <Route path="/console/*" element={<Console />} />
                  <Route path="/*" element={<Portal />} />
                </Routes>
              </Suspense>
            </BrowserRouter>
          </SessionProvider>
        </ErrorBoundary>
      </AntApp>
    </ConfigProvider>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <LocaleProvider>
      <Localised />
    </LocaleProvider>
  </StrictMode>,
);
