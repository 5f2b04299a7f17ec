import { Button, Card, Descriptions, Empty, Flex, Modal, Result, Select, Skeleton, Typography } from 'antd';
import { useEffect, useMemo, useRef, useState } from 'react';
import { Link, Navigate, useLocation, useNavigate, useParams, useSearchParams } from 'react-router';
import { ApiProblem, api, data } from '../../api/client.ts';
import { useT } from '../../i18n/index.tsx';
import { ProblemAlert, ProblemPage } from '../../shared/problem.tsx';
import { useSession } from '../../shared/session.tsx';
import { useApi } from '../../shared/use-api.ts';
import { PageTitle, SectionTitle } from '../apply/parts.tsx';
import type { ItemDetail } from '../components/catalog.ts';
import { loginPath } from '../layout.tsx';
import {
  book,
  bookingProblem,
  loadSlots,
  retitled,
  type Appointment,
  type PlaceSlots,
  type Slot,
} from './api.ts';
import { useHallTime } from './format.ts';
import { bookTexts } from './messages.ts';
import './book.css';

type Translate = ReturnType<typeof useT<keyof (typeof bookTexts)['zh-CN']>>;

/** A booking failure in the page's own words where it has some (slot full, booked already, banned). */
function explained(error: unknown, t: Translate, day: (date: string) => string): unknown {
  if (!(error instanceof ApiProblem)) return error;
  const kind = bookingProblem(error);
  if (kind === 'slot-full') return retitled(error, t('slotFull'));
  if (kind === 'already-booked') return retitled(error, t('alreadyBooked'));
  if (kind === 'booking-banned') {
    const until = typeof error.problem.until === 'string' ? error.problem.until : undefined;
    return retitled(error, until ? t('bannedUntil', { until: day(until.slice(0, 10)) }) : t('banned'));
  }
  return error;
}

/**
 * 预约办理 `/book/:code` (a basic code; `?place=` an implementation entry to preselect):
 * choose the place, a working day and a slot, confirm, and get the booking number.
 */
export default function Book() {
  const { profile } = useSession();
  const location = useLocation();
  if (profile === undefined) return <Skeleton active />;
  if (profile === null) return <Navigate replace to={loginPath(location.pathname + location.search)} />;
  return <Booking />;
}

function Booking() {
  const t = useT(bookTexts);
  const { code = '' } = useParams();
  const [params, setParams] = useSearchParams();
  const [done, setDone] = useState<Appointment>();
  const item = useApi(
    () => data<ItemDetail>(api.GET('/api/v1/catalog/items/{code}', { params: { path: { code } } })),
    [code],
  );
  const places = useApi(
    () => data(api.GET('/api/v1/catalog/items/{code}/places', { params: { path: { code } } })),
    [code],
  );
  const list = useMemo(() => places.data?.items ?? [], [places.data]);
  const asked = params.get('place');
  // One place needs no choosing; a place named in the address is chosen already.
  const place = list.find((p) => p.code === asked)?.code ?? (list.length === 1 ? list[0]!.code : undefined);
  const choose = (next: string) => setParams({ place: next }, { replace: true });

  if (item.error) return <ProblemPage error={item.error} />;
  if (done) return <Booked appointment={done} />;
  return (
    <Flex vertical gap={16} className="tb-book">
      <div>
        <PageTitle>{t('title')}</PageTitle>
        {item.data ? (
          <Typography.Paragraph style={{ margin: '4px 0 0', fontSize: 16 }}>
            <Link to={`/items/${item.data.code}`}>{item.data.name}</Link>
          </Typography.Paragraph>
        ) : null}
        <Typography.Paragraph type="secondary" style={{ margin: '4px 0 0' }}>
          {t('intro')}
        </Typography.Paragraph>
      </div>
      <Card title={<SectionTitle>{`1. ${t('stepPlace')}`}</SectionTitle>}>
        {places.error ? <ProblemAlert error={places.error} onRetry={places.reload} /> : null}
        {places.loading && !places.data ? <Skeleton active paragraph={{ rows: 2 }} /> : null}
        {places.data && list.length === 0 ? <Empty description={t('noPlaces')} /> : null}
        {list.length > 1 ? (
          <Select
            className="tb-book-place"
            aria-label={t('placeLabel')}
            placeholder={t('placePlaceholder')}
            showSearch={{ optionFilterProp: 'label' }}
            value={place}
            onChange={choose}
            options={list.map((p) => ({ value: p.code, label: p.implementingBody.name }))}
          />
        ) : null}
        {place ? <PlaceDetails code={place} places={list} /> : null}
      </Card>
      {place ? <SlotPicker key={place} place={place} onBooked={setDone} /> : null}
    </Flex>
  );
}

