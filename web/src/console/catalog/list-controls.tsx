import { ArrowDownOutlined, ArrowUpOutlined, DeleteOutlined } from '@ant-design/icons';
import { Button, Space } from 'antd';
import { useLabels } from './labels.ts';

/** Move up, move down and remove for one row of a list; each names the row for screen readers. */
export function RowControls({
  index,
  count,
  label,
  move,
  remove,
}: {
  index: number;
  count: number;
  label: string;
  move(from: number, to: number): void;
  remove(index: number): void;
}) {
  const { t } = useLabels();
  return (
    <Space size={4}>
      <Button
        size="small"
        icon={<ArrowUpOutlined />}
        aria-label={`${t('moveUp')} ${label}`}
        title={t('moveUp')}
        disabled={index === 0}
        onClick={() => move(index, index - 1)}
      />
      <Button
        size="small"
        icon={<ArrowDownOutlined />}
        aria-label={`${t('moveDown')} ${label}`}
        title={t('moveDown')}
        disabled={index === count - 1}
        onClick={() => move(index, index + 1)}
      />
      <Button
        size="small"
        danger
        icon={<DeleteOutlined />}
        aria-label={`${t('remove')} ${label}`}
        title={t('remove')}
        onClick={() => remove(index)}
      />
    </Space>
  );
}
