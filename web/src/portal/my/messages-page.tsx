import { Badge, Button, Card, Flex, List, Switch, Typography } from 'antd';
import { useState } from 'react';
import { Link } from 'react-router';
import { api, data } from '../../api/client.ts';
import { useLocale, useT } from '../../i18n/index.tsx';
import { ProblemAlert } from '../../shared/problem.tsx';
import { useApi } from '../../shared/use-api.ts';
import { myTexts } from './messages.ts';
import { Nothing, useDateTime } from './parts.tsx';
import type { Message } from './types.ts';

const PAGE_SIZE = 20;

/** My messages, newest first, a page at a time; opening one's link or the button marks it read. */
export default function MessagesPage() {
  const t = useT(myTexts);
  const when = useDateTime();
  const { locale } = useLocale();
  const [unreadOnly, setUnreadOnly] = useState(false);
  const [older, setOlder] = useState<{ items: Message[]; cursor: string | null }>({
    items: [],
    cursor: null,
  });
  const [readNow, setReadNow] = useState<Set<string>>(new Set());
  const [error, setError] = useState<unknown>();
  const first = useApi(async () => {
    const page = await data(
      api.GET('/api/v1/messages', {
        params: { query: { size: PAGE_SIZE, ...(unreadOnly && { unread: true }) } },
      }),
    );
    setOlder({ items: [], cursor: page.nextCursor });
    return page;
  }, [unreadOnly, locale]);
  const items = [...(first.data?.items ?? []), ...older.items];

  const more = async () => {
    try {
      const page = await data(
        api.GET('/api/v1/messages', {
          params: {
            query: {
              size: PAGE_SIZE,
              cursor: older.cursor ?? undefined,
              ...(unreadOnly && { unread: true }),
            },
          },
        }),
      );
      setOlder((o) => ({ items: [...o.items, ...page.items], cursor: page.nextCursor }));
    } catch (failure) {
      setError(failure);
    }
  };
  const markRead = async (message: Message) => {
    if (message.readAt || readNow.has(message.id)) return;
    try {
      await api.POST('/api/v1/messages/{id}/read', { params: { path: { id: message.id } } });
      setReadNow((s) => new Set(s).add(message.id));
    } catch (failure) {
      setError(failure);
    }
  };
  const markAll = async () => {
    try {
      await api.POST('/api/v1/messages/read-all');
      first.reload();
      setReadNow(new Set());
    } catch (failure) {
      setError(failure);
    }
  };

  return (
    <Card>
      <Flex wrap gap={12} align="center" justify="space-between" style={{ marginBottom: 8 }}>
        <label>
          <Flex gap={8} align="center">
            <Switch checked={unreadOnly} onChange={setUnreadOnly} />
            {t('unreadOnly')}
          </Flex>
        </label>
        <Button onClick={() => void markAll()}>{t('markAllRead')}</Button>
      </Flex>
      {first.error ? <ProblemAlert error={first.error} onRetry={first.reload} /> : null}
      {error ? <ProblemAlert error={error} /> : null}
      <List
        loading={first.loading}
        dataSource={items}
        locale={{ emptyText: <Nothing text={t('messagesEmpty')} /> }}
        renderItem={(m) => {
          const unread = !m.readAt && !readNow.has(m.id);
          return (
            <List.Item
              key={m.id}
              data-testid="message"
              actions={
                unread
                  ? [
                      <Button
                        key="read"
                        size="small"
                        aria-label={t('markReadAria', { title: m.title })}
                        onClick={() => void markRead(m)}
                      >
                        {t('markRead')}
                      </Button>,
                    ]
                  : []
              }
            >
              <Flex vertical gap={4} style={{ minWidth: 0 }}>
                <Flex gap={8} align="center" wrap>
                  {unread ? <Badge status="processing" text={t('unread')} /> : null}
                  <Typography.Text strong={unread}>{m.title}</Typography.Text>
                </Flex>
                <Typography.Text type="secondary">{when(m.createdAt)}</Typography.Text>
                <Typography.Paragraph style={{ whiteSpace: 'pre-line', marginBottom: 0 }}>
                  {m.body
                    .split('\n')
                    .filter((line) => !m.links.some((l) => line.includes(l.href)))
                    .join('\n')}
                </Typography.Paragraph>
                <Flex wrap gap={12}>
                  {m.links.map((l) =>
                    l.href.startsWith('/my/') ? (
                      <Link key={l.href} to={l.href} onClick={() => void markRead(m)}>
                        {l.label}
                      </Link>
                    ) : (
                      <a key={l.href} href={l.href} onClick={() => void markRead(m)}>
                        {l.label}
                      </a>
                    ),
                  )}
                </Flex>
              </Flex>
            </List.Item>
          );
        }}
      />
      {older.cursor ? (
        <Button block onClick={() => void more()} style={{ marginTop: 8 }}>
          {t('more')}
        </Button>
      ) : null}
    </Card>
  );
}
