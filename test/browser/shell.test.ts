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
    const english = page.getByRole('button', { name: 'English', exact: true });
    await english.click();
    await expect.poll(() => page.evaluate(() => document.documentElement.lang)).toBe('en');
    await page.goto('/console/nowhere');
    await expect.poll(() => page.evaluate(() => document.documentElement.lang)).toBe('en');
    await page.getByRole('button', { name: '中文', exact: true }).click();
    await expect.poll(() => page.evaluate(() => document.documentElement.lang)).toBe('zh-CN');
    expectNoProblems(page);
    await context.close();
  });

  it('shows a failing server call as a friendly message with the request id, never a blank page', async () => {
    const context = await newContext(browser);
    const page = await watchedPage(context);
    // The hot services call fails on the server's side (simulated at the network: a 500 problem document).
    await page.route('**/api/v1/catalog/items?**', (route) =>
      route.fulfill({
        status: 500,
        contentType: 'application/problem+json',
        headers: { 'x-request-id': 'req-shell-500' },
        body: JSON.stringify({
          type: 'https://tongban.dev/problems/internal',
          code: 'internal',
          status: 500,
          title: '服务器内部错误',
          titleEn: 'Internal server error',
          requestId: 'req-shell-500',
        }),
      }),
    );
    await page.goto('/');
    const requestId = page.getByTestId('request-id');
    await expect.poll(() => requestId.textContent(), { timeout: 15_000 }).toContain('req-shell-500');
    await expect.poll(() => page.getByRole('alert').first().textContent()).toContain('服务器内部错误');
    // The rest of the page still works: the search box is there.
    expect(await page.getByRole('combobox').first().isVisible()).toBe(true);
    // A page that does not exist says so.
    await page.unrouteAll();
    await page.goto('/items/0000000000');
    await expect
      .poll(() => page.getByText('页面不存在').or(page.getByText('未找到')).first().isVisible(), {
        timeout: 15_000,
      })
      .toBe(true);
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
