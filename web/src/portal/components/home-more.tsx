import { Card, Col, Flex, List, Row, Skeleton, Tag, Typography } from 'antd';
import { Link } from 'react-router';
import { api, data } from '../../api/client.ts';
import { useLocale, useT } from '../../i18n/index.tsx';
import { ProblemAlert } from '../../shared/problem.tsx';
import { useApi } from '../../shared/use-api.ts';
import type { Audience, BundleSummary } from './catalog.ts';
import { lifeEventNames, portal } from '../messages.ts';

/** The home page below the fold: life-event bundles and quick links. */

const PERSON_EVENTS = ['出生', '入学', '就业', '婚育', '住房', '出行', '就医', '养老', '身后'];
const ENTERPRISE_STAGES = ['开办', '准营', '经营', '变更', '投资建设', '注销'];

function BundleList({ bundles, audience }: { bundles: BundleSummary[]; audience: Audience }) {
  const t = useT(portal);
  return (
    <List
      dataSource={bundles.filter((b) => b.audience === audience)}
      renderItem={(bundle) => (
        <List.Item>
          <List.Item.Meta
            title={<Link to={`/bundles/${bundle.code}`}>{bundle.name}</Link>}
            description={
              <>
                {bundle.description ? <div>{bundle.description}</div> : null}
                <Typography.Text type="secondary">
                  {t('bundleItems', { n: bundle.items.length })}
                </Typography.Text>
              </>
            }
          />
        </List.Item>
      )}
    />
  );
}

function Bundles() {
  const t = useT(portal);
  const bundles = useApi(() => data<{ items: BundleSummary[] }>(api.GET('/api/v1/catalog/bundles')), []);
  return (
    <Card title={<h2 className="tb-card-title">{t('bundles')}</h2>}>
      <Typography.Paragraph type="secondary">{t('bundlesText')}</Typography.Paragraph>
      {bundles.error ? <ProblemAlert error={bundles.error} onRetry={bundles.reload} /> : null}
      {bundles.loading && !bundles.data ? <Skeleton active /> : null}
      {bundles.data ? (
        <Row gutter={[24, 12]}>
          <Col xs={24} md={12}>
            <h3>{t('forPersons')}</h3>
            <BundleList bundles={bundles.data.items} audience="natural_person" />
          </Col>
          <Col xs={24} md={12}>
            <h3>{t('forEnterprises')}</h3>
            <BundleList bundles={bundles.data.items} audience="legal_person" />
          </Col>
        </Row>
      ) : null}
    </Card>
  );
}

function EventLinks({ title, events }: { title: string; events: string[] }) {
  const { locale } = useLocale();
  return (
    <div>
      <h3>{title}</h3>
      <Flex wrap gap={8}>
        {events.map((event) => (
          <Link key={event} to={`/search?q=${encodeURIComponent(event)}`}>
            <Tag color="blue" style={{ fontSize: 14, padding: '4px 10px', margin: 0 }}>
              {locale === 'en' ? lifeEventNames[event] : event}
            </Tag>
          </Link>
        ))}
      </Flex>
    </div>
  );
}

function QuickLinks() {
  const t = useT(portal);
  return (
    <Card title={<h2 className="tb-card-title">{t('quickLinks')}</h2>}>
      <Flex vertical gap={16}>
        <EventLinks title={t('lifeEvents')} events={PERSON_EVENTS} />
        <EventLinks title={t('enterpriseStages')} events={ENTERPRISE_STAGES} />
        <Flex wrap gap={16}>
          <Link to="/my">{t('myApplications')}</Link>
          <Link to="/account">{t('myAccount')}</Link>
          <Link to="/account#acting">{t('actForEnterprise')}</Link>
        </Flex>
      </Flex>
    </Card>
  );
}

export default function HomeBelowTheFold() {
  return (
    <>
      <Bundles />
      <QuickLinks />
    </>
  );
}
