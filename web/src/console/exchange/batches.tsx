import { Button, Descriptions, Table, Tag } from 'antd';
import { useState } from 'react';
import { Link, Route, Routes, useNavigate, useParams } from 'react-router';
import { api, data } from '../../api/client.ts';
import { useBilingual, useT } from '../../i18n/index.tsx';
import { common } from '../../shared/messages.ts';
import { ProblemAlert, ProblemPage } from '../../shared/problem.tsx';
import { useApi } from '../../shared/use-api.ts';
import { PageTitle, useDateTime } from '../common.tsx';
import { exchange as messages, shell } from '../messages.ts';
import { ResourceFilter, loadResources } from './resources.tsx';

type Batch = Awaited<ReturnType<typeof loadBatches>>['items'][number];
type BadRow = Awaited<ReturnType<typeof loadErrors>>['items'][number];
const PAGE_SIZE = 20;
const loadBatches = (resource: string | undefined, page: number) =>
  data(api.GET('/api/v1/exchange/batches', { params: { query: { resource, page, size: PAGE_SIZE } } }));
const loadErrors = (id: string, page: number) =>
  data(
    api.GET('/api/v1/exchange/batches/{id}/errors', {
      params: { path: { id }, query: { page, size: PAGE_SIZE } },
    }),
  );

const STATUS_COLOURS: Record<Batch['status'], string> = {
  processing: 'blue',
  completed: 'green',
  rejected: 'red',
  failed: 'red',
};

/** Bulk-exchange batches uploaded for my departments' resources, and each one's bad rows. */
export default function Batches() {
  return (
    <Routes>
      <Route index element={<BatchList />} />
      <Route path=":id" element={<BatchErrors />} />
    </Routes>
  );
}

function BatchStatus({ batch }: { batch: Batch }) {
  const t = useT(messages);
  return <Tag color={STATUS_COLOURS[batch.status]}>{t(`batchStatus_${batch.status}`)}</Tag>;
}

function BatchList() {
  const t = useT(messages);
  const s = useT(shell);
  const time = useDateTime();
  const [resource, setResource] = useState<string>();
  const [page, setPage] = useState(1);
  const resources = useApi(loadResources, []);
  const batches = useApi(() => loadBatches(resource, page), [resource, page]);
  const resourceName = (code: string) => resources.data?.find((r) => r.code === code)?.name ?? code;
  return (
    <>
      <PageTitle title={t('batchesTitle')} />
      <ResourceFilter
        resources={resources.data}
        value={resource}
        onChange={(value) => {
          setResource(value);
          setPage(1);
        }}
      />
      {batches.error ? <ProblemAlert error={batches.error} onRetry={batches.reload} /> : null}
      <Table<Batch>
        rowKey="id"
        loading={batches.loading}
        dataSource={batches.data?.items}
        scroll={{ x: 'max-content' }}
        pagination={{
          current: page,
          pageSize: PAGE_SIZE,
          total: batches.data?.total,
          showSizeChanger: false,
          onChange: setPage,
          showTotal: (n) => s('total', { n }),
        }}
        columns={[
          { title: t('startedAt'), render: (_, b) => time(b.startedAt) },
          { title: t('resource'), render: (_, b) => resourceName(b.resource) },
          { title: t('format'), render: (_, b) => b.format.toUpperCase() },
          { title: t('rows'), dataIndex: 'rowsTotal' },
          { title: t('goodRows'), dataIndex: 'rowsGood' },
          { title: t('badRows'), dataIndex: 'rowsBad' },
          { title: s('status'), render: (_, b) => <BatchStatus batch={b} /> },
          {
            title: s('actions'),
            render: (_, b) => (b.rowsBad > 0 || b.failure ? <Link to={b.id}>{t('showErrors')}</Link> : null),
          },
        ]}
      />
    </>
  );
}

function BatchErrors() {
  const t = useT(messages);
  const s = useT(shell);
  const pick = useBilingual();
  const time = useDateTime();
  const c = useT(common);
  const navigate = useNavigate();
  const { id = '' } = useParams();
  const [page, setPage] = useState(1);
  const batch = useApi(
    () => data(api.GET('/api/v1/exchange/batches/{id}', { params: { path: { id } } })),
    [id],
  );
  const errors = useApi(() => loadErrors(id, page), [id, page]);
  if (batch.error) return <ProblemPage error={batch.error} />;
  const b = batch.data;
  return (
    <>
      <PageTitle
        title={t('errorsTitle', { id: id.slice(0, 8) })}
        extra={<Button onClick={() => void navigate('..')}>{c('back')}</Button>}
      />
      {b ? (
        <Descriptions
          size="small"
          column={{ xs: 1, md: 3 }}
          style={{ marginBottom: 16 }}
          items={[
            { key: 'resource', label: t('resource'), children: b.resource },
            { key: 'status', label: s('status'), children: <BatchStatus batch={b} /> },
            { key: 'started', label: t('startedAt'), children: time(b.startedAt) },
            { key: 'rows', label: t('rows'), children: b.rowsTotal },
            { key: 'good', label: t('goodRows'), children: b.rowsGood },
            { key: 'bad', label: t('badRows'), children: b.rowsBad },
            ...(b.failure ? [{ key: 'failure', label: t('failure'), children: b.failure }] : []),
          ]}
        />
      ) : null}
      {errors.error ? <ProblemAlert error={errors.error} onRetry={errors.reload} /> : null}
      <Table<BadRow>
        rowKey={(r) => `${r.row}:${r.field}:${r.rule}`}
        loading={errors.loading}
        dataSource={errors.data?.items}
        scroll={{ x: 'max-content' }}
        pagination={{
          current: page,
          pageSize: PAGE_SIZE,
          total: errors.data?.total,
          showSizeChanger: false,
          onChange: setPage,
          showTotal: (n) => s('total', { n }),
        }}
        columns={[
          { title: t('row'), dataIndex: 'row' },
          { title: t('field'), dataIndex: 'field' },
          { title: t('rule'), dataIndex: 'rule' },
          { title: t('message'), render: (_, r) => pick(r.message, r.messageEn) },
        ]}
      />
    </>
  );
}
