import { chinaDateOf } from '../../kernel/calendar/index.ts';
import type { DeliveredEvent } from '../../kernel/outbox.ts';
import { caseSource } from '../catalog/index.ts';
import { findCase, type CaseRow, type CaseStepEvent } from '../cases/index.ts';
import { verifiedIdentity, type IdentityContext } from '../identity/index.ts';
import { findLicenceType, issueLicences, type IssueInput, type LicensesDeps } from './service.ts';
import type { LicenceType } from './types.ts';

/** The outbox subscriber that issues licences when cases produce them. */
export const LICENCE_ISSUER = 'licences.issue';

/**
 * A case whose item produces a licence (catalog `resultLicence`) gets it once approved:
 * at 制证, or, for a process without a certificate stage, at the step after 准予许可.
 * Idempotent: a case issues each type once (unique index), so a redelivered event does
 * nothing. An item naming a licence no type describes issues nothing.
 */
export async function issueFromCase(
  deps: LicensesDeps,
  identity: Pick<IdentityContext, 'cipher'>,
  event: DeliveredEvent<CaseStepEvent>,
): Promise<void> {
  const step = event.payload;
  if (step.to !== 'certificate_made' && step.from !== 'decided_approved') return;
  const found = await findCase(deps.db, step.caseId);
  if (!found?.entryId) return;
  const source = await caseSource(deps.db, found.itemVersionId, found.entryId);
  if (!source.resultLicence) return;
  const type = await findLicenceType(deps.db, source.resultLicence);
  if (!type) return;
  const [already] = await deps.db.query(
    `select 1 from licence where source_case_id = $1 and type_code = $2`,
    [found.id, type.code],
  );
  if (already) return;
  const holder = await holderOf(deps, identity, found);
  if (!holder)
    throw new Error(`Case ${found.number}: the applicant has no verified identity to issue a licence to`);
  const issueDate = chinaDateOf(new Date(step.at));
  try {
    await issueLicences(
      deps,
      [
        {
          type: type.code,
          organisationId: found.organisationId,
          holder,
          face: faceOf(type, found, holder, issueDate),
          issueDate,
          sourceCaseId: found.id,
        },
      ],
      `case:${found.number}`,
    );
  } catch (error) {
    // A concurrent delivery issued it first: the unique index kept it single.
    if ((error as { code?: string }).code === '23505') return;
    throw error;
  }
}

async function holderOf(
  deps: LicensesDeps,
  identity: Pick<IdentityContext, 'cipher'>,
  found: CaseRow,
): Promise<IssueInput['holder'] | null> {
  const { applicant } = found;
  if (applicant.kind === 'enterprise') {
    if (!applicant.enterpriseUscc) return null;
    return {
      kind: 'enterprise',
      name: applicant.name,
      identifier: applicant.enterpriseUscc,
      sub: applicant.sub,
    };
  }
  const person = await verifiedIdentity(identity, deps.db, applicant.sub);
  return person
    ? { kind: 'person', name: person.name, identifier: person.idNumber, sub: applicant.sub }
    : null;
}

/** The face fields the type declares, from their sources; form values only when they are text. */
export function faceOf(
  type: LicenceType,
  found: Pick<CaseRow, 'number' | 'itemName' | 'organisationName' | 'formData'>,
  holder: Pick<IssueInput['holder'], 'name' | 'identifier'>,
  issueDate: string,
): Record<string, string> {
  const face: Record<string, string> = {};
  for (const field of type.faceFields) {
    let value: unknown;
    if (field.source === 'holder.name') value = holder.name;
    else if (field.source === 'holder.identifier') value = holder.identifier;
    else if (field.source === 'issuer.name') value = found.organisationName;
    else if (field.source === 'item.name') value = found.itemName;
    else if (field.source === 'case.number') value = found.number;
    else if (field.source === 'issueDate') value = issueDate;
    else value = found.formData[field.source.slice('form.'.length)];
    if (typeof value === 'string' && value.trim()) face[field.key] = value.trim();
    else if (typeof value === 'number') face[field.key] = String(value);
  }
  return face;
}
