import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiExtension, ApiForbiddenResponse, ApiSecurity, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { Scope } from './scopes';

export const SCOPES_KEY = 'kaizen:scopes';

/**
 * Requires every listed scope of the caller (user or API key), and documents it in OpenAPI,
 * from the same metadata, so enforcement and documentation cannot drift apart.
 */
export const Scopes = (...scopes: Scope[]) =>
  applyDecorators(
    SetMetadata(SCOPES_KEY, scopes),
    ApiBearerAuth(),
    ApiSecurity('api-key'),
    ApiExtension('x-required-scopes', scopes),
    ApiUnauthorizedResponse({ description: 'Missing, malformed, unknown, expired or revoked credentials' }),
    ApiForbiddenResponse({ description: `Requires scope${scopes.length > 1 ? 's' : ''}: ${scopes.join(', ')}` }),
  );
