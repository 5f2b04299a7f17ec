import { createRng, generateUscc } from '../../src/kernel/identifiers/index.ts';
import type { Database } from '../../src/kernel/db.ts';
import type { App } from '../../src/kernel/http.ts';
import { createPerson } from '../../src/modules/identity/accounts.ts';
import { createStaff } from '../../src/modules/identity/staff.ts';

/** Roles of staff (identity_role) plus `citizen`, a person with a verified real name. */
export type TestRole =
  | 'window_clerk'
  | 'approver'
  | 'department_head'
  | 'hall_manager'
  | 'catalog_admin'
  | 'supervisor'
  | 'system_admin'
  | 'citizen';

export interface StaffOptions {
  regionCodes?: string[];
  organisationIds?: number[];
  organisationId?: number;
}

let sequence = 0;
const TEST_PROVINCE = '990000000000';

/**
 * A department to attach test staff to. Prefers an existing one (after a seed); on an
 * empty database adds a test province and a department in it.
 */
export async function anyOrganisation(db: Database): Promise<{ id: number; regionCode: string }> {
  const [existing] = await db.query<{ id: number; regionCode: string }>(
    'select id, region_code as "regionCode" from organisation order by id limit 1',
  );
  if (existing) return existing;
  await db.query(
    `insert into region (code, name, full_name, level, path) values ($1, '测试省', '测试省', 1, array[$1])
     on conflict do nothing`,
    [TEST_PROVINCE],
  );
  const [created] = await db.query<{ id: number; regionCode: string }>(
    `insert into organisation (name, short_name, uscc, region_code, kind)
     values ('测试省测试局', '测试局', $1, $2, 'department') returning id, region_code as "regionCode"`,
    [generateUscc(createRng(7), { authority: '1', category: '1' }), TEST_PROVINCE],
  );
  return created!;
}

/** The region codes at the top of the hierarchy: a jurisdiction over everything. */
async function topRegions(db: Database): Promise<string[]> {
  const rows = await db.query<{ code: string }>('select code from region where parent_code is null');
  return rows.length > 0 ? rows.map((r) => r.code) : [(await anyOrganisation(db)).regionCode];
}

/** A staff account with the roles (jurisdiction: everything unless given) and a bearer session. */
export async function staffSession(
  app: App,
  db: Database,
  roles: TestRole[],
  options: StaffOptions = {},
): Promise<{ accountId: string; authorization: string }> {
  const organisation = options.organisationId ?? (await anyOrganisation(db)).id;
  const regionCodes = options.regionCodes ?? (await topRegions(db));
  const accountId = await createStaff(
    app.identity,
    db,
    {
      username: `t${++sequence}.${roles.join('.').replace(/_/g, '')}`.slice(0, 32),
      name: `测试${roles.join('、')}`,
      organisationId: organisation,
      roles,
      regionCodes,
      organisationIds: options.organisationIds,
    },
    { actor: 'test' },
  );
  const opened = await app.identity.sessions.open(db, accountId, 'bearer', {});
  return { accountId, authorization: `Bearer ${opened.token}` };
}

/** A person account at the given assurance level with a bearer session. */
export async function personSession(
  app: App,
  db: Database,
  options: { phone?: string; assurance?: 1 | 2 | 3 } = {},
): Promise<{ accountId: string; phone: string; authorization: string }> {
  const phone = options.phone ?? `139${String(10_000_000 + ++sequence * 7919).slice(-8)}`;
  const accountId = await createPerson(app.identity, db, { phone });
  if (options.assurance && options.assurance > 1) {
    await db.query(`update identity_account set assurance = $2, name = '测试用户' where id = $1`, [
      accountId,
      options.assurance,
    ]);
  }
  const opened = await app.identity.sessions.open(db, accountId, 'bearer', {});
  return { accountId, phone, authorization: `Bearer ${opened.token}` };
}

/** Authorization header for a caller with the roles (`citizen` alone gives a person). */
export async function bearerFor(app: App, db: Database, ...roles: TestRole[]): Promise<string> {
  if (roles.length === 1 && roles[0] === 'citizen') {
    return (await personSession(app, db, { assurance: 2 })).authorization;
  }
  return (
    await staffSession(
      app,
      db,
      roles.filter((r) => r !== 'citizen'),
    )
  ).authorization;
}

/**
 * A person session whose account is real-name verified (as after 实名认证) with this name
 * and ID number (none: verified name only).
 */
export async function verifiedPersonSession(
  app: App,
  db: Database,
  resident: { name: string; idNumber: string | null },
): Promise<{ accountId: string; phone: string; authorization: string }> {
  const person = await personSession(app, db, { assurance: 2 });
  const cipher = app.identity.cipher;
  await db.query(
    `update identity_account set name = $2, id_number_enc = $3, id_number_index = $4, real_name_verified_at = now()
      where id = $1`,
    [
      person.accountId,
      resident.name,
      resident.idNumber ? cipher.encrypt(resident.idNumber, 'idNumber') : null,
      resident.idNumber ? cipher.index(resident.idNumber, 'idNumber') : null,
    ],
  );
  return person;
}
