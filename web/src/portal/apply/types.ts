import type { ResponseOf } from '../../api/client.ts';

/** Shapes of the applications API as the server's route schemas define them. */
export type ApplicationView = ResponseOf<'/api/v1/applications/{id}', 'get'>;
export type ApplicationSummary = ResponseOf<'/api/v1/applications', 'get'>['items'][number];
export type ChecklistEntry = ApplicationView['materials'][number];
export type PartView = ApplicationView['parts'][number];
export type PrecheckResult = ResponseOf<'/api/v1/applications/{id}/prechecks', 'post'>[number];
export type DriveFile = ResponseOf<'/api/v1/drive/files', 'get'>['items'][number];
