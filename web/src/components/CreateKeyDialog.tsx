import { useQueryClient } from '@tanstack/react-query';
import { FormEvent, useState } from 'react';
import { isErrorAbout } from '../api/client';
import type { CreatedKey, Scope } from '../api/types';
import { parseAllowlist, parseMetadata } from '../lib/key-settings';
import { localInputToIso } from '../lib/time';
import { useSignedIn } from '../session/SessionProvider';
import { Dialog } from './Dialog';
import { ErrorMessage } from './ErrorMessage';
import { KeyAccessFields } from './KeyAccessFields';
import { KeySecret } from './KeySecret';
import { ScopePicker } from './ScopePicker';

/**
 * Creates a key and shows it once. The response (with the plain key) is kept only in this component's
 * state, never in the query cache, the URL or storage, so unmounting the dialog forgets it.
 */
export function CreateKeyDialog({ onClose }: { onClose: () => void }) {
  const { client } = useSignedIn();
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const [chosen, setChosen] = useState<Scope[]>([]);
  const [rateLimit, setRateLimit] = useState('100');
  const [expiresAt, setExpiresAt] = useState('');
  const [allowlist, setAllowlist] = useState('');
  const [metadata, setMetadata] = useState('');
  const [metadataProblem, setMetadataProblem] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [created, setCreated] = useState<CreatedKey | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    const parsedMetadata = parseMetadata(metadata);
    setMetadataProblem(parsedMetadata.ok ? null : parsedMetadata.message);
    if (!parsedMetadata.ok) return;
    const addresses = parseAllowlist(allowlist);
    setPending(true);
    try {
      const key = await client.apiKeys.create({
        name,
        scopes: chosen,
        rate_limit: rateLimit === '' ? undefined : Number(rateLimit),
        expires_at: localInputToIso(expiresAt),
        // Sent only when given, so the request is the same as before for a key without them.
        ...(addresses.length > 0 ? { ip_allowlist: addresses } : {}),
        ...(Object.keys(parsedMetadata.value).length > 0 ? { metadata: parsedMetadata.value } : {}),
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
        <ScopePicker legend="Scopes" chosen={chosen} onChange={setChosen} />
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
        <KeyAccessFields
          idPrefix="new-key"
          allowlist={allowlist}
          onAllowlist={setAllowlist}
          allowlistError={isErrorAbout(error, 'ip_allowlist') ? error : null}
          metadata={metadata}
          onMetadata={setMetadata}
          metadataError={metadataProblem ?? (isErrorAbout(error, 'metadata') ? error : null)}
        />
        <ErrorMessage error={isErrorAbout(error, 'ip_allowlist') || isErrorAbout(error, 'metadata') ? null : error} />
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
