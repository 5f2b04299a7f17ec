import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FieldCipher } from '../../src/kernel/crypto.ts';
import { pdf } from '../../src/kernel/files/test-samples.ts';
import { DEMO_PASSWORD, type DemoIdentities } from '../../src/modules/identity/index.ts';
import { seed } from '../../src/seed/index.ts';
import { DEMO_LICENSING_ITEM, issueDemoBusinessLicence } from '../../src/seed/licensing.ts';
import { createTestApp, testConfig, type TestApp } from '../helpers/app.ts';

/**
 * The demo city's licensing example, as `npm start` sets it up and a visitor (or the
 * browser journey) follows it with the demo accounts only: the demo enterprise's legal
 * representative applies for 食品经营许可(新办) with the 营业执照 from the enterprise's
 * wallet, the window accepts, 市场监督管理局 and 住房和城乡建设局 approve in parallel, the
 * head decides, the certificate is made, and the enterprise holds a verifiable 食品经营许可证
 * printing what the form said.
 */
describe('the demo licensing example', () => {
  let t: TestApp;
  let demo: DemoIdentities;
  let uscc: string;

  const call = (method: string, url: string, authorization?: string, body?: object | Buffer, headers = {}) =>
    t.app.inject({
      method: method as 'GET',
      url,
      headers: { ...headers, ...(authorization && { authorization }) },
      ...(body !== undefined && { payload: body }),
    });
  const ok = (response: LightMyRequestResponse, status = 200) => {
    expect(response.statusCode, response.body).toBe(status);
    return response.json();
  };
  const signIn = async (credentials: { username: string } | { phone: string }) =>
    `Bearer ${
      ok(
        await call('POST', '/api/v1/identity/login/password', undefined, {
          ...credentials,
          password: DEMO_PASSWORD,
          client: 'api',
        }),
      ).session.token
    }`;

  beforeAll(async () => {
    t = await createTestApp();
    const config = testConfig();
    demo = (await seed(t.db, 'small', undefined, {
      cipher: new FieldCipher(config.fieldKeys, config.indexKey),
    }))!;
    uscc = demo.persons.find((p) => p.legalRepresentativeOf)!.legalRepresentativeOf!.uscc;
  }, 180_000);
  afterAll(() => t.drop());

  it('gives the item its parallel process and form, once', async () => {
    const [row] = await t.db.query<{ code: string; versions: number }>(
      `select i.code, count(*)::int as versions from catalog_item i join catalog_item_version v on v.item_id = i.id
        where i.code in (select i2.code from catalog_item i2 join catalog_item_version v2 on v2.item_id = i2.id where v2.name = $1)
        group by i.code`,
      [DEMO_LICENSING_ITEM],
    );
    expect(row!.versions).toBe(2);
    const item = ok(await call('GET', `/api/v1/catalog/items/${row!.code}`));
    expect(JSON.stringify(item)).toContain('经营场所');
    // Seeding again changes nothing.
    await seed(t.db, 'small');
    const [again] = await t.db.query<{ n: number }>(
      `select count(*)::int as n from catalog_item_version v join catalog_item i on i.id = v.item_id where i.code = $1`,
      [row!.code],
    );
    expect(again!.n).toBe(2);
  });

  it('puts one 营业执照 in the demo enterprise wallet', async () => {
    const first = await issueDemoBusinessLicence(t.app.licenses, uscc);
    expect(first).toMatch(/^\d/);
    expect(await issueDemoBusinessLicence(t.app.licenses, uscc)).toBe(first);
    const verification = ok(await call('GET', `/api/v1/licenses/${encodeURIComponent(first!)}/verification`));
    expect(verification).toMatchObject({ valid: true, holder: { identifier: uscc } });
  });

  it('runs from the application to a verifiable 食品经营许可证 with the demo accounts', async () => {
    const representative = demo.persons.find((p) => p.legalRepresentativeOf)!;
    const person = await signIn({ phone: representative.phone });
    const bound = ok(await call('POST', '/api/v1/identity/enterprises', person, { uscc }), 201);
    const switched = ok(await call('PUT', '/api/v1/identity/acting', person, { enterpriseId: bound.id }));
    const agent = `Bearer ${switched.session.token}`;

    // Where to apply: the demo district's 市场监督管理局, where the demo staff work.
    const [entry] = await t.db.query<{ id: number }>(
      `select e.id from catalog_entry e join catalog_item i on i.id = e.item_id
         join catalog_item_version v on v.item_id = i.id and v.status = 'published'
         join organisation o on o.id = e.organisation_id
        where v.name = $1 and o.short_name = '市场监督管理局' and o.region_code = '329901000000'
        limit 1`,
      [DEMO_LICENSING_ITEM],
    );
    const draft = ok(await call('POST', '/api/v1/applications', agent, { entryId: Number(entry!.id) }), 201);
    const licenceMaterial = draft.materials.find((m: { name: string }) => m.name === '营业执照');
    expect(licenceMaterial).toMatchObject({
      status: 'provided',
      exempt: true,
      provided: { source: 'licence' },
    });

    const form = {
      ...draft.parts[0].formData,
      shopName: '示例小厨',
      premises: '示例市长安区人民路 88 号',
      businessType: '餐饮服务经营者',
      businessScope: '热食类食品制售',
      floorArea: 120,
      contactPhone: representative.phone,
    };
    ok(
      await call('PATCH', `/api/v1/applications/${draft.id}`, agent, {
        version: draft.version,
        parts: [{ part: 1, formData: form }],
      }),
    );
    for (const material of draft.materials as { name: string; status: string }[]) {
      if (material.status === 'provided') continue;
      ok(
        await call(
          'PUT',
          `/api/v1/applications/${draft.id}/materials/${encodeURIComponent(material.name)}`,
          agent,
          pdf(material.name),
          {
            'content-type': 'application/pdf',
            'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(`${material.name}.pdf`)}`,
          },
        ),
      );
    }
    const { version } = ok(await call('GET', `/api/v1/applications/${draft.id}`, agent));
    const submitted = ok(
      await call(
        'POST',
        `/api/v1/applications/${draft.id}/submit`,
        agent,
        { version },
        { 'idempotency-key': `demo-${draft.id}` },
      ),
      201,
    );
    const caseId: string = submitted.cases[0].caseId;

    const staff = Object.fromEntries(
      await Promise.all(
        ['window.clerk', 'market.approver', 'housing.approver', 'market.head'].map(
          async (username) => [username, await signIn({ username })] as const,
        ),
      ),
    );
    let v = ok(await call('GET', `/api/v1/cases/${caseId}`, staff['window.clerk'])).version as number;
    const step = async (action: string, username: string) => {
      const after = ok(
        await call('POST', `/api/v1/cases/${caseId}/actions/${action}`, staff[username], { version: v }),
      );
      v = after.version;
      return after;
    };
    await step('receive', 'window.clerk');
    await step('accept', 'window.clerk');
    await step('review_approve', 'housing.approver');
    await step('review_approve', 'market.approver');
    await step('decide_approve', 'market.head');
    await step('make_certificate', 'market.head');
    await step('deliver', 'window.clerk');
    expect((await step('complete', 'window.clerk')).status).toBe('completed');

    await t.app.outbox.drain(); // the licence is issued by a subscriber of the case's events
    const held = ok(await call('GET', '/api/v1/my/licenses', agent)) as { id: string; typeName: string }[];
    const licence = held.find((l) => l.typeName === '食品经营许可证');
    expect(licence).toBeDefined();
    const detail = ok(await call('GET', `/api/v1/my/licenses/${encodeURIComponent(licence!.id)}`, agent));
    expect(JSON.stringify(detail)).toContain('示例市长安区人民路 88 号');
    expect(JSON.stringify(detail)).toContain('热食类食品制售');
    const verification = ok(
      await call('GET', `/api/v1/licenses/${encodeURIComponent(licence!.id)}/verification`),
    );
    expect(verification).toMatchObject({ valid: true, holder: { kind: 'enterprise', identifier: uscc } });
  });
});
