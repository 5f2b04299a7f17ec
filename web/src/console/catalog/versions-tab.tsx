import { App, Button, Col, Empty, Form, List, Row, Select, Space, Tag, Typography } from 'antd';
import { useState } from 'react';
import { api, data } from '../../api/client.ts';
import { ProblemAlert } from '../../shared/problem.tsx';
import { useDateTime } from '../common.tsx';
import { kindOf, KIND_KEYS } from './form-fields.ts';
import { ACTION_KEYS, SOURCE_KEYS, useLabels } from './labels.ts';
import { ActorName, ResponsiveTable, StatusTag } from './shared.tsx';
import { VERSION_LIFECYCLE, elementsOf, type ItemVersion, type VersionAction } from './types.ts';
import { ELEMENT_KEYS, diffVersions, type Change, type ChangeKind } from './version-diff.ts';

const CONFIRM_KEYS = {
  submit: 'confirmSubmit',
  reject: 'confirmReject',
  publish: 'confirmPublish',
  retire: 'confirmRetire',
} as const;

/** Every version with the lifecycle actions open to it, and a diff of any two. */
export function VersionsTab({
  code,
  versions,
  onChanged,
}: {
  code: string;
  versions: ItemVersion[];
  onChanged(): void;
}) {
  const { t, status } = useLabels();
  const dateTime = useDateTime();
  const { modal, message } = App.useApp();
  const [failure, setFailure] = useState<unknown>();
  const newest = versions.at(-1)?.version ?? 1;
  const [from, setFrom] = useState<number>(Math.max(1, newest - 1));
  const [to, setTo] = useState<number>(newest);

  const act = (version: ItemVersion, action: VersionAction) =>
    modal.confirm({
      title: t(ACTION_KEYS[action]),
      content: t(CONFIRM_KEYS[action], { version: version.version }),
      okText: t('confirm'),
      cancelText: t('cancel'),
      okButtonProps: { danger: action === 'retire' || action === 'reject' },
      onOk: async () => {
        setFailure(undefined);
        try {
          const moved = await data<ItemVersion>(
            api.POST('/api/v1/catalog/items/{code}/{action}', { params: { path: { code, action } } }),
          );
          message.success(t('actionDone', { version: moved.version, status: status(moved.status) }));
          setTo(moved.version);
          onChanged();
        } catch (error) {
          setFailure(error);
        }
      },
    });

  const before = versions.find((v) => v.version === from);
  const after = versions.find((v) => v.version === to);
  const options = versions.map((v) => ({
    value: v.version,
    label: `${t('versionLabel', { version: v.version })} · ${status(v.status)}`,
  }));

  return (
    <>
      {failure ? <ProblemAlert error={failure} /> : null}
      <Typography.Title level={2} style={{ fontSize: 18 }}>
        {t('versionsTitle')}
      </Typography.Title>
      <ResponsiveTable<ItemVersion>
        rowKey={(v) => String(v.version)}
        rows={[...versions].reverse()}
        columns={[
          { key: 'version', title: t('version'), render: (v) => t('versionLabel', { version: v.version }) },
          { key: 'status', title: t('status'), render: (v) => <StatusTag status={v.status} /> },
          {
            key: 'createdBy',
            title: t('createdBy'),
            render: (v) => (
              <ActorName id={v.createdBy} name={v.createdByName} department={v.createdByDepartment} />
            ),
          },
          { key: 'updatedAt', title: t('updatedAt'), render: (v) => dateTime(v.updatedAt) },
          { key: 'publishedAt', title: t('publishedAt'), render: (v) => dateTime(v.publishedAt) },
          {
            key: 'actions',
            title: t('actions'),
            render: (v) =>
              VERSION_LIFECYCLE[v.status].length === 0 ? null : (
                <Space wrap>
                  {VERSION_LIFECYCLE[v.status].map((action) => (
                    <Button
                      key={action}
                      size="small"
                      type={action === 'publish' ? 'primary' : 'default'}
                      danger={action === 'retire'}
                      onClick={() => act(v, action)}
                    >
                      {t(ACTION_KEYS[action])}
                    </Button>
                  ))}
                </Space>
              ),
          },
        ]}
      />
      <Typography.Title level={2} style={{ fontSize: 18, marginTop: 24 }}>
        {t('compare')}
      </Typography.Title>
      <Form layout="vertical" component="div">
        <Row gutter={12}>
          <Col xs={12} md={6}>
            <Form.Item label={t('compareFrom')} htmlFor="compare-from">
              <Select id="compare-from" value={from} onChange={setFrom} options={options} />
            </Form.Item>
          </Col>
          <Col xs={12} md={6}>
            <Form.Item label={t('compareTo')} htmlFor="compare-to">
              <Select id="compare-to" value={to} onChange={setTo} options={options} />
            </Form.Item>
          </Col>
        </Row>
      </Form>
      {before && after ? <DiffView changes={diffVersions(elementsOf(before), elementsOf(after))} /> : null}
    </>
  );
}

