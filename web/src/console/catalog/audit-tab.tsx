import { api, data } from '../../api/client.ts';
import { ProblemAlert } from '../../shared/problem.tsx';
import { useDateTime } from '../common.tsx';
import { useApi } from '../../shared/use-api.ts';
import { useLabels, type CatalogKey } from './labels.ts';
import { ActorName, ResponsiveTable } from './shared.tsx';
import type { AuditRecord } from './types.ts';

const ACTION_KEYS: Record<string, CatalogKey> = {
  'catalog.item.create': 'auditCreate',
  'catalog.item.draft': 'auditDraft',
  'catalog.item.submit': 'auditSubmit',
  'catalog.item.reject': 'auditReject',
  'catalog.item.publish': 'auditPublish',
  'catalog.item.retire': 'auditRetire',
};

/** Who changed the item and when (the server's audit trail of it). */
export function AuditTab({ code, round }: { code: string; round: number }) {
  const { t } = useLabels();
  const dateTime = useDateTime();
  const trail = useApi(
    () => data(api.GET('/api/v1/catalog/items/{code}/audit', { params: { path: { code } } })),
    [code, round],
  );
  if (trail.error) return <ProblemAlert error={trail.error} onRetry={trail.reload} />;
  const versionOf = (r: AuditRecord) => ((r.after ?? r.before) as { version?: number } | null)?.version;
  return (
    <ResponsiveTable<AuditRecord>
      rowKey={(r) => `${r.at}-${r.action}`}
      loading={trail.loading}
      rows={[...(trail.data?.items ?? [])].reverse()}
      emptyText={t('noAudit')}
      pagination={{ pageSize: 20, hideOnSinglePage: true }}
      columns={[
        { key: 'at', title: t('auditAt'), render: (r) => dateTime(r.at) },
        {
          key: 'actor',
          title: t('auditActor'),
          render: (r) => <ActorName id={r.actor} name={r.actorName} department={r.actorDepartment} />,
        },
        {
          key: 'action',
          title: t('auditAction'),
          render: (r) => {
            const version = versionOf(r);
            const action = ACTION_KEYS[r.action] ? t(ACTION_KEYS[r.action]!) : r.action;
            return version === undefined
              ? action
              : t('auditEntry', { action, version: t('auditVersion', { version }) });
          },
        },
      ]}
    />
  );
}
