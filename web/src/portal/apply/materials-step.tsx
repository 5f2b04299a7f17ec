import { Alert, App, Button, Card, Flex, List, Modal, Progress, Tag, Typography } from 'antd';
import { useRef, useState } from 'react';
import { api, data } from '../../api/client.ts';
import { useBilingual, useLocale, useT } from '../../i18n/index.tsx';
import { ProblemAlert } from '../../shared/problem.tsx';
import { useApi } from '../../shared/use-api.ts';
import type { Draft } from './draft.ts';
import { applyTexts } from './messages.ts';
import { SectionTitle, STATUS_COLOURS, StatusText, useFileSize, useProvidedText } from './parts.tsx';
import type { ChecklistEntry } from './types.ts';
import { uploadFile } from './upload.ts';

/** The file types the server's upload gate takes (kernel/files): what the file picker offers. */
export const ACCEPTED_FILES = '.pdf,.ofd,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png';

export interface UploadProgress {
  filename: string;
  percent: number;
  status: 'active' | 'success' | 'exception';
}

/** A material still needed before submission (tolerated 容缺 ones may follow later). */
export const missingRequired = (materials: ChecklistEntry[]) =>
  materials.filter((m) => m.required && !m.tolerated && m.status !== 'provided');

/** A button that opens the file picker; the input itself stays out of sight and out of the tab order. */
export function FilePicker(props: {
  label: string;
  ariaLabel: string;
  disabled?: boolean;
  onFile(file: File): void;
}) {
  const input = useRef<HTMLInputElement>(null);
  return (
    <>
      <Button disabled={props.disabled} aria-label={props.ariaLabel} onClick={() => input.current?.click()}>
        {props.label}
      </Button>
      <input
        ref={input}
        type="file"
        accept={ACCEPTED_FILES}
        hidden
        tabIndex={-1}
        aria-hidden
        onChange={(event) => {
          const file = event.target.files?.[0];
          event.target.value = '';
          if (file) props.onFile(file);
        }}
      />
    </>
  );
}

/** One upload's bar: moving while it goes, green when done, red when refused. */
export function UploadBar({ upload }: { upload: UploadProgress }) {
  const t = useT(applyTexts);
  const params = { filename: upload.filename };
  const label = upload.status === 'success' ? t('uploaded', params) : t('uploading', params);
  return (
    <div>
      <Typography.Text type="secondary">{label}</Typography.Text>
      <Progress percent={upload.percent} status={upload.status} size="small" aria-label={label} />
    </div>
  );
}

function DrivePicker({
  open,
  onClose,
  onPick,
}: {
  open: boolean;
  onClose(): void;
  onPick(id: string): void;
}) {
  const t = useT(applyTexts);
  const size = useFileSize();
  const files = useApi(
    () =>
      open
        ? data(api.GET('/api/v1/drive/files', { params: { query: { page: 1, size: 50 } } }))
        : Promise.resolve(undefined),
    [open],
  );
  return (
    <Modal open={open} title={t('driveTitle')} onCancel={onClose} footer={null} destroyOnHidden>
      {files.error ? <ProblemAlert error={files.error} onRetry={files.reload} /> : null}
      <List
        loading={files.loading}
        dataSource={files.data?.items ?? []}
        locale={{ emptyText: t('driveEmpty') }}
        renderItem={(file) => (
          <List.Item
            actions={[
              <Button key="use" size="small" aria-label={t('useAria', file)} onClick={() => onPick(file.id)}>
                {t('use')}
              </Button>,
            ]}
          >
            <List.Item.Meta title={file.filename} description={size(file.size)} />
          </List.Item>
        )}
      />
    </Modal>
  );
}

