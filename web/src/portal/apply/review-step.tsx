import { CheckCircleFilled, CloseCircleFilled } from '@ant-design/icons';
import { Alert, Button, Card, Descriptions, Flex, List, Result, Skeleton, Typography } from 'antd';
import { useRef, useState } from 'react';
import { useNavigate } from 'react-router';
import { ApiProblem, api, data } from '../../api/client.ts';
import { useBilingual, useLocale, useT } from '../../i18n/index.tsx';
import { ProblemAlert } from '../../shared/problem.tsx';
import { orderedFields } from '../../shared/schema-form/index.tsx';
import { useApi } from '../../shared/use-api.ts';
import { partErrorsOf, type Draft } from './draft.ts';
import { applyTexts } from './messages.ts';
import { PageTitle, SectionTitle, STATUS_COLOURS, StatusText, useProvidedText } from './parts.tsx';
import type { ApplicationView } from './types.ts';

const shown = (value: unknown, separator: string) =>
  Array.isArray(value)
    ? value.join(separator)
    : typeof value === 'object'
      ? JSON.stringify(value)
      : String(value);

export function ReviewStep(props: {
  draft: Draft;
  onPrevious(): void;
  onFormErrors(): void;
  onSubmitted(): void;
}) {
  const { draft } = props;
  const t = useT(applyTexts);
  const pick = useBilingual();
  const { locale } = useLocale();
  const providedText = useProvidedText();
  const { application } = draft;
  const [submitting, setSubmitting] = useState(false);
  const [error, setError] = useState<unknown>();
  // One key per review: a retry after a lost answer files nothing twice.
  const idempotencyKey = useRef(crypto.randomUUID());
  const prechecks = useApi(
    () => data(api.POST('/api/v1/applications/{id}/prechecks', { params: { path: { id: application.id } } })),
    [application.id],
  );

  const submit = async () => {
    setSubmitting(true);
    setError(undefined);
    try {
      await data(
        api.POST('/api/v1/applications/{id}/submit', {
          params: { path: { id: application.id } },
          body: { version: draft.version.current },
          headers: { 'Idempotency-Key': idempotencyKey.current },
        }),
      );
      props.onSubmitted();
      await draft.refresh();
    } catch (failure) {
      const fields = partErrorsOf(failure, application, locale === 'en');
      if (Object.keys(fields).length > 0) {
        draft.setErrors(fields);
        props.onFormErrors();
        return;
      }
      // A stale version (saved elsewhere meanwhile): the next attempt uses the newest one.
      if (failure instanceof ApiProblem && failure.status === 409)
        await draft.refresh().catch(() => undefined);
      idempotencyKey.current = crypto.randomUUID();
      setError(failure);
    } finally {
      setSubmitting(false);
    }
  };

  return (
    <Flex vertical gap={16}>
      <Typography.Paragraph>{t('reviewIntro')}</Typography.Paragraph>
      {application.parts.map((part) => (
        <Card
          key={part.part}
          title={<SectionTitle>{`${t('formSummary')} · ${part.item.name}`}</SectionTitle>}
        >
          <Descriptions column={{ xs: 1, md: 2 }} size="small" bordered>
            {orderedFields(draft.schemaOf(part.part)).map(([name, field]) => {
              const value = draft.forms[part.part]?.[name];
              const label = locale === 'en' ? (field['x-ui']?.titleEn ?? field.title) : field.title;
              return (
                <Descriptions.Item key={name} label={label ?? name}>
                  {value === undefined ? t('notFilled') : shown(value, t('listSeparator'))}
                </Descriptions.Item>
              );
            })}
          </Descriptions>
        </Card>
      ))}
      <Card title={<SectionTitle>{t('materialsSummary')}</SectionTitle>}>
        <List
          size="small"
          dataSource={application.materials}
          renderItem={(entry) => (
            <List.Item key={entry.name}>
              <Flex vertical>
                <Typography.Text strong>{entry.name}</Typography.Text>
                <StatusText done={entry.status === 'provided'}>{providedText(entry)}</StatusText>
              </Flex>
            </List.Item>
          )}
        />
      </Card>
      <Card title={<SectionTitle>{t('prechecks')}</SectionTitle>}>
        {prechecks.loading ? <Skeleton active paragraph={{ rows: 1 }} /> : null}
        {prechecks.error ? <ProblemAlert error={prechecks.error} onRetry={prechecks.reload} /> : null}
        <List
          size="small"
          dataSource={prechecks.data ?? []}
          renderItem={(check) => (
            <List.Item key={check.check}>
              <Flex gap={8} align="center">
                {check.ok ? (
                  <CheckCircleFilled style={{ color: STATUS_COLOURS.done }} aria-hidden />
                ) : (
                  <CloseCircleFilled style={{ color: STATUS_COLOURS.danger }} aria-hidden />
                )}
                <Typography.Text type={check.ok ? undefined : 'danger'}>
                  {pick(check.message, check.messageEn)}
                </Typography.Text>
              </Flex>
            </List.Item>
          )}
        />
      </Card>
      {error ? <ProblemAlert error={error} /> : null}
      <Flex wrap gap={8} justify="flex-end">
        <Button onClick={props.onPrevious}>{t('previous')}</Button>
        <Button type="primary" loading={submitting} onClick={() => void submit()}>
          {submitting ? t('submitting') : t('submit')}
        </Button>
      </Flex>
    </Flex>
  );
}

/** A submitted application: its number, what follows, and its cases to follow. */
export function Submitted({ application }: { application: ApplicationView }) {
  const t = useT(applyTexts);
  const navigate = useNavigate();
  const progress = useApi(
    () => data(api.GET('/api/v1/applications/{id}/progress', { params: { path: { id: application.id } } })),
    [application.id],
  );
  const firstCase = progress.data?.cases[0];
  const missing = application.materials.filter((m) => m.tolerated && m.status !== 'provided');
  return (
    <Result
      status="success"
      title={<PageTitle>{t('submittedTitle')}</PageTitle>}
      subTitle={t('submittedText', { number: application.number ?? '' })}
      extra={
        <Flex vertical gap={12} align="center">
          {missing.length > 0 ? (
            <Alert
              type="warning"
              showIcon
              message={t('toleratedMissing', { names: missing.map((m) => m.name).join(t('listSeparator')) })}
            />
          ) : null}
          {progress.error ? <ProblemAlert error={progress.error} onRetry={progress.reload} /> : null}
          <Flex wrap gap={8} justify="center">
            <Button
              type="primary"
              disabled={!firstCase}
              onClick={() => void navigate(firstCase ? `/my/cases/${firstCase.caseId}` : '/my')}
            >
              {t('viewCase')}
            </Button>
            <Button onClick={() => void navigate('/my')}>{t('toMySpace')}</Button>
          </Flex>
        </Flex>
      }
    />
  );
}
