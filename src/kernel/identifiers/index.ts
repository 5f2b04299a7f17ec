/**
 * Identifiers (DOMAIN.md §3): validate with an explanation of the rule broken, and
 * generate valid ones for demo data. Modules validate request fields with
 * `assertIdentifier(kind, field, value)`.
 */
import { validationError } from '../errors.ts';
import type { Check } from './check.ts';
import { checkLicenceId, type LicenceIdInfo } from './licence-id.ts';
import { checkOrgCode, type OrgCodeInfo } from './org-code.ts';
import { checkApplicationNumber, type ApplicationNumberInfo } from './application-number.ts';
import { checkRegionCode, type RegionInfo } from './region-code.ts';
import { checkResidentId, type ResidentIdInfo } from './resident-id.ts';
import { checkUscc, type UsccInfo } from './uscc.ts';

export {
  createRng,
  IDENTIFIER_RULES,
  type Check,
  type IdentifierRule,
  type Invalid,
  type Rng,
} from './check.ts';
export {
  applicationNumber,
  checkApplicationNumber,
  generateApplicationNumber,
  type ApplicationNumberInfo,
} from './application-number.ts';
export {
  checkLicenceId,
  generateLicenceId,
  type LicenceIdInfo,
  type LicenceIdOptions,
} from './licence-id.ts';
export { checkOrgCode, generateOrgCode, type OrgCodeInfo } from './org-code.ts';
export {
  checkRegionCode,
  generateRegionCode,
  regionAncestors,
  regionName,
  type Region,
  type RegionInfo,
} from './region-code.ts';
export {
  checkResidentId,
  generateResidentId,
  type ResidentIdInfo,
  type ResidentIdOptions,
  type Sex,
} from './resident-id.ts';
export {
  checkUscc,
  generateUscc,
  USCC_AUTHORITIES,
  type UsccAuthority,
  type UsccInfo,
  type UsccOptions,
} from './uscc.ts';

/** What each kind of identifier says about itself when valid. */
export interface IdentifierInfo {
  residentId: ResidentIdInfo;
  uscc: UsccInfo;
  orgCode: OrgCodeInfo;
  regionCode: RegionInfo;
  licenceId: LicenceIdInfo;
  applicationNumber: ApplicationNumberInfo;
}
export type IdentifierKind = keyof IdentifierInfo;

const CHECKS: { [K in IdentifierKind]: (value: string) => Check<IdentifierInfo[K]> } = {
  residentId: checkResidentId,
  uscc: checkUscc,
  orgCode: checkOrgCode,
  regionCode: checkRegionCode,
  licenceId: checkLicenceId,
  applicationNumber: checkApplicationNumber,
};
export const IDENTIFIER_KINDS = Object.keys(CHECKS) as IdentifierKind[];

export const checkIdentifier = <K extends IdentifierKind>(kind: K, value: string): Check<IdentifierInfo[K]> =>
  CHECKS[kind](value);

/** The normalised value of a valid identifier; otherwise a 400 naming `field` and the rule broken. */
export function assertIdentifier(kind: IdentifierKind, field: string, value: string): string {
  const result = checkIdentifier(kind, value);
  if (!result.ok) {
    const { rule, message, messageEn } = result;
    throw validationError([{ field, rule, message, messageEn }]);
  }
  return result.value;
}
