import { useQuery, useQueryClient } from '@tanstack/react-query';
import { FormEvent, useState } from 'react';
import type { CreatedKey, Scope } from '../api/types';
import { localInputToIso } from '../lib/time';
import { useSignedIn } from '../session/SessionProvider';
import { Dialog } from './Dialog';
import { ErrorMessage } from './ErrorMessage';
import { KeySecret } from './KeySecret';
import { Loading } from './States';

/**
 * Creates a key and shows it once. The response (with the plain key) is kept only in this component's
 * state, never in the query cache, the URL or storage, so unmounting the dialog forgets it.
 */
export function CreateKeyDialog({ onClose }: { onClose: () => void }) {
  const { client } = useSignedIn();
  const queryClient = useQueryClient();
  const scopes = useQuery({ queryKey: ['scopes'], queryFn: () => client.apiKeys.scopes(), staleTime: Infinity });
  const [name, setName] = useState('');
  const [chosen, setChosen] = useState<Scope[]>([]);
  const [rateLimit, setRateLimit] = useState('100');
  const [expiresAt, setExpiresAt] = useState('');
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [created, setCreated] = useState<CreatedKey | null>(null);

  const toggle = (scope: Scope, on: boolean) =>
    setChosen((list) => (on ? [...list, scope] : list.filter((s) => s !== scope)));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setPending(true);
    setError(null);
    try {
      const key = await client.apiKeys.create({
        name,
        scopes: chosen,
        rate_limit: rateLimit === '' ? undefined : Number(rateLimit),
        expires_at: localInputToIso(expiresAt),
      });
      setCreated(key);
      void queryClient.invalidateQueries({ queryKey: ['keys'] });
    } catch (err) {
      setError(err);
    } finally {
      setPending(false);
    }
  };

  if (created) {
    return (
      <Dialog title={`Key “${created.name}” created`} onClose={onClose} wide>
        <KeySecret plainKey={created.key} scopes={created.scopes} />
        <div className="actions">
          <button type="button" className="button" onClick={onClose}>
            I have copied the key
          </button>
        </div>
      </Dialog>
    );
  }

  return (
    <Dialog title="Create an API key" onClose={onClose} wide>
      <form onSubmit={submit} className="form">
        <div className="field">
          <label htmlFor="key-name">Name</label>
          <input id="key-name" required maxLength={100} value={name} onChange={(e) => setName(e.target.value)} placeholder="CI/CD Pipeline" />
        </div>
        <fieldset className="field">
          <legend>Scopes</legend>
          {scopes.isPending ? <Loading what="scopes" /> : null}
          <ErrorMessage error={scopes.error} />
          <div className="scope-grid">
            {scopes.data?.data.map(({ scope, description }) => (
              <label key={scope} className="scope-option">
                <input type="checkbox" checked={chosen.includes(scope)} onChange={(e) => toggle(scope, e.target.checked)} />
                <span>
                  <code>{scope}</code>
                  <span className="hint">{description}</span>
                </span>
              </label>
            ))}
          </div>
        </fieldset>
        <div className="field-row">
          <div className="field">
            <label htmlFor="key-rate">Rate limit (requests per minute)</label>
            <input id="key-rate" type="number" min={1} max={1_000_000} value={rateLimit} onChange={(e) => setRateLimit(e.target.value)} />
          </div>
          <div className="field">
            <label htmlFor="key-expiry">Expires (optional)</label>
            <input id="key-expiry" type="datetime-local" value={expiresAt} onChange={(e) => setExpiresAt(e.target.value)} />
          </div>
        </div>
        <ErrorMessage error={error} />
        <div className="actions">
          <button type="button" className="button secondary" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button" disabled={pending}>
            {pending ? 'Creating…' : 'Create key'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