type CatalogPlace = {
  code: string;
  address: string | null;
  phone: string | null;
  officeHours: string | null;
} & {
  implementingBody: { name: string };
};

function PlaceDetails({ code, places }: { code: string; places: CatalogPlace[] }) {
  const t = useT(bookTexts);
  const place = places.find((p) => p.code === code);
  if (!place) return null;
  return (
    <Flex vertical gap={2} className="tb-book-place-details" data-testid="book-place">
      <Typography.Text strong>{place.implementingBody.name}</Typography.Text>
      {place.address ? <Typography.Text>{`${t('address')}：${place.address}`}</Typography.Text> : null}
      {place.officeHours ? (
        <Typography.Text>{`${t('officeHours')}：${place.officeHours}`}</Typography.Text>
      ) : null}
      {place.phone ? <Typography.Text>{`${t('phone')}：${place.phone}`}</Typography.Text> : null}
    </Flex>
  );
}

/** The working days as buttons, then the chosen day's slots with the seats left; a slot opens the confirmation. */
function SlotPicker({ place, onBooked }: { place: string; onBooked: (appointment: Appointment) => void }) {
  const t = useT(bookTexts);
  const when = useHallTime();
  const slots = useApi(() => loadSlots(place), [place]);
  const [date, setDate] = useState<string>();
  const [chosen, setChosen] = useState<Slot>();
  const [error, setError] = useState<unknown>();
  const days = slots.data?.days ?? [];
  const day = days.find((d) => d.date === date) ?? days[0];

  return (
    <>
      <Card title={<SectionTitle>{`2. ${t('stepDay')}`}</SectionTitle>}>
        {slots.error ? <ProblemAlert error={slots.error} onRetry={slots.reload} /> : null}
        {slots.loading && !slots.data ? <Skeleton active paragraph={{ rows: 1 }} /> : null}
        {slots.data && days.length === 0 ? <Empty description={t('noDays')} /> : null}
        <div role="group" aria-label={t('daysLabel')} className="tb-book-days">
          {days.map((d) => {
            const current = d.date === day?.date;
            const left = d.slots.reduce((sum, s) => sum + s.remaining, 0);
            return (
              <Button
                key={d.date}
                type={current ? 'primary' : 'default'}
                aria-pressed={current}
                className="tb-book-day"
                onClick={() => setDate(d.date)}
              >
                <span>{when.day(d.date)}</span>
                <span className="tb-book-left">{left > 0 ? t('remaining', { n: left }) : t('full')}</span>
              </Button>
            );
          })}
        </div>
      </Card>
      {day ? (
        <Card title={<SectionTitle>{`3. ${t('stepSlot')}`}</SectionTitle>}>
          {error ? (
            <div style={{ marginBottom: 16 }}>
              <ProblemAlert error={error} />
            </div>
          ) : null}
          {day.slots.length === 0 ? <Empty description={t('noSlots')} /> : null}
          <div role="group" aria-label={t('slotsLabel')} className="tb-book-slots">
            {day.slots.map((slot) => {
              const span = when.span(slot.startsAt, slot.endsAt);
              const full = slot.remaining <= 0;
              return (
                <Button
                  key={slot.startsAt}
                  disabled={full}
                  className="tb-book-slot"
                  aria-label={
                    full
                      ? t('slotFullAria', { time: span })
                      : t('slotAria', { time: span, n: slot.remaining })
                  }
                  onClick={() => {
                    setError(undefined);
                    setChosen(slot);
                  }}
                >
                  <span className="tb-book-time">{span}</span>
                  <span className="tb-book-left">
                    {full ? t('full') : t('remaining', { n: slot.remaining })}
                  </span>
                </Button>
              );
            })}
          </div>
        </Card>
      ) : null}
      {chosen && slots.data ? (
        <Confirm
          slot={chosen}
          slots={slots.data}
          onClose={() => setChosen(undefined)}
          onBooked={onBooked}
          onFailed={(failure) => {
            setChosen(undefined);
            setError(explained(failure, t, when.day));
            // The seats changed under the person: show the current ones.
            if (bookingProblem(failure) === 'slot-full') slots.reload();
          }}
        />
      ) : null}
    </>
  );
}

