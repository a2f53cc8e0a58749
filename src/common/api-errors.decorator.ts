import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { STATUS_CODES } from 'node:http';
import { ErrorResponse } from './error-response';

export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 429 | 503;

export interface ApiErrorOptions {
  description?: string;
  /** The example's message; defaults to the description. */
  message?: string;
  headers?: Record<string, { description: string; schema: { type: 'integer' | 'string' } }>;
}

export const DEFAULT_DESCRIPTIONS: Record<ErrorStatus, string> = {
  400: 'The request is invalid; the message names the field',
  401: 'Missing, malformed, unknown, expired or revoked credentials, or a disabled API key',
  403: 'The caller may not do this',
  404: "Not found in the caller's organization",
  409: 'Conflicts with the current state',
  413: 'Request body is larger than 100 kB',
  415: 'Unsupported request body encoding or charset',
  429: 'Too many requests; retry after Retry-After seconds',
  503: 'Too busy to answer now; retry after Retry-After seconds',
};

/** One error response: the `ErrorResponse` schema, with an example of this status. */
export function ApiError(status: ErrorStatus, options: ApiErrorOptions = {}) {
  const description = options.description ?? DEFAULT_DESCRIPTIONS[status];
  return ApiResponse({
    status,
    description,
    type: ErrorResponse,
    example: { statusCode: status, error: STATUS_CODES[status], message: options.message ?? description },
    ...(options.headers ? { headers: options.headers } : {}),
  });
}

/**
 * Several error responses in one line: a status alone takes the default description,
 * an object maps statuses to this route's descriptions. `@ApiErrors(401, { 404: 'No agent with this id' })`
 */
export function ApiErrors(...errors: Array<ErrorStatus | Partial<Record<ErrorStatus, string>>>) {
  const entries = errors.flatMap((error): Array<[ErrorStatus, string | undefined]> =>
    typeof error === 'number'
      ? [[error, undefined]]
      : (Object.entries(error) as Array<[string, string]>).map(([status, text]) => [Number(status) as ErrorStatus, text]),
  );
  return applyDecorators(...entries.map(([status, description]) => ApiError(status, { description })));
}
