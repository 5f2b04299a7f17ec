import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  apiAs,
  expectNoProblems,
  launchBrowser,
  newContext,
  pageApi,
  screenshot,
  signInWithPassword,
  watchedPage,
  type ApiCall,
  type ViewportName,
} from './harness.ts';

/**
 * Applying online as a demo citizen: 内地居民结婚登记 from its apply page (a wrong value
 * is shown beside its field and not saved; the draft is saved, survives a reload and is
 * resumed when coming back; materials upload with a progress bar; review with prechecks;
 * submission), then the case in my space with its timeline, and a 补正 notice the
 * citizen answers from the case page.
 */

const ITEM = '0700000101'; // 内地居民结婚登记 (basic code of the demo catalog)
const PHOTO = '双方近期半身免冠合影照片3张';
const DECLARATION = '本人无配偶以及与对方当事人没有直系血亲和三代以内旁系血亲关系的签字声明';

/** Waits for what the page shows (lazy chunks and API calls take their time on two busy cores). */
const eventually = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 15_000 });

/** The two demo citizens' phones, as the server printed them at start. */
const citizens = () => {
  const match = /citizens \(phone\): (1\d{10}) \S+, (1\d{10})/.exec(inject('serverOutput'));
  return [match![1]!, match![2]!] as const;
};

/** A small PDF of about `size` bytes (big enough for the upload to report progress). */
const pdf = (size: number) => Buffer.from(`%PDF-1.4\n%${'x'.repeat(size)}\n%%EOF\n`);

interface Draft {
  id: string;
  status: string;
  parts: { itemCode: string; formData: Record<string, unknown> }[];
  materials: { name: string; status: string }[];
}

/** Earlier runs' drafts of the item are removed, so the journey starts a new application. */
async function removeDrafts(api: ApiCall) {
  const drafts = await api<{ items: { id: string; parts: { itemCode: string }[] }[] }>(
    'GET',
    '/api/v1/applications?status=draft&size=100',
  );
  for (const draft of drafts.items.filter((d) => d.parts[0]?.itemCode === ITEM))
    await api('DELETE', `/api/v1/applications/${draft.id}`);
}

async function upload(page: Page, material: string, name: string, bytes: Buffer) {
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: `上传文件：${material}` }).click();
  await (await chooser).setFiles({ name, mimeType: 'application/pdf', buffer: bytes });
  const bar = page.getByRole('progressbar', { name: `${name} 上传完成` });
  await eventually(() => bar.getAttribute('aria-valuenow')).toBe('100');
}

