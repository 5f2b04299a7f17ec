import { App as AntApp, ConfigProvider, Spin } from 'antd';
import enUS from 'antd/locale/en_US';
import zhCN from 'antd/locale/zh_CN';
import { StrictMode, Suspense, lazy, useState, type ComponentType } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter, Route, Routes } from 'react-router';
import { setApiLanguage } from './api/client.ts';
import { LocaleProvider, useLocale } from './i18n/index.tsx';
import { ErrorBoundary } from './shared/error-boundary.tsx';
import { keepScrollRegionsFocusable } from './shared/scroll-regions.ts';
import { SessionProvider } from './shared/session.tsx';
import { theme } from './shared/theme.ts';

/**
 * An area of the app as its own chunk (a resident on a phone never downloads the console).
 * The area a page opens in is loaded before the first render (`preload`) and rendered
 * directly: through React.lazy it would first show a fallback, and React holds back
 * revealing the content that replaces a fallback, which a slow phone would wait for.
 */
function area(load: () => Promise<{ default: ComponentType }>) {
  let loaded: ComponentType | undefined;
  const Lazy = lazy(load);
  function Area() {
    // Decided once per mount: switching from Lazy to the component would remount the area.
    const [Loaded] = useState(() => loaded);
    return Loaded ? <Loaded /> : <Lazy />;
  }
  const preload = async () => {
    loaded = (await load()).default;
  };
  return { Area, preload };
}

const areas = {
  workbench: area(() => import('./workbench/index.tsx')),
  console: area(() => import('./console/index.tsx')),
  portal: area(() => import('./portal/index.tsx')),
};
const { Area: Portal } = areas.portal;
const { Area: Workbench } = areas.workbench;
const { Area: Console } = areas.console;
const areaOf = (path: string) =>
  path.startsWith('/workbench')
    ? areas.workbench
    : path.startsWith('/console')
      ? areas.console
      : areas.portal;

function Localised() {
  const { locale } = useLocale();
  // Set while rendering, so the calls of the children's first effects already carry it.
  setApiLanguage(locale);
  return (
    // No space inserted between two Chinese characters on buttons ("确 定"): the visible
    // label then reads as written and is part of the accessible name (WCAG 2.5.3).
    <ConfigProvider locale={locale === 'en' ? enUS : zhCN} theme={theme} button={{ autoInsertSpace: false }}>
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

const root = document.getElementById('root')!;
keepScrollRegionsFocusable(root);
const render = () =>
  createRoot(root).render(
    <StrictMode>
      <LocaleProvider>
        <Localised />
      </LocaleProvider>
    </StrictMode>,
  );
// A chunk that fails to load is left to the lazy route, which reports it on the page.
void areaOf(window.location.pathname)
  .preload()
  .catch(() => undefined)
  .finally(render);
