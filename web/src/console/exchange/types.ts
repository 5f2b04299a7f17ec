/**
 * The data-sharing responses the API declares no schema for, as src/modules/exchange
 * defines them (resources.ts Resource, service.ts Consumer and Grant, audit.ts AccessView).
 */
export type Sensitivity = 'public' | 'internal' | 'sensitive';
export type SharingType = 'unconditional' | 'conditional' | 'none';
export type Frequency = 'realtime' | 'daily' | 'weekly' | 'monthly';

export interface ResourceField {
  name: string;
  label: string;
  type: 'string' | 'date' | 'number';
  sensitivity: Sensitivity;
  mask: 'name' | 'idNumber' | 'phone' | 'middle' | null;
}

export interface Resource {
  code: string;
  name: string;
  providerOrganisationId: number | null;
  providerName: string;
  keyKind: string;
  fields: ResourceField[];
  sharingType: SharingType;
  updateFrequency: Frequency;
  description: string;
  api: string;
}

export interface Consumer {
  id: string;
  code: string;
  name: string;
  organisationId: number;
  status: 'active' | 'disabled';
  keyId: string;
  createdAt: string;
}

export type GrantStatus = 'requested' | 'approved' | 'rejected' | 'revoked';

export interface Grant {
  id: string;
  consumerId: string;
  consumerName: string;
  consumerOrganisationId: number;
  resourceCode: string;
  providerOrganisationId: number | null;
  purpose: string;
  fields: string[];
  masked: string[];
  status: GrantStatus;
  active: boolean;
  requestedBy: string;
  requestedAt: string;
  decidedBy: string | null;
  decidedAt: string | null;
  decisionReason: string | null;
  expiresAt: string;
  revokedAt: string | null;
}

export interface Access {
  id: number;
  at: string;
  consumer: string;
  resource: string;
  resourceName: string;
  operation: 'lookup' | 'verify' | 'batch' | 'feed';
  purpose: string | null;
  fields: string[];
  resultCount: number;
  outcome: 'allowed' | 'denied';
  reason: string | null;
  sealed: boolean;
}
