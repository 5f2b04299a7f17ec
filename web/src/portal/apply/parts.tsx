import { Typography } from 'antd';
import type { ReactNode } from 'react';
import { useT } from '../../i18n/index.tsx';
import { applyTexts } from './messages.ts';
import type { ChecklistEntry } from './types.ts';

/** The page's one h1, sized for a form page rather than a banner. */
export function PageTitle({ children }: { children: ReactNode }) {
  return (
    <Typography.Title level={1} style={{ fontSize: 22, margin: 0 }}>
      {children}
    </Typography.Title>
  );
}

/** A file size as people read it. */
export function useFileSize() {
  const t = useT(applyTexts);
  return (bytes: number) =>
    bytes < 1024
      ? t('bytes', { n: bytes })
      : bytes < 1024 * 1024
        ? t('kb', { n: Math.round(bytes / 1024) })
        : t('mb', { n: (bytes / 1024 / 1024).toFixed(1) });
}

/** How a checklist material was provided, in one line (or that it is still to supply). */
export function useProvidedText() {
  const t = useT(applyTexts);
  const size = useFileSize();
  return (entry: ChecklistEntry): string => {
    const provided = entry.provided;
    if (!provided) return t('toBeSupplied');
    if (provided.source === 'licence') return t('fromLicence', { key: provided.record?.key ?? '' });
    if (provided.source === 'registry') {
      const registry = provided.record?.registry;
      return t('fromRegistry', {
        registry: registry === 'legal_entity' ? t('legal_entity') : t('population'),
      });
    }
    const file = provided.file;
    const params = { filename: file?.filename ?? '', size: size(file?.size ?? 0) };
    return provided.source === 'drive' ? t('fromDrive', params) : t('fromUpload', params);
  };
}

/** A card's heading (h2 under the page's h1). */
export function SectionTitle({ children }: { children: ReactNode }) {
  return (
    <Typography.Title level={2} style={{ fontSize: 16, margin: 0 }}>
      {children}
    </Typography.Title>
  );
}

/** Text and tag colours with at least 4.5:1 contrast (antd's success and warning greens and golds have less). */
export const STATUS_COLOURS = { done: '#15803d', pending: '#b45309', danger: '#b91c1c' } as const;

/** A material's or check's state in words, coloured by whether it is done. */
export function StatusText({ done, children }: { done: boolean; children: ReactNode }) {
  return (
    <Typography.Text style={{ color: done ? STATUS_COLOURS.done : STATUS_COLOURS.pending }}>
      {children}
    </Typography.Text>
  );
}
