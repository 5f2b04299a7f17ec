import { Card, Col, Empty, Row, Skeleton, Statistic, Typography } from 'antd';
import { useMemo } from 'react';
import { api, data } from '../api/client.ts';
import { useBilingual, useT } from '../i18n/index.tsx';
import { ProblemAlert } from '../shared/problem.tsx';
import { useApi } from '../shared/use-api.ts';
import { Chart, type ChartOption } from './chart.tsx';
import { PageTitle } from './common.tsx';
import { dashboard as messages } from './messages.ts';

const DAYS = 30;
/** Departments shown in their chart: the busiest ones. */
const TOP_DEPARTMENTS = 10;
const COLOURS = { total: '#1d4ed8', open: '#0f766e', overdue: '#b91c1c' };

type Statistics = Awaited<ReturnType<typeof load>>;
const load = () => data(api.GET('/api/v1/cases/statistics', { params: { query: { days: DAYS } } }));

/** Cases by status and department, overdue, handling time and applications per day, over the jurisdiction. */
export default function Dashboard() {
  const t = useT(messages);
  const { data: stats, error, reload } = useApi(load, []);
  return (
    <>
      <PageTitle title={t('title')} />
      {error ? <ProblemAlert error={error} onRetry={reload} /> : null}
      {stats ? <Figures stats={stats} /> : error ? null : <Skeleton active />}
    </>
  );
}

function Figures({ stats }: { stats: Statistics }) {
  const t = useT(messages);
  const pick = useBilingual();
  const open = stats.byDepartment.reduce((n, d) => n + d.open, 0);
  const figures = [
    { key: 'open', title: t('openCases'), value: open },
    { key: 'overdue', title: t('overdue'), value: stats.overdue },
    { key: 'ended', title: t('ended', { days: DAYS }), value: stats.ended },
    {
      key: 'average',
      title: t('averageDays'),
      value: stats.averageHandlingDays ?? t('noValue'),
    },
  ];

  const statuses = useMemo(() => stats.byStatus.filter((s) => s.count > 0), [stats]);
  const departments = useMemo(() => stats.byDepartment.slice(0, TOP_DEPARTMENTS), [stats]);
  const byStatus = useMemo<ChartOption>(
    () => ({
      tooltip: { trigger: 'axis' },
      grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
      xAxis: { type: 'value', minInterval: 1 },
      yAxis: { type: 'category', inverse: true, data: statuses.map((s) => pick(s.name, s.nameEn)) },
      series: [
        {
          type: 'bar',
          name: t('cases'),
          data: statuses.map((s) => s.count),
          itemStyle: { color: COLOURS.total },
          label: { show: true, position: 'right' },
        },
      ],
    }),
    [statuses, pick, t],
  );
  const byDepartment = useMemo<ChartOption>(
    () => ({
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 8, right: 24, top: 32, bottom: 8, containLabel: true },
      xAxis: { type: 'value', minInterval: 1 },
      yAxis: { type: 'category', inverse: true, data: departments.map((d) => d.organisationName) },
      series: (['total', 'open', 'overdue'] as const).map((key) => ({
        type: 'bar' as const,
        name: t(key === 'overdue' ? 'overdueSeries' : key),
        data: departments.map((d) => d[key]),
        itemStyle: { color: COLOURS[key] },
      })),
    }),
    [departments, t],
  );
  const daily = useMemo<ChartOption>(
    () => ({
      tooltip: { trigger: 'axis' },
      grid: { left: 8, right: 24, top: 16, bottom: 8, containLabel: true },
      xAxis: { type: 'category', data: stats.daily.map((d) => d.date.slice(5)) },
      yAxis: { type: 'value', minInterval: 1 },
      series: [
        {
          type: 'line',
          name: t('applications'),
          data: stats.daily.map((d) => d.applications),
          itemStyle: { color: COLOURS.total },
          areaStyle: { opacity: 0.1 },
        },
      ],
    }),
    [stats.daily, t],
  );

  const summary = (pairs: [string, number][]) =>
    pairs.map(([k, v]) => t('pair', { k, v })).join(t('separator'));
  return (
    <>
      <Typography.Paragraph type="secondary">
        {t('period', { from: stats.from, to: stats.to })}
      </Typography.Paragraph>
      <Row gutter={[16, 16]}>
        {figures.map((f) => (
          <Col xs={12} md={6} key={f.key}>
            <Card size="small">
              <Statistic title={f.title} value={f.value} data-testid={`figure-${f.key}`} />
            </Card>
          </Col>
        ))}
        <Col xs={24} lg={12}>
          <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('byStatus')}</h2>} size="small">
            {statuses.length === 0 ? (
              <Empty description={t('empty')} />
            ) : (
              <Chart
                option={byStatus}
                summary={summary(statuses.map((s) => [pick(s.name, s.nameEn), s.count]))}
                height={Math.max(160, statuses.length * 36)}
              />
            )}
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('byDepartment')}</h2>} size="small">
            {departments.length === 0 ? (
              <Empty description={t('empty')} />
            ) : (
              <Chart
                option={byDepartment}
                summary={summary(departments.map((d) => [d.organisationName, d.total]))}
                height={Math.max(180, departments.length * 56)}
              />
            )}
          </Card>
        </Col>
        <Col xs={24}>
          <Card
            title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('daily', { days: DAYS })}</h2>}
            size="small"
          >
            <Chart option={daily} summary={summary(stats.daily.map((d) => [d.date, d.applications]))} />
          </Card>
        </Col>
      </Row>
    </>
  );
}
