/**
 * Registries: the base registries (基础库) of residents, enterprises and credit records
 * that applications look up and pre-fill from and that the data exchange shares, their
 * data-quality reports, and synthetic demo data.
 */
import type { TongbanModule } from '../../kernel/http.ts';
import { registriesRoutes } from './routes.ts';

export const registriesModule: TongbanModule = { name: 'registries', routes: registriesRoutes };

export { getEnterprise, getPerson } from './service.ts';
export { seedDemoRegistries } from './demo.ts';
export type { Enterprise, Person } from './queries.ts';
export {
  CREDIT_KIND_NAMES,
  CREDIT_KINDS,
  getCreditRecords,
  insertCreditRecords,
  type CreditKind,
  type CreditRecord,
  type CreditRecordList,
  type CreditSubjectKind,
  type NewCreditRecord,
} from './credit.ts';
export {
  QUALITY_RESOURCES,
  qualityReport,
  type QualityOptions,
  type QualityReport,
  type QualityResource,
} from './quality.ts';
