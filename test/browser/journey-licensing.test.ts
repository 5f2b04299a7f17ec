import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  DEMO_PASSWORD,
  expectNoProblems,
  launchBrowser,
  newContext,
  openDialog,
  pageApi,
  screenshot,
  signInWithPassword,
  watchedPage,
  type WatchedPage,
} from './harness.ts';

/**
 * Issue 7's licensing journey across the three areas, with the demo city's accounts only:
 * the demo enterprise's legal representative acts for it in the portal, finds
 * 食品经营许可(新办), applies with the enterprise's 营业执照 reused from its licence wallet,
 * the district's window accepts in the workbench, 住房和城乡建设局 and 市场监督管理局
 * approve in parallel, the head of 市场监督管理局 decides, its approver makes the certificate, the
 * window delivers and completes; the enterprise finds its 食品经营许可证 in the wallet and
 * anyone verifies it from the page behind its QR code.
 */

const ITEM = '食品经营许可(新办)';
const DISTRICT = '329901000000';
const UPLOADS = [
  '食品经营许可申请书',
  '与食品经营相适应的主要设备设施布局和操作流程文件',
  '食品安全管理制度',
];

const eventually = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 15_000 });

/** The demo legal representative's phone, as the server printed it at start. */
function representativePhone(): string {
  const match = /citizens \(phone\): (1\d{10}) /.exec(inject('serverOutput'));
  return match![1]!;
}

const pdf = (title: string) => Buffer.from(`%PDF-1.4\n% ${title}\n${'%'.repeat(2000)}\n%%EOF\n`);

async function upload(page: Page, material: string) {
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: `上传文件：${material}` }).click();
  await (
    await chooser
  ).setFiles({ name: `${material}.pdf`, mimeType: 'application/pdf', buffer: pdf(material) });
  const bar = page.getByRole('progressbar', { name: `${material}.pdf 上传完成` });
  await eventually(() => bar.getAttribute('aria-valuenow')).toBe('100');
}

async function staffPage(browser: Browser, username: string): Promise<WatchedPage> {
  const page = await watchedPage(await newContext(browser));
  await page.goto('/workbench/login');
  await page.getByLabel('用户名').fill(username);
  await page.getByLabel('密码').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: '登录', exact: true }).click();
  await eventually(() => new URL(page.url()).pathname).toBe('/workbench');
  return page;
}

/** Takes one step on the case page: its button (its name starts with the action's), then the confirmation. */
async function act(page: WatchedPage, caseId: string, action: string) {
  await page.goto(`/workbench/cases/${caseId}`);
  const button = page.getByRole('button', { name: new RegExp(`^${action}`) });
  await button.waitFor({ timeout: 15_000 });
  const dialog = await openDialog(page, button);
  await dialog.getByRole('button', { name: '确认', exact: true }).click();
  await dialog.waitFor({ state: 'hidden' });
}