const KIND_COLOURS: Record<ChangeKind, string> = { added: 'green', removed: 'red', changed: 'blue' };

/** The changes as a readable list: what, and before → after in words. */
function DiffView({ changes }: { changes: Change[] }) {
  const { t, type, audience, handling } = useLabels();
  if (changes.length === 0) return <Empty description={t('noDifferences')} />;
  const kindLabel = { added: t('diffAdded'), removed: t('diffRemoved'), changed: t('diffChanged') };
  const elementLabel = new Map(ELEMENT_KEYS.map(([element, key]) => [element, t(key)]));

  const plain = (element: string, value: unknown): string => {
    if (value === null || value === undefined || value === '') return t('none');
    if (element === 'typeCode') return type(String(value));
    if (element === 'handlingType') return handling(String(value));
    if (element === 'audience') return (value as string[]).map(audience).join('、');
    if (element === 'fee') {
      const fee = value as { charged: boolean; standard?: string };
      return fee.charged ? (fee.standard ?? '') : t('none');
    }
    if (element === 'legalBasis') return (value as { title: string }[]).map((b) => b.title).join('；');
    if (element === 'process' || element === 'specialProcedures')
      return (value as { name: string; limitDays?: number }[])
        .map((s) =>
          s.limitDays === undefined ? s.name : t('stepWithLimit', { name: s.name, days: s.limitDays }),
        )
        .join(' → ');
    if (Array.isArray(value)) return value.join('、') || t('none');
    return typeof value === 'object' ? JSON.stringify(value) : String(value);
  };
  const field = (f: (Change & { on: 'field' })['after']) =>
    f
      ? [f.title ?? '', t(KIND_KEYS[kindOf(f)]), f.required ? t('fieldRequired') : '']
          .filter(Boolean)
          .join(' · ')
      : '';
  const material = (m: (Change & { on: 'material' })['after']) =>
    m
      ? [m.name, t(SOURCE_KEYS[m.source]), `×${m.copies}`, m.required ? t('materialRequired') : '']
          .filter(Boolean)
          .join(' · ')
      : '';

  const row = (change: Change): { what: string; before: string; after: string } => {
    switch (change.on) {
      case 'element':
        return {
          what: elementLabel.get(change.element) ?? change.element,
          before: plain(change.element, change.before),
          after: plain(change.element, change.after),
        };
      case 'material': {
        const key = {
          added: 'materialAdded',
          removed: 'materialRemoved',
          changed: 'materialChanged',
        } as const;
        return {
          what: t(key[change.kind], { name: change.name }),
          before: material(change.before),
          after: material(change.after),
        };
      }
      case 'field': {
        const key = {
          added: 'formFieldAdded',
          removed: 'formFieldRemoved',
          changed: 'formFieldChanged',
        } as const;
        const label = change.after?.title ?? change.before?.title ?? change.key;
        return {
          what: t(key[change.kind], { label }),
          before: field(change.before),
          after: field(change.after),
        };
      }
      case 'order':
        return { what: t('formOrder'), before: change.before.join(' → '), after: change.after.join(' → ') };
      case 'form':
        return {
          what: t('formOther'),
          before: JSON.stringify(change.before),
          after: JSON.stringify(change.after),
        };
    }
  };

  return (
    <List
      bordered
      data-testid="version-diff"
      dataSource={changes}
      renderItem={(change) => {
        const { what, before, after } = row(change);
        return (
          <List.Item>
            <div style={{ width: '100%', minWidth: 0 }}>
              <Space wrap>
                <Tag color={KIND_COLOURS[change.kind]}>{kindLabel[change.kind]}</Tag>
                <Typography.Text strong>{what}</Typography.Text>
              </Space>
              {change.kind === 'changed' ? (
                <>
                  <div style={{ overflowWrap: 'anywhere' }}>
                    <Typography.Text type="secondary">{t('diffBefore')}</Typography.Text>
                    <Typography.Text>{before}</Typography.Text>
                  </div>
                  <div style={{ overflowWrap: 'anywhere' }}>
                    <Typography.Text type="secondary">{t('diffAfter')}</Typography.Text>
                    <Typography.Text>{after}</Typography.Text>
                  </div>
                </>
              ) : (
                <div style={{ overflowWrap: 'anywhere' }}>
                  <Typography.Text delete={change.kind === 'removed'}>
                    {change.kind === 'removed' ? before : after}
                  </Typography.Text>
                </div>
              )}
            </div>
          </List.Item>
        );
      }}
    />
  );
}
