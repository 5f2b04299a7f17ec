import { Result } from 'antd';
import { Route, Routes } from 'react-router';
import { useT } from '../i18n/index.tsx';
import { common } from '../shared/messages.ts';
import { LanguageSwitch } from '../shared/language-switch.tsx';

/** The console area (its pages are being built). */
export default function Console() {
  const t = useT(common);
  return (
    <Routes>
      <Route path="*" element={<Result title={t('console')} extra={<LanguageSwitch />} />} />
    </Routes>
  );
}
