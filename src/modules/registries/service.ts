import type { Queryable } from '../../kernel/db.ts';
import { notFound } from '../../kernel/errors.ts';
import { assertIdentifier } from '../../kernel/identifiers/index.ts';
import { findEnterprise, findPerson, type Enterprise, type Person } from './queries.ts';

/** A resident by ID number; the number is validated first (400 naming the rule), then looked up (404). */
export async function getPerson(db: Queryable, idNumber: string): Promise<Person> {
  const person = await findPerson(db, assertIdentifier('residentId', 'idNumber', idNumber));
  if (!person) throw notFound('No resident with this ID number');
  return person;
}

/** An enterprise by credit code; the code is validated first (400 naming the rule), then looked up (404). */
export async function getEnterprise(db: Queryable, uscc: string): Promise<Enterprise> {
  const enterprise = await findEnterprise(db, assertIdentifier('uscc', 'uscc', uscc));
  if (!enterprise) throw notFound(`No enterprise ${uscc}`);
  return enterprise;
}
