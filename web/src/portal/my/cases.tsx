import { Button, Card, Flex, Grid, List, Table, Tag, Typography } from 'antd';
import { useNavigate } from 'react-router';
import { api, data } from '../../api/client.ts';
import { useBilingual, useT } from '../../i18n/index.tsx';
import { ProblemAlert } from '../../shared/problem.tsx';
import { useApi } from '../../shared/use-api.ts';
import { SectionTitle } from '../apply/parts.tsx';
import { myTexts } from './messages.ts';
import { Nothing, useDateTime } from './parts.tsx';
import type { MyCase } from './types.ts';

/** Statuses in which the applicant has something to do (supply a 补正). */
export const NEEDS_APPLICANT = new Set(['supplementing']);

/** Solid tags with white text (antd's light presets fall below 4.5:1 for gold). */
export const CLOCK_COLOURS: Record<string, string> = { green: '#1d4ed8', yellow: '#b45309', red: '#b91c1c' };

/** Where a draft is continued: the apply flow of its item or bundle. */
export const draftPath = (draft: { id: string; bundleCode: string | null; parts: { itemCode: string }[] }) =>
  draft.bundleCode
    ? `/apply/bundles/${draft.bundleCode}/${draft.id}`
    : `/apply/${draft.parts[0]?.itemCode ?? ''}/${draft.id}`;

function Drafts() {
  const t = useT(myTexts);
  const navigate = useNavigate();
  const when = useDateTime();
  const drafts = useApi(
    () =>
      data(api.GET('/api/v1/applications', { params: { query: { status: 'draft', page: 1, size: 50 } } })),
    [],
  );
  if (drafts.error) return <ProblemAlert error={drafts.error} onRetry={drafts.reload} />;
  if (!drafts.data?.items.length) return null;
  return (
    <Card title={<SectionTitle>{t('drafts')}</SectionTitle>}>
      <List
        dataSource={drafts.data.items}
        renderItem={(draft) => (
          <List.Item
            key={draft.id}
            actions={[
              <Button
                key="continue"
                type="link"
                aria-label={t('continueAria', { title: draft.title })}
                onClick={() => void navigate(draftPath(draft))}
              >
                {t('continue')}
              </Button>,
            ]}
          >
            <List.Item.Meta
              title={draft.enterprise ? `${draft.title} · ${draft.enterprise.name}` : draft.title}
              description={t('savedOn', { time: when(draft.updatedAt) })}
            />
          </List.Item>
        )}
      />
    </Card>
  );
}

export default function Cases() {
  const t = useT(myTexts);
  const pick = useBilingual();
  const navigate = useNavigate();
  const when = useDateTime();
  const phone = Grid.useBreakpoint().md === false;
  const cases = useApi(
    () =>
      data<{ items: MyCase[]; total: number }>(
        api.GET('/api/v1/my/cases', { params: { query: { page: 1, size: 50 } } }),
      ),
    [],
  );
  const open = (c: MyCase) => void navigate(`/my/cases/${c.caseId}`);
  const status = (c: MyCase) => (
    <Flex wrap gap={4}>
      <Tag color={c.terminal ? 'default' : CLOCK_COLOURS[c.clockState]}>
        {pick(c.statusName, c.statusNameEn)}
      </Tag>
      {NEEDS_APPLICANT.has(c.status) ? <Tag color="#b91c1c">{t('needsMe')}</Tag> : null}
    </Flex>
  );
  return (
    <Flex vertical gap={16}>
      <Drafts />
      <Card title={<SectionTitle>{t('cases')}</SectionTitle>}>
        {cases.error ? <ProblemAlert error={cases.error} onRetry={cases.reload} /> : null}
        {phone ? (
          <List
            loading={cases.loading}
            dataSource={cases.data?.items ?? []}
            locale={{ emptyText: <Nothing text={t('casesEmpty')} /> }}
            renderItem={(c) => (
              <List.Item key={c.caseId} onClick={() => open(c)} style={{ cursor: 'pointer' }}>
                <Flex vertical gap={4} style={{ width: '100%' }}>
                  <Typography.Link onClick={() => open(c)} aria-label={t('viewAria', { number: c.number })}>
                    {c.itemName}
                  </Typography.Link>
                  <Typography.Text type="secondary">{c.number}</Typography.Text>
                  {status(c)}
                </Flex>
              </List.Item>
            )}
          />
        ) : (
          <Table
            rowKey="caseId"
            loading={cases.loading}
            dataSource={cases.data?.items ?? []}
            pagination={false}
            scroll={{ x: true }}
            locale={{ emptyText: <Nothing text={t('casesEmpty')} /> }}
            columns={[
              { title: t('item'), dataIndex: 'itemName' },
              { title: t('caseNumber'), dataIndex: 'number' },
              { title: t('organisation'), dataIndex: 'organisationName' },
              { title: t('submittedAt'), render: (_, c) => when(c.submittedAt) },
              { title: t('status'), render: (_, c) => status(c) },
              {
                title: t('view'),
                render: (_, c) => (
                  <Button
                    type="link"
                    aria-label={t('viewAria', { number: c.number })}
                    onClick={() => open(c)}
                  >
                    {t('view')}
                  </Button>
                ),
              },
            ]}
          />
        )}
      </Card>
    </Flex>
  );
}
