import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import cookie from '@fastify/cookie';
import type { FastifySchemaValidationError } from 'fastify/types/schema.js';
import { Type } from 'typebox';
import type { Config } from './config.ts';
import type { Database } from './db.ts';
import { AppError, PROBLEMS, type FieldError, type ProblemCode, toProblem } from './errors.ts';
import { text } from './i18n.ts';
import { Metrics } from './metrics.ts';
import { Auth, accessPolicyOf, actorOf, type AccessPolicy } from './auth.ts';
import { audit } from './audit.ts';
import { maskIdNumber, maskPhone } from './crypto.ts';
import { registerIdempotency } from './idempotency.ts';
import { Outbox } from './outbox.ts';
import { isPageRequest, sendPage, serveWebApp } from './web.ts';

export type App = FastifyInstance<
  Server,
  IncomingMessage,
  ServerResponse,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

/** A module route and the guard on it (undefined: public), for the authorisation tests. */
export interface RouteAccess {
  method: string;
  url: string;
  access: AccessPolicy | undefined;
  /** The route authenticates its callers itself (OIDC protocol endpoints). */
  ownAuthentication: boolean;
}

declare module 'fastify' {
  interface FastifyInstance {
    routeAccess: RouteAccess[];
    /** Domain events: modules subscribe in `routes`; workers run while the server listens. Tests call `drain()`. */
    outbox: Outbox;
    /** Periodic jobs (deadline sweeps ...), run while the server listens; tests call them directly. */
    jobs: PeriodicJob[];
  }
}

/** Work a module wants done every `everyMs` while the server listens (not in `app.inject` tests). */
export interface PeriodicJob {
  name: string;
  everyMs: number;
  run(): Promise<unknown>;
}

/** What every module gets to build its routes and services. */
export interface ModuleContext {
  db: Database;
  config: Config;
  auth: Auth;
  outbox: Outbox;
}

/** A domain module as the composition root sees it (its index.ts exports one). */
export interface TongbanModule {
  name: string;
  /** Registers the module's routes under `/api/v1`. */
  routes(app: App, context: ModuleContext): Promise<void> | void;
}

