import type { Browser, Locator, Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  expectNoProblems,
  launchBrowser,
  newContext,
  openDialog,
  pageApi,
  screenshot,
  signInWithPassword,
  watchedPage,
} from './harness.ts';

interface Field {
  name: string;
  sensitivity: string;
  mask: string | null;
}
interface Resource {
  code: string;
  name: string;
  description: string;
  fields: Field[];
}

/**
 * The console's resource catalog: the administrator (who acts for every provider) changes
 * how 公共信用信息 is shared — its field 事项 from internal to sensitive, masked in the
 * middle — with a description too long for the server first, sees the change in the list
 * and through the API, then sets it back. A department head whose department provides no
 * resource sees no edit action.
 */
describe('console data-sharing resources', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(() => browser?.close());

  const RESOURCE = 'credit.record';
  const heading = (page: Page) => page.getByRole('heading', { level: 1 });
  const save = (dialog: Locator) => dialog.getByRole('button', { name: '保存', exact: true });
  const isPatch = (request: Request) =>
    request.method() === 'PATCH' && request.url().endsWith(`/api/v1/exchange/resources/${RESOURCE}`);

  /** Picks `option` in the antd select labelled `label`, with the keyboard. */
  async function chooseByKeyboard(page: Page, label: string, option: string) {
    const select = page.getByLabel(label, { exact: true });
    await select.focus();
    await page.keyboard.press('Enter');
    const list = page.locator('.ant-select-dropdown:visible');
    await list.waitFor();
    for (let i = 0; i < 8; i++) {
      const active = await list.locator('.ant-select-item-option-active').textContent();
      if (active === option) break;
      await page.keyboard.press('ArrowDown');
    }
    await page.keyboard.press('Enter');
    await expect.poll(() => list.count()).toBe(0);
  }

  /** The expanded field table's row of a field of a resource in the catalog. */
  async function listedField(page: Page, resourceName: string, field: string) {
    const row = page.getByRole('row', { name: new RegExp(resourceName) }).first();
    await row.getByRole('button', { name: '展开行' }).click();
    return page.locator('.ant-table-expanded-row').getByRole('row', { name: new RegExp(`^${field} `) });
  }

  it('changes a field of a resource to sensitive with a mask, and back', async () => {
    const context = await newContext(browser, 'pc');
    const page = await watchedPage(context);
    await signInWithPassword(page, 'admin');
    const call = pageApi(page);
    const before = await call<Resource>('GET', `/api/v1/exchange/resources/${RESOURCE}`);
    expect(before.fields.find((f) => f.name === 'title')).toMatchObject({
      sensitivity: 'internal',
      mask: null,
    });

    await page.goto('/console/exchange/resources');
    await expect.poll(() => heading(page).textContent()).toBe('信息资源目录');
    // The administrator acts for every provider: each of the four resources can be edited.
    await expect.poll(() => page.getByRole('button', { name: /^编辑/ }).count()).toBe(4);
    let dialog = await openDialog(page, page.getByRole('button', { name: '编辑公共信用信息' }));
    expect(await page.getByRole('dialog', { name: '编辑共享方式：公共信用信息' }).count()).toBe(1);
    expect(await dialog.getByLabel('共享类型').count()).toBe(1);
    expect(await dialog.getByLabel('更新频率').count()).toBe(1);
    expect(await dialog.getByLabel('资源说明').inputValue()).toBe(before.description);
    // Masks are chosen for sensitive fields only: 主体标识 has one, 事项 (internal) none yet.
    expect(await dialog.getByLabel('主体标识的脱敏方式').count()).toBe(1);
    expect(await dialog.getByLabel('事项的脱敏方式').count()).toBe(0);

    await chooseByKeyboard(page, '事项的敏感级别', '敏感');
    const mask = dialog.getByLabel('事项的脱敏方式');
    await mask.waitFor();
    // A sensitive field needs a mask: nothing is sent without one.
    let sent = 0;
    page.on('request', (request) => {
      if (isPatch(request)) sent++;
    });
    await save(dialog).click();
    await expect.poll(() => dialog.getByText('请选择敏感字段的脱敏方式').count()).toBe(1);
    expect(sent).toBe(0);
    await chooseByKeyboard(page, '事项的脱敏方式', '遮盖中间（保留首尾各 2 位）');
    await screenshot(page, 'console-exchange-resource-editor');

    // A description longer than the server takes: its message shows beside the description.
    const description = dialog.getByLabel('资源说明');
    await description.fill('长'.repeat(501));
    const rejected = page.waitForResponse((response) => isPatch(response.request()));
    await save(dialog).click();
    expect((await rejected).status()).toBe(400);
    await expect.poll(() => dialog.getByText(/长度不能超过 ?500/).count()).toBe(1);
    expect(await dialog.getByRole('alert').filter({ hasText: '请求参数不正确' }).count()).toBe(0);
    const unchanged = await call<Resource>('GET', `/api/v1/exchange/resources/${RESOURCE}`);
    expect(unchanged.fields).toEqual(before.fields);

    // The description as it was: only the field is sent.
    await description.fill(before.description);
    const patched = page.waitForRequest(isPatch);
    await save(dialog).click();
    expect((await patched).postDataJSON()).toEqual({
      fields: [{ name: 'title', sensitivity: 'sensitive', mask: 'middle' }],
    });
    await expect.poll(() => page.getByRole('dialog').count()).toBe(0);
    await expect.poll(() => page.getByText('已保存公共信用信息的共享方式').count()).toBe(1);

    const listed = await listedField(page, '公共信用信息', 'title');
    await expect.poll(() => listed.getByText('敏感', { exact: true }).count()).toBe(1);
    await expect.poll(() => listed.getByText('遮盖中间（保留首尾各 2 位）').count()).toBe(1);
    const after = await call<Resource>('GET', `/api/v1/exchange/resources/${RESOURCE}`);
    expect(after.fields.find((f) => f.name === 'title')).toEqual({
      ...before.fields.find((f) => f.name === 'title'),
      sensitivity: 'sensitive',
      mask: 'middle',
    });
    expect(after.fields.filter((f) => f.name !== 'title')).toEqual(
      before.fields.filter((f) => f.name !== 'title'),
    );
    expect(after.description).toBe(before.description);

    // Back to internal: the mask goes with it, and the catalog is as it was.
    dialog = await openDialog(page, page.getByRole('button', { name: '编辑公共信用信息' }));
    expect(await dialog.getByLabel('事项的脱敏方式').count()).toBe(1);
    await chooseByKeyboard(page, '事项的敏感级别', '内部');
    await expect.poll(() => dialog.getByLabel('事项的脱敏方式').count()).toBe(0);
    const restored = page.waitForRequest(isPatch);
    await save(dialog).click();
    expect((await restored).postDataJSON()).toEqual({
      fields: [{ name: 'title', sensitivity: 'internal', mask: null }],
    });
    await expect.poll(() => page.getByRole('dialog').count()).toBe(0);
    await expect.poll(() => listed.getByText('内部', { exact: true }).count()).toBe(1);
    expect(await call<Resource>('GET', `/api/v1/exchange/resources/${RESOURCE}`)).toEqual(before);

    // Nothing changed: nothing is sent.
    dialog = await openDialog(page, page.getByRole('button', { name: '编辑公共信用信息' }));
    await save(dialog).click();
    await expect.poll(() => page.getByText('没有修改').count()).toBe(1);
    await expect.poll(() => page.getByRole('dialog').count()).toBe(0);
    // The rejected description, the change and the change back.
    expect(sent).toBe(3);
    expectNoProblems(page);
    await context.close();
  });

  it('fits the editor on a phone and closes it with Escape, nothing saved', async () => {
    const context = await newContext(browser, 'phone');
    const page = await watchedPage(context);
    await signInWithPassword(page, 'admin');
    const call = pageApi(page);
    const before = await call<Resource>('GET', `/api/v1/exchange/resources/${RESOURCE}`);
    await page.goto('/console/exchange/resources');
    await expect.poll(() => heading(page).textContent()).toBe('信息资源目录');
    const dialog = await openDialog(page, page.getByRole('button', { name: '编辑公共信用信息' }));
    await chooseByKeyboard(page, '事项的敏感级别', '公开');
    await screenshot(page, 'console-exchange-resource-editor');
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.count()).toBe(0);
    expect(await call<Resource>('GET', `/api/v1/exchange/resources/${RESOURCE}`)).toEqual(before);
    expectNoProblems(page);
    await context.close();
  });

  it('offers no edit to a department head whose department provides no resource', async () => {
    const context = await newContext(browser, 'pc');
    const page = await watchedPage(context);
    // The district's 市场监督管理局 manages data sharing; the city's provides the resources.
    await signInWithPassword(page, 'market.head');
    await page.goto('/console/exchange/resources');
    await expect.poll(() => heading(page).textContent()).toBe('信息资源目录');
    await expect.poll(() => page.getByRole('row', { name: /公共信用信息/ }).count()).toBe(1);
    expect(await page.getByRole('button', { name: /^编辑/ }).count()).toBe(0);
    expect(await page.getByRole('columnheader', { name: '操作' }).count()).toBe(0);
    expectNoProblems(page);
    await context.close();
  });
});
