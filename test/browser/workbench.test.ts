import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { pdf } from '../../src/kernel/files/test-samples.ts';
import {
  baseUrl,
  DEMO_PASSWORD,
  dialogAtRest,
  expectNoProblems,
  launchBrowser,
  newContext,
  screenshot,
  signInWithPassword,
  watchedPage,
  type WatchedPage,
} from './harness.ts';

/**
 * The staff workbench, driven as a window clerk drives it: a demo citizen files two
 * applications through the API; the clerk signs in, finds the first in the list of the
 * jurisdiction with the keyboard, previews its material and accepts it with the shortcuts;
 * sends a one-time 补正 notice on the second, the citizen supplies the material through the
 * API and the clerk sees it back; the demo city's cases close to and past their deadlines
 * carry yellow and red markers. Screenshots of list and detail at PC and phone width.
 */

const STATEMENT = '遭遇困难情况说明及相关证明';

/** The API as the citizen uses it (a bearer session), for the applicant's side of the journeys. */
async function citizenApi() {
  const phone = /citizens \(phone\): \d+ \S+, (\d{11})/.exec(inject('serverOutput'))![1]!;
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(`${baseUrl()}${path}`, {
      method,
      headers: {
        ...(token && { authorization: `Bearer ${token}` }),
        ...(body !== undefined && !(body instanceof Uint8Array) && { 'content-type': 'application/json' }),
        ...headers,
      },
      body:
        body === undefined
          ? undefined
          : body instanceof Uint8Array
            ? new Uint8Array(body)
            : JSON.stringify(body),
    });
    const text = await response.text();
    expect(response.ok, `${method} ${path}: ${text}`).toBe(true);
    return JSON.parse(text) as Record<string, unknown> & { id: string; version: number };
  };
  let token = '';
  const login = await call('POST', '/api/v1/identity/login/password', {
    phone,
    password: DEMO_PASSWORD,
    client: 'api',
  });
  token = (login.session as { token: string }).token;
  return call;
}
type CitizenApi = Awaited<ReturnType<typeof citizenApi>>;

const upload = (filename: string, mediaType: string) => ({
  'content-type': mediaType,
  'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(filename)}`,
});

/** A submitted application for 临时救助金给付 in the clerk's district, with the statement uploaded. */
async function fileRelief(citizen: CitizenApi, file: Uint8Array, filename: string, mediaType: string) {
  const regions = (await citizen('GET', '/api/v1/regions')) as unknown as {
    items: { code: string; parentCode: string | null }[];
  };
  const district = regions.items.find((r) => r.parentCode === '329900000000')!.code;
  const found = (await citizen(
    'GET',
    `/api/v1/catalog/search?q=${encodeURIComponent('临时救助')}`,
  )) as unknown as {
    items: { code: string; name: string }[];
  };
  const itemCode = found.items.find((i) => i.name === '临时救助金给付')!.code;
  const draft = await citizen('POST', '/api/v1/applications', { itemCode, regionCode: district });
  const parts = draft.parts as { part: number; formData: Record<string, unknown> }[];
  await citizen(
    'PUT',
    `/api/v1/applications/${draft.id}/materials/${encodeURIComponent(STATEMENT)}`,
    file,
    upload(filename, mediaType),
  );
  const current = await citizen('GET', `/api/v1/applications/${draft.id}`);
  await citizen('PATCH', `/api/v1/applications/${draft.id}`, {
    version: current.version,
    parts: [
      {
        part: 1,
        formData: { ...parts[0]!.formData, phone: '13912345678', address: '示例市长安区振兴路1号' },
      },
    ],
  });
  const ready = await citizen('GET', `/api/v1/applications/${draft.id}`);
  const submitted = await citizen(
    'POST',
    `/api/v1/applications/${draft.id}/submit`,
    { version: ready.version },
    { 'idempotency-key': `workbench-${draft.id}` },
  );
  const [opened] = submitted.cases as { caseId: string; number: string }[];
  return opened!;
}

