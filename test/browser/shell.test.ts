import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectNoProblems, launchBrowser, newContext, screenshot, watchedPage } from './harness.ts';

/** The app shell: served at `/`, deep links load it, the language switch works. */
describe('web app shell', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(() => browser?.close());

  it('serves the app at / and on a deep link, in Chinese, and switches to English and back', async () => {
    const context = await newContext(browser);
    const page = await watchedPage(context);
    await page.goto('/');
    await expect.poll(() => page.evaluate(() => document.documentElement.lang)).toBe('zh-CN');
    const english = page.getByRole('button', { name: '语言' });
    await english.click();
    await expect.poll(() => page.evaluate(() => document.documentElement.lang)).toBe('en');
    await page.goto('/console/nowhere');
    await expect.poll(() => page.evaluate(() => document.documentElement.lang)).toBe('en');
    await page.getByRole('button', { name: 'Language' }).click();
    await expect.poll(() => page.evaluate(() => document.documentElement.lang)).toBe('zh-CN');
    expectNoProblems(page);
    await context.close();
  });

  it('fits a phone screen', async () => {
    const context = await newContext(browser, 'phone');
    const page = await watchedPage(context);
    await page.goto('/');
    await page.waitForLoadState('networkidle');
    await screenshot(page, 'shell');
    expectNoProblems(page);
    await context.close();
  });
});
