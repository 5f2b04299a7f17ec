import { DownloadOutlined, EyeOutlined } from '@ant-design/icons';
import { Button, Card, Empty, Flex, List, Table, Tag, Typography } from 'antd';
import { useT } from '../i18n/index.tsx';
import { materialUrl, type CaseMaterial } from './api.ts';
import { useDateTime } from './labels.ts';
import { messages } from './messages.ts';

const SOURCE_LABELS = {
  upload: 'fromUpload',
  drive: 'fromDrive',
  registry: 'fromRegistry',
  licence: 'fromLicence',
} as const;

const previewKind = (m: CaseMaterial): 'pdf' | 'image' | 'record' | 'download' | null => {
  if (m.record) return 'record';
  if (!m.sha256) return null;
  if (m.mediaType === 'application/pdf') return 'pdf';
  if (m.mediaType === 'image/png' || m.mediaType === 'image/jpeg') return 'image';
  return 'download';
};

/** The materials of the case; choosing one shows it in the preview beside the form. */
export function MaterialList({
  materials,
  selected,
  onSelect,
}: {
  materials: CaseMaterial[];
  selected: string | undefined;
  onSelect: (name: string) => void;
}) {
  const t = useT(messages);
  const dateTime = useDateTime();
  if (materials.length === 0) return <Typography.Text type="secondary">{t('noMaterials')}</Typography.Text>;
  return (
    <List
      size="small"
      dataSource={materials}
      renderItem={(m) => (
        <List.Item
          key={m.name}
          className={m.name === selected ? 'wb-row-selected' : undefined}
          actions={
            previewKind(m)
              ? [
                  <Button
                    key="preview"
                    size="small"
                    icon={<EyeOutlined />}
                    onClick={() => onSelect(m.name)}
                    aria-pressed={m.name === selected}
                    aria-label={t('previewOf', { name: m.name })}
                  >
                    {t('preview')}
                  </Button>,
                ]
              : []
          }
        >
          <Flex vertical gap={2} style={{ minWidth: 0 }}>
            <Typography.Text strong>{m.name}</Typography.Text>
            <Flex wrap gap={4} align="center">
              <Tag>{t(SOURCE_LABELS[m.source])}</Tag>
              {m.suppliedAt ? (
                <Tag color="processing">
                  {t('supplied')} {dateTime(m.suppliedAt)}
                </Tag>
              ) : null}
              {m.filename ? (
                <Typography.Text type="secondary" className="wb-filename">
                  {m.filename}
                </Typography.Text>
              ) : null}
            </Flex>
          </Flex>
        </List.Item>
      )}
    />
  );
}

/** The chosen material: a PDF or an image inline, a registry or licence record as a table, other files to download. */
export function MaterialPreview({
  caseId,
  material,
}: {
  caseId: string;
  material: CaseMaterial | undefined;
}) {
  const t = useT(messages);
  const kind = material ? previewKind(material) : null;
  const url = material?.sha256 ? materialUrl(caseId, material.sha256) : undefined;
  return (
    <Card
      size="small"
      className="wb-block wb-preview"
      title={
        <h2 className="wb-card-title">{material ? t('previewOf', { name: material.name }) : t('preview')}</h2>
      }
      extra={
        url ? (
          <Button size="small" icon={<DownloadOutlined />} href={url} download={material?.filename ?? true}>
            {t('download')}
          </Button>
        ) : null
      }
    >
      {!material || !kind ? (
        <Empty description={t('choosePreview')} />
      ) : kind === 'pdf' ? (
        <iframe className="wb-preview-frame" src={url} title={t('previewOf', { name: material.name })} />
      ) : kind === 'image' ? (
        <img className="wb-preview-image" src={url} alt={t('previewOf', { name: material.name })} />
      ) : kind === 'record' ? (
        <Table
          size="small"
          pagination={false}
          rowKey="key"
          dataSource={Object.entries(material.record!.data).map(([key, value]) => ({
            key,
            value: typeof value === 'string' ? value : JSON.stringify(value),
          }))}
          columns={[
            { key: 'key', title: t('recordKey'), dataIndex: 'key' },
            { key: 'value', title: t('recordValue'), dataIndex: 'value' },
          ]}
        />
      ) : (
        <Typography.Paragraph>{t('noPreview')}</Typography.Paragraph>
      )}
    </Card>
  );
}
