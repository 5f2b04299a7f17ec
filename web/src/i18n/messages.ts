/** The parts of i18n that need neither React nor a browser (the server's tests use them too). */
export type Locale = 'zh-CN' | 'en';

export interface Messages<K extends string> {
  'zh-CN': Record<K, string>;
  en: Record<K, string>;
}

export function defineMessages<const Z extends Record<string, string>>(
  zh: Z,
  en: { [K in keyof Z]: string },
): Messages<keyof Z & string> {
  return { 'zh-CN': zh, en };
}

export type Params = Record<string, string | number>;

/** `{name}` placeholders filled from params; a missing one stays visible rather than vanishing. */
export const format = (template: string, params: Params = {}): string =>
  template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    params[name] === undefined ? whole : String(params[name]),
  );
