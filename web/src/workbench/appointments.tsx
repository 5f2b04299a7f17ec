import { App, Button, Card, Flex, Grid, Input, List, Select, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useSearchParams } from 'react-router';
import { defineMessages, useT } from '../i18n/index.tsx';
import { arrive, loadDay, type AppointmentStatus, type StaffAppointment } from '../portal/book/api.ts';
import { chinaToday, useHallTime } from '../portal/book/format.ts';
import { ProblemAlert } from '../shared/problem.tsx';
import { useApi } from '../shared/use-api.ts';

/** Texts of the hall's appointment list (预约) in the workbench. */
const texts = defineMessages(
  {
    title: '预约',
    date: '日期',
    today: '今天',
    previousDay: '前一天',
    nextDay: '后一天',
    status: '状态',
    anyStatus: '全部状态',
    total: '共 {n} 个预约',
    time: '时间',
    number: '预约号',
    applicant: '预约人',
    item: '事项',
    place: '办理地点',
    action: '操作',
    empty: '当天没有预约',
    arrive: '签到',
    arriveAria: '为预约 {number}（{name}）签到',
    arrived: '{name} 已签到（预约号 {number}）',
    opensAt: '{time} 起可签到',
    'status.booked': '已预约',
    'status.cancelled': '已取消',
    'status.arrived': '已到场',
    'status.no_show': '未到场',
  },
  {
    title: 'Appointments',
    date: 'Date',
    today: 'Today',
    previousDay: 'Previous day',
    nextDay: 'Next day',
    status: 'Status',
    anyStatus: 'Any status',
    total: '{n} appointments',
    time: 'Time',
    number: 'Booking number',
    applicant: 'Booked by',
    item: 'Service',
    place: 'Place',
    action: 'Action',
    empty: 'No appointments on this day',
    arrive: 'Check in',
    arriveAria: 'Check in booking {number} ({name})',
    arrived: '{name} checked in (booking {number})',
    opensAt: 'Check-in from {time}',
    'status.booked': 'Booked',
    'status.cancelled': 'Cancelled',
    'status.arrived': 'Arrived',
    'status.no_show': 'Missed',
  },
);

const STATUSES: AppointmentStatus[] = ['booked', 'arrived', 'cancelled', 'no_show'];
/** Solid tags with white text: antd's light presets fall below 4.5:1 contrast for some. */
const COLOURS: Record<AppointmentStatus, string> = {
  booked: '#1d4ed8',
  arrived: '#15803d',
  cancelled: 'default',
  no_show: '#b91c1c',
};
/** Check-in opens this long before the slot (the server's rule, which decides; the page says when and waits). */
const EARLY_MS = 30 * 60_000;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A `YYYY-MM-DD` date moved by whole days. */
const shift = (date: string, days: number) => {
  const next = new Date(`${date}T00:00:00Z`);
  next.setUTCDate(next.getUTCDate() + days);
  return next.toISOString().slice(0, 10);
};

