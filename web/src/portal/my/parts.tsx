import { Empty } from 'antd';
import { useCallback } from 'react';
import { useLocale } from '../../i18n/index.tsx';

/** An instant as people read it in the page's language. */
export function useDateTime() {
  const { locale } = useLocale();
  return useCallback(
    (iso: string | null | undefined) =>
      iso ? new Date(iso).toLocaleString(locale, { dateStyle: 'medium', timeStyle: 'short' }) : '',
    [locale],
  );
}

/** An empty list's message, the same everywhere in my space. */
export const Nothing = ({ text }: { text: string }) => (
  <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={text} />
);
