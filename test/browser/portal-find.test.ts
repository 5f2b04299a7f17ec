import { mkdirSync, writeFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  DEMO_PASSWORD,
  expectNoProblems,
  smsCodeSent,
  launchBrowser,
  newContext,
  screenshot,
  watchedPage,
  type ViewportName,
} from './harness.ts';

/**
 * The portal's finding and reading pages and sign-in: a resident finds 结婚登记 by typing
 * "我要结婚", reads its guide, is sent to sign in when applying and arrives at the
 * application; SMS login with its field checks; the phone layout; the guide in English;
 * the home page on a throttled "3G Fast" network.
 */
describe('portal: finding a service, reading its guide, signing in', () => {
  let browser: Browser;
  /** A demo citizen with a verified real name (printed by the server at start). */
  let citizenPhone: string;
  const MARRIAGE = '0700000101';

  beforeAll(async () => {
    browser = await launchBrowser();
    const phones = /citizens \(phone\): (1\d{10})/.exec(inject('serverOutput'));
    citizenPhone = phones![1]!;
  });
  afterAll(() => browser?.close());

  /** The pages load lazily and call the API: what they show is waited for, on a busy machine too. */
  const eventually = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 15_000 });
  const searchBox = (page: Page) => page.getByRole('combobox', { name: '搜索服务' }).first();

  async function signInWithSms(page: Page, phone: string) {
    await page.getByLabel('手机号码').fill(phone);
    const code = await smsCodeSent(phone, () => page.getByRole('button', { name: '获取验证码' }).click());
    await page.getByLabel('短信验证码').fill(code);
    await page.getByRole('button', { name: '登录', exact: true }).click();
  }

  it('a resident types 我要结婚, reads the 结婚登记 guide, is asked to sign in to apply and arrives at the application', async () => {
    const context = await newContext(browser, 'pc');
    const page = await watchedPage(context);
    await page.goto('/');
    await searchBox(page).fill('我要结婚');
    await searchBox(page).press('Enter');
    await page.waitForURL(/\/search\?q=/);
    const result = page.getByRole('link', { name: '内地居民结婚登记' });
    // The words that matched are marked in the result.
    await eventually(() => result.locator('mark').first().textContent()).toBe('结婚登记');
    await result.click();
    await page.waitForURL(`**/items/${MARRIAGE}`);
    await eventually(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('内地居民结婚登记');
    const materials = page.getByTestId('materials');
    await eventually(() => materials.getByRole('cell', { name: '居民身份证', exact: true }).count()).toBe(1);
    expect(await materials.getByText('双方近期半身免冠合影照片3张').count()).toBe(1);
    expect(await page.getByRole('definition').or(page.getByRole('cell')).count()).toBeGreaterThan(0);
    expect(await page.getByText('法定办结时限').count()).toBe(1);
    expect(await page.getByText('承诺办结时限').count()).toBe(1);
    expect(await page.getByText('《婚姻登记条例》第五条').count()).toBe(1);
    // Where to go: the bodies that handle it, from the catalog's entries.
    await eventually(() => page.getByText(/民政局/).count()).toBeGreaterThan(1);
    await screenshot(page, 'portal-guide');

    await page.getByRole('button', { name: '登录后申请' }).click();
    await page.waitForURL(/\/login\?next=/);
    expect(new URL(page.url()).searchParams.get('next')).toBe(`/apply/${MARRIAGE}`);
    await signInWithSms(page, citizenPhone);
    await page.waitForURL(new RegExp(`/apply/${MARRIAGE}`));
    const me = await page.request.get('/api/v1/identity/me');
    expect((await me.json()).assurance).toBeGreaterThanOrEqual(2);

    // Signed in and verified, the guide says which materials need not be submitted.
    await page.goto(`/items/${MARRIAGE}`);
    await eventually(() => materials.getByText('免提交：可从人口库获取').count()).toBe(2);
    expect(await page.getByRole('button', { name: '在线申请' }).count()).toBe(1);
    expectNoProblems(page);
    await context.close();
  });

  it('completes a name typed in pinyin initials and opens the picked service', async () => {
    const context = await newContext(browser, 'pc');
    const page = await watchedPage(context);
    await page.goto('/');
    await searchBox(page).fill('jh');
    const option = page.getByRole('option', { name: '内地居民结婚登记' });
    await eventually(() => option.count()).toBe(1);
    // The keyboard reaches the suggestion too: the first one is 内地居民结婚登记, the most used.
    await searchBox(page).press('ArrowDown');
    expect(await option.getAttribute('aria-selected')).toBe('true');
    await searchBox(page).press('Enter');
    await page.waitForURL(`**/items/${MARRIAGE}`);
    await eventually(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('内地居民结婚登记');
    expectNoProblems(page);
    await context.close();
  });

  it('signs in by QR code: the page polls until the phone approves, then is signed in', async () => {
    const context = await newContext(browser, 'pc');
    const page = await watchedPage(context);
    await page.goto('/login?next=/account');
    const created = page.waitForResponse((r) => r.url().endsWith('/api/v1/identity/qr-logins'));
    await page.getByRole('tab', { name: '扫码登录' }).click();
    const { code } = (await (await created).json()) as { code: string };
    await eventually(() => page.getByRole('img', { name: '扫码登录二维码' }).count()).toBe(1);
    // The phone: the citizen signed in there scans and approves.
    const phone = await browser.newContext({ baseURL: inject('baseUrl') });
    const login = await phone.request.post('/api/v1/identity/login/password', {
      data: { phone: citizenPhone, password: DEMO_PASSWORD, client: 'api' },
    });
    expect(login.status(), await login.text()).toBe(200);
    const token = ((await login.json()) as { session: { token: string } }).session.token;
    const asPhone = { headers: { authorization: `Bearer ${token}` } };
    expect((await phone.request.post(`/api/v1/identity/qr-logins/${code}/scan`, asPhone)).status()).toBe(200);
    await eventually(() => page.getByText('已扫码，请在手机上确认登录').count()).toBe(1);
    expect((await phone.request.post(`/api/v1/identity/qr-logins/${code}/approve`, asPhone)).status()).toBe(
      200,
    );
    await page.waitForURL('**/account', { timeout: 15_000 });
    await eventually(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('账户与认证');
    await phone.close();
    expectNoProblems(page);
    await context.close();
  });

  it('refuses a malformed phone number beside the field and sends no code', async () => {
    const context = await newContext(browser, 'pc');
    const page = await watchedPage(context);
    const sent: string[] = [];
    page.on('request', (request) => {
      if (request.url().includes('/api/v1/identity/sms-codes')) sent.push(request.url());
    });
    await page.goto('/login');
    await page.getByLabel('手机号码').fill('1381234');
    await page.getByRole('button', { name: '获取验证码' }).click();
    await eventually(() => page.getByText('请输入正确的 11 位手机号码').count()).toBe(1);
    await page.getByRole('button', { name: '登录', exact: true }).click();
    await eventually(() => page.getByText('请输入短信验证码').count()).toBe(1);
    expect(sent).toEqual([]);
    await screenshot(page, 'portal-login');
    expectNoProblems(page);
    await context.close();
  });

  it('signs up a new number with an SMS code and shows the account page to verify the real name', async () => {
    const context = await newContext(browser, 'pc');
    const page = await watchedPage(context);
    const phone = `139${String(Date.now()).slice(-8)}`;
    await page.goto('/login?next=/account');
    await page.getByRole('tab', { name: '注册' }).click();
    await page.getByLabel('手机号码').fill(phone);
    const code = await smsCodeSent(phone, () => page.getByRole('button', { name: '获取验证码' }).click());
    await page.getByLabel('短信验证码').fill(code);
    await page.getByRole('button', { name: '注册并登录' }).click();
    await page.waitForURL('**/account');
    await eventually(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('账户与认证');
    // A wrong ID number is refused beside the field before anything is sent.
    await page.getByLabel('真实姓名').fill('张三');
    await page.getByLabel('居民身份证号码').fill('12345');
    await page.getByRole('button', { name: '提交认证' }).click();
    await eventually(() => page.getByText('请输入 18 位居民身份证号码').count()).toBe(1);
    expectNoProblems(page);
    await context.close();
  });

  it('filters the results and shows suggestions when nothing matches', async () => {
    const context = await newContext(browser, 'pc');
    const page = await watchedPage(context);
    await page.goto(`/search?q=${encodeURIComponent('我要结婚')}`);
    await eventually(() => page.getByRole('link', { name: '内地居民结婚登记' }).count()).toBe(1);
    await screenshot(page, 'portal-search');
    await page.getByLabel('服务对象').click();
    await page.locator('.ant-select-item-option[title="企业"]').click();
    await page.waitForURL(/audience=legal_person/);
    await eventually(() => page.getByText('没有找到与“我要结婚”相关的服务').count()).toBe(1);
    await page.getByRole('link', { name: '社保卡' }).click();
    await page.waitForURL(/q=%E7%A4%BE%E4%BF%9D%E5%8D%A1/);
    await eventually(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('“社保卡”的搜索结果');
    expectNoProblems(page);
    await context.close();
  });

  it('reads the guide in English after the language switch', async () => {
    const context = await newContext(browser, 'pc');
    const page = await watchedPage(context);
    await page.goto(`/items/${MARRIAGE}`);
    await eventually(() => page.getByText('申请材料').count()).toBe(1);
    await page.getByRole('button', { name: 'English', exact: true }).click();
    await eventually(() => page.getByText('Materials', { exact: true }).count()).toBe(1);
    expect(await page.getByText('Legal time limit').count()).toBe(1);
    expect(await page.getByText('Administrative confirmation').count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Sign in to apply' }).count()).toBe(1);
    await page.getByRole('button', { name: '中文', exact: true }).click();
    await eventually(() => page.getByText('申请材料').count()).toBe(1);
    expectNoProblems(page);
    await context.close();
  });

  for (const size of ['pc', 'phone'] as ViewportName[]) {
    it(`lays the main pages out at ${size} size`, async () => {
      const context = await newContext(browser, size);
      const page = await watchedPage(context);
      await page.goto('/');
      await eventually(() => page.getByTestId('hot-services').getByRole('link').count()).toBe(8);
      await eventually(() => page.getByRole('link', { name: '新生儿出生一件事' }).count()).toBe(1);
      if (size === 'phone') {
        const nav = page.getByRole('navigation', { name: '主导航' });
        expect(await nav.getByRole('link').count()).toBe(4);
      }
      await screenshot(page, 'portal-home');
      await page.getByRole('link', { name: '新生儿出生一件事' }).click();
      await eventually(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('新生儿出生一件事');
      await eventually(() => page.getByRole('link', { name: '出生登记' }).count()).toBe(1);
      await screenshot(page, 'portal-bundle');
      if (size === 'phone') {
        await page.goto(`/search?q=${encodeURIComponent('我要结婚')}`);
        await eventually(() => page.getByRole('link', { name: '内地居民结婚登记' }).count()).toBe(1);
        await screenshot(page, 'portal-search');
        await page.goto(`/items/${MARRIAGE}`);
        await eventually(() => page.getByText('居民身份证', { exact: true }).count()).toBe(1);
        await screenshot(page, 'portal-guide');
        await page.goto('/login');
        await eventually(() => page.getByLabel('手机号码').count()).toBe(1);
        await screenshot(page, 'portal-login');
      }
      expectNoProblems(page);
      await context.close();
    });
  }

  it('shows the home page on a throttled "3G Fast" network with a cold cache and reports how long it took', async () => {
    const context = await newContext(browser, 'phone');
    const page = await watchedPage(context);
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    // WebPageTest's "3G Fast": 1.6 Mbps down, 768 kbps up, 150 ms round trip.
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 150,
      downloadThroughput: (1.6 * 1024 * 1024) / 8,
      uploadThroughput: (768 * 1024) / 8,
    });
    // The page notes on its own clock (from the start of the navigation, as the browser's
    // timing APIs count it) the first frame drawn with the search box and a hot service in
    // it: the test runner's polling would add its own delay to the figure.
    await page.addInitScript(() => {
      const shown = () =>
        document.querySelector('[role=combobox]') && document.querySelector('[data-testid=hot-services] a');
      const observer = new MutationObserver(() => {
        if (!shown()) return;
        observer.disconnect();
        requestAnimationFrame(() =>
          setTimeout(() =>
            document.documentElement.setAttribute('data-home-shown', String(performance.now())),
          ),
        );
      });
      observer.observe(document, { subtree: true, childList: true });
    });
    await page.goto('/', { waitUntil: 'commit' });
    await searchBox(page).waitFor({ state: 'visible' });
    await page.getByTestId('hot-services').getByRole('link').first().waitFor({ state: 'visible' });
    const shownAt = await page.waitForFunction(() =>
      document.documentElement.getAttribute('data-home-shown'),
    );
    const elapsed = Math.round(Number(await shownAt.jsonValue()));
    console.log(`portal home on 3G Fast: search box and hot services visible after ${elapsed} ms`);
    // The target is 2 s (issue 7). A figure of time is reported, not asserted: tests never
    // assert timings (they would fail on a busy machine); the figure goes to CI's artifacts.
    mkdirSync('test/browser/artifacts', { recursive: true });
    writeFileSync(
      'test/browser/artifacts/portal-home-3g.json',
      JSON.stringify({ elapsedMs: elapsed, targetMs: 2000 }),
    );
    expectNoProblems(page);
    await context.close();
  });
});
