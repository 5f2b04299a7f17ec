import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { audit } from '../../kernel/audit.ts';
import { SESSION_SECURITY } from '../../kernel/auth.ts';
import {
  hashPassword,
  maskPhone,
  passwordPolicy,
  verifyPassword,
  verifyPasswordOfNoAccount,
} from '../../kernel/crypto.ts';
import { AppError, conflict, notFound, unauthorized, validationError } from '../../kernel/errors.ts';
import type { App } from '../../kernel/http.ts';
import { rateLimitKey } from '../../kernel/ratelimit.ts';
import { createPerson, findAccountByPhone, findAccountByUsername, type AccountRow } from './accounts.ts';
import type { IdentityContext } from './context.ts';
import { SMS_PURPOSES, sendSmsCode, verifySmsCode } from './sms-codes.ts';
import type { Channel } from './sessions.ts';
import { SessionBody } from './schemas.ts';

const tags = ['identity'];
const security = SESSION_SECURITY;

const Phone = Type.String({
  minLength: 1,
  maxLength: 20,
  description: 'Mainland mobile number: 13812345678',
});
const Code = Type.String({ minLength: 1, maxLength: 10, description: 'The 6-digit SMS code' });
const Password = Type.String({ minLength: 1, maxLength: 128 });
const Client = Type.Optional(
  Type.Enum(['browser', 'api'], {
    description: 'browser: session in httpOnly cookies (+ CSRF token); api: a bearer token in the body',
  }),
);
const SignedIn = Type.Object({
  accountId: Type.String(),
  kind: Type.Enum(['person', 'staff']),
  assurance: Type.Integer(),
  session: SessionBody,
});

const channelOf = (client: 'browser' | 'api' | undefined): Channel =>
  client === 'api' ? 'bearer' : 'cookie';

