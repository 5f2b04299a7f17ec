import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PERMISSIONS } from '../../src/kernel/auth.ts';
import { maskPhone, verifyPassword } from '../../src/kernel/crypto.ts';
import { seedDemoDirectory } from '../../src/modules/directory/index.ts';
import { DEMO_PASSWORD, seedDemoIdentities } from '../../src/modules/identity/demo.ts';
import { seedDemoRegistries } from '../../src/modules/registries/index.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { staffSession } from '../helpers/identity.ts';

/** Staff administration, roles as data and the demo identities, on a seeded small city. */
describe('staff administration', () => {
  let t: TestApp;
  let city: string;
  let districtA: string;
  let districtB: string;
  /** 民政局 and 公安局 of district A, 民政局 of district B. */
  let civilA: number;
  let policeA: number;
  let civilB: number;
  let admin: string;
  let adminId: string;
  let headA: string;

  const call = (
    method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
    url: string,
    authorization?: string,
    payload?: object,
  ) =>
    t.app.inject({
      method,
      url,
      headers: authorization ? { authorization } : {},
      ...(payload && { payload }),
    });

  const department = async (region: string, shortName: string) => {
    const [row] = await t.db.query<{ id: number }>(
      `select id from organisation where region_code = $1 and short_name = $2 and kind = 'department'`,
      [region, shortName],
    );
    return Number(row!.id);
  };

  let sequence = 0;
  const newMember = (overrides: Record<string, unknown> = {}) => ({
    username: `member${++sequence}`,
    name: `成员${sequence}`,
    phone: `1370000${String(1000 + sequence).padStart(4, '0')}`,
    password: 'Window#2026',
    organisationId: civilA,
    roles: ['window_clerk'],
    regionCodes: [districtA],
    organisationIds: [civilA],
    ...overrides,
  });

  beforeAll(async () => {
    t = await createTestApp();
    const directory = await seedDemoDirectory(t.db, { scale: 'small' });
    city = directory.cityCode;
    [districtA, districtB] = directory.districts as [string, string];
    civilA = await department(districtA, '民政局');
    policeA = await department(districtA, '公安局');
    civilB = await department(districtB, '民政局');
    ({ authorization: admin, accountId: adminId } = await staffSession(t.app, t.db, ['system_admin']));
    ({ authorization: headA } = await staffSession(t.app, t.db, ['department_head'], {
      organisationId: civilA,
      regionCodes: [districtA],
      organisationIds: [civilA],
    }));
  });
  afterAll(async () => {
    await t.drop();
  });

  describe('guards', () => {
    it('answers 401 to an anonymous caller on every route', async () => {
      const id = '00000000-0000-4000-8000-000000000000';
      for (const [method, url] of [
        ['GET', '/api/v1/identity/staff'],
        ['POST', '/api/v1/identity/staff'],
        ['GET', `/api/v1/identity/staff/${id}`],
        ['PATCH', `/api/v1/identity/staff/${id}`],
        ['POST', `/api/v1/identity/staff/${id}/disable`],
        ['POST', `/api/v1/identity/staff/${id}/enable`],
        ['POST', `/api/v1/identity/staff/${id}/password`],
        ['GET', '/api/v1/identity/roles'],
        ['PUT', '/api/v1/identity/roles/window_clerk'],
        ['DELETE', '/api/v1/identity/roles/window_clerk'],
        ['GET', '/api/v1/identity/permissions'],
      ] as const) {
        const res = await call(
          method,
          url,
          undefined,
          method === 'GET' || method === 'DELETE' ? undefined : {},
        );
        expect(res.statusCode, `${method} ${url}`).toBe(401);
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      }
    });

    it('answers 403 to the wrong role: reading without staff.read, changing without staff.manage or role.manage', async () => {
      const clerk = await t.bearer('window_clerk');
      const citizen = await t.bearer('citizen');
      const hall = await t.bearer('hall_manager');
      expect((await call('GET', '/api/v1/identity/staff', clerk)).statusCode).toBe(403);
      expect((await call('GET', '/api/v1/identity/staff', citizen)).statusCode).toBe(403);
      expect((await call('GET', '/api/v1/identity/roles', clerk)).statusCode).toBe(403);
      // hall_manager reads staff but may not change them.
      expect((await call('GET', '/api/v1/identity/staff', hall)).statusCode).toBe(200);
      expect((await call('POST', '/api/v1/identity/staff', hall, newMember())).statusCode).toBe(403);
      // department_head manages staff but not roles.
      const role = { name: '测试', nameEn: 'test', permissions: ['staff.read'] };
      expect((await call('PUT', '/api/v1/identity/roles/test_role', headA, role)).statusCode).toBe(403);
      expect((await call('DELETE', '/api/v1/identity/roles/supervisor', headA)).statusCode).toBe(403);
    });
  });

  describe('creating staff', () => {
    it('lets a system administrator create a member with roles, window and jurisdiction', async () => {
      const input = newMember({
        hallWindow: '综合受理3号窗口',
        title: '科员',
        roles: ['window_clerk', 'approver'],
      });
      const res = await call('POST', '/api/v1/identity/staff', admin, input);
      expect(res.statusCode).toBe(201);
      const created = res.json();
      expect(created).toMatchObject({
        username: input.username,
        name: input.name,
        status: 'active',
        organisation: { id: civilA, regionCode: districtA },
        hallWindow: '综合受理3号窗口',
        title: '科员',
        roles: ['approver', 'window_clerk'],
        regionCodes: [districtA],
        organisationIds: [civilA],
      });
      // system_admin lacks pii.read_full: the phone is masked; the department head holds it.
      expect(created.phone).toBe(maskPhone(input.phone));
      const asHead = await call('GET', `/api/v1/identity/staff/${created.id}`, headA);
      expect(asHead.json().phone).toBe(input.phone);

      const [account] = await t.db.query<{ password_hash: string; phone_enc: string }>(
        'select password_hash, phone_enc from identity_account where id = $1',
        [created.id],
      );
      expect(await verifyPassword(account!.password_hash, input.password)).toBe(true);
      expect(account!.phone_enc).not.toContain(input.phone);
      const [entry] = await t.db.query<{ actor: string; after: Record<string, unknown> }>(
        `select actor, after from audit_log where action = 'identity.staff.create' and entity_id = $1`,
        [created.id],
      );
      expect(entry!.actor).toBe(adminId);
      expect(JSON.stringify(entry!.after)).not.toContain(input.password);
      expect(JSON.stringify(entry!.after)).not.toContain(input.phone);
    });

    it('refuses invalid fields with 400 problems naming the field and the rule', async () => {
      const cases: [Record<string, unknown>, string, string][] = [
        [{ username: 'Bad Name' }, 'username', 'pattern'],
        [{ username: 'ab' }, 'username', 'pattern'],
        [{ roles: ['window_clerk', 'no_such_role'] }, 'roles[1]', 'exists'],
        [{ regionCodes: ['329999000000'] }, 'regionCodes[0]', 'exists'],
        [{ organisationId: 99_999_999 }, 'organisationId', 'exists'],
        [{ organisationIds: [99_999_999] }, 'organisationIds[0]', 'exists'],
        [{ password: 'short' }, 'password', 'passwordStrength'],
        [{ password: 'onlyletters' }, 'password', 'passwordStrength'],
        [{ phone: '12345' }, 'phone', 'format'],
        [{ roles: [] }, 'roles', 'minItems'],
      ];
      for (const [override, field, rule] of cases) {
        const res = await call('POST', '/api/v1/identity/staff', admin, newMember(override));
        expect(res.statusCode, JSON.stringify(override)).toBe(400);
        expect(res.json().errors, JSON.stringify(override)).toContainEqual(
          expect.objectContaining({
            field,
            rule,
            message: expect.any(String),
            messageEn: expect.any(String),
          }),
        );
      }
    });

    it('refuses a taken username with 409', async () => {
      const input = newMember();
      expect((await call('POST', '/api/v1/identity/staff', admin, input)).statusCode).toBe(201);
      const again = await call('POST', '/api/v1/identity/staff', admin, { ...input, phone: undefined });
      expect(again.statusCode).toBe(409);
    });

    it('lets a department head create staff of their own department only, granting nothing wider than theirs', async () => {
      const allowed = await call('POST', '/api/v1/identity/staff', headA, newMember());
      expect(allowed.statusCode).toBe(201);

      const refusals: [string, Record<string, unknown>][] = [
        [
          'a department of another district',
          { organisationId: civilB, regionCodes: [districtB], organisationIds: [civilB] },
        ],
        ['another department of the district', { organisationId: policeA, organisationIds: [policeA] }],
        ['the role system_admin', { roles: ['system_admin'] }],
        ['the role catalog_admin (catalog.manage)', { roles: ['catalog_admin'] }],
        ['a wider region (the city)', { regionCodes: [city] }],
        ['a region of another district', { regionCodes: [districtB] }],
        ['every department of the district', { organisationIds: [] }],
        ['a department the head is not limited to', { organisationIds: [civilA, policeA] }],
      ];
      for (const [what, override] of refusals) {
        const res = await call('POST', '/api/v1/identity/staff', headA, newMember(override));
        expect(res.statusCode, what).toBe(403);
      }
    });
  });

  describe('listing and reading', () => {
    it('filters the list by jurisdiction in SQL: a district head sees only the district’s staff', async () => {
      const inA = (
        await call('POST', '/api/v1/identity/staff', admin, newMember({ name: '长安成员' }))
      ).json();
      const inB = (
        await call(
          'POST',
          '/api/v1/identity/staff',
          admin,
          newMember({ organisationId: civilB, regionCodes: [districtB], organisationIds: [civilB] }),
        )
      ).json();
      const { authorization: districtHead } = await staffSession(t.app, t.db, ['department_head'], {
        organisationId: civilA,
        regionCodes: [districtA],
      });

      const all = async (authorization: string, query = '') => {
        const res = await call('GET', `/api/v1/identity/staff?size=100${query}`, authorization);
        expect(res.statusCode).toBe(200);
        return res.json() as { items: { id: string; organisation: { regionCode: string } }[]; total: number };
      };
      const seenByHead = await all(districtHead);
      expect(seenByHead.items.map((s) => s.id)).toContain(inA.id);
      expect(seenByHead.items.map((s) => s.id)).not.toContain(inB.id);
      // Departments of the district itself and of its streets (region codes under its 6 digits).
      const inDistrictA = (code: string) => code.slice(0, 6) === districtA.slice(0, 6);
      expect(seenByHead.items.every((s) => inDistrictA(s.organisation.regionCode))).toBe(true);
      expect(seenByHead.total).toBe(seenByHead.items.length);

      const seenByAdmin = await all(admin);
      expect(seenByAdmin.items.map((s) => s.id)).toEqual(expect.arrayContaining([inA.id, inB.id]));
      expect(seenByAdmin.total).toBeGreaterThan(seenByHead.total);

      expect((await call('GET', `/api/v1/identity/staff/${inB.id}`, districtHead)).statusCode).toBe(404);
      expect((await call('GET', `/api/v1/identity/staff/${inA.id}`, districtHead)).statusCode).toBe(200);
    });

    it('filters by organisation, role and text, and paginates', async () => {
      const police = (
        await call(
          'POST',
          '/api/v1/identity/staff',
          admin,
          newMember({
            organisationId: policeA,
            organisationIds: [policeA],
            roles: ['approver'],
            name: '公安审批员',
          }),
        )
      ).json();
      const byOrganisation = (
        await call('GET', `/api/v1/identity/staff?organisation=${policeA}`, admin)
      ).json();
      expect(byOrganisation.items.map((s: { id: string }) => s.id)).toEqual([police.id]);
      const byRole = (await call('GET', '/api/v1/identity/staff?role=approver&size=100', admin)).json();
      expect(byRole.items.length).toBeGreaterThan(0);
      expect(byRole.items.every((s: { roles: string[] }) => s.roles.includes('approver'))).toBe(true);
      const byText = (
        await call('GET', `/api/v1/identity/staff?q=${encodeURIComponent('公安审批')}`, admin)
      ).json();
      expect(byText.items.map((s: { id: string }) => s.id)).toEqual([police.id]);

      const firstPage = (await call('GET', '/api/v1/identity/staff?page=1&size=2', admin)).json();
      const secondPage = (await call('GET', '/api/v1/identity/staff?page=2&size=2', admin)).json();
      expect(firstPage.items).toHaveLength(2);
      expect(firstPage.total).toBeGreaterThan(2);
      expect(secondPage.items[0].id).not.toBe(firstPage.items[0].id);
      expect(secondPage.items[0].username > firstPage.items[1].username).toBe(true);
    });
  });

  describe('changing staff', () => {
    const registryProbe = '/api/v1/registries/persons/11010519491231002X';

    it('ends the member’s sessions when their roles or jurisdiction change', async () => {
      const member = await staffSession(t.app, t.db, ['window_clerk'], {
        organisationId: civilA,
        regionCodes: [districtA],
        organisationIds: [civilA],
      });
      // 404: allowed through the guard, the (valid) number is simply unknown.
      expect((await call('GET', registryProbe, member.authorization)).statusCode).toBe(404);

      const untouched = await call('PATCH', `/api/v1/identity/staff/${member.accountId}`, headA, {
        hallWindow: '综合受理5号窗口',
      });
      expect(untouched.statusCode).toBe(200);
      expect(untouched.json().hallWindow).toBe('综合受理5号窗口');
      // A window or title change is no privilege change: the session lives on.
      expect((await call('GET', registryProbe, member.authorization)).statusCode).toBe(404);

      const changed = await call('PATCH', `/api/v1/identity/staff/${member.accountId}`, headA, {
        roles: ['approver'],
      });
      expect(changed.statusCode).toBe(200);
      expect(changed.json().roles).toEqual(['approver']);
      expect((await call('GET', registryProbe, member.authorization)).statusCode).toBe(401);
      const [session] = await t.db.query<{ revoked_reason: string }>(
        'select revoked_reason from identity_session where account_id = $1',
        [member.accountId],
      );
      expect(session!.revoked_reason).toBe('privilege_changed');
    });

    it('refuses a department head to widen a member or to touch a member more privileged than they are', async () => {
      const member = (await call('POST', '/api/v1/identity/staff', headA, newMember())).json();
      const url = `/api/v1/identity/staff/${member.id}`;
      expect((await call('PATCH', url, headA, { roles: ['system_admin'] })).statusCode).toBe(403);
      expect((await call('PATCH', url, headA, { regionCodes: [city] })).statusCode).toBe(403);
      expect((await call('PATCH', url, headA, { organisationId: civilB })).statusCode).toBe(403);
      expect((await call('PATCH', url, headA, { roles: ['no_such_role'] })).json().errors).toEqual([
        expect.objectContaining({ field: 'roles[0]', rule: 'exists' }),
      ]);

      const adminInA = (
        await call('POST', '/api/v1/identity/staff', admin, newMember({ roles: ['system_admin'] }))
      ).json();
      expect((await call('POST', `/api/v1/identity/staff/${adminInA.id}/disable`, headA)).statusCode).toBe(
        403,
      );
      expect(
        (
          await call('POST', `/api/v1/identity/staff/${adminInA.id}/password`, headA, {
            password: 'Taken#over1',
          })
        ).statusCode,
      ).toBe(403);
      const unchanged = (await call('GET', `/api/v1/identity/staff/${adminInA.id}`, admin)).json();
      expect(unchanged.status).toBe('active');
    });

    it('disabling ends the sessions at once (next request 401); enabling lets the member sign in again', async () => {
      const member = await staffSession(t.app, t.db, ['window_clerk'], {
        organisationId: civilA,
        regionCodes: [districtA],
        organisationIds: [civilA],
      });
      expect((await call('GET', registryProbe, member.authorization)).statusCode).toBe(404);
      const disabled = await call('POST', `/api/v1/identity/staff/${member.accountId}/disable`, headA);
      expect(disabled.statusCode).toBe(200);
      expect(disabled.json().status).toBe('disabled');
      expect((await call('GET', registryProbe, member.authorization)).statusCode).toBe(401);
      const live = await t.db.query(
        'select 1 from identity_session where account_id = $1 and revoked_at is null',
        [member.accountId],
      );
      expect(live).toHaveLength(0);

      const enabled = await call('POST', `/api/v1/identity/staff/${member.accountId}/enable`, headA);
      expect(enabled.json().status).toBe('active');
      // The old token stays dead; a new session works.
      expect((await call('GET', registryProbe, member.authorization)).statusCode).toBe(401);
      const opened = await t.app.identity.sessions.open(t.db, member.accountId, 'bearer', {});
      expect((await call('GET', registryProbe, `Bearer ${opened.token}`)).statusCode).toBe(404);
      const actions = await t.db.query<{ action: string }>(
        `select action from audit_log where entity_id = $1 and action like 'identity.staff.%' order by id`,
        [member.accountId],
      );
      expect(actions.map((a) => a.action)).toEqual([
        'identity.staff.create',
        'identity.staff.disable',
        'identity.staff.enable',
      ]);
    });

    it('refuses to disable oneself', async () => {
      expect((await call('POST', `/api/v1/identity/staff/${adminId}/disable`, admin)).statusCode).toBe(409);
    });

    it('resets a password under the policy, ends the sessions and audits no secret', async () => {
      const member = await staffSession(t.app, t.db, ['approver'], {
        organisationId: civilA,
        regionCodes: [districtA],
        organisationIds: [civilA],
      });
      const url = `/api/v1/identity/staff/${member.accountId}/password`;
      const weak = await call('POST', url, headA, { password: '12345678' });
      expect(weak.statusCode).toBe(400);
      expect(weak.json().errors).toEqual([
        expect.objectContaining({ field: 'password', rule: 'passwordStrength' }),
      ]);
      expect((await call('POST', url, headA, { password: 'Fresh#Start26' })).statusCode).toBe(204);
      const [account] = await t.db.query<{ password_hash: string }>(
        'select password_hash from identity_account where id = $1',
        [member.accountId],
      );
      expect(await verifyPassword(account!.password_hash, 'Fresh#Start26')).toBe(true);
      expect((await call('GET', registryProbe, member.authorization)).statusCode).toBe(401);
      const [entry] = await t.db.query<{ after: unknown }>(
        `select after from audit_log where action = 'identity.staff.password_reset' and entity_id = $1`,
        [member.accountId],
      );
      expect(JSON.stringify(entry!.after)).not.toMatch(/Fresh#Start26|argon2/);
    });

    it('answers 404 for a member outside the manager’s jurisdiction', async () => {
      const inB = (
        await call(
          'POST',
          '/api/v1/identity/staff',
          admin,
          newMember({ organisationId: civilB, regionCodes: [districtB], organisationIds: [civilB] }),
        )
      ).json();
      expect(
        (await call('PATCH', `/api/v1/identity/staff/${inB.id}`, headA, { title: '科长' })).statusCode,
      ).toBe(404);
      expect((await call('POST', `/api/v1/identity/staff/${inB.id}/disable`, headA)).statusCode).toBe(404);
    });
  });

  describe('roles as data', () => {
    it('lists roles with their permissions, and the permissions', async () => {
      const roles = (await call('GET', '/api/v1/identity/roles', headA)).json().items;
      const clerk = roles.find((r: { code: string }) => r.code === 'window_clerk');
      expect(clerk).toMatchObject({ name: '窗口人员', nameEn: 'window clerk' });
      expect(clerk.permissions).toContain('registry.read');
      expect((await call('GET', '/api/v1/identity/permissions', headA)).json().items).toEqual([
        ...PERMISSIONS,
      ]);
    });

    it('applies a permission edit on the member’s next request', async () => {
      const clerk = await t.bearer('window_clerk');
      const registryProbe = '/api/v1/registries/persons/11010519491231002X';
      expect((await call('GET', registryProbe, clerk)).statusCode).toBe(404);
      const roles = (await call('GET', '/api/v1/identity/roles', admin)).json().items;
      const original = roles.find((r: { code: string }) => r.code === 'window_clerk');
      const without = original.permissions.filter((p: string) => p !== 'registry.read');
      const edit = await call('PUT', '/api/v1/identity/roles/window_clerk', admin, {
        name: original.name,
        nameEn: original.nameEn,
        permissions: without,
      });
      expect(edit.statusCode).toBe(200);
      expect(edit.json().permissions).not.toContain('registry.read');
      try {
        expect((await call('GET', registryProbe, clerk)).statusCode).toBe(403);
      } finally {
        const restore = await call('PUT', '/api/v1/identity/roles/window_clerk', admin, {
          name: original.name,
          nameEn: original.nameEn,
          permissions: original.permissions,
        });
        expect(restore.statusCode).toBe(200);
      }
      expect((await call('GET', registryProbe, clerk)).statusCode).toBe(404);
      const [entry] = await t.db.query<{
        before: { permissions: string[] };
        after: { permissions: string[] };
      }>(
        `select before, after from audit_log where action = 'identity.role.update' and entity_id = 'window_clerk'
          order by id limit 1`,
      );
      expect(entry!.before.permissions).toContain('registry.read');
      expect(entry!.after.permissions).not.toContain('registry.read');
    });

    it('creates a role, refuses unknown permissions, deletes it only while nobody holds it', async () => {
      const unknown = await call('PUT', '/api/v1/identity/roles/records_clerk', admin, {
        name: '档案员',
        nameEn: 'records clerk',
        permissions: ['registry.read', 'everything'],
      });
      expect(unknown.statusCode).toBe(400);
      expect(unknown.json().errors[0]).toMatchObject({ field: 'permissions[1]' });

      const created = await call('PUT', '/api/v1/identity/roles/records_clerk', admin, {
        name: '档案员',
        nameEn: 'records clerk',
        description: 'Reads the registries.',
        permissions: ['registry.read'],
      });
      expect(created.statusCode).toBe(201);
      expect(created.json()).toEqual({
        code: 'records_clerk',
        name: '档案员',
        nameEn: 'records clerk',
        description: 'Reads the registries.',
        permissions: ['registry.read'],
        holders: 0,
      });
      const holder = (
        await call('POST', '/api/v1/identity/staff', admin, newMember({ roles: ['records_clerk'] }))
      ).json();
      const held = await call('DELETE', '/api/v1/identity/roles/records_clerk', admin);
      expect(held.statusCode).toBe(409);
      await call('PATCH', `/api/v1/identity/staff/${holder.id}`, admin, { roles: ['window_clerk'] });
      expect((await call('DELETE', '/api/v1/identity/roles/records_clerk', admin)).statusCode).toBe(204);
      expect((await call('DELETE', '/api/v1/identity/roles/records_clerk', admin)).statusCode).toBe(404);
      const actions = await t.db.query<{ action: string }>(
        `select action from audit_log where entity = 'identity_role' and entity_id = 'records_clerk' order by id`,
      );
      expect(actions.map((a) => a.action)).toEqual(['identity.role.create', 'identity.role.delete']);
    });

    it('refuses to take role.manage from the last role that gives it to an active account', async () => {
      const roles = (await call('GET', '/api/v1/identity/roles', admin)).json().items;
      const systemAdmin = roles.find((r: { code: string }) => r.code === 'system_admin');
      const res = await call('PUT', '/api/v1/identity/roles/system_admin', admin, {
        name: systemAdmin.name,
        nameEn: systemAdmin.nameEn,
        permissions: systemAdmin.permissions.filter((p: string) => p !== 'role.manage'),
      });
      expect(res.statusCode).toBe(409);
      const after = (await call('GET', '/api/v1/identity/roles', admin)).json().items;
      expect(after.find((r: { code: string }) => r.code === 'system_admin').permissions).toContain(
        'role.manage',
      );
    });
  });

  describe('demo identities', () => {
    it('creates staff for every role (and for the licensing example’s departments) and two verified citizens, once', async () => {
      const directory = await seedDemoDirectory(t.db, { scale: 'small' });
      await seedDemoRegistries(t.db, { scale: 'small', regionCodes: directory.communities });
      const demo = await seedDemoIdentities(t.app.identity, t.db);
      expect([...new Set(demo.staff.flatMap((s) => s.roles))].sort()).toEqual([
        'approver',
        'catalog_admin',
        'department_head',
        'hall_manager',
        'supervisor',
        'system_admin',
        'window_clerk',
      ]);
      expect(demo.staff.map((s) => s.username)).toEqual(
        expect.arrayContaining(['market.approver', 'market.head', 'housing.approver']),
      );
      expect(demo.persons).toHaveLength(2);
      for (const person of demo.persons) {
        const [row] = await t.db.query<{
          name: string;
          assurance: number;
          id_number_enc: string;
          password_hash: string;
        }>(
          `select name, assurance, id_number_enc, password_hash from identity_account
            where kind = 'person' and phone_index = $1`,
          [t.app.identity.cipher.index(person.phone, 'phone')],
        );
        expect(row).toMatchObject({ name: person.name, assurance: 2 });
        const idNumber = t.app.identity.cipher.decrypt(row!.id_number_enc, 'idNumber');
        const [registered] = await t.db.query<{ name: string }>(
          'select name from registry_person where id_number = $1',
          [idNumber],
        );
        expect(registered!.name).toBe(person.name);
        expect(await verifyPassword(row!.password_hash, DEMO_PASSWORD)).toBe(true);
      }
      const representative = demo.persons.find((p) => p.legalRepresentativeOf)!;
      const [enterprise] = await t.db.query<{ legal_representative_name: string }>(
        'select legal_representative_name from registry_enterprise where uscc = $1',
        [representative.legalRepresentativeOf!.uscc],
      );
      expect(enterprise!.legal_representative_name).toBe(representative.name);

      // The department head leads a real department of a district, limited to it.
      const [head] = await t.db.query<{
        organisation_ids: number[];
        region_codes: string[];
        short_name: string;
      }>(
        `select s.organisation_ids, s.region_codes, o.short_name from identity_staff s
           join identity_account a on a.id = s.account_id join organisation o on o.id = s.organisation_id
          where a.username = 'dept.head'`,
      );
      expect(head!.short_name).toBe('民政局');
      expect(head!.region_codes).toEqual([districtA]);

      const count = async () =>
        (await t.db.query<{ n: number }>(`select count(*) as n from identity_account`))[0]!.n;
      const before = await count();
      const again = await seedDemoIdentities(t.app.identity, t.db);
      expect(again).toEqual(demo);
      expect(await count()).toBe(before);
    });
  });
});
