import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';

export const IS_PUBLIC_KEY = 'kaizen:public';

/**
 * Opens a route to anonymous callers; every other route needs a caller (default deny).
 * `x-public` becomes `security: []` in the OpenAPI document (see setupSwagger), so Swagger UI
 * sends no credentials.
 */
export const Public = () => applyDecorators(SetMetadata(IS_PUBLIC_KEY, true), ApiExtension('x-public', true));
