import { useState } from 'react';
import { useSignedIn } from '../session/SessionProvider';
import { Dialog } from './Dialog';
import { ErrorMessage } from './ErrorMessage';
import { WebhookSecret } from './WebhookSecret';

/**
 * Confirms, then replaces an endpoint's signing secret and shows the new one once; like the create dialog,
 * the secret lives only in this component's state.
 */
export function RotateSecretDialog({ endpointId, onClose }: { endpointId: string; onClose: () => void }) {
  const { client } = useSignedIn();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [secret, setSecret] = useState<string | null>(null);

  const rotate = async () => {
    setPending(true);
    setError(null);
    try {
      setSecret((await client.webhooks.rotateSecret(endpointId)).secret);
    } catch (err) {
      setError(err);
    } finally {
      setPending(false);
    }
  };

  if (secret) {
    return (
      <Dialog title="New signing secret" onClose={onClose} wide>
        <WebhookSecret secret={secret} />
        <div className="actions">
          <button type="button" className="button" onClick={onClose}>
            I have copied the secret
          </button>
        </div>
      </Dialog>
    );
  }
  return (
    <Dialog title="Replace the signing secret?" onClose={onClose}>
      <p>
        Deliveries are signed with a new secret from now on, and the current one stops working at once: update your
        receiver with the new secret straight away, or it will reject the next deliveries.
      </p>
      <ErrorMessage error={error} />
      <div className="actions">
        <button type="button" className="button secondary" onClick={onClose}>
          Cancel
        </button>
        <button type="button" className="button" disabled={pending} onClick={rotate}>
          {pending ? 'Replacing…' : 'Replace secret'}
        </button>
      </div>
    </Dialog>
  );
}
