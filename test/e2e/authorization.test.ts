import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccessPolicy, MemberRole } from '../../src/kernel/auth.ts';
import type { RouteAccess } from '../../src/kernel/http.ts';
import { createRng, generateUscc } from '../../src/kernel/identifiers/index.ts';
import { seed } from '../../src/seed/index.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { personSession, staffSession, type TestRole } from '../helpers/identity.ts';
import {
  concreteUrl,
  HANDLER_FORBIDS,
  PUBLIC_ROUTES,
  publicEntryOf,
  routeKey,
} from './authorization-cases.ts';

/**
 * Authorisation of every route (issue 3, item 7). The first part is generic: it walks the
 * route table the kernel records (`app.routeAccess`, each route with its guard's policy),
 * so a route added tomorrow is covered without touching this file, and a route without a
 * guard must be on the public allowlist of authorization-cases.ts. Each check collects
 * every offending route and fails once, naming them all.
 *
 * The second part uses the seeded demo city: jurisdiction (registries, staff, catalog
 * entries and the directory, by region subtree and department) and enterprise scope
 * (agents only within their items, their enterprise and their mandate's lifetime).
 */

type Guarded = RouteAccess & { access: AccessPolicy };
type Method = NonNullable<InjectOptions['method']>;

interface Caller {
  label: string;
  kind: 'person' | 'staff';
  accountId: string;
  authorization: string;
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const MEMBER_ROLES: MemberRole[] = ['owner', 'admin', 'agent'];

describe('authorisation', () => {
  let t: TestApp;
  let routes: RouteAccess[];
  let guarded: Guarded[];
  /** Roles as data: role code -> the permissions it grants (identity_role_permission). */
  let rolePermissions: Map<string, Set<string>>;
  /** One staff member per role, jurisdiction over everything. */
  let staffByRole: Map<string, Caller>;
  /** A staff member who holds no role at all: signed in, no permission. */
  let staffWithoutRoles: Caller;
  /** Persons at assurance levels 0 to 3, acting for nobody. */
  let personAt: Caller[];
  /** Persons acting for enterprise E under each member role (agent: scope [itemX]). */
  let actingAs: Record<MemberRole, Caller & { memberId: string }>;
  let enterpriseE: { id: string; uscc: string };
  let enterpriseF: { id: string; uscc: string; owner: Caller };
  let itemX: string;
  let itemY: string;

  // --- helpers ----------------------------------------------------------------------------

  let usccSeed = 1000;
  const newUscc = () => generateUscc(createRng(++usccSeed), { authority: '9', category: '1' });

  const bearer = async (accountId: string, actingMemberId?: string) =>
    `Bearer ${(await t.app.identity.sessions.open(t.db, accountId, 'bearer', { actingMemberId })).token}`;

  const send = (
    method: string,
    url: string,
    authorization?: string,
    payload?: object,
    headers: Record<string, string> = {},
  ): Promise<LightMyRequestResponse> =>
    t.app.inject({
      method: method as Method,
      url,
      headers: { ...headers, ...(authorization !== undefined && { authorization }) },
      ...(payload !== undefined && { payload }),
    });

  /** A route with placeholders; no body, so that a guard running after validation would show as 400. */
  const hit = (route: RouteAccess, authorization?: string, headers?: Record<string, string>) =>
    send(route.method, concreteUrl(route.url), authorization, undefined, headers);

  const describeResponse = (r: LightMyRequestResponse) =>
    `${r.statusCode} ${String(r.headers['content-type'] ?? '')} ${r.body.slice(0, 160)}`;

  /** Records a failure unless the response is the problem+json refusal expected. */
  const expectRefusal = (
    failures: string[],
    route: RouteAccess,
    who: string,
    response: LightMyRequestResponse,
    status: 401 | 403,
  ) => {
    const problem =
      String(response.headers['content-type']).startsWith('application/problem+json') &&
      (response.json() as { code?: string }).code === (status === 401 ? 'unauthorized' : 'forbidden');
    if (response.statusCode !== status || !problem) {
      failures.push(
        `${routeKey(route)} as ${who}: expected ${status} problem+json, got ${describeResponse(response)}`,
      );
    }
  };

  const expectProblem = (response: LightMyRequestResponse, status: number) => {
    expect(response.statusCode, response.body).toBe(status);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  };

  const createEnterprise = async (owner: Caller, regionCode: string) => {
    const uscc = newUscc();
    const [row] = await t.db.query<{ id: string }>(
      `insert into identity_enterprise (uscc, name, legal_representative_name, region_code, verified_at, created_by)
       values ($1, $2, '测试用户', $3, now(), $4) returning id`,
      [uscc, `测试企业${uscc.slice(-4)}有限公司`, regionCode, owner.accountId],
    );
    const ownerMemberId = await addMember(row!.id, owner.accountId, 'owner', owner.accountId);
    return { id: row!.id, uscc, ownerMemberId };
  };

  const addMember = async (
    enterpriseId: string,
    accountId: string,
    role: MemberRole,
    appointedBy: string,
    scope: { itemCodes: string[]; expiresAt: Date } | null = null,
  ) => {
    const [row] = await t.db.query<{ id: string }>(
      `insert into identity_enterprise_member (enterprise_id, account_id, role, item_codes, expires_at, appointed_by)
       values ($1, $2, $3, $4, $5, $6) returning id`,
      [enterpriseId, accountId, role, scope?.itemCodes ?? null, scope?.expiresAt ?? null, appointedBy],
    );
    return row!.id;
  };

  const person = async (assurance: 0 | 1 | 2 | 3, label = `a person at assurance ${assurance}`) => {
    const p = await personSession(t.app, t.db, { assurance: assurance === 0 ? 1 : assurance });
    if (assurance === 0)
      await t.db.query('update identity_account set assurance = 0 where id = $1', [p.accountId]);
    return {
      label,
      kind: 'person' as const,
      accountId: p.accountId,
      authorization: p.authorization,
      phone: p.phone,
    };
  };

  const inDays = (days: number) => new Date(Date.now() + days * 86_400_000);

  beforeAll(async () => {
    t = await createTestApp();
    await seed(t.db, 'small');
    routes = [...t.app.routeAccess];
    guarded = routes.filter((r): r is Guarded => r.access !== undefined);

    const grants = await t.db.query<{ role: string; permissions: string[] }>(
      `select r.code as role, coalesce(array_agg(p.permission) filter (where p.permission is not null), '{}') as permissions
         from identity_role r left join identity_role_permission p on p.role_code = r.code
        group by r.code order by r.code`,
    );
    rolePermissions = new Map(grants.map((g) => [g.role, new Set(g.permissions)]));
    staffByRole = new Map();
    for (const role of rolePermissions.keys()) {
      const s = await staffSession(t.app, t.db, [role as TestRole]);
      staffByRole.set(role, { label: `staff with role ${role}`, kind: 'staff', ...s });
    }
    const bare = await staffSession(t.app, t.db, ['window_clerk']);
    await t.db.query('delete from identity_staff_role where account_id = $1', [bare.accountId]);
    staffWithoutRoles = { label: 'staff without roles', kind: 'staff', ...bare };

    personAt = [await person(0), await person(1), await person(2), await person(3)];

    const items = await t.db.query<{ code: string }>('select code from catalog_item order by code limit 2');
    [itemX, itemY] = [items[0]!.code, items[1]!.code];
    const [district] = await t.db.query<{ code: string }>(
      'select code from region where level = 3 order by code limit 1',
    );
    const owner = await person(2, 'the owner of E, acting for it');
    const e = await createEnterprise(owner, district!.code);
    enterpriseE = e;
    const admin = await person(2, 'an administrator of E, acting for it');
    const agent = await person(2, `an agent of E for [${itemX}], acting for it`);
    const adminMemberId = await addMember(e.id, admin.accountId, 'admin', owner.accountId);
    const agentMemberId = await addMember(e.id, agent.accountId, 'agent', admin.accountId, {
      itemCodes: [itemX],
      expiresAt: inDays(30),
    });
    actingAs = {
      owner: {
        ...owner,
        memberId: e.ownerMemberId,
        authorization: await bearer(owner.accountId, e.ownerMemberId),
      },
      admin: {
        ...admin,
        memberId: adminMemberId,
        authorization: await bearer(admin.accountId, adminMemberId),
      },
      agent: {
        ...agent,
        memberId: agentMemberId,
        authorization: await bearer(agent.accountId, agentMemberId),
      },
    };
    const ownerF = await person(2, 'the owner of F');
    const f = await createEnterprise(ownerF, district!.code);
    enterpriseF = { id: f.id, uscc: f.uscc, owner: ownerF };
  }, 120_000);
  afterAll(() => t.drop());

  // --- the generic part: every route in the route table ---------------------------------

  describe('every route', () => {
    it('has a guard, or is on the public allowlist (a guard-less route not listed is a forgotten guard)', () => {
      const unlisted = routes.filter((r) => !r.access && !publicEntryOf(r)).map(routeKey);
      expect(unlisted, 'routes without a guard that are not on PUBLIC_ROUTES').toEqual([]);
      const listedButGuarded = guarded.filter((r) => publicEntryOf(r)).map(routeKey);
      expect(
        listedButGuarded,
        'routes on PUBLIC_ROUTES that have a guard: remove them from the list',
      ).toEqual([]);
      const stale = PUBLIC_ROUTES.filter(
        (p) => !routes.some((r) => r.url === p.url && (p.method === '*' || p.method === r.method)),
      ).map((p) => `${p.method} ${p.url}`);
      expect(stale, 'PUBLIC_ROUTES entries matching no route').toEqual([]);
      // Not vacuous: the table holds every kind of guard the platform uses today.
      expect(guarded.length).toBeGreaterThan(40);
      const kinds = new Set(guarded.map((r) => r.access.kind));
      for (const kind of ['permission', 'signedIn', 'person'] as const) expect(kinds).toContain(kind);
    });

    it('has a placeholder for every path parameter', () => {
      const missing: string[] = [];
      for (const route of routes) {
        try {
          concreteUrl(route.url);
        } catch (error) {
          missing.push((error as Error).message);
        }
      }
      expect(missing).toEqual([]);
    });

    it('public routes serve anonymous callers, yet refuse a forged platform token (401)', async () => {
      const failures: string[] = [];
      const forged = 'Bearer tb_forgedforgedforgedforgedforgedforgedfor';
      for (const route of routes.filter((r) => !r.access)) {
        const entry = publicEntryOf(route)!;
        const anonymous = await hit(route);
        if (!entry.ownCredential && [401, 403].includes(anonymous.statusCode)) {
          failures.push(
            `${routeKey(route)} is public but refused an anonymous caller: ${describeResponse(anonymous)}`,
          );
        }
        if (!entry.providerCredentials) {
          expectRefusal(failures, route, 'a forged bearer token', await hit(route, forged), 401);
        }
      }
      expect(failures).toEqual([]);
    });

    it('guarded routes refuse anonymous callers with 401 problem+json, before validating anything', async () => {
      const failures: string[] = [];
      for (const route of guarded) expectRefusal(failures, route, 'anonymous', await hit(route), 401);
      expect(failures).toEqual([]);
    });

    it('guarded routes refuse forged, malformed, expired, idle, revoked and disabled-account credentials (401)', async () => {
      // Each token would otherwise pass most guards: it belongs to a system administrator.
      const admin = await staffSession(t.app, t.db, ['system_admin']);
      const session = async (change: string) => {
        const opened = await t.app.identity.sessions.open(t.db, admin.accountId, 'bearer', {});
        await t.db.query(`update identity_session set ${change} where id = $1`, [opened.sessionId]);
        return `Bearer ${opened.token}`;
      };
      const credentials: [string, string][] = [
        ['a forged token', 'Bearer tb_forgedforgedforgedforgedforgedforgedfor'],
        ['a token of the wrong scheme', `Basic ${Buffer.from('admin:admin').toString('base64')}`],
        ['an empty bearer', 'Bearer '],
        ['an expired session', await session(`expires_at = now() - interval '1 minute'`)],
        ['an idle session', await session(`last_seen_at = now() - interval '30 days'`)],
        ['a revoked session', await session(`revoked_at = now(), revoked_reason = 'logout'`)],
      ];
      const disabled = await staffSession(t.app, t.db, ['system_admin']);
      await t.db.query(`update identity_account set status = 'disabled' where id = $1`, [disabled.accountId]);
      credentials.push(['a disabled account', disabled.authorization]);
      // The control: the same administrator's live session does get past authentication.
      const live = await send('GET', '/api/v1/identity/me', await session('assurance = assurance'));
      expect(live.statusCode, live.body).toBe(200);

      const failures: string[] = [];
      for (const route of guarded) {
        for (const [label, authorization] of credentials) {
          expectRefusal(failures, route, label, await hit(route, authorization), 401);
        }
      }
      expect(failures).toEqual([]);
    });

    it('permission routes refuse citizens, enterprise members and staff whose roles lack every required permission (403)', async () => {
      const failures: string[] = [];
      let checks = 0;
      for (const route of guarded) {
        const access = route.access;
        if (access.kind !== 'permission') continue;
        const lacking = [...rolePermissions]
          .filter(([, granted]) => !access.permissions.some((p) => granted.has(p)))
          .map(([role]) => staffByRole.get(role)!);
        for (const caller of [personAt[3]!, actingAs.owner, staffWithoutRoles, ...lacking]) {
          expectRefusal(failures, route, caller.label, await hit(route, caller.authorization), 403);
          checks++;
        }
      }
      expect(failures).toEqual([]);
      expect(checks).toBeGreaterThan(100);
    });

    it('person routes refuse staff, and persons below the required assurance (403)', async () => {
      const failures: string[] = [];
      let checks = 0;
      for (const route of guarded) {
        const access = route.access;
        if (access.kind !== 'person') continue;
        const below = access.assurance > 0 ? [personAt[access.assurance - 1]!] : [];
        for (const caller of [staffByRole.get('system_admin')!, staffWithoutRoles, ...below]) {
          expectRefusal(failures, route, caller.label, await hit(route, caller.authorization), 403);
          checks++;
        }
      }
      expect(failures).toEqual([]);
      expect(checks).toBeGreaterThan(20);
    });

    it('acting routes refuse persons acting for nobody, staff, and members of a role the route does not admit (403)', async (context) => {
      const acting = guarded.filter((r) => r.access.kind === 'acting');
      // No route declares auth.acting(...) yet; the check is here for the first one that does.
      if (acting.length === 0) context.skip();
      const failures: string[] = [];
      for (const route of acting) {
        const access = route.access as Extract<AccessPolicy, { kind: 'acting' }>;
        const excluded =
          access.roles.length === 0 ? [] : MEMBER_ROLES.filter((r) => !access.roles.includes(r));
        const callers = [personAt[3]!, staffByRole.get('system_admin')!, ...excluded.map((r) => actingAs[r])];
        for (const caller of callers) {
          expectRefusal(failures, route, caller.label, await hit(route, caller.authorization), 403);
        }
      }
      expect(failures).toEqual([]);
    });

    /**
     * Callers who satisfy a route's policy, each the weakest that does: every role granting
     * one of the permissions; for "signed in" a phone-verified person and a staff member
     * without roles; a person at exactly the required assurance; each admitted member role.
     */
    const satisfying = (access: AccessPolicy): Caller[] => {
      switch (access.kind) {
        case 'permission':
          return [...rolePermissions]
            .filter(([, granted]) => access.permissions.some((p) => granted.has(p)))
            .map(([role]) => staffByRole.get(role)!);
        case 'signedIn':
          return [personAt[1]!, staffWithoutRoles];
        case 'person':
          return [personAt[Math.min(Math.max(access.assurance, 0), 3)]!];
        case 'acting':
          return (access.roles.length === 0 ? MEMBER_ROLES : access.roles).map((r) => actingAs[r]);
      }
    };
    const memberOf = (caller: Caller) =>
      Object.values(actingAs).find((a) => a.accountId === caller.accountId);

    it('lets every caller who satisfies the policy past the guard (not 401/403, save documented handler refusals)', async () => {
      const failures: string[] = [];
      let checks = 0;
      for (const route of guarded) {
        const callers = satisfying(route.access);
        if (callers.length === 0) failures.push(`${routeKey(route)}: no role or caller satisfies its policy`);
        for (const caller of callers) {
          // A fresh session per request: logout and "log out everywhere" must not end the
          // shared ones. A route that closes the caller's account is undone before the next.
          await t.db.query(`update identity_account set status = 'active', closed_at = null where id = $1`, [
            caller.accountId,
          ]);
          const authorization = await bearer(caller.accountId, memberOf(caller)?.memberId);
          const response = await send(
            route.method,
            concreteUrl(route.url),
            authorization,
            UNSAFE.has(route.method) && route.method !== 'DELETE' ? {} : undefined,
          );
          checks++;
          const excused = HANDLER_FORBIDS.some(
            (e) => e.method === route.method && e.url === route.url && caller.label.startsWith(e.callerLabel),
          );
          if (excused) {
            if (response.statusCode !== 403) {
              failures.push(
                `${routeKey(route)} as ${caller.label}: listed in HANDLER_FORBIDS but got ${describeResponse(response)}`,
              );
            }
          } else if ([401, 403].includes(response.statusCode)) {
            failures.push(`${routeKey(route)} as ${caller.label}: refused, ${describeResponse(response)}`);
          }
        }
      }
      expect(failures).toEqual([]);
      expect(checks).toBeGreaterThanOrEqual(guarded.length);
    });

    it('unsafe guarded routes refuse a browser session without the CSRF header (403), even for an allowed caller', async () => {
      const failures: string[] = [];
      for (const route of guarded.filter((r) => UNSAFE.has(r.method))) {
        const caller = satisfying(route.access)[0]!;
        const opened = await t.app.identity.sessions.open(t.db, caller.accountId, 'cookie', {
          actingMemberId: memberOf(caller)?.memberId,
        });
        const response = await hit(route, undefined, { cookie: `tb_session=${opened.token}` });
        expectRefusal(failures, route, `${caller.label} (cookie, no CSRF header)`, response, 403);
      }
      expect(failures).toEqual([]);
    });
  });

  // --- jurisdiction -----------------------------------------------------------------------

  describe('jurisdiction', () => {
    interface District {
      code: string;
      organisationIds: number[];
      personId: string;
      uscc: string;
    }
    let a: District;
    let b: District;
    let clerkA: Caller;
    let clerkB: Caller;
    let headA: Caller;

    const district = async (code: string): Promise<District> => {
      const inside = `exists (select 1 from region r where r.code = x.region_code and r.path && array[$1]::text[])`;
      const organisations = await t.db.query<{ id: number }>(
        `select x.id from organisation x where ${inside} order by x.id limit 2`,
        [code],
      );
      const [personRow] = await t.db.query<{ id: string }>(
        `select x.id_number as id from registry_person x where ${inside} order by x.id_number limit 1`,
        [code],
      );
      const [enterpriseRow] = await t.db.query<{ uscc: string }>(
        `select x.uscc from registry_enterprise x where ${inside} order by x.uscc limit 1`,
        [code],
      );
      expect(organisations.length).toBe(2);
      return {
        code,
        organisationIds: organisations.map((o) => Number(o.id)),
        personId: personRow!.id,
        uscc: enterpriseRow!.uscc,
      };
    };

    const staffIn = async (
      roles: TestRole[],
      d: District,
      label: string,
      organisationIds?: number[],
    ): Promise<Caller> => ({
      label,
      kind: 'staff',
      ...(await staffSession(t.app, t.db, roles, {
        regionCodes: [d.code],
        organisationId: d.organisationIds[0]!,
        organisationIds,
      })),
    });

    const staffCount = async () =>
      (await t.db.query<{ n: number }>('select count(*)::int as n from identity_staff'))[0]!.n;

    beforeAll(async () => {
      const districts = await t.db.query<{ code: string }>(
        'select code from region where level = 3 order by code limit 2',
      );
      expect(districts).toHaveLength(2);
      a = await district(districts[0]!.code);
      b = await district(districts[1]!.code);
      clerkA = await staffIn(['window_clerk'], a, 'a window clerk of district A');
      clerkB = await staffIn(['window_clerk'], b, 'a window clerk of district B');
      headA = await staffIn(['department_head'], a, 'a department head of district A');
    });

    it('a clerk reads residents and enterprises of their district, and gets 404 for those of another', async () => {
      for (const [clerk, own, other] of [
        [clerkA, a, b],
        [clerkB, b, a],
      ] as const) {
        const mine = await send('GET', `/api/v1/registries/persons/${own.personId}`, clerk.authorization);
        expect(mine.statusCode, mine.body).toBe(200);
        expect(mine.json()).toMatchObject({ idNumber: own.personId });
        const theirs = await send('GET', `/api/v1/registries/persons/${other.personId}`, clerk.authorization);
        expect(theirs.statusCode, theirs.body).toBe(404);
        expect(theirs.headers['content-type']).toMatch(/^application\/problem\+json/);

        const company = await send('GET', `/api/v1/registries/enterprises/${own.uscc}`, clerk.authorization);
        expect(company.statusCode, company.body).toBe(200);
        const foreign = await send(
          'GET',
          `/api/v1/registries/enterprises/${other.uscc}`,
          clerk.authorization,
        );
        expect(foreign.statusCode, foreign.body).toBe(404);
      }
    });

    it('outside the jurisdiction answers exactly like an unknown number, so existence is not confirmed', async () => {
      const outside = await send('GET', `/api/v1/registries/persons/${b.personId}`, clerkA.authorization);
      const unknown = await send(
        'GET',
        '/api/v1/registries/persons/11010519491231002X',
        clerkA.authorization,
      );
      expect(outside.statusCode).toBe(404);
      expect(unknown.statusCode).toBe(404);
      expect(outside.json().code).toBe(unknown.json().code);
      expect(outside.json().detail).toBe(unknown.json().detail);
    });

    it('a clerk whose jurisdiction is a street sees residents of that street only', async () => {
      const [row] = await t.db.query<{ street: string }>(
        `select r.path[4] as street from registry_person p join region r on r.code = p.region_code
          where p.id_number = $1`,
        [a.personId],
      );
      const street = row?.street;
      expect(street).toMatch(/^\d{12}$/);
      const [elsewhere] = await t.db.query<{ id: string }>(
        `select p.id_number as id from registry_person p join region r on r.code = p.region_code
          where r.path && array[$1]::text[] and not r.path && array[$2]::text[] order by p.id_number limit 1`,
        [a.code, street],
      );
      const clerk = await staffSession(t.app, t.db, ['window_clerk'], {
        regionCodes: [street!],
        organisationId: a.organisationIds[0]!,
      });
      const inStreet = await send('GET', `/api/v1/registries/persons/${a.personId}`, clerk.authorization);
      expect(inStreet.statusCode, inStreet.body).toBe(200);
      const sameDistrict = await send(
        'GET',
        `/api/v1/registries/persons/${elsewhere!.id}`,
        clerk.authorization,
      );
      expect(sameDistrict.statusCode, sameDistrict.body).toBe(404);
    });

    const newStaff = (d: District, overrides: Record<string, unknown> = {}) => ({
      username: `j${Math.floor(Math.random() * 1e9)}`,
      name: '辖区测试',
      password: 'Jurisdiction-2024',
      organisationId: d.organisationIds[0]!,
      roles: ['window_clerk'],
      regionCodes: [d.code],
      ...overrides,
    });

    it('a department head of district A cannot create staff in district B, nor grant B, nor grant roles beyond theirs (403, nothing created)', async () => {
      const before = await staffCount();
      for (const body of [
        newStaff(b),
        newStaff(a, { regionCodes: [b.code] }),
        newStaff(a, { organisationIds: [b.organisationIds[0]!] }),
        newStaff(a, { roles: ['system_admin'] }),
      ]) {
        const response = await send('POST', '/api/v1/identity/staff', headA.authorization, body);
        expect(response.statusCode, JSON.stringify(body) + response.body).toBe(403);
        expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      }
      expect(await staffCount()).toBe(before);
      // The control: the same head staffs a window of their own district.
      const created = await send('POST', '/api/v1/identity/staff', headA.authorization, newStaff(a));
      expect(created.statusCode, created.body).toBe(201);
      expect(await staffCount()).toBe(before + 1);
    });

    it('a department head of district A sees and manages staff of A only (404 for staff of B)', async () => {
      const own = await send('GET', `/api/v1/identity/staff/${clerkA.accountId}`, headA.authorization);
      expect(own.statusCode, own.body).toBe(200);
      const list = await send('GET', '/api/v1/identity/staff?size=100', headA.authorization);
      expect(list.statusCode, list.body).toBe(200);
      const ids = (list.json() as { items: { id: string }[] }).items.map((s) => s.id);
      expect(ids).toContain(clerkA.accountId);
      expect(ids).not.toContain(clerkB.accountId);

      const target = `/api/v1/identity/staff/${clerkB.accountId}`;
      const attempts: [string, string, object | undefined][] = [
        ['GET', target, undefined],
        ['PATCH', target, { title: '越权修改' }],
        ['POST', `${target}/disable`, undefined],
        ['POST', `${target}/password`, { password: 'Takeover-2024!' }],
      ];
      for (const [method, url, body] of attempts) {
        const response = await send(method, url, headA.authorization, body);
        expect(response.statusCode, `${method} ${url} ${response.body}`).toBe(404);
      }
      const [clerk] = await t.db.query<{ status: string; title: string | null }>(
        `select a.status, s.title from identity_account a join identity_staff s on s.account_id = a.id where a.id = $1`,
        [clerkB.accountId],
      );
      expect(clerk).toEqual({ status: 'active', title: null });
    });

    it('a catalog administrator of district B cannot create, edit or move entries of district A (403, nothing changes)', async () => {
      const adminB = await staffIn(['catalog_admin'], b, 'a catalog administrator of district B');
      const entryIn = async (d: District) => {
        const [row] = await t.db.query<{ code: string; id: number }>(
          `select e.code, e.id from catalog_entry e join region r on r.code = e.region_code
            where r.path && array[$1]::text[] order by e.code limit 1`,
          [d.code],
        );
        return row!;
      };
      const versions = async (entryId: number) =>
        (
          await t.db.query<{ n: number }>(
            'select count(*)::int as n from catalog_entry_version where entry_id = $1',
            [entryId],
          )
        )[0]!.n;
      const entryA = await entryIn(a);
      const before = await versions(entryA.id);
      const draft = { officeHours: '越权修改' };
      expectProblem(
        await send('PUT', `/api/v1/catalog/entries/${entryA.code}/draft`, adminB.authorization, draft),
        403,
      );
      expectProblem(
        await send('POST', `/api/v1/catalog/entries/${entryA.code}/retire`, adminB.authorization),
        403,
      );
      const create = { itemCode: itemX, organisationId: a.organisationIds[0]!, regionCode: a.code };
      expectProblem(await send('POST', '/api/v1/catalog/entries', adminB.authorization, create), 403);
      expect(await versions(entryA.id)).toBe(before);
      // The control: their own district's entry takes the draft.
      const entryB = await entryIn(b);
      const own = await send(
        'PUT',
        `/api/v1/catalog/entries/${entryB.code}/draft`,
        adminB.authorization,
        draft,
      );
      expect(own.statusCode, own.body).toBe(200);
    });

    it('basic items are kept at province or city level: a district catalog administrator gets 403', async () => {
      const district = await staffIn(['catalog_admin'], b, 'a catalog administrator of district B');
      const url = `/api/v1/catalog/items/${encodeURIComponent(itemX)}/submit`;
      expectProblem(await send('POST', url, district.authorization), 403);
      const [city] = await t.db.query<{ code: string }>('select code from region where level = 2 limit 1');
      const cityAdmin = await staffSession(t.app, t.db, ['catalog_admin'], {
        regionCodes: [city!.code],
        organisationId: a.organisationIds[0]!,
      });
      const response = await send('POST', url, cityAdmin.authorization);
      expect(response.statusCode, response.body).not.toBe(403);
      expect(response.statusCode).not.toBe(401);
    });

    it('a directory administrator of district B cannot add regions or bodies in district A, nor top regions (403)', async () => {
      const adminB = await staffIn(['system_admin'], b, 'a system administrator of district B');
      const count = async () =>
        (
          await t.db.query<{ n: number }>(
            'select (select count(*) from region)::int + (select count(*) from organisation)::int as n',
          )
        )[0]!.n;
      const before = await count();
      const street = (d: District) => `${d.code.slice(0, 6)}099000`;
      for (const [url, body] of [
        ['/api/v1/regions', { code: street(a), name: '越权街道', parentCode: a.code }],
        ['/api/v1/regions', { code: '339900000000', name: '越权市' }],
        [
          '/api/v1/organisations',
          { name: '越权局', uscc: newUscc(), regionCode: a.code, kind: 'department' },
        ],
      ] as const) {
        expectProblem(await send('POST', url, adminB.authorization, body), 403);
      }
      expect(await count()).toBe(before);
      // The control: a street of their own district.
      const own = await send('POST', '/api/v1/regions', adminB.authorization, {
        code: street(b),
        name: '新设街道',
        parentCode: b.code,
      });
      expect(own.statusCode, own.body).toBe(201);
    });

    it('a head limited to one department does not see staff of another department of the same district', async () => {
      const [own, other] = a.organisationIds as [number, number];
      const limited = await staffIn(['department_head'], a, 'a head limited to one department', [own]);
      const colleague = await staffSession(t.app, t.db, ['window_clerk'], {
        regionCodes: [a.code],
        organisationId: other,
      });
      const response = await send(
        'GET',
        `/api/v1/identity/staff/${colleague.accountId}`,
        limited.authorization,
      );
      expect(response.statusCode, response.body).toBe(404);
      const mine = await send('GET', `/api/v1/identity/staff/${clerkA.accountId}`, limited.authorization);
      expect(mine.statusCode, mine.body).toBe(200);
    });
  });

  // --- enterprise and agent scope ---------------------------------------------------------

  describe('enterprise and agent scope', () => {
    const mandate = (caller: Caller | string, item: string) =>
      send(
        'GET',
        `/api/v1/identity/acting/items/${encodeURIComponent(item)}/mandate`,
        typeof caller === 'string' ? caller : caller.authorization,
      );

    it('an agent may handle the items of their mandate (200) and no other (403)', async () => {
      const allowed = await mandate(actingAs.agent, itemX);
      expect(allowed.statusCode, allowed.body).toBe(200);
      expect(allowed.json()).toMatchObject({
        allowed: true,
        itemCode: itemX,
        enterpriseId: enterpriseE.id,
        uscc: enterpriseE.uscc,
        role: 'agent',
      });
      expectProblem(await mandate(actingAs.agent, itemY), 403);
    });

    it('owners and administrators cover every item; persons acting for nobody and staff cover none', async () => {
      for (const member of [actingAs.owner, actingAs.admin]) {
        const response = await mandate(member, itemY);
        expect(response.statusCode, response.body).toBe(200);
      }
      expectProblem(await mandate(personAt[3]!, itemX), 403);
      expectProblem(await mandate(staffByRole.get('system_admin')!, itemX), 403);
    });

    it('an agent of E switches to acting for E, but cannot act for F nor read it', async () => {
      const plain = await bearer(actingAs.agent.accountId);
      const toF = await send('PUT', '/api/v1/identity/acting', plain, { enterpriseId: enterpriseF.id });
      expectProblem(toF, 403);
      // The refused switch left the session as it was.
      const still = await send('GET', '/api/v1/identity/acting', plain);
      expect(still.statusCode, still.body).toBe(200);
      expect(still.json().acting).toBeNull();
      expectProblem(await send('GET', `/api/v1/identity/enterprises/${enterpriseF.id}`, plain), 404);

      const toE = await send('PUT', '/api/v1/identity/acting', plain, { enterpriseId: enterpriseE.id });
      expect(toE.statusCode, toE.body).toBe(200);
      expect(toE.json().acting).toMatchObject({
        enterpriseId: enterpriseE.id,
        role: 'agent',
        itemCodes: [itemX],
      });
      const switched = `Bearer ${toE.json().session.token as string}`;
      expect((await mandate(switched, itemX)).statusCode).toBe(200);
      expectProblem(await mandate(switched, itemY), 403);
      // The session was rotated: the token from before the switch is worth nothing.
      expectProblem(await mandate(plain, itemX), 401);
    });

    it('the owner of F cannot read E, appoint in E or switch to E', async () => {
      const stranger = enterpriseF.owner;
      expectProblem(
        await send('GET', `/api/v1/identity/enterprises/${enterpriseE.id}`, stranger.authorization),
        404,
      );
      // An enterprise one may not act for is "not found", as if it did not exist.
      const appoint = await send(
        'POST',
        `/api/v1/identity/enterprises/${enterpriseE.id}/members`,
        stranger.authorization,
        {
          phone: '13900000000',
          name: '测试用户',
          role: 'agent',
          itemCodes: [itemX],
          expiresAt: inDays(10).toISOString(),
        },
      );
      expectProblem(appoint, 404);
      expectProblem(
        await send('PUT', '/api/v1/identity/acting', stranger.authorization, {
          enterpriseId: enterpriseE.id,
        }),
        403,
      );
    });

    it('an agent cannot appoint anyone, and an administrator cannot appoint administrators (403, nothing changes)', async () => {
      const appointee = await person(2, 'an appointee');
      const members = async () =>
        (await t.db.query<{ n: number }>('select count(*)::int as n from identity_enterprise_member'))[0]!.n;
      const before = await members();
      const agentBody = {
        phone: appointee.phone,
        name: '测试用户',
        role: 'agent',
        itemCodes: [itemX],
        expiresAt: inDays(10).toISOString(),
      };
      const url = `/api/v1/identity/enterprises/${enterpriseE.id}/members`;
      expectProblem(await send('POST', url, actingAs.agent.authorization, agentBody), 403);
      expectProblem(
        await send('POST', url, actingAs.admin.authorization, {
          phone: agentBody.phone,
          name: '测试用户',
          role: 'admin',
        }),
        403,
      );
      expectProblem(
        await send('DELETE', `${url}/${actingAs.admin.memberId}`, actingAs.agent.authorization),
        403,
      );
      expect(await members()).toBe(before);
    });

    it('an expired mandate is refused at once: no switching to it, and an acting session stops acting (403)', async () => {
      const lapsed = await person(2, 'an agent whose mandate expired');
      const memberId = await addMember(enterpriseE.id, lapsed.accountId, 'agent', actingAs.admin.accountId, {
        itemCodes: [itemX],
        expiresAt: inDays(5),
      });
      const acting = await bearer(lapsed.accountId, memberId);
      expect((await mandate(acting, itemX)).statusCode).toBe(200);

      await t.db.query(
        `update identity_enterprise_member set expires_at = now() - interval '1 second' where id = $1`,
        [memberId],
      );
      expectProblem(await mandate(acting, itemX), 403);
      const view = await send('GET', '/api/v1/identity/acting', acting);
      expect(view.json().acting).toBeNull();
      expectProblem(
        await send('PUT', '/api/v1/identity/acting', lapsed.authorization, { enterpriseId: enterpriseE.id }),
        403,
      );
      const listed = await send('GET', '/api/v1/identity/enterprises', lapsed.authorization);
      expect(listed.json().items).toEqual([]);
    });

    it('a revoked mandate stops working on the very next request', async () => {
      const revoked = await person(2, 'an agent about to be revoked');
      const memberId = await addMember(enterpriseE.id, revoked.accountId, 'agent', actingAs.admin.accountId, {
        itemCodes: [itemX],
        expiresAt: inDays(5),
      });
      const acting = await bearer(revoked.accountId, memberId);
      expect((await mandate(acting, itemX)).statusCode).toBe(200);
      const revoke = await send(
        'DELETE',
        `/api/v1/identity/enterprises/${enterpriseE.id}/members/${memberId}`,
        actingAs.admin.authorization,
      );
      expect(revoke.statusCode, revoke.body).toBe(204);
      expectProblem(await mandate(acting, itemX), 403);
    });
  });

  // --- ownership --------------------------------------------------------------------------

  describe('ownership', () => {
    it('one account cannot end the session of another (404, the session lives on), only its own', async () => {
      const owner = await person(1, 'the session owner');
      const intruder = await person(1, 'another person');
      const staff = staffByRole.get('system_admin')!;
      const [session] = await t.db.query<{ id: string }>(
        'select id from identity_session where account_id = $1 and revoked_at is null',
        [owner.accountId],
      );
      for (const caller of [intruder, staff]) {
        expectProblem(
          await send('DELETE', `/api/v1/identity/sessions/${session!.id}`, caller.authorization),
          404,
        );
      }
      expect((await send('GET', '/api/v1/identity/me', owner.authorization)).statusCode).toBe(200);
      const own = await send('DELETE', `/api/v1/identity/sessions/${session!.id}`, owner.authorization);
      expect(own.statusCode, own.body).toBe(204);
      expectProblem(await send('GET', '/api/v1/identity/me', owner.authorization), 401);
    });
  });
});
