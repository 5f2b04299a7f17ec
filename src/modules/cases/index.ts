/**
 * Cases (办件): filing the cases of a submitted application, the steps staff and applicants
 * take on them under the lifecycle table (workflow.ts) and the item's process (process.ts),
 * clocks in working days with warnings (clock.ts), the workbench and the applicant's
 * timeline. Other modules react to its events (events.ts) through the outbox.
 */
import type { TongbanModule } from '../../kernel/http.ts';
import { casesRoutes } from './routes.ts';
import type { Config } from '../../kernel/config.ts';
import type { CaseSettings } from './service.ts';

export const casesModule: TongbanModule = {
  name: 'cases',
  routes: (app, context) => casesRoutes(caseSettings(context.config))(app, context),
};

/** The case settings of a configuration (the yellow warning's share, CASE_YELLOW_SHARE). */
export function caseSettings(config: Pick<Config, 'caseYellowShare'>): CaseSettings {
  return { thresholds: { yellow: config.caseYellowShare } };
}

export {
  caseCalendar,
  openCases,
  takeStep,
  takeStepIn,
  wantedTasks,
  COMPLETION_STAGE,
  DEFAULT_CASE_SETTINGS,
  type CaseActor,
  type CaseOpening,
  type CaseSettings,
  type OpenedCase,
  type StepInput,
} from './service.ts';
export {
  casesOfApplication,
  casesOfApplicant,
  workbench,
  type CaseSummary,
  type WorkbenchRow,
} from './read.ts';
export { caseIdByNumber, findCase, type CaseMaterial, type CaseRow } from './store.ts';
export { sweepDeadlines } from './clocks.ts';
export { staffActor } from './routes.ts';
export * from './events.ts';
export {
  validateProcess,
  parseProcess,
  defaultProcess,
  ProcessDefinition,
  type Process,
  type ProcessInput,
} from './process.ts';
export {
  CASE_ACTIONS,
  CASE_STATUSES,
  STATUS_NAMES,
  ACTION_NAMES,
  STEP_CODES,
  STEP_CODE_TABLE,
  isStepCode,
  stepCodeFor,
  type CaseAction,
  type CaseStatus,
} from './workflow.ts';
