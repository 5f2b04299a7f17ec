import { ArrowLeftOutlined, SaveOutlined } from '@ant-design/icons';
import { Alert, App, Button, Flex, Form, Space, Spin, Tabs, Typography } from 'antd';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { ApiProblem, api, data } from '../../api/client.ts';
import { ProblemAlert, ProblemPage } from '../../shared/problem.tsx';
import { schemaProblem, type FormSchema } from '../../shared/schema-form/index.tsx';
import { useApi } from '../../shared/use-api.ts';
import { PageTitle } from '../common.tsx';
import { AuditTab } from './audit-tab.tsx';
import { ElementsTab } from './elements-tab.tsx';
import { FormDesigner } from './form-designer.tsx';
import { useLabels } from './labels.ts';
import { MaterialsTab } from './materials-tab.tsx';
import { ProcessTab } from './process-tab.tsx';
import { StatusTag, useServerErrors } from './shared.tsx';
import { elementsOf, type ItemElements, type ItemVersion } from './types.ts';
import { VersionsTab } from './versions-tab.tsx';

type EditorTab = 'elements' | 'materials' | 'process' | 'form';

/** The editor tab that shows an element (by the first part of its field path). */
function tabOf(field: string | number | undefined): EditorTab {
  if (field === 'materials') return 'materials';
  if (field === 'process' || field === 'specialProcedures') return 'process';
  if (field === 'formSchema') return 'form';
  return 'elements';
}

/** One item: its draft in the editor, its versions with their diff and lifecycle, its change log. */
export default function ItemPage() {
  const { code = '' } = useParams();
  const { t, itemName } = useLabels();
  const [round, setRound] = useState(0);
  const versions = useApi(
    () =>
      data<{ items: ItemVersion[] }>(
        api.GET('/api/v1/catalog/items/{code}/versions', { params: { path: { code } } }),
      ),
    [code, round],
  );
  const departments = useApi(
    () =>
      data(api.GET('/api/v1/catalog/manage/items', { params: { query: { page: 1, size: 1 } } })).then(
        (r) => r.departments,
      ),
    [],
  );
  if (versions.error && !versions.data) return <ProblemPage error={versions.error} />;
  if (!versions.data) return <Spin style={{ display: 'block', margin: '64px auto' }} />;
  const list = versions.data.items;
  const newest = list.at(-1)!;
  // The editor works on the open version (draft or in review), else on the newest as the start of the next.
  const base = list.findLast((v) => v.status === 'draft' || v.status === 'in_review') ?? newest;
  const reload = () => setRound((r) => r + 1);

  return (
    <>
      <Link to=".." relative="path">
        <ArrowLeftOutlined /> {t('backToList')}
      </Link>
      <PageTitle
        title={itemName(base)}
        extra={
          <Space>
            <Typography.Text type="secondary">{code}</Typography.Text>
            <StatusTag status={newest.status} />
          </Space>
        }
      />
      <Tabs
        items={[
          {
            key: 'edit',
            label: t('tabEdit'),
            children: (
              <ItemEditor
                key={base.version}
                code={code}
                base={base}
                departments={departments.data ?? []}
                onSaved={reload}
              />
            ),
          },
          {
            key: 'versions',
            label: t('tabVersions'),
            children: (
              <VersionsTab
                key={`${newest.version}-${round}`}
                code={code}
                versions={list}
                onChanged={reload}
              />
            ),
          },
          { key: 'audit', label: t('tabAudit'), children: <AuditTab code={code} round={round} /> },
        ]}
      />
    </>
  );
}

type EditorValues = Omit<ItemElements, 'formSchema' | 'workflow'>;

const withoutEmpty = <T extends object>(o: T): T =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null && v !== undefined && v !== '')) as T;

