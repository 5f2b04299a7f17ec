import { Button, Card, Flex, List, Skeleton, Tag, Typography } from 'antd';
import { Link, useNavigate, useParams } from 'react-router';
import { api, data } from '../api/client.ts';
import { useLocale, useT } from '../i18n/index.tsx';
import { ProblemPage } from '../shared/problem.tsx';
import { useSession } from '../shared/session.tsx';
import { useApi } from '../shared/use-api.ts';
import type { BundleDetail } from './components/catalog.ts';
import { loginPath } from './layout.tsx';
import { lifeEventNames, portal } from './messages.ts';

/** 一件事: the items of a life event with links to their guides, and the merged materials list. */
export default function Bundle() {
  const t = useT(portal);
  const { locale } = useLocale();
  const { code = '' } = useParams();
  const { profile } = useSession();
  const navigate = useNavigate();
  const bundle = useApi(
    () => data<BundleDetail>(api.GET('/api/v1/catalog/bundles/{code}', { params: { path: { code } } })),
    [code],
  );
  if (bundle.error) return <ProblemPage error={bundle.error} />;
  if (!bundle.data) return <Skeleton active paragraph={{ rows: 6 }} />;
  const b = bundle.data;
  const target = `/apply/bundles/${b.code}`;
  const names = new Map(b.items.map((i) => [i.code, i.name]));
  return (
    <Flex vertical gap={16}>
      <Flex wrap gap={16} align="center" justify="space-between">
        <div>
          <Typography.Text type="secondary">{t('bundleTitle')}</Typography.Text>
          <Typography.Title level={1} style={{ fontSize: 26, margin: '4px 0 0' }}>
            {b.name}
          </Typography.Title>
        </div>
        <Button
          type="primary"
          size="large"
          onClick={() => void navigate(profile ? target : loginPath(target))}
        >
          {profile ? t('bundleApply') : t('applyNeedsLogin')}
        </Button>
      </Flex>
      <Flex wrap gap={8}>
        <Tag color="blue">{t(b.audience)}</Tag>
        {b.lifeEvent ? (
          <Tag>{locale === 'en' ? (lifeEventNames[b.lifeEvent] ?? b.lifeEvent) : b.lifeEvent}</Tag>
        ) : null}
      </Flex>
      {b.description ? <Typography.Paragraph>{b.description}</Typography.Paragraph> : null}
      <Card title={<h2 className="tb-card-title">{t('bundleIncludes')}</h2>}>
        <List
          dataSource={b.items}
          renderItem={(item, index) => (
            <List.Item key={item.code}>
              <span>
                {index + 1}. <Link to={`/items/${item.code}`}>{item.name}</Link>
              </span>
            </List.Item>
          )}
        />
      </Card>
      <Card title={<h2 className="tb-card-title">{t('bundleMaterials')}</h2>}>
        <List
          dataSource={b.materials}
          renderItem={(m) => (
            <List.Item key={m.name}>
              <Flex vertical gap={4}>
                <span>
                  {m.name}
                  {m.source === 'government' ? (
                    <Tag style={{ marginLeft: 8 }}>{t('sourceGovernment')}</Tag>
                  ) : null}
                </span>
                <Typography.Text type="secondary">
                  {m.items.map((c) => names.get(c) ?? c).join(locale === 'en' ? ', ' : '、')}
                </Typography.Text>
              </Flex>
            </List.Item>
          )}
        />
      </Card>
    </Flex>
  );
}
