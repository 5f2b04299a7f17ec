import { Type } from 'typebox';
import { noStore, SESSION_SECURITY } from '../../kernel/auth.ts';
import { notFound } from '../../kernel/errors.ts';
import type { App, ModuleContext } from '../../kernel/http.ts';
import { pickLocale } from '../../kernel/i18n.ts';
import { countUnread, listMessages, markAllRead, markRead } from './queries.ts';
import { DateTime } from '../../kernel/schemas.ts';

const Message = Type.Object({
  id: Type.String({ format: 'uuid' }),
  kind: Type.String({
    description: 'case_step.<action> (to applicants) or case_deadline.<level> (to staff)',
  }),
  title: Type.String({ description: "In the caller's language (Accept-Language; zh-CN by default)" }),
  body: Type.String({
    description: 'What happened, the reason, what is needed from the reader, and the links, one per line',
  }),
  links: Type.Array(
    Type.Object({
      rel: Type.Enum(['case', 'document', 'licence']),
      href: Type.String({ description: 'Path of the case page (/my/cases/<id>) or of a document' }),
      label: Type.String(),
    }),
  ),
  needed: Type.Union([
    Type.Array(Type.Object({ name: Type.String(), problem: Type.String() }), {
      description: 'Every material to supply, with its problem (补正 one-time notice)',
    }),
    Type.Null(),
  ]),
  caseId: Type.Union([Type.String(), Type.Null()]),
  caseNumber: Type.Union([Type.String(), Type.Null()]),
  readAt: Type.Union([DateTime, Type.Null()]),
  createdAt: DateTime,
});

const Cursor = Type.String({
  pattern: '^[0-9]{1,18}$',
  description: 'The nextCursor of the previous page',
});

/** The caller's own in-app messages (站内信). Nobody reads another's: theirs is a 404. */
export function messagingRoutes(app: App, { db, auth }: ModuleContext): void {
  const tags = ['messaging'];
  const security = SESSION_SECURITY;
  const signedIn = { preHandler: auth.signedIn() };

  app.get(
    '/api/v1/messages',
    {
      ...signedIn,
      schema: {
        tags,
        security,
        summary: 'My messages, newest first',
        description:
          'Pages continue with `cursor` = the `nextCursor` of the previous page. Texts in the language of Accept-Language (zh-CN by default, en).',
        querystring: Type.Object({
          unread: Type.Optional(Type.Boolean({ description: 'Only the unread ones' })),
          cursor: Type.Optional(Cursor),
          size: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
        }),
        response: {
          200: Type.Object({
            items: Type.Array(Message),
            nextCursor: Type.Union([Type.String(), Type.Null()], {
              description: 'Cursor of the next (older) page; null on the last one',
            }),
          }),
        },
      },
    },
    async (request, reply) => {
      noStore(reply);
      const locale = pickLocale(request.headers['accept-language']);
      reply.header('content-language', locale);
      return listMessages(db, request.principal!.sub, request.query, locale);
    },
  );

  app.get(
    '/api/v1/messages/unread-count',
    {
      ...signedIn,
      schema: {
        tags,
        security,
        summary: 'How many of my messages are unread',
        response: { 200: Type.Object({ unread: Type.Integer() }) },
      },
    },
    async (request, reply) => {
      noStore(reply);
      return { unread: await countUnread(db, request.principal!.sub) };
    },
  );

  app.post(
    '/api/v1/messages/:id/read',
    {
      ...signedIn,
      schema: {
        tags,
        security,
        summary: 'Mark one of my messages read',
        description: 'Repeating it keeps the first read time. Another person’s message is a 404.',
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
        response: { 200: Message },
      },
    },
    async (request, reply) => {
      noStore(reply);
      const locale = pickLocale(request.headers['accept-language']);
      reply.header('content-language', locale);
      const message = await markRead(db, request.principal!.sub, request.params.id, locale);
      if (!message) throw notFound(`No message ${request.params.id}`);
      return message;
    },
  );

  app.post(
    '/api/v1/messages/read-all',
    {
      ...signedIn,
      schema: {
        tags,
        security,
        summary: 'Mark all my messages read',
        response: {
          200: Type.Object({ marked: Type.Integer({ description: 'Messages that were unread' }) }),
        },
      },
    },
    async (request) => ({ marked: await markAllRead(db, request.principal!.sub) }),
  );
}
