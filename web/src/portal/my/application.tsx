import { Card, Descriptions, Flex, List, Skeleton, Tag, Typography } from 'antd';
import { Link, useParams } from 'react-router';
import { api, data } from '../../api/client.ts';
import { useBilingual, useT } from '../../i18n/index.tsx';
import { ProblemPage } from '../../shared/problem.tsx';
import { useApi } from '../../shared/use-api.ts';
import { PageTitle } from '../apply/parts.tsx';
import { CLOCK_COLOURS } from './cases.tsx';
import { myTexts } from './messages.ts';
import { useDateTime } from './parts.tsx';

/** An application and its cases (a 一件事 bundle: one per item). */
export default function ApplicationProgress() {
  const t = useT(myTexts);
  const pick = useBilingual();
  const when = useDateTime();
  const { id = '' } = useParams();
  const progress = useApi(
    () => data(api.GET('/api/v1/applications/{id}/progress', { params: { path: { id } } })),
    [id],
  );
  if (progress.error) return <ProblemPage error={progress.error} />;
  if (!progress.data) return <Skeleton active />;
  const p = progress.data;
  return (
    <Flex vertical gap={16} style={{ maxWidth: 960, margin: '0 auto', width: '100%' }}>
      <PageTitle>{p.title}</PageTitle>
      <Card>
        <Descriptions column={{ xs: 1, md: 2 }} size="small">
          <Descriptions.Item label={t('caseNumber')}>{p.number ?? '—'}</Descriptions.Item>
          <Descriptions.Item label={t('submittedAt')}>{when(p.submittedAt)}</Descriptions.Item>
        </Descriptions>
        <List
          dataSource={p.cases}
          renderItem={(c) => (
            <List.Item key={c.caseId}>
              <Flex vertical gap={4}>
                <Link to={`/my/cases/${c.caseId}`}>{c.itemName}</Link>
                <Typography.Text type="secondary">
                  {c.number} · {c.organisationName}
                </Typography.Text>
                <Tag color={c.terminal ? 'default' : CLOCK_COLOURS[c.clockState]}>
                  {pick(c.statusName, c.statusNameEn)}
                </Tag>
              </Flex>
            </List.Item>
          )}
        />
      </Card>
    </Flex>
  );
}