export interface BuildAppOptions {
  config: Config;
  db: Database;
  modules: TongbanModule[];
  /** Pino logger options; defaults from config.logLevel. */
  logger?: boolean | object;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/** ID numbers and mobile numbers in a URL (a registry lookup path, a query) as they may be logged. */
const PERSONAL_NUMBERS = /(?<![0-9])(?:[0-9]{17}[0-9Xx]|1[3-9][0-9]{9})(?![0-9])/g;

/** The URL with personal numbers masked, for logs and problem documents. */
export function redactUrl(url: string): string {
  return url.replace(PERSONAL_NUMBERS, (n) => (n.length === 18 ? maskIdNumber(n) : maskPhone(n)));
}

/** Builds the HTTP application: kernel plugins, then module routes. */
export async function buildApp({ config, db, modules, logger }: BuildAppOptions): Promise<App> {
  const app = Fastify({
    logger: logger ?? {
      level: config.logLevel,
      serializers: {
        req: (req: { method: string; url: string; ip?: string }) => ({
          method: req.method,
          url: redactUrl(req.url),
          remoteAddress: req.ip,
        }),
      },
    },
    genReqId: (req) => {
      const incoming = req.headers['x-request-id'];
      return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    },
    ajv: { customOptions: { removeAdditional: false, allErrors: true, coerceTypes: 'array' } },
    bodyLimit: 10 * 1024 * 1024,
    return503OnClosing: true,
    routerOptions: { maxParamLength: 200 },
  }).withTypeProvider<TypeBoxTypeProvider>() as unknown as App;

  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
    // Browsers must not guess a type other than the one sent (an uploaded file served as a page).
    reply.header('x-content-type-options', 'nosniff');
  });

  app.setErrorHandler(errorHandler);
  const webApp = await serveWebApp(app, config.webDist);
  app.setNotFoundHandler((request, reply) => {
    // A page of the single-page app (a deep link, a reload): its router draws it.
    if (webApp && isPageRequest(request)) return sendPage(reply);
    return sendProblem(
      request,
      reply,
      new AppError('not_found', `No route ${request.method} ${redactUrl(request.url)}`),
    );
  });

  const metrics = new Metrics();
  metrics.instrument(app);

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Tongban API',
        description: '通办 — integrated online government services. Errors are application/problem+json.',
        version: '0.1.0',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          cookie: { type: 'apiKey', in: 'cookie', name: 'tb_session' },
          // Data consumers (exchange module): dxk_<key id>.<secret>.
          apiKey: { type: 'apiKey', in: 'header', name: 'X-Api-Key' },
          // Data consumers with an OIDC client of the platform's provider (client credentials).
          oidcClient: {
            type: 'oauth2',
            flows: {
              clientCredentials: { tokenUrl: '/oidc/token', scopes: { exchange: 'read shared data' } },
            },
          },
        },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs' });
  app.get('/api/docs/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    reply.type(metrics.contentType);
    return metrics.render();
  });

  app.get(
    '/api/v1/health',
    {
      schema: {
        tags: ['kernel'],
        summary: 'Liveness: the process is up',
        response: { 200: Type.Object({ status: Type.Literal('ok') }) },
      },
    },
    async () => ({ status: 'ok' as const }),
  );
  app.get(
    '/api/v1/ready',
    {
      schema: {
        tags: ['kernel'],
        summary: 'Readiness: the database answers',
        response: { 200: Type.Object({ status: Type.Literal('ready'), database: Type.String() }) },
      },
    },
    async () => {
      try {
        await withTimeout(db.query('select 1'), 2000);
      } catch {
        throw new AppError('unavailable', 'The database does not answer');
      }
      return { status: 'ready' as const, database: db.kind };
    },
  );

  await app.register(cookie);
  const routes: RouteAccess[] = [];
  app.decorate('routeAccess', routes);
  app.addHook('onRoute', (route) => {
    const access = accessPolicyOf(route.preHandler);
    if (access) {
      // Guards run before validation: a caller without the right gets 401/403, never a
      // description of the body it may not send.
      type Hook = NonNullable<typeof route.preValidation>;
      const handlers = [route.preHandler ?? []].flat() as unknown[];
      const before = [route.preValidation ?? []].flat() as unknown[];
      route.preValidation = [...before, ...handlers.filter((h) => accessPolicyOf(h))] as Hook;
      route.preHandler = handlers.filter((h) => !accessPolicyOf(h)) as typeof route.preHandler;
    }
    for (const method of [route.method].flat()) {
      if (method !== 'HEAD') {
        routes.push({ method, url: route.url, access, ownAuthentication: !!route.config?.ownAuthentication });
      }
    }
  });
  // A signed-in caller refused by a guard is recorded: supervisors see who tried what.
  const auth = new Auth(async (request, access, error) =>
    audit(db, {
      ...actorOf(request),
      action: 'access.denied',
      entity: 'route',
      entityId: `${request.method} ${request.routeOptions.url ?? ''}`,
      after: { access, detail: error.detail },
    }),
  );
  app.addHook('onRequest', auth.authenticate);
  app.addHook('preHandler', rejectNonFiniteNumbers);
  registerIdempotency(app, db);
  const outbox = new Outbox(db, {
    onError: (err, where) => app.log.error({ err, ...where }, 'outbox failure'),
  });
  app.decorate('outbox', outbox);
  const jobs: PeriodicJob[] = [];
  app.decorate('jobs', jobs);
  const context: ModuleContext = { db, config, auth, outbox };
  for (const module of modules) await module.routes(app, context);
  runWhileListening(app, outbox, jobs);
  return app;
}

/** Event workers and periodic jobs start when the server listens and stop when it closes. */
function runWhileListening(app: App, outbox: Outbox, jobs: PeriodicJob[]): void {
  const timers: NodeJS.Timeout[] = [];
  app.addHook('onListen', async () => {
    await outbox.start();
    for (const job of jobs) {
      let running = false;
      const tick = () => {
        if (running) return;
        running = true;
        job
          .run()
          .catch((err: unknown) => app.log.error({ err, job: job.name }, 'periodic job failed'))
          .finally(() => (running = false));
      };
      const timer = setInterval(tick, job.everyMs);
      timer.unref();
      timers.push(timer);
    }
  });
  app.addHook('onClose', async () => {
    for (const timer of timers) clearInterval(timer);
    await outbox.stop();
  });
}

