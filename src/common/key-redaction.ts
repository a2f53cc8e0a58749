/** Anything shaped like an API key (or the start of one), wherever it appears in a text. */
const KEY_LIKE = /sk_live_[A-Za-z0-9_]*/g;

export const REDACTED_KEY = 'sk_live_[REDACTED]';

/** The text with every key-shaped run replaced, for logs and stored free text (user agents, URLs). */
export function redactKeys(text: string): string {
  return text.replace(KEY_LIKE, REDACTED_KEY);
}
