import {
  Alert,
  Button,
  Card,
  Checkbox,
  Col,
  Descriptions,
  Flex,
  Form,
  Input,
  Modal,
  Popconfirm,
  QRCode,
  Radio,
  Row,
  Select,
  Skeleton,
  Table,
  Tag,
  Typography,
} from 'antd';
import { useState } from 'react';
import { useParams } from 'react-router';
import { api, data, fieldErrors } from '../../api/client.ts';
import { useBilingual, useLocale, useT } from '../../i18n/index.tsx';
import { ProblemAlert, ProblemPage } from '../../shared/problem.tsx';
import { useApi } from '../../shared/use-api.ts';
import { PageTitle, SectionTitle } from '../apply/parts.tsx';
import { LicenceStatus } from './licences.tsx';
import { myTexts } from './messages.ts';
import { Nothing, useDateTime } from './parts.tsx';
import type { Authorisation, LicenceDetail, NewAuthorisation } from './types.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

/** `YYYY-MM-DD` of a date some days from now, for a date input's default and bounds. */
const daysFromNow = (days: number) => new Date(Date.now() + days * DAY_MS).toISOString().slice(0, 10);

interface AuthorisationForm {
  granteeKind: 'third_party' | 'organisation';
  granteeName?: string;
  organisationId?: number;
  purpose: string;
  expiresOn: string;
  singleUse?: boolean;
}

/** 用证授权: let a department or a third party read the licence, for a purpose, until a day. */
function Authorise({
  licenceId,
  onCreated,
}: {
  licenceId: string;
  onCreated(created: NewAuthorisation): void;
}) {
  const t = useT(myTexts);
  const { locale } = useLocale();
  const [form] = Form.useForm<AuthorisationForm>();
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<unknown>();
  const kind = Form.useWatch('granteeKind', form);
  const organisations = useApi(
    () =>
      open && kind === 'organisation'
        ? data(api.GET('/api/v1/organisations', { params: { query: { page: 1, size: 100 } } }))
        : Promise.resolve(undefined),
    [open, kind],
  );
  const submit = async (values: AuthorisationForm) => {
    setError(undefined);
    // The end of the chosen day in China, as the server reads expiry instants.
    const expiresAt = new Date(`${values.expiresOn}T23:59:59+08:00`).toISOString();
    const common = { purpose: values.purpose, expiresAt, singleUse: values.singleUse ?? false };
    const body =
      values.granteeKind === 'organisation'
        ? { granteeKind: 'organisation' as const, organisationId: values.organisationId!, ...common }
        : { granteeKind: 'third_party' as const, granteeName: values.granteeName!, ...common };
    try {
      const created = await data(
        api.POST('/api/v1/my/licenses/{id}/authorisations', { params: { path: { id: licenceId } }, body }),
      );
      setOpen(false);
      form.resetFields();
      onCreated(created);
    } catch (failure) {
      const fields = fieldErrors(failure, locale === 'en');
      if (Object.keys(fields).length > 0)
        form.setFields(
          Object.entries(fields).map(([name, message]) => ({
            name: (name === 'expiresAt' ? 'expiresOn' : name) as keyof AuthorisationForm,
            errors: [message],
          })),
        );
      else setError(failure);
    }
  };
  return (
    <>
      <Button type="primary" onClick={() => setOpen(true)}>
        {t('authorise')}
      </Button>
      <Modal
        open={open}
        title={t('authorise')}
        okText={t('create')}
        cancelText={t('cancel')}
        onOk={() => form.submit()}
        onCancel={() => setOpen(false)}
        destroyOnHidden
      >
        <Form
          form={form}
          layout="vertical"
          initialValues={{ granteeKind: 'third_party', expiresOn: daysFromNow(30) }}
          onFinish={(values) => void submit(values)}
        >
          <Form.Item name="granteeKind" label={t('granteeKind')}>
            <Radio.Group
              options={[
                { value: 'third_party', label: t('third_party') },
                { value: 'organisation', label: t('organisation_kind') },
              ]}
            />
          </Form.Item>
          {kind === 'organisation' ? (
            <Form.Item
              name="organisationId"
              label={t('organisationId')}
              rules={[{ required: true, message: t('organisationRequired') }]}
            >
              <Select
                showSearch
                optionFilterProp="label"
                loading={organisations.loading}
                options={(organisations.data?.items ?? []).map((o) => ({ value: o.id, label: o.name }))}
              />
            </Form.Item>
          ) : (
            <Form.Item
              name="granteeName"
              label={t('granteeName')}
              rules={[{ required: true, whitespace: true, message: t('nameRequired') }]}
            >
              <Input maxLength={100} />
            </Form.Item>
          )}
          <Form.Item
            name="purpose"
            label={t('purpose')}
            rules={[{ required: true, whitespace: true, message: t('purposeRequired') }]}
          >
            <Input maxLength={200} />
          </Form.Item>
          <Form.Item
            name="expiresOn"
            label={t('expiresAt')}
            rules={[{ required: true, message: t('dateRequired') }]}
          >
            <Input type="date" min={daysFromNow(0)} max={daysFromNow(365)} style={{ maxWidth: 240 }} />
          </Form.Item>
          <Form.Item name="singleUse" valuePropName="checked">
            <Checkbox>{t('singleUse')}</Checkbox>
          </Form.Item>
          {error ? <ProblemAlert error={error} /> : null}
        </Form>
      </Modal>
    </>
  );
}

