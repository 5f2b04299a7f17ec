import { GlobalOutlined } from '@ant-design/icons';
import { Button } from 'antd';
import { useLocale, useT } from '../i18n/index.tsx';
import { common } from './messages.ts';

/** Switches between Chinese and English; the button names the language it switches to. */
export function LanguageSwitch() {
  const { locale, setLocale } = useLocale();
  const t = useT(common);
  const next = locale === 'en' ? 'zh-CN' : 'en';
  return (
    <Button
      type="text"
      icon={<GlobalOutlined aria-hidden />}
      lang={next}
      // The visible text is the name (WCAG 2.5.3, label in name); the title says what it does.
      title={t('language')}
      onClick={() => setLocale(next)}
    >
      {next === 'en' ? t('switchToEnglish') : t('switchToChinese')}
    </Button>
  );
}
