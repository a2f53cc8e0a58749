import { Link } from 'wouter';
import type { ApiKey } from '../api/types';
import { formatDateTime, fromNow } from '../lib/time';
import { useNow } from '../lib/use-now';
import { StatusBadge } from './StatusBadge';

/** The organization's keys, one row each; the name opens the key's page. */
export function KeyTable({ keys }: { keys: ApiKey[] }) {
  const now = useNow(30_000);
  return (
    <table className="table" aria-label="API keys">
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Prefix</th>
          <th scope="col">Scopes</th>
          <th scope="col">Status</th>
          <th scope="col">Last used</th>
          <th scope="col">Expires</th>
        </tr>
      </thead>
      <tbody>
        {keys.map((key) => (
          <tr key={key.id} className={key.enabled === false ? 'row-disabled' : undefined}>
            <td data-label="Name">
              <Link href={`/keys/${key.id}`} className="strong-link">
                {key.name}
              </Link>
            </td>
            <td data-label="Prefix">
              <code>{key.key_prefix}…</code>
            </td>
            <td data-label="Scopes">
              <ul className="chips">
                {key.scopes.map((scope) => (
                  <li key={scope} className="chip">
                    {scope}
                  </li>
                ))}
              </ul>
            </td>
            <td data-label="Status">
              <StatusBadge status={key.status} enabled={key.enabled} />
            </td>
            <td data-label="Last used">
              <span title={formatDateTime(key.last_used_at, 'never')}>{fromNow(key.last_used_at, now)}</span>
            </td>
            <td data-label="Expires">{key.expires_at ? formatDateTime(key.expires_at) : 'never'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
