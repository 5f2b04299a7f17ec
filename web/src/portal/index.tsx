import { Result } from 'antd';
import { Route, Routes } from 'react-router';
import { useT } from '../i18n/index.tsx';
import { common } from '../shared/messages.ts';
import { LanguageSwitch } from '../shared/language-switch.tsx';

/** The portal area (its pages are being built). */
export default function Portal() {
  const t = useT(common);
  return (
    <Routes>
      <Route path="*" element={<Result title={t('portal')} extra={<LanguageSwitch />} />} />
    </Routes>
  );
}
