import type { paths } from '../../api/schema.d.ts';

/** Shapes of the applications API as the server's route schemas define them. */
type Json<
  P extends keyof paths,
  M extends 'get' | 'post' | 'patch' | 'put',
  S extends number,
> = paths[P][M] extends {
  responses: { [K in S]: { content: { 'application/json': infer T } } };
}
  ? T
  : never;

export type ApplicationView = Json<'/api/v1/applications/{id}', 'get', 200>;
export type ApplicationSummary = Json<'/api/v1/applications', 'get', 200>['items'][number];
export type ChecklistEntry = ApplicationView['materials'][number];
export type PartView = ApplicationView['parts'][number];
export type PrecheckResult = Json<'/api/v1/applications/{id}/prechecks', 'post', 200>[number];
export type DriveFile = Json<'/api/v1/drive/files', 'get', 200>['items'][number];