/** 预约: one day's appointments at the places of the staff member's jurisdiction, by time; check-in at the hall. */
export default function Appointments() {
  const t = useT(texts);
  const when = useHallTime();
  const { message } = App.useApp();
  const phone = !Grid.useBreakpoint().md;
  const [params, setParams] = useSearchParams();
  const today = chinaToday();
  const date = DATE.test(params.get('date') ?? '') ? params.get('date')! : today;
  const status = (STATUSES as string[]).includes(params.get('status') ?? '')
    ? (params.get('status') as AppointmentStatus)
    : undefined;
  const update = (changes: { date?: string; status?: AppointmentStatus | null }) => {
    const next = new URLSearchParams(params);
    if (changes.date !== undefined) next.set('date', changes.date);
    if (changes.status !== undefined) {
      if (changes.status) next.set('status', changes.status);
      else next.delete('status');
    }
    setParams(next);
  };
  const list = useApi(() => loadDay(date, status), [date, status]);
  const [busy, setBusy] = useState<string>();
  const [error, setError] = useState<unknown>();
  const rows = list.data?.items ?? [];

  const checkIn = async (row: StaffAppointment) => {
    setBusy(row.id);
    setError(undefined);
    try {
      await arrive(row.id);
      void message.success(t('arrived', { name: row.applicant.name, number: row.number }));
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(undefined);
      list.reload();
    }
  };

  const statusTag = (s: AppointmentStatus) => <Tag color={COLOURS[s]}>{t(`status.${s}`)}</Tag>;
  const action = (row: StaffAppointment) => {
    if (row.status !== 'booked' || Date.parse(row.endsAt) < Date.now()) return null;
    const opens = Date.parse(row.startsAt) - EARLY_MS;
    const early = opens > Date.now();
    return (
      <Flex vertical gap={2} align="flex-start">
        <Button
          type="primary"
          disabled={early}
          loading={busy === row.id}
          aria-label={t('arriveAria', { number: row.number, name: row.applicant.name })}
          onClick={() => void checkIn(row)}
        >
          {t('arrive')}
        </Button>
        {early ? (
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {t('opensAt', { time: when.time(new Date(opens).toISOString()) })}
          </Typography.Text>
        ) : null}
      </Flex>
    );
  };
  const applicant = (row: StaffAppointment) => (
    <Flex vertical>
      <span>{row.applicant.name}</span>
      {row.applicant.phone ? <Typography.Text type="secondary">{row.applicant.phone}</Typography.Text> : null}
    </Flex>
  );

  return (
    <>
      <Flex justify="space-between" align="baseline" wrap gap={8}>
        <Typography.Title level={1} className="wb-title">
          {t('title')} · {when.day(date)}
        </Typography.Title>
        {list.data ? (
          <Typography.Text type="secondary">{t('total', { n: rows.length })}</Typography.Text>
        ) : null}
      </Flex>
      <Card className="wb-block" size="small">
        <Flex wrap gap={12} align="flex-end">
          <Flex vertical gap={4}>
            <label htmlFor="wb-appointments-date">{t('date')}</label>
            <Flex gap={4} wrap>
              <Input
                id="wb-appointments-date"
                type="date"
                value={date}
                style={{ width: 160 }}
                onChange={(e) => DATE.test(e.target.value) && update({ date: e.target.value })}
              />
              <Button onClick={() => update({ date: shift(date, -1) })}>{t('previousDay')}</Button>
              <Button onClick={() => update({ date: shift(date, 1) })}>{t('nextDay')}</Button>
              <Button disabled={date === today} onClick={() => update({ date: today })}>
                {t('today')}
              </Button>
            </Flex>
          </Flex>
          <Flex vertical gap={4}>
            <span id="wb-appointments-status">{t('status')}</span>
            <Select<AppointmentStatus | ''>
              aria-labelledby="wb-appointments-status"
              style={{ width: 160 }}
              value={status ?? ''}
              onChange={(value) => update({ status: value || null })}
              options={[
                { value: '', label: t('anyStatus') },
                ...STATUSES.map((s) => ({ value: s, label: t(`status.${s}`) })),
              ]}
            />
          </Flex>
        </Flex>
      </Card>
      {list.error ? <ProblemAlert error={list.error} onRetry={list.reload} /> : null}
      {error ? (
        <div className="wb-block">
          <ProblemAlert error={error} />
        </div>
      ) : null}
      {phone ? (
        <List
          className="wb-block"
          loading={list.loading}
          dataSource={rows}
          locale={{ emptyText: t('empty') }}
          renderItem={(row) => (
            <List.Item key={row.id} data-testid="appointment">
              <Flex vertical gap={4} style={{ width: '100%', minWidth: 0 }}>
                <Flex justify="space-between" gap={8} wrap>
                  <Typography.Text strong>{when.span(row.startsAt, row.endsAt)}</Typography.Text>
                  {statusTag(row.status)}
                </Flex>
                <Typography.Text>
                  {row.applicant.name}
                  {row.applicant.phone ? ` · ${row.applicant.phone}` : ''}
                </Typography.Text>
                <Typography.Text>{row.item.name}</Typography.Text>
                <Typography.Text type="secondary">
                  {row.number} · {row.place.implementingBody.name}
                </Typography.Text>
                {action(row)}
              </Flex>
            </List.Item>
          )}
        />
      ) : (
        <Table<StaffAppointment>
          className="wb-block"
          rowKey="id"
          loading={list.loading}
          dataSource={rows}
          size="middle"
          pagination={false}
          scroll={{ x: true }}
          onRow={() => ({ 'data-testid': 'appointment' }) as object}
          locale={{ emptyText: t('empty') }}
          columns={[
            { key: 'time', title: t('time'), render: (_, row) => when.span(row.startsAt, row.endsAt) },
            { key: 'number', title: t('number'), dataIndex: 'number' },
            { key: 'applicant', title: t('applicant'), render: (_, row) => applicant(row) },
            { key: 'item', title: t('item'), render: (_, row) => row.item.name },
            { key: 'place', title: t('place'), render: (_, row) => row.place.implementingBody.name },
            { key: 'status', title: t('status'), render: (_, row) => statusTag(row.status) },
            { key: 'action', title: t('action'), render: (_, row) => action(row) },
          ]}
        />
      )}
    </>
  );
}
