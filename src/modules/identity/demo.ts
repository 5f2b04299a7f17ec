import { audit } from '../../kernel/audit.ts';
import { hashPassword, maskIdNumber, maskPhone } from '../../kernel/crypto.ts';
import type { Database } from '../../kernel/db.ts';
import type { IdentityContext } from './context.ts';
import { createStaff } from './staff.ts';

/**
 * Demo identities for `npm start`: one staff member per role, placed in real departments
 * of the demo city, and two citizens taken from the population registry (real-name
 * verified), one of them the legal representative of a seeded enterprise. Everyone has
 * the same published demo password. Idempotent: accounts that exist are left alone.
 */
export const DEMO_PASSWORD = 'Tongban@2026';

export interface DemoIdentities {
  staff: { username: string; password: string; roles: string[] }[];
  persons: {
    phone: string;
    password: string;
    name: string;
    /** The enterprise this person is the legal representative of, if any. */
    legalRepresentativeOf?: { uscc: string; name: string };
  }[];
}

const actor = { actor: 'system:seed' };
const CITY = '329900000000';

interface Organisation {
  id: number;
  name: string;
  regionCode: string;
}

async function organisation(
  db: Database,
  sql: string,
  params: unknown[],
  what: string,
): Promise<Organisation> {
  const [row] = await db.query<Organisation>(
    `select id, name, region_code as "regionCode" from organisation ${sql} order by id limit 1`,
    params,
  );
  if (!row) throw new Error(`Demo identities: no ${what}; seed the directory first`);
  return { ...row, id: Number(row.id) };
}

interface RegistryPerson {
  idNumber: string;
  name: string;
  phone: string | null;
}

