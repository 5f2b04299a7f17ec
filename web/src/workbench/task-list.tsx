import { Button, Card, Collapse, Flex, Form, Grid, Input, List, Select, Table, Typography } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { useT } from '../i18n/index.tsx';
import { ProblemAlert } from '../shared/problem.tsx';
import { useApi } from '../shared/use-api.ts';
import { CASE_STATUSES, listCases, type CaseStatus, type View, type WorkbenchRow } from './api.ts';
import { DeadlineTag, rowState } from './deadline.tsx';
import { useDateTime, useLabel } from './labels.ts';
import { NAV_VIEWS, type NavView } from './layout.tsx';
import { messages } from './messages.ts';
import { useShortcuts } from './shortcuts.tsx';

const PAGE_SIZE = 20;

interface Filters {
  status?: CaseStatus[];
  itemCode?: string;
  applicant?: string;
  receivedFrom?: string;
  receivedTo?: string;
}

/** The list's state lives in the address, so a reload, a link or Back shows the same list. */
function useListState() {
  const [params, setParams] = useSearchParams();
  const view = (NAV_VIEWS as readonly string[]).includes(params.get('view') ?? '')
    ? (params.get('view') as NavView)
    : 'mine';
  // Kept while the address stays the same, so the filter form is not reset under the user's typing.
  const filters = useMemo<Filters>(
    () => ({
      status: params
        .get('status')
        ?.split(',')
        .filter((s): s is CaseStatus => (CASE_STATUSES as readonly string[]).includes(s)),
      itemCode: params.get('itemCode') ?? undefined,
      applicant: params.get('applicant') ?? undefined,
      receivedFrom: params.get('receivedFrom') ?? undefined,
      receivedTo: params.get('receivedTo') ?? undefined,
    }),
    [params],
  );
  const page = Math.max(1, Number(params.get('page')) || 1);
  const update = (changes: Record<string, string | undefined>) => {
    const next = new URLSearchParams(params);
    for (const [key, value] of Object.entries(changes)) {
      if (value) next.set(key, value);
      else next.delete(key);
    }
    setParams(next);
  };
  return { view, filters, page, update, key: params.toString() };
}

function FilterForm({ filters, onApply }: { filters: Filters; onApply: (filters: Filters) => void }) {
  const t = useT(messages);
  const label = useLabel();
  const [form] = Form.useForm<Filters>();
  useEffect(() => form.setFieldsValue({ ...filters }), [form, filters]);
  const clear = () => {
    form.resetFields();
    onApply({});
  };
  return (
    <Form<Filters>
      form={form}
      layout="vertical"
      onFinish={onApply}
      className="wb-filters"
      initialValues={filters}
    >
      <Flex wrap gap={12} align="flex-end">
        <Form.Item name="status" label={t('status')} className="wb-filter wb-filter-wide">
          <Select
            mode="multiple"
            allowClear
            placeholder={t('anyStatus')}
            options={CASE_STATUSES.map((s) => ({ value: s, label: label('status', s) }))}
            maxTagCount="responsive"
          />
        </Form.Item>
        <Form.Item name="itemCode" label={t('itemCode')} className="wb-filter">
          <Input allowClear />
        </Form.Item>
        <Form.Item name="applicant" label={t('applicant')} className="wb-filter" tooltip={t('applicantHelp')}>
          <Input allowClear />
        </Form.Item>
        <Form.Item label={t('receivedFrom')} className="wb-filter wb-filter-wide">
          <Flex gap={4} align="center">
            <Form.Item name="receivedFrom" noStyle>
              <Input type="date" aria-label={`${t('receivedFrom')} ≥`} />
            </Form.Item>
            <span aria-hidden>–</span>
            <Form.Item name="receivedTo" noStyle>
              <Input type="date" aria-label={`${t('receivedFrom')} ≤`} />
            </Form.Item>
          </Flex>
        </Form.Item>
        <Form.Item className="wb-filter-buttons">
          <Flex gap={8}>
            <Button type="primary" htmlType="submit">
              {t('search')}
            </Button>
            <Button onClick={clear}>{t('reset')}</Button>
          </Flex>
        </Form.Item>
      </Flex>
    </Form>
  );
}

