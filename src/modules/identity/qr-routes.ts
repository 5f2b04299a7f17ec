import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import { noStore } from '../../kernel/auth.ts';
import type { App } from '../../kernel/http.ts';
import type { IdentityContext } from './context.ts';
import {
  QR_BINDING_COOKIE,
  QR_COOKIE_PATH,
  QR_LOGIN_SECONDS,
  createQrLogin,
  decideQrLogin,
  qrLoginStatus,
  redeemQrLogin,
  scanQrLogin,
} from './qr.ts';
import { DateTime } from './schemas.ts';

const tags = ['identity'];
const security: Record<string, string[]>[] = [{ bearer: [] }, { cookie: [] }];
const Status = Type.Enum(['pending', 'scanned', 'approved', 'denied', 'consumed', 'expired']);
const Params = Type.Object({
  code: Type.String({ pattern: '^[A-Za-z0-9_-]{16,64}$', description: 'The code in the QR image' }),
});

/** QR-code login: desktop asks, phone approves, desktop redeems (see qr.ts). */
export function qrRoutes(app: App, ctx: IdentityContext): void {
  const { auth, sessions, config } = ctx;
  const phone = { preHandler: auth.person(1) };

  const clearBinding = (reply: FastifyReply) =>
    reply.clearCookie(QR_BINDING_COOKIE, { path: QR_COOKIE_PATH });

  app.post(
    '/api/v1/identity/qr-logins',
    {
      schema: {
        tags,
        summary:
          'Desktop: a new QR login code (2 minutes). Sets the httpOnly cookie tb_qr that binds the code to this browser',
        response: {
          201: Type.Object({
            code: Type.String(),
            qrContent: Type.String({ description: 'Encode this in the QR image: tongban://qr-login?code=…' }),
            expiresAt: DateTime,
            pollIntervalSeconds: Type.Integer(),
          }),
        },
      },
    },
    async (request, reply) => {
      const { code, binding, expiresAt } = await createQrLogin(ctx, request);
      reply.setCookie(QR_BINDING_COOKIE, binding, {
        path: QR_COOKIE_PATH,
        httpOnly: true,
        secure: config.cookieSecure,
        sameSite: 'lax',
        maxAge: QR_LOGIN_SECONDS,
      });
      noStore(reply);
      return reply.code(201).send({
        code,
        qrContent: `tongban://qr-login?code=${code}`,
        expiresAt: expiresAt.toISOString(),
        pollIntervalSeconds: 2,
      });
    },
  );

  app.get(
    '/api/v1/identity/qr-logins/:code',
    {
      schema: {
        tags,
        summary: 'Desktop: poll the status of its code (needs the tb_qr cookie)',
        params: Params,
        response: { 200: Type.Object({ status: Status, expiresAt: DateTime }) },
      },
    },
    async (request, reply) => {
      noStore(reply);
      const { status, expiresAt } = await qrLoginStatus(ctx, request, request.params.code);
      return { status, expiresAt: expiresAt.toISOString() };
    },
  );

  app.post(
    '/api/v1/identity/qr-logins/:code/scan',
    {
      ...phone,
      schema: {
        tags,
        security,
        summary:
          'Phone: the signed-in person scanned the code; answers which browser and address asked, to show before approving',
        params: Params,
        response: {
          200: Type.Object({
            status: Status,
            desktop: Type.Object({
              ip: Type.Union([Type.String(), Type.Null()]),
              userAgent: Type.Union([Type.String(), Type.Null()]),
              requestedAt: DateTime,
            }),
          }),
        },
      },
    },
    async (request) => {
      const { status, desktop } = await scanQrLogin(ctx, request, request.params.code);
      return { status, desktop: { ...desktop, requestedAt: desktop.requestedAt.toISOString() } };
    },
  );

  for (const decision of ['approve', 'deny'] as const) {
    app.post(
      `/api/v1/identity/qr-logins/:code/${decision}`,
      {
        ...phone,
        schema: {
          tags,
          security,
          summary:
            decision === 'approve'
              ? 'Phone: approve the desktop login (the desktop is signed in as the approving person)'
              : 'Phone: deny the desktop login',
          params: Params,
          response: { 200: Type.Object({ status: Status }) },
        },
      },
      async (request) => ({ status: await decideQrLogin(ctx, request, request.params.code, decision) }),
    );
  }

  app.post(
    '/api/v1/identity/qr-logins/:code/session',
    {
      schema: {
        tags,
        summary:
          'Desktop: redeem the approved code once for a browser session (needs the tb_qr cookie; sets the session cookies)',
        params: Params,
        response: {
          200: Type.Object({
            accountId: Type.String(),
            assurance: Type.Integer(),
            session: Type.Object({
              channel: Type.Enum(['cookie', 'bearer']),
              expiresAt: DateTime,
              csrfToken: Type.Optional(Type.String()),
            }),
          }),
        },
      },
    },
    async (request, reply) => {
      const { accountId, assurance, opened } = await redeemQrLogin(ctx, request, request.params.code);
      clearBinding(reply);
      noStore(reply);
      return { accountId, assurance, session: sessions.deliver(reply, opened) };
    },
  );
}
