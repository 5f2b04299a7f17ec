import { EditOutlined, PlusOutlined } from '@ant-design/icons';
import {
  App,
  Button,
  Card,
  Col,
  Empty,
  Form,
  Input,
  List,
  Modal,
  Radio,
  Row,
  Select,
  Space,
  Typography,
} from 'antd';
import { useState } from 'react';
import { ApiProblem, api, data } from '../../api/client.ts';
import { ProblemAlert } from '../../shared/problem.tsx';
import { useApi } from '../../shared/use-api.ts';
import { PageTitle } from '../common.tsx';
import { LIFE_EVENTS, useLabels } from './labels.ts';
import { RowControls } from './list-controls.tsx';
import { useServerErrors } from './shared.tsx';
import type { BundleSummary } from './types.ts';

type Audience = BundleSummary['audience'];
interface BundleValues {
  code: string;
  name: string;
  audience: Audience;
  lifeEvent?: string | null;
  description?: string;
}
type ItemRef = { code: string; name: string };

/** 一件事: bundles of items applied for together, and the items each one holds. */
export default function Bundles() {
  const { t, audience } = useLabels();
  const bundles = useApi(() => data<{ items: BundleSummary[] }>(api.GET('/api/v1/catalog/bundles')), []);
  const [editing, setEditing] = useState<BundleSummary | 'new'>();
  return (
    <>
      <PageTitle
        title={t('bundlesTitle')}
        extra={
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')}>
            {t('newBundle')}
          </Button>
        }
      />
      {bundles.error ? <ProblemAlert error={bundles.error} onRetry={bundles.reload} /> : null}
      <List
        loading={bundles.loading}
        grid={{ gutter: 16, xs: 1, md: 2, xl: 3 }}
        dataSource={bundles.data?.items ?? []}
        renderItem={(bundle) => (
          <List.Item>
            <Card
              title={bundle.name}
              extra={
                <Button
                  icon={<EditOutlined />}
                  aria-label={`${t('edit')} ${bundle.name}`}
                  onClick={() => setEditing(bundle)}
                >
                  {t('edit')}
                </Button>
              }
            >
              <Typography.Paragraph type="secondary">
                {[audience(bundle.audience), bundle.lifeEvent, t('itemCount', { n: bundle.items.length })]
                  .filter(Boolean)
                  .join(' · ')}
              </Typography.Paragraph>
              <ol style={{ margin: 0, paddingInlineStart: 20 }}>
                {bundle.items.map((item) => (
                  <li key={item.code}>{item.name}</li>
                ))}
              </ol>
            </Card>
          </List.Item>
        )}
      />
      {editing ? (
        <BundleDialog
          bundle={editing === 'new' ? undefined : editing}
          onClose={(saved) => {
            setEditing(undefined);
            if (saved) bundles.reload();
          }}
        />
      ) : null}
    </>
  );
}

