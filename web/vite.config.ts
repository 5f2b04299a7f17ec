import path from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * The web app: portal, workbench and console in one single-page app, each area its own
 * chunk (routes load them lazily). `npm run build:web` writes web/dist, which the server
 * serves at `/`; `npm run dev:web` serves it with hot reload and sends /api to a running
 * server (TONGBAN_URL, default http://127.0.0.1:3000).
 */
export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
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
          if (/node_modules\/(antd|@ant-design|rc-[^/]+|@rc-component)\//.test(id)) return 'antd';
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