function ItemEditor({
  code,
  base,
  departments,
  onSaved,
}: {
  code: string;
  base: ItemVersion;
  departments: string[];
  onSaved(): void;
}) {
  const { t } = useLabels();
  const { message } = App.useApp();
  const [form] = Form.useForm<EditorValues>();
  const [schema, setSchema] = useState<FormSchema>(
    (base.formSchema ?? { type: 'object', properties: {} }) as FormSchema,
  );
  const [tab, setTab] = useState<string>('elements');
  const [saving, setSaving] = useState(false);
  const [failure, setFailure] = useState<unknown>();
  const [otherErrors, setOtherErrors] = useState<Record<string, string>>({});
  const showServerErrors = useServerErrors();
  const inReview = base.status === 'in_review';
  const open = base.status === 'draft';
  const { formSchema: _form, workflow: _workflow, ...initial } = elementsOf(base);

  const save = async () => {
    setFailure(undefined);
    setOtherErrors({});
    try {
      await form.validateFields();
    } catch (error) {
      const first = (error as { errorFields?: { name: (string | number)[] }[] }).errorFields?.[0];
      setTab(tabOf(first?.name[0]));
      message.error(t('fixErrors', { n: (error as { errorFields?: unknown[] }).errorFields?.length ?? 1 }));
      return;
    }
    if (schemaProblem(schema)) {
      setTab('form');
      return;
    }
    const values = form.getFieldsValue(true) as EditorValues;
    const body: ItemElements = {
      ...elementsOf(base),
      ...values,
      subSituation: values.subSituation ?? null,
      resultLicence: values.resultLicence?.trim() || null,
      fee: withoutEmpty(values.fee),
      materials: values.materials.map(withoutEmpty),
      process: values.process.map(withoutEmpty),
      specialProcedures: values.specialProcedures.map(withoutEmpty),
      formSchema: schema as ItemElements['formSchema'],
    };
    setSaving(true);
    try {
      const saved = await data<ItemVersion>(
        api.PUT('/api/v1/catalog/items/{code}/draft', { params: { path: { code } }, body }),
      );
      message.success(t('saved', { version: saved.version }));
      onSaved();
    } catch (error) {
      const rest = showServerErrors(form, error, (field) => !/^(formSchema|workflow)/.test(field));
      if (error instanceof ApiProblem && error.status === 400) {
        setOtherErrors(rest);
        const first = error.problem.errors?.[0]?.field.replace(/^body\.?/, '');
        setTab(tabOf(first?.split(/[.[]/)[0]));
      } else setFailure(error);
    } finally {
      setSaving(false);
    }
  };

  return (
    <Form form={form} layout="vertical" initialValues={initial} disabled={inReview}>
      <Flex wrap gap={12} align="center" style={{ marginBottom: 12 }}>
        <Alert
          style={{ flex: '1 1 280px' }}
          type={inReview ? 'warning' : 'info'}
          showIcon
          message={
            inReview
              ? t('inReviewNotice', { version: base.version })
              : open
                ? t('editingDraft', { version: base.version })
                : t('editingNext', { version: base.version + 1 })
          }
        />
        <Button
          type="primary"
          icon={<SaveOutlined />}
          loading={saving}
          onClick={() => void save()}
          disabled={inReview}
        >
          {t('save')}
        </Button>
      </Flex>
      {failure ? <ProblemAlert error={failure} /> : null}
      {Object.keys(otherErrors).filter((f) => !f.startsWith('formSchema')).length > 0 ? (
        <Alert
          type="error"
          showIcon
          style={{ marginBottom: 12 }}
          message={t('otherServerErrors')}
          description={
            <ul style={{ margin: 0, paddingInlineStart: 20 }}>
              {Object.entries(otherErrors)
                .filter(([f]) => !f.startsWith('formSchema'))
                .map(([field, text]) => (
                  <li key={field}>
                    {field}: {text}
                  </li>
                ))}
            </ul>
          }
        />
      ) : null}
      <Tabs
        activeKey={tab}
        onChange={setTab}
        items={[
          {
            key: 'elements',
            label: t('tabElements'),
            forceRender: true,
            children: <ElementsTab departments={departments} />,
          },
          { key: 'materials', label: t('tabMaterials'), forceRender: true, children: <MaterialsTab /> },
          { key: 'process', label: t('tabProcess'), forceRender: true, children: <ProcessTab /> },
          {
            key: 'form',
            label: t('tabForm'),
            children: (
              <FormDesigner
                schema={schema}
                onChange={setSchema}
                disabled={inReview}
                serverError={Object.entries(otherErrors).find(([f]) => f.startsWith('formSchema'))?.[1]}
              />
            ),
          },
        ]}
      />
    </Form>
  );
}
