import type { components, KaizenClient } from '@sdk';

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

// Shapes of the newer routes, read off the SDK's methods (and so from the generated schema) by route
// rather than by schema name.
type Result<F> = F extends (...args: never[]) => Promise<infer R> ? R : never;
export type KeyChanges = Parameters<KaizenClient['apiKeys']['update']>[1];
export type WebhookEndpoint = Result<KaizenClient['webhooks']['get']>;
export type CreatedWebhookEndpoint = Result<KaizenClient['webhooks']['create']>;
export type WebhookChanges = Parameters<KaizenClient['webhooks']['update']>[1];
export type WebhookDelivery = Result<KaizenClient['webhooks']['deliveries']>['data'][number];
export type KeyPolicy = Result<KaizenClient['keyPolicy']['get']>;
export type KeyPolicyChanges = Parameters<KaizenClient['keyPolicy']['update']>[0];

export const KEY_STATUSES: KeyStatus[] = ['active', 'expired', 'revoked'];
export const ROLES: Role[] = ['owner', 'admin', 'developer', 'viewer'];
export const AUDIT_ACTIONS: AuditAction[] = [
  'api_key.created',
  'api_key.updated',
  'api_key.rotated',
  'api_key.revoked',
  'api_key.expiring',
  'api_key.rate_limited',
  'api_key.refused_revoked',
  'api_key.refused_expired',
  'api_key.refused_address',
  'member.added',
  'member.role_changed',
  'member.removed',
  'key_policy.updated',
  'webhook_endpoint.created',
  'webhook_endpoint.updated',
  'webhook_endpoint.deleted',
  'webhook_endpoint.disabled',
];

/** The events an endpoint may subscribe to (audit action names); `webhook.test` is sent by "Send test" only. */
export const WEBHOOK_EVENTS = [
  { type: 'api_key.created', description: 'a key was created' },
  { type: 'api_key.updated', description: 'a key was edited, disabled or enabled' },
  { type: 'api_key.rotated', description: 'a key was replaced by a new one' },
  { type: 'api_key.revoked', description: 'a key was revoked (by a user, as leaked, as unused, or with its member)' },
  { type: 'api_key.expiring', description: 'a key expires in 7 days or in 1 day' },
  { type: 'api_key.rate_limited', description: 'a key hit its rate limit (at most once an hour)' },
  { type: 'member.added', description: 'someone joined the organization' },
  { type: 'member.role_changed', description: "a member's role changed" },
  { type: 'member.removed', description: 'a member was removed' },
] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number]['type'];
