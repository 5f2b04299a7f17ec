/**
 * Department systems (部门业务办理系统, issue 4 item 8): a department that runs its own
 * case-handling system receives its cases as signed webhooks (delivery.ts: retries with
 * backoff, dead letters, replay by administrators) and reports progress and results back
 * through a signed API (reports.ts), both directions idempotent. Administrators register
 * systems and rotate their secrets (service.ts, permission integration.manage).
 */
import type { TongbanModule } from '../../kernel/http.ts';
import { DELIVERY_SUBSCRIBER, DELIVERY_TOPICS, deliveryHandler } from './delivery.ts';
import { departmentSystemsRoutes } from './routes.ts';
import { purgeDepartmentSystemRecords } from './service.ts';

export const departmentSystemsModule: TongbanModule = {
  name: 'department-systems',
  async routes(app, context) {
    const cipher = app.identity.cipher;
    context.outbox.subscribe(
      DELIVERY_SUBSCRIBER,
      DELIVERY_TOPICS,
      deliveryHandler({ db: context.db, cipher }),
    );
    app.jobs.push({
      name: 'department_systems.purge',
      everyMs: 3_600_000,
      run: () => purgeDepartmentSystemRecords(context.db),
    });
    await departmentSystemsRoutes(app, context, cipher);
  },
};

export {
  caseMessage,
  deliveryHandler,
  departmentsOf,
  messageId,
  DepartmentDeliveryError,
  DELIVERY_SUBSCRIBER,
  DELIVERY_TOPICS,
  type CaseMessage,
  type DeliveryDeps,
} from './delivery.ts';
export {
  applyReport,
  receiptSource,
  reportAction,
  systemActor,
  STEP_CODE_ACTIONS,
  type ReportInput,
  type ReportOutcome,
  type ReportResult,
} from './reports.ts';
export {
  createSystem,
  enabledSystemsOf,
  getSystem,
  listSystems,
  newWebhookSecret,
  purgeDepartmentSystemRecords,
  rotateSecrets,
  systemKeys,
  updateSystem,
  DEFAULT_GRACE_HOURS,
  MAX_GRACE_HOURS,
  RETENTION_DAYS,
  type CreateSystemInput,
  type DepartmentSystem,
  type DepartmentSystemSecrets,
  type SystemKeys,
  type UpdateSystemInput,
} from './service.ts';
