import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiExtension } from '@nestjs/swagger';
import { ApiError } from '../common/api-errors.decorator';
import { Role, ROLES } from '../organizations/role';

export const USERS_ONLY_KEY = 'kaizen:users-only';

/**
 * A route for signed-in users only (an API key gets 403), optionally limited to some roles.
 * Key management, organization and member routes use it: a key can never manage keys.
 * The allowed roles go to `x-required-roles` (every role when none is named), which setupSwagger
 * turns into a sentence of the description.
 */
export const UsersOnly = (...roles: Role[]) => {
  const refused = ROLES.find((role) => roles.length > 0 && !roles.includes(role));
  return applyDecorators(
    SetMetadata(USERS_ONLY_KEY, roles),
    ApiBearerAuth(),
    ApiExtension('x-required-roles', roles.length ? roles : [...ROLES]),
    ApiError(401, {
      message: 'Authentication required: send Authorization: Bearer <token> or X-API-Key',
    }),
    ApiError(403, {
      description: roles.length
        ? `API keys are refused, and users other than ${roles.join(' or ')}`
        : 'API keys are refused',
      message: refused
        ? `Requires role ${roles.join(' or ')}; you are ${refused}`
        : 'API keys cannot call this route; it is for signed-in users',
    }),
  );
};
