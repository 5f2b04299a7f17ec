import { Card, Grid, List, Table, Tag, Typography, Flex } from 'antd';
import { useState } from 'react';
import { api, data } from '../../api/client.ts';
import { useT } from '../../i18n/index.tsx';
import { ProblemAlert } from '../../shared/problem.tsx';
import { useApi } from '../../shared/use-api.ts';
import { myTexts } from './messages.ts';
import { Nothing, useDateTime } from './parts.tsx';
import type { DataAccess } from './types.ts';

const PAGE_SIZE = 20;

/** 谁用了我的数据: every lookup of my records through data sharing (who, why, when, which fields). */
export default function DataUses() {
  const t = useT(myTexts);
  const when = useDateTime();
  const phone = Grid.useBreakpoint().md === false;
  const [page, setPage] = useState(1);
  const accesses = useApi(
    () => data(api.GET('/api/v1/my/data-accesses', { params: { query: { page, size: PAGE_SIZE } } })),
    [page],
  );
  const outcome = (a: DataAccess) =>
    a.outcome === 'allowed' ? null : <Tag color="#b91c1c">{t('denied')}</Tag>;
  return (
    <Card>
      <Typography.Paragraph type="secondary">{t('dataUsesIntro')}</Typography.Paragraph>
      {accesses.error ? <ProblemAlert error={accesses.error} onRetry={accesses.reload} /> : null}
      {phone ? (
        <List
          loading={accesses.loading}
          dataSource={accesses.data?.items ?? []}
          locale={{ emptyText: <Nothing text={t('dataUsesEmpty')} /> }}
          pagination={{
            current: page,
            pageSize: PAGE_SIZE,
            total: accesses.data?.total ?? 0,
            onChange: setPage,
            simple: true,
          }}
          renderItem={(a) => (
            <List.Item key={a.id} data-testid="data-access">
              <Flex vertical gap={2}>
                <Typography.Text strong>{a.consumer}</Typography.Text>
                <Typography.Text>
                  {t('fieldsOf', { resource: a.resourceName, fields: a.fields.join(t('listSeparator')) })}
                </Typography.Text>
                <Typography.Text type="secondary">
                  {t('purposeAt', { purpose: a.purpose ?? '—', time: when(a.at) })}
                </Typography.Text>
                {outcome(a)}
              </Flex>
            </List.Item>
          )}
        />
      ) : (
        <Table
          rowKey="id"
          loading={accesses.loading}
          dataSource={accesses.data?.items ?? []}
          scroll={{ x: true }}
          locale={{ emptyText: <Nothing text={t('dataUsesEmpty')} /> }}
          pagination={{
            current: page,
            pageSize: PAGE_SIZE,
            total: accesses.data?.total ?? 0,
            onChange: setPage,
          }}
          onRow={() => ({ 'data-testid': 'data-access' }) as React.HTMLAttributes<HTMLElement>}
          columns={[
            { title: t('when'), render: (_, a) => when(a.at) },
            { title: t('consumer'), dataIndex: 'consumer' },
            { title: t('purpose'), render: (_, a) => a.purpose ?? '—' },
            { title: t('resource'), dataIndex: 'resourceName' },
            { title: t('fields'), render: (_, a) => a.fields.join(t('listSeparator')) },
            { title: t('outcome'), render: (_, a) => outcome(a) ?? t('allowed') },
          ]}
        />
      )}
    </Card>
  );
}
