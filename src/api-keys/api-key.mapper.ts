import { ApiKey } from './api-key.entity';
import type { RotatedKey } from './issued-key';
import { ApiKeyResponse, CreatedApiKeyResponse, KeyStatus, RotatedApiKeyResponse } from './dto/api-key.response';

const iso = (date: Date | null) => (date ? date.toISOString() : null);

/** `expired` is derived: a stored `active` key whose expires_at has passed. */
export function statusOf(key: Pick<ApiKey, 'status' | 'expiresAt'>, now = Date.now()): KeyStatus {
  if (key.status === 'revoked') return 'revoked';
  return key.expiresAt && key.expiresAt.getTime() <= now ? 'expired' : 'active';
}

/** The one place a key record becomes a response; key_hash has no way out. */
export function toApiKeyResponse(key: ApiKey): ApiKeyResponse {
  return {
    id: key.id,
    name: key.name,
    key_prefix: key.keyPrefix,
    scopes: key.scopes,
    rate_limit: key.rateLimit,
    expires_at: iso(key.expiresAt),
    last_used_at: iso(key.lastUsedAt),
    status: statusOf(key),
    created_by: key.createdBy,
    created_at: key.createdAt.toISOString(),
    revoked_at: iso(key.revokedAt),
    ...editableFields(key),
  };
}

export function toCreatedApiKeyResponse(key: ApiKey, plainKey: string): CreatedApiKeyResponse {
  return {
    id: key.id,
    name: key.name,
    key: plainKey,
    key_prefix: key.keyPrefix,
    scopes: key.scopes,
    rate_limit: key.rateLimit,
    expires_at: iso(key.expiresAt),
    created_at: key.createdAt.toISOString(),
    ...editableFields(key),
  };
}

function editableFields(key: Pick<ApiKey, 'enabled' | 'ipAllowlist' | 'metadata'>) {
  return { enabled: key.enabled, ip_allowlist: key.ipAllowlist, metadata: key.metadata };
}

export function toRotatedApiKeyResponse(rotated: RotatedKey): RotatedApiKeyResponse {
  return {
    ...toCreatedApiKeyResponse(rotated.record, rotated.plainKey),
    rotated_from: {
      id: rotated.rotatedFrom.id,
      key_prefix: rotated.rotatedFrom.keyPrefix,
      expires_at: rotated.rotatedFrom.expiresAt.toISOString(),
    },
  };
}
