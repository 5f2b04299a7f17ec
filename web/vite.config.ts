import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';
import { HOT_SERVICES_URL } from './src/portal/hot-services.ts';

/**
 * Brotli and gzip copies of every text file beside it, made once at build time at the
 * highest level, which the server sends to browsers that accept them (a phone on a slow
 * network gets about a quarter of the bytes; compressing per request would cost CPU each time).
 */
function precompress(): Plugin {
  return {
    name: 'tongban-precompress',
    apply: 'build',
    // After writing: Vite finishes the chunks (the preload helper) in its own generateBundle, after ours would run.
    writeBundle(options, bundle) {
      for (const file of Object.values(bundle)) {
        if (!/\.(js|css|html|svg|json)$/.test(file.fileName)) continue;
        const source = Buffer.from(file.type === 'chunk' ? file.code : file.source);
        if (source.length < 1024) continue;
        const target = path.join(options.dir!, file.fileName);
        const brotli = brotliCompressSync(source, {
          params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: source.length },
        });
        writeFileSync(`${target}.br`, brotli);
        writeFileSync(`${target}.gz`, gzipSync(source, { level: 9 }));
      }
    },
  };
}

/**
 * The portal is what most visitors open first: its chunk and the chunks it imports are
 * announced in index.html (modulepreload), so a phone fetches them alongside the entry
 * instead of one round trip after it (the home page must show in 2 s on "3G Fast").
 */
function preloadPortal(): Plugin {
  return {
    name: 'tongban-preload-portal',
    apply: 'build',
    // After writing, like precompress (listed after it): Vite writes index.html in its own generateBundle.
    writeBundle(options, bundle) {
      const chunks = Object.values(bundle).filter((f) => f.type === 'chunk');
      const portal = chunks.find(
        (c) => c.isDynamicEntry && c.moduleIds.some((id) => id.endsWith('/src/portal/index.tsx')),
      );
      const html = bundle['index.html'];
      if (!portal || !html || html.type !== 'asset') return;
      const scripts = new Set<string>();
      const styles = new Set<string>();
      const visit = (fileName: string) => {
        if (scripts.has(fileName)) return;
        scripts.add(fileName);
        const chunk = chunks.find((c) => c.fileName === fileName);
        for (const css of chunk?.viteMetadata?.importedCss ?? []) styles.add(css);
        for (const imported of chunk?.imports ?? []) visit(imported);
      };
      visit(portal.fileName);
      // The home page itself is a lazy chunk of the portal: announce it too, and its data.
      const home = chunks.find((c) => c.moduleIds.some((id) => id.endsWith('/src/portal/home.tsx')));
      if (home) visit(home.fileName);
      const source = String(html.source);
      const missing = (file: string) => !source.includes(`/${file}"`);
      const links = [
        ...[...styles].filter(missing).map((file) => `<link rel="stylesheet" crossorigin href="/${file}">`),
        ...[...scripts]
          .filter(missing)
          .map((file) => `<link rel="modulepreload" crossorigin href="/${file}">`),
        `<link rel="preload" as="fetch" crossorigin href="${HOT_SERVICES_URL}">`,
      ].join('\n    ');
      html.source = source.replace('</head>', `  ${links}\n  </head>`);
      writeFileSync(path.join(options.dir!, 'index.html'), html.source);
    },
  };
}

/**
 * The web app: portal, workbench and console in one single-page app, each area its own
 * chunk (routes load them lazily). `npm run build:web` writes web/dist, which the server
 * serves at `/`; `npm run dev:web` serves it with hot reload and sends /api to a running
 * server (TONGBAN_URL, default http://127.0.0.1:3000).
 */
export default defineConfig({
  root: import.meta.dirname,
  plugins: [react(), preloadPortal(), precompress()],
  build: {
    // WEB_DIST as the server reads it: builds side by side (e.g. in parallel test runs) do not overwrite each other.
    outDir: process.env.WEB_DIST ? path.resolve(process.env.WEB_DIST) : 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
    rollupOptions: {
      output: {
        // The libraries every area shares change less often than the pages: their own chunks cache longer.
        manualChunks(id) {
          if (!id.includes('node_modules')) return undefined;
          if (/node_modules\/(echarts|zrender)\//.test(id)) return 'echarts';
          if (/node_modules\/(react|react-dom|react-router|scheduler)\//.test(id)) return 'react';
          return undefined;
        },
      },
    },
  },
  server: {
    proxy: {
      '/api': process.env.TONGBAN_URL ?? 'http://127.0.0.1:3000',
      '/verify': process.env.TONGBAN_URL ?? 'http://127.0.0.1:3000',
      '/oidc': process.env.TONGBAN_URL ?? 'http://127.0.0.1:3000',
    },
  },
});
