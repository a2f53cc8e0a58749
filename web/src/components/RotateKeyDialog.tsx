import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { ApiKey, RotatedKey } from '../api/types';
import { formatDateTime } from '../lib/time';
import { useSignedIn } from '../session/SessionProvider';
import { Dialog } from './Dialog';
import { ErrorMessage } from './ErrorMessage';
import { KeySecret } from './KeySecret';

const GRACE_PERIODS = [
  { seconds: 0, label: 'Stop the old key now' },
  { seconds: 3_600, label: '1 hour' },
  { seconds: 86_400, label: '24 hours' },
  { seconds: 7 * 86_400, label: '7 days' },
];

/**
 * Confirms and rotates a key, then shows the replacement key once. As with creation, the plain key is
 * only in this component's state; `onClose` gets the new key's id so the page can move to it.
 */
export function RotateKeyDialog({ apiKey, onClose }: { apiKey: ApiKey; onClose: (newKeyId?: string) => void }) {
  const { client } = useSignedIn();
  const queryClient = useQueryClient();
  const [grace, setGrace] = useState(86_400);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [rotated, setRotated] = useState<RotatedKey | null>(null);

  const rotate = async () => {
    setPending(true);
    setError(null);
    try {
      setRotated(await client.apiKeys.rotate(apiKey.id, { grace_period_seconds: grace }));
      void queryClient.invalidateQueries({ queryKey: ['keys'] });
      void queryClient.invalidateQueries({ queryKey: ['key', apiKey.id] });
    } catch (err) {
      setError(err);
    } finally {
      setPending(false);
    }
  };

  if (rotated) {
    const close = () => onClose(rotated.id);
    return (
      <Dialog title={`Key “${rotated.name}” rotated`} onClose={close} wide>
        <p>
          The old key <code>{rotated.rotated_from.key_prefix}…</code>{' '}
          {Date.parse(rotated.rotated_from.expires_at) <= Date.now()
            ? 'has stopped working.'
            : `keeps working until ${formatDateTime(rotated.rotated_from.expires_at)}, then stops.`}
        </p>
        <KeySecret plainKey={rotated.key} scopes={rotated.scopes} />
        <div className="actions">
          <button type="button" className="button" onClick={close}>
            I have copied the new key
          </button>
        </div>
      </Dialog>
    );
  }

  return (
    <Dialog title={`Rotate “${apiKey.name}”?`} onClose={() => onClose()}>
      <p>
        A new key is issued with the same name, scopes and rate limit, and shown once. The current key{' '}
        <code>{apiKey.key_prefix}…</code> keeps working for the grace period you choose, so you can deploy the new
        one first; then it stops working for good.
      </p>
      <div className="field">
        <label htmlFor="grace-period">Grace period for the old key</label>
        <select id="grace-period" value={grace} onChange={(e) => setGrace(Number(e.target.value))}>
          {GRACE_PERIODS.map((g) => (
            <option key={g.seconds} value={g.seconds}>
              {g.label}
            </option>
          ))}
        </select>
      </div>
      <ErrorMessage error={error} />
      <div className="actions">
        <button type="button" className="button secondary" onClick={() => onClose()}>
          Cancel
        </button>
        <button type="button" className="button" disabled={pending} onClick={rotate}>
          {pending ? 'Rotating…' : 'Rotate key'}
        </button>
      </div>
    </Dialog>
  );
}
