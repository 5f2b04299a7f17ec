import { CopyOutlined } from '@ant-design/icons';
import { App, Button, Flex, Modal, Result, Select, Typography } from 'antd';
import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn';
import { useEffect, useState, type ReactNode } from 'react';
import { api, data } from '../api/client.ts';
import { useLocale, useT } from '../i18n/index.tsx';
import { common } from '../shared/messages.ts';
import { useSession } from '../shared/session.tsx';
import { useApi } from '../shared/use-api.ts';
import { shell } from './messages.ts';

/** What several console pages share: the page title, permissions, dates, pickers, a secret shown once. */

/** Whether the signed-in staff member holds any of the permissions. */
export function usePermissions(): (...any: string[]) => boolean {
  const { profile } = useSession();
  const held = new Set(profile?.staff?.permissions ?? []);
  return (...any) => any.some((p) => held.has(p));
}

/** The page's one h1, with its actions beside it (below it on a phone). */
export function PageTitle({ title, extra }: { title: string; extra?: ReactNode }) {
  return (
    <Flex wrap gap={12} justify="space-between" align="center" style={{ marginBottom: 16 }}>
      <Typography.Title level={1} style={{ fontSize: 22, margin: 0 }}>
        {title}
      </Typography.Title>
      {extra}
    </Flex>
  );
}

/** Date pickers and calendars name months and weekdays in the page's language. */
export function useDayjsLocale() {
  const { locale } = useLocale();
  useEffect(() => {
    dayjs.locale(locale === 'en' ? 'en' : 'zh-cn');
  }, [locale]);
}

/** An instant as the reader's locale writes it, in China time. */
export function useDateTime() {
  const { locale } = useLocale();
  return (iso: string | null | undefined) =>
    iso ? new Date(iso).toLocaleString(locale, { timeZone: 'Asia/Shanghai', hour12: false }) : '';
}

interface Option<V> {
  value: V;
  label: string;
}

interface SelectProps {
  id?: string;
  mode?: 'multiple';
  value?: unknown;
  onChange?: (value: unknown) => void;
}

/**
 * A select whose options are searched on the server as the user types; the values it
 * starts with are named by `describe` (they may not be among the first results).
 */
function RemoteSelect<V extends number | string>({
  load,
  describe,
  placeholder,
  ...props
}: SelectProps & {
  load: (q: string) => Promise<Option<V>[]>;
  describe: (value: V) => Promise<Option<V>>;
  placeholder: string;
}) {
  const [q, setQ] = useState('');
  const { data: found, loading } = useApi(() => load(q), [q]);
  const [initial] = useState(
    () => (props.value === undefined || props.value === null ? [] : [props.value].flat()) as V[],
  );
  const { data: known } = useApi(() => Promise.all(initial.map(describe)), [initial]);
  const options = [...(known ?? []), ...(found ?? [])].filter(
    (o, i, all) => all.findIndex((other) => other.value === o.value) === i,
  );
  return (
    <Select
      {...props}
      showSearch={{ filterOption: false, onSearch: setQ }}
      placeholder={placeholder}
      loading={loading}
      options={options}
      allowClear
      style={{ width: '100%' }}
    />
  );
}

/** Picks departments (organisations) by name; values are their ids. */
export function OrganisationSelect(props: SelectProps) {
  const t = useT(shell);
  return (
    <RemoteSelect
      {...props}
      placeholder={t('selectOrganisation')}
      load={async (q) =>
        (
          await data(
            api.GET('/api/v1/organisations', { params: { query: { q: q || undefined, page: 1, size: 30 } } }),
          )
        ).items.map((o) => ({ value: o.id, label: o.name }))
      }
      describe={async (id: number) => {
        const o = await data(api.GET('/api/v1/organisations/{id}', { params: { path: { id: String(id) } } }));
        return { value: o.id, label: o.name };
      }}
    />
  );
}

/** Picks regions by name; values are their 12-digit codes. */
export function RegionSelect(props: SelectProps) {
  const t = useT(shell);
  return (
    <RemoteSelect
      {...props}
      placeholder={t('selectRegion')}
      load={async (q) =>
        (
          await data(
            api.GET('/api/v1/regions', { params: { query: { q: q || undefined, page: 1, size: 30 } } }),
          )
        ).items.map((r) => ({ value: r.code, label: r.fullName }))
      }
      describe={async (code: string) => {
        const r = await data(api.GET('/api/v1/regions/{code}', { params: { path: { code } } }));
        return { value: r.code, label: r.fullName };
      }}
    />
  );
}

/** A secret (API key, client secret) shown once, with a copy button. */
export function SecretOnce({
  title,
  secret,
  onClose,
}: {
  title: string;
  secret: string | undefined;
  onClose(): void;
}) {
  const t = useT(shell);
  const { message } = App.useApp();
  return (
    <Modal
      open={secret !== undefined}
      title={title}
      onCancel={onClose}
      footer={<Button onClick={onClose}>{t('close')}</Button>}
    >
      <Typography.Paragraph type="warning">{t('shownOnce')}</Typography.Paragraph>
      <Flex gap={8} align="center">
        <Typography.Text code data-testid="secret" style={{ wordBreak: 'break-all' }}>
          {secret}
        </Typography.Text>
        <Button
          icon={<CopyOutlined />}
          aria-label={t('copy')}
          onClick={() =>
            void navigator.clipboard?.writeText(secret ?? '').then(() => message.success(t('copied')))
          }
        />
      </Flex>
    </Modal>
  );
}

export { useSubmit } from '../shared/use-submit.ts';

export function NotFound() {
  const t = useT(common);
  return (
    <Result
      status="404"
      title={
        <Typography.Title level={1} style={{ fontSize: 22 }}>
          {t('notFoundTitle')}
        </Typography.Title>
      }
      subTitle={t('notFoundText')}
    />
  );
}

/** The name of a department by id (looked up once per id). */
export function OrganisationName({ id }: { id: number | null }) {
  const { data: organisation } = useApi(
    () =>
      id === null
        ? Promise.resolve(undefined)
        : data(api.GET('/api/v1/organisations/{id}', { params: { path: { id: String(id) } } })),
    [id],
  );
  return <>{organisation?.name ?? (id === null ? '' : `#${id}`)}</>;
}
