import { Type, type Static } from 'typebox';
import type { AccessView as AccessViewType } from './audit.ts';
import type { Resource } from './resources.ts';
import type { Consumer, Grant } from './service.ts';
import { DateTime, Nullable } from '../../kernel/schemas.ts';

/**
 * Response schemas of the data-sharing routes. Fastify serialises a response through its
 * schema and drops what the schema does not list, so each lists every property the
 * service returns (resources.ts Resource, service.ts Consumer and Grant, audit.ts AccessView).
 */

const SENSITIVITIES = ['public', 'internal', 'sensitive'] as const;
const SHARING_TYPES = ['unconditional', 'conditional', 'none'] as const;
const FREQUENCIES = ['realtime', 'daily', 'weekly', 'monthly'] as const;
const MASKS = ['name', 'idNumber', 'phone', 'middle'] as const;
const GRANT_STATUSES = ['requested', 'approved', 'rejected', 'revoked'] as const;

export const ResourceFieldView = Type.Object({
  name: Type.String(),
  label: Type.String(),
  type: Type.Enum(['string', 'date', 'number']),
  sensitivity: Type.Enum([...SENSITIVITIES]),
  mask: Nullable(
    Type.Enum([...MASKS], { description: 'How the value is masked (脱敏) when granted masked' }),
  ),
});

export const ResourceView = Type.Object({
  code: Type.String(),
  name: Type.String(),
  providerOrganisationId: Nullable(Type.Integer()),
  providerName: Type.String(),
  keyKind: Type.Enum(['residentId', 'uscc', 'subject', 'licenceId']),
  fields: Type.Array(ResourceFieldView),
  sharingType: Type.Enum([...SHARING_TYPES]),
  updateFrequency: Type.Enum([...FREQUENCIES]),
  description: Type.String(),
  api: Type.String({ description: 'Where a consumer reads it' }),
});

export const ConsumerView = Type.Object({
  id: Type.String({ format: 'uuid' }),
  code: Type.String(),
  name: Type.String(),
  organisationId: Type.Integer(),
  status: Type.Enum(['active', 'disabled']),
  keyId: Type.String(),
  oidcClientId: Nullable(
    Type.String({ description: 'The OIDC client whose client credentials tokens act as this consumer' }),
  ),
  createdAt: DateTime,
});

export const ApiKey = Type.String({ description: 'dxk_<key id>.<secret>, shown once' });

export const NewConsumer = Type.Object({ consumer: ConsumerView, apiKey: ApiKey });

export const GrantView = Type.Object({
  id: Type.String({ format: 'uuid' }),
  consumerId: Type.String({ format: 'uuid' }),
  consumerName: Type.String(),
  consumerOrganisationId: Type.Integer(),
  resourceCode: Type.String(),
  providerOrganisationId: Nullable(Type.Integer()),
  purpose: Type.String(),
  fields: Type.Array(Type.String()),
  masked: Type.Array(Type.String()),
  status: Type.Enum([...GRANT_STATUSES]),
  active: Type.Boolean({ description: 'Approved and not yet expired' }),
  requestedBy: Type.String(),
  requestedAt: DateTime,
  decidedBy: Nullable(Type.String()),
  decidedAt: Nullable(DateTime),
  decisionReason: Nullable(Type.String()),
  expiresAt: DateTime,
  revokedAt: Nullable(DateTime),
});

export const AccessView = Type.Object({
  id: Type.Integer(),
  at: DateTime,
  consumer: Type.String({ description: 'The consumer’s name' }),
  resource: Type.String({ description: 'Resource code' }),
  resourceName: Type.String(),
  operation: Type.Enum(['lookup', 'verify', 'batch', 'feed']),
  purpose: Nullable(Type.String()),
  fields: Type.Array(Type.String()),
  resultCount: Type.Integer(),
  outcome: Type.Enum(['allowed', 'denied']),
  reason: Nullable(Type.String()),
  sealed: Type.Boolean({ description: 'Sealed into the exchange transparency log' }),
});

export const AccessPage = Type.Object({ items: Type.Array(AccessView), total: Type.Integer() });

/** True when A and B have the same properties (both ways assignable). */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** Fails to compile when a schema and the type the service returns drift apart. */
export const SCHEMAS_MATCH_SERVICE: [
  Same<Static<typeof ResourceView>, Resource>,
  Same<Static<typeof ConsumerView>, Consumer>,
  Same<Static<typeof GrantView>, Grant>,
  Same<Static<typeof AccessView>, AccessViewType>,
] = [true, true, true, true];
