import { Alert, Button, Card, Flex, Popconfirm, Typography } from 'antd';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { api } from '../../api/client.ts';
import { useLocale, useT } from '../../i18n/index.tsx';
import { ProblemAlert } from '../../shared/problem.tsx';
import { SchemaForm, validateForm } from '../../shared/schema-form/index.tsx';
import type { Draft, PartErrors, SaveState } from './draft.ts';
import { applyTexts } from './messages.ts';
import { SectionTitle } from './parts.tsx';

/** The line that says whether the draft is saved; read out politely by screen readers. */
export function SaveStatus({ state }: { state: SaveState }) {
  const t = useT(applyTexts);
  const { locale } = useLocale();
  const text =
    state.kind === 'saving'
      ? t('saving')
      : state.kind === 'saved'
        ? t('savedAt', { time: state.at.toLocaleTimeString(locale) })
        : state.kind === 'invalid'
          ? t('notSaved')
          : '';
  return (
    <>
      <Typography.Text type="secondary" aria-live="polite" data-testid="save-status">
        {text}
      </Typography.Text>
      {state.kind === 'failed' ? <ProblemAlert error={state.error} /> : null}
    </>
  );
}

export function FormStep({ draft, onNext }: { draft: Draft; onNext(): void }) {
  const t = useT(applyTexts);
  const { locale } = useLocale();
  const navigate = useNavigate();
  const [checking, setChecking] = useState(false);
  const [blocked, setBlocked] = useState(false);
  const [removeError, setRemoveError] = useState<unknown>();
  const { application } = draft;
  const multiple = application.parts.length > 1;

  const next = async () => {
    setChecking(true);
    try {
      // Everything the server will ask at submission, checked here first: nothing invalid is sent.
      const found: PartErrors = {};
      for (const part of application.parts) {
        const errors = await validateForm(draft.schemaOf(part.part), draft.forms[part.part] ?? {}, {
          locale,
        });
        if (Object.keys(errors).length > 0) found[part.part] = errors;
      }
      if (Object.keys(found).length > 0) {
        draft.setErrors(found);
        setBlocked(true);
        return;
      }
      setBlocked(false);
      if (await draft.save()) onNext();
    } finally {
      setChecking(false);
    }
  };

  const remove = async () => {
    try {
      await api.DELETE('/api/v1/applications/{id}', { params: { path: { id: application.id } } });
      void navigate('/my');
    } catch (failure) {
      setRemoveError(failure);
    }
  };

  return (
    <Flex vertical gap={16}>
      {application.parts.map((part) => (
        <Card
          key={part.part}
          title={
            <SectionTitle>
              {multiple ? t('partTitle', { n: part.part, name: part.item.name }) : t('stepForm')}
            </SectionTitle>
          }
        >
          <Typography.Paragraph type="secondary">
            {t('organisation', { name: part.organisation.name })}
          </Typography.Paragraph>
          <SchemaForm
            schema={draft.schemaOf(part.part)}
            value={draft.forms[part.part] ?? {}}
            onChange={(value) => draft.setForm(part.part, value)}
            errors={draft.errors[part.part]}
          />
        </Card>
      ))}
      {blocked ? <Alert type="error" showIcon role="alert" message={t('fixErrors')} /> : null}
      {removeError ? <ProblemAlert error={removeError} /> : null}
      <Flex wrap gap={8} align="center" justify="space-between">
        <SaveStatus state={draft.saveState} />
        <Flex wrap gap={8}>
          <Popconfirm
            title={t('deleteConfirm')}
            okText={t('yes')}
            cancelText={t('no')}
            onConfirm={() => void remove()}
          >
            <Button danger>{t('deleteDraft')}</Button>
          </Popconfirm>
          <Button onClick={() => void draft.save()}>{t('saveDraft')}</Button>
          <Button type="primary" loading={checking} onClick={() => void next()}>
            {t('next')}
          </Button>
        </Flex>
      </Flex>
    </Flex>
  );
}