export function MaterialsStep({
  draft,
  onPrevious,
  onNext,
}: {
  draft: Draft;
  onPrevious(): void;
  onNext(): void;
}) {
  const t = useT(applyTexts);
  const { locale } = useLocale();
  const pick = useBilingual();
  const { message } = App.useApp();
  const providedText = useProvidedText();
  const { application } = draft;
  const [uploads, setUploads] = useState<Record<string, UploadProgress>>({});
  const [error, setError] = useState<unknown>();
  const [driveFor, setDriveFor] = useState<string>();
  const [filling, setFilling] = useState(false);
  const [showMissing, setShowMissing] = useState(false);
  const id = application.id;

  const upload = async (name: string, file: File) => {
    setError(undefined);
    const track = (patch: Partial<UploadProgress>) =>
      setUploads((all) => ({
        ...all,
        [name]: { filename: file.name, percent: 0, status: 'active', ...all[name], ...patch },
      }));
    track({ filename: file.name, percent: 0, status: 'active' });
    try {
      const entry = await uploadFile<ChecklistEntry>(
        'PUT',
        `/api/v1/applications/${id}/materials/${encodeURIComponent(name)}`,
        file,
        { locale, onProgress: (percent) => track({ percent }) },
      );
      track({ percent: 100, status: 'success' });
      draft.replaceMaterial(entry);
    } catch (failure) {
      track({ status: 'exception' });
      setError(failure);
    }
  };

  const reuse = async (name: string, uploadId: string) => {
    setDriveFor(undefined);
    try {
      draft.replaceMaterial(
        await data(
          api.POST('/api/v1/applications/{id}/materials/{name}/reuse', {
            params: { path: { id, name } },
            body: { uploadId },
          }),
        ),
      );
    } catch (failure) {
      setError(failure);
    }
  };

  const remove = async (name: string) => {
    try {
      await api.DELETE('/api/v1/applications/{id}/materials/{name}', { params: { path: { id, name } } });
      setUploads(({ [name]: _gone, ...rest }) => rest);
      await draft.refresh();
    } catch (failure) {
      setError(failure);
    }
  };

  const fill = async () => {
    setFilling(true);
    try {
      const result = await data(
        api.POST('/api/v1/applications/{id}/materials/fill', { params: { path: { id } } }),
      );
      const { filled, ...view } = result;
      draft.setApplication(view);
      void message.info(
        filled.length ? t('filled', { names: filled.join(t('listSeparator')) }) : t('filledNone'),
      );
    } catch (failure) {
      setError(failure);
    } finally {
      setFilling(false);
    }
  };

  const missing = missingRequired(application.materials);
  const next = () => {
    setShowMissing(missing.length > 0);
    if (missing.length === 0) onNext();
  };

  return (
    <Flex vertical gap={16}>
      <Card
        title={<SectionTitle>{t('stepMaterials')}</SectionTitle>}
        extra={
          <Button loading={filling} onClick={() => void fill()}>
            {t('fillExempt')}
          </Button>
        }
      >
        <Typography.Paragraph type="secondary">{t('materialsIntro')}</Typography.Paragraph>
        <Typography.Paragraph type="secondary">{t('fileTypes')}</Typography.Paragraph>
        <List
          itemLayout="vertical"
          dataSource={application.materials}
          renderItem={(entry) => {
            const byFile = entry.provided?.source === 'upload' || entry.provided?.source === 'drive';
            const fixed = entry.provided?.source === 'registry' || entry.provided?.source === 'licence';
            const note = pick(entry.note, entry.noteEn);
            return (
              <List.Item key={entry.name} data-testid="material">
                <Flex vertical gap={8}>
                  <Flex wrap gap={8} align="center">
                    <Typography.Text strong>{entry.name}</Typography.Text>
                    <Tag color={entry.required ? STATUS_COLOURS.danger : 'default'}>
                      {entry.required ? t('required') : t('optional')}
                    </Tag>
                    {entry.tolerated ? <Tag color={STATUS_COLOURS.pending}>{t('tolerated')}</Tag> : null}
                    {entry.exempt ? <Tag color={STATUS_COLOURS.done}>{t('exempt')}</Tag> : null}
                    {entry.source === 'government' && !entry.exempt ? <Tag>{t('shareable')}</Tag> : null}
                  </Flex>
                  {note ? <Typography.Text type="secondary">{note}</Typography.Text> : null}
                  <StatusText done={entry.status === 'provided'}>
                    {entry.status === 'provided'
                      ? `${t('provided')} · ${providedText(entry)}`
                      : t('toBeSupplied')}
                  </StatusText>
                  {uploads[entry.name] ? <UploadBar upload={uploads[entry.name]!} /> : null}
                  {fixed ? null : (
                    <Flex wrap gap={8}>
                      <FilePicker
                        label={byFile ? t('replace') : t('upload')}
                        ariaLabel={t('uploadAria', {
                          action: byFile ? t('replace') : t('upload'),
                          name: entry.name,
                        })}
                        disabled={uploads[entry.name]?.status === 'active'}
                        onFile={(file) => void upload(entry.name, file)}
                      />
                      <Button onClick={() => setDriveFor(entry.name)}>{t('fromDriveButton')}</Button>
                      {byFile ? (
                        <Button
                          danger
                          type="text"
                          aria-label={t('removeAria', { name: entry.name })}
                          onClick={() => void remove(entry.name)}
                        >
                          {t('remove')}
                        </Button>
                      ) : null}
                    </Flex>
                  )}
                </Flex>
              </List.Item>
            );
          }}
        />
      </Card>
      {error ? <ProblemAlert error={error} /> : null}
      {showMissing && missing.length > 0 ? (
        <Alert
          type="error"
          showIcon
          role="alert"
          message={t('missingRequired', { names: missing.map((m) => m.name).join(t('listSeparator')) })}
        />
      ) : null}
      <Flex wrap gap={8} justify="flex-end">
        <Button onClick={onPrevious}>{t('previous')}</Button>
        <Button type="primary" onClick={next}>
          {t('next')}
        </Button>
      </Flex>
      <DrivePicker
        open={driveFor !== undefined}
        onClose={() => setDriveFor(undefined)}
        onPick={(uploadId) => void reuse(driveFor!, uploadId)}
      />
    </Flex>
  );
}
