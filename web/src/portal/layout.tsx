import { Layout } from 'antd';
import type { ReactNode } from 'react';
import { LanguageSwitch } from '../shared/language-switch.tsx';

/** Placeholder: the portal's header, navigation and footer are being built. */
export function PortalLayout({ children }: { children: ReactNode }) {
  return (
    <Layout>
      <Layout.Header>
        <LanguageSwitch />
      </Layout.Header>
      <Layout.Content>{children}</Layout.Content>
    </Layout>
  );
}
