import { jurisdictionClause, type Principal } from '../../kernel/auth.ts';
import type { Queryable } from '../../kernel/db.ts';
import type { Sex } from '../../kernel/identifiers/index.ts';

/** A resident of the population registry; rows are parsed into this shape here and only here. */
export interface Person {
  idNumber: string;
  name: string;
  sex: Sex;
  birthDate: string;
  regionCode: string;
  phone: string | null;
}

export interface Enterprise {
  uscc: string;
  name: string;
  type: string;
  legalRepresentative: { idNumber: string | null; name: string };
  regionCode: string;
  registeredCapitalCny: number | null;
  establishedOn: string;
  status: string;
}

type Row = Record<string, unknown>;

// Stored as one character, as the column of a base registry usually is.
const SEX_CODES = { male: 'M', female: 'F' } as const satisfies Record<Sex, string>;
const sexOf = (code: unknown): Sex => (code === SEX_CODES.male ? 'male' : 'female');

const PERSON_COLUMNS = `id_number, name, sex, birth_date, region_code, phone`;

function toPerson(r: Row): Person {
  return {
    idNumber: r.id_number as string,
    name: r.name as string,
    sex: sexOf(r.sex),
    birthDate: r.birth_date as string,
    regionCode: r.region_code as string,
    phone: r.phone as string | null,
  };
}

const ENTERPRISE_COLUMNS = `uscc, name, type, legal_representative_id, legal_representative_name, region_code,
  registered_capital_cny, established_on, status`;

function toEnterprise(r: Row): Enterprise {
  return {
    uscc: r.uscc as string,
    name: r.name as string,
    type: r.type as string,
    legalRepresentative: {
      idNumber: r.legal_representative_id as string | null,
      name: r.legal_representative_name as string,
    },
    regionCode: r.region_code as string,
    registeredCapitalCny: r.registered_capital_cny === null ? null : Number(r.registered_capital_cny),
    establishedOn: r.established_on as string,
    status: r.status as string,
  };
}

export async function findPerson(db: Queryable, idNumber: string): Promise<Person | null> {
  // Prepared: the data-sharing lookups run it for every query.
  const rows = await db.query(
    `select ${PERSON_COLUMNS} from registry_person where id_number = $1`,
    [idNumber],
    { prepare: true },
  );
  return rows[0] ? toPerson(rows[0]) : null;
}

export async function findEnterprise(db: Queryable, uscc: string): Promise<Enterprise | null> {
  const rows = await db.query(
    `select ${ENTERPRISE_COLUMNS} from registry_enterprise where uscc = $1`,
    [uscc],
    { prepare: true },
  );
  return rows[0] ? toEnterprise(rows[0]) : null;
}

/** A resident whose region of registration lies in the staff member's jurisdiction, else null. */
export async function findPersonWithin(
  db: Queryable,
  principal: Principal,
  idNumber: string,
): Promise<Person | null> {
  const params: unknown[] = [idNumber];
  const rows = await db.query(
    `select ${PERSON_COLUMNS} from registry_person p
      where p.id_number = $1 and ${jurisdictionClause(principal, { region: 'p.region_code' }, params)}`,
    params,
  );
  return rows[0] ? toPerson(rows[0]) : null;
}

/** An enterprise whose registered address lies in the staff member's jurisdiction, else null. */
export async function findEnterpriseWithin(
  db: Queryable,
  principal: Principal,
  uscc: string,
): Promise<Enterprise | null> {
  const params: unknown[] = [uscc];
  const rows = await db.query(
    `select ${ENTERPRISE_COLUMNS} from registry_enterprise e
      where e.uscc = $1 and ${jurisdictionClause(principal, { region: 'e.region_code' }, params)}`,
    params,
  );
  return rows[0] ? toEnterprise(rows[0]) : null;
}

/** Inserts many residents in one statement; ID numbers already registered are left as they are. */
export async function insertPersons(db: Queryable, persons: Person[]): Promise<void> {
  await db.query(
    `insert into registry_person (id_number, name, sex, birth_date, region_code, phone)
     select * from unnest($1::text[], $2::text[], $3::text[], $4::date[], $5::text[], $6::text[])
     on conflict (id_number) do nothing`,
    [
      persons.map((p) => p.idNumber),
      persons.map((p) => p.name),
      persons.map((p) => SEX_CODES[p.sex]),
      persons.map((p) => p.birthDate),
      persons.map((p) => p.regionCode),
      persons.map((p) => p.phone),
    ],
  );
}

/** Inserts many enterprises in one statement; credit codes already registered are left as they are. */
export async function insertEnterprises(db: Queryable, enterprises: Enterprise[]): Promise<void> {
  await db.query(
    `insert into registry_enterprise (uscc, name, type, legal_representative_id, legal_representative_name,
                                      region_code, registered_capital_cny, established_on, status)
     select * from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::numeric[],
                          $8::date[], $9::text[])
     on conflict (uscc) do nothing`,
    [
      enterprises.map((e) => e.uscc),
      enterprises.map((e) => e.name),
      enterprises.map((e) => e.type),
      enterprises.map((e) => e.legalRepresentative.idNumber),
      enterprises.map((e) => e.legalRepresentative.name),
      enterprises.map((e) => e.regionCode),
      enterprises.map((e) => e.registeredCapitalCny),
      enterprises.map((e) => e.establishedOn),
      enterprises.map((e) => e.status),
    ],
  );
}

export async function countRegistries(db: Queryable): Promise<{ persons: number; enterprises: number }> {
  const [row] = await db.query<{ persons: number; enterprises: number }>(
    `select (select count(*) from registry_person) as persons, (select count(*) from registry_enterprise) as enterprises`,
  );
  return row!;
}
