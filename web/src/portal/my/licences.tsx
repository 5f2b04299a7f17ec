import { Card, Col, Row, Tag, Typography } from 'antd';
import { Link } from 'react-router';
import { api, data } from '../../api/client.ts';
import { useT } from '../../i18n/index.tsx';
import { ProblemAlert } from '../../shared/problem.tsx';
import { useApi } from '../../shared/use-api.ts';
import { myTexts } from './messages.ts';
import { Nothing } from './parts.tsx';
import type { WalletLicence } from './types.ts';

export const LICENCE_STATUS_COLOURS: Record<WalletLicence['status'], string> = {
  valid: '#15803d',
  suspended: '#b45309',
  revoked: '#b91c1c',
  expired: '#4b5563',
  superseded: '#4b5563',
  not_yet_valid: '#1d4ed8',
};

/** The status of a licence as a tag. */
export function LicenceStatus({ status }: { status: WalletLicence['status'] }) {
  const t = useT(myTexts);
  return <Tag color={LICENCE_STATUS_COLOURS[status]}>{t(`licence_${status}`)}</Tag>;
}

/** The wallet (证照夹): a card per licence I hold (or my enterprise holds). */
export default function Licences() {
  const t = useT(myTexts);
  const wallet = useApi(() => data(api.GET('/api/v1/my/licenses')), []);
  if (wallet.error) return <ProblemAlert error={wallet.error} onRetry={wallet.reload} />;
  if (wallet.data && wallet.data.length === 0) return <Nothing text={t('licencesEmpty')} />;
  return (
    <Row gutter={[16, 16]}>
      {(wallet.data ?? []).map((licence) => (
        <Col key={licence.id} xs={24} md={12}>
          <Card loading={wallet.loading} data-testid="licence-card">
            <Typography.Title level={2} style={{ fontSize: 16, marginTop: 0 }}>
              <Link to={`/my/licences/${encodeURIComponent(licence.id)}`}>{licence.typeName}</Link>
            </Typography.Title>
            <LicenceStatus status={licence.status} />
            <Typography.Paragraph type="secondary" style={{ marginTop: 8, marginBottom: 0 }}>
              {licence.issuerName} · {licence.issueDate}
              {licence.validUntil ? ` — ${licence.validUntil}` : ` · ${t('longTerm')}`}
            </Typography.Paragraph>
          </Card>
        </Col>
      ))}
    </Row>
  );
}
