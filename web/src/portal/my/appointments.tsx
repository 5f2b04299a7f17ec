import { App, Button, Card, Flex, Grid, List, Modal, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { Link } from 'react-router';
import { useT } from '../../i18n/index.tsx';
import { ProblemAlert } from '../../shared/problem.tsx';
import { useApi } from '../../shared/use-api.ts';
import { SectionTitle } from '../apply/parts.tsx';
import { cancel, loadMine, type Appointment, type AppointmentStatus } from '../book/api.ts';
import { useHallTime } from '../book/format.ts';
import { bookTexts } from '../book/messages.ts';
import { Nothing } from './parts.tsx';

/** Solid tags with white text (antd's light presets fall below 4.5:1 contrast for some). */
export const APPOINTMENT_COLOURS: Record<AppointmentStatus, string> = {
  booked: '#1d4ed8',
  arrived: '#15803d',
  cancelled: 'default',
  no_show: '#b91c1c',
};

export function StatusTag({ status }: { status: AppointmentStatus }) {
  const t = useT(bookTexts);
  return <Tag color={APPOINTMENT_COLOURS[status]}>{t(`status.${status}`)}</Tag>;
}

/** Booked and not yet begun: the only time a booking can be cancelled. */
const cancellable = (a: Appointment, now: number) => a.status === 'booked' && Date.parse(a.startsAt) > now;

/** 我的预约: my visits to the hall, upcoming first; one still to come can be cancelled. */
export default function Appointments() {
  const t = useT(bookTexts);
  const when = useHallTime();
  const { message } = App.useApp();
  const phone = Grid.useBreakpoint().md === false;
  const mine = useApi(loadMine, []);
  const [asking, setAsking] = useState<Appointment>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [now] = useState(() => Date.now());

  const confirmCancel = async () => {
    if (!asking) return;
    setBusy(true);
    try {
      const done = await cancel(asking.id);
      void message.success(t('cancelled', { number: done.number }));
      setError(undefined);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
      setAsking(undefined);
      mine.reload();
    }
  };

  const cancelButton = (a: Appointment) =>
    cancellable(a, now) ? (
      <Button danger aria-label={t('cancelAria', { number: a.number })} onClick={() => setAsking(a)}>
        {t('cancel')}
      </Button>
    ) : null;
  const placeText = (a: Appointment) => (
    <Flex vertical gap={2}>
      <span>{a.place.implementingBody.name}</span>
      {a.place.address ? <Typography.Text type="secondary">{a.place.address}</Typography.Text> : null}
    </Flex>
  );
  const item = (a: Appointment) => <Link to={`/items/${a.item.code}`}>{a.item.name}</Link>;

  return (
    <Card title={<SectionTitle>{t('myTitle')}</SectionTitle>}>
      {mine.error ? <ProblemAlert error={mine.error} onRetry={mine.reload} /> : null}
      {error ? (
        <div style={{ marginBottom: 16 }}>
          <ProblemAlert error={error} />
        </div>
      ) : null}
      {phone ? (
        <List
          loading={mine.loading}
          dataSource={mine.data?.items ?? []}
          locale={{ emptyText: <Nothing text={t('myEmpty')} /> }}
          renderItem={(a) => (
            <List.Item key={a.id} data-testid="appointment">
              <Flex vertical gap={6} style={{ width: '100%' }}>
                <Flex justify="space-between" align="flex-start" gap={8}>
                  <Typography.Text strong>{item(a)}</Typography.Text>
                  <StatusTag status={a.status} />
                </Flex>
                <Typography.Text>{when.slot(a.startsAt, a.endsAt)}</Typography.Text>
                {placeText(a)}
                <Typography.Text type="secondary">{`${t('number')}：${a.number}`}</Typography.Text>
                {cancellable(a, now) ? <div>{cancelButton(a)}</div> : null}
              </Flex>
            </List.Item>
          )}
        />
      ) : (
        <Table<Appointment>
          rowKey="id"
          loading={mine.loading}
          dataSource={mine.data?.items ?? []}
          pagination={false}
          scroll={{ x: true }}
          onRow={() => ({ 'data-testid': 'appointment' }) as object}
          locale={{ emptyText: <Nothing text={t('myEmpty')} /> }}
          columns={[
            { key: 'time', title: t('time'), render: (_, a) => when.slot(a.startsAt, a.endsAt) },
            { key: 'item', title: t('item'), render: (_, a) => item(a) },
            { key: 'place', title: t('place'), render: (_, a) => placeText(a) },
            { key: 'number', title: t('number'), dataIndex: 'number' },
            { key: 'status', title: t('status'), render: (_, a) => <StatusTag status={a.status} /> },
            { key: 'actions', title: t('actions'), render: (_, a) => cancelButton(a) },
          ]}
        />
      )}
      <Modal
        open={asking !== undefined}
        title={t('cancelTitle')}
        okText={t('cancelOk')}
        okButtonProps={{ danger: true }}
        cancelText={t('keep')}
        confirmLoading={busy}
        onOk={() => void confirmCancel()}
        onCancel={() => setAsking(undefined)}
      >
        {asking ? (
          <Typography.Paragraph>
            {t('cancelText', { item: asking.item.name, time: when.slot(asking.startsAt, asking.endsAt) })}
          </Typography.Paragraph>
        ) : null}
      </Modal>
    </Card>
  );
}
