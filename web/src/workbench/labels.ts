import { useCallback } from 'react';
import { useLocale, useT } from '../i18n/index.tsx';
import { messages, type WorkbenchMessage } from './messages.ts';

/**
 * Names of server codes (statuses, roles, document kinds) in the current language; a code
 * the workbench does not know yet is shown as it is rather than as nothing.
 */
export function useLabel() {
  const t = useT(messages);
  const { locale } = useLocale();
  return useCallback(
    (prefix: 'status' | 'role' | 'document', code: string) => {
      const key = `${prefix}.${code}` as WorkbenchMessage;
      return key in messages[locale] ? t(key) : code;
    },
    [t, locale],
  );
}

/** A date and time as staff read it (China time, the language's format). */
export function useDateTime() {
  const { locale } = useLocale();
  return useCallback(
    (iso: string | null | undefined, withTime = true) =>
      iso
        ? new Intl.DateTimeFormat(locale, {
            timeZone: 'Asia/Shanghai',
            year: 'numeric',
            month: '2-digit',
            day: '2-digit',
            ...(withTime && { hour: '2-digit', minute: '2-digit' }),
          }).format(new Date(iso))
        : '',
    [locale],
  );
}
