import { randomUUID } from 'node:crypto';
import type { AuditEntry } from '../audit/audit.service';
import { redactSecrets } from '../audit/audit.service';

/** The events an endpoint can subscribe to: audit actions, by the same names. */
export const WEBHOOK_EVENT_TYPES = [
  'api_key.created',
  'api_key.updated',
  'api_key.rotated',
  'api_key.revoked',
  'api_key.expiring',
  'api_key.rate_limited',
  'member.added',
  'member.role_changed',
  'member.removed',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** The ping POST /webhooks/{id}/test sends; every endpoint receives it, whatever it subscribed to. */
export const TEST_EVENT_TYPE = 'webhook.test';

const EVENT_TYPES: ReadonlySet<string> = new Set(WEBHOOK_EVENT_TYPES);
export const isWebhookEvent = (action: string): action is WebhookEventType => EVENT_TYPES.has(action);

export interface WebhookEventPayload {
  type: string;
  timestamp: string;
  data: Record<string, unknown> & { organization_id: string };
}

/** A new event id, sent as webhook-id (`msg_` and 32 hex digits). */
export const newEventId = (): string => `msg_${randomUUID().replace(/-/g, '')}`;

/**
 * The body every endpoint of the organization receives for an audit entry: its target and metadata
 * (secrets already dropped by the audit rules) and who acted, never the actor's address or agent.
 */
export function eventPayload(entry: AuditEntry, at: Date): WebhookEventPayload {
  const metadata = redactSecrets(entry.metadata ?? {}) as Record<string, unknown>;
  return {
    type: entry.action,
    timestamp: at.toISOString(),
    data: {
      ...metadata,
      organization_id: entry.organizationId,
      target_type: entry.targetType,
      target_id: entry.targetId,
      actor: { type: entry.actor.type, id: entry.actor.id },
    },
  };
}

export function testPayload(organizationId: string, endpointId: string, at: Date): WebhookEventPayload {
  return {
    type: TEST_EVENT_TYPE,
    timestamp: at.toISOString(),
    data: { organization_id: organizationId, endpoint_id: endpointId },
  };
}
