import { useQueryClient } from '@tanstack/react-query';
import { FormEvent, useState } from 'react';
import type { ApiKey, KeyChanges } from '../api/types';
import { formatAllowlist, formatMetadata, parseAllowlist, parseMetadata } from '../lib/key-settings';
import { useSignedIn } from '../session/SessionProvider';
import { AllowlistField, MetadataField } from './KeyAccessFields';

/**
 * Saves one PATCH, puts the answer in the cache and returns it (the editor then shows the stored, canonical
 * form); the caller gets the error to show beside its field.
 */
function useKeyPatch(apiKey: ApiKey) {
  const { client } = useSignedIn();
  const queryClient = useQueryClient();
  return async (body: KeyChanges): Promise<ApiKey> => {
    const updated = await client.apiKeys.update(apiKey.id, body);
    queryClient.setQueryData(['key', apiKey.id], updated);
    void queryClient.invalidateQueries({ queryKey: ['keys'] });
    return updated;
  };
}

/** The key's IP allow-list: read-only for those who may not change the key, an editor for those who may. */
export function AllowlistCard({ apiKey, editable }: { apiKey: ApiKey; editable: boolean }) {
  const patch = useKeyPatch(apiKey);
  const [text, setText] = useState(() => formatAllowlist(apiKey.ip_allowlist));
  const [error, setError] = useState<unknown>(null);
  const [pending, setPending] = useState(false);
  const [saved, setSaved] = useState(false);

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setPending(true);
    setError(null);
    setSaved(false);
    try {
      const updated = await patch({ ip_allowlist: parseAllowlist(text) });
      setText(formatAllowlist(updated.ip_allowlist));
      setSaved(true);
    } catch (err) {
      setError(err);
    } finally {
      setPending(false);
    }
  };

  return (
    <section className="card" aria-labelledby="allowlist-title">
      <h2 id="allowlist-title">Allowed addresses</h2>
      {!editable ? (
        (apiKey.ip_allowlist ?? []).length === 0 ? (
          <p>Any address may use this key.</p>
        ) : (
          <ul className="chips">
            {apiKey.ip_allowlist.map((entry) => (
              <li key={entry} className="chip">
                {entry}
              </li>
            ))}
          </ul>
        )
      ) : (
        <form className="form" onSubmit={save}>
          <AllowlistField id="key-allowlist" value={text} onChange={(t) => (setText(t), setSaved(false))} error={error} />
          {saved ? (
            <p className="success" role="status">
              Allow-list saved.
            </p>
          ) : null}
          <div className="actions">
            <button type="submit" className="button secondary" disabled={pending}>
              {pending ? 'Saving…' : 'Save allow-list'}
            </button>
          </div>
        </form>
      )}
    </section>
  );
}

/** The key's metadata as JSON: checked in the page before it is sent; the API's own refusal shown beside it. */
export function MetadataCard({ apiKey, editable }: { apiKey: ApiKey; editable: boolean }) {
  const patch = useKeyPatch(apiKey);
  const [text, setText] = useState(() => formatMetadata(apiKey.metadata));
  const [error, setError] = useState<unknown>(null);
  const [pending, setPending] = useState(false);
  const [saved, setSaved] = useState(false);

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setSaved(false);
    const parsed = parseMetadata(text);
    if (!parsed.ok) {
      setError(parsed.message);
      return;
    }
    setPending(true);
    try {
      const updated = await patch({ metadata: parsed.value });
      setText(formatMetadata(updated.metadata));
      setSaved(true);
    } catch (err) {
      setError(err);
    } finally {
      setPending(false);
    }
  };

  return (
    <section className="card" aria-labelledby="metadata-title">
      <h2 id="metadata-title">Metadata</h2>
      {!editable ? (
        Object.keys(apiKey.metadata ?? {}).length === 0 ? (
          <p>None.</p>
        ) : (
          <pre className="code-block" tabIndex={0} aria-label="Metadata as JSON">
            <code>{formatMetadata(apiKey.metadata)}</code>
          </pre>
        )
      ) : (
        <form className="form" onSubmit={save}>
          <MetadataField id="key-metadata" value={text} onChange={(t) => (setText(t), setSaved(false))} error={error} />
          {saved ? (
            <p className="success" role="status">
              Metadata saved.
            </p>
          ) : null}
          <div className="actions">
            <button type="submit" className="button secondary" disabled={pending}>
              {pending ? 'Saving…' : 'Save metadata'}
            </button>
          </div>
        </form>
      )}
    </section>
  );
}
