import { App, Button, Card, Checkbox, Flex, Form, Input, InputNumber, Modal, Typography } from 'antd';
import { useState } from 'react';
import { ApiProblem, fieldErrors } from '../api/client.ts';
import { useBilingual, useLocale, useT } from '../i18n/index.tsx';
import { ProblemAlert } from '../shared/problem.tsx';
import { takeAction, type CaseDetail, type StepBody } from './api.ts';
import { messages } from './messages.ts';
import { ACTION_KEYS, useShortcuts } from './shortcuts.tsx';

/** Actions whose step needs a written reason (the workflow's requiresReason), asked for in a form. */
const REASON_ACTIONS = new Set(['reject', 'return', 'review_deny', 'decide_deny', 'suspend', 'extend']);

interface StepForm {
  reason?: string;
  days?: number;
  expectedDays?: number;
  faulty?: string[];
  problems?: Record<string, string>;
}

/** The form of a step that needs more than a confirmation: a reason, days, or the 补正 notice. */
function StepDialog({
  detail,
  action,
  actionName,
  onClose,
  onSubmit,
}: {
  detail: CaseDetail;
  action: string;
  actionName: string;
  onClose: () => void;
  onSubmit: (body: Omit<StepBody, 'version'>) => Promise<unknown>;
}) {
  const t = useT(messages);
  const { locale } = useLocale();
  const [form] = Form.useForm<StepForm>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const faulty = Form.useWatch('faulty', form) ?? [];
  const supplement = action === 'request_supplement';

  const submit = async (values: StepForm) => {
    setBusy(true);
    setError(undefined);
    try {
      await onSubmit({
        reason: values.reason?.trim(),
        ...(values.days !== undefined && { days: values.days }),
        ...(values.expectedDays !== undefined &&
          values.expectedDays !== null && { expectedDays: values.expectedDays }),
        ...(supplement && {
          needed: (values.faulty ?? []).map((name) => ({
            name,
            problem: values.problems?.[name]?.trim() ?? '',
          })),
        }),
      });
      onClose();
    } catch (failure) {
      const fields = fieldErrors(failure, locale === 'en');
      const known = (['reason', 'days'] as const).filter((field) => fields[field]);
      if (known.length > 0) form.setFields(known.map((name) => ({ name, errors: [fields[name]!] })));
      else setError(failure);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open
      title={supplement ? t('supplementTitle') : actionName}
      onCancel={onClose}
      okText={t('confirm')}
      cancelText={t('cancel')}
      okButtonProps={{ loading: busy, htmlType: 'submit', form: 'wb-step-form' }}
      destroyOnHidden
    >
      <Typography.Paragraph type="secondary">
        {supplement ? `${t('supplementHelp')} ` : ''}
        {t('confirmIrreversible')}
      </Typography.Paragraph>
      {error ? <ProblemAlert error={error} /> : null}
      <Form<StepForm> form={form} id="wb-step-form" layout="vertical" onFinish={(v) => void submit(v)}>
        {supplement ? (
          <>
            <Form.Item
              name="faulty"
              label={t('pickMaterials')}
              rules={[{ required: true, type: 'array', min: 1, message: t('pickMaterialsRequired') }]}
            >
              <Checkbox.Group>
                <Flex vertical gap={4}>
                  {detail.materials.map((m) => (
                    <Checkbox key={m.name} value={m.name}>
                      {m.name}
                    </Checkbox>
                  ))}
                </Flex>
              </Checkbox.Group>
            </Form.Item>
            {faulty.map((name) => (
              <Form.Item
                key={name}
                name={['problems', name]}
                label={t('problemOf', { name })}
                rules={[{ required: true, whitespace: true, message: t('problemRequired') }]}
              >
                <Input.TextArea rows={2} maxLength={500} />
              </Form.Item>
            ))}
          </>
        ) : null}
        {action === 'extend' ? (
          <Form.Item name="days" label={t('days')} rules={[{ required: true, message: t('daysRequired') }]}>
            <InputNumber min={1} max={3650} precision={0} />
          </Form.Item>
        ) : null}
        {action === 'suspend' ? (
          <Form.Item name="expectedDays" label={t('expectedDays')}>
            <InputNumber min={1} max={365} precision={0} />
          </Form.Item>
        ) : null}
        <Form.Item
          name="reason"
          label={t('reason')}
          rules={[{ required: true, whitespace: true, message: t('reasonRequired') }]}
        >
          <Input.TextArea rows={3} maxLength={2000} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

/**
 * The actions the server allows the caller on the case in its current status, nothing else;
 * each confirmed before it is taken (a step cannot be undone). Common ones have keys (A, R, B ...).
 */
export function CaseActions({ detail, onChanged }: { detail: CaseDetail; onChanged: () => void }) {
  const t = useT(messages);
  const pick = useBilingual();
  const { modal, message } = App.useApp();
  const [dialog, setDialog] = useState<{ action: string; name: string }>();
  const [error, setError] = useState<unknown>();

  const run = async (action: string, name: string, body: Omit<StepBody, 'version'> = {}) => {
    try {
      await takeAction(detail.id, action, { version: detail.version, ...body });
      setError(undefined);
      void message.success(t('done', { action: name }));
      onChanged();
    } catch (failure) {
      if (failure instanceof ApiProblem && failure.status === 409) {
        void message.warning(t('staleReloaded'));
        onChanged();
        return;
      }
      throw failure;
    }
  };

  const start = (action: string, name: string) => {
    if (REASON_ACTIONS.has(action) || action === 'request_supplement') {
      setDialog({ action, name });
      return;
    }
    void modal.confirm({
      title: t('confirmTitle', { action: name }),
      content: t('confirmIrreversible'),
      okText: t('confirm'),
      cancelText: t('cancel'),
      onOk: () => run(action, name).catch((failure: unknown) => setError(failure)),
    });
  };

  const allowed = detail.allowedActions.map((a) => ({ action: a.action, name: pick(a.name.zh, a.name.en) }));
  useShortcuts(
    Object.fromEntries(
      allowed
        .filter((a) => ACTION_KEYS[a.action])
        .map((a) => [ACTION_KEYS[a.action]!.key, () => start(a.action, a.name)]),
    ),
  );

  return (
    <Card size="small" title={<h2 className="wb-card-title">{t('actions')}</h2>} className="wb-block">
      {error ? <ProblemAlert error={error} /> : null}
      {allowed.length === 0 ? (
        <Typography.Text type="secondary">{t('noActions')}</Typography.Text>
      ) : (
        <Flex wrap gap={8}>
          {allowed.map(({ action, name }) => {
            const key = ACTION_KEYS[action]?.key;
            const danger = ['reject', 'return', 'review_deny', 'decide_deny'].includes(action);
            return (
              <Button
                key={action}
                type={danger ? 'default' : 'primary'}
                danger={danger}
                onClick={() => start(action, name)}
                aria-keyshortcuts={key?.toUpperCase()}
                title={key ? t('shortcut', { key: key.toUpperCase() }) : undefined}
                data-action={action}
              >
                {name}
                {key ? <kbd className="wb-kbd">{key.toUpperCase()}</kbd> : null}
              </Button>
            );
          })}
        </Flex>
      )}
      {dialog ? (
        <StepDialog
          detail={detail}
          action={dialog.action}
          actionName={dialog.name}
          onClose={() => setDialog(undefined)}
          onSubmit={(body) => run(dialog.action, dialog.name, body)}
        />
      ) : null}
    </Card>
  );
}
