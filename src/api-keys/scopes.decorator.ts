import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiExtension, ApiSecurity } from '@nestjs/swagger';
import { ApiError } from '../common/api-errors.decorator';
import { Scope, SCOPES_KEY } from '../auth/scopes';


const RATE_LIMIT_HEADERS = {
  'Retry-After': { description: 'Seconds until a request may succeed again', schema: { type: 'integer' as const } },
  'X-RateLimit-Limit': { description: "The key's rate_limit (requests per minute)", schema: { type: 'integer' as const } },
  'X-RateLimit-Remaining': { description: 'Requests left in this window', schema: { type: 'integer' as const } },
  'X-RateLimit-Reset': { description: 'Seconds until the window resets', schema: { type: 'integer' as const } },
};

/**
 * Requires every listed scope of the caller (user or API key), and documents it in OpenAPI,
 * from the same metadata, so enforcement and documentation cannot drift apart: the scopes go
 * to `x-required-scopes`, which setupSwagger also turns into a sentence of the description.
 */
export const Scopes = (...scopes: Scope[]) =>
  applyDecorators(
    SetMetadata(SCOPES_KEY, scopes),
    ApiBearerAuth(),
    ApiSecurity('api-key'),
    ApiExtension('x-required-scopes', scopes),
    ApiError(401, { message: 'Authentication required: send Authorization: Bearer <token> or X-API-Key' }),
    ApiError(403, {
      description: `The caller lacks scope ${scopes.map((s) => `\`${s}\``).join(' or ')}`,
      message: `Missing scope '${scopes[0]}'`,
    }),
    ApiError(429, {
      description: "The API key's rate limit is used up, or this address sent too many invalid keys",
      message: 'Rate limit of 100 requests per minute exceeded for this API key; retry in 42 seconds',
      headers: RATE_LIMIT_HEADERS,
    }),
  );
