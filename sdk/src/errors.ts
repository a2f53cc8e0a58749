import type { components } from '../generated/schema';

/** The server's error body: `{ statusCode, error, message }`. */
export type ErrorBody = components['schemas']['ErrorResponse'];

/** Where a key stands in its per-minute window, from the `X-RateLimit-*` headers. */
export interface RateLimitInfo {
  /** Requests allowed per window (the key's `rate_limit`). */
  limit?: number;
  /** Requests left in the current window. */
  remaining?: number;
  /** Seconds until the window resets. */
  reset?: number;
}

/** Thrown for every non-2xx response; network failures are not wrapped and reach the caller as they are (a timeout is a `KaizenTimeoutError`). */
export class KaizenApiError extends Error {
  override readonly name = 'KaizenApiError';

  constructor(
    /** HTTP status, e.g. 403. */
    readonly status: number,
    /** The status's name, e.g. "Forbidden". */
    readonly error: string,
    message: string,
    /** The server's `X-Request-Id`, to quote when reporting a problem. */
    readonly requestId?: string,
    /** Seconds to wait before retrying (from `Retry-After`, sent with 429). */
    readonly retryAfter?: number,
    /** The key's rate-limit window, when the response carries `X-RateLimit-*`. */
    readonly rateLimit?: RateLimitInfo,
    /** The response body as received. */
    readonly body?: unknown,
  ) {
    super(message);
  }

  /** Builds the error from a failed response and its parsed body (openapi-fetch's `error`). */
  static fromResponse(response: Response, body: unknown): KaizenApiError {
    const fields = (typeof body === 'object' && body !== null ? body : {}) as Partial<ErrorBody>;
    const error = typeof fields.error === 'string' ? fields.error : response.statusText || 'Error';
    const message =
      typeof fields.message === 'string'
        ? fields.message
        : typeof body === 'string' && body !== ''
          ? body
          : `${response.status} ${error}`;
    const headers = response.headers;
    return new KaizenApiError(
      response.status,
      error,
      message,
      headers.get('x-request-id') ?? undefined,
      retryAfterSeconds(headers.get('retry-after')),
      rateLimitOf(headers),
      body,
    );
  }
}

/** `Retry-After` is either delay-seconds or an HTTP date. */
function retryAfterSeconds(value: string | null): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

function rateLimitOf(headers: Headers): RateLimitInfo | undefined {
  const read = (name: string) => {
    const value = Number(headers.get(`x-ratelimit-${name}`) || Number.NaN);
    return Number.isNaN(value) ? undefined : value;
  };
  const info: RateLimitInfo = { limit: read('limit'), remaining: read('remaining'), reset: read('reset') };
  return Object.values(info).some((value) => value !== undefined) ? info : undefined;
}

/** Thrown when an attempt outlasts the client's (or the call's) `timeout`; the request may have reached the server. */
export class KaizenTimeoutError extends Error {
  override readonly name = 'KaizenTimeoutError';

  constructor(
    /** The timeout that elapsed, in milliseconds. */
    readonly timeout: number,
    /** Which call timed out, e.g. "GET /api/v1/agents". */
    readonly call: string,
  ) {
    super(`${call} timed out after ${timeout} ms`);
  }
}