function Confirm(props: {
  slot: Slot;
  slots: PlaceSlots;
  onClose: () => void;
  onBooked: (appointment: Appointment) => void;
  onFailed: (error: unknown) => void;
}) {
  const t = useT(bookTexts);
  const when = useHallTime();
  const [busy, setBusy] = useState(false);
  // One key per attempt at this slot: a retried request is not booked twice.
  const key = useRef(crypto.randomUUID());
  const { place, item } = props.slots;
  const submit = async () => {
    setBusy(true);
    try {
      props.onBooked(await book(place.code, props.slot.startsAt, key.current));
    } catch (failure) {
      props.onFailed(failure);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal
      open
      title={t('confirmTitle')}
      okText={t('confirmOk')}
      cancelText={t('cancelButton')}
      confirmLoading={busy}
      onOk={() => void submit()}
      onCancel={props.onClose}
      destroyOnHidden
    >
      <Typography.Paragraph>{t('confirmIntro')}</Typography.Paragraph>
      <Descriptions column={1} size="small" bordered>
        <Descriptions.Item label={t('item')}>{item.name}</Descriptions.Item>
        <Descriptions.Item label={t('place')}>{place.implementingBody.name}</Descriptions.Item>
        {place.address ? <Descriptions.Item label={t('address')}>{place.address}</Descriptions.Item> : null}
        <Descriptions.Item label={t('time')}>
          {when.slot(props.slot.startsAt, props.slot.endsAt)}
        </Descriptions.Item>
      </Descriptions>
    </Modal>
  );
}

function Booked({ appointment }: { appointment: Appointment }) {
  const t = useT(bookTexts);
  const when = useHallTime();
  const navigate = useNavigate();
  const heading = useRef<HTMLDivElement>(null);
  // The view replaced the form: bring the reader (and a screen reader) to its top.
  useEffect(() => {
    window.scrollTo(0, 0);
    heading.current?.focus();
  }, []);
  return (
    <Card className="tb-book">
      <Result
        status="success"
        title={
          <div ref={heading} tabIndex={-1}>
            <PageTitle>{t('successTitle')}</PageTitle>
          </div>
        }
        subTitle={t('successText', { number: appointment.number })}
        extra={[
          <Button key="mine" type="primary" onClick={() => void navigate('/my/appointments')}>
            {t('toMyAppointments')}
          </Button>,
          <Button key="guide" onClick={() => void navigate(`/items/${appointment.item.code}`)}>
            {t('backToGuide')}
          </Button>,
        ]}
      >
        <Descriptions column={1} size="small" bordered data-testid="booking">
          <Descriptions.Item label={t('number')}>
            <Typography.Text strong copyable data-testid="booking-number">
              {appointment.number}
            </Typography.Text>
          </Descriptions.Item>
          <Descriptions.Item label={t('item')}>{appointment.item.name}</Descriptions.Item>
          <Descriptions.Item label={t('place')}>{appointment.place.implementingBody.name}</Descriptions.Item>
          {appointment.place.address ? (
            <Descriptions.Item label={t('address')}>{appointment.place.address}</Descriptions.Item>
          ) : null}
          {appointment.place.phone ? (
            <Descriptions.Item label={t('phone')}>{appointment.place.phone}</Descriptions.Item>
          ) : null}
          <Descriptions.Item label={t('time')}>
            {when.slot(appointment.startsAt, appointment.endsAt)}
          </Descriptions.Item>
        </Descriptions>
      </Result>
    </Card>
  );
}
