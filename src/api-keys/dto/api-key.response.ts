import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ALL_SCOPES, Scope, SCOPE_DESCRIPTIONS } from '../../auth/scopes';
import { KEY_PATTERN } from '../verification/key-format';

/** The documented shapes of a key and of its public prefix, from the pattern the verifier checks. */
const KEY = { type: String, pattern: KEY_PATTERN.source };
const KEY_PREFIX = { type: String, pattern: '^sk_live_[a-z0-9]{8}$', example: 'sk_live_a1b2c3d4' };

export type KeyStatus = 'active' | 'expired' | 'revoked';

/** POST /api-keys: the spec's create response, the only place the plain key ever appears. */
export class CreatedApiKeyResponse {
  @ApiProperty({ format: 'uuid', example: '3f0e8d4c-9a1b-4c2d-8e7f-5a6b7c8d9e0f' }) id: string;
  @ApiProperty({ example: 'CI/CD Pipeline' }) name: string;
  @ApiProperty({
    ...KEY,
    example: 'sk_live_a1b2c3d4_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
    description: 'The plain key. Shown only in this response: store it now, it cannot be retrieved again.',
  })
  key: string;
  @ApiProperty(KEY_PREFIX) key_prefix: string;
  @ApiProperty({ example: ['agents:read', 'deployments:write'], enum: ALL_SCOPES, isArray: true }) scopes: Scope[];
  @ApiProperty({ type: 'integer', example: 100, description: 'requests per minute' }) rate_limit: number;
  @ApiProperty({ example: '2030-12-31T23:59:59.000Z', nullable: true, type: String, format: 'date-time' })
  expires_at: string | null;
  @ApiProperty({ example: '2024-01-15T10:00:00.000Z', format: 'date-time' }) created_at: string;
  @ApiProperty({ example: true, description: 'false: refused with 401 "API key is disabled" until enabled again' }) enabled: boolean;
  @ApiProperty({
    type: String,
    isArray: true,
    example: ['203.0.113.7', '10.0.0.0/8'],
    description: 'canonical addresses and CIDRs the key may be used from; [] means any address',
  })
  ip_allowlist: string[];
  @ApiProperty({ type: 'object', additionalProperties: true, example: { team: 'payments' }, description: 'the key\'s metadata, as set at creation or by PATCH' })
  metadata: Record<string, unknown>;
}

export class RotatedFromResponse {
  @ApiProperty({ format: 'uuid', example: '3f0e8d4c-9a1b-4c2d-8e7f-5a6b7c8d9e0f' }) id: string;
  @ApiProperty(KEY_PREFIX) key_prefix: string;
  @ApiProperty({ example: '2024-01-16T10:00:00.000Z', format: 'date-time', description: 'the old key works until then, and no longer' })
  expires_at: string;
}

/** POST /api-keys/{id}/rotate: the new key, shown once, and the old key's new expiry. */
export class RotatedApiKeyResponse extends CreatedApiKeyResponse {
  @ApiProperty({ type: RotatedFromResponse }) rotated_from: RotatedFromResponse;
}

