import type { Principal } from '../../kernel/auth.ts';
import { maskIdNumber, maskPhone } from '../../kernel/crypto.ts';
import type { Queryable } from '../../kernel/db.ts';
import { notFound } from '../../kernel/errors.ts';
import { assertIdentifier } from '../../kernel/identifiers/index.ts';
import {
  findEnterprise,
  findEnterpriseWithin,
  findPerson,
  findPersonWithin,
  type Enterprise,
  type Person,
} from './queries.ts';

/**
 * A resident by ID number, unrestricted and unmasked: for the platform's own use
 * (verification providers, tests), never for a response. The number is validated first
 * (400 naming the rule), then looked up (404).
 */
export async function getPerson(db: Queryable, idNumber: string): Promise<Person> {
  const person = await findPerson(db, assertIdentifier('residentId', 'idNumber', idNumber));
  if (!person) throw notFound('No resident with this ID number');
  return person;
}

/** An enterprise by credit code, unrestricted and unmasked (see getPerson). */
export async function getEnterprise(db: Queryable, uscc: string): Promise<Enterprise> {
  const enterprise = await findEnterprise(db, assertIdentifier('uscc', 'uscc', uscc));
  if (!enterprise) throw notFound(`No enterprise ${uscc}`);
  return enterprise;
}

const seesFullPii = (principal: Principal) => principal.permissions.has('pii.read_full');

/**
 * A resident as a staff member may read them: only inside their jurisdiction (outside it
 * is the same 404 as an unknown number, so the answer does not confirm that the person
 * exists), with ID number and phone masked unless they hold pii.read_full.
 */
export async function readPerson(db: Queryable, principal: Principal, idNumber: string): Promise<Person> {
  const person = await findPersonWithin(db, principal, assertIdentifier('residentId', 'idNumber', idNumber));
  if (!person) throw notFound('No resident with this ID number in your jurisdiction');
  if (seesFullPii(principal)) return person;
  return {
    ...person,
    idNumber: maskIdNumber(person.idNumber),
    phone: person.phone === null ? null : maskPhone(person.phone),
  };
}

/** An enterprise as a staff member may read it: in their jurisdiction, the representative's ID masked. */
export async function readEnterprise(db: Queryable, principal: Principal, uscc: string): Promise<Enterprise> {
  const enterprise = await findEnterpriseWithin(db, principal, assertIdentifier('uscc', 'uscc', uscc));
  if (!enterprise) throw notFound(`No enterprise ${uscc} in your jurisdiction`);
  const representativeId = enterprise.legalRepresentative.idNumber;
  if (seesFullPii(principal) || representativeId === null) return enterprise;
  return {
    ...enterprise,
    legalRepresentative: { ...enterprise.legalRepresentative, idNumber: maskIdNumber(representativeId) },
  };
}
