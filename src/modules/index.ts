import { calendarModule } from '../kernel/calendar/index.ts';
import type { TongbanModule } from '../kernel/http.ts';
import { identifiersModule } from '../kernel/identifiers/routes.ts';
import { applicationsModule } from './applications/index.ts';
import { casesModule } from './cases/index.ts';
import { catalogModule } from './catalog/index.ts';
import { departmentSystemsModule } from './department-systems/index.ts';
import { directoryModule } from './directory/index.ts';
import { exchangeModule } from './exchange/index.ts';
import { hallModule } from './hall/index.ts';
import { identityModule } from './identity/index.ts';
import { licensesModule } from './licenses/index.ts';
import { messagingModule } from './messaging/index.ts';
import { registriesModule } from './registries/index.ts';

/** The platform's modules, in registration order (kernel services first). */
export const modules: TongbanModule[] = [
  identityModule,
  identifiersModule,
  calendarModule,
  directoryModule,
  registriesModule,
  catalogModule,
  licensesModule,
  applicationsModule,
  casesModule,
  exchangeModule,
  messagingModule,
  departmentSystemsModule,
  hallModule,
];
