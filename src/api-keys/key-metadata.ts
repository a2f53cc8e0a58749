/** A key's metadata is a JSON object of at most this many bytes, serialized as UTF-8. */
export const MAX_METADATA_BYTES = 4096;

/** Why `value` cannot be a key's metadata, or null when it can. */
export function metadataProblem(value: unknown): string | null {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'metadata must be a JSON object';
  const bytes = Buffer.byteLength(JSON.stringify(value), 'utf8');
  if (bytes > MAX_METADATA_BYTES) {
    return `metadata must be at most ${MAX_METADATA_BYTES} bytes as JSON (UTF-8); it is ${bytes}`;
  }
  return null;
}

/**
 * A read-only copy for the principal: one object is shared by every request the key makes in this
 * process, so a route that changed it would change it for the next request.
 */
export function frozenMetadata(value: unknown): Readonly<Record<string, unknown>> {
  return deepFreeze(structuredClone(value ?? {})) as Readonly<Record<string, unknown>>;
}

function deepFreeze(value: unknown): unknown {
  if (value && typeof value === 'object') {
    for (const item of Object.values(value)) deepFreeze(item);
    Object.freeze(value);
  }
  return value;
}
