import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  apiAs,
  expectNoProblems,
  smsCodeSent,
  launchBrowser,
  newContext,
  openDialog,
  screenshot,
  signInWithPassword,
  watchedPage,
  type ApiCall,
  type ViewportName,
} from './harness.ts';

/**
 * 预约办理: a resident types 我要结婚 on the home page, opens the 结婚登记 guide, books a
 * visit (signing in on the way), sees the booking in 我的预约 and cancels it, and the
 * slot's seat is free again; the window clerk sees a booking of the day in the workbench
 * and checks the person in. At PC and phone size, with screenshots of every page.
 */

const MARRIAGE = '0700000101';
const eventually = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 15_000 });

interface Slot {
  startsAt: string;
  endsAt: string;
  capacity: number;
  remaining: number;
}
interface Slots {
  days: { date: string; slots: Slot[] }[];
}
interface Place {
  code: string;
  implementingBody: { id: number; name: string };
  region: { code: string; name: string };
}
interface Appointment {
  id: string;
  number: string;
  status: string;
  startsAt: string;
  endsAt: string;
}

/** The first slot with a seat left, on the first day that has one. */
function firstFree(slots: Slots): { date: string; slot: Slot } {
  for (const day of slots.days) {
    const slot = day.slots.find((s) => s.remaining > 0);
    if (slot) return { date: day.date, slot };
  }
  throw new Error('no free slot in the booking horizon');
}

