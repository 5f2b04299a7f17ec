import { audit, type Actor } from '../../kernel/audit.ts';
import { jurisdictionClause, PERMISSIONS, type Principal } from '../../kernel/auth.ts';
import { hashPassword, maskPhone, passwordPolicy } from '../../kernel/crypto.ts';
import type { Database, Queryable } from '../../kernel/db.ts';
import {
  conflict,
  forbidden,
  notFound,
  validationError,
  type FieldError,
  textFieldError,
} from '../../kernel/errors.ts';
import { defineMessages } from '../../kernel/i18n.ts';
import { MOBILE_PHONE } from './sms-codes.ts';
import type { IdentityContext } from './context.ts';

/*
 * Staff administration: accounts inside departments and hall windows, their roles (data)
 * and jurisdiction, and the roles themselves. A manager acts only inside their own
 * jurisdiction and grants nothing wider than they hold, so a department head cannot make
 * a system administrator or see a district that is not theirs.
 */

defineMessages({
  'identity.staff.username': {
    zh: '应以小写字母开头，3至32个字符，只含小写字母、数字、点、下划线和连字符',
    en: 'must start with a lower-case letter and have 3 to 32 of: lower-case letters, digits, . _ -',
  },
  'identity.staff.role.unknown': { zh: '没有编码为{code}的角色', en: 'no role has the code {code}' },
  'identity.staff.region.unknown': { zh: '没有编码为{code}的行政区划', en: 'no region has the code {code}' },
  'identity.staff.organisation.unknown': {
    zh: '没有编号为{id}的机构',
    en: 'no organisation has the id {id}',
  },
  'identity.role.permission.unknown': {
    zh: '没有名为{name}的权限',
    en: 'no permission is named {name}',
  },
});

const USERNAME = /^[a-z][a-z0-9._-]{2,31}$/;

export interface StaffInput {
  username: string;
  name: string;
  phone?: string | undefined;
  password?: string | undefined;
  organisationId: number;
  hallWindow?: string | undefined;
  title?: string | undefined;
  roles: string[];
  /** Roots of the region subtrees the member may see. */
  regionCodes: string[];
  /** Departments the member may see; empty for every department of the regions. */
  organisationIds?: number[] | undefined;
}

/** What may change on a member; omitted fields stay as they are, null clears window or title. */
export interface StaffPatch {
  organisationId?: number | undefined;
  hallWindow?: string | null | undefined;
  title?: string | null | undefined;
  roles?: string[] | undefined;
  regionCodes?: string[] | undefined;
  organisationIds?: number[] | undefined;
}

export type StaffStatus = 'active' | 'disabled' | 'closed';

/** A staff member as the API shows them; the phone is masked unless the reader may see it whole. */
export interface StaffView {
  id: string;
  username: string;
  name: string;
  phone: string | null;
  status: StaffStatus;
  organisation: { id: number; name: string; regionCode: string };
  hallWindow: string | null;
  title: string | null;
  roles: string[];
  regionCodes: string[];
  organisationIds: number[];
  createdAt: string;
}

export interface StaffFilter {
  organisationId?: number | undefined;
  role?: string | undefined;
  /** Part of the username or the name. */
  q?: string | undefined;
  status?: StaffStatus | undefined;
}

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  size: number;
}

// ---------------------------------------------------------------------------------------
// Validation of what a staff record refers to