/**
 * Ajv coerces "1e309" in a query or path to Infinity and then skips the numeric
 * checks (minimum, maximum) for it; no parameter here means infinity, so refuse it.
 */
async function rejectNonFiniteNumbers(request: FastifyRequest): Promise<void> {
  for (const part of [request.query, request.params]) {
    if (!part || typeof part !== 'object') continue;
    for (const [field, value] of Object.entries(part)) {
      if (typeof value === 'number' && !Number.isFinite(value)) {
        const message = text('rule.type', { type: 'finite number' });
        throw new AppError('validation_failed', `${field}: ${message.en}`, [
          { field, rule: 'type', message: message.zh, messageEn: message.en },
        ]);
      }
    }
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timeout')), ms);
    promise.then(
      (value) => (clearTimeout(timer), resolve(value)),
      (error: unknown) => (clearTimeout(timer), reject(error)),
    );
  });
}

export function sendProblem(request: FastifyRequest, reply: FastifyReply, error: AppError): FastifyReply {
  const retryAfter = error.extra?.retryAfter;
  if (typeof retryAfter === 'number') reply.header('retry-after', String(Math.ceil(retryAfter)));
  return reply
    .code(error.status)
    .type('application/problem+json; charset=utf-8')
    .send(toProblem(error, redactUrl(request.url), request.id));
}

function errorHandler(
  this: FastifyInstance,
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
) {
  if (error instanceof AppError) {
    if (error.status >= 500) request.log.error({ err: error }, error.message);
    return sendProblem(request, reply, error);
  }
  if (error.validation) {
    const errors = error.validation.map((v) => fieldErrorFrom(v, error.validationContext));
    return sendProblem(
      request,
      reply,
      new AppError('validation_failed', errors.map((e) => `${e.field}: ${e.messageEn}`).join('; '), errors),
    );
  }
  const status = error.statusCode ?? 500;
  if (status < 500) {
    return sendProblem(request, reply, new AppError(problemForStatus(status), error.message));
  }
  // Internals never leave the server: the client gets the request id to quote.
  request.log.error({ err: error }, 'unhandled error');
  return sendProblem(request, reply, new AppError('internal', 'Quote the request id when reporting this.'));
}

/**
 * The problem type of a framework error's 4xx status (body too large, wrong media type,
 * unknown method ...); a plain 400 from the framework (unreadable JSON) is bad_request,
 * since validation_failed is kept for field errors.
 */
function problemForStatus(status: number): ProblemCode {
  const match = (Object.keys(PROBLEMS) as ProblemCode[]).find(
    (code) => PROBLEMS[code].status === status && code !== 'validation_failed',
  );
  return match ?? 'bad_request';
}

/** Turns one JSON-schema (ajv) failure into a field error in both languages. */
export function fieldErrorFrom(v: FastifySchemaValidationError, context?: string): FieldError {
  const params = v.params as Record<string, unknown>;
  let field = v.instancePath
    .replace(/^\//, '')
    .replace(/\//g, '.')
    .replace(/\.(\d+)(?=\.|$)/g, '[$1]');
  let rule = v.keyword;
  let message: { zh: string; en: string };
  switch (v.keyword) {
    case 'required':
      field = field ? `${field}.${String(params.missingProperty)}` : String(params.missingProperty);
      message = text('rule.required');
      break;
    case 'additionalProperties':
      field = field ? `${field}.${String(params.additionalProperty)}` : String(params.additionalProperty);
      message = text('rule.additionalProperties');
      break;
    case 'minLength':
    case 'maxLength':
    case 'minimum':
    case 'maximum':
    case 'minItems':
    case 'maxItems':
      message = text(`rule.${v.keyword}`, { limit: String(params.limit) });
      break;
    case 'type':
      message = text('rule.type', { type: String(params.type) });
      break;
    case 'format':
      message = text('rule.format', { format: String(params.format) });
      break;
    case 'pattern':
      message = text('rule.pattern');
      break;
    case 'enum':
    case 'const':
    case 'anyOf': {
      rule = 'enum';
      const values = (params.allowedValues as unknown[] | undefined) ?? [];
      message = values.length ? text('rule.enum', { values: values.join(', ') }) : text('rule.invalid');
      break;
    }
    default:
      message = text('rule.invalid');
  }
  return { field: field || context || 'body', rule, message: message.zh, messageEn: message.en };
}
