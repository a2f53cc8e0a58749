// Text forms of a key's allow-list and metadata, as the person types them, checked before anything is sent.

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

/** The API's limit on a key's metadata, serialized. */
export const METADATA_MAX_BYTES = 4096;
/** The API's limit on a key's allow-list. */
export const ALLOWLIST_MAX_ENTRIES = 100;

/** One address or CIDR per line; blank lines and surrounding spaces are ignored. Validity is the API's call. */
export function parseAllowlist(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

export function formatAllowlist(list: readonly string[] | null | undefined): string {
  return (list ?? []).join('\n');
}

/**
 * The metadata textarea as the object to send: empty means `{}`; anything but a JSON object, or an object
 * over 4 KB serialized, is refused here with a message saying what is wrong.
 */
export function parseMetadata(text: string): Parsed<Record<string, unknown>> {
  if (text.trim() === '') return { ok: true, value: {} };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, message: `Metadata is not valid JSON: ${(err as Error).message}` };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    const kind = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
    return { ok: false, message: `Metadata must be a JSON object such as {"team": "billing"}, not ${kind}.` };
  }
  const bytes = new TextEncoder().encode(JSON.stringify(value)).length;
  if (bytes > METADATA_MAX_BYTES) {
    return { ok: false, message: `Metadata is ${bytes} bytes serialized; the limit is ${METADATA_MAX_BYTES} bytes (4 KB).` };
  }
  return { ok: true, value: value as Record<string, unknown> };
}

export function formatMetadata(metadata: Record<string, unknown> | null | undefined): string {
  return metadata && Object.keys(metadata).length > 0 ? JSON.stringify(metadata, null, 2) : '';
}
