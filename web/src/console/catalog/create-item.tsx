import { App, Form, Modal } from 'antd';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { ApiProblem, api, data } from '../../api/client.ts';
import { ProblemAlert } from '../../shared/problem.tsx';
import { CoreElementFields } from './element-fields.tsx';
import { useLabels } from './labels.ts';
import { useServerErrors } from './shared.tsx';
import type { ItemElements } from './types.ts';

type CoreElements = Pick<
  ItemElements,
  | 'name'
  | 'subSituation'
  | 'typeCode'
  | 'department'
  | 'audience'
  | 'handlingType'
  | 'legalLimitDays'
  | 'promisedLimitDays'
>;

const CORE_FIELDS = new Set([
  'name',
  'subSituation',
  'typeCode',
  'department',
  'audience',
  'handlingType',
  'legalLimitDays',
  'promisedLimitDays',
]);

/** A new item starts as the draft of version 1 with the elements that define it; the editor adds the rest. */
export function CreateItemDialog({ open, onClose }: { open: boolean; onClose(): void }) {
  const { t } = useLabels();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const [form] = Form.useForm<CoreElements>();
  const [failure, setFailure] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const showServerErrors = useServerErrors();

  const create = async (core: CoreElements) => {
    setBusy(true);
    setFailure(undefined);
    try {
      const created = await data<{ code: string }>(
        api.POST('/api/v1/catalog/items', {
          body: {
            ...core,
            subSituation: core.subSituation ?? null,
            legalBasis: [],
            visits: 0,
            onlineDepth: 'IV',
            fee: { charged: false },
            materials: [],
            process: [],
            specialProcedures: [],
            resultLicence: null,
            lifeEvents: [],
            keywords: [],
          },
        }),
      );
      message.success(t('created', { code: created.code }));
      onClose();
      void navigate(created.code);
    } catch (error) {
      const rest = showServerErrors(form, error, (field) => CORE_FIELDS.has(field));
      if (!(error instanceof ApiProblem && error.status === 400) || Object.keys(rest).length > 0)
        setFailure(error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open={open}
      title={t('newItem')}
      okText={t('create')}
      cancelText={t('cancel')}
      confirmLoading={busy}
      onOk={() => form.submit()}
      onCancel={onClose}
      width={720}
      destroyOnHidden
    >
      <Form
        form={form}
        layout="vertical"
        initialValues={{
          audience: ['natural_person'],
          handlingType: 'promised',
          legalLimitDays: 20,
          promisedLimitDays: 10,
        }}
        onFinish={create}
      >
        <CoreElementFields />
      </Form>
      {failure ? <ProblemAlert error={failure} /> : null}
    </Modal>
  );
}
