import { Button, Card, Flex, Form, Result, Select, Skeleton, Typography } from 'antd';
import { useEffect, useState, type ReactNode } from 'react';
import {
  Link,
  Navigate,
  Route,
  Routes,
  useLocation,
  useNavigate,
  useParams,
  useSearchParams,
} from 'react-router';
import { api, data } from '../../api/client.ts';
import { useT } from '../../i18n/index.tsx';
import { ProblemAlert, ProblemPage } from '../../shared/problem.tsx';
import { useSession } from '../../shared/session.tsx';
import { useApi } from '../../shared/use-api.ts';
import { loginPath } from '../layout.tsx';
import { applyTexts } from './messages.ts';
import { PageTitle } from './parts.tsx';
import type { ApplicationSummary } from './types.ts';
import NotFound from '../not-found.tsx';
import ApplicationPage from './wizard.tsx';

/**
 * 在线申办: `/apply/:code` (an item's basic or implementation code) and
 * `/apply/bundles/:code` (a 一件事 bundle) resume the caller's open draft for it or start
 * one; `/apply/.../:applicationId` is the application itself (form, materials, review).
 */
export default function Apply() {
  return (
    <Routes>
      <Route path="bundles/:code" element={<SignedIn page={<Start bundle />} />} />
      <Route path="bundles/:code/:applicationId" element={<SignedIn page={<ApplicationPage />} />} />
      <Route path=":code" element={<SignedIn page={<Start bundle={false} />} />} />
      <Route path=":code/:applicationId" element={<SignedIn page={<ApplicationPage />} />} />
      <Route path="*" element={<NotFound />} />
    </Routes>
  );
}

/** Applying needs a signed-in person with a verified real name (the server's rule, said before asking). */
function SignedIn({ page }: { page: ReactNode }) {
  const t = useT(applyTexts);
  const { profile } = useSession();
  const navigate = useNavigate();
  const location = useLocation();
  if (profile === undefined) return <Skeleton active />;
  if (profile === null || profile.kind !== 'person')
    return (
      <Result
        status="info"
        title={<PageTitle>{t('signInFirst')}</PageTitle>}
        extra={
          <Button
            type="primary"
            onClick={() => void navigate(loginPath(location.pathname + location.search))}
          >
            {t('signIn')}
          </Button>
        }
      />
    );
  if (profile.assurance < 2)
    return (
      <Result
        status="info"
        title={<PageTitle>{t('realNameNeeded')}</PageTitle>}
        extra={
          <Button type="primary" onClick={() => void navigate('/account')}>
            {t('goVerify')}
          </Button>
        }
      />
    );
  return page;
}

/** A basic code is 10 digits; an implementation code carries the region and body after dashes. */
const isEntryCode = (code: string) => code.includes('-');
const basicCodeOf = (code: string) => code.split('-')[0]!;

/** The caller's open draft for this item or bundle, if any (newest first from the server). */
function matchingDraft(drafts: ApplicationSummary[], code: string, bundle: boolean) {
  return drafts.find((d) =>
    bundle ? d.bundleCode === code : d.bundleCode === null && d.parts[0]?.itemCode === basicCodeOf(code),
  );
}

function Start({ bundle }: { bundle: boolean }) {
  const { code = '' } = useParams();
  const [search] = useSearchParams();
  const navigate = useNavigate();
  const { profile } = useSession();
  const base = bundle ? `/apply/bundles/${code}` : `/apply/${code}`;
  const drafts = useApi(
    () =>
      data(api.GET('/api/v1/applications', { params: { query: { status: 'draft', page: 1, size: 100 } } })),
    [profile?.acting?.enterpriseId],
  );
  const target = useApi(
    () =>
      bundle
        ? data<{ name: string }>(api.GET('/api/v1/catalog/bundles/{code}', { params: { path: { code } } }))
        : data<{ name: string; region: { code: string } | null }>(
            api.GET('/api/v1/catalog/items/{code}', { params: { path: { code } } }),
          ),
    [code, bundle],
  );
  const draft = drafts.data ? matchingDraft(drafts.data.items, code, bundle) : undefined;

  if (drafts.error) return <ProblemPage error={drafts.error} />;
  if (target.error) return <ProblemPage error={target.error} />;
  if (!drafts.data || !target.data) return <Skeleton active />;
  if (draft) return <Navigate replace to={`${base}/${draft.id}?resumed=1`} />;
  return (
    <StartForm
      name={target.data.name}
      needsRegion={!isEntryCode(code)}
      initialRegion={search.get('region') ?? undefined}
      start={async (regionCode) => {
        const body = bundle
          ? { bundleCode: code, regionCode }
          : isEntryCode(code)
            ? { entryCode: code }
            : { itemCode: code, regionCode };
        const started = await data(api.POST('/api/v1/applications', { body }));
        void navigate(`${base}/${started.id}`, { replace: true });
      }}
    />
  );
}

/** Districts and the city: where an applicant applies (the server binds the nearest entry offering the item). */
function useRegions() {
  return useApi(async () => {
    const regions = await data(api.GET('/api/v1/regions', { params: { query: { page: 1, size: 100 } } }));
    return regions.items.filter((r) => r.level === 2 || r.level === 3);
  }, []);
}

function StartForm(props: {
  name: string;
  needsRegion: boolean;
  initialRegion: string | undefined;
  start(regionCode: string | undefined): Promise<void>;
}) {
  const t = useT(applyTexts);
  const { profile } = useSession();
  const regions = useRegions();
  const [region, setRegion] = useState(props.initialRegion);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const regionItems = regions.data;
  useEffect(() => {
    // The first district is the usual place to apply when the guide named none.
    if (!region && regionItems)
      setRegion(regionItems.find((r) => r.level === 3)?.code ?? regionItems[0]?.code);
  }, [region, regionItems]);
  if (!profile) return null;
  const onStart = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await props.start(region);
    } catch (failure) {
      setError(failure);
      setBusy(false);
    }
  };
  return (
    <Flex vertical gap={16} style={{ maxWidth: 720, margin: '0 auto', width: '100%' }}>
      <PageTitle>
        {t('title')} · {props.name}
      </PageTitle>
      <Card>
        <Form layout="vertical" component="div">
          <Form.Item label={t('applicant')}>
            <Flex wrap gap={8} align="center">
              <Typography.Text strong>
                {profile.acting
                  ? t('applyingForEnterprise', { enterprise: profile.acting.name, name: profile.name ?? '' })
                  : t('applyingAsPerson', { name: profile.name ?? '' })}
              </Typography.Text>
              {profile.enterprises.length > 0 ? (
                <Link to="/account#acting">{t('switchIdentity')}</Link>
              ) : null}
            </Flex>
          </Form.Item>
          {props.needsRegion ? (
            <Form.Item label={t('region')} htmlFor="apply-region" extra={t('regionHelp')}>
              <Select
                id="apply-region"
                value={region}
                loading={regions.loading}
                onChange={setRegion}
                options={(regionItems ?? []).map((r) => ({ value: r.code, label: r.fullName }))}
              />
            </Form.Item>
          ) : null}
          {error ? <ProblemAlert error={error} /> : null}
          <Button
            type="primary"
            size="large"
            loading={busy}
            disabled={props.needsRegion && !region}
            onClick={() => void onStart()}
            style={{ marginTop: 16 }}
          >
            {busy ? t('starting') : t('start')}
          </Button>
        </Form>
      </Card>
      {regions.error ? <ProblemAlert error={regions.error} onRetry={regions.reload} /> : null}
    </Flex>
  );
}
