import { Table, Tag } from 'antd';
import { useState } from 'react';
import { api, data } from '../../api/client.ts';
import { useT } from '../../i18n/index.tsx';
import { ProblemAlert } from '../../shared/problem.tsx';
import { useApi } from '../../shared/use-api.ts';
import { PageTitle, useDateTime } from '../common.tsx';
import { exchange as messages, shell } from '../messages.ts';
import { ResourceFilter, loadResources } from './resources.tsx';
import type { Access } from './types.ts';

const PAGE_SIZE = 50;

/** Who used the data my departments provide, and what my consumers used: newest first, by resource. */
export default function Accesses() {
  const t = useT(messages);
  const s = useT(shell);
  const time = useDateTime();
  const [resource, setResource] = useState<string>();
  const [page, setPage] = useState(1);
  const resources = useApi(loadResources, []);
  const accesses = useApi(
    () =>
      data<{ items: Access[]; total: number }>(
        api.GET('/api/v1/exchange/accesses', { params: { query: { resource, page, size: PAGE_SIZE } } }),
      ),
    [resource, page],
  );
  return (
    <>
      <PageTitle title={t('accessesTitle')} />
      <ResourceFilter
        resources={resources.data}
        value={resource}
        onChange={(value) => {
          setResource(value);
          setPage(1);
        }}
      />
      {accesses.error ? <ProblemAlert error={accesses.error} onRetry={accesses.reload} /> : null}
      <Table<Access>
        rowKey="id"
        loading={accesses.loading}
        dataSource={accesses.data?.items}
        scroll={{ x: 'max-content' }}
        pagination={{
          current: page,
          pageSize: PAGE_SIZE,
          total: accesses.data?.total,
          showSizeChanger: false,
          onChange: setPage,
          showTotal: (n) => s('total', { n }),
        }}
        columns={[
          { title: t('at'), render: (_, a) => time(a.at) },
          { title: t('consumer'), dataIndex: 'consumer' },
          { title: t('resource'), dataIndex: 'resourceName' },
          { title: t('operation'), render: (_, a) => t(`operation_${a.operation}`) },
          { title: t('purpose'), render: (_, a) => a.purpose ?? '' },
          { title: t('fields'), render: (_, a) => a.fields.join(', ') },
          { title: t('resultCount'), dataIndex: 'resultCount' },
          {
            title: t('outcome'),
            render: (_, a) => (
              <Tag color={a.outcome === 'allowed' ? 'green' : 'red'}>
                {t(`outcome_${a.outcome}`)}
                {a.reason ? ` · ${a.reason}` : ''}
              </Tag>
            ),
          },
          { title: t('sealed'), render: (_, a) => (a.sealed ? s('yes') : s('no')) },
        ]}
      />
    </>
  );
}
