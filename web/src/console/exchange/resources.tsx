import { Button, Flex, Select, Table, Tag } from 'antd';
import { useState } from 'react';
import { api, data } from '../../api/client.ts';
import { useT } from '../../i18n/index.tsx';
import { ProblemAlert } from '../../shared/problem.tsx';
import { useApi } from '../../shared/use-api.ts';
import { PageTitle } from '../common.tsx';
import { exchange as messages, shell } from '../messages.ts';
import { resourceTexts } from './messages.ts';
import { ResourceEditor, useMayEditResource } from './resource-editor.tsx';
import type { Resource, ResourceField, Sensitivity } from './types.ts';

export const SENSITIVITY_COLOURS: Record<Sensitivity, string> = {
  public: 'green',
  internal: 'blue',
  sensitive: 'red',
};

export const loadResources = () => data<Resource[]>(api.GET('/api/v1/exchange/resources'));

/**
 * The resource catalog (信息资源目录): each resource's provider, sharing type and fields with
 * their sensitivity; its provider's staff change how it is shared.
 */
export default function Resources() {
  const t = useT(messages);
  const s = useT(shell);
  const rt = useT(resourceTexts);
  const resources = useApi(loadResources, []);
  const mayEdit = useMayEditResource();
  const [editing, setEditing] = useState<Resource>();
  const editable = (resources.data ?? []).some(mayEdit);
  return (
    <>
      <PageTitle title={t('resourcesTitle')} />
      {resources.error ? <ProblemAlert error={resources.error} onRetry={resources.reload} /> : null}
      <Table<Resource>
        rowKey="code"
        loading={resources.loading}
        dataSource={resources.data}
        pagination={false}
        scroll={{ x: 'max-content' }}
        expandable={{ expandedRowRender: (r) => <Fields fields={r.fields} /> }}
        columns={[
          { title: s('name'), dataIndex: 'name' },
          { title: s('code'), dataIndex: 'code' },
          { title: t('provider'), dataIndex: 'providerName' },
          { title: t('sharingType'), render: (_, r) => t(`sharing_${r.sharingType}`) },
          { title: t('updateFrequency'), render: (_, r) => t(`frequency_${r.updateFrequency}`) },
          { title: t('fields'), render: (_, r) => r.fields.length },
          ...(editable
            ? [
                {
                  title: s('actions'),
                  render: (_: unknown, resource: Resource) =>
                    mayEdit(resource) ? (
                      <Button
                        type="link"
                        aria-label={rt('editOf', { name: resource.name })}
                        onClick={() => setEditing(resource)}
                      >
                        {rt('edit')}
                      </Button>
                    ) : null,
                },
              ]
            : []),
        ]}
      />
      {editing ? (
        <ResourceEditor
          resource={editing}
          onClose={(saved) => {
            setEditing(undefined);
            if (saved) resources.reload();
          }}
        />
      ) : null}
    </>
  );
}

function Fields({ fields }: { fields: ResourceField[] }) {
  const t = useT(messages);
  const s = useT(shell);
  const rt = useT(resourceTexts);
  return (
    <Table<ResourceField>
      rowKey="name"
      size="small"
      dataSource={fields}
      pagination={false}
      scroll={{ x: 'max-content' }}
      columns={[
        { title: t('field'), dataIndex: 'name' },
        { title: t('fieldLabel'), dataIndex: 'label' },
        {
          title: t('sensitivity'),
          render: (_, f) => (
            <Tag color={SENSITIVITY_COLOURS[f.sensitivity]}>{t(`sensitivity_${f.sensitivity}`)}</Tag>
          ),
        },
        { title: t('mask'), render: (_, f) => (f.mask ? rt(`mask_${f.mask}`) : s('none')) },
      ]}
    />
  );
}

/** The resource filter of the access log and the batches: any resource, or one of them. */
export function ResourceFilter({
  resources,
  value,
  onChange,
}: {
  resources: { code: string; name: string }[] | undefined;
  value: string | undefined;
  onChange(value: string | undefined): void;
}) {
  const t = useT(messages);
  return (
    <Flex wrap gap={8} style={{ marginBottom: 12 }}>
      <Select
        aria-label={t('resource')}
        value={value ?? ''}
        onChange={(next: string) => onChange(next || undefined)}
        options={[
          { value: '', label: t('anyResource') },
          ...(resources ?? []).map((r) => ({ value: r.code, label: r.name })),
        ]}
        style={{ minWidth: 200 }}
      />
    </Flex>
  );
}
