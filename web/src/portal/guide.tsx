import {
  Alert,
  Button,
  Card,
  Descriptions,
  Flex,
  Grid,
  List,
  Skeleton,
  Steps,
  Table,
  Tag,
  Typography,
} from 'antd';
import { useState } from 'react';
import { useNavigate, useParams } from 'react-router';
import { api, data } from '../api/client.ts';
import { useLocale, useT } from '../i18n/index.tsx';
import { ProblemPage } from '../shared/problem.tsx';
import { useSession } from '../shared/session.tsx';
import { useApi } from '../shared/use-api.ts';
import type { CatalogMaterial, ItemDetail } from './components/catalog.ts';
import { useTypeName } from './components/use-type-name.ts';
import { loginPath } from './layout.tsx';
import { lifeEventNames, portal } from './messages.ts';

type Translate = ReturnType<typeof useT<keyof (typeof portal)['zh-CN']>>;
type ExemptionSource = 'licence' | 'population' | 'legal_entity';
const PLACES_SHOWN = 4;

const SectionTitle = ({ children }: { children: string }) => <h2 className="tb-card-title">{children}</h2>;

const days = (t: Translate, n: number) => (n === 0 ? t('onTheSpot') : t('days', { n }));

/** Which materials this caller need not submit: asked only of a signed-in person. */
function useExemptions(code: string) {
  const { profile } = useSession();
  const person = profile?.kind === 'person';
  const actingId = profile?.acting?.enterpriseId;
  return useApi(
    () =>
      person
        ? data(api.GET('/api/v1/applications/exemptions', { params: { query: { item: code } } })).then(
            (r) => new Map(r.items.map((m) => [m.name, m.from])),
          )
        : Promise.resolve(new Map<string, ExemptionSource | null>()),
    [code, person, actingId],
  );
}

function ApplyButton({ item }: { item: ItemDetail }) {
  const t = useT(portal);
  const { profile } = useSession();
  const navigate = useNavigate();
  const target = `/apply/${item.code}`;
  return (
    <Button type="primary" size="large" onClick={() => void navigate(profile ? target : loginPath(target))}>
      {profile ? t('applyOnline') : t('applyNeedsLogin')}
    </Button>
  );
}

/** 预约办理: book a visit to the hall (the booking page asks to sign in); an entry's guide preselects its place. */
function BookButton({ item }: { item: ItemDetail }) {
  const t = useT(portal);
  const navigate = useNavigate();
  const target = `/book/${item.basicCode}${item.implementingBody ? `?place=${encodeURIComponent(item.code)}` : ''}`;
  return (
    <Button size="large" onClick={() => void navigate(target)}>
      {t('bookVisit')}
    </Button>
  );
}

function Basics({ item }: { item: ItemDetail }) {
  const t = useT(portal);
  const typeName = useTypeName();
  const depth = { I: t('depthI'), II: t('depthII'), III: t('depthIII'), IV: t('depthIV') };
  return (
    <Card title={<SectionTitle>{t('basics')}</SectionTitle>}>
      <Descriptions column={{ xs: 1, md: 2 }} bordered size="small">
        <Descriptions.Item label={t('itemCode')}>{item.code}</Descriptions.Item>
        <Descriptions.Item label={t('itemType')}>{typeName(item.type)}</Descriptions.Item>
        <Descriptions.Item label={t('responsibleDepartment')}>{item.department}</Descriptions.Item>
        {item.implementingBody ? (
          <Descriptions.Item label={t('implementingBody')}>{item.implementingBody.name}</Descriptions.Item>
        ) : null}
        {item.subSituation ? (
          <Descriptions.Item label={t('subSituation')}>{item.subSituation}</Descriptions.Item>
        ) : null}
        <Descriptions.Item label={t('handlingType')}>{t(item.handlingType)}</Descriptions.Item>
        <Descriptions.Item label={t('legalLimit')}>{days(t, item.legalLimitDays)}</Descriptions.Item>
        <Descriptions.Item label={t('promisedLimit')}>{days(t, item.promisedLimitDays)}</Descriptions.Item>
        <Descriptions.Item label={t('visits')}>
          {item.visits === 0 ? t('visitsZero') : t('visitsN', { n: item.visits })}
        </Descriptions.Item>
        <Descriptions.Item label={t('onlineDepth')}>{depth[item.onlineDepth]}</Descriptions.Item>
        <Descriptions.Item label={t('fee')}>
          {item.fee.charged ? t('charged', { standard: item.fee.standard ?? '' }) : t('free')}
          {item.fee.basis ? <div>{t('feeBasis', { basis: item.fee.basis })}</div> : null}
        </Descriptions.Item>
        {item.resultLicence ? (
          <Descriptions.Item label={t('resultLicence')}>{item.resultLicence}</Descriptions.Item>
        ) : null}
      </Descriptions>
    </Card>
  );
}