function BundleDialog({
  bundle,
  onClose,
}: {
  bundle: BundleSummary | undefined;
  onClose(saved: boolean): void;
}) {
  const { t, audience, itemName } = useLabels();
  const { message } = App.useApp();
  const [form] = Form.useForm<BundleValues>();
  const [items, setItems] = useState<ItemRef[]>(bundle?.items ?? []);
  const [itemsError, setItemsError] = useState<string>();
  const [failure, setFailure] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [query, setQuery] = useState('');
  const showServerErrors = useServerErrors();
  const chosenAudience = Form.useWatch('audience', form) ?? bundle?.audience ?? 'natural_person';
  const found = useApi(
    () =>
      data(
        api.GET('/api/v1/catalog/manage/items', {
          params: { query: { status: 'published', size: 20, page: 1, ...(query && { q: query }) } },
        }),
      ),
    [query],
  );

  const move = (from: number, to: number) =>
    setItems((list) => {
      const next = [...list];
      const [moved] = next.splice(from, 1);
      next.splice(to, 0, moved!);
      return next;
    });

  const save = async (values: BundleValues) => {
    if (items.length < 2) return setItemsError(t('bundleItemsMin'));
    setBusy(true);
    setFailure(undefined);
    const body = {
      name: values.name.trim(),
      audience: values.audience,
      lifeEvent: values.lifeEvent ?? null,
      description: values.description ?? '',
      itemCodes: items.map((i) => i.code),
    };
    try {
      if (bundle)
        await api.PUT('/api/v1/catalog/bundles/{code}', { params: { path: { code: bundle.code } }, body });
      else await api.POST('/api/v1/catalog/bundles', { body: { ...body, code: values.code } });
      message.success(t('bundleSaved'));
      onClose(true);
    } catch (error) {
      const rest = showServerErrors(form, error, (field) =>
        ['code', 'name', 'audience', 'lifeEvent', 'description'].includes(field),
      );
      const itemError = Object.entries(rest).find(([f]) => f.startsWith('itemCodes'));
      if (itemError) setItemsError(itemError[1]);
      if (!(error instanceof ApiProblem && error.status === 400)) setFailure(error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open
      width={760}
      title={bundle ? bundle.name : t('newBundle')}
      okText={t('saveBundle')}
      cancelText={t('cancel')}
      confirmLoading={busy}
      onOk={() => form.submit()}
      onCancel={() => onClose(false)}
    >
      <Form
        form={form}
        layout="vertical"
        initialValues={bundle ?? { audience: 'natural_person', description: '' }}
        onFinish={save}
      >
        <Row gutter={12}>
          <Col xs={24} md={12}>
            <Form.Item
              name="code"
              label={t('bundleCode')}
              extra={bundle ? undefined : t('bundleCodeHelp')}
              rules={[
                { required: true, message: t('required', { label: t('bundleCode') }) },
                { pattern: /^[a-z0-9-]+$/, message: t('bundleCodePattern') },
              ]}
            >
              <Input maxLength={50} disabled={Boolean(bundle)} />
            </Form.Item>
          </Col>
          <Col xs={24} md={12}>
            <Form.Item
              name="name"
              label={t('bundleName')}
              rules={[
                {
                  required: true,
                  whitespace: true,
                  min: 2,
                  message: t('required', { label: t('bundleName') }),
                },
              ]}
            >
              <Input maxLength={100} />
            </Form.Item>
          </Col>
          <Col xs={24} md={12}>
            <Form.Item name="audience" label={t('bundleAudience')} rules={[{ required: true }]}>
              <Radio.Group
                options={(['natural_person', 'legal_person'] as const).map((a) => ({
                  value: a,
                  label: audience(a),
                }))}
              />
            </Form.Item>
          </Col>
          <Col xs={24} md={12}>
            <Form.Item name="lifeEvent" label={t('bundleLifeEvent')}>
              <Select
                allowClear
                options={LIFE_EVENTS[chosenAudience as Audience].map((e) => ({ value: e, label: e }))}
              />
            </Form.Item>
          </Col>
          <Col xs={24}>
            <Form.Item name="description" label={t('bundleDescription')}>
              <Input.TextArea maxLength={2000} autoSize={{ minRows: 2, maxRows: 6 }} />
            </Form.Item>
          </Col>
        </Row>
        <Form.Item
          label={t('bundleItems')}
          extra={t('bundleItemsHelp')}
          validateStatus={itemsError ? 'error' : undefined}
          help={itemsError}
          htmlFor="bundle-add-item"
        >
          {items.length === 0 ? <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} /> : null}
          <List
            size="small"
            dataSource={items}
            renderItem={(item, index) => (
              <List.Item
                extra={
                  <RowControls
                    index={index}
                    count={items.length}
                    label={item.name}
                    move={move}
                    remove={(i) => setItems((list) => list.filter((_, j) => j !== i))}
                  />
                }
              >
                <Space>
                  <span>{index + 1}.</span>
                  <span>{item.name}</span>
                  <Typography.Text type="secondary">{item.code}</Typography.Text>
                </Space>
              </List.Item>
            )}
          />
          <Select
            id="bundle-add-item"
            showSearch
            value={null}
            placeholder={t('searchItems')}
            filterOption={false}
            onSearch={setQuery}
            loading={found.loading}
            style={{ width: '100%', marginTop: 8 }}
            options={(found.data?.items ?? [])
              .filter((i) => !items.some((chosen) => chosen.code === i.code))
              .map((i) => ({
                value: i.code,
                label: itemName(i),
              }))}
            onChange={(code: string) => {
              const item = found.data?.items.find((i) => i.code === code);
              if (item) setItems((list) => [...list, { code: item.code, name: item.name }]);
              setItemsError(undefined);
            }}
          />
        </Form.Item>
      </Form>
      {failure ? <ProblemAlert error={failure} /> : null}
    </Modal>
  );
}
