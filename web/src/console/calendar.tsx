import {
  App,
  Button,
  Calendar as MonthView,
  Card,
  Col,
  DatePicker,
  Flex,
  Form,
  Input,
  Modal,
  Radio,
  Row,
  Table,
  Tag,
} from 'antd';
import { LeftOutlined, RightOutlined } from '@ant-design/icons';
import type { Dayjs } from 'dayjs';
import { useState } from 'react';
import { api, data } from '../api/client.ts';
import { useBilingual, useT } from '../i18n/index.tsx';
import { ProblemAlert } from '../shared/problem.tsx';
import { useApi } from '../shared/use-api.ts';
import { PageTitle, useDateTime, useDayjsLocale, useSubmit } from './common.tsx';
import { calendar as messages, shell } from './messages.ts';

type Override = Awaited<ReturnType<typeof loadOverrides>>[number];
type Day = Awaited<ReturnType<typeof loadDays>>[number];
const loadOverrides = async () => (await data(api.GET('/api/v1/calendar/overrides'))).overrides;
const loadDays = async (from: string, to: string) =>
  (await data(api.GET('/api/v1/calendar/days', { params: { query: { from, to } } }))).days;

/** The first and last day of the month of a date (YYYY-MM-DD). */
function monthOf(date: string) {
  const [year, month] = date.split('-').map(Number) as [number, number];
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return { from: `${date.slice(0, 7)}-01`, to: `${date.slice(0, 7)}-${String(last).padStart(2, '0')}` };
}
/** Days off in red, working days that would otherwise be off in blue. */
function dayStyle(d: Day | undefined) {
  if (d && !d.working) return { color: '#b91c1c', fontWeight: 600 };
  if (d?.kind === 'makeup' || d?.kind === 'override') return { color: '#1d4ed8', fontWeight: 600 };
  return undefined;
}

/** Today in China. */
const chinaToday = () => new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);

