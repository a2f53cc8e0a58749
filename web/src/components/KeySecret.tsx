import { useState } from 'react';
import type { Scope } from '../api/types';
import { CopyButton } from './CopyButton';
import { keySnippets } from './key-snippets';

/**
 * The plain key, shown once: the key with a copy button, the warning, and example calls with the key in
 * them. It is rendered only inside the dialog that received it, and goes when that dialog closes.
 */
export function KeySecret({ plainKey, scopes }: { plainKey: string; scopes: readonly Scope[] }) {
  const snippets = keySnippets(plainKey, window.location.origin, scopes);
  const [shown, setShown] = useState(snippets[0].id);
  const snippet = snippets.find((s) => s.id === shown) ?? snippets[0];
  return (
    <div className="key-secret">
      <p className="warning" role="note">
        <strong>Copy this key now.</strong> It is shown only once: Kaizen Studio keeps only a hash of it and cannot
        show it again. If it is lost, rotate the key.
      </p>
      <div className="secret-row">
        <label htmlFor="plain-key" className="visually-hidden">
          Your new API key
        </label>
        <input id="plain-key" className="secret" readOnly value={plainKey} onFocus={(e) => e.currentTarget.select()} />
        <CopyButton text={plainKey} label="Copy key" />
      </div>
      <div className="snippets">
        <div className="snippet-tabs" role="group" aria-label="Example call">
          {snippets.map((s) => (
            <button
              key={s.id}
              type="button"
              className="tab"
              aria-pressed={s.id === snippet.id}
              onClick={() => setShown(s.id)}
            >
              {s.label}
            </button>
          ))}
        </div>
        <div className="snippet">
          <pre tabIndex={0} aria-label={`${snippet.label} example`}>
            <code>{snippet.code}</code>
          </pre>
          <CopyButton text={snippet.code} label={`Copy ${snippet.label}`} />
        </div>
      </div>
    </div>
  );
}
