import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { format, type Locale, type Messages, type Params } from './messages.ts';

export { defineMessages, format, type Locale, type Messages, type Params } from './messages.ts';

/**
 * Internationalisation: zh-CN by default, en available. Each area declares its own
 * messages beside its pages with `defineMessages` (the English side must have every key
 * of the Chinese one, which the type checker enforces), so an area's texts load with its chunk.
 */
export const LOCALES: readonly Locale[] = ['zh-CN', 'en'];
const STORAGE_KEY = 'tb.locale';

interface LocaleState {
  locale: Locale;
  setLocale(locale: Locale): void;
}

const LocaleContext = createContext<LocaleState>({ locale: 'zh-CN', setLocale: () => undefined });

function initialLocale(): Locale {
  const stored = typeof localStorage === 'undefined' ? null : localStorage.getItem(STORAGE_KEY);
  return stored === 'en' ? 'en' : 'zh-CN';
}

/** The current locale, kept in localStorage and mirrored on `<html lang>`. */
export function LocaleProvider({ children }: { children: ReactNode }) {
  const [locale, setLocaleState] = useState<Locale>(initialLocale);
  const setLocale = useCallback((next: Locale) => {
    localStorage.setItem(STORAGE_KEY, next);
    setLocaleState(next);
  }, []);
  useEffect(() => {
    document.documentElement.lang = locale;
  }, [locale]);
  const value = useMemo(() => ({ locale, setLocale }), [locale, setLocale]);
  return <LocaleContext.Provider value={value}>{children}</LocaleContext.Provider>;
}

export const useLocale = () => useContext(LocaleContext);

/** The translator of one message set in the current locale: `t('key', { n: 3 })`. */
export function useT<K extends string>(messages: Messages<K>) {
  const { locale } = useLocale();
  return useCallback((key: K, params?: Params) => format(messages[locale][key], params), [messages, locale]);
}

/** Picks the text of the current locale from a server pair such as `{ title, titleEn }`. */
export function useBilingual() {
  const { locale } = useLocale();
  return useCallback(
    (zh: string | null | undefined, en: string | null | undefined) =>
      (locale === 'en' ? en || zh : zh || en) ?? '',
    [locale],
  );
}
