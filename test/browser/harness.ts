/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import {
  chromium,
  request,
  type APIResponse,
  type Browser,
  type BrowserContext,
  type Locator,
  type Page,
} from 'playwright-core';
import type Axe from 'axe-core';
import { expect, inject } from 'vitest';
import { DEMO_PASSWORD } from '../../src/modules/identity/index.ts';

/**
 * What every browser test uses: Debian's chromium through playwright-core, contexts at
 * PC and phone size, pages that fail the test on a console error or an uncaught
 * exception, screenshots kept as CI artifacts, and a layout check for content that
 * overflows the screen or overlaps.
 */

export const baseUrl = () => inject('baseUrl');
export { DEMO_PASSWORD };

export const VIEWPORTS = {
  pc: { width: 1366, height: 768 },
  phone: { width: 390, height: 844 },
} as const;
export type ViewportName = keyof typeof VIEWPORTS;

export const SCREENSHOTS = path.resolve('test/browser/artifacts/screenshots');

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/** A fresh browser profile (no cookies) at PC or phone size, in Chinese unless told otherwise. */
export async function newContext(
  browser: Browser,
  viewport: ViewportName = 'pc',
  locale: 'zh-CN' | 'en-US' = 'zh-CN',
): Promise<BrowserContext> {
  const phone = viewport === 'phone';
  return browser.newContext({
    baseURL: baseUrl(),
    viewport: VIEWPORTS[viewport],
    locale,
    ...(phone && { isMobile: true, hasTouch: true, deviceScaleFactor: 2 }),
  });
}

export interface WatchedPage extends Page {
  /** Console errors and uncaught exceptions seen so far. */
  problems: string[];
}

/**
 * A page whose console errors and uncaught exceptions are collected; `expectNoProblems`
 * fails the test with them. Failed API calls the test provokes on purpose (a 4xx) are
 * not console errors of the app, so the browser's own "Failed to load resource" lines
 * are left out.
 */
export async function watchedPage(context: BrowserContext): Promise<WatchedPage> {
  const page = (await context.newPage()) as WatchedPage;
  page.problems = [];
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    if (message.text().startsWith('Failed to load resource')) return;
    page.problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => page.problems.push(`exception: ${error.message}`));
  return page;
}

export function expectNoProblems(page: WatchedPage): void {
  expect(page.problems, 'console errors or uncaught exceptions').toEqual([]);
}

/**
 * Saves a full-page screenshot as artifacts/screenshots/<name>-<pc|phone>.png, after
 * checking the layout (see `layoutProblems`) and accessibility (`accessibilityProblems`).
 */
export async function screenshot(page: Page, name: string): Promise<string> {
  const width = page.viewportSize()?.width ?? 0;
  const size = width <= VIEWPORTS.phone.width ? 'phone' : 'pc';
  mkdirSync(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${name}-${size}.png`);
  // Judge the page at rest: a message sliding in overlaps its neighbour for a moment by design.
  await atRest(page);
  expect(await layoutProblems(page), `layout of ${name} at ${size} width`).toEqual([]);
  expect
    .soft(await accessibilityProblems(page), `WCAG 2.1 AA (axe-core) on ${name} at ${size} width`)
    .toEqual([]);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * What axe-core finds against WCAG 2.1 A and AA on the page as it is now, one line per
 * rule: its id, impact, help text and up to three of the elements at fault. Evaluated
 * through the DevTools protocol, so the page's content security policy does not stop it.
 */
export async function accessibilityProblems(page: Page): Promise<string[]> {
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: typeof Axe }).axe;
    const result = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
      resultTypes: ['violations'],
    });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact ?? '',
      help: v.help,
      targets: v.nodes.slice(0, 3).map((n) => {
        // Contrast failures say which colours met, and at what ratio.
        const colours = n.any[0]?.data as {
          fgColor?: string;
          bgColor?: string;
          contrastRatio?: number;
        } | null;
        const detail = colours?.fgColor
          ? ` (${colours.fgColor} on ${colours.bgColor}: ${colours.contrastRatio})`
          : '';
        return n.target.join(' ') + detail;
      }),
    }));
  });
  return violations.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.targets.join(' | ')}`);
}