/** A PNG drawn by the browser: what a phone photo of a signed paper looks like to the preview. */
async function scannedPage(page: Page): Promise<Uint8Array> {
  const base64 = await page.evaluate(() => {
    const canvas = document.createElement('canvas');
    canvas.width = 600;
    canvas.height = 800;
    const g = canvas.getContext('2d')!;
    g.fillStyle = '#ffffff';
    g.fillRect(0, 0, 600, 800);
    g.fillStyle = '#111111';
    g.font = '36px sans-serif';
    g.fillText('困难情况说明', 190, 80);
    for (let y = 140; y < 700; y += 40) g.fillRect(60, y, 480, 4);
    return canvas.toDataURL('image/png').split(',')[1]!;
  });
  return new Uint8Array(Buffer.from(base64, 'base64'));
}

async function caseOnServer(page: Page, id: string) {
  const response = await page.request.get(`/api/v1/cases/${id}`);
  expect(response.status()).toBe(200);
  return (await response.json()) as {
    status: string;
    version: number;
    materials: { name: string; sha256?: string; suppliedAt?: string }[];
    timeline: { action: string; details: { needed?: { name: string; problem: string }[] } }[];
  };
}

/** Confirms the step in its dialog and waits for the dialog to close. */
async function confirm(page: Page) {
  const dialog = await dialogAtRest(page);
  await dialog.getByRole('button', { name: '确认', exact: true }).click();
  await dialog.waitFor({ state: 'hidden' });
}

async function signInAsClerk(page: WatchedPage) {
  await page.goto('/workbench/login');
  await page.getByLabel('用户名').fill('window.clerk');
  await page.getByLabel('密码').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: '登录', exact: true }).click();
  await expect.poll(() => new URL(page.url()).pathname).toBe('/workbench');
}

