import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { Role } from '../organizations/role';

export const USERS_ONLY_KEY = 'kaizen:users-only';

/**
 * A route for signed-in users only (an API key gets 403), optionally limited to some roles.
 * Key management, organization and member routes use it: a key can never manage keys.
 */
export const UsersOnly = (...roles: Role[]) =>
  applyDecorators(
    SetMetadata(USERS_ONLY_KEY, roles),
    ApiBearerAuth(),
    ApiUnauthorizedResponse({ description: 'Missing or invalid access token' }),
    ApiForbiddenResponse({
      description: roles.length ? `Users with role ${roles.join(' or ')} only` : 'Users only; API keys are refused',
    }),
  );
