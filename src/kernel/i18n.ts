/**
 * User-facing texts in zh-CN (default) and en. Modules add their own catalogs by
 * calling `defineMessages`; the API returns both languages where a person reads them.
 */
export type Locale = 'zh-CN' | 'en';
export interface Text {
  zh: string;
  en: string;
}

const catalog = new Map<string, Text>();

export function defineMessages(messages: Record<string, Text>): void {
  for (const [key, text] of Object.entries(messages)) catalog.set(key, text);
}

/** The text of `key` in both languages, with `{name}` placeholders filled in. */
export function text(key: string, params: Record<string, string | number> = {}): Text {
  const entry = catalog.get(key);
  if (!entry) throw new Error(`i18n: no message ${key}`);
  const fill = (s: string) =>
    s.replace(/\{(\w+)\}/g, (_, name: string) => String(params[name] ?? `{${name}}`));
  return { zh: fill(entry.zh), en: fill(entry.en) };
}

export function pickLocale(acceptLanguage: string | undefined): Locale {
  return acceptLanguage && /^\s*en\b/i.test(acceptLanguage) ? 'en' : 'zh-CN';
}

/** Texts of the validation rules that JSON-schema checks and hand-written checks share. */
defineMessages({
  'rule.required': { zh: '必填', en: 'is required' },
  'rule.type': { zh: '类型应为{type}', en: 'must be of type {type}' },
  'rule.minLength': { zh: '长度不能少于{limit}个字符', en: 'must be at least {limit} characters' },
  'rule.maxLength': { zh: '长度不能超过{limit}个字符', en: 'must be at most {limit} characters' },
  'rule.minimum': { zh: '不能小于{limit}', en: 'must be at least {limit}' },
  'rule.maximum': { zh: '不能大于{limit}', en: 'must be at most {limit}' },
  'rule.pattern': { zh: '格式不正确', en: 'has an invalid format' },
  'rule.format': { zh: '格式应为{format}', en: 'must be a valid {format}' },
  'rule.enum': { zh: '取值应为以下之一：{values}', en: 'must be one of: {values}' },
  'rule.additionalProperties': { zh: '不允许的字段', en: 'is not an allowed field' },
  'rule.minItems': { zh: '至少需要{limit}项', en: 'must have at least {limit} items' },
  'rule.maxItems': { zh: '最多{limit}项', en: 'must have at most {limit} items' },
  'rule.invalid': { zh: '取值不正确', en: 'is invalid' },
});