/** Field errors for roles, regions and departments that do not exist (400 naming each). */
async function referenceErrors(
  db: Queryable,
  refs: { roles?: string[]; regionCodes?: string[]; organisationIds?: number[]; organisationId?: number },
): Promise<FieldError[]> {
  const errors: FieldError[] = [];
  if (refs.organisationId !== undefined) {
    const [found] = await db.query('select 1 from organisation where id = $1', [refs.organisationId]);
    if (!found)
      errors.push(
        textFieldError('organisationId', 'exists', 'identity.staff.organisation.unknown', {
          id: refs.organisationId,
        }),
      );
  }
  const missing = async <T extends string | number>(sql: string, values: T[]): Promise<Set<T>> => {
    if (values.length === 0) return new Set();
    const rows = await db.query<{ value: T }>(sql, [values]);
    const present = new Set(rows.map((r) => (typeof values[0] === 'number' ? Number(r.value) : r.value)));
    return new Set(values.filter((v) => !present.has(v)));
  };
  const roles = refs.roles ?? [];
  const unknownRoles = await missing(
    'select code as value from identity_role where code = any($1::text[])',
    roles,
  );
  roles.forEach((code, i) => {
    if (unknownRoles.has(code))
      errors.push(textFieldError(`roles[${i}]`, 'exists', 'identity.staff.role.unknown', { code }));
  });
  const regions = refs.regionCodes ?? [];
  const unknownRegions = await missing(
    'select code as value from region where code = any($1::text[])',
    regions,
  );
  regions.forEach((code, i) => {
    if (unknownRegions.has(code))
      errors.push(textFieldError(`regionCodes[${i}]`, 'exists', 'identity.staff.region.unknown', { code }));
  });
  const organisations = refs.organisationIds ?? [];
  const unknownOrganisations = await missing(
    'select id as value from organisation where id = any($1::bigint[])',
    organisations,
  );
  organisations.forEach((id, i) => {
    if (unknownOrganisations.has(id))
      errors.push(
        textFieldError(`organisationIds[${i}]`, 'exists', 'identity.staff.organisation.unknown', { id }),
      );
  });
  return errors;
}

function inputErrors(input: {
  username?: string;
  phone?: string | undefined;
  password?: string | undefined;
}) {
  const errors: FieldError[] = [];
  if (input.username !== undefined && !USERNAME.test(input.username))
    errors.push(textFieldError('username', 'pattern', 'identity.staff.username'));
  if (input.phone !== undefined && !MOBILE_PHONE.test(input.phone))
    errors.push(textFieldError('phone', 'format', 'identity.phone.format'));
  if (input.password !== undefined) {
    const weak = passwordPolicy(input.password);
    if (weak) errors.push(weak);
  }
  return errors;
}

// ---------------------------------------------------------------------------------------
// Creating and reading

/** Creates a staff account with its roles and jurisdiction; returns the account id. */
export async function createStaff(
  ctx: Pick<IdentityContext, 'cipher'>,
  db: Database,
  input: StaffInput,
  actor: Actor,
): Promise<string> {
  const early = inputErrors(input);
  if (early.length > 0) throw validationError(early);
  const passwordHash = input.password ? await hashPassword(input.password) : null;
  const phoneIndex = input.phone ? ctx.cipher.index(input.phone, 'phone') : null;
  return db.transaction(async (tx) => {
    const errors = await referenceErrors(tx, {
      roles: input.roles,
      regionCodes: input.regionCodes,
      organisationIds: input.organisationIds ?? [],
      organisationId: input.organisationId,
    });
    if (errors.length > 0) throw validationError(errors);
    const [taken] = await tx.query('select 1 from identity_account where username = $1', [input.username]);
    if (taken) throw conflict(`The username ${input.username} is taken`, { field: 'username' });
    if (phoneIndex) {
      const [phoneTaken] = await tx.query(
        `select 1 from identity_account where kind = 'staff' and phone_index = $1 and status <> 'closed'`,
        [phoneIndex],
      );
      if (phoneTaken) throw conflict('Another staff account has this phone number', { field: 'phone' });
    }
    const [account] = await tx.query<{ id: string }>(
      `insert into identity_account (kind, username, name, phone_enc, phone_index, password_hash, assurance)
       values ('staff', $1, $2, $3, $4, $5, 2) on conflict do nothing returning id`,
      [
        input.username,
        input.name,
        input.phone ? ctx.cipher.encrypt(input.phone, 'phone') : null,
        phoneIndex,
        passwordHash,
      ],
    );
    // A concurrent request took the username or phone between the check and the insert.
    if (!account) throw conflict(`The username ${input.username} or the phone is taken`);
    const id = account.id;
    await tx.query(
      `insert into identity_staff (account_id, organisation_id, hall_window, title, region_codes, organisation_ids)
       values ($1, $2, $3, $4, $5, $6)`,
      [
        id,
        input.organisationId,
        input.hallWindow ?? null,
        input.title ?? null,
        input.regionCodes,
        input.organisationIds ?? [],
      ],
    );
    await tx.query('insert into identity_staff_role (account_id, role_code) select $1, unnest($2::text[])', [
      id,
      [...new Set(input.roles)],
    ]);
    await audit(tx, {
      ...actor,
      action: 'identity.staff.create',
      entity: 'identity_account',
      entityId: id,
      after: { ...input, password: undefined, phone: input.phone ? maskPhone(input.phone) : undefined },
    });
    return id;
  });
}

