/**
 * Applications (申办): what a citizen or an enterprise applies for, from one item or one
 * 一件事 bundle: drafts kept on the server, materials by upload, cloud-drive reuse or filled
 * from the base registries (免提交), pre-checks, submission with the unified application
 * number (统一申办编号) opening one case per part, and one progress view.
 */
import type { TongbanModule } from '../../kernel/http.ts';
import { applicationsRoutes } from './routes.ts';

export const applicationsModule: TongbanModule = { name: 'applications', routes: applicationsRoutes };

export { nextApplicationNumber } from './numbering.ts';
export { validateFormData, type FormSchemaLike } from './form-data.ts';
export { REGISTRY_MATERIALS, registryFor } from './materials.ts';
export { completeIfAllEnded, MATERIAL_UPLOAD_LIMITS } from './service.ts';
export type { ApplicationStatus, ApplicationView, ChecklistEntry, SubmitResult } from './model.ts';
