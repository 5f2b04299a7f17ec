import { Card, Flex, List, Typography } from 'antd';
import { useState } from 'react';
import { api, data } from '../../api/client.ts';
import { useLocale, useT } from '../../i18n/index.tsx';
import { ProblemAlert } from '../../shared/problem.tsx';
import { useApi } from '../../shared/use-api.ts';
import { FilePicker, UploadBar, type UploadProgress } from '../apply/materials-step.tsx';
import { useFileSize } from '../apply/parts.tsx';
import { uploadFile } from '../apply/upload.ts';
import { myTexts } from './messages.ts';
import { Nothing, useDateTime } from './parts.tsx';

const PAGE_SIZE = 20;

/** 我的材料: the cloud drive, whose files any application or 补正 can reuse. */
export default function Files() {
  const t = useT(myTexts);
  const { locale } = useLocale();
  const size = useFileSize();
  const when = useDateTime();
  const [page, setPage] = useState(1);
  const [upload, setUpload] = useState<UploadProgress>();
  const [error, setError] = useState<unknown>();
  const files = useApi(
    () => data(api.GET('/api/v1/drive/files', { params: { query: { page, size: PAGE_SIZE } } })),
    [page],
  );
  const add = async (file: File) => {
    setError(undefined);
    setUpload({ filename: file.name, percent: 0, status: 'active' });
    try {
      await uploadFile('POST', '/api/v1/drive/files', file, {
        locale,
        onProgress: (percent) => setUpload({ filename: file.name, percent, status: 'active' }),
      });
      setUpload({ filename: file.name, percent: 100, status: 'success' });
      files.reload();
    } catch (failure) {
      setUpload({ filename: file.name, percent: 100, status: 'exception' });
      setError(failure);
    }
  };
  return (
    <Card>
      <Flex vertical gap={12}>
        <div>
          <FilePicker
            label={t('uploadFile')}
            ariaLabel={t('uploadFileAria')}
            disabled={upload?.status === 'active'}
            onFile={(file) => void add(file)}
          />
        </div>
        {upload ? <UploadBar upload={upload} /> : null}
        {error ? <ProblemAlert error={error} /> : null}
        {files.error ? <ProblemAlert error={files.error} onRetry={files.reload} /> : null}
        <List
          loading={files.loading}
          dataSource={files.data?.items ?? []}
          locale={{ emptyText: <Nothing text={t('filesEmpty')} /> }}
          pagination={{
            current: page,
            pageSize: PAGE_SIZE,
            total: files.data?.total ?? 0,
            onChange: setPage,
            simple: true,
            hideOnSinglePage: true,
          }}
          renderItem={(f) => (
            <List.Item key={f.id} data-testid="drive-file">
              <List.Item.Meta
                title={<Typography.Text ellipsis>{f.filename}</Typography.Text>}
                description={`${size(f.size)} · ${when(f.uploadedAt)}`}
              />
            </List.Item>
          )}
        />
      </Flex>
    </Card>
  );
}
