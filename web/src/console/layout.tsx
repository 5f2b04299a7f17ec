import { Layout } from 'antd';
import type { ReactNode } from 'react';
import { LanguageSwitch } from '../shared/language-switch.tsx';

/** Placeholder: the console's side menu and header are being built. */
export function ConsoleLayout({ children }: { children: ReactNode }) {
  return (
    <Layout>
      <Layout.Header>
        <LanguageSwitch />
      </Layout.Header>
      <Layout.Content>{children}</Layout.Content>
    </Layout>
  );
}
