import type { KeyStatus } from '../api/types';

/**
 * A key's state. A disabled key (refused with 401 until enabled again) is shown as "disabled" while it would
 * otherwise be active; an expired or revoked key is that, whatever its switch says.
 */
export function StatusBadge({ status, enabled = true }: { status: KeyStatus; enabled?: boolean }) {
  if (status === 'active' && !enabled) {
    return (
      <span className="badge badge-disabled" title="Disabled: requests with this key are refused until it is enabled">
        disabled
      </span>
    );
  }
  return <span className={`badge badge-${status}`}>{status}</span>;
}