describe('journey: an enterprise applies for a licence that two departments approve', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(() => browser?.close());

  it('runs from the portal through the workbench to a licence verified from its QR page', async () => {
    // The representative signs in and binds the enterprise on the account page (the registry
    // names them its legal representative; a mistyped code is refused beside the field), then acts for it.
    const applicant = await watchedPage(await newContext(browser));
    await signInWithPassword(applicant, representativePhone());
    const api = pageApi(applicant);
    const [, name, uscc] = /enterprise: (\S+) ([0-9A-Z]{18})/.exec(inject('serverOutput'))!;
    await applicant.goto('/account#acting');
    const code = applicant.getByLabel('统一社会信用代码');
    await code.fill('91I1');
    await applicant.getByRole('button', { name: '绑定企业' }).click();
    await eventually(() => applicant.getByText('统一社会信用代码为18位数字或大写字母').isVisible()).toBe(
      true,
    );
    // Bound once per server: another journey on the same server may have bound it already.
    const { enterprises } = await api<{ enterprises: { uscc: string }[] }>('GET', '/api/v1/identity/me');
    if (!enterprises.some((e) => e.uscc === uscc)) {
      await code.fill(uscc!);
      await applicant.getByRole('button', { name: '绑定企业' }).click();
      await eventually(() => applicant.getByText(`已绑定 ${name}`).isVisible()).toBe(true);
    } else await applicant.reload();
    const enterprise = { name: name! };
    await applicant.getByRole('button', { name: `切换为此身份：${enterprise.name}` }).click();
    await eventually(() => applicant.getByText('已切换办事身份').isVisible()).toBe(true);

    // Find the item, read its guide, apply in the demo district.
    await applicant.goto(`/search?q=${encodeURIComponent('开餐馆')}`);
    await applicant.getByRole('link', { name: ITEM }).first().click();
    await eventually(() => applicant.getByRole('heading', { level: 1 }).textContent()).toContain(ITEM);
    const itemCode = /\/items\/([^/?#]+)/.exec(applicant.url())![1]!;
    await applicant.goto(`/apply/${itemCode}?region=${DISTRICT}`);
    await applicant.getByRole('button', { name: '开始申办' }).click();
    await applicant.waitForURL(new RegExp(`/apply/${itemCode}/[0-9a-f-]{36}`));
    const applicationId = /\/([0-9a-f-]{36})/.exec(applicant.url())![1]!;

    // The form: the enterprise's particulars are filled in; the shop's are typed.
    await eventually(() => applicant.getByLabel('单位名称').inputValue()).toBe(enterprise.name);
    await applicant.getByLabel('经办人手机号码').fill('13912345678');
    await applicant.getByLabel('经营场所名称').fill('示例小厨');
    await applicant.getByLabel('经营场所', { exact: true }).fill('示例市长安区人民路88号');
    await applicant.getByLabel('主体业态').click();
    // antd draws the visible choices apart from its hidden accessible list: pick the visible one.
    await applicant.locator('.ant-select-item-option', { hasText: '餐饮服务经营者' }).click();
    await applicant.getByLabel('经营项目').fill('热食类食品制售');
    await applicant.getByRole('button', { name: '下一步' }).click();
    await applicant.waitForURL(/step=materials/);

    // 营业执照 is reused from the enterprise's wallet; the rest are uploaded.
    const draft = await api<{ materials: { name: string; status: string; provided?: { source: string } }[] }>(
      'GET',
      `/api/v1/applications/${applicationId}`,
    );
    expect(draft.materials.find((m) => m.name === '营业执照')).toMatchObject({
      status: 'provided',
      provided: { source: 'licence' },
    });
    for (const material of UPLOADS) await upload(applicant, material);
    await screenshot(applicant, 'journey-licensing-materials');
    await applicant.getByRole('button', { name: '下一步' }).click();
    await applicant.waitForURL(/step=review/);
    await applicant.getByRole('button', { name: '确认提交' }).click();
    await eventually(() => applicant.getByRole('heading', { level: 1 }).textContent()).toBe('申请已提交');
    const [filed] = (
      await api<{ cases: { caseId: string }[] }>('GET', `/api/v1/applications/${applicationId}/progress`)
    ).cases;
    const caseId = filed!.caseId;

    // The workbench: the window receives and accepts; two departments approve in parallel;
    // the lead department's head decides, its approver makes the certificate; the window delivers and completes.
    const clerk = await staffPage(browser, 'window.clerk');
    await act(clerk, caseId, '接件');
    await act(clerk, caseId, '受理');
    const housing = await staffPage(browser, 'housing.approver');
    await act(housing, caseId, '审查通过');
    const market = await staffPage(browser, 'market.approver');
    await act(market, caseId, '审查通过');
    const head = await staffPage(browser, 'market.head');
    await act(head, caseId, '准予许可');
    await act(market, caseId, '制证');
    await act(clerk, caseId, '送达');
    await act(clerk, caseId, '办结');
    await eventually(() => clerk.getByTestId('case-status').textContent()).toBe('已办结');
    await screenshot(clerk, 'journey-licensing-case');

    // The wallet holds the new licence; its QR code leads to the public verification page.
    let id: string | undefined;
    await eventually(async () => {
      const held = await api<{ id: string; typeName: string }[]>('GET', '/api/v1/my/licenses');
      return (id = held.find((l) => l.typeName === '食品经营许可证')?.id);
    }).toBeTruthy();
    await applicant.goto(`/my/licences/${encodeURIComponent(id!)}`);
    await eventually(() => applicant.getByText('示例市长安区人民路88号').isVisible()).toBe(true);
    const link = applicant.getByRole('link', { name: /核验/ }).first();
    const verifyUrl = await link.getAttribute('href');
    expect(verifyUrl).toContain(`/verify/licenses/${encodeURIComponent(id!)}`);
    const anyone = await watchedPage(await newContext(browser, 'phone'));
    await anyone.goto(verifyUrl!);
    await eventually(() => anyone.getByText('证照真实有效').isVisible()).toBe(true);
    await screenshot(anyone, 'journey-licensing-verification');

    for (const page of [applicant, clerk, housing, market, head, anyone]) expectNoProblems(page);
  });
});