/** Sign-up, sign-in (SMS code, password), sign-out and the caller's own sessions. */
export function authRoutes(app: App, ctx: IdentityContext): void {
  const { db, sessions, auth, limiter, config } = ctx;

  /** Records an authentication event; never the code, password or token. */
  const authEvent = (
    request: FastifyRequest,
    action: string,
    subject: { accountId?: string | undefined; phone?: string; username?: string },
    details: Record<string, unknown> = {},
  ) =>
    audit(db, {
      actor: subject.accountId ?? 'anonymous',
      action,
      entity: subject.accountId ? 'identity_account' : 'identity_login',
      entityId: subject.accountId ?? (subject.phone ? maskPhone(subject.phone) : (subject.username ?? '')),
      after: { ...details, userAgent: request.headers['user-agent']?.slice(0, 200) },
      ip: request.ip,
      requestId: request.id,
    });

  const signIn = async (
    request: FastifyRequest,
    reply: FastifyReply,
    account: AccountRow,
    client: 'browser' | 'api' | undefined,
    method: string,
  ) => {
    // Signing in again from a signed-in client replaces its session rather than adding one.
    if (request.principal) await sessions.revoke(db, request.principal.sessionId, 'replaced_at_login');
    const opened = await sessions.open(db, account.id, channelOf(client), {
      ip: request.ip,
      userAgent: request.headers['user-agent'],
    });
    await authEvent(
      request,
      'identity.login',
      { accountId: account.id },
      { method, channel: opened.channel },
    );
    return {
      accountId: account.id,
      kind: account.kind,
      assurance: account.assurance,
      session: sessions.deliver(reply, opened),
    };
  };

  app.post(
    '/api/v1/identity/sms-codes',
    {
      schema: {
        tags,
        summary: 'Send a one-time SMS code (rate-limited per number and per client address)',
        body: Type.Object(
          { phone: Phone, purpose: Type.Enum([...SMS_PURPOSES]) },
          { additionalProperties: false },
        ),
        response: { 202: Type.Object({ expiresIn: Type.Integer(), resendAfter: Type.Integer() }) },
      },
    },
    async (request, reply) => {
      const { phone, purpose } = request.body;
      if ((purpose === 'change_phone' || purpose === 'confirm') && !request.principal) {
        throw unauthorized('Sign in to request this code');
      }
      const sent = await sendSmsCode(ctx, phone, purpose, {
        ip: request.ip,
        id: request.id,
        actor: request.principal?.sub,
      });
      return reply.code(202).send(sent);
    },
  );

  app.post(
    '/api/v1/identity/signup',
    {
      schema: {
        tags,
        summary:
          'Sign up with a mobile number and its SMS code (assurance level 1), optionally with a password',
        body: Type.Object(
          { phone: Phone, code: Code, password: Type.Optional(Password), client: Client },
          { additionalProperties: false },
        ),
        response: { 201: SignedIn },
      },
    },
    async (request, reply) => {
      const { phone, code, password, client } = request.body;
      const weak = password === undefined ? null : passwordPolicy(password);
      if (weak) throw validationError([weak]);
      await verifySmsCode(ctx, phone, 'signup', code, request.ip);
      if (await findAccountByPhone(ctx, db, 'person', phone)) {
        throw conflict('An account already uses this number: sign in instead');
      }
      const passwordHash = password === undefined ? null : await hashPassword(password);
      let accountId: string;
      try {
        accountId = await createPerson(ctx, db, { phone, passwordHash });
      } catch (error) {
        if ((error as { code?: string }).code === '23505')
          throw conflict('An account already uses this number');
        throw error;
      }
      await authEvent(request, 'identity.signup', { accountId }, { method: 'sms' });
      const account = (await findAccountByPhone(ctx, db, 'person', phone))!;
      return reply.code(201).send(await signIn(request, reply, account, client, 'sms'));
    },
  );

  app.post(
    '/api/v1/identity/login/sms',
    {
      schema: {
        tags,
        summary: 'Sign a person in with their mobile number and an SMS code',
        body: Type.Object({ phone: Phone, code: Code, client: Client }, { additionalProperties: false }),
        response: { 200: SignedIn },
      },
    },
    async (request, reply) => {
      const { phone, code, client } = request.body;
      await verifySmsCode(ctx, phone, 'login', code, request.ip);
      const account = await findAccountByPhone(ctx, db, 'person', phone);
      if (!account) throw notFound('No account uses this number: sign up first');
      if (account.status !== 'active') throw new AppError('forbidden', 'This account is disabled');
      return signIn(request, reply, account, client, 'sms');
    },
  );

  app.post(
    '/api/v1/identity/login/password',
    {
      schema: {
        tags,
        summary:
          'Sign in with a password: persons by mobile number, staff by username. Wrong passwords lock the account and the address out progressively.',
        body: Type.Object(
          {
            phone: Type.Optional(Phone),
            username: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
            password: Password,
            client: Client,
          },
          { additionalProperties: false },
        ),
        response: { 200: SignedIn },
      },
    },
    async (request, reply) => {
      const { phone, username, password, client } = request.body;
      if ((phone === undefined) === (username === undefined)) {
        throw validationError([
          {
            field: 'phone',
            rule: 'oneOf',
            message: '请填写手机号或用户名（二选一）',
            messageEn: 'give either phone or username',
          },
        ]);
      }
      const accountKey = rateLimitKey.passwordAccount(
        phone !== undefined ? ctx.cipher.index(phone, 'phone') : `user:${username}`,
      );
      const ipKey = rateLimitKey.loginIp(request.ip);
      // A locked key is refused before the password is looked at, so guessing gains nothing.
      try {
        await limiter.assertNotLocked([accountKey, ipKey]);
      } catch (error) {
        await authEvent(
          request,
          'identity.login.refused',
          { phone, username },
          { method: 'password', reason: 'locked' },
        );
        throw error;
      }
      const account =
        phone !== undefined
          ? await findAccountByPhone(ctx, db, 'person', phone)
          : await findAccountByUsername(db, username!);
      const valid =
        account?.password_hash && account.status === 'active'
          ? await verifyPassword(account.password_hash, password)
          : await verifyPasswordOfNoAccount(password);
      if (!account || !valid) {
        await limiter.recordFailure(accountKey, config.rateLimits.passwordFailures);
        await limiter.recordFailure(ipKey, config.rateLimits.loginIpFailures);
        await authEvent(
          request,
          'identity.login.failed',
          { accountId: account?.id, phone, username },
          { method: 'password', reason: 'invalid_credentials' },
        );
        throw unauthorized('The number or username and password do not match');
      }
      await limiter.recordSuccess(accountKey);
      return signIn(request, reply, account, client, 'password');
    },
  );

  app.post(
    '/api/v1/identity/logout',
    {
      preHandler: auth.signedIn(),
      schema: { tags, security, summary: 'End this session', response: { 204: Type.Null() } },
    },
    async (request, reply) => {
      const principal = request.principal!;
      await sessions.revoke(db, principal.sessionId, 'logout');
      await authEvent(request, 'identity.logout', { accountId: principal.sub });
      sessions.clear(reply);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/api/v1/identity/logout-everywhere',
    {
      preHandler: auth.signedIn(),
      schema: {
        tags,
        security,
        summary: 'End every session of the account, on every device',
        response: { 200: Type.Object({ ended: Type.Integer() }) },
      },
    },
    async (request, reply) => {
      const principal = request.principal!;
      const ended = await sessions.revokeAll(db, principal.sub, 'logout_all');
      await authEvent(request, 'identity.logout_all', { accountId: principal.sub }, { ended });
      sessions.clear(reply);
      return { ended };
    },
  );

  const SessionInfo = Type.Object({
    id: Type.String(),
    channel: Type.Enum(['cookie', 'bearer']),
    current: Type.Boolean(),
    createdAt: Type.String({ format: 'date-time' }),
    lastSeenAt: Type.String({ format: 'date-time' }),
    expiresAt: Type.String({ format: 'date-time' }),
    ip: Type.Union([Type.String(), Type.Null()]),
    userAgent: Type.Union([Type.String(), Type.Null()]),
  });

  app.get(
    '/api/v1/identity/sessions',
    {
      preHandler: auth.signedIn(),
      schema: {
        tags,
        security,
        summary: 'The live sessions of the account (devices signed in)',
        response: { 200: Type.Object({ items: Type.Array(SessionInfo) }) },
      },
    },
    async (request) => {
      const principal = request.principal!;
      const rows = await db.query<{
        id: string;
        channel: Channel;
        createdAt: Date;
        lastSeenAt: Date;
        expiresAt: Date;
        ip: string | null;
        userAgent: string | null;
      }>(
        `select id, channel, created_at as "createdAt", last_seen_at as "lastSeenAt", expires_at as "expiresAt",
                ip, user_agent as "userAgent"
           from identity_session
          where account_id = $1 and revoked_at is null and expires_at > now()
            and last_seen_at > now() - make_interval(mins => $2)
          order by last_seen_at desc`,
        [principal.sub, config.sessionIdleMinutes],
      );
      return {
        items: rows.map((r) => ({
          ...r,
          current: r.id === principal.sessionId,
          createdAt: r.createdAt.toISOString(),
          lastSeenAt: r.lastSeenAt.toISOString(),
          expiresAt: r.expiresAt.toISOString(),
        })),
      };
    },
  );

  app.delete(
    '/api/v1/identity/sessions/:id',
    {
      preHandler: auth.signedIn(),
      schema: {
        tags,
        security,
        summary: 'End one session of the account (sign a lost device out)',
        params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) }),
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      const principal = request.principal!;
      const ended = await db.query(
        `update identity_session set revoked_at = now(), revoked_reason = 'ended_by_user'
          where id = $1 and account_id = $2 and revoked_at is null returning id`,
        [request.params.id, principal.sub],
      );
      if (ended.length === 0) throw notFound('No live session of yours has this id');
      await authEvent(request, 'identity.session.end', { accountId: principal.sub });
      return reply.code(204).send(null);
    },
  );
}
