import type { ApiKey } from './api-key.entity';

/** A key just issued: the plain key exists only here, on its way to the one response that shows it. */
export interface IssuedKey {
  record: ApiKey;
  plainKey: string;
}

/** A rotation's result: the successor, and until when the key it replaces keeps working. */
export interface RotatedKey extends IssuedKey {
  rotatedFrom: { id: string; keyPrefix: string; expiresAt: Date };
}
