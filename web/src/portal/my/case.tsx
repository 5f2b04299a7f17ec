import {
  Alert,
  App,
  Button,
  Card,
  Descriptions,
  Flex,
  List,
  Popconfirm,
  Skeleton,
  Tag,
  Timeline,
  Typography,
} from 'antd';
import { useState } from 'react';
import { useParams } from 'react-router';
import { api, data } from '../../api/client.ts';
import { useBilingual, useLocale, useT } from '../../i18n/index.tsx';
import { ProblemAlert, ProblemPage } from '../../shared/problem.tsx';
import { useApi } from '../../shared/use-api.ts';
import { FilePicker, UploadBar, type UploadProgress } from '../apply/materials-step.tsx';
import { PageTitle, SectionTitle, useFileSize } from '../apply/parts.tsx';
import { uploadFile } from '../apply/upload.ts';
import type { DriveFile } from '../apply/types.ts';
import { myTexts } from './messages.ts';
import { Nothing, useDateTime } from './parts.tsx';
import type { CaseDetail, TimelineEntry } from './types.ts';

/** The materials of the latest 补正 notice, while the case waits for them. */
export function neededNow(detail: CaseDetail) {
  if (!detail.allowedActions.some((a) => a.action === 'supplement')) return [];
  const notice = [...detail.timeline].reverse().find((e) => e.action === 'request_supplement');
  return notice?.details.needed ?? [];
}

/** 补正: one file per faulty material, uploaded to my files, then sent to the case in one step. */
function Supplement({ detail, onDone }: { detail: CaseDetail; onDone(): void }) {
  const t = useT(myTexts);
  const { locale } = useLocale();
  const { message } = App.useApp();
  const needed = neededNow(detail);
  const [uploads, setUploads] = useState<Record<string, UploadProgress & { uploadId?: string }>>({});
  const [error, setError] = useState<unknown>();
  const [sending, setSending] = useState(false);
  const [incomplete, setIncomplete] = useState(false);

  const upload = async (name: string, file: File) => {
    setError(undefined);
    const track = (patch: Partial<UploadProgress & { uploadId: string }>) =>
      setUploads((all) => ({
        ...all,
        [name]: { filename: file.name, percent: 0, status: 'active', ...all[name], ...patch },
      }));
    track({ filename: file.name, percent: 0, status: 'active', uploadId: undefined });
    try {
      const stored = await uploadFile<DriveFile>('POST', '/api/v1/drive/files', file, {
        locale,
        onProgress: (percent) => track({ percent }),
      });
      track({ percent: 100, status: 'success', uploadId: stored.id });
    } catch (failure) {
      track({ status: 'exception' });
      setError(failure);
    }
  };

  const send = async () => {
    const supplied = needed.map((n) => ({ name: n.name, uploadId: uploads[n.name]?.uploadId }));
    if (supplied.some((s) => !s.uploadId)) return setIncomplete(true);
    setIncomplete(false);
    setSending(true);
    try {
      await data(
        api.POST('/api/v1/cases/{id}/actions/{action}', {
          params: { path: { id: detail.id, action: 'supplement' } },
          body: { version: detail.version, supplied: supplied as { name: string; uploadId: string }[] },
        }),
      );
      void message.success(t('supplied'));
      onDone();
    } catch (failure) {
      setError(failure);
    } finally {
      setSending(false);
    }
  };

  if (needed.length === 0) return null;
  return (
    <Card title={<SectionTitle>{t('neededTitle')}</SectionTitle>} style={{ borderColor: '#b91c1c' }}>
      <Typography.Paragraph>{t('neededIntro')}</Typography.Paragraph>
      <List
        dataSource={needed}
        renderItem={(n) => (
          <List.Item key={n.name}>
            <Flex vertical gap={8} style={{ width: '100%' }}>
              <Typography.Text strong>{n.name}</Typography.Text>
              <Typography.Text>{t('problem', { problem: n.problem })}</Typography.Text>
              {uploads[n.name] ? <UploadBar upload={uploads[n.name]!} /> : null}
              <div>
                <FilePicker
                  label={t('uploadFile')}
                  ariaLabel={t('uploadFor', { name: n.name })}
                  disabled={uploads[n.name]?.status === 'active'}
                  onFile={(file) => void upload(n.name, file)}
                />
              </div>
            </Flex>
          </List.Item>
        )}
      />
      {incomplete ? <Alert type="error" showIcon role="alert" message={t('supplyMissing')} /> : null}
      {error ? <ProblemAlert error={error} /> : null}
      <Button type="primary" loading={sending} onClick={() => void send()} style={{ marginTop: 12 }}>
        {t('supply')}
      </Button>
    </Card>
  );
}

