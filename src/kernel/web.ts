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

/** The app's page (index.html: never cached, so a new build reaches browsers at once). */
export const sendPage = (reply: FastifyReply) => reply.sendFile('index.html');

/** Whether a request that matched no route is a browser asking for a page of the app. */
export const isPageRequest = (request: FastifyRequest): boolean =>
  request.method === 'GET' &&
  !SERVER_PATHS.test(request.url) &&
  (request.headers.accept ?? '').includes('text/html');
