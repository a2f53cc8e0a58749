import { CopyButton } from './CopyButton';

/** How a receiver checks a delivery's signature with the secret, using the Standard Webhooks library. */
function verifySnippet(secret: string): string {
  return [
    "import { Webhook } from 'standardwebhooks';",
    '',
    `const wh = new Webhook('${secret}');`,
    '// Throws unless webhook-id, webhook-timestamp and webhook-signature match the raw body.',
    'const event = wh.verify(rawBody, request.headers);',
  ].join('\n');
}

/**
 * An endpoint's signing secret, shown once, as a key is: only inside the dialog that received it, gone when
 * that dialog closes.
 */
export function WebhookSecret({ secret }: { secret: string }) {
  const snippet = verifySnippet(secret);
  return (
    <div className="key-secret">
      <p className="warning" role="note">
        <strong>Copy this signing secret now.</strong> It is shown only once. Your receiver needs it to check that
        each delivery comes from Kaizen Studio (Standard Webhooks signatures).
      </p>
      <div className="secret-row">
        <label htmlFor="webhook-secret" className="visually-hidden">
          Signing secret
        </label>
        <input id="webhook-secret" className="secret" readOnly value={secret} onFocus={(e) => e.currentTarget.select()} />
        <CopyButton text={secret} label="Copy secret" />
      </div>
      <div className="snippet">
        <pre tabIndex={0} aria-label="Signature check example">
          <code>{snippet}</code>
        </pre>
        <CopyButton text={snippet} label="Copy example" />
      </div>
    </div>
  );
}