function Authorisations({ licenceId }: { licenceId: string }) {
  const t = useT(myTexts);
  const when = useDateTime();
  const [shared, setShared] = useState<NewAuthorisation>();
  const [error, setError] = useState<unknown>();
  const list = useApi(
    () => data(api.GET('/api/v1/my/licenses/{id}/authorisations', { params: { path: { id: licenceId } } })),
    [licenceId],
  );
  const revoke = async (a: Authorisation) => {
    try {
      await data(
        api.DELETE('/api/v1/my/licenses/{id}/authorisations/{authorisationId}', {
          params: { path: { id: licenceId, authorisationId: a.id } },
        }),
      );
      list.reload();
    } catch (failure) {
      setError(failure);
    }
  };
  return (
    <Card
      title={<SectionTitle>{t('authorisations')}</SectionTitle>}
      extra={
        <Authorise
          licenceId={licenceId}
          onCreated={(created) => {
            setShared(created);
            list.reload();
          }}
        />
      }
    >
      {shared?.shareUrl ? (
        <Alert
          type="success"
          showIcon
          style={{ marginBottom: 12 }}
          message={t('tokenOnce')}
          description={
            <Flex wrap gap={12} align="center">
              <QRCode value={shared.shareUrl} size={120} bordered={false} />
              <Typography.Text copyable style={{ wordBreak: 'break-all' }}>
                {shared.shareUrl}
              </Typography.Text>
            </Flex>
          }
        />
      ) : null}
      {list.error ? <ProblemAlert error={list.error} onRetry={list.reload} /> : null}
      {error ? <ProblemAlert error={error} /> : null}
      <Table
        rowKey="id"
        size="small"
        loading={list.loading}
        dataSource={list.data ?? []}
        pagination={false}
        scroll={{ x: true }}
        locale={{ emptyText: <Nothing text={t('authorisationsEmpty')} /> }}
        columns={[
          { title: t('grantee'), dataIndex: 'granteeName' },
          { title: t('purpose'), dataIndex: 'purpose' },
          { title: t('expiresAt'), render: (_, a) => when(a.expiresAt) },
          { title: t('status'), render: (_, a) => <Tag>{t(`state_${a.state}`)}</Tag> },
          {
            title: t('revoke'),
            render: (_, a) =>
              a.state === 'active' ? (
                <Popconfirm
                  title={t('revokeAria', { name: a.granteeName })}
                  okText={t('yes')}
                  cancelText={t('no')}
                  onConfirm={() => void revoke(a)}
                >
                  <Button size="small" danger aria-label={t('revokeAria', { name: a.granteeName })}>
                    {t('revoke')}
                  </Button>
                </Popconfirm>
              ) : null,
          },
        ]}
      />
    </Card>
  );
}

