import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiExtension, ApiSecurity } from '@nestjs/swagger';
import { ApiError } from '../common/api-errors.decorator';
import { Scope, SCOPES_KEY } from '../auth/scopes';

/**
 * Requires every listed scope of the caller (user or API key), and documents it in OpenAPI,
 * from the same metadata, so enforcement and documentation cannot drift apart: the scopes go
 * to `x-required-scopes`, which setupSwagger also turns into a sentence of the description.
 * The answers every protected route shares (400 one credential, 429, 503) and the X-RateLimit-*
 * headers are added by the document builder (src/openapi/), not here.
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
  );
