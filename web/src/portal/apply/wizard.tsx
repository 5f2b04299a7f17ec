import { Alert, Flex, Skeleton, Steps } from 'antd';
import { useCallback } from 'react';
import { useParams, useSearchParams } from 'react-router';
import { api, data } from '../../api/client.ts';
import { useT } from '../../i18n/index.tsx';
import { ProblemPage } from '../../shared/problem.tsx';
import { useApi } from '../../shared/use-api.ts';
import { useDraft } from './draft.ts';
import { FormStep } from './form-step.tsx';
import { MaterialsStep } from './materials-step.tsx';
import { applyTexts } from './messages.ts';
import { PageTitle } from './parts.tsx';
import { ReviewStep, Submitted } from './review-step.tsx';
import type { ApplicationView } from './types.ts';

const STEPS = ['form', 'materials', 'review'] as const;
type Step = (typeof STEPS)[number];

/** One application: a draft goes through form → materials → review; a submitted one shows its result. */
export default function ApplicationPage() {
  const { applicationId = '' } = useParams();
  const loaded = useApi(
    () => data(api.GET('/api/v1/applications/{id}', { params: { path: { id: applicationId } } })),
    [applicationId],
  );
  if (loaded.error) return <ProblemPage error={loaded.error} />;
  if (!loaded.data) return <Skeleton active />;
  if (loaded.data.status !== 'draft') return <Submitted application={loaded.data} />;
  return <Wizard key={loaded.data.id} initial={loaded.data} />;
}

function Wizard({ initial }: { initial: ApplicationView }) {
  const t = useT(applyTexts);
  const draft = useDraft(initial);
  const [search, setSearch] = useSearchParams();
  // The step is in the address, so a reload or a link from my space comes back to it.
  const step: Step = STEPS.find((s) => s === search.get('step')) ?? 'form';
  const goTo = useCallback(
    (next: Step) => {
      setSearch({ step: next }, { replace: false });
      window.scrollTo({ top: 0 });
    },
    [setSearch],
  );
  if (draft.application.status !== 'draft') return <Submitted application={draft.application} />;
  return (
    <Flex vertical gap={16} style={{ maxWidth: 880, margin: '0 auto', width: '100%' }}>
      <PageTitle>{draft.application.title}</PageTitle>
      {search.get('resumed') ? <Alert type="info" showIcon message={t('resumed')} /> : null}
      <Steps
        current={STEPS.indexOf(step)}
        size="small"
        // Three short steps fit a phone side by side; antd's own switch to vertical does not.
        responsive={false}
        titlePlacement="vertical"
        items={[{ title: t('stepForm') }, { title: t('stepMaterials') }, { title: t('stepReview') }]}
      />
      {step === 'form' ? <FormStep draft={draft} onNext={() => goTo('materials')} /> : null}
      {step === 'materials' ? (
        <MaterialsStep draft={draft} onPrevious={() => goTo('form')} onNext={() => goTo('review')} />
      ) : null}
      {step === 'review' ? (
        <ReviewStep
          draft={draft}
          onPrevious={() => goTo('materials')}
          onFormErrors={() => goTo('form')}
          onSubmitted={() => setSearch({}, { replace: true })}
        />
      ) : null}
    </Flex>
  );
}
