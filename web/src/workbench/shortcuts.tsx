import { Modal, Typography } from 'antd';
import { useEffect, useRef } from 'react';
import { useT } from '../i18n/index.tsx';
import { messages, type WorkbenchMessage } from './messages.ts';

/** The keys of the common actions on a case (the help overlay lists them). */
export const ACTION_KEYS: Record<string, { key: string; help: WorkbenchMessage }> = {
  receive: { key: 'e', help: 'keyReceive' },
  accept: { key: 'a', help: 'keyAccept' },
  reject: { key: 'r', help: 'keyReject' },
  request_supplement: { key: 'b', help: 'keySupplement' },
  review_approve: { key: 'v', help: 'keyReviewApprove' },
  decide_approve: { key: 'd', help: 'keyDecideApprove' },
};

/** Whether a key press belongs to what the user is typing or to an open dialog, not to a shortcut. */
function ignored(event: KeyboardEvent): boolean {
  if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return true;
  const target = event.target as HTMLElement | null;
  if (target?.closest('input, textarea, select, [contenteditable="true"], .ant-select')) return true;
  // An open dialog or drawer owns the keys (a closed one stays in the page, hidden; a closing one animates out).
  return [...document.querySelectorAll('.ant-modal-wrap, .ant-drawer')].some(
    (layer) => layer.checkVisibility() && !layer.querySelector('[class*="-leave"]'),
  );
}

/**
 * Calls the handler of a single-key shortcut (`j`, `Enter`, `?` ...) pressed outside text
 * fields and dialogs. Letters match either case.
 */
export function useShortcuts(handlers: Record<string, (() => void) | undefined>, enabled = true) {
  const latest = useRef(handlers);
  useEffect(() => {
    latest.current = handlers;
  });
  useEffect(() => {
    if (!enabled) return;
    const onKey = (event: KeyboardEvent) => {
      if (ignored(event)) return;
      const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
      const handler = latest.current[key] ?? latest.current[event.key];
      if (!handler) return;
      event.preventDefault();
      handler();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [enabled]);
}

const LIST_KEYS: [string, WorkbenchMessage][] = [
  ['j', 'keyDown'],
  ['k', 'keyUp'],
  ['Enter', 'keyOpen'],
];

/** The keyboard help, opened with "?" anywhere in the workbench. */
export function ShortcutHelp({ open, onClose }: { open: boolean; onClose: () => void }) {
  const t = useT(messages);
  const rows = (keys: [string, WorkbenchMessage][]) => (
    <dl className="wb-keys">
      {keys.map(([key, help]) => (
        <div key={key}>
          <dt>
            <kbd>{key.length === 1 ? key.toUpperCase() : key}</kbd>
          </dt>
          <dd>{t(help)}</dd>
        </div>
      ))}
    </dl>
  );
  return (
    <Modal open={open} onCancel={onClose} footer={null} title={t('helpTitle')}>
      <Typography.Title level={2} style={{ fontSize: 16 }}>
        {t('helpList')}
      </Typography.Title>
      {rows(LIST_KEYS)}
      <Typography.Title level={2} style={{ fontSize: 16 }}>
        {t('helpDetail')}
      </Typography.Title>
      {rows([
        ...Object.values(ACTION_KEYS).map(({ key, help }): [string, WorkbenchMessage] => [key, help]),
        ['Escape', 'keyBack'],
      ])}
      {rows([['?', 'keyHelp']])}
    </Modal>
  );
}