describe('staff workbench', () => {
  let browser: Browser;
  let citizen: CitizenApi;
  beforeAll(async () => {
    browser = await launchBrowser();
    citizen = await citizenApi();
  });
  afterAll(() => browser?.close());

  it('a clerk finds a new case with the keyboard, previews its material and accepts it with the shortcuts', async () => {
    const context = await newContext(browser);
    const page = await watchedPage(context);
    await page.goto('/workbench');
    // Not signed in: the sign-in page, which checks its fields before sending anything.
    await expect.poll(() => new URL(page.url()).pathname).toBe('/workbench/login');
    await page.getByRole('button', { name: '登录', exact: true }).click();
    await expect.poll(() => page.getByText('请输入用户名').isVisible()).toBe(true);
    await signInAsClerk(page);
    const header = page.getByTestId('staff-identity');
    await expect.poll(() => header.textContent()).toContain('长安区窗口人员');
    await expect.poll(() => header.textContent()).toContain('综合受理1号窗口');
    // One of each landmark: the header, the navigation, the main content.
    expect(await page.getByRole('banner').count()).toBe(1);
    expect(await page.getByRole('navigation', { name: '工作台导航' }).count()).toBe(1);
    expect(await page.getByRole('main').count()).toBe(1);

    const filed = await fileRelief(citizen, await scannedPage(page), '情况说明照片.png', 'image/png');
    await page.getByRole('navigation').getByRole('menuitem', { name: '辖区全部' }).click();
    const link = page.getByRole('link', { name: `打开办件 ${filed.number}` });
    await link.waitFor();
    // j moves through the list until the new case is selected; Enter opens it. The list holds
    // whatever earlier test files filed in the jurisdiction too: as many presses as rows.
    const rows = await page.getByRole('link', { name: /^打开办件 / }).count();
    for (let i = 0; i < rows; i++) {
      await page.keyboard.press('j');
      if (await link.evaluate((el) => el === document.activeElement)) break;
    }
    await page.keyboard.press('Enter');
    await expect.poll(() => new URL(page.url()).pathname).toBe(`/workbench/cases/${filed.caseId}`);
    await page.getByRole('heading', { level: 1, name: `办件 ${filed.number}` }).waitFor();
    await page.getByText('示例市长安区振兴路1号').waitFor();

    await page.getByRole('button', { name: `材料预览：${STATEMENT}` }).click();
    const image = page.getByRole('img', { name: `材料预览：${STATEMENT}` });
    await image.waitFor();
    await expect.poll(() => image.evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBe(600);

    // E receives, A accepts; each is confirmed because it cannot be undone.
    await page.keyboard.press('e');
    await confirm(page);
    await expect.poll(async () => (await caseOnServer(page, filed.caseId)).status).toBe('prereviewing');
    await page.getByRole('button', { name: /^受理/ }).waitFor();
    await page.keyboard.press('?');
    await page.getByRole('dialog', { name: '键盘快捷键' }).waitFor();
    await page.keyboard.press('Escape');
    await page.getByRole('dialog', { name: '键盘快捷键' }).waitFor({ state: 'hidden' });
    await page.keyboard.press('a');
    await confirm(page);
    await expect.poll(async () => (await caseOnServer(page, filed.caseId)).status).toBe('accepted');
    await expect.poll(() => page.getByTestId('case-status').textContent()).toBe('已受理');
    // Accepted: the clerk has nothing more to do here, so no action is offered.
    await page.getByText('当前状态下您没有可执行的操作').waitFor();
    await screenshot(page, 'workbench-case');
    expectNoProblems(page);
    await context.close();
  });

  it('sends a one-time 补正 notice naming a material and sees the supplement come back', async () => {
    const context = await newContext(browser);
    const page = await watchedPage(context);
    await signInWithPassword(page, 'window.clerk');
    const agreement = pdf('困难情况说明（缺证明）');
    const filed = await fileRelief(citizen, agreement, '情况说明.pdf', 'application/pdf');
    await page.goto(`/workbench/cases/${filed.caseId}`);
    await page.getByRole('button', { name: /^接件/ }).click();
    await confirm(page);
    await page.getByRole('button', { name: /^补齐补正告知/ }).waitFor();

    await page.keyboard.press('b');
    const dialog = page.getByRole('dialog', { name: '一次性告知补正材料' });
    await dialog.waitFor();
    // Nothing is sent without a material, its problem and a reason.
    await dialog.getByRole('button', { name: '确认', exact: true }).click();
    await dialog.getByText('请至少选择一份材料').waitFor();
    await dialog.getByRole('checkbox', { name: STATEMENT }).check();
    await dialog.getByLabel(`“${STATEMENT}”的问题`).fill('缺少村（居）委会证明');
    await dialog.getByLabel('理由').fill('材料不齐全');
    await dialog.getByRole('button', { name: '确认', exact: true }).click();
    await expect.poll(async () => (await caseOnServer(page, filed.caseId)).status).toBe('supplementing');
    const noticed = await caseOnServer(page, filed.caseId);
    expect(noticed.timeline.find((e) => e.action === 'request_supplement')?.details.needed).toEqual([
      { name: STATEMENT, problem: '缺少村（居）委会证明' },
    ]);
    await page.getByText(`需补正：${STATEMENT}（缺少村（居）委会证明）`).waitFor();

    // The applicant supplies the signed agreement (through the API: the portal's page is built elsewhere).
    const signed = pdf('困难情况说明（附证明）');
    const driveFile = await citizen(
      'POST',
      '/api/v1/drive/files',
      signed,
      upload('情况说明（附证明）.pdf', 'application/pdf'),
    );
    await citizen('POST', `/api/v1/cases/${filed.caseId}/actions/supplement`, {
      version: noticed.version,
      supplied: [{ name: STATEMENT, uploadId: driveFile.id }],
    });
    await page.reload();
    await expect.poll(() => page.getByTestId('case-status').textContent()).toBe('预审中');
    await page.getByText('补正提交', { exact: false }).waitFor();
    await page.getByRole('button', { name: `材料预览：${STATEMENT}` }).click();
    const frame = page.getByTitle(`材料预览：${STATEMENT}`);
    const source = await frame.getAttribute('src');
    const served = await page.request.get(source!);
    expect(served.headers()['content-type']).toBe('application/pdf');
    expect(Buffer.from(await served.body()).equals(signed)).toBe(true);
    expectNoProblems(page);
    await context.close();
  });

  it('an approver approves in review with V and the department head decides with D', async () => {
    const filed = await fileRelief(citizen, pdf('困难情况说明'), '情况说明.pdf', 'application/pdf');
    const staffPage = async (username: string) => {
      const page = await watchedPage(await newContext(browser));
      await signInWithPassword(page, username);
      await page.goto(`/workbench/cases/${filed.caseId}`);
      await page.getByRole('heading', { level: 1, name: `办件 ${filed.number}` }).waitFor();
      return page;
    };
    const statusOf = async (page: Page) => (await caseOnServer(page, filed.caseId)).status;

    const clerk = await staffPage('window.clerk');
    await clerk.keyboard.press('e');
    await confirm(clerk);
    await clerk.getByRole('button', { name: /^受理/ }).waitFor();
    // R asks for the reason of a refusal; nothing is sent without one.
    await clerk.keyboard.press('r');
    const refusal = clerk.getByRole('dialog', { name: '不予受理' });
    await refusal.getByRole('button', { name: '确认', exact: true }).click();
    await refusal.getByText('请填写理由').waitFor();
    await refusal.getByRole('button', { name: '取消', exact: true }).click();
    expect(await statusOf(clerk)).toBe('prereviewing');
    await clerk.keyboard.press('a');
    await confirm(clerk);
    await expect.poll(() => statusOf(clerk)).toBe('accepted');

    const approver = await staffPage('approver');
    await approver.getByRole('button', { name: /^审查通过/ }).waitFor();
    await approver.keyboard.press('v');
    await confirm(approver);
    await expect.poll(() => statusOf(approver)).toBe('under_review');

    const head = await staffPage('dept.head');
    await head.getByRole('button', { name: /^准予许可/ }).waitFor();
    await head.keyboard.press('d');
    await confirm(head);
    await expect.poll(() => statusOf(head)).toBe('decided_approved');
    await expect.poll(() => head.getByTestId('case-status').textContent()).toBe('准予许可');
    for (const page of [clerk, approver, head]) {
      expectNoProblems(page);
      await page.context().close();
    }
  });

  it('marks cases close to their deadline yellow and overdue ones red, with the working days', async () => {
    const context = await newContext(browser);
    const page = await watchedPage(context);
    await signInWithPassword(page, 'window.clerk');
    await page.goto('/workbench?view=all');
    const red = page.getByRole('row').filter({ hasText: '高龄津贴发放' }).locator('[data-clock]');
    const yellow = page
      .getByRole('row')
      .filter({ hasText: '临时救助金给付' })
      .locator('[data-clock="yellow"]');
    await expect.poll(() => red.getAttribute('data-clock')).toBe('red');
    expect(await red.textContent()).toMatch(/^超期 \d+ 个工作日$/);
    expect(await yellow.count()).toBe(1);
    expect(await yellow.textContent()).toMatch(/^临近时限 · (剩余 \d+ 个工作日|今日到期)$/);
    // Overdue first.
    const first = page.getByRole('row').nth(1);
    expect(await first.textContent()).toContain('高龄津贴发放');
    // Filtering by the applicant keeps only their case, and the filter stays in the address.
    const applicant = (await first.getByRole('cell').nth(2).textContent())!;
    await page.getByLabel('申请人').fill(applicant);
    await page.getByRole('button', { name: '查询', exact: true }).click();
    await expect.poll(() => new URL(page.url()).searchParams.get('applicant')).toBe(applicant);
    await expect.poll(() => page.getByRole('row').count()).toBe(2);
    await page.getByRole('button', { name: '重置', exact: true }).click();
    await expect.poll(() => new URL(page.url()).searchParams.get('applicant')).toBe(null);
    await page.getByRole('navigation').getByRole('menuitem', { name: '已超期' }).click();
    await expect.poll(() => page.getByRole('row').filter({ hasText: '高龄津贴发放' }).count()).toBe(1);
    await screenshot(page, 'workbench-list');
    expectNoProblems(page);
    await context.close();
  });

  it('fits a phone: list and case', async () => {
    const context = await newContext(browser, 'phone');
    const page = await watchedPage(context);
    await signInWithPassword(page, 'window.clerk');
    await page.goto('/workbench?view=all');
    const link = page.getByRole('link', { name: /^打开办件 / }).first();
    await link.waitFor();
    await page
      .getByText(/^超期 \d+ 个工作日$/)
      .first()
      .waitFor();
    await screenshot(page, 'workbench-list');
    await page.getByRole('button', { name: '导航菜单' }).click();
    await page.getByRole('menuitem', { name: '我的待办' }).click();
    await expect.poll(() => new URL(page.url()).searchParams.get('view')).toBe('mine');
    await page.goto('/workbench?view=all');
    await page
      .getByRole('link', { name: /^打开办件 / })
      .last()
      .click();
    await page.getByRole('heading', { level: 1 }).waitFor();
    await page.getByText('申请材料').waitFor();
    await screenshot(page, 'workbench-case');
    expectNoProblems(page);
    await context.close();
  });
});
