import { Card, Col, Empty, Flex, List, Pagination, Row, Select, Skeleton, Tag, Typography } from 'antd';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api, data } from '../api/client.ts';
import { useT } from '../i18n/index.tsx';
import { ProblemAlert } from '../shared/problem.tsx';
import { useApi } from '../shared/use-api.ts';
import type { Audience } from './components/catalog.ts';
import { Highlighted } from './components/highlighted.tsx';
import { SearchBox } from './components/search-box.tsx';
import { portal } from './messages.ts';
import { useTypeName } from './components/use-type-name.ts';

/** The search answers its best matches at once (at most 50); the page shows them in pages. */
const SEARCH_LIMIT = 50;
const PAGE_SIZE = 10;
const EXAMPLES = ['我要结婚', '社保卡', '新生儿落户', '公积金提取', '开饭馆', '身份证换领'];

function useRegions() {
  return useApi(
    () => data(api.GET('/api/v1/regions', { params: { query: { level: 3, page: 1, size: 50 } } })),
    [],
  );
}

function NoResults({ q }: { q: string }) {
  const t = useT(portal);
  return (
    <Empty
      description={
        <>
          <Typography.Paragraph strong>{t('noResults', { q })}</Typography.Paragraph>
          <Typography.Paragraph>{t('noResultsHint')}</Typography.Paragraph>
          <Flex wrap gap={8} justify="center">
            {EXAMPLES.map((example) => (
              <Link key={example} to={`/search?q=${encodeURIComponent(example)}`}>
                {example}
              </Link>
            ))}
          </Flex>
        </>
      }
    />
  );
}

/** Search results with the matched words marked, filters by audience, region and department, pages. */
export default function Search() {
  const t = useT(portal);
  const typeName = useTypeName();
  const [params, setParams] = useSearchParams();
  const q = params.get('q')?.trim() ?? '';
  const audience = (params.get('audience') ?? undefined) as Audience | undefined;
  const region = params.get('region') ?? undefined;
  const [department, setDepartment] = useState<string | undefined>(undefined);
  const [page, setPage] = useState(1);
  const regions = useRegions();
  const results = useApi(
    () =>
      q
        ? data(
            api.GET('/api/v1/catalog/search', {
              params: { query: { q, audience, region, limit: SEARCH_LIMIT } },
            }),
          )
        : Promise.resolve(undefined),
    [q, audience, region],
  );
  const setFilter = (name: 'audience' | 'region', value: string | undefined) => {
    const next = new URLSearchParams(params);
    if (value) next.set(name, value);
    else next.delete(name);
    setParams(next);
    setPage(1);
    setDepartment(undefined);
  };
  const hits = results.data?.items ?? [];
  const departments = [...new Set(hits.map((h) => h.department))];
  const shown = department ? hits.filter((h) => h.department === department) : hits;
  const pageOf = shown.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE);
  return (
    <Flex vertical gap={16}>
      <Typography.Title level={1} style={{ fontSize: 24, margin: 0 }}>
        {q ? t('resultsFor', { q }) : t('searchTitle')}
      </Typography.Title>
      <SearchBox initial={q} large />
      {q ? (
        <Card size="small" title={<h2 className="tb-card-title">{t('filters')}</h2>}>
          <Row gutter={[16, 12]}>
            <Col xs={24} md={8}>
              <label htmlFor="filter-audience">{t('audience')}</label>
              <Select
                id="filter-audience"
                style={{ width: '100%' }}
                value={audience ?? ''}
                onChange={(value) => setFilter('audience', value || undefined)}
                options={[
                  { value: '', label: t('audienceAll') },
                  { value: 'natural_person', label: t('natural_person') },
                  { value: 'legal_person', label: t('legal_person') },
                ]}
              />
            </Col>
            <Col xs={24} md={8}>
              <label htmlFor="filter-region">{t('region')}</label>
              <Select
                id="filter-region"
                style={{ width: '100%' }}
                value={region ?? ''}
                onChange={(value) => setFilter('region', value || undefined)}
                options={[
                  { value: '', label: t('regionAll') },
                  ...(regions.data?.items ?? []).map((r) => ({ value: r.code, label: r.name })),
                ]}
              />
            </Col>
            <Col xs={24} md={8}>
              <label htmlFor="filter-department">{t('department')}</label>
              <Select
                id="filter-department"
                style={{ width: '100%' }}
                value={department ?? ''}
                onChange={(value) => {
                  setDepartment(value || undefined);
                  setPage(1);
                }}
                options={[
                  { value: '', label: t('departmentAll') },
                  ...departments.map((d) => ({ value: d, label: d })),
                ]}
              />
            </Col>
          </Row>
        </Card>
      ) : (
        <Typography.Paragraph>{t('enterQuery')}</Typography.Paragraph>
      )}
      {results.error ? <ProblemAlert error={results.error} onRetry={results.reload} /> : null}
      {q && results.loading && !results.data ? <Skeleton active /> : null}
      {q && results.data && shown.length === 0 ? <NoResults q={q} /> : null}
      {shown.length > 0 ? (
        <>
          <Typography.Text type="secondary" role="status">
            {t('resultCount', { n: shown.length })}
          </Typography.Text>
          <List
            aria-label={t('resultsFor', { q })}
            dataSource={pageOf}
            renderItem={(hit) => (
              <List.Item key={hit.code}>
                <List.Item.Meta
                  title={
                    <Link to={`/items/${hit.code}`} style={{ fontSize: 16 }}>
                      <Highlighted html={hit.highlight} />
                    </Link>
                  }
                  description={
                    <Flex wrap gap={8} align="center">
                      <span>{hit.department}</span>
                      <Tag>{typeName(hit.type)}</Tag>
                    </Flex>
                  }
                />
              </List.Item>
            )}
          />
          {shown.length > PAGE_SIZE ? (
            <Pagination
              align="center"
              current={page}
              pageSize={PAGE_SIZE}
              total={shown.length}
              onChange={setPage}
              showSizeChanger={false}
            />
          ) : null}
        </>
      ) : null}
    </Flex>
  );
}
