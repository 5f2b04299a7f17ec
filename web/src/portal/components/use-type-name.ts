import { useCallback } from 'react';
import { useLocale } from '../../i18n/index.tsx';
import { itemTypeNames } from '../messages.ts';

/** An item type's name in the page's language (the server names it in Chinese). */
export function useTypeName() {
  const { locale } = useLocale();
  return useCallback(
    (type: { code: string; name: string }) =>
      locale === 'en' ? (itemTypeNames[type.code] ?? type.name) : type.name,
    [locale],
  );
}
