import type { KeyStatus } from '../api/types';

export function StatusBadge({ status }: { status: KeyStatus }) {
  return <span className={`badge badge-${status}`}>{status}</span>;
}
