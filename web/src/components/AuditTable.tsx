import type { AuditEntry } from '../api/types';
import { formatDateTime } from '../lib/time';

/** The details an entry carries (key name, prefix, email, roles), as short "field: value" pairs. */
function describe(metadata: AuditEntry['metadata']): string {
  if (!metadata || typeof metadata !== 'object') return '';
  return Object.entries(metadata as Record<string, unknown>)
    .map(([field, value]) => `${field}: ${Array.isArray(value) ? value.join(', ') : String(value)}`)
    .join(' · ');
}

export function AuditTable({ entries }: { entries: AuditEntry[] }) {
  return (
    <table className="table" aria-label="Audit log">
      <thead>
        <tr>
          <th scope="col">When</th>
          <th scope="col">Action</th>
          <th scope="col">Actor</th>
          <th scope="col">Target</th>
          <th scope="col">Details</th>
        </tr>
      </thead>
      <tbody>
        {entries.map((entry) => (
          <tr key={entry.id}>
            <td data-label="When">{formatDateTime(entry.created_at)}</td>
            <td data-label="Action">
              <code className="action">{entry.action}</code>
            </td>
            <td data-label="Actor">
              <span className="muted">{entry.actor_type}</span> <code className="id">{entry.actor_id}</code>
            </td>
            <td data-label="Target">
              <span className="muted">{entry.target_type}</span> <code className="id">{entry.target_id}</code>
            </td>
            <td data-label="Details" className="details">
              {describe(entry.metadata)}
              {entry.client_ip ? <span className="muted"> · from {entry.client_ip}</span> : null}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
