import { Alert, Button, Result } from 'antd';
import { ApiProblem } from '../api/client.ts';
import { useBilingual, useT } from '../i18n/index.tsx';
import { common } from './messages.ts';

/** A failed call as a friendly message with the request id to quote, never a blank page. */
export function ProblemAlert({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const t = useT(common);
  const pick = useBilingual();
  const problem = error instanceof ApiProblem ? error.problem : undefined;
  const requestId = error instanceof ApiProblem ? error.requestId : undefined;
  const title = problem ? pick(problem.title, problem.titleEn) : t('errorTitle');
  return (
    <Alert
      type="error"
      showIcon
      role="alert"
      title={title}
      description={
        <>
          {!problem || problem.status >= 500 ? <div>{t('errorText')}</div> : null}
          {requestId ? <div data-testid="request-id">{t('requestId', { id: requestId })}</div> : null}
        </>
      }
      action={
        onRetry ? (
          <Button size="small" onClick={onRetry}>
            {t('retry')}
          </Button>
        ) : undefined
      }
    />
  );
}

/** A whole page that could not be shown: not found, not allowed, or a failure. */
export function ProblemPage({ error }: { error: unknown }) {
  const t = useT(common);
  const status = error instanceof ApiProblem ? error.status : 500;
  if (status === 404) return <Result status="404" title={t('notFoundTitle')} subTitle={t('notFoundText')} />;
  if (status === 403)
    return <Result status="403" title={t('forbiddenTitle')} subTitle={t('forbiddenText')} />;
  return <Result status="error" title={t('errorTitle')} extra={<ProblemAlert error={error} />} />;
}