/** Waits (up to 5 s) until no CSS animation or transition is running. */
async function atRest(page: Page): Promise<void> {
  await page
    .waitForFunction(() => document.getAnimations().every((a) => a.playState !== 'running'), undefined, {
      timeout: 5_000,
    })
    .catch(() => undefined);
}

/**
 * Clicks what opens a dialog and returns the dialog once it has finished zooming in: a
 * click on a button that is still moving can miss it.
 */
export async function openDialog(page: Page, opener: Locator): Promise<Locator> {
  await opener.click();
  return dialogAtRest(page);
}

/** The open dialog, once it has finished zooming in. */
export async function dialogAtRest(page: Page): Promise<Locator> {
  const dialog = page.getByRole('dialog');
  await dialog.waitFor();
  await atRest(page);
  return dialog;
}

/**
 * Content cut off or overlapping on the current screen: a page wider than the viewport
 * (sideways scrolling on a phone), a visible element reaching beyond the right edge, text
 * clipped inside its box without an ellipsis, or text drawn over other text. Elements
 * that scroll on purpose (tables in a scroll container), pop-ups and hidden ones are left out.
 */
export async function layoutProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const problems: string[] = [];
    const width = document.documentElement.clientWidth;
    if (document.documentElement.scrollWidth > width + 1)
      problems.push(`the page is ${document.documentElement.scrollWidth}px wide on a ${width}px screen`);
    const describe = (el: Element) =>
      `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${
        el.className && typeof el.className === 'string'
          ? `.${el.className.trim().split(/\s+/).slice(0, 2).join('.')}`
          : ''
      } "${(el.textContent ?? '').trim().slice(0, 30)}"`;
    const scrollsOnPurpose = (el: Element): boolean => {
      for (let p: Element | null = el.parentElement; p; p = p.parentElement) {
        const style = getComputedStyle(p);
        if (/(auto|scroll)/.test(style.overflowX) && p.scrollWidth > p.clientWidth) return true;
      }
      return false;
    };
    for (const el of document.body.querySelectorAll('*')) {
      const style = getComputedStyle(el);
      if (style.visibility === 'hidden' || style.display === 'none') continue;
      const box = el.getBoundingClientRect();
      if (box.width === 0 || box.height === 0) continue;
      if (box.right > width + 1 && !scrollsOnPurpose(el) && style.position !== 'fixed')
        problems.push(`${describe(el)} reaches ${Math.round(box.right)}px on a ${width}px screen`);
      const clipsText =
        (style.overflowX === 'hidden' || style.overflow === 'hidden') &&
        style.textOverflow !== 'ellipsis' &&
        el.children.length === 0 &&
        (el.textContent ?? '').trim() !== '' &&
        el.scrollWidth > el.clientWidth + 1 &&
        // Visually hidden on purpose (text for screen readers in a 1px box).
        el.clientWidth > 1 &&
        el.clientHeight > 1;
      if (clipsText)
        problems.push(`${describe(el)} is cut off (${el.scrollWidth}px of text in ${el.clientWidth}px)`);
    }
    // Text drawn over other text: the boxes of two text runs of different elements cover each
    // other by more than a third. Pop-ups and bars that float over the page on purpose are left out.
    const OVERLAYS =
      '.ant-dropdown, .ant-select-dropdown, .ant-picker-dropdown, .ant-tooltip, .ant-popover, .ant-message, .ant-notification, .ant-modal-root, .ant-drawer, .ant-image-preview-root';
    // A fixed or sticky bar (a phone's bottom navigation) lies over the content scrolling under it by design.
    const floats = (el: Element): boolean => {
      for (let p: Element | null = el; p; p = p.parentElement)
        if (/^(fixed|sticky)$/.test(getComputedStyle(p).position)) return true;
      return false;
    };
    const runs: { el: Element; box: DOMRect }[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const el = node.parentElement;
      // antd tables measure their column widths with the header texts in a row of zero height.
      if (!el || !node.textContent?.trim() || el.closest(OVERLAYS) || floats(el)) continue;
      if (el.closest('.ant-table-measure-row')) continue;
      const style = getComputedStyle(el);
      if (style.visibility === 'hidden' || style.opacity === '0') continue;
      const range = document.createRange();
      range.selectNodeContents(node);
      for (const box of range.getClientRects()) if (box.width > 2 && box.height > 2) runs.push({ el, box });
    }
    for (let i = 0; i < runs.length; i++) {
      for (let j = i + 1; j < runs.length; j++) {
        const a = runs[i]!;
        const b = runs[j]!;
        if (a.el === b.el) continue;
        const w = Math.min(a.box.right, b.box.right) - Math.max(a.box.left, b.box.left);
        const h = Math.min(a.box.bottom, b.box.bottom) - Math.max(a.box.top, b.box.top);
        const smaller = Math.min(a.box.width * a.box.height, b.box.width * b.box.height);
        if (w > 0 && h > 0 && w * h > smaller / 3)
          problems.push(`${describe(a.el)} and ${describe(b.el)} overlap`);
      }
    }
    return problems.slice(0, 10);
  });
}

