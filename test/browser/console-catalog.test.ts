import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  expectNoProblems,
  launchBrowser,
  newContext,
  openDialog,
  screenshot,
  signInWithPassword,
  watchedPage,
} from './harness.ts';

/**
 * The catalog administrator's journey in the console: find an item, refuse bad input
 * (in the browser and from the server), add a field to its application form in the
 * designer and see it in the preview, publish the new version, read the diff, and find
 * the field in the published guide the portal reads.
 */

const ITEM = '专业技术职称评审';
const FIELD = { key: 'certificateNumber', label: '职称证书编号' };

interface Version {
  version: number;
  status: string;
}

async function versionsOf(page: Page, code: string): Promise<Version[]> {
  const response = await page.request.get(`/api/v1/catalog/items/${code}/versions`);
  expect(response.status()).toBe(200);
  return ((await response.json()) as { items: Version[] }).items;
}

async function openItem(page: Page): Promise<string> {
  await page.goto('/console/catalog');
  await page.getByRole('heading', { level: 1, name: '事项管理' }).waitFor();
  const search = page.getByLabel('搜索', { exact: true });
  await search.fill(ITEM);
  await search.press('Enter');
  await page.getByRole('link', { name: ITEM }).click();
  await page.getByRole('heading', { level: 1, name: new RegExp(ITEM) }).waitFor();
  return page.url().split('/').pop()!;
}

