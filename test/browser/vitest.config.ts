import { defineConfig } from 'vitest/config';

/**
 * Browser tests (`npm run test:browser`): one platform server for the whole run, started
 * as `npm start` starts it on a fresh embedded database with the demo city
 * (global-setup.ts), driven in Debian's chromium through playwright-core, one file at a
 * time (two cores: a browser, the server and the tests already share them).
 */
export default defineConfig({
  test: {
    include: ['test/browser/**/*.test.ts'],
    globalSetup: ['test/browser/global-setup.ts'],
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});
