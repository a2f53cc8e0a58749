import { FieldError } from './FieldError';

interface Props {
  /** Prefix of the fields' ids, unique on the page. */
  idPrefix: string;
  allowlist: string;
  onAllowlist: (text: string) => void;
  allowlistError?: unknown;
  metadata: string;
  onMetadata: (text: string) => void;
  metadataError?: unknown;
  readOnly?: boolean;
}

/** The allow-list (one address or CIDR per line) and metadata (a JSON object) textareas, each with its error. */
export function KeyAccessFields(props: Props) {
  const { idPrefix, readOnly } = props;
  return (
    <>
      <AllowlistField
        id={`${idPrefix}-allowlist`}
        value={props.allowlist}
        onChange={props.onAllowlist}
        error={props.allowlistError}
        readOnly={readOnly}
      />
      <MetadataField id={`${idPrefix}-metadata`} value={props.metadata} onChange={props.onMetadata} error={props.metadataError} readOnly={readOnly} />
    </>
  );
}

interface FieldProps {
  id: string;
  value: string;
  onChange: (text: string) => void;
  error?: unknown;
  readOnly?: boolean;
}

export function AllowlistField({ id, value, onChange, error, readOnly }: FieldProps) {
  return (
    <div className="field">
      <label htmlFor={id}>IP allow-list</label>
      <p className="hint" id={`${id}-hint`}>
        One IPv4 or IPv6 address or CIDR range per line (e.g. <code>203.0.113.7</code>, <code>10.0.0.0/8</code>,{' '}
        <code>2001:db8::/32</code>), at most 100. Empty: any address. Requests from elsewhere get 403.
      </p>
      <textarea
        id={id}
        className="code-input"
        rows={4}
        spellCheck={false}
        autoCapitalize="off"
        autoComplete="off"
        readOnly={readOnly}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-hint ${id}-error` : `${id}-hint`}
      />
      <FieldError id={`${id}-error`} error={error} />
    </div>
  );
}

export function MetadataField({ id, value, onChange, error, readOnly }: FieldProps) {
  return (
    <div className="field">
      <label htmlFor={id}>Metadata (JSON object)</label>
      <p className="hint" id={`${id}-hint`}>
        Handed to the code that checks the key, e.g. <code>{'{"team": "billing", "tier": 2}'}</code>; at most 4 KB.
        Empty: none.
      </p>
      <textarea
        id={id}
        className="code-input"
        rows={5}
        spellCheck={false}
        autoCapitalize="off"
        autoComplete="off"
        readOnly={readOnly}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-hint ${id}-error` : `${id}-hint`}
      />
      <FieldError id={`${id}-error`} error={error} />
    </div>
  );
}
