import { Suspense, lazy } from 'react';
import { Link } from 'react-router';
import { api, data } from '../api/client.ts';
import { useT } from '../i18n/index.tsx';
import { useApi } from '../shared/use-api.ts';
import type { ItemSummary } from './components/catalog.ts';
import { SearchBox } from './components/search-box.tsx';
import { HOT_SERVICES_QUERY } from './hot-services.ts';
import { portal } from './messages.ts';
import { common } from '../shared/messages.ts';

/** Below the fold: loaded after what a resident sees first, so it does not compete for a slow network. */
const BelowTheFold = lazy(() => import('./components/home-more.tsx'));
/** Only when the hot services fail: its code stays off the first load. */
const ProblemAlert = lazy(() => import('../shared/problem.tsx').then((m) => ({ default: m.ProblemAlert })));

const loadHotServices = () =>
  data<{ items: ItemSummary[] }>(
    api.GET('/api/v1/catalog/items', {
      params: { query: HOT_SERVICES_QUERY },
    }),
  );
/**
 * On the home page the hot services are asked for as soon as the portal's code runs, not
 * after the first render: on a slow network every round trip counts.
 */
let earlyHotServices = window.location.pathname === '/' ? loadHotServices() : undefined;
// A failure is shown when the page reads it; unread, it must not surface as an unhandled rejection.
earlyHotServices?.catch(() => undefined);

function useHotServices() {
  return useApi(() => {
    const loading = earlyHotServices ?? loadHotServices();
    earlyHotServices = undefined;
    return loading;
  }, []);
}

function HotServices({ hot }: { hot: ReturnType<typeof useHotServices> }) {
  const t = useT(portal);
  const c = useT(common);
  return (
    // Plain elements rather than antd's Card, Typography and grid keep the home page's chunk small.
    <section className="tb-section" data-testid="hot-services">
      <h2 className="tb-card-title">{t('hotServices')}</h2>
      {hot.error ? (
        <Suspense fallback={null}>
          <ProblemAlert error={hot.error} onRetry={hot.reload} />
        </Suspense>
      ) : null}
      {hot.loading && !hot.data ? <span className="tb-muted">{c('loading')}</span> : null}
      {hot.data ? (
        <div className="tb-hot-grid">
          {hot.data.items.map((item) => (
            <div key={item.code}>
              <Link to={`/items/${item.code}`}>{item.name}</Link>
              <div className="tb-muted">{item.department}</div>
            </div>
          ))}
        </div>
      ) : null}
    </section>
  );
}

/** The portal's front page: one big search box, the services people use most, life-event bundles. */
export default function Home() {
  const t = useT(portal);
  const hot = useHotServices();
  return (
    <>
      <section className="tb-hero">
        <h1>{t('heroTitle')}</h1>
        <p>{t('heroText')}</p>
        <div className="tb-hero-search">
          <SearchBox large />
        </div>
      </section>
      <div className="tb-home-sections">
        <HotServices hot={hot} />
        {hot.loading ? null : (
          <Suspense fallback={null}>
            <BelowTheFold />
          </Suspense>
        )}
      </div>
    </>
  );
}