describe('applying online and following the case (portal-apply)', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  const sizes: [ViewportName, 0 | 1][] = [
    ['pc', 0],
    ['phone', 1],
  ];
  for (const [size, who] of sizes) {
    it(`a citizen applies for 内地居民结婚登记 and follows the case (${size})`, async () => {
      const context = await newContext(browser, size);
      const page = await watchedPage(context);
      await signInWithPassword(page, citizens()[who]);
      const api = pageApi(page);
      await removeDrafts(api);

      await page.goto(`/apply/${ITEM}`);
      await eventually(() => page.getByRole('heading', { level: 1 }).textContent()).toContain(
        '内地居民结婚登记',
      );
      await page.getByRole('button', { name: '开始申办' }).click();
      await page.waitForURL(new RegExp(`/apply/${ITEM}/[0-9a-f-]{36}`));
      const applicationId = /\/([0-9a-f-]{36})/.exec(page.url())![1]!;
      const read = () => api<Draft>('GET', `/api/v1/applications/${applicationId}`);

      // The verified name and ID number are filled in; a wrong phone number is refused beside its field.
      await eventually(() => page.getByLabel('申请人姓名').inputValue()).not.toBe('');
      const phone = page.getByLabel('手机号码');
      await phone.fill('12345');
      await page.getByRole('button', { name: '下一步' }).click();
      await eventually(() => page.getByRole('alert').first().textContent()).toContain('请按提示修改标红的项');
      await eventually(() => page.getByText('格式不正确').isVisible()).toBe(true);
      await screenshot(page, 'apply-form-invalid');
      expect(page.url()).not.toContain('step=materials');
      expect((await read()).parts[0]!.formData.phone).toBeUndefined();

      // A mistyped ID number is explained with the server's own check-digit rule.
      const idNumber = page.getByLabel('公民身份号码');
      const realId = await idNumber.inputValue();
      const wrongCheck = realId.slice(0, 17) + (realId.endsWith('1') ? '2' : '1');
      await idNumber.fill(wrongCheck);
      await idNumber.blur();
      await eventually(() => page.getByText('校验码不正确').isVisible()).toBe(true);
      await idNumber.fill(realId);

      // Fixed, the draft is saved; a reload and coming back later resume it.
      await phone.fill('13912345678');
      await page.getByLabel('联系地址').fill('示例市长安区振兴街道1号');
      // The old message leaves with an animation; the screenshot waits for it to be gone.
      await eventually(() => page.getByText('格式不正确').count()).toBe(0);
      await page.getByRole('button', { name: '保存草稿' }).click();
      await eventually(() => page.getByTestId('save-status').textContent()).toContain('草稿已保存');
      expect((await read()).parts[0]!.formData).toMatchObject({ phone: '13912345678', idNumber: realId });
      await screenshot(page, 'apply-form');
      await page.reload();
      await eventually(() => page.getByLabel('手机号码').inputValue()).toBe('13912345678');
      await page.goto('/');
      await page.goto(`/apply/${ITEM}`);
      await eventually(() => page.getByText('已为您恢复上次未提交的草稿').isVisible()).toBe(true);
      expect(page.url()).toContain(applicationId);
      await eventually(() => page.getByLabel('联系地址').inputValue()).toBe('示例市长安区振兴街道1号');

      // Materials: the ID card and household register come from the registry (免提交); two uploads.
      await page.getByRole('button', { name: '下一步' }).click();
      await page.waitForURL(/step=materials/);
      await eventually(() => page.getByText('已从人口库获取，无需提交').count()).toBe(2);
      await upload(page, PHOTO, '合影.pdf', pdf(400_000));
      await upload(page, DECLARATION, '声明.pdf', pdf(20_000));
      const materials = (await read()).materials;
      expect(materials.every((m) => m.status === 'provided')).toBe(true);
      await screenshot(page, 'apply-materials');

      // Review: the answers, the materials and the prechecks; then submission.
      await page.getByRole('button', { name: '下一步' }).click();
      await page.waitForURL(/step=review/);
      await eventually(() => page.getByText('姓名与身份证号一致').isVisible()).toBe(true);
      await eventually(() => page.getByText('13912345678').isVisible()).toBe(true);
      await screenshot(page, 'apply-review');
      await page.getByRole('button', { name: '确认提交' }).click();
      await eventually(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('申请已提交');
      const submitted = await read();
      expect(submitted.status).toBe('submitted');
      await eventually(() => page.getByText(/统一申办编号：\d+/).isVisible()).toBe(true);
      await screenshot(page, 'apply-submitted');

      // The case in my space, with its timeline.
      await page.getByRole('button', { name: '查看办件进度' }).click();
      await page.waitForURL(/\/my\/cases\//);
      await eventually(() => page.getByText('提交申请 → 已申请').isVisible()).toBe(true);
      await eventually(() => page.getByTestId('case-status').textContent()).toBe('已申请');
      await screenshot(page, 'my-case');
      await page.goto('/my');
      await eventually(() => page.getByText('内地居民结婚登记').first().isVisible()).toBe(true);
      await screenshot(page, 'my-cases');

      // The submission's message, unread until marked.
      await page.getByRole('button', { name: /^消息/ }).click();
      const message = page.getByTestId('message').filter({ hasText: '内地居民结婚登记' }).first();
      await eventually(() => message.textContent()).toContain('未读');
      const before = await api<{ unread: number }>('GET', '/api/v1/messages/unread-count');
      await message.getByRole('button', { name: /标为已读/ }).click();
      await eventually(() => message.textContent()).not.toContain('未读');
      expect((await api<{ unread: number }>('GET', '/api/v1/messages/unread-count')).unread).toBe(
        before.unread - 1,
      );
      expectNoProblems(page);
      await context.close();
    });
  }

  it('a citizen answers a 补正 notice from the case page with a new file', async () => {
    const context = await newContext(browser, 'pc');
    const page = await watchedPage(context);
    await signInWithPassword(page, citizens()[0]);
    const api = pageApi(page);
    const { items } = await api<{ items: { caseId: string; itemCode: string; status: string }[] }>(
      'GET',
      '/api/v1/my/cases?size=50',
    );
    const filed = items.find((c) => c.itemCode === ITEM && c.status === 'submitted');
    expect(filed, 'the case the first journey filed').toBeDefined();
    const caseId = filed!.caseId;

    // The window clerk of the district takes it in and asks for a clearer photo (一次性告知).
    const clerk = await apiAs('window.clerk');
    const step = async (action: string, extra: object = {}) => {
      const { version } = await clerk<{ version: number }>('GET', `/api/v1/cases/${caseId}`);
      await clerk('POST', `/api/v1/cases/${caseId}/actions/${action}`, { version, ...extra });
    };
    await step('receive');
    await step('request_supplement', {
      reason: '照片不清晰',
      needed: [{ name: PHOTO, problem: '照片模糊，请上传清晰的合影照片' }],
    });

    await page.goto(`/my/cases/${caseId}`);
    await eventually(() => page.getByText('补正通知：请补交以下材料').isVisible()).toBe(true);
    await eventually(() => page.getByText('问题及要求：照片模糊，请上传清晰的合影照片').isVisible()).toBe(
      true,
    );
    await page.getByRole('button', { name: '提交补正材料' }).click();
    await eventually(() => page.getByText('请先为每项材料上传文件').isVisible()).toBe(true);
    const chooser = page.waitForEvent('filechooser');
    await page.getByRole('button', { name: `上传文件：${PHOTO}` }).click();
    await (
      await chooser
    ).setFiles({ name: '清晰合影.pdf', mimeType: 'application/pdf', buffer: pdf(200_000) });
    await eventually(() =>
      page.getByRole('progressbar', { name: '清晰合影.pdf 上传完成' }).getAttribute('aria-valuenow'),
    ).toBe('100');
    await screenshot(page, 'my-case-supplement');
    await page.getByRole('button', { name: '提交补正材料' }).click();
    await eventually(() => page.getByText('补齐补正材料 → 预审中').isVisible()).toBe(true);
    const after = await clerk<{ status: string; materials: { name: string; filename?: string }[] }>(
      'GET',
      `/api/v1/cases/${caseId}`,
    );
    expect(after.status).toBe('prereviewing');
    expect(after.materials.find((m) => m.name === PHOTO)?.filename).toBe('清晰合影.pdf');
    expectNoProblems(page);
    await context.close();
  });
});
