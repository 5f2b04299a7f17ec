import { ClockCircleOutlined, ExclamationCircleOutlined, PauseCircleOutlined } from '@ant-design/icons';
import { Tag } from 'antd';
import { useT } from '../i18n/index.tsx';
import type { ClockState } from './api.ts';
import { messages } from './messages.ts';

/**
 * The deadline marker of a case: green, yellow (close to the limit) or red (overdue), with
 * the working days left. Colour is never the only signal: the text says the state too.
 */
export function DeadlineTag({
  state,
  remainingWorkingDays,
  paused,
}: {
  state: ClockState;
  remainingWorkingDays: number | null;
  paused: boolean;
}) {
  const t = useT(messages);
  if (paused)
    return (
      <Tag icon={<PauseCircleOutlined />} data-clock="paused">
        {t('paused')}
      </Tag>
    );
  if (remainingWorkingDays === null)
    return (
      <Tag icon={<ClockCircleOutlined />} data-clock="none">
        {t('notStarted')}
      </Tag>
    );
  const days =
    remainingWorkingDays === 0
      ? t('dueToday')
      : remainingWorkingDays === 1
        ? t('dayLeft')
        : remainingWorkingDays === -1
          ? t('dayOverdue')
          : remainingWorkingDays < 0
            ? t('overdueBy', { n: -remainingWorkingDays })
            : t('daysLeft', { n: remainingWorkingDays });
  // Overdue says so in its days; close to the limit says so before them.
  const text =
    state === 'yellow'
      ? `${t('stateYellow')} · ${days}`
      : state === 'red' && remainingWorkingDays >= 0
        ? `${t('overdue')} · ${days}`
        : days;
  return (
    <Tag
      className={`wb-clock wb-clock-${state}`}
      icon={state === 'green' ? <ClockCircleOutlined /> : <ExclamationCircleOutlined />}
      data-clock={state}
    >
      {text}
    </Tag>
  );
}

/** The state of the list's marker: the worse of the stored clock state and the row's own deadlines. */
export function rowState(row: { clockState: ClockState; overdue: boolean }): ClockState {
  return row.overdue ? 'red' : row.clockState;
}
