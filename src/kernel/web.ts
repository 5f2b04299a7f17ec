import { existsSync } from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App } from './http.ts';

/** Paths the server answers itself; a page request under them is never the web app's. */
const SERVER_PATHS = /^\/(api|oidc|metrics|verify|\.well-known)(\/|$)/;

/**
 * Serves the built web app at `/`: hashed assets under /assets for a year (their names
 * change with their content), and index.html, never cached, for any other page a browser
 * asks for (the app's router draws it). API paths keep their problem+json 404s.
 */
export async function serveWebApp(app: App, dist: string): Promise<boolean> {
  if (!existsSync(path.join(dist, 'index.html'))) return false;
  await app.register(fastifyStatic, {
    root: dist,
    wildcard: false,
    index: false,
    // The .br and .gz copies the build made (web/vite.config.ts), for browsers that accept them.
    preCompressed: true,
    // Ours, below: the plugin's default would let browsers keep a stale index.html.
    cacheControl: false,
    setHeaders(res, path) {
      res.setHeader(
        'cache-control',
        path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
      );
    },
  });
  app.get('/', { schema: { hide: true } }, (_request, reply) => sendPage(reply));
  app.get('/assets/*', { schema: { hide: true } }, (request, reply) =>
    reply.sendFile(`assets/${(request.params as { '*': string })['*']}`),
  );
  return true;
}

/**
 * What the app's page may load: its own scripts only (no inline script, so an injected one
 * does not run), inline styles (Ant Design writes its CSS at run time), images from itself
 * and data/blob URLs (QR codes, previews of files being uploaded), and it may not be framed.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "frame-src 'self' blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** The app's page (index.html: never cached, so a new build reaches browsers at once). */
export const sendPage = (reply: FastifyReply) =>
  reply
    .header('content-security-policy', CONTENT_SECURITY_POLICY)
    .header('referrer-policy', 'strict-origin-when-cross-origin')
    .sendFile('index.html');

/** Whether a request that matched no route is a browser asking for a page of the app. */
export const isPageRequest = (request: FastifyRequest): boolean =>
  request.method === 'GET' &&
  !SERVER_PATHS.test(request.url) &&
  (request.headers.accept ?? '').includes('text/html');
