/**
 * Scrubbing of secrets from free text: log lines (URLs, headers, messages) and stored text (user agents).
 * Every pattern here runs on attacker-chosen text for every request line, so each is written to
 * be linear in the text's length (no pattern can backtrack over a run it already read).
 */

/** One character of `sk_live_`, as itself in any case or percent-encoded (also encoded twice: %2573). */
function letter(ch: string): string {
  const codes = [...new Set([ch.toLowerCase(), ch.toUpperCase()])].map((c) => c.charCodeAt(0).toString(16));
  return `(?:${ch === '_' ? '_' : ch}|%(?:25)*(?:${codes.join('|')}))`;
}

/** `sk_live_` in any case or URL-encoding, and the key characters (or escapes) after it. */
const KEY_LIKE = new RegExp(`${[...'sk_live_'].map(letter).join('')}(?:[A-Za-z0-9_]|%(?:25)*[0-9A-Fa-f]{2})*`, 'gi');

/** `sk` or an escape: what every match of KEY_LIKE starts with. */
const MAY_HOLD_KEY = /sk|%/i;

/**
 * A JWT: base64url JSON header and payload (both start `eyJ`, i.e. `{"`) and a signature. It must
 * start a word (or follow a %XX escape, as in `Bearer%20eyJ...`): that keeps the match linear, since a
 * failed attempt can then only begin once per run of word characters.
 */
const JWT_LIKE = /(?:(?<![\w-])|(?<=%[0-9A-Fa-f]{2}))eyJ[\w-]*\.eyJ[\w-]*\.[\w-]*/g;

/** `name=value` in a query string or free text, for names that say the value is a secret. */
const PARAMETER = /(^|[?&;\s])([^=&;#\s]+)=([^&;#\s]*)/g;
const SECRET_NAME = /pass|pwd|secret|token|key|auth|credential|sig|session|cookie|jwt/i;

/** Headers whose whole value is a credential, whatever it looks like. */
const SECRET_HEADER = /auth|token|key|secret|cookie|session|passw|signature|credential/i;

export const REDACTED = '[REDACTED]';
export const REDACTED_KEY = 'sk_live_[REDACTED]';
export const REDACTED_JWT = '[REDACTED_JWT]';

function decodedName(name: string): string {
  try {
    return decodeURIComponent(name);
  } catch {
    return name;
  }
}

/**
 * The text with every key-shaped run (`sk_live_...` in any case, URL-encoded), every JWT-shaped
 * string and the value of every secret-named parameter (`?password=`, `token=`) replaced.
 */
export function redactSecrets(text: string): string {
  // Each pattern runs only when the text holds what it needs to match (most header values hold none):
  // this runs on every header of every request line.
  let out = MAY_HOLD_KEY.test(text) ? text.replace(KEY_LIKE, REDACTED_KEY) : text;
  if (out.includes('eyJ')) out = out.replace(JWT_LIKE, REDACTED_JWT);
  if (out.includes('=')) {
    out = out.replace(PARAMETER, (whole, before: string, name: string, value: string) =>
      value && SECRET_NAME.test(decodedName(name)) ? `${before}${name}=${REDACTED}` : whole,
    );
  }
  return out;
}

/** The name audit's stored user agents use; the same scrubbing. */
export const redactKeys = redactSecrets;

/** Headers for a log line: credential headers' values replaced whole, every other value scrubbed. */
export function redactHeaders(headers: Record<string, unknown> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (SECRET_HEADER.test(name)) out[name] = REDACTED;
    else if (typeof value === 'string') out[name] = redactSecrets(value);
    else if (Array.isArray(value)) out[name] = value.map((v) => (typeof v === 'string' ? redactSecrets(v) : v));
    else out[name] = value;
  }
  return out;
}