interface StaffRow {
  id: string;
  username: string;
  name: string | null;
  phone_enc: string | null;
  status: StaffStatus;
  created_at: Date;
  organisation_id: number;
  organisation_name: string;
  organisation_region_code: string;
  hall_window: string | null;
  title: string | null;
  region_codes: string[];
  organisation_ids: number[];
  roles: string[];
}

const STAFF_SELECT = `
  select a.id, a.username, a.name, a.phone_enc, a.status, s.created_at,
         s.organisation_id, o.name as organisation_name, o.region_code as organisation_region_code,
         s.hall_window, s.title, s.region_codes, s.organisation_ids,
         coalesce((select array_agg(sr.role_code order by sr.role_code)
                     from identity_staff_role sr where sr.account_id = a.id), '{}') as roles
    from identity_staff s
    join identity_account a on a.id = s.account_id
    join organisation o on o.id = s.organisation_id`;

/** The SQL condition for members the principal may see: their department lies in the jurisdiction. */
const visibleTo = (principal: Principal, params: unknown[]) =>
  jurisdictionClause(principal, { region: 'o.region_code', organisation: 's.organisation_id' }, params);

function toView(ctx: Pick<IdentityContext, 'cipher'>, row: StaffRow, reader: Principal): StaffView {
  let phone: string | null = null;
  if (row.phone_enc) {
    const plain = ctx.cipher.decrypt(row.phone_enc, 'phone');
    phone = reader.permissions.has('pii.read_full') ? plain : maskPhone(plain);
  }
  return {
    id: row.id,
    username: row.username,
    name: row.name ?? row.username,
    phone,
    status: row.status,
    organisation: {
      id: Number(row.organisation_id),
      name: row.organisation_name,
      regionCode: row.organisation_region_code,
    },
    hallWindow: row.hall_window,
    title: row.title,
    roles: row.roles,
    regionCodes: row.region_codes,
    organisationIds: row.organisation_ids,
    createdAt: row.created_at.toISOString(),
  };
}

