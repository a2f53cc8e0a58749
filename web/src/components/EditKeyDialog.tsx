import { useQueryClient } from '@tanstack/react-query';
import { FormEvent, useState } from 'react';
import type { ApiKey, KeyChanges, Scope } from '../api/types';
import { isoToLocalInput, localInputToIso } from '../lib/time';
import { useSignedIn } from '../session/SessionProvider';
import { Dialog } from './Dialog';
import { ErrorMessage } from './ErrorMessage';
import { ScopePicker } from './ScopePicker';

const sameScopes = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((s) => b.includes(s));

/** Edits a key's name, scopes, rate limit and expiry in place (PATCH), sending only what changed. */
export function EditKeyDialog({ apiKey, onClose }: { apiKey: ApiKey; onClose: () => void }) {
  const { client } = useSignedIn();
  const queryClient = useQueryClient();
  const [name, setName] = useState(apiKey.name);
  const [scopes, setScopes] = useState<Scope[]>([...apiKey.scopes]);
  const [rateLimit, setRateLimit] = useState(String(apiKey.rate_limit));
  const [expiresAt, setExpiresAt] = useState(isoToLocalInput(apiKey.expires_at));
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const changes = (): KeyChanges => {
    const body: KeyChanges = {};
    if (name !== apiKey.name) body.name = name;
    if (!sameScopes(scopes, apiKey.scopes)) body.scopes = scopes;
    if (Number(rateLimit) !== apiKey.rate_limit) body.rate_limit = Number(rateLimit);
    // Compared as the input shows them (to the minute), so an untouched expiry is not sent back rounded.
    if (expiresAt !== isoToLocalInput(apiKey.expires_at)) body.expires_at = localInputToIso(expiresAt) ?? null;
    return body;
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const body = changes();
    if (Object.keys(body).length === 0) {
      onClose();
      return;
    }
    setPending(true);
    setError(null);
    try {
      const updated = await client.apiKeys.update(apiKey.id, body);
      queryClient.setQueryData(['key', apiKey.id], updated);
      void queryClient.invalidateQueries({ queryKey: ['keys'] });
      onClose();
    } catch (err) {
      setError(err);
      setPending(false);
    }
  };

  return (
    <Dialog title={`Edit “${apiKey.name}”`} onClose={onClose} wide>
      <form onSubmit={submit} className="form">
        <div className="field">
          <label htmlFor="edit-key-name">Name</label>
          <input id="edit-key-name" required maxLength={100} value={name} onChange={(e) => setName(e.target.value)} />
        </div>
        <ScopePicker
          legend="Scopes"
          chosen={scopes}
          onChange={setScopes}
          hint="Takes effect on the next request made with the key, on every instance."
        />
        <div className="field-row">
          <div className="field">
            <label htmlFor="edit-key-rate">Rate limit (requests per minute)</label>
            <input
              id="edit-key-rate"
              type="number"
              required
              min={1}
              max={1_000_000}
              value={rateLimit}
              onChange={(e) => setRateLimit(e.target.value)}
            />
          </div>
          <div className="field">
            <label htmlFor="edit-key-expiry">Expires (empty: never)</label>
            <input id="edit-key-expiry" type="datetime-local" value={expiresAt} onChange={(e) => setExpiresAt(e.target.value)} />
          </div>
        </div>
        <ErrorMessage error={error} />
        <div className="actions">
          <button type="button" className="button secondary" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button" disabled={pending}>
            {pending ? 'Saving…' : 'Save changes'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
