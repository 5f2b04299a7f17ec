import { ArrowLeftOutlined, FilePdfOutlined } from '@ant-design/icons';
import { Alert, Card, Col, Descriptions, Flex, List, Row, Spin, Tabs, Tag, Timeline, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { Link, useLocation, useNavigate, useParams } from 'react-router';
import { api, data } from '../api/client.ts';
import { useBilingual, useT } from '../i18n/index.tsx';
import { ProblemAlert, ProblemPage } from '../shared/problem.tsx';
import { useSession } from '../shared/session.tsx';
import { useApi } from '../shared/use-api.ts';
import {
  documentUrl,
  loadAudit,
  loadCase,
  loadDocuments,
  type CaseDetail as Detail,
  type ClockReading,
  type TimelineEntry,
} from './api.ts';
import { CaseActions } from './case-actions.tsx';
import { DeadlineTag } from './deadline.tsx';
import { useDateTime, useLabel } from './labels.ts';
import { MaterialList, MaterialPreview } from './materials.tsx';
import { messages } from './messages.ts';
import { useShortcuts } from './shortcuts.tsx';

/** Field titles of the item's application form (its JSON Schema), to label the form data. */
function useFieldTitles(itemCode: string | undefined) {
  const { data: item } = useApi(
    () =>
      itemCode
        ? data<{ formSchema?: { properties?: Record<string, { title?: string }> } }>(
            api.GET('/api/v1/catalog/items/{code}', { params: { path: { code: itemCode } } }),
          ).catch(() => undefined)
        : Promise.resolve(undefined),
    [itemCode],
  );
  return (field: string) => item?.formSchema?.properties?.[field]?.title ?? field;
}

const formValue = (value: unknown) =>
  value === null || value === undefined
    ? ''
    : typeof value === 'object'
      ? JSON.stringify(value)
      : String(value);

function ClockValue({ clock }: { clock: ClockReading }) {
  const t = useT(messages);
  const dateTime = useDateTime();
  return (
    <Flex wrap gap={6} align="center">
      <DeadlineTag
        state={clock.state}
        remainingWorkingDays={clock.remainingWorkingDays}
        paused={clock.paused}
      />
      <span>
        {t('usedDays', { used: clock.usedWorkingDays, limit: clock.limitDays })}
        {clock.deadline ? ` · ${t('deadlineAt', { date: dateTime(clock.deadline, false) })}` : ''}
      </span>
    </Flex>
  );
}

function CaseTimeline({ entries }: { entries: TimelineEntry[] }) {
  const t = useT(messages);
  const pick = useBilingual();
  const label = useLabel();
  const dateTime = useDateTime();
  return (
    <Timeline
      items={entries.map((e, i) => ({
        key: `${e.at}-${i}`,
        color: ['reject', 'review_deny', 'decide_deny', 'return'].includes(e.action)
          ? 'red'
          : e.action === 'request_supplement'
            ? 'orange'
            : 'blue',
        content: (
          <Flex vertical gap={2}>
            <Typography.Text strong>
              {pick(e.actionName.zh, e.actionName.en)} → {pick(e.toName.zh, e.toName.en)}
            </Typography.Text>
            <Typography.Text type="secondary">
              {dateTime(e.at)} · {label('role', e.role)}
            </Typography.Text>
            {e.reason ? (
              <Typography.Text>
                {t('reasonLabel')}：{e.reason}
              </Typography.Text>
            ) : null}
            {e.details.needed?.length ? (
              <Typography.Text>
                {t('neededLabel', {
                  items: e.details.needed.map((n) => `${n.name}（${n.problem}）`).join('；'),
                })}
              </Typography.Text>
            ) : null}
          </Flex>
        ),
      }))}
    />
  );
}

function Documents({ caseId, version }: { caseId: string; version: number }) {
  const t = useT(messages);
  const label = useLabel();
  const dateTime = useDateTime();
  const { data: documents, error, reload } = useApi(() => loadDocuments(caseId), [caseId, version]);
  if (error) return <ProblemAlert error={error} onRetry={reload} />;
  return (
    <List
      size="small"
      loading={!documents}
      dataSource={documents?.items ?? []}
      locale={{ emptyText: t('noDocuments') }}
      renderItem={(d) => (
        <List.Item key={d.id}>
          <a href={documentUrl(caseId, d.id)} target="_blank" rel="noreferrer">
            <FilePdfOutlined /> {label('document', d.kind)}
          </a>
          <Typography.Text type="secondary">{dateTime(d.createdAt)}</Typography.Text>
        </List.Item>
      )}
    />
  );
}

function AuditTrail({ caseId, version }: { caseId: string; version: number }) {
  const t = useT(messages);
  const dateTime = useDateTime();
  const { data: audit, error, reload } = useApi(() => loadAudit(caseId), [caseId, version]);
  if (error) return <ProblemAlert error={error} onRetry={reload} />;
  if (!audit) return <Spin />;
  return (
    <Flex vertical gap={8}>
      <Alert
        type={audit.verification.ok ? 'success' : 'error'}
        showIcon
        title={
          audit.verification.ok
            ? t('auditOk', { n: audit.verification.length ?? audit.entries.length })
            : t('auditBroken', { problem: audit.verification.problem ?? '' })
        }
      />
      <List
        size="small"
        dataSource={audit.entries}
        renderItem={(e) => (
          <List.Item key={e.seq}>
            <Flex vertical style={{ minWidth: 0 }}>
              <Typography.Text>
                #{e.seq} {e.action} · {dateTime(e.at)}
              </Typography.Text>
              <Typography.Text type="secondary" className="wb-filename">
                {e.actor} · {e.hash.slice(0, 16)}…
              </Typography.Text>
            </Flex>
          </List.Item>
        )}
      />
    </Flex>
  );
}

function CaseBody({ detail, onChanged }: { detail: Detail; onChanged: () => void }) {
  const t = useT(messages);
  const label = useLabel();
  const dateTime = useDateTime();
  const { profile } = useSession();
  const title = useFieldTitles(detail.item.code);
  const [selected, setSelected] = useState<string>();
  const previewable = detail.materials.find((m) => m.sha256 || m.record)?.name;
  useEffect(() => setSelected((current) => current ?? previewable), [previewable]);
  const permissions = profile?.staff?.permissions ?? [];
  const mayAudit = permissions.includes('audit.read') || permissions.includes('supervision.read');
  const clock = detail.clocks.promised;
  const formEntries = Object.entries(detail.formData);

  return (
    <>
      <Flex justify="space-between" align="center" wrap gap={8}>
        <Typography.Title level={1} className="wb-title">
          {t('caseTitle', { number: detail.number })}
        </Typography.Title>
        <Flex gap={6} wrap>
          <Tag color="blue" data-testid="case-status">
            {label('status', detail.status)}
          </Tag>
          <DeadlineTag
            state={clock?.state ?? detail.clockState}
            remainingWorkingDays={clock ? clock.remainingWorkingDays : null}
            paused={detail.paused}
          />
        </Flex>
      </Flex>
      <Typography.Paragraph className="wb-subtitle">{detail.item.name}</Typography.Paragraph>
      <CaseActions detail={detail} onChanged={onChanged} />
      <Card size="small" className="wb-block">
        <Descriptions
          size="small"
          column={{ xs: 1, md: 2 }}
          items={[
            { key: 'applicant', label: t('applicantInfo'), children: detail.applicant.name },
            { key: 'department', label: t('department'), children: detail.organisation.name },
            { key: 'submitted', label: t('submittedAt'), children: dateTime(detail.submittedAt) },
            ...(detail.acceptedAt
              ? [{ key: 'accepted', label: t('acceptedAt'), children: dateTime(detail.acceptedAt) }]
              : []),
            ...(detail.clocks.promised
              ? [
                  {
                    key: 'promised',
                    label: t('promisedClock'),
                    children: <ClockValue clock={detail.clocks.promised} />,
                  },
                ]
              : []),
            ...(detail.clocks.legal
              ? [
                  {
                    key: 'legal',
                    label: t('legalClock'),
                    children: <ClockValue clock={detail.clocks.legal} />,
                  },
                ]
              : []),
          ]}
        />
      </Card>
      <Row gutter={[16, 0]}>
        <Col xs={24} lg={10}>
          <Card size="small" className="wb-block" title={<h2 className="wb-card-title">{t('formData')}</h2>}>
            {formEntries.length === 0 ? (
              <Typography.Text type="secondary">{t('noFormData')}</Typography.Text>
            ) : (
              <Descriptions
                size="small"
                column={1}
                bordered
                items={formEntries.map(([field, value]) => ({
                  key: field,
                  label: title(field),
                  children: <span className="wb-value">{formValue(value)}</span>,
                }))}
              />
            )}
          </Card>
          <Card size="small" className="wb-block" title={<h2 className="wb-card-title">{t('materials')}</h2>}>
            <MaterialList materials={detail.materials} selected={selected} onSelect={setSelected} />
          </Card>
        </Col>
        <Col xs={24} lg={14}>
          <MaterialPreview caseId={detail.id} material={detail.materials.find((m) => m.name === selected)} />
        </Col>
      </Row>
      <Card size="small" className="wb-block">
        <Tabs
          items={[
            { key: 'timeline', label: t('timeline'), children: <CaseTimeline entries={detail.timeline} /> },
            {
              key: 'documents',
              label: t('documents'),
              children: <Documents caseId={detail.id} version={detail.version} />,
            },
            ...(mayAudit
              ? [
                  {
                    key: 'audit',
                    label: t('audit'),
                    children: <AuditTrail caseId={detail.id} version={detail.version} />,
                  },
                ]
              : []),
          ]}
        />
      </Card>
    </>
  );
}

/** One case: the applicant's form and materials beside a preview, clocks, actions, steps, documents, audit. */
export default function CaseDetail() {
  const t = useT(messages);
  const { id = '' } = useParams();
  const navigate = useNavigate();
  const location = useLocation();
  const { data: detail, error, loading, reload } = useApi(() => loadCase(id), [id]);
  const back = () => (location.key === 'default' ? void navigate('/workbench') : void navigate(-1));
  useShortcuts({ Escape: back });

  return (
    <>
      <Link to="/workbench" onClick={(event) => (event.preventDefault(), back())} className="wb-back">
        <ArrowLeftOutlined /> {t('backToList')}
      </Link>
      {error && !detail ? (
        <ProblemPage error={error} />
      ) : !detail ? (
        <Spin style={{ display: 'block', margin: '64px auto' }} />
      ) : (
        <Spin spinning={loading}>
          <CaseBody detail={detail} onChanged={reload} />
        </Spin>
      )}
    </>
  );
}
