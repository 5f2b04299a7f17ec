/**
 * Registries: the base registries (基础库) of residents and enterprises that applications
 * look up and pre-fill from, with synthetic demo data. Issue 6 grows this module.
 */
import type { TongbanModule } from '../../kernel/http.ts';
import { registriesRoutes } from './routes.ts';

export const registriesModule: TongbanModule = { name: 'registries', routes: registriesRoutes };

export { getEnterprise, getPerson } from './service.ts';
export { seedDemoRegistries } from './demo.ts';
export type { Enterprise, Person } from './queries.ts';
