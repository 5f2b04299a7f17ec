import { PlusOutlined } from '@ant-design/icons';
import { Button, Flex, Form, Input, Select } from 'antd';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api, data } from '../../api/client.ts';
import { ProblemAlert } from '../../shared/problem.tsx';
import { PageTitle, useDateTime } from '../common.tsx';
import { useApi } from '../../shared/use-api.ts';
import { CreateItemDialog } from './create-item.tsx';
import { STATUSES, TYPE_CODES, useLabels } from './labels.ts';
import { ResponsiveTable, StatusTag, type Column } from './shared.tsx';
import type { ManagedItem, VersionStatus } from './types.ts';

const PAGE_SIZE = 20;

/** Every item of the basic catalog, drafts too: search, filters, pages, and a new item. */
export default function ItemsList() {
  const { t, type, itemName } = useLabels();
  const dateTime = useDateTime();
  const [params, setParams] = useSearchParams();
  const [creating, setCreating] = useState(false);
  const q = params.get('q') ?? '';
  const status = (params.get('status') ?? undefined) as VersionStatus | undefined;
  const department = params.get('department') ?? undefined;
  const kind = (params.get('type') ?? undefined) as ManagedItem['type']['code'] | undefined;
  const page = Number(params.get('page') ?? 1);
  const list = useApi(
    () =>
      data(
        api.GET('/api/v1/catalog/manage/items', {
          params: {
            query: {
              ...(q && { q }),
              ...(status && { status }),
              ...(department && { department }),
              ...(kind && { type: kind as never }),
              page,
              size: PAGE_SIZE,
            },
          },
        }),
      ),
    [q, status, department, kind, page],
  );
  /** A changed filter starts again at page 1. */
  const setFilter = (name: string, value: string | undefined) => {
    const next = new URLSearchParams(params);
    if (value) next.set(name, value);
    else next.delete(name);
    if (name !== 'page') next.delete('page');
    setParams(next);
  };

  const columns: Column<ManagedItem>[] = [
    {
      key: 'name',
      title: t('name'),
      render: (item) => <Link to={item.code}>{itemName(item)}</Link>,
    },
    { key: 'code', title: t('code'), render: (item) => item.code },
    { key: 'department', title: t('department'), render: (item) => item.department },
    { key: 'type', title: t('kind'), render: (item) => type(item.type.code) },
    {
      key: 'status',
      title: t('status'),
      render: (item) => (
        <>
          {t('versionLabel', { version: item.version })} <StatusTag status={item.status} />
        </>
      ),
    },
    {
      key: 'published',
      title: t('publishedVersion'),
      render: (item) =>
        item.publishedVersion === null ? t('none') : t('versionLabel', { version: item.publishedVersion }),
    },
    { key: 'updatedAt', title: t('updatedAt'), render: (item) => dateTime(item.updatedAt) },
  ];

  return (
    <>
      <PageTitle
        title={t('itemsTitle')}
        extra={
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>
            {t('newItem')}
          </Button>
        }
      />
      <Form layout="vertical" role="search">
        <Flex wrap gap={12}>
          <Form.Item label={t('search')} htmlFor="catalog-q" style={{ flex: '1 1 220px', marginBottom: 8 }}>
            <Input.Search
              id="catalog-q"
              defaultValue={q}
              placeholder={t('searchPlaceholder')}
              allowClear
              enterButton={t('search')}
              onSearch={(value) => setFilter('q', value.trim() || undefined)}
            />
          </Form.Item>
          <Form.Item
            label={t('status')}
            htmlFor="catalog-status"
            style={{ flex: '1 1 140px', marginBottom: 8 }}
          >
            <Select
              id="catalog-status"
              value={status ?? ''}
              onChange={(v: string) => setFilter('status', v || undefined)}
              options={[
                { value: '', label: t('allStatuses') },
                ...STATUSES.map((s) => ({ value: s, label: <StatusTag status={s} /> })),
              ]}
            />
          </Form.Item>
          <Form.Item
            label={t('department')}
            htmlFor="catalog-department"
            style={{ flex: '1 1 180px', marginBottom: 8 }}
          >
            <Select
              id="catalog-department"
              showSearch
              value={department ?? ''}
              onChange={(v: string) => setFilter('department', v || undefined)}
              options={[
                { value: '', label: t('allDepartments') },
                ...(list.data?.departments ?? []).map((d) => ({ value: d, label: d })),
              ]}
            />
          </Form.Item>
          <Form.Item label={t('kind')} htmlFor="catalog-type" style={{ flex: '1 1 160px', marginBottom: 8 }}>
            <Select
              id="catalog-type"
              value={kind ?? ''}
              onChange={(v: string) => setFilter('type', v || undefined)}
              options={[
                { value: '', label: t('allKinds') },
                ...TYPE_CODES.map((code) => ({ value: code, label: type(code) })),
              ]}
            />
          </Form.Item>
        </Flex>
      </Form>
      {list.error ? <ProblemAlert error={list.error} onRetry={list.reload} /> : null}
      <ResponsiveTable<ManagedItem>
        rowKey={(item) => item.code}
        loading={list.loading}
        columns={columns}
        rows={list.data?.items ?? []}
        pagination={{
          current: page,
          pageSize: PAGE_SIZE,
          total: list.data?.total ?? 0,
          showSizeChanger: false,
          showTotal: (n) => t('total', { n }),
          onChange: (p) => setFilter('page', p > 1 ? String(p) : undefined),
        }}
      />
      <CreateItemDialog open={creating} onClose={() => setCreating(false)} />
    </>
  );
}