describe('console: catalog editor', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(() => browser?.close());

  it('edits a form, publishes the new version, shows the diff, and the guide carries the new field', async () => {
    const context = await newContext(browser, 'pc');
    const page = await watchedPage(context);
    await signInWithPassword(page, 'catalog.admin');
    const code = await openItem(page);
    expect(await versionsOf(page, code)).toEqual([
      expect.objectContaining({ version: 1, status: 'published' }),
    ]);
    await expect.poll(() => page.getByText('保存后将生成第2版草稿').isVisible()).toBe(true);

    // Checked in the browser: an empty name is refused beside the field and nothing is sent.
    const name = page.getByLabel('事项名称', { exact: true });
    await name.fill('');
    await page.getByRole('button', { name: '保存草稿' }).click();
    await page.getByText('请填写事项名称').waitFor();
    await name.fill(ITEM);
    // Checked by the server: a promised limit above the legal one comes back beside its field.
    const promised = page.getByLabel('承诺办结时限（工作日）');
    await promised.fill('90');
    await page.getByRole('button', { name: '保存草稿' }).click();
    await page.getByText('承诺办结时限不能超过法定办结时限（60个工作日）').waitFor();
    expect(await versionsOf(page, code)).toHaveLength(1);
    await promised.fill('60');

    // The designer: a new field appears in the preview at once.
    await page.getByRole('tab', { name: '申请表单' }).click();
    const preview = page.getByTestId('form-preview');
    await preview.getByText('申请人姓名').waitFor();
    expect(await preview.getByText(FIELD.label).count()).toBe(0);
    const adder = page.getByTestId('add-field');
    await adder.getByLabel('字段标识').fill(FIELD.key);
    await adder.getByLabel('标签（中文）').fill(FIELD.label);
    await adder.getByRole('button', { name: '添加字段' }).click();
    await preview.getByLabel(FIELD.label).waitFor();
    await page.getByRole('button', { name: new RegExp(`^${FIELD.label}`) }).click();
    await page.getByRole('checkbox', { name: '必填' }).check();
    await screenshot(page, 'console-catalog-designer');

    await page.getByRole('button', { name: '保存草稿' }).click();
    await page.getByText('草稿已保存（第2版）').waitFor();
    expect((await versionsOf(page, code)).map((v) => v.status)).toEqual(['published', 'draft']);

    // Review and publish, each confirmed.
    await page.getByRole('tab', { name: '版本' }).click();
    for (const [action, status] of [
      ['提交审核', '审核中'],
      ['发布', '已发布'],
    ] as const) {
      const confirmation = await openDialog(page, page.getByRole('button', { name: action, exact: true }));
      await confirmation.getByRole('button', { name: '确定', exact: true }).click();
      await page.getByText(`第2版现为“${status}”`).waitFor();
    }
    expect((await versionsOf(page, code)).map((v) => v.status)).toEqual(['superseded', 'published']);

    const diff = page.getByTestId('version-diff');
    await diff.getByText(`新增表单字段“${FIELD.label}”`).waitFor();
    // Only the field was added: fields whose place did not change are not reported.
    await diff.getByText(`${FIELD.label} · 单行文本 · 必填`).waitFor();
    expect(await diff.getByRole('listitem').count()).toBe(1);
    await page.getByRole('tab', { name: '操作记录' }).click();
    await page.getByRole('cell', { name: '发布（第2版）' }).waitFor();
    await page.getByRole('tab', { name: '版本' }).click();
    await screenshot(page, 'console-catalog-versions');

    // What the portal's guide and apply pages read: the published version with the field, required.
    const guide = await page.request.get(`/api/v1/catalog/items/${code}`);
    const published = (await guide.json()) as {
      version: number;
      formSchema: { properties: Record<string, { title: string }>; required: string[] };
    };
    expect(published.version).toBe(2);
    expect(published.formSchema.properties[FIELD.key]).toMatchObject({ title: FIELD.label });
    expect(published.formSchema.required).toContain(FIELD.key);
    expectNoProblems(page);
    await context.close();
  });

  it('creates an item: refused without a name, then opened as the draft of version 1', async () => {
    const context = await newContext(browser, 'pc');
    const page = await watchedPage(context);
    await signInWithPassword(page, 'catalog.admin');
    await page.goto('/console/catalog');
    await page.getByRole('table').getByRole('link').first().waitFor();
    await screenshot(page, 'console-catalog-list');
    const dialog = await openDialog(page, page.getByRole('button', { name: '新建事项' }));
    await dialog.getByRole('button', { name: '创建', exact: true }).click();
    await dialog.getByText('请填写事项名称').waitFor();
    await dialog.getByText('请填写责任部门').waitFor();
    await dialog.getByLabel('事项名称').fill('控制台测试事项');
    await dialog.getByLabel('事项类型').click();
    await page.locator('.ant-select-item-option[title="行政许可"]').click();
    await dialog.getByTitle('行政许可').waitFor();
    await dialog.getByLabel('责任部门').fill('民政局');
    await dialog.getByRole('button', { name: '创建', exact: true }).click();
    await page.waitForURL(/\/console\/catalog\/\d+$/);
    await page.getByRole('heading', { level: 1, name: '控制台测试事项' }).waitFor();
    await page.getByText('正在编辑第1版草稿').waitFor();
    const code = page.url().split('/').pop()!;
    expect(await versionsOf(page, code)).toEqual([expect.objectContaining({ version: 1, status: 'draft' })]);
    expectNoProblems(page);
    await context.close();
  });

  it('makes a bundle (一件事) of two items and changes their order', async () => {
    const context = await newContext(browser, 'pc');
    const page = await watchedPage(context);
    await signInWithPassword(page, 'catalog.admin');
    await page.goto('/console/catalog/bundles');
    await page.getByRole('heading', { level: 1, name: '一件事管理' }).waitFor();
    const dialog = await openDialog(page, page.getByRole('button', { name: '新建一件事' }));
    await dialog.getByLabel('一件事编码').fill('console-test');
    await dialog.getByLabel('名称').fill('控制台测试一件事');
    await dialog.getByRole('button', { name: '保存', exact: true }).click();
    await dialog.getByText('一件事至少包含两个事项').waitFor();
    expect((await page.request.get('/api/v1/catalog/bundles/console-test')).status()).toBe(404);

    const items = ['职业技能等级证书查询', '住房公积金缴存证明开具'];
    for (const name of items) {
      await dialog.getByLabel('包含事项（按办理顺序）').fill(name.slice(0, 6));
      await page.locator(`.ant-select-item-option[title="${name}"]`).click();
      await dialog.getByText(name, { exact: true }).waitFor();
    }
    await dialog.getByRole('button', { name: '保存', exact: true }).click();
    await page.getByText('一件事已保存').waitFor();
    const names = async () =>
      (
        (await (await page.request.get('/api/v1/catalog/bundles/console-test')).json()) as {
          items: { name: string }[];
        }
      ).items.map((i) => i.name);
    expect(await names()).toEqual(items);

    await page.getByRole('button', { name: '编辑 控制台测试一件事' }).click();
    await dialog.getByRole('button', { name: `上移 ${items[1]}` }).click();
    await dialog.getByRole('button', { name: '保存', exact: true }).click();
    await page.getByText('一件事已保存').last().waitFor();
    await expect.poll(names).toEqual([items[1], items[0]]);
    await screenshot(page, 'console-catalog-bundles');
    expectNoProblems(page);
    await context.close();
  });

  it('fits a phone: the list, the designer with its preview, and the versions', async () => {
    const context = await newContext(browser, 'phone');
    const page = await watchedPage(context);
    await signInWithPassword(page, 'catalog.admin');
    await page.goto('/console/catalog');
    await page.getByRole('link', { name: ITEM }).or(page.getByRole('table')).first().waitFor();
    await page.waitForLoadState('networkidle');
    await screenshot(page, 'console-catalog-list');
    await openItem(page);
    await page.getByLabel('承诺办结时限（工作日）').waitFor();
    await screenshot(page, 'console-catalog-elements');
    await page.getByRole('tab', { name: '申请材料' }).click();
    await page.getByLabel('材料名称').first().waitFor();
    await screenshot(page, 'console-catalog-materials');
    await page.getByRole('tab', { name: '申请表单' }).click();
    await page.getByTestId('form-preview').getByText('申请人姓名').waitFor();
    await screenshot(page, 'console-catalog-designer');
    await page.getByRole('tab', { name: '版本' }).click();
    await page.getByTestId('version-diff').waitFor();
    await screenshot(page, 'console-catalog-versions');
    await page.goto('/console/catalog/bundles');
    await page.getByRole('heading', { level: 1, name: '一件事管理' }).waitFor();
    await page.waitForLoadState('networkidle');
    await screenshot(page, 'console-catalog-bundles');
    expectNoProblems(page);
    await context.close();
  });
});
