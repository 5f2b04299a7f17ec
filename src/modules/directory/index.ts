/**
 * Directory: the region hierarchy (province → city → district → street → community, as
 * data) and the organisations that implement services, with the demo city 示例市.
 */
import type { TongbanModule } from '../../kernel/http.ts';
import { directoryRoutes } from './routes.ts';

export const directoryModule: TongbanModule = { name: 'directory', routes: directoryRoutes };

export {
  createOrganisation,
  createRegion,
  descendantCodes,
  findDepartment,
  getOrganisation,
  getRegion,
  implementingBodies,
  isWithin,
  listOrganisations,
  listRegions,
  organisationInJurisdiction,
  placeShortName,
  regionCodeOf,
  regionPlaces,
  type OrganisationInput,
  type RegionInput,
} from './service.ts';
export { DEMO_DEPARTMENTS, seedDemoDirectory, type DemoDirectory, type DemoScale } from './demo.ts';
export type {
  ImplementingBody,
  Organisation,
  OrganisationFilter,
  Page,
  Paging,
  Region,
  RegionDetail,
  RegionFilter,
} from './queries.ts';
