import type { Browser } from 'playwright-core';
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
  type ViewportName,
} from './harness.ts';

/**
 * My space beyond applying: the licence wallet of the demo enterprise (its seeded
 * 营业执照: face, verification QR code, an authorisation created and revoked, and the
 * verification that shows up among who viewed it), "who used my data" after a department
 * looked the citizen up through data sharing, my files and my messages — at PC and phone size.
 */

const eventually = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 15_000 });

/** The demo citizen who is the legal representative of a seeded enterprise, and that enterprise. */
interface Representative {
  phone: string;
  enterpriseId: string;
  enterpriseName: string;
}

describe('my space: licences, data use, files and messages (portal-my)', () => {
  let browser: Browser;
  let representative: Representative;
  beforeAll(async () => {
    browser = await launchBrowser();
    // The demo enterprise is the holder of the seeded 营业执照; its legal representative binds it.
    const admin = await apiAs('admin');
    const issued = await admin<{ items: { id: string; typeName: string; holderName: string }[] }>(
      'GET',
      '/api/v1/licenses?size=100',
    );
    const licence = issued.items.find((l) => l.typeName === '营业执照')!;
    const { holder } = await admin<{ holder: { identifier: string } }>(
      'GET',
      `/api/v1/licenses/${encodeURIComponent(licence.id)}/verification`,
    );
    const phones = /citizens \(phone\): (1\d{10}) \S+, (1\d{10})/.exec(inject('serverOutput'))!.slice(1, 3);
    for (const phone of phones) {
      const citizen = await apiAs(phone);
      type Mandates = { enterprises: { enterpriseId: string; uscc: string }[] };
      const bound = (await citizen<Mandates>('GET', '/api/v1/identity/me')).enterprises.find(
        (e) => e.uscc === holder.identifier,
      );
      const enterpriseId =
        bound?.enterpriseId ??
        (
          await citizen<{ id: string }>('POST', '/api/v1/identity/enterprises', {
            uscc: holder.identifier,
          }).catch(() => undefined)
        )?.id;
      if (enterpriseId) representative = { phone, enterpriseId, enterpriseName: licence.holderName };
    }
    expect(representative, 'a demo citizen represents an enterprise').toBeDefined();
  });
  afterAll(async () => {
    await browser?.close();
  });

  for (const size of ['pc', 'phone'] as ViewportName[]) {
    it(`the enterprise's wallet: a licence, its QR code, an authorisation and who viewed it (${size})`, async () => {
      const context = await newContext(browser, size);
      const page = await watchedPage(context);
      await signInWithPassword(page, representative.phone);
      const api = pageApi(page);
      await api('PUT', '/api/v1/identity/acting', { enterpriseId: representative.enterpriseId });

      await page.goto('/my/licences');
      const card = page.getByTestId('licence-card').filter({ hasText: '营业执照' });
      await eventually(() => card.isVisible()).toBe(true);
      await screenshot(page, 'my-licences');
      await card.getByRole('link', { name: '营业执照' }).click();
      await page.waitForURL(/\/my\/licences\/.+/);
      const licenceId = decodeURIComponent(/\/my\/licences\/([^/?]+)/.exec(page.url())![1]!);
      await eventually(() => page.getByText(representative.enterpriseName).first().isVisible()).toBe(true);
      await eventually(() => page.getByText('有效', { exact: true }).first().isVisible()).toBe(true);
      await eventually(() => page.getByRole('link', { name: '打开核验页面' }).getAttribute('href')).toContain(
        `/verify/licenses/${encodeURIComponent(licenceId)}`,
      );

      // Someone checks it from the QR code (no sign-in): the holder sees it among who viewed it.
      const verified = await page.request.get(
        `/api/v1/licenses/${encodeURIComponent(licenceId)}/verification`,
      );
      expect(verified.ok()).toBe(true);

      // Authorise a bank to read it, see the one-time link, then revoke.
      const bank = size === 'pc' ? '示例银行' : '示例农商银行';
      await page.getByRole('button', { name: '新增授权' }).click();
      await page.getByLabel('机构名称').fill(bank);
      await page.getByRole('button', { name: '确认授权' }).click();
      await eventually(() => page.getByText('请填写用途').isVisible()).toBe(true);
      await page.getByLabel('用途').fill('贷款审核');
      await page.getByRole('button', { name: '确认授权' }).click();
      await eventually(() => page.getByText('它只显示这一次').isVisible()).toBe(true);
      const row = page.getByRole('row').filter({ hasText: bank });
      await eventually(() => row.getByText('有效').isVisible()).toBe(true);
      await page.reload();
      await eventually(() => page.getByRole('row').filter({ hasText: '公众核验' }).first().isVisible()).toBe(
        true,
      );
      await screenshot(page, 'my-licence');
      await page.getByRole('button', { name: `撤销对 ${bank} 的授权` }).click();
      await page.getByRole('button', { name: '是' }).click();
      await eventually(() =>
        page.getByRole('row').filter({ hasText: bank }).getByText('已撤销').isVisible(),
      ).toBe(true);
      const authorisations = await api<{ granteeName: string; state: string }[]>(
        'GET',
        `/api/v1/my/licenses/${encodeURIComponent(licenceId)}/authorisations`,
      );
      expect(authorisations.find((a) => a.granteeName === bank)?.state).toBe('revoked');
      expectNoProblems(page);
      await context.close();
    });

    it(`who used my data, my files and my messages (${size})`, async () => {
      const context = await newContext(browser, size);
      const page = await watchedPage(context);
      await signInWithPassword(page, representative.phone);
      const api = pageApi(page);

      // A department's system looks the citizen up, with a grant for a purpose.
      const admin = await apiAs('admin');
      const { items: organisations } = await admin<{ items: { id: number; name: string }[] }>(
        'GET',
        `/api/v1/organisations?q=${encodeURIComponent('民政局')}&size=5`,
      );
      const consumerName = `婚姻登记系统（${size}）`;
      const consumer = await admin<{ consumer: { id: string }; apiKey: string }>(
        'POST',
        '/api/v1/exchange/consumers',
        {
          code: `portal-my-${size}-${Date.now()}`,
          name: consumerName,
          organisationId: organisations[0]!.id,
        },
      );
      const purpose = '婚姻登记资格核验';
      const grant = await admin<{ id: string }>('POST', '/api/v1/exchange/grants', {
        consumerId: consumer.consumer.id,
        resourceCode: 'population.person',
        purpose,
        fields: ['name', 'idNumber'],
        days: 30,
      });
      await admin('POST', `/api/v1/exchange/grants/${grant.id}/approve`, {
        fields: ['name', 'idNumber'],
        masked: ['idNumber'],
      });
      // The citizen's full ID number, as the apply flow prefills it (the profile shows it masked).
      const draft = await api<{ id: string; parts: { formData: { idNumber: string } }[] }>(
        'POST',
        '/api/v1/applications',
        { itemCode: '0700000305', regionCode: '329901000000' },
      );
      await api('DELETE', `/api/v1/applications/${draft.id}`);
      const lookup = await page.request.get(
        `/api/v1/exchange/resources/population.person/records/${draft.parts[0]!.formData.idNumber}?purpose=${encodeURIComponent(purpose)}`,
        { headers: { 'x-api-key': consumer.apiKey } },
      );
      expect(lookup.ok(), await lookup.text()).toBe(true);

      await page.goto('/my/data-uses');
      const access = page.getByTestId('data-access').filter({ hasText: consumerName });
      await eventually(() => access.first().isVisible()).toBe(true);
      await eventually(() => access.first().textContent()).toContain(purpose);
      await screenshot(page, 'my-data-uses');

      // My files: an upload with its progress, then listed.
      await page.getByRole('button', { name: '我的材料' }).click();
      await page.waitForURL(/\/my\/files/);
      const chooser = page.waitForEvent('filechooser');
      await page.getByRole('button', { name: '上传文件到我的材料' }).click();
      const filename = `户口本-${size}.pdf`;
      await (
        await chooser
      ).setFiles({
        name: filename,
        mimeType: 'application/pdf',
        buffer: Buffer.from(`%PDF-1.4\n%${'y'.repeat(150_000)}\n%%EOF\n`),
      });
      await eventually(() =>
        page.getByRole('progressbar', { name: `${filename} 上传完成` }).getAttribute('aria-valuenow'),
      ).toBe('100');
      await eventually(() => page.getByTestId('drive-file').filter({ hasText: filename }).isVisible()).toBe(
        true,
      );
      await screenshot(page, 'my-files');

      // Messages: the ones the case steps sent (if any) can be marked read; the page works either way.
      await page.getByRole('button', { name: /^消息/ }).click();
      await page.waitForURL(/\/my\/messages/);
      await eventually(() => page.getByRole('button', { name: '全部标为已读' }).isVisible()).toBe(true);
      await page.getByRole('button', { name: '全部标为已读' }).click();
      const { unread } = await api<{ unread: number }>('GET', '/api/v1/messages/unread-count');
      expect(unread).toBe(0);
      await screenshot(page, 'my-messages');
      expectNoProblems(page);
      await context.close();
    });
  }
});