describe('portal: booking a visit to the hall (portal-book)', () => {
  let browser: Browser;
  /** Two demo citizens with verified real names: one books at PC size, the other at phone size. */
  let citizens: string[];
  /** The 结婚登记 place (the district's 民政局) in the window clerk's district. */
  let place: Place;
  let anyone: ApiCall;

  const remainingOf = async (startsAt: string) => {
    const slots = await anyone<Slots>('GET', `/api/v1/hall/places/${encodeURIComponent(place.code)}/slots`);
    return slots.days.flatMap((d) => d.slots).find((s) => s.startsAt === startsAt)?.remaining;
  };

  beforeAll(async () => {
    browser = await launchBrowser();
    citizens = /citizens \(phone\): (1\d{10}) \S+, (1\d{10})/.exec(inject('serverOutput'))!.slice(1, 3);
    const clerk = await apiAs('window.clerk');
    const me = await clerk<{ staff: { jurisdiction: { regionCodes: string[] } } }>(
      'GET',
      '/api/v1/identity/me',
    );
    const district = me.staff.jurisdiction.regionCodes[0]!;
    const places = await clerk<{ items: Place[] }>('GET', `/api/v1/catalog/items/${MARRIAGE}/places`);
    place = places.items.find((p) => p.region.code === district)!;
    expect(place, `a 结婚登记 place in ${district}`).toBeDefined();
    anyone = clerk;
  });
  afterAll(() => browser?.close());

  async function signInWithSms(page: Page, phone: string) {
    await page.getByLabel('手机号码').fill(phone);
    const code = await smsCodeSent(phone, () => page.getByRole('button', { name: '获取验证码' }).click());
    await page.getByLabel('短信验证码').fill(code);
    await page.getByRole('button', { name: '登录', exact: true }).click();
  }

  for (const [index, size] of (['pc', 'phone'] as ViewportName[]).entries()) {
    it(`${size}: finds 结婚登记 by 我要结婚, books a visit, sees it in 我的预约 and cancels it`, async () => {
      const context = await newContext(browser, size);
      const page = await watchedPage(context);
      await page.goto('/');
      const search = page.getByRole('combobox', { name: '搜索服务' }).first();
      await search.fill('我要结婚');
      await search.press('Enter');
      await page.waitForURL(/\/search\?q=/);
      await page.getByRole('link', { name: '内地居民结婚登记' }).click();
      await page.waitForURL(`**/items/${MARRIAGE}`);
      await eventually(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('内地居民结婚登记');

      // Booking needs a signed-in person: sign-in comes back to the booking page.
      await page.getByRole('button', { name: '预约办理' }).click();
      await page.waitForURL(/\/login\?next=/);
      expect(new URL(page.url()).searchParams.get('next')).toBe(`/book/${MARRIAGE}`);
      await signInWithSms(page, citizens[index]!);
      await page.waitForURL(`**/book/${MARRIAGE}**`);
      await eventually(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('预约办理');

      // The place: the district's 民政局, chosen among the city's.
      const placeSelect = page.getByRole('combobox', { name: '办理地点' });
      await placeSelect.click();
      await placeSelect.fill(place.implementingBody.name);
      // The first option left by the search is the one named (antd's options for screen readers are hidden).
      await eventually(() => page.locator('.ant-select-item-option-active').textContent()).toBe(
        place.implementingBody.name,
      );
      await placeSelect.press('Enter');
      await eventually(() =>
        page.getByTestId('book-place').getByText(place.implementingBody.name, { exact: true }).count(),
      ).toBe(1);

      // The first day and its first slot with a seat left, as the API tells them.
      const free = firstFree(
        await anyone<Slots>('GET', `/api/v1/hall/places/${encodeURIComponent(place.code)}/slots`),
      );
      const days = page.getByRole('group', { name: '可预约日期' }).getByRole('button');
      await eventually(() => days.count()).toBeGreaterThan(0);
      await days.first().click();
      expect(await days.first().getAttribute('aria-pressed')).toBe('true');
      const slots = page.getByRole('group', { name: '可预约时段' }).getByRole('button');
      await eventually(() => slots.count()).toBeGreaterThan(0);
      const firstOpen = slots.and(page.locator(':not([disabled])')).first();
      await eventually(() => firstOpen.getAttribute('aria-label')).toContain(
        `剩余 ${free.slot.remaining} 个名额`,
      );
      await screenshot(page, 'portal-book');

      const dialog = await openDialog(page, firstOpen);
      expect(await dialog.getByText(place.implementingBody.name, { exact: true }).count()).toBe(1);
      await dialog.getByRole('button', { name: '确认预约' }).click();

      await eventually(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('预约成功');
      const number = (await page.getByTestId('booking-number').textContent())!.trim();
      expect(number).toMatch(/\S+-\d+/);
      expect(
        await page.getByTestId('booking').getByText(place.implementingBody.name, { exact: true }).count(),
      ).toBe(1);
      expect(await remainingOf(free.slot.startsAt)).toBe(free.slot.remaining - 1);
      await screenshot(page, 'portal-book-success');

      // 我的预约: the booking, booked.
      await page.getByRole('button', { name: '查看我的预约' }).click();
      await page.waitForURL('**/my/appointments');
      const row = page.getByTestId('appointment').filter({ hasText: number });
      await eventually(() => row.getByText('已预约').count()).toBe(1);
      await screenshot(page, 'portal-my-appointments');

      // A second booking at the same place on the same day is refused, and the page says why.
      await page.goto(`/book/${MARRIAGE}?place=${encodeURIComponent(place.code)}`);
      await eventually(() => firstOpen.count()).toBe(1);
      await days.first().click();
      const again = await openDialog(page, slots.and(page.locator(':not([disabled])')).nth(1));
      await again.getByRole('button', { name: '确认预约' }).click();
      await eventually(() =>
        page.getByRole('alert').filter({ hasText: '您当天在该办理地点已有预约' }).count(),
      ).toBe(1);
      await page.getByRole('dialog').waitFor({ state: 'hidden' });

      // Cancelled after a confirmation, its seat is free again.
      await page.goto('/my/appointments');
      const cancelDialog = await openDialog(page, row.getByRole('button', { name: `取消预约 ${number}` }));
      await cancelDialog.getByRole('button', { name: '取消预约' }).click();
      await eventually(() => row.getByText('已取消').count()).toBe(1);
      expect(await row.getByRole('button', { name: `取消预约 ${number}` }).count()).toBe(0);
      expect(await remainingOf(free.slot.startsAt)).toBe(free.slot.remaining);
      expectNoProblems(page);
      await context.close();
    });
  }

  it('reads in English: the booking page, its days and the seats left', async () => {
    const context = await newContext(browser, 'pc', 'en-US');
    await context.addInitScript(() => localStorage.setItem('tb.locale', 'en'));
    const page = await watchedPage(context);
    await signInWithPassword(page, citizens[0]!);
    await page.goto(`/book/${MARRIAGE}?place=${encodeURIComponent(place.code)}`);
    await eventually(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Book a visit');
    expect(await page.getByRole('heading', { name: '1. Choose the place' }).count()).toBe(1);
    const slots = page.getByRole('group', { name: 'Times you can book' }).getByRole('button');
    await eventually(() => slots.count()).toBeGreaterThan(0);
    expect(await slots.first().getAttribute('aria-label')).toMatch(
      /^\d\d:\d\d–\d\d:\d\d, (\d+ places left|full)$/,
    );
    expect(
      await page.getByRole('group', { name: 'Days you can book' }).getByRole('button').count(),
    ).toBeGreaterThan(0);
    expectNoProblems(page);
    await context.close();
  });

  describe('the window clerk', () => {
    /** A day made a working day for these tests (the hall opens on working days only), removed after. */
    let madeWorking: string | undefined;
    beforeAll(async () => {
      // Today in China time: on a weekend or holiday it is made a working day, so a booking for
      // today exists and can be checked in while the hall is open.
      const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
      const admin = await apiAs('admin');
      const { days } = await admin<{ days: { working: boolean }[] }>(
        'GET',
        `/api/v1/calendar/days?from=${today}&to=${today}`,
      );
      if (days[0]?.working) return;
      await admin('PUT', `/api/v1/calendar/overrides/${today}`, {
        working: true,
        reason: '浏览器测试：大厅预约当天签到',
      });
      madeWorking = today;
    });
    afterAll(async () => {
      if (madeWorking) await (await apiAs('admin'))('DELETE', `/api/v1/calendar/overrides/${madeWorking}`);
    });

    for (const [index, size] of (['pc', 'phone'] as ViewportName[]).entries()) {
      it(`${size}: finds a booking of the day in 预约 and checks the person in`, async () => {
        // A booking through the API on the first day with a seat (today, or the next working day).
        const citizen = await apiAs(citizens[index]!);
        const free = firstFree(
          await citizen<Slots>('GET', `/api/v1/hall/places/${encodeURIComponent(place.code)}/slots`),
        );
        const booked = await citizen<Appointment>('POST', '/api/v1/hall/appointments', {
          place: place.code,
          startsAt: free.slot.startsAt,
        });

        const context = await newContext(browser, size);
        const page = await watchedPage(context);
        await signInWithPassword(page, 'window.clerk');
        await page.goto('/workbench');
        if (size === 'phone') await page.getByRole('button', { name: '导航菜单' }).click();
        await page.getByRole('menuitem', { name: '预约' }).click();
        await page.waitForURL('**/workbench/appointments**');
        await page.getByLabel('日期', { exact: true }).fill(free.date);
        const row = page.getByTestId('appointment').filter({ hasText: booked.number });
        await eventually(() => row.getByText('已预约').count()).toBe(1);
        // The applicant's phone is masked.
        expect(await row.getByText(/1\d{2}\*{4}\d{4}/).count()).toBe(1);
        await screenshot(page, 'workbench-appointments');

        // Check-in opens 30 minutes before the slot: until then the button waits and says from when.
        const checkIn = row.getByRole('button', { name: new RegExp(`^为预约 ${booked.number}（.+）签到$`) });
        if (Date.parse(booked.startsAt) - 30 * 60_000 <= Date.now()) {
          await checkIn.click();
          await eventually(() => row.getByText('已到场').count()).toBe(1);
          expect(await checkIn.count()).toBe(0);
          const mine = await citizen<{ items: Appointment[] }>('GET', '/api/v1/hall/appointments/mine');
          expect(mine.items.find((a) => a.id === booked.id)?.status).toBe('arrived');
        } else {
          expect(await checkIn.isDisabled()).toBe(true);
          expect(await row.getByText(/起可签到$/).count()).toBe(1);
        }
        expectNoProblems(page);
        await context.close();
      });
    }
  });
});