function Accesses({ licenceId }: { licenceId: string }) {
  const t = useT(myTexts);
  const when = useDateTime();
  const pick = useBilingual();
  const [page, setPage] = useState(1);
  const accesses = useApi(
    () =>
      data(
        api.GET('/api/v1/my/licenses/{id}/accesses', {
          params: { path: { id: licenceId }, query: { page, size: 20 } },
        }),
      ),
    [licenceId, page],
  );
  const kinds = { verification: t('verification'), read: t('read'), download: t('download_kind') };
  return (
    <Card title={<SectionTitle>{t('accesses')}</SectionTitle>}>
      {accesses.error ? <ProblemAlert error={accesses.error} onRetry={accesses.reload} /> : null}
      <Table
        rowKey="id"
        size="small"
        loading={accesses.loading}
        dataSource={accesses.data?.items ?? []}
        scroll={{ x: true }}
        pagination={{
          current: page,
          pageSize: 20,
          total: accesses.data?.total ?? 0,
          onChange: setPage,
          hideOnSinglePage: true,
        }}
        locale={{ emptyText: <Nothing text={t('accessesEmpty')} /> }}
        columns={[
          { title: t('when'), render: (_, a) => when(a.at) },
          { title: t('who'), dataIndex: 'accessor' },
          { title: t('kind'), render: (_, a) => kinds[a.kind] },
          { title: t('purpose'), render: (_, a) => a.purpose ?? '—' },
          {
            title: t('outcome'),
            render: (_, a) =>
              a.outcome === 'allowed'
                ? t('allowed')
                : a.reasonText
                  ? t('deniedBecause', { reason: pick(a.reasonText, a.reasonTextEn) })
                  : t('denied'),
          },
        ]}
      />
    </Card>
  );
}

/** One licence I hold: its face, the QR code of its public verification page, the PDF, authorisations and who viewed it. */
export default function LicencePage() {
  const t = useT(myTexts);
  const { id = '' } = useParams();
  const licence = useApi(
    () => data<LicenceDetail>(api.GET('/api/v1/my/licenses/{id}', { params: { path: { id } } })),
    [id],
  );
  if (licence.error) return <ProblemPage error={licence.error} />;
  if (!licence.data) return <Skeleton active />;
  const l = licence.data;
  const verifyUrl = `${window.location.origin}/verify/licenses/${encodeURIComponent(l.id)}`;
  return (
    <Flex vertical gap={16} style={{ maxWidth: 1080, margin: '0 auto', width: '100%' }}>
      <PageTitle>{l.typeName}</PageTitle>
      <Row gutter={[16, 16]}>
        <Col xs={24} md={16}>
          <Card title={<SectionTitle>{t('face')}</SectionTitle>}>
            <Descriptions column={1} size="small" bordered>
              <Descriptions.Item label={t('licenceStatus')}>
                <LicenceStatus status={l.status} />
              </Descriptions.Item>
              {l.face.map((f) => (
                <Descriptions.Item key={f.key} label={f.label}>
                  {f.value}
                </Descriptions.Item>
              ))}
              <Descriptions.Item label={t('issuer')}>{l.issuerName}</Descriptions.Item>
              <Descriptions.Item label={t('issueDate')}>{l.issueDate}</Descriptions.Item>
              <Descriptions.Item label={t('validUntil')}>{l.validUntil ?? t('longTerm')}</Descriptions.Item>
              <Descriptions.Item label={t('licenceId')}>
                <Typography.Text style={{ wordBreak: 'break-all' }}>{l.id}</Typography.Text>
              </Descriptions.Item>
            </Descriptions>
          </Card>
        </Col>
        <Col xs={24} md={8}>
          <Card title={<SectionTitle>{t('showQr')}</SectionTitle>}>
            <Flex vertical gap={12} align="center">
              <QRCode value={verifyUrl} size={180} aria-label={t('showQr')} />
              <Typography.Text type="secondary">{t('qrHelp')}</Typography.Text>
              <a href={verifyUrl} target="_blank" rel="noreferrer">
                {t('verifyLink')}
              </a>
              <Button href={`/api/v1/licenses/${encodeURIComponent(l.id)}/pdf`} download>
                {t('pdf')}
              </Button>
            </Flex>
          </Card>
        </Col>
      </Row>
      <Authorisations licenceId={l.id} />
      <Accesses licenceId={l.id} />
    </Flex>
  );
}
