import { createHash } from 'node:crypto';
import { request, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  baseUrl,
  DEMO_PASSWORD,
  expectNoProblems,
  launchBrowser,
  newContext,
  openDialog,
  screenshot,
  signInWithPassword,
  watchedPage,
  type ViewportName,
} from './harness.ts';

/**
 * The console's shell, dashboard, administration and data-sharing pages: the administrator
 * signs in on the console's own form and reads the dashboard, adds a staff member and a
 * working-day override, approves a grant request with masked fields and reads a batch's
 * bad rows; every page is photographed at PC and phone size.
 */
describe('console administration', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(() => browser?.close());

  /** The API as the page's session sees it; changes carry the CSRF token of the session cookie. */
  async function call<T>(
    page: Page,
    method: 'GET' | 'POST',
    url: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<T> {
    const csrf = (await page.context().cookies()).find((c) => c.name === 'tb_csrf')?.value;
    const response = await page.request.fetch(url, {
      method,
      headers: { ...headers, ...(csrf && { 'x-csrf-token': decodeURIComponent(csrf) }) },
      ...(body === undefined ? {} : typeof body === 'string' ? { data: body } : { data: body as object }),
    });
    expect(response.status(), await response.text()).toBeLessThan(300);
    return (await response.json()) as T;
  }

  /** Picks `text` in the antd select labelled `label`, typing it first when the options come from a search. */
  async function choose(page: Page, label: string, text: string, search = false) {
    const select = page.getByLabel(label, { exact: true });
    await select.click();
    if (search) await select.fill(text);
    const exactly = new RegExp(`^${text}$`);
    await page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: exactly }).click();
    // A click beside it closes a multiple select's list (Tab would toggle the active option again).
    await page.locator('.ant-modal-title:visible').click();
    await expect.poll(() => page.locator('.ant-select-dropdown:visible').count()).toBe(0);
  }

  const heading = (page: Page) => page.getByRole('heading', { level: 1 });

  it('signs the administrator in on the console form and shows the dashboard with the numbers of the API', async () => {
    const context = await newContext(browser, 'pc');
    const page = await watchedPage(context);
    await page.goto('/console');
    await expect.poll(() => heading(page).textContent()).toBe('管理后台登录');
    // Nothing typed: the Chinese errors show beside the fields and nothing is sent.
    await page.getByRole('button', { name: '登录' }).click();
    await expect.poll(() => page.getByText('请输入用户名').count()).toBe(1);
    await page.getByLabel('用户名').fill('admin');
    await page.getByLabel('密码').fill('wrong-password-1');
    await page.getByRole('button', { name: '登录' }).click();
    await expect.poll(() => page.getByRole('alert').count()).toBeGreaterThan(0);
    await page.getByLabel('密码').fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: '登录' }).click();

    await page.waitForURL('**/console/dashboard');
    await expect.poll(() => heading(page).textContent()).toBe('数据看板');
    expect(await page.getByRole('main').count()).toBe(1);
    expect(await page.getByRole('banner').count()).toBe(1);
    const navigation = page.getByRole('navigation', { name: '管理后台导航' });
    for (const section of ['数据看板', '部门与区划', '人员与角色', '单点登录应用', '工作日设置', '访问记录'])
      await expect.poll(() => navigation.getByText(section, { exact: true }).count()).toBe(1);

    const stats = await call<{
      overdue: number;
      ended: number;
      byStatus: { count: number }[];
      byDepartment: { open: number }[];
    }>(page, 'GET', '/api/v1/cases/statistics?days=30');
    // The demo city has cases under way: every chart is drawn, on a canvas.
    expect(stats.byStatus.some((s) => s.count > 0)).toBe(true);
    await expect.poll(() => page.locator('canvas').count()).toBe(3);
    const figure = (key: string) =>
      page.getByTestId(`figure-${key}`).locator('.ant-statistic-content').textContent();
    expect(await figure('overdue')).toBe(String(stats.overdue));
    expect(await figure('ended')).toBe(String(stats.ended));
    expect(await figure('open')).toBe(String(stats.byDepartment.reduce((n, d) => n + d.open, 0)));
    expectNoProblems(page);
    await context.close();
  });

  it('adds a staff member, checked on the server', async () => {
    const context = await newContext(browser, 'pc');
    const page = await watchedPage(context);
    await signInWithPassword(page, 'admin');
    await page.goto('/console/staff');
    await expect.poll(() => heading(page).textContent()).toBe('人员与角色');
    const dialog = await openDialog(page, page.getByRole('button', { name: '新增人员' }));
    // A weak password is refused next to its field before anything is sent.
    await dialog.getByLabel('用户名').fill('new.clerk');
    await dialog.getByLabel('姓名').fill('新来的窗口人员');
    await dialog.getByLabel('初始密码').fill('short');
    await dialog.getByRole('button', { name: '保存' }).click();
    await expect
      .poll(() => dialog.getByText('密码应为 8 至 128 个字符，且至少包含字母、数字、符号中的两类').count())
      .toBe(1);
    await dialog.getByLabel('初始密码').fill('Window#2026');
    await choose(page, '部门', '示例市长安区政务服务中心', true);
    await choose(page, '角色', '窗口人员');
    await choose(page, '管辖区划', '江苏省示例市长安区', true);
    await dialog.getByRole('button', { name: '保存' }).click();
    // The dialog closes once the member is added (its text explains a failure).
    await expect
      .poll(async () => ((await dialog.count()) === 0 ? 'closed' : await dialog.innerText()))
      .toBe('closed');
    await expect.poll(() => page.getByRole('cell', { name: 'new.clerk' }).count()).toBe(1);

    const found = await call<{ items: { username: string; roles: string[]; status: string }[] }>(
      page,
      'GET',
      '/api/v1/identity/staff?q=new.clerk&page=1&size=5',
    );
    expect(found.items).toEqual([
      expect.objectContaining({ username: 'new.clerk', roles: ['window_clerk'], status: 'active' }),
    ]);
    // The new member signs in with the password given (from a client of their own).
    const client = await request.newContext({ baseURL: baseUrl() });
    const login = await client.post('/api/v1/identity/login/password', {
      data: { username: 'new.clerk', password: 'Window#2026', client: 'api' },
    });
    expect(login.status(), await login.text()).toBe(200);
    await client.dispose();
    expectNoProblems(page);
    await context.close();
  });

  it('adds a role with its permissions, then changes them, checked on the server', async () => {
    const context = await newContext(browser, 'pc');
    const page = await watchedPage(context);
    await signInWithPassword(page, 'admin');
    await page.goto('/console/staff');
    await expect.poll(() => heading(page).textContent()).toBe('人员与角色');
    await page.getByRole('tab', { name: '角色' }).click();
    const dialog = await openDialog(page, page.getByRole('button', { name: '新增角色' }));
    // Rules first: a bad code and no permission are refused beside their fields.
    await dialog.getByLabel('角色编码').fill('Bad Code');
    await dialog.getByLabel('中文名称').fill('帮办代办员');
    await dialog.getByLabel('英文名称').fill('Assisted-service clerk');
    await dialog.getByRole('button', { name: '保存' }).click();
    await expect.poll(() => dialog.getByText('以小写字母开头').count()).toBe(1);
    await expect.poll(() => dialog.getByText('请至少选择一项权限').count()).toBe(1);
    await dialog.getByLabel('角色编码').fill('assisted_clerk');
    await dialog.getByLabel('case.receive').check();
    await dialog.getByLabel('case.accept').check();
    await dialog.getByRole('button', { name: '保存' }).click();
    await expect.poll(() => dialog.count()).toBe(0);
    await expect.poll(() => page.getByRole('cell', { name: 'assisted_clerk' }).count()).toBe(1);

    await page.getByRole('button', { name: '编辑角色 帮办代办员' }).click();
    await expect.poll(() => dialog.getByLabel('角色编码').isDisabled()).toBe(true);
    await dialog.getByLabel('case.accept').uncheck();
    await dialog.getByRole('button', { name: '保存' }).click();
    await expect.poll(() => dialog.count()).toBe(0);
    const { items } = await call<{ items: { code: string; nameEn: string; permissions: string[] }[] }>(
      page,
      'GET',
      '/api/v1/identity/roles',
    );
    expect(items.find((r) => r.code === 'assisted_clerk')).toMatchObject({
      nameEn: 'Assisted-service clerk',
      permissions: ['case.receive'],
    });
    expectNoProblems(page);
    await context.close();
  });

  it('declares a Saturday a working day', async () => {
    const context = await newContext(browser, 'pc');
    const page = await watchedPage(context);
    await signInWithPassword(page, 'admin');
    await page.goto('/console/calendar');
    await expect.poll(() => heading(page).textContent()).toBe('工作日设置');
    const dialog = await openDialog(page, page.getByRole('button', { name: '设置日期' }));
    await dialog.getByRole('button', { name: '保存' }).click();
    await expect.poll(() => dialog.getByText('请选择日期').count()).toBe(1);
    await dialog.getByLabel('日期').fill('2027-01-09');
    await dialog.getByLabel('日期').press('Enter');
    await dialog.getByLabel('工作日').check();
    await dialog.getByLabel('原因').fill('春节前调整上班');
    await dialog.getByRole('button', { name: '保存' }).click();
    await expect.poll(() => page.getByRole('cell', { name: '2027-01-09' }).count()).toBe(1);

    const { overrides } = await call<{ overrides: { date: string; working: boolean; reason: string }[] }>(
      page,
      'GET',
      '/api/v1/calendar/overrides',
    );
    expect(overrides).toContainEqual(
      expect.objectContaining({ date: '2027-01-09', working: true, reason: '春节前调整上班' }),
    );
    const { days } = await call<{ days: { working: boolean; kind: string }[] }>(
      page,
      'GET',
      '/api/v1/calendar/days?from=2027-01-09&to=2027-01-09',
    );
    expect(days[0]).toMatchObject({ working: true, kind: 'override' });
    expectNoProblems(page);
    await context.close();
  });

  it('registers a single sign-on client and rotates its secret, each shown once', async () => {
    const context = await newContext(browser, 'pc');
    const page = await watchedPage(context);
    await signInWithPassword(page, 'admin');
    await page.goto('/console/oidc-clients');
    await expect.poll(() => heading(page).textContent()).toBe('单点登录应用');
    const dialog = await openDialog(page, page.getByRole('button', { name: '登记应用' }));
    await dialog.getByLabel('名称').fill('不动产登记系统');
    await dialog.getByLabel('回调地址', { exact: true }).fill('https://bdc.example.gov.cn/callback');
    await dialog.getByRole('button', { name: '保存' }).click();
    const first = await page.getByTestId('secret').textContent();
    expect(first).toMatch(/^[A-Za-z0-9_-]{43}$/);
    await page.locator('.ant-modal-footer').getByRole('button', { name: '关闭' }).click();

    const row = page.getByRole('row', { name: /不动产登记系统/ });
    const confirmation = await openDialog(page, row.getByRole('button', { name: '更换密钥' }));
    await confirmation.getByRole('button', { name: '确定', exact: true }).click();
    await expect.poll(() => page.getByTestId('secret').textContent()).toMatch(/^[A-Za-z0-9_-]{43}$/);
    await expect.poll(() => page.getByTestId('secret').textContent()).not.toBe(first);
    expectNoProblems(page);
    await context.close();
  });

  it('approves a grant request with masked fields as the provider', async () => {
    const context = await newContext(browser, 'pc');
    const page = await watchedPage(context);
    await signInWithPassword(page, 'admin');
    const organisations = await call<{ items: { id: number }[] }>(
      page,
      'GET',
      `/api/v1/organisations?q=${encodeURIComponent('长安区民政局')}&page=1&size=1`,
    );
    const { consumer } = await call<{ consumer: { id: string } }>(
      page,
      'POST',
      '/api/v1/exchange/consumers',
      {
        code: 'civil-affairs-check',
        name: '民政婚姻登记核验系统',
        organisationId: organisations.items[0]!.id,
      },
    );
    const requested = await call<{ id: string; status: string }>(page, 'POST', '/api/v1/exchange/grants', {
      consumerId: consumer.id,
      resourceCode: 'population.person',
      purpose: '婚姻登记身份核验',
      fields: ['name', 'sex', 'phone'],
      days: 30,
    });
    expect(requested.status).toBe('requested');

    await page.goto('/console/exchange/grants');
    await expect.poll(() => heading(page).textContent()).toBe('共享申请与授权');
    const row = page.getByRole('row', { name: /婚姻登记身份核验/ });
    const dialog = await openDialog(page, row.getByRole('button', { name: '批准', exact: true }));
    // Sensitive fields with a mask are offered masked: 姓名 and 联系电话, not 性别.
    const masked = dialog.getByRole('group').nth(1);
    await expect.poll(() => masked.getByRole('checkbox', { checked: true }).count()).toBe(2);
    await dialog.getByRole('button', { name: '批准', exact: true }).click();
    await expect.poll(() => page.getByText('婚姻登记身份核验').count()).toBe(0);

    const grants = await call<{ id: string; status: string; fields: string[]; masked: string[] }[]>(
      page,
      'GET',
      '/api/v1/exchange/grants',
    );
    const approved = grants.find((g) => g.id === requested.id)!;
    expect(approved).toMatchObject({ status: 'approved', fields: ['name', 'sex', 'phone'] });
    expect([...approved.masked].sort()).toEqual(['name', 'phone']);
    await page.getByRole('tab', { name: '全部授权' }).click();
    await expect
      .poll(() =>
        page
          .getByRole('row', { name: /婚姻登记身份核验/ })
          .getByText('已批准')
          .count(),
      )
      .toBe(1);
    expectNoProblems(page);
    await context.close();
  });

  it('shows the bad rows of a bulk-exchange batch', async () => {
    const context = await newContext(browser, 'pc');
    const page = await watchedPage(context);
    await signInWithPassword(page, 'admin');
    const body = [
      'idNumber,name,sex,birthDate,regionCode,phone',
      '110101199003070011,错误校验位,M,1990-03-07,329901000000,13800000000',
      '110101199003070037,未知性别,X,1990-03-07,329901000000,13800000001',
    ].join('\r\n');
    const batch = await call<{ id: string; rowsBad: number }>(
      page,
      'POST',
      '/api/v1/exchange/batches?resource=population.person',
      body,
      {
        'content-type': 'text/csv; charset=utf-8',
        'x-content-sha256': createHash('sha256').update(body).digest('hex'),
      },
    );
    expect(batch.rowsBad).toBeGreaterThan(0);
    const errors = await call<{ items: { row: number; field: string; message: string }[] }>(
      page,
      'GET',
      `/api/v1/exchange/batches/${batch.id}/errors?page=1&size=20`,
    );

    await page.goto('/console/exchange/batches');
    await expect.poll(() => heading(page).textContent()).toBe('批量交换');
    await page.getByRole('link', { name: '查看错误行' }).first().click();
    await page.waitForURL(`**/console/exchange/batches/${batch.id}`);
    for (const e of errors.items)
      await expect
        .poll(() => page.getByRole('row', { name: new RegExp(e.message.slice(0, 10)) }).count())
        .toBeGreaterThan(0);
    expect(await page.locator('tbody tr.ant-table-row').count()).toBe(errors.items.length);
    expectNoProblems(page);
    await context.close();
  });

  const PAGES = [
    ['dashboard', '数据看板'],
    ['staff', '人员与角色'],
    ['directory', '部门与区划'],
    ['oidc-clients', '单点登录应用'],
    ['calendar', '工作日设置'],
    ['exchange/resources', '信息资源目录'],
    ['exchange/consumers', '接入应用'],
    ['exchange/grants', '共享申请与授权'],
    ['exchange/accesses', '访问记录'],
    ['exchange/batches', '批量交换'],
  ] as const;

  for (const size of ['pc', 'phone'] as ViewportName[]) {
    it(`fits every console page on a ${size} screen, with the menu and a not-found page`, async () => {
      const context = await newContext(browser, size);
      const page = await watchedPage(context);
      await page.goto('/console');
      await expect.poll(() => heading(page).textContent()).toBe('管理后台登录');
      await screenshot(page, 'console-sign-in');
      await signInWithPassword(page, 'admin');
      for (const [path, title] of PAGES) {
        await page.goto(`/console/${path}`);
        await expect.poll(() => heading(page).textContent()).toBe(title);
        await page.waitForLoadState('networkidle');
        await screenshot(page, `console-${path.replace('/', '-')}`);
      }
      if (size === 'phone') await page.getByRole('button', { name: '打开菜单' }).click();
      await page.getByRole('navigation', { name: '管理后台导航' }).getByText('工作日设置').click();
      await page.waitForURL('**/console/calendar');
      await page.goto('/console/nowhere');
      await expect.poll(() => heading(page).textContent()).toBe('页面不存在');
      await screenshot(page, 'console-not-found');
      expectNoProblems(page);
      await context.close();
    });
  }
});
