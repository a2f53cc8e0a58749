import { Link } from 'wouter';
import type { AuditEntry } from '../api/types';
import { useMemberNames } from '../lib/use-member-names';
import { formatDateTime } from '../lib/time';

/** A detail's value: lists joined, objects (such as an edit's before/after `changes`) as compact JSON. */
function describeValue(value: unknown): string {
  if (Array.isArray(value)) return value.map(describeValue).join(', ');
  if (value !== null && typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** The details an entry carries (key name, prefix, email, roles), as short "field: value" pairs. */
function describe(metadata: AuditEntry['metadata']): string {
  if (!metadata || typeof metadata !== 'object') return '';
  return Object.entries(metadata as Record<string, unknown>)
    .map(([field, value]) => `${field}: ${describeValue(value)}`)
    .join(' · ');
}

/** Who acted or was acted upon: a member's name, a link to a key, or the id as recorded. */
function Party({ type, id, name }: { type: string; id: string | null; name: (userId: string) => string | undefined }) {
  if (id === null) return <span className="muted">{type}</span>;
  if (type === 'api_key') {
    return (
      <>
        <span className="muted">key</span>{' '}
        <Link href={`/keys/${id}`} className="id">
          {id}
        </Link>
      </>
    );
  }
  if (type === 'webhook_endpoint') {
    return (
      <>
        <span className="muted">webhook</span>{' '}
        <Link href={`/webhooks/${id}`} className="id">
          {id}
        </Link>
      </>
    );
  }
  const known = type === 'user' || type === 'member' ? name(id) : undefined;
  return (
    <>
      <span className="muted">{type}</span> {known ? <span>{known}</span> : <code className="id">{id}</code>}
    </>
  );
}

export function AuditTable({ entries }: { entries: AuditEntry[] }) {
  const name = useMemberNames();
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
              <Party type={entry.actor_type} id={entry.actor_id} name={name} />
            </td>
            <td data-label="Target">
              <Party type={entry.target_type} id={entry.target_id} name={name} />
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
