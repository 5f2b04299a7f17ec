import type { paths } from '../../api/schema.d.ts';

/**
 * The data-sharing responses the pages read, from the generated client (the route schemas
 * in src/modules/exchange/schemas.ts).
 */
type Ok<P extends keyof paths, M extends 'get' | 'post' | 'patch'> = paths[P][M] extends {
  responses: { 200: { content: { 'application/json': infer T } } };
}
  ? T
  : paths[P][M] extends { responses: { 201: { content: { 'application/json': infer T } } } }
    ? T
    : never;

export type Resource = Ok<'/api/v1/exchange/resources', 'get'>[number];
export type ResourceField = Resource['fields'][number];
export type Sensitivity = ResourceField['sensitivity'];
export type SharingType = Resource['sharingType'];
export type Frequency = Resource['updateFrequency'];

export type Consumer = Ok<'/api/v1/exchange/consumers', 'get'>[number];

export type Grant = Ok<'/api/v1/exchange/grants', 'get'>[number];
export type GrantStatus = Grant['status'];

export type Access = Ok<'/api/v1/exchange/accesses', 'get'>['items'][number];
