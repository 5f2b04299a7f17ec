import { Grid, List, Table, Tag, Typography } from 'antd';
import type { FormInstance, TablePaginationConfig } from 'antd';
import type { ReactNode } from 'react';
import { fieldErrors } from '../../api/client.ts';
import { useLocale } from '../../i18n/index.tsx';
import { STATUS_COLOURS, useLabels } from './labels.ts';
import type { VersionStatus } from './types.ts';

/** Pieces the catalog pages share. */

export function StatusTag({ status }: { status: VersionStatus }) {
  const { status: label } = useLabels();
  return <Tag color={STATUS_COLOURS[status]}>{label(status)}</Tag>;
}

/** `materials[2].name` → ['materials', 2, 'name'], the name path antd forms use. */
export function namePath(field: string): (string | number)[] {
  return field
    .split(/\.|\[(\d+)\]/)
    .filter((part) => part !== undefined && part !== '')
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

/**
 * Puts a 400's field errors on the form's fields; returns the ones no field of the form
 * shows (`known` tells which are), so the page can list them instead of losing them.
 */
export function useServerErrors() {
  const { locale } = useLocale();
  return (form: FormInstance, error: unknown, known: (field: string) => boolean): Record<string, string> => {
    const messages = fieldErrors(error, locale === 'en');
    const rest: Record<string, string> = {};
    const fields: { name: (string | number)[]; errors: string[] }[] = [];
    for (const [field, message] of Object.entries(messages)) {
      if (known(field)) fields.push({ name: namePath(field), errors: [message] });
      else rest[field] = message;
    }
    form.setFields(fields);
    return rest;
  };
}

export interface Column<T> {
  key: string;
  title: string;
  render(row: T): ReactNode;
}

/**
 * A table on a wide screen, a list of small cards on a phone (the first column is each
 * card's heading, the others follow as "title: value" lines), so nothing scrolls sideways.
 */
export function ResponsiveTable<T extends object>({
  columns,
  rows,
  rowKey,
  loading,
  pagination,
  emptyText,
  testId,
}: {
  columns: Column<T>[];
  rows: T[];
  rowKey(row: T): string;
  loading?: boolean;
  pagination?: TablePaginationConfig | false;
  emptyText?: string;
  testId?: string;
}) {
  const screens = Grid.useBreakpoint();
  const { locale } = useLocale();
  const colon = locale === 'en' ? ': ' : '：';
  if (screens.md === false) {
    const [first, ...rest] = columns;
    return (
      <List<T>
        data-testid={testId}
        loading={loading}
        dataSource={rows}
        rowKey={rowKey}
        locale={emptyText ? { emptyText } : undefined}
        pagination={
          pagination
            ? {
                current: pagination.current,
                pageSize: pagination.pageSize,
                total: pagination.total,
                hideOnSinglePage: pagination.hideOnSinglePage,
                onChange: pagination.onChange,
                size: 'small',
                align: 'center',
              }
            : false
        }
        renderItem={(row) => (
          <List.Item>
            <div style={{ width: '100%', minWidth: 0, overflowWrap: 'anywhere' }}>
              {first ? <div style={{ fontWeight: 600, marginBottom: 4 }}>{first.render(row)}</div> : null}
              {rest
                .map((column) => ({ column, value: column.render(row) }))
                .filter(({ value }) => value !== null && value !== undefined && value !== '')
                .map(({ column, value }) => (
                  <div key={column.key}>
                    <Typography.Text type="secondary">
                      {column.title}
                      {colon}
                    </Typography.Text>
                    {value}
                  </div>
                ))}
            </div>
          </List.Item>
        )}
      />
    );
  }
  return (
    <Table<T>
      data-testid={testId}
      rowKey={rowKey}
      size="middle"
      loading={loading}
      dataSource={rows}
      pagination={pagination ?? false}
      locale={emptyText ? { emptyText } : undefined}
      columns={columns.map((column) => ({
        key: column.key,
        title: column.title,
        render: (_: unknown, row: T) => column.render(row),
      }))}
    />
  );
}

/**
 * Who an audited actor is, as the server names them: a staff member with their department,
 * the platform itself (seeding, import), or else the account id (an account the server does
 * not name).
 */
export function ActorName({
  id,
  name,
  department,
}: {
  id: string;
  name?: string | null | undefined;
  department?: string | null | undefined;
}) {
  if (!name) return <>{id}</>;
  return (
    <>
      {name}
      {department ? (
        <Typography.Text type="secondary" style={{ marginInlineStart: 8 }}>
          {department}
        </Typography.Text>
      ) : null}
    </>
  );
}