/** The codes the demo SMS gateway has sent to a phone so far, oldest first (from the server's log). */
function smsCodesTo(phone: string): string[] {
  const codes: string[] = [];
  for (const line of readFileSync(inject('serverLogFile'), 'utf8').split('\n')) {
    // The newest line may still be half written: it is read on the next poll.
    if (!line.includes('demo SMS gateway') || !line.endsWith('}')) continue;
    const sms = (JSON.parse(line) as { sms?: { phone: string; params: { code?: string } } }).sms;
    if (sms?.phone === phone && sms.params.code) codes.push(sms.params.code);
  }
  return codes;
}

/**
 * Asks for a code (`send`, e.g. a click on 获取验证码) and returns the code the demo SMS
 * gateway then sends to the phone: not an older one an earlier test had asked for.
 */
export async function smsCodeSent(phone: string, send: () => Promise<void>): Promise<string> {
  const before = smsCodesTo(phone).length;
  await send();
  let codes: string[] = [];
  await expect.poll(() => (codes = smsCodesTo(phone)).length, { timeout: 15_000 }).toBeGreaterThan(before);
  return codes.at(-1)!;
}

/**
 * Signs the context in through the API (its cookies are the page's), for journeys that do
 * not test the login page itself: a staff username or a citizen's mobile number.
 */
export async function signInWithPassword(page: Page, username: string, password = DEMO_PASSWORD) {
  // Persons sign in by mobile number, staff by username.
  const who = /^1\d{10}$/.test(username) ? { phone: username } : { username };
  const response = await page.request.post('/api/v1/identity/login/password', {
    data: { ...who, password },
  });
  expect(response.status(), await response.text()).toBe(200);
}

export type ApiCall = <T = unknown>(method: string, url: string, body?: unknown) => Promise<T>;

/** A call that must succeed: its JSON (undefined for 204), or the test fails with the problem. */
async function expectOk<T>(response: APIResponse, what: string): Promise<T> {
  expect(response.ok(), `${what}: ${response.status()} ${await response.text()}`).toBe(true);
  return (response.status() === 204 ? undefined : await response.json()) as T;
}

/** The API with the page's own session (cookies and CSRF token), to arrange or check what a journey needs. */
export function pageApi(page: Page): ApiCall {
  return async (method, url, body) => {
    const csrf = (await page.context().cookies()).find((c) => c.name === 'tb_csrf')?.value;
    const headers: Record<string, string> = csrf ? { 'x-csrf-token': decodeURIComponent(csrf) } : {};
    return expectOk(await page.request.fetch(url, { method, data: body, headers }), `${method} ${url}`);
  };
}

/** The API as another demo account (staff username or citizen phone) with a bearer session. */
export async function apiAs(username: string, password = DEMO_PASSWORD): Promise<ApiCall> {
  const context = await request.newContext({ baseURL: baseUrl() });
  const who = /^1\d{10}$/.test(username) ? { phone: username } : { username };
  const { session } = await expectOk<{ session: { token: string } }>(
    await context.post('/api/v1/identity/login/password', { data: { ...who, password, client: 'api' } }),
    `sign in as ${username}`,
  );
  const headers = { authorization: `Bearer ${session.token}` };
  return async (method, url, body) =>
    expectOk(await context.fetch(url, { method, data: body, headers }), `${method} ${url}`);
}