function BasisAndConditions({ item }: { item: ItemDetail }) {
  const t = useT(portal);
  const { locale } = useLocale();
  const audience = item.audience.map((a) => t(a)).join(locale === 'en' ? ', ' : '、');
  return (
    <Card title={<SectionTitle>{t('conditions')}</SectionTitle>}>
      <Typography.Paragraph>{t('conditionsAudience', { audience })}</Typography.Paragraph>
      {item.lifeEvents.length > 0 ? (
        <Flex wrap gap={8} style={{ marginBottom: 16 }}>
          {item.lifeEvents.map((event) => (
            <Tag key={event}>{locale === 'en' ? (lifeEventNames[event] ?? event) : event}</Tag>
          ))}
        </Flex>
      ) : null}
      <h3>{t('legalBasis')}</h3>
      <ul>
        {item.legalBasis.map((basis) => (
          <li key={basis.title}>{basis.title}</li>
        ))}
      </ul>
    </Card>
  );
}

function ExemptTag({ from }: { from: ExemptionSource | null | undefined }) {
  const t = useT(portal);
  if (!from) return null;
  const source = {
    licence: t('licenceWallet'),
    population: t('populationRegistry'),
    legal_entity: t('legalEntityRegistry'),
  }[from];
  return <Tag color="green">{t('exemptFrom', { source })}</Tag>;
}

function Materials({ item }: { item: ItemDetail }) {
  const t = useT(portal);
  const screens = Grid.useBreakpoint();
  const { profile } = useSession();
  const exemptions = useExemptions(item.code);
  const from = (m: CatalogMaterial) => exemptions.data?.get(m.name);
  const exemptCount = item.materials.filter((m) => from(m)).length;
  const sharable = item.materials.some((m) => m.source === 'government');
  const nameCell = (m: CatalogMaterial) => (
    <Flex vertical gap={4} align="flex-start">
      <span>{m.name}</span>
      <ExemptTag from={from(m)} />
      {m.note ? <Typography.Text type="secondary">{m.note}</Typography.Text> : null}
    </Flex>
  );
  const needed = (m: CatalogMaterial) => (
    <>
      {m.required ? t('requiredYes') : t('requiredNo')}
      {m.tolerated ? <Tag style={{ marginLeft: 8 }}>{t('tolerated')}</Tag> : null}
    </>
  );
  const source = (m: CatalogMaterial) =>
    m.source === 'government' ? t('sourceGovernment') : t('sourceApplicant');
  return (
    <Card title={<SectionTitle>{t('materials')}</SectionTitle>} data-testid="materials">
      {exemptCount > 0 ? (
        <Alert
          type="success"
          showIcon
          message={t('exemptSummary', { n: exemptCount })}
          style={{ marginBottom: 16 }}
        />
      ) : sharable && (!profile || (profile.kind === 'person' && profile.assurance < 2)) ? (
        <Alert type="info" showIcon message={t('exemptSignIn')} style={{ marginBottom: 16 }} />
      ) : null}
      {screens.md === false ? (
        <List
          dataSource={item.materials}
          renderItem={(m) => (
            <List.Item key={m.name}>
              <Flex vertical gap={4}>
                {nameCell(m)}
                <Typography.Text type="secondary">
                  {source(m)} · {t(m.form)} · {t('copiesN', { n: m.copies })} ·{' '}
                  {m.required ? t('requiredYes') : t('requiredNo')}
                </Typography.Text>
                {m.tolerated ? <Tag>{t('tolerated')}</Tag> : null}
              </Flex>
            </List.Item>
          )}
        />
      ) : (
        <Table
          rowKey="name"
          size="small"
          pagination={false}
          dataSource={item.materials}
          columns={[
            {
              title: t('materialName'),
              key: 'name',
              render: (_: unknown, m: CatalogMaterial) => nameCell(m),
            },
            {
              title: t('materialSource'),
              key: 'source',
              render: (_: unknown, m: CatalogMaterial) => source(m),
            },
            { title: t('materialForm'), key: 'form', render: (_: unknown, m: CatalogMaterial) => t(m.form) },
            {
              title: t('copies'),
              key: 'copies',
              render: (_: unknown, m: CatalogMaterial) => t('copiesN', { n: m.copies }),
            },
            { title: t('required'), key: 'required', render: (_: unknown, m: CatalogMaterial) => needed(m) },
          ]}
        />
      )}
    </Card>
  );
}