const likePattern = (q: string) => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** Staff the principal may see (their department inside the principal's jurisdiction), filtered in SQL. */
export async function listStaff(
  ctx: Pick<IdentityContext, 'cipher'>,
  db: Queryable,
  principal: Principal,
  filter: StaffFilter,
  { page, size }: { page: number; size: number },
): Promise<Page<StaffView>> {
  const params: unknown[] = [
    filter.organisationId ?? null,
    filter.role ?? null,
    filter.q ? likePattern(filter.q) : null,
    filter.status ?? null,
  ];
  const where = `where ${visibleTo(principal, params)}
      and ($1::bigint is null or s.organisation_id = $1)
      and ($2::text is null or exists (select 1 from identity_staff_role fr
                                        where fr.account_id = s.account_id and fr.role_code = $2))
      and ($3::text is null or a.username like $3 or a.name like $3)
      and ($4::text is null or a.status = $4)`;
  const [counted] = await db.query<{ n: number }>(
    `select count(*) as n from identity_staff s
       join identity_account a on a.id = s.account_id
       join organisation o on o.id = s.organisation_id ${where}`,
    params,
  );
  params.push(size, (page - 1) * size);
  const rows = await db.query<StaffRow>(
    `${STAFF_SELECT} ${where} order by a.username limit $${params.length - 1} offset $${params.length}`,
    params,
  );
  return { items: rows.map((r) => toView(ctx, r, principal)), total: Number(counted!.n), page, size };
}

/** Reads a member inside the principal's jurisdiction; outside it is 404, as if it did not exist. */
async function findVisibleStaff(db: Queryable, principal: Principal, id: string): Promise<StaffRow> {
  const params: unknown[] = [id];
  const [row] = await db.query<StaffRow>(
    `${STAFF_SELECT} where a.id = $1 and ${visibleTo(principal, params)}`,
    params,
  );
  if (!row) throw notFound(`No staff member ${id} in your jurisdiction`);
  return row;
}

export async function getStaff(
  ctx: Pick<IdentityContext, 'cipher'>,
  db: Queryable,
  principal: Principal,
  id: string,
): Promise<StaffView> {
  return toView(ctx, await findVisibleStaff(db, principal, id), principal);
}

// ---------------------------------------------------------------------------------------
// What a manager may grant

/**
 * Case-handling permissions a manager may hand to their staff without holding them: a
 * department head staffs windows and review desks without working at one.
 */
const DELEGABLE = (permission: string) => permission.startsWith('case.');

/**
 * Refuses (403) roles the manager may not grant. Holders of role.manage may grant any
 * role (they could give any role any permission anyway); others only roles whose every
 * permission they hold themselves, case handling apart.
 */
async function assertMayGrantRoles(db: Queryable, manager: Principal, roles: string[], what: string) {
  if (manager.permissions.has('role.manage') || roles.length === 0) return;
  const rows = await db.query<{ role_code: string; permission: string }>(
    'select role_code, permission from identity_role_permission where role_code = any($1::text[])',
    [roles],
  );
  const beyond = rows.filter((r) => !DELEGABLE(r.permission) && !manager.permissions.has(r.permission));
  if (beyond.length > 0) {
    const codes = [...new Set(beyond.map((r) => r.role_code))].sort();
    const permissions = [...new Set(beyond.map((r) => r.permission))].sort();
    throw forbidden(
      `You may not ${what} the roles ${codes.join(', ')}: they carry ${permissions.join(', ')}`,
    );
  }
}

/**
 * Refuses (403) a jurisdiction wider than the manager's: every region must lie in one of
 * the manager's subtrees, and a manager limited to departments grants only those (never
 * "every department"); other managers grant departments located in their regions.
 */
async function assertMayGrantJurisdiction(
  db: Queryable,
  manager: Principal,
  regionCodes: string[],
  organisationIds: number[],
) {
  const own = manager.jurisdiction;
  if (!own) throw forbidden('You have no jurisdiction to grant');
  const outside = await db.query<{ code: string }>(
    `select code from region where code = any($1::text[]) and not (path && $2::text[]) order by code`,
    [regionCodes, own.regionCodes],
  );
  if (outside.length > 0) {
    throw forbidden(`The regions ${outside.map((r) => r.code).join(', ')} lie outside your jurisdiction`);
  }
  const ownOrganisations = own.organisationIds;
  if (ownOrganisations.length > 0) {
    if (organisationIds.length === 0) {
      throw forbidden('You are limited to departments and may not grant every department of the regions');
    }
    const beyond = organisationIds.filter((id) => !ownOrganisations.includes(id));
    if (beyond.length > 0)
      throw forbidden(`The departments ${beyond.join(', ')} lie outside your jurisdiction`);
    return;
  }
  const params: unknown[] = [organisationIds];
  const outsideOrganisations = await db.query<{ id: number }>(
    `select o.id from organisation o where o.id = any($1::bigint[])
        and not ${jurisdictionClause(manager, { region: 'o.region_code' }, params)} order by o.id`,
    params,
  );
  if (outsideOrganisations.length > 0) {
    throw forbidden(
      `The departments ${outsideOrganisations.map((o) => o.id).join(', ')} lie outside your jurisdiction`,
    );
  }
}

/** Refuses (403) a home department outside the manager's jurisdiction. */
async function assertDepartmentInJurisdiction(db: Queryable, manager: Principal, organisationId: number) {
  const params: unknown[] = [organisationId];
  const [inside] = await db.query(
    `select 1 from organisation o where o.id = $1
        and ${jurisdictionClause(manager, { region: 'o.region_code', organisation: 'o.id' }, params)}`,
    params,
  );
  if (!inside) throw forbidden(`The department ${organisationId} lies outside your jurisdiction`);
}

/** The checks of a creation by a manager: references exist (400), then the manager's authority (403). */
export async function createStaffAs(
  ctx: Pick<IdentityContext, 'cipher'>,
  db: Database,
  manager: Principal,
  input: StaffInput,
  actor: Actor,
): Promise<StaffView> {
  const early = inputErrors(input);
  const errors = [
    ...early,
    ...(await referenceErrors(db, {
      roles: input.roles,
      regionCodes: input.regionCodes,
      organisationIds: input.organisationIds ?? [],
      organisationId: input.organisationId,
    })),
  ];
  if (errors.length > 0) throw validationError(errors);
  await assertDepartmentInJurisdiction(db, manager, input.organisationId);
  await assertMayGrantRoles(db, manager, input.roles, 'grant');
  await assertMayGrantJurisdiction(db, manager, input.regionCodes, input.organisationIds ?? []);
  const id = await createStaff(ctx, db, input, actor);
  return getStaff(ctx, db, manager, id);
}

/**
 * A member the manager may change: visible to them (else 404) and holding no role the
 * manager could not grant (else 403), so nobody edits, disables or resets someone more
 * privileged than they are.
 */
async function manageableStaff(db: Queryable, manager: Principal, id: string): Promise<StaffRow> {
  const row = await findVisibleStaff(db, manager, id);
  await assertMayGrantRoles(db, manager, row.roles, 'manage a member holding');
  return row;
}

const sameSet = <T>(a: T[], b: T[]) =>
  a.length === b.length && new Set([...a, ...b]).size === new Set(a).size;

/**
 * Changes a member's department, window, title, roles or jurisdiction. A change of roles,
 * jurisdiction or department ends the member's sessions at once: their next request must
 * sign in again and gets the new privileges.
 */
export async function updateStaff(
  ctx: Pick<IdentityContext, 'cipher' | 'sessions'>,
  db: Database,
  manager: Principal,
  id: string,
  patch: StaffPatch,
  actor: Actor,
): Promise<StaffView> {
  const errors = await referenceErrors(db, {
    ...(patch.roles && { roles: patch.roles }),
    ...(patch.regionCodes && { regionCodes: patch.regionCodes }),
    ...(patch.organisationIds && { organisationIds: patch.organisationIds }),
    ...(patch.organisationId !== undefined && { organisationId: patch.organisationId }),
  });
  if (errors.length > 0) throw validationError(errors);
  await db.transaction(async (tx) => {
    const before = await manageableStaff(tx, manager, id);
    const current = toView(ctx, before, manager);
    if (patch.organisationId !== undefined)
      await assertDepartmentInJurisdiction(tx, manager, patch.organisationId);
    if (patch.roles) await assertMayGrantRoles(tx, manager, patch.roles, 'grant');
    if (patch.regionCodes || patch.organisationIds) {
      await assertMayGrantJurisdiction(
        tx,
        manager,
        patch.regionCodes ?? current.regionCodes,
        patch.organisationIds ?? current.organisationIds,
      );
    }
    const next = {
      organisationId: patch.organisationId ?? current.organisation.id,
      hallWindow: patch.hallWindow === undefined ? current.hallWindow : patch.hallWindow,
      title: patch.title === undefined ? current.title : patch.title,
      regionCodes: patch.regionCodes ?? current.regionCodes,
      organisationIds: patch.organisationIds ?? current.organisationIds,
      roles: patch.roles ? [...new Set(patch.roles)].sort() : current.roles,
    };
    await tx.query(
      `update identity_staff set organisation_id = $2, hall_window = $3, title = $4, region_codes = $5,
              organisation_ids = $6 where account_id = $1`,
      [id, next.organisationId, next.hallWindow, next.title, next.regionCodes, next.organisationIds],
    );
    if (patch.roles) {
      await tx.query('delete from identity_staff_role where account_id = $1', [id]);
      await tx.query(
        'insert into identity_staff_role (account_id, role_code) select $1, unnest($2::text[])',
        [id, next.roles],
      );
    }
    await tx.query('update identity_account set updated_at = now() where id = $1', [id]);
    const privilegeChanged =
      next.organisationId !== current.organisation.id ||
      !sameSet(next.roles, current.roles) ||
      !sameSet(next.regionCodes, current.regionCodes) ||
      !sameSet(next.organisationIds, current.organisationIds);
    if (privilegeChanged) await ctx.sessions.revokeAll(tx, id, 'privilege_changed');
    await audit(tx, {
      ...actor,
      action: 'identity.staff.update',
      entity: 'identity_account',
      entityId: id,
      before: {
        organisationId: current.organisation.id,
        hallWindow: current.hallWindow,
        title: current.title,
        roles: current.roles,
        regionCodes: current.regionCodes,
        organisationIds: current.organisationIds,
      },
      after: { ...next, sessionsEnded: privilegeChanged },
    });
  });
  return getStaff(ctx, db, manager, id);
}

/** Disables or enables a member; disabling ends every session of theirs at once. */
export async function setStaffStatus(
  ctx: Pick<IdentityContext, 'cipher' | 'sessions'>,
  db: Database,
  manager: Principal,
  id: string,
  status: 'active' | 'disabled',
  actor: Actor,
): Promise<StaffView> {
  if (status === 'disabled' && id === manager.sub) throw conflict('You cannot disable your own account');
  await db.transaction(async (tx) => {
    const before = await manageableStaff(tx, manager, id);
    if (before.status === 'closed') throw conflict('The account is closed', { currentStatus: before.status });
    if (before.status === status) return;
    await tx.query('update identity_account set status = $2, updated_at = now() where id = $1', [id, status]);
    if (status === 'disabled') await ctx.sessions.revokeAll(tx, id, 'disabled');
    await audit(tx, {
      ...actor,
      action: status === 'disabled' ? 'identity.staff.disable' : 'identity.staff.enable',
      entity: 'identity_account',
      entityId: id,
      before: { status: before.status },
      after: { status },
    });
  });
  return getStaff(ctx, db, manager, id);
}

/** Sets a new password for a member (policy checked) and ends their sessions. */
export async function resetStaffPassword(
  ctx: Pick<IdentityContext, 'cipher' | 'sessions'>,
  db: Database,
  manager: Principal,
  id: string,
  password: string,
  actor: Actor,
): Promise<void> {
  const weak = passwordPolicy(password);
  if (weak) throw validationError([weak]);
  const passwordHash = await hashPassword(password);
  await db.transaction(async (tx) => {
    await manageableStaff(tx, manager, id);
    await tx.query('update identity_account set password_hash = $2, updated_at = now() where id = $1', [
      id,
      passwordHash,
    ]);
    const ended = await ctx.sessions.revokeAll(tx, id, 'password_reset');
    // Never the password or its hash: only that it was reset.
    await audit(tx, {
      ...actor,
      action: 'identity.staff.password_reset',
      entity: 'identity_account',
      entityId: id,
      after: { sessionsEnded: ended },
    });
  });
}

// ---------------------------------------------------------------------------------------
// Roles as data

export interface RoleView {
  code: string;
  name: string;
  nameEn: string;
  description: string;
  permissions: string[];
  /** Staff accounts holding the role. */
  holders: number;
}

export interface RoleInput {
  name: string;
  nameEn: string;
  description?: string | undefined;
  permissions: string[];
}

const ROLE_SELECT = `
  select r.code, r.name, r.name_en as "nameEn", r.description,
         coalesce((select array_agg(p.permission order by p.permission)
                     from identity_role_permission p where p.role_code = r.code), '{}') as permissions,
         (select count(*) from identity_staff_role sr where sr.role_code = r.code) as holders
    from identity_role r`;

export async function listRoles(db: Queryable): Promise<RoleView[]> {
  const rows = await db.query<RoleView>(`${ROLE_SELECT} order by r.code`);
  return rows.map((r) => ({ ...r, holders: Number(r.holders) }));
}

async function findRole(db: Queryable, code: string): Promise<RoleView | undefined> {
  const [row] = await db.query<RoleView>(`${ROLE_SELECT} where r.code = $1`, [code]);
  return row && { ...row, holders: Number(row.holders) };
}

/** Whether some active staff account would still hold role.manage: nobody may lock administration out. */
async function someoneManagesRoles(db: Queryable): Promise<boolean> {
  const [row] = await db.query(
    `select 1 from identity_staff_role sr
       join identity_role_permission p on p.role_code = sr.role_code and p.permission = 'role.manage'
       join identity_account a on a.id = sr.account_id and a.status = 'active'
      limit 1`,
  );
  return row !== undefined;
}

/**
 * Creates or updates a role with its permissions (every one from kernel/auth.ts
 * PERMISSIONS). Holders get the new permissions on their next request, since sessions
 * read permissions through the roles on every request.
 */
export async function saveRole(
  db: Database,
  code: string,
  input: RoleInput,
  actor: Actor,
): Promise<{ role: RoleView; created: boolean }> {
  const known = new Set<string>(PERMISSIONS);
  const errors = input.permissions.flatMap((name, i) =>
    known.has(name)
      ? []
      : [textFieldError(`permissions[${i}]`, 'enum', 'identity.role.permission.unknown', { name })],
  );
  if (errors.length > 0) throw validationError(errors);
  const permissions = [...new Set(input.permissions)].sort();
  return db.transaction(async (tx) => {
    const before = await findRole(tx, code);
    await tx.query(
      `insert into identity_role (code, name, name_en, description) values ($1, $2, $3, $4)
       on conflict (code) do update set name = excluded.name, name_en = excluded.name_en,
                                        description = excluded.description`,
      [code, input.name, input.nameEn, input.description ?? before?.description ?? ''],
    );
    await tx.query('delete from identity_role_permission where role_code = $1', [code]);
    await tx.query(
      'insert into identity_role_permission (role_code, permission) select $1, unnest($2::text[])',
      [code, permissions],
    );
    if (before?.permissions.includes('role.manage') && !(await someoneManagesRoles(tx))) {
      throw conflict('No active account would keep the permission role.manage');
    }
    const role = (await findRole(tx, code))!;
    await audit(tx, {
      ...actor,
      action: before ? 'identity.role.update' : 'identity.role.create',
      entity: 'identity_role',
      entityId: code,
      before,
      after: role,
    });
    return { role, created: !before };
  });
}

/** Deletes a role nobody holds (409 while someone does). */
export async function deleteRole(db: Database, code: string, actor: Actor): Promise<void> {
  await db.transaction(async (tx) => {
    const before = await findRole(tx, code);
    if (!before) throw notFound(`No role ${code}`);
    if (before.holders > 0) {
      throw conflict(`The role ${code} is held by ${before.holders} staff members`, {
        holders: before.holders,
      });
    }
    await tx.query('delete from identity_role where code = $1', [code]);
    await audit(tx, {
      ...actor,
      action: 'identity.role.delete',
      entity: 'identity_role',
      entityId: code,
      before,
    });
  });
}