export async function seedDemoIdentities(
  ctx: Pick<IdentityContext, 'cipher'>,
  db: Database,
): Promise<DemoIdentities> {
  const topRegions = (
    await db.query<{ code: string }>('select code from region where parent_code is null order by code')
  ).map((r) => r.code);
  const [district] = await db.query<{ code: string; name: string }>(
    'select code, name from region where parent_code = $1 order by code limit 1',
    [CITY],
  );
  if (topRegions.length === 0 || !district) throw new Error('Demo identities: seed the directory first');
  const cityCentre = await organisation(
    db,
    `where region_code = $1 and kind = 'centre'`,
    [CITY],
    'city service centre',
  );
  const districtCentre = await organisation(
    db,
    `where region_code = $1 and kind = 'centre'`,
    [district.code],
    'district service centre',
  );
  const department = await organisation(
    db,
    `where region_code = $1 and kind = 'department' and short_name = '民政局'`,
    [district.code],
    `民政局 of ${district.name}`,
  );

  // The licensing example (src/seed/licensing.ts): 市场监督管理局 leads, 住房和城乡建设局 reviews in parallel.
  const departmentOf = (shortName: string) =>
    organisation(
      db,
      `where region_code = $1 and kind = 'department' and short_name = $2`,
      [district.code, shortName],
      `${shortName} of ${district.name}`,
    );
  const market = await departmentOf('市场监督管理局');
  const housing = await departmentOf('住房和城乡建设局');

  const staff = [
    {
      username: 'admin',
      name: '演示系统管理员',
      roles: ['system_admin'],
      organisationId: cityCentre.id,
      regionCodes: topRegions,
    },
    {
      username: 'catalog.admin',
      name: '演示事项管理员',
      roles: ['catalog_admin'],
      organisationId: cityCentre.id,
      regionCodes: [CITY],
    },
    {
      username: 'window.clerk',
      name: `${district.name}窗口人员`,
      roles: ['window_clerk'],
      organisationId: districtCentre.id,
      hallWindow: '综合受理1号窗口',
      regionCodes: [district.code],
    },
    {
      username: 'approver',
      name: `${district.name}民政局审批人员`,
      roles: ['approver'],
      organisationId: department.id,
      regionCodes: [district.code],
      organisationIds: [department.id],
    },
    {
      username: 'dept.head',
      name: `${district.name}民政局负责人`,
      roles: ['department_head'],
      organisationId: department.id,
      title: '局长',
      regionCodes: [district.code],
      organisationIds: [department.id],
    },
    {
      username: 'hall.manager',
      name: `${district.name}政务服务中心大厅管理员`,
      roles: ['hall_manager'],
      organisationId: districtCentre.id,
      regionCodes: [district.code],
    },
    {
      username: 'supervisor',
      name: `${district.name}监察人员`,
      roles: ['supervisor'],
      organisationId: districtCentre.id,
      regionCodes: [district.code],
    },
    ...[
      { username: 'market.approver', of: market, role: 'approver', title: '审批人员' },
      { username: 'market.head', of: market, role: 'department_head', title: '负责人' },
      { username: 'housing.approver', of: housing, role: 'approver', title: '审批人员' },
    ].map(({ username, of, role, title }) => ({
      username,
      name: `${of.name}${title}`,
      roles: [role],
      organisationId: of.id,
      regionCodes: [district.code],
      organisationIds: [of.id],
    })),
  ];
  const existing = new Set(
    (
      await db.query<{ username: string }>(
        'select username from identity_account where username = any($1::text[])',
        [staff.map((s) => s.username)],
      )
    ).map((r) => r.username),
  );
  for (const [i, member] of staff.entries()) {
    if (existing.has(member.username)) continue;
    await createStaff(
      ctx,
      db,
      { ...member, phone: `1390000${String(1001 + i)}`, password: DEMO_PASSWORD },
      actor,
    );
  }

  const [representative] = await db.query<RegistryPerson & { uscc: string; enterpriseName: string }>(
    `select p.id_number as "idNumber", p.name, p.phone, e.uscc, e.name as "enterpriseName"
       from registry_enterprise e join registry_person p on p.id_number = e.legal_representative_id
      where e.status in ('存续', '在业')
      order by (e.type = '个体工商户'), e.uscc limit 1`,
  );
  if (!representative)
    throw new Error('Demo identities: no enterprise in the registry; seed the registries first');
  const [citizen] = await db.query<RegistryPerson>(
    `select p.id_number as "idNumber", p.name, p.phone from registry_person p
      where p.phone is not null and p.id_number <> $1
        and p.birth_date < date '2000-01-01'
        and not exists (select 1 from registry_enterprise e where e.legal_representative_id = p.id_number)
      order by p.id_number limit 1`,
    [representative.idNumber],
  );
  if (!citizen) throw new Error('Demo identities: no adult resident with a phone in the registry');

  const persons: DemoIdentities['persons'] = [];
  for (const [i, person] of [representative, citizen].entries()) {
    const phone = person.phone ?? `1370000${String(1001 + i)}`;
    await ensurePerson(ctx, db, { ...person, phone });
    persons.push({
      phone,
      password: DEMO_PASSWORD,
      name: person.name,
      ...(person === representative && {
        legalRepresentativeOf: { uscc: representative.uscc, name: representative.enterpriseName },
      }),
    });
  }
  return {
    staff: staff.map((s) => ({ username: s.username, password: DEMO_PASSWORD, roles: s.roles })),
    persons,
  };
}

/** A real-name verified (assurance 2) person account for a registry resident, unless one exists. */
async function ensurePerson(
  ctx: Pick<IdentityContext, 'cipher'>,
  db: Database,
  person: { idNumber: string; name: string; phone: string },
): Promise<void> {
  const idNumberIndex = ctx.cipher.index(person.idNumber, 'idNumber');
  const phoneIndex = ctx.cipher.index(person.phone, 'phone');
  const [found] = await db.query(
    `select 1 from identity_account
      where kind = 'person' and status <> 'closed' and (id_number_index = $1 or phone_index = $2)`,
    [idNumberIndex, phoneIndex],
  );
  if (found) return;
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  await db.transaction(async (tx) => {
    const [row] = await tx.query<{ id: string }>(
      `insert into identity_account (kind, name, phone_enc, phone_index, id_number_enc, id_number_index,
                                     password_hash, assurance, real_name_verified_at)
       values ('person', $1, $2, $3, $4, $5, $6, 2, now()) returning id`,
      [
        person.name,
        ctx.cipher.encrypt(person.phone, 'phone'),
        phoneIndex,
        ctx.cipher.encrypt(person.idNumber, 'idNumber'),
        idNumberIndex,
        passwordHash,
      ],
    );
    await audit(tx, {
      ...actor,
      action: 'identity.person.create',
      entity: 'identity_account',
      entityId: row!.id,
      after: {
        name: person.name,
        phone: maskPhone(person.phone),
        idNumber: maskIdNumber(person.idNumber),
        assurance: 2,
        demo: true,
      },
    });
  });
}
