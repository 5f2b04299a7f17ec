import type { ResponseOf } from '../../api/client.ts';

/**
 * The data-sharing responses the pages read, from the generated client (the route schemas
 * in src/modules/exchange/schemas.ts).
 */
export type Resource = ResponseOf<'/api/v1/exchange/resources', 'get'>[number];
export type ResourceField = Resource['fields'][number];
export type Sensitivity = ResourceField['sensitivity'];
export type SharingType = Resource['sharingType'];
export type Frequency = Resource['updateFrequency'];

export type Consumer = ResponseOf<'/api/v1/exchange/consumers', 'get'>[number];

export type Grant = ResponseOf<'/api/v1/exchange/grants', 'get'>[number];
export type GrantStatus = Grant['status'];

export type Access = ResponseOf<'/api/v1/exchange/accesses', 'get'>['items'][number];
