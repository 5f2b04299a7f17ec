import { AppError } from '../../kernel/errors.ts';
import type { Principal } from '../../kernel/auth.ts';
import { itemDetail } from '../catalog/index.ts';
import { verifiedIdentity } from '../identity/index.ts';
import { holderIndexOf, listHeldLicences } from '../licenses/index.ts';
import { licenceTypeFor, registryFor } from './materials.ts';
import type { CatalogMaterial } from './offers.ts';
import type { ApplicationsDeps } from './service.ts';

/** Where a 免提交 material would come from for this caller: a held licence or a base registry. */
export type ExemptionSource = 'licence' | 'population' | 'legal_entity';

export interface MaterialExemption {
  name: string;
  source: 'applicant' | 'government';
  exempt: boolean;
  from: ExemptionSource | null;
}

/**
 * Which materials of an item the caller would not have to submit, decided as applying
 * decides it (fillFromRegistries) but without reading anything: a government material
 * named as a valid licence the caller (or the enterprise they act for) holds, a population
 * record when the caller's real name is verified, the legal-entity record when they act
 * for an enterprise. For the guide page: nothing is read or authorised here.
 */
export async function materialExemptions(
  deps: ApplicationsDeps,
  principal: Principal,
  itemCode: string,
): Promise<MaterialExemption[]> {
  const item = await itemDetail(deps.db, itemCode);
  const identity = await verifiedIdentity(deps.identity, deps.db, principal.sub);
  const heldTypes = await heldLicenceTypes(deps, principal);
  // The catalog validated each material's source against the same two values.
  return (item.materials as CatalogMaterial[]).map((material) => {
    const licenceType = licenceTypeFor(material);
    const registry = registryFor(material);
    let from: ExemptionSource | null = null;
    if (licenceType && heldTypes.has(licenceType)) from = 'licence';
    else if (registry === 'population' && identity) from = 'population';
    else if (registry === 'legal_entity' && principal.acting) from = 'legal_entity';
    return { name: material.name, source: material.source, exempt: from !== null, from };
  });
}

/** Names of the licence types the caller holds a valid licence of; none without a wallet. */
async function heldLicenceTypes(deps: ApplicationsDeps, principal: Principal): Promise<Set<string>> {
  const licences = deps.licences;
  if (!licences) return new Set();
  let holderIndex: string;
  try {
    holderIndex = await holderIndexOf(licences, deps.identity, principal);
  } catch (error) {
    if (error instanceof AppError && error.code === 'forbidden') return new Set();
    throw error;
  }
  const held = await listHeldLicences(licences, holderIndex);
  return new Set(held.filter((l) => l.status === 'valid').map((l) => l.typeName));
}