function Process({ item }: { item: ItemDetail }) {
  const t = useT(portal);
  return (
    <Card title={<SectionTitle>{t('process')}</SectionTitle>}>
      {item.process.length > 0 ? (
        <Steps
          direction="vertical"
          size="small"
          current={-1}
          items={item.process.map((step) => ({
            title: step.name,
            description: step.limitDays ? t('stageLimit', { n: step.limitDays }) : undefined,
          }))}
        />
      ) : (
        <Typography.Paragraph>{t('processDefault')}</Typography.Paragraph>
      )}
      {item.specialProcedures.length > 0 ? (
        <>
          <h3>{t('specialProcedures')}</h3>
          <ul>
            {item.specialProcedures.map((step) => (
              <li key={step.name}>
                {step.name}
                {step.limitDays ? ` (${t('stageLimit', { n: step.limitDays })})` : ''}
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </Card>
  );
}

function Places({ item }: { item: ItemDetail }) {
  const t = useT(portal);
  const [all, setAll] = useState(false);
  const places = useApi(
    () => data(api.GET('/api/v1/catalog/items/{code}/places', { params: { path: { code: item.code } } })),
    [item.code],
  );
  // An entry's guide is about its own place; a basic item's lists every place that handles it.
  const list = (places.data?.items ?? []).filter((p) => !item.implementingBody || p.code === item.code);
  const shown = all ? list : list.slice(0, PLACES_SHOWN);
  return (
    <Card title={<SectionTitle>{t('whereToGo')}</SectionTitle>}>
      {places.loading && !places.data ? <Skeleton active /> : null}
      {places.data && list.length === 0 ? <Typography.Paragraph>{t('noPlaces')}</Typography.Paragraph> : null}
      <List
        dataSource={shown}
        renderItem={(place) => (
          <List.Item key={place.code}>
            <List.Item.Meta
              title={place.implementingBody.name}
              description={
                <Flex vertical gap={2}>
                  <span>{place.region.name}</span>
                  {place.address ? <span>{`${t('address')}：${place.address}`}</span> : null}
                  {place.officeHours ? <span>{`${t('officeHours')}：${place.officeHours}`}</span> : null}
                  {place.phone ? <span>{`${t('phone')}：${place.phone}`}</span> : null}
                </Flex>
              }
            />
          </List.Item>
        )}
      />
      {!all && list.length > PLACES_SHOWN ? (
        <Button onClick={() => setAll(true)}>
          {t('morePlaces', { n: list.length - PLACES_SHOWN })} · {t('showAllPlaces')}
        </Button>
      ) : null}
    </Card>
  );
}

/** 办事指南: every element of an item or implementation entry, with what this caller need not submit. */
export default function Guide() {
  const t = useT(portal);
  const { code = '' } = useParams();
  const guide = useApi(
    () => data<ItemDetail>(api.GET('/api/v1/catalog/items/{code}', { params: { path: { code } } })),
    [code],
  );
  if (guide.error) return <ProblemPage error={guide.error} />;
  if (!guide.data) return <Skeleton active paragraph={{ rows: 8 }} />;
  const item = guide.data;
  return (
    <Flex vertical gap={16}>
      <Flex wrap gap={16} align="center" justify="space-between">
        <div>
          <Typography.Text type="secondary">{t('guideTitle')}</Typography.Text>
          <Typography.Title level={1} style={{ fontSize: 26, margin: '4px 0 0' }}>
            {item.name}
          </Typography.Title>
        </div>
        <Flex wrap gap={8}>
          <ApplyButton item={item} />
          <BookButton item={item} />
        </Flex>
      </Flex>
      <Basics item={item} />
      <BasisAndConditions item={item} />
      <Materials item={item} />
      <Process item={item} />
      <Places item={item} />
    </Flex>
  );
}