function Steps({ entries }: { entries: TimelineEntry[] }) {
  const t = useT(myTexts);
  const pick = useBilingual();
  const when = useDateTime();
  return (
    <Timeline
      reverse
      items={entries.map((e, i) => ({
        key: i,
        color: i === entries.length - 1 ? '#1d4ed8' : 'gray',
        children: (
          <Flex vertical gap={2}>
            <Typography.Text strong>
              {pick(e.actionName.zh, e.actionName.en)} → {pick(e.toName.zh, e.toName.en)}
            </Typography.Text>
            <Typography.Text type="secondary">{when(e.at)}</Typography.Text>
            {e.reason ? <Typography.Text>{t('reason', { reason: e.reason })}</Typography.Text> : null}
            {e.details.needed?.map((n) => (
              <Typography.Text key={n.name}>
                · {t('neededItem', { name: n.name, problem: n.problem })}
              </Typography.Text>
            ))}
          </Flex>
        ),
      }))}
    />
  );
}

function Documents({ caseId }: { caseId: string }) {
  const t = useT(myTexts);
  const size = useFileSize();
  const when = useDateTime();
  const documents = useApi(
    () => data(api.GET('/api/v1/cases/{id}/documents', { params: { path: { id: caseId } } })),
    [caseId],
  );
  return (
    <Card title={<SectionTitle>{t('documents')}</SectionTitle>}>
      {documents.error ? <ProblemAlert error={documents.error} onRetry={documents.reload} /> : null}
      <List
        loading={documents.loading}
        dataSource={documents.data?.items ?? []}
        locale={{ emptyText: <Nothing text={t('documentsEmpty')} /> }}
        renderItem={(d) => (
          <List.Item
            key={d.id}
            actions={[
              <a
                key="download"
                href={`/api/v1/cases/${caseId}/documents/${d.id}`}
                download
                aria-label={t('downloadAria', { title: d.title })}
              >
                {t('download')}
              </a>,
            ]}
          >
            <List.Item.Meta title={d.title} description={`${when(d.createdAt)} · ${size(d.size)}`} />
          </List.Item>
        )}
      />
    </Card>
  );
}

export default function CasePage() {
  const t = useT(myTexts);
  const pick = useBilingual();
  const when = useDateTime();
  const { id = '' } = useParams();
  const detail = useApi(() => data(api.GET('/api/v1/cases/{id}', { params: { path: { id } } })), [id]);
  const [withdrawError, setWithdrawError] = useState<unknown>();
  if (detail.error) return <ProblemPage error={detail.error} />;
  if (!detail.data) return <Skeleton active />;
  const c = detail.data;
  const canWithdraw = c.allowedActions.some((a) => a.action === 'withdraw');
  const withdraw = async () => {
    try {
      await data(
        api.POST('/api/v1/cases/{id}/actions/{action}', {
          params: { path: { id, action: 'withdraw' } },
          body: { version: c.version },
        }),
      );
      detail.reload();
    } catch (failure) {
      setWithdrawError(failure);
    }
  };
  return (
    <Flex vertical gap={16} style={{ maxWidth: 960, margin: '0 auto', width: '100%' }}>
      <PageTitle>{c.item.name}</PageTitle>
      <Card>
        <Descriptions column={{ xs: 1, md: 2 }} size="small">
          <Descriptions.Item label={t('caseNumber')}>{c.number}</Descriptions.Item>
          <Descriptions.Item label={t('status')}>
            <Tag color="#1d4ed8" data-testid="case-status">
              {pick(c.statusName.zh, c.statusName.en)}
            </Tag>
          </Descriptions.Item>
          <Descriptions.Item label={t('organisation')}>{c.organisation.name}</Descriptions.Item>
          <Descriptions.Item label={t('applicant')}>{c.applicant.name}</Descriptions.Item>
          <Descriptions.Item label={t('submittedAt')}>{when(c.submittedAt)}</Descriptions.Item>
        </Descriptions>
        {canWithdraw ? (
          <Popconfirm
            title={t('withdrawConfirm')}
            okText={t('yes')}
            cancelText={t('no')}
            onConfirm={() => void withdraw()}
          >
            <Button danger style={{ marginTop: 8 }}>
              {t('withdraw')}
            </Button>
          </Popconfirm>
        ) : null}
        {withdrawError ? <ProblemAlert error={withdrawError} /> : null}
      </Card>
      <Supplement detail={c} onDone={detail.reload} />
      <Card title={<SectionTitle>{t('timeline')}</SectionTitle>}>
        <Steps entries={c.timeline} />
      </Card>
      <Documents caseId={c.id} />
    </Flex>
  );
}