/** A key as listed and read back: never the key itself, never its hash. */
export class ApiKeyResponse {
  @ApiProperty({ format: 'uuid', example: '3f0e8d4c-9a1b-4c2d-8e7f-5a6b7c8d9e0f' }) id: string;
  @ApiProperty({ example: 'CI/CD Pipeline' }) name: string;
  @ApiProperty(KEY_PREFIX) key_prefix: string;
  @ApiProperty({ example: ['agents:read', 'deployments:write'], enum: ALL_SCOPES, isArray: true }) scopes: Scope[];
  @ApiProperty({ type: 'integer', example: 100 }) rate_limit: number;
  @ApiProperty({ nullable: true, type: String, format: 'date-time', example: '2030-12-31T23:59:59.000Z' })
  expires_at: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    format: 'date-time',
    example: '2024-01-15T10:05:00.000Z',
    description: 'may lag actual use by a few seconds',
  })
  last_used_at: string | null;
  @ApiProperty({ enum: ['active', 'expired', 'revoked'], example: 'active' }) status: KeyStatus;
  @ApiProperty({ format: 'uuid', example: '9b2f7c1e-4d3a-4f5b-8c6d-7e8f9a0b1c2d', description: 'the user who created the key' })
  created_by: string;
  @ApiProperty({ format: 'date-time', example: '2024-01-15T10:00:00.000Z' }) created_at: string;
  @ApiPropertyOptional({ nullable: true, type: String, format: 'date-time', example: null }) revoked_at: string | null;
  @ApiProperty({ example: true, description: 'false: refused with 401 "API key is disabled" until enabled again' }) enabled: boolean;
  @ApiProperty({
    type: String,
    isArray: true,
    example: ['203.0.113.7', '10.0.0.0/8'],
    description: 'canonical addresses and CIDRs the key may be used from; [] means any address',
  })
  ip_allowlist: string[];
  @ApiProperty({ type: 'object', additionalProperties: true, example: { team: 'payments' }, description: 'the key\'s metadata, as set at creation or by PATCH' })
  metadata: Record<string, unknown>;
}

export class ApiKeyPageResponse {
  @ApiProperty({ type: [ApiKeyResponse] }) data: ApiKeyResponse[];
  @ApiProperty({ type: String, nullable: true }) next_cursor: string | null;
}

export class ScopeResponse {
  @ApiProperty({ enum: ALL_SCOPES, example: 'agents:read' }) scope: Scope;
  @ApiProperty({ example: SCOPE_DESCRIPTIONS['agents:read'] }) description: string;
}

export class ScopeListResponse {
  @ApiProperty({ type: [ScopeResponse] }) data: ScopeResponse[];
}

/** GET /api-keys/{id}/usage: the key's current rate-limit window. */
export class KeyUsageResponse {
  @ApiProperty({ format: 'uuid', example: '3f0e8d4c-9a1b-4c2d-8e7f-5a6b7c8d9e0f' }) key_id: string;
  @ApiProperty({ example: '2024-01-15T10:00:00.000Z', format: 'date-time' }) window_start: string;
  @ApiProperty({ type: 'integer', example: 45, description: 'requests in this window, refused ones included' }) request_count: number;
  @ApiProperty({ type: 'integer', example: 100 }) rate_limit: number;
  @ApiProperty({ type: 'integer', example: 55 }) remaining: number;
  @ApiProperty({ example: '2024-01-15T10:01:00.000Z', format: 'date-time' }) reset_at: string;
}

/**
 * Requests made with a key, by what their response was. request_count is their sum: the same
 * requests the rate-limit window of /usage counts, so the two agree.
 */
export class UsageCountsResponse {
  @ApiProperty({ type: 'integer', minimum: 0, example: 50, description: 'every request made with the key: the sum of the counts below' }) request_count: number;
  @ApiProperty({ example: 45, description: 'answered 2xx or 3xx' }) served_count: number;
  @ApiProperty({ example: 2, description: "refused by the key's rate limit (429)" }) refused_count: number;
  @ApiProperty({ example: 1, description: 'denied after the key was verified (401/403: a missing scope, an address not allowed)' }) denied_count: number;
  @ApiProperty({ example: 0, description: 'failed on the service side (5xx)' }) failed_count: number;
  @ApiProperty({ example: 2, description: 'rejected as invalid (another 4xx: bad input, not found, conflict)' }) rejected_count: number;
}

export class UsageBucketResponse extends UsageCountsResponse {
  @ApiProperty({ example: '2024-01-15T10:00:00.000Z', format: 'date-time' }) bucket_start: string;
}

export class UsageHistoryResponse {
  @ApiProperty({ type: [UsageBucketResponse], description: 'oldest first; buckets without requests are omitted' })
  data: UsageBucketResponse[];
}