/** Task lists: mine, my department's, my jurisdiction, overdue; most urgent first; j/k/Enter. */
export default function TaskList() {
  const t = useT(messages);
  const label = useLabel();
  const dateTime = useDateTime();
  const navigate = useNavigate();
  const phone = !Grid.useBreakpoint().md;
  const { view, filters, page, update, key } = useListState();
  const { data, error, loading, reload } = useApi(
    () =>
      listCases({
        view: (view === 'overdue' ? 'all' : view) as View,
        ...(view === 'overdue' && { overdue: true }),
        ...filters,
        ...(filters.status?.length ? {} : { status: undefined }),
        page,
        size: PAGE_SIZE,
      }),
    [key],
  );
  const rows = useMemo(() => data?.items ?? [], [data]);
  const [selected, setSelected] = useState(0);
  useEffect(() => setSelected(0), [rows]);

  const focusRow = (index: number) => {
    const row = rows[index];
    if (!row) return;
    setSelected(index);
    document.getElementById(`case-${row.id}`)?.focus();
  };
  const open = (row: WorkbenchRow | undefined) => row && void navigate(`/workbench/cases/${row.id}`);
  useShortcuts({
    j: () => focusRow(Math.min(selected + 1, rows.length - 1)),
    k: () => focusRow(Math.max(selected - 1, 0)),
    Enter: () => open(rows[selected]),
  });

  const applyFilters = (next: Filters) =>
    update({
      status: next.status?.length ? next.status.join(',') : undefined,
      itemCode: next.itemCode?.trim() || undefined,
      applicant: next.applicant?.trim() || undefined,
      receivedFrom: next.receivedFrom || undefined,
      receivedTo: next.receivedTo || undefined,
      page: undefined,
    });

  const numberLink = (row: WorkbenchRow, index: number) => (
    <Link
      id={`case-${row.id}`}
      to={`/workbench/cases/${row.id}`}
      aria-label={t('open', { number: row.number })}
      onFocus={() => setSelected(index)}
      className="wb-case-number"
    >
      {row.number}
    </Link>
  );
  const deadline = (row: WorkbenchRow) => (
    <DeadlineTag state={rowState(row)} remainingWorkingDays={row.remainingWorkingDays} paused={row.paused} />
  );
  const pagination = {
    current: page,
    pageSize: PAGE_SIZE,
    total: data?.total ?? 0,
    showSizeChanger: false,
    onChange: (next: number) => update({ page: next === 1 ? undefined : String(next) }),
  };

  return (
    <>
      <Flex justify="space-between" align="baseline" wrap gap={8}>
        <Typography.Title level={1} className="wb-title">
          {t('listTitle')} · {t(`view${view[0]!.toUpperCase()}${view.slice(1)}` as 'viewMine')}
        </Typography.Title>
        {data ? <Typography.Text type="secondary">{t('total', { n: data.total })}</Typography.Text> : null}
      </Flex>
      {phone ? (
        <Collapse
          className="wb-block"
          items={[
            {
              key: 'filters',
              label: t('filters'),
              children: <FilterForm filters={filters} onApply={applyFilters} />,
            },
          ]}
        />
      ) : (
        <Card className="wb-block" size="small">
          <FilterForm filters={filters} onApply={applyFilters} />
        </Card>
      )}
      {error ? <ProblemAlert error={error} onRetry={reload} /> : null}
      {phone ? (
        <List
          className="wb-block"
          loading={loading}
          dataSource={rows}
          locale={{ emptyText: t('empty') }}
          pagination={data && data.total > PAGE_SIZE ? { ...pagination, size: 'small', simple: true } : false}
          renderItem={(row, index) => (
            <List.Item
              key={row.id}
              className={index === selected ? 'wb-row-selected' : undefined}
              onClick={() => open(row)}
            >
              <Flex vertical gap={4} style={{ width: '100%', minWidth: 0 }}>
                <Flex justify="space-between" gap={8} wrap>
                  {numberLink(row, index)}
                  <span>{label('status', row.status)}</span>
                </Flex>
                <Typography.Text strong>{row.itemName}</Typography.Text>
                <Typography.Text type="secondary">
                  {row.applicantName} · {dateTime(row.submittedAt)}
                </Typography.Text>
                <div>{deadline(row)}</div>
              </Flex>
            </List.Item>
          )}
        />
      ) : (
        <Table<WorkbenchRow>
          className="wb-block"
          rowKey="id"
          loading={loading}
          dataSource={rows}
          size="middle"
          pagination={pagination}
          locale={{ emptyText: t('empty') }}
          rowClassName={(_, index) => (index === selected ? 'wb-row-selected' : '')}
          onRow={(row) => ({ onDoubleClick: () => open(row) })}
          columns={[
            { key: 'number', title: t('number'), render: (_, row, index) => numberLink(row, index) },
            { key: 'item', title: t('item'), dataIndex: 'itemName' },
            { key: 'applicant', title: t('applicant'), dataIndex: 'applicantName' },
            { key: 'status', title: t('status'), render: (_, row) => label('status', row.status) },
            { key: 'received', title: t('received'), render: (_, row) => dateTime(row.submittedAt) },
            { key: 'deadline', title: t('deadline'), render: (_, row) => deadline(row) },
          ]}
        />
      )}
      {phone ? null : (
        <Typography.Paragraph type="secondary" className="wb-hint">
          {t('keyboardHint')}
        </Typography.Paragraph>
      )}
    </>
  );
}
