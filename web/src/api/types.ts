import type { components } from '@sdk';

type Schemas = components['schemas'];
export type ApiKey = Schemas['ApiKeyResponse'];
export type CreatedKey = Schemas['CreatedApiKeyResponse'];
export type RotatedKey = Schemas['RotatedApiKeyResponse'];
export type KeyStatus = ApiKey['status'];
export type Scope = ApiKey['scopes'][number];
export type ScopeInfo = Schemas['ScopeResponse'];
export type KeyUsage = Schemas['KeyUsageResponse'];
export type UsageBucket = Schemas['UsageBucketResponse'];
export type AuditEntry = Schemas['AuditLogResponse'];
export type AuditAction = AuditEntry['action'];
export type Member = Schemas['MemberResponse'];
export type Role = Member['role'];
export type Me = Schemas['MeResponse'];
export type Session = Schemas['SessionResponse'];
export type Organization = Schemas['OrganizationResponse'];

export const KEY_STATUSES: KeyStatus[] = ['active', 'expired', 'revoked'];
export const ROLES: Role[] = ['owner', 'admin', 'developer', 'viewer'];
export const AUDIT_ACTIONS: AuditAction[] = [
  'api_key.created',
  'api_key.rotated',
  'api_key.revoked',
  'api_key.refused_revoked',
  'api_key.refused_expired',
  'member.added',
  'member.role_changed',
  'member.removed',
];
