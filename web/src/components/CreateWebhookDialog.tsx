import { useQueryClient } from '@tanstack/react-query';
import { FormEvent, useState } from 'react';
import type { CreatedWebhookEndpoint } from '../api/types';
import { useSignedIn } from '../session/SessionProvider';
import { Dialog } from './Dialog';
import { ErrorMessage } from './ErrorMessage';
import { WebhookEventsPicker } from './WebhookEventsPicker';
import { WebhookSecret } from './WebhookSecret';

/**
 * Registers an endpoint and shows its signing secret once. The answer (with the secret) lives only in this
 * component's state, never in the query cache, so closing the dialog forgets it.
 */
export function CreateWebhookDialog({ onClose }: { onClose: () => void }) {
  const { client } = useSignedIn();
  const queryClient = useQueryClient();
  const [url, setUrl] = useState('');
  const [description, setDescription] = useState('');
  const [events, setEvents] = useState<string[]>([]);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [created, setCreated] = useState<CreatedWebhookEndpoint | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setPending(true);
    setError(null);
    try {
      const endpoint = await client.webhooks.create({
        url,
        events: events as CreatedWebhookEndpoint['events'],
        ...(description.trim() ? { description: description.trim() } : {}),
      });
      setCreated(endpoint);
      void queryClient.invalidateQueries({ queryKey: ['webhooks'] });
    } catch (err) {
      setError(err);
    } finally {
      setPending(false);
    }
  };

  if (created) {
    return (
      <Dialog title="Webhook endpoint added" onClose={onClose} wide>
        <p>
          Events go to <code>{created.url}</code>.
        </p>
        <WebhookSecret secret={created.secret} />
        <div className="actions">
          <button type="button" className="button" onClick={onClose}>
            I have copied the secret
          </button>
        </div>
      </Dialog>
    );
  }

  return (
    <Dialog title="Add a webhook endpoint" onClose={onClose} wide>
      <form onSubmit={submit} className="form">
        <div className="field">
          <label htmlFor="webhook-url">Endpoint URL</label>
          <input
            id="webhook-url"
            type="url"
            required
            value={url}
            onChange={(e) => setUrl(e.target.value)}
            placeholder="https://example.com/hooks/kaizen"
          />
        </div>
        <div className="field">
          <label htmlFor="webhook-description">Description (optional)</label>
          <input id="webhook-description" maxLength={200} value={description} onChange={(e) => setDescription(e.target.value)} />
        </div>
        <WebhookEventsPicker chosen={events} onChange={setEvents} />
        <ErrorMessage error={error} />
        <div className="actions">
          <button type="button" className="button secondary" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button" disabled={pending}>
            {pending ? 'Adding…' : 'Add endpoint'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