/** Working-day overrides: a month at a glance, the days set here, and setting or removing one. */
export default function Calendar() {
  useDayjsLocale();
  const t = useT(messages);
  const s = useT(shell);
  const pick = useBilingual();
  const time = useDateTime();
  const { message, modal } = App.useApp();
  const overrides = useApi(loadOverrides, []);
  const [month, setMonth] = useState(() => monthOf(chinaToday()));
  const days = useApi(() => loadDays(month.from, month.to), [month]);
  const [setting, setSetting] = useState<{ day?: Dayjs } | undefined>();
  const [selected, setSelected] = useState<Dayjs>();
  const [failure, setFailure] = useState<unknown>();
  const dayInfo = new Map<string, Day>((days.data ?? []).map((d) => [d.date, d]));

  const remove = async (date: string) => {
    setFailure(undefined);
    try {
      await api.DELETE('/api/v1/calendar/overrides/{date}', { params: { path: { date } } });
      void message.success(t('removed', { date }));
      overrides.reload();
      days.reload();
    } catch (e) {
      setFailure(e);
    }
  };

  return (
    <>
      <PageTitle
        title={t('title')}
        extra={
          <Button type="primary" onClick={() => setSetting({})}>
            {t('addOverride')}
          </Button>
        }
      />
      <p>{t('intro')}</p>
      {overrides.error || failure ? <ProblemAlert error={failure ?? overrides.error} /> : null}
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={10}>
          <Card size="small">
            <MonthView
              fullscreen={false}
              onPanelChange={(day) => setMonth(monthOf(day.format('YYYY-MM-DD')))}
              // Month by month with named buttons: antd's own header has year and month pickers without labels.
              headerRender={({ value, onChange }) => (
                <Flex justify="space-between" align="center" style={{ padding: '4px 8px' }}>
                  <Button
                    type="text"
                    aria-label={t('previousMonth')}
                    icon={<LeftOutlined aria-hidden />}
                    onClick={() => onChange(value.subtract(1, 'month'))}
                  />
                  <strong aria-live="polite">{value.format(t('monthFormat'))}</strong>
                  <Button
                    type="text"
                    aria-label={t('nextMonth')}
                    icon={<RightOutlined aria-hidden />}
                    onClick={() => onChange(value.add(1, 'month'))}
                  />
                </Flex>
              )}
              value={selected}
              onSelect={(day, { source }) => {
                setSelected(day);
                if (source === 'date') setSetting({ day });
              }}
              fullCellRender={(day, info) => {
                if (info.type !== 'date') return info.originNode;
                const d = dayInfo.get(day.format('YYYY-MM-DD'));
                const label = d
                  ? `${t(`kind_${d.kind}`)}${d.name ? ` ${pick(d.name, d.nameEn)}` : ''}`
                  : undefined;
                return (
                  <div
                    className="ant-picker-cell-inner"
                    title={label}
                    style={
                      // The selected day keeps antd's white on blue.
                      day.isSame(selected ?? info.today, 'day')
                        ? undefined
                        : (dayStyle(d) ??
                          // Days of the months beside: antd's pale grey is 1.8:1; this is 4.7:1.
                          (day.format('YYYY-MM') === month.from.slice(0, 7)
                            ? undefined
                            : { color: 'rgba(0, 0, 0, 0.55)' }))
                    }
                  >
                    {day.date()}
                  </div>
                );
              }}
            />
          </Card>
        </Col>
        <Col xs={24} lg={14}>
          <Card size="small" title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('overrides')}</h2>}>
            <Table<Override>
              rowKey="date"
              size="small"
              loading={overrides.loading}
              dataSource={overrides.data}
              pagination={false}
              scroll={{ x: 'max-content' }}
              columns={[
                { title: t('date'), dataIndex: 'date' },
                {
                  title: t('working'),
                  render: (_, o) => (
                    <Tag color={o.working ? 'blue' : 'red'}>{o.working ? t('workingDay') : t('dayOff')}</Tag>
                  ),
                },
                { title: t('reason'), dataIndex: 'reason' },
                { title: t('updatedAt'), render: (_, o) => time(o.updatedAt) },
                {
                  title: s('actions'),
                  render: (_, o) => (
                    <Button
                      type="link"
                      danger
                      onClick={() =>
                        modal.confirm({
                          title: t('confirmRemove', { date: o.date }),
                          onOk: () => remove(o.date),
                        })
                      }
                    >
                      {s('remove')}
                    </Button>
                  ),
                },
              ]}
            />
          </Card>
        </Col>
      </Row>
      {setting ? (
        <OverrideForm
          day={setting.day}
          onClose={(changed) => {
            setSetting(undefined);
            if (changed) {
              overrides.reload();
              days.reload();
            }
          }}
        />
      ) : null}
    </>
  );
}

interface OverrideValues {
  date: Dayjs;
  working: boolean;
  reason: string;
}

function OverrideForm({ day, onClose }: { day?: Dayjs; onClose(changed: boolean): void }) {
  const t = useT(messages);
  const s = useT(shell);
  const { message } = App.useApp();
  const [form] = Form.useForm<OverrideValues>();
  const { submit, busy, error } = useSubmit(form, async (values) => {
    await api.PUT('/api/v1/calendar/overrides/{date}', {
      params: { path: { date: values.date.format('YYYY-MM-DD') } },
      body: { working: values.working, reason: values.reason.trim() },
    });
    void message.success(s('saved'));
    onClose(true);
  });
  return (
    <Modal
      open
      title={t('addOverride')}
      okText={s('save')}
      cancelText={s('cancel')}
      confirmLoading={busy}
      onOk={() => form.submit()}
      onCancel={() => onClose(false)}
      destroyOnHidden
    >
      {error ? <ProblemAlert error={error} /> : null}
      <Form form={form} layout="vertical" onFinish={submit} initialValues={{ date: day }}>
        <Form.Item name="date" label={t('date')} rules={[{ required: true, message: t('dateRequired') }]}>
          <DatePicker format="YYYY-MM-DD" style={{ width: '100%' }} />
        </Form.Item>
        <Form.Item
          name="working"
          label={t('working')}
          rules={[{ required: true, message: t('workingRequired') }]}
        >
          <Radio.Group
            options={[
              { value: true, label: t('workingDay') },
              { value: false, label: t('dayOff') },
            ]}
          />
        </Form.Item>
        <Form.Item
          name="reason"
          label={t('reason')}
          rules={[{ required: true, whitespace: true, max: 200, message: t('reasonRequired') }]}
        >
          <Input.TextArea rows={2} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
