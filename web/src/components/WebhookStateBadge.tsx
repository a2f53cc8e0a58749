import type { WebhookEndpoint } from '../api/types';

/** Enabled, or disabled (by a person, or by the service after repeated failures, with its reason). */
export function WebhookStateBadge({ endpoint }: { endpoint: WebhookEndpoint }) {
  if (endpoint.enabled) return <span className="badge badge-active">enabled</span>;
  return (
    <span className="badge badge-disabled" title={endpoint.disabled_reason ?? undefined}>
      disabled
    </span>
  );
}
