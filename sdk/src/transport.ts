import { KaizenTimeoutError } from './errors';

/** Per-call options, accepted as the last argument of every resource method. */
export interface RequestOptions {
  /**
   * Retries after a 429 or 503. Overrides the client's `maxRetries`; on a POST or PATCH (not idempotent)
   * retries happen only when this is set.
   */
  maxRetries?: number;
  /** Milliseconds each attempt may take, response body included; overrides the client's `timeout`. */
  timeout?: number;
  /** Aborts the call (and any wait before a retry). */
  signal?: AbortSignal;
}

/** The client-wide settings a request is sent with. */
export interface TransportSettings {
  fetch: typeof globalThis.fetch;
  maxRetries: number;
  timeout: number;
  /** Longest `Retry-After` (seconds) worth waiting for; a longer one is thrown at once. */
  maxRetryAfter: number;
}

export const DEFAULT_TIMEOUT_MS = 60_000;
export const DEFAULT_MAX_RETRY_AFTER_S = 60;

// HTTP's idempotent methods: repeating one cannot do twice what the caller asked for once.
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);
// 429: this server throttled the call before running it; 503: it asked the client to come back later.
const RETRYABLE = new Set([429, 503]);

/**
 * A fetch for one call (openapi-fetch's per-request `fetch`) that applies the timeout to each attempt
 * and retries a 429/503 after `Retry-After` (or a short exponential backoff when the header is absent).
 */
export function transportFor(settings: TransportSettings, call: RequestOptions = {}) {
  return async (request: Request): Promise<Response> => {
    const retries = call.maxRetries ?? (IDEMPOTENT.has(request.method) ? settings.maxRetries : 0);
    const timeout = call.timeout ?? settings.timeout;
    for (let attempt = 0; ; attempt++) {
      const response = await attemptOnce(settings.fetch, request.clone(), timeout, call.signal);
      const delay = attempt < retries && RETRYABLE.has(response.status) ? retryDelayMs(response, attempt, settings) : undefined;
      if (delay === undefined) return response;
      await sleep(delay, call.signal);
    }
  };
}

/** One attempt, its body read in full within `timeout` so a stalled body times out too. */
async function attemptOnce(
  fetchImpl: typeof globalThis.fetch,
  request: Request,
  timeout: number,
  signal: AbortSignal | undefined,
): Promise<Response> {
  signal?.throwIfAborted();
  const controller = new AbortController();
  const onAbort = () => controller.abort(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeout);
  try {
    const response = await fetchImpl(new Request(request, { signal: controller.signal }));
    const body = await response.arrayBuffer();
    return new Response(body.byteLength > 0 ? body : null, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  } catch (err) {
    if (timedOut) throw new KaizenTimeoutError(timeout, `${request.method} ${new URL(request.url).pathname}`);
    throw err;
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
}

/** Milliseconds to wait before the next attempt, or undefined when the server asked for too long a wait. */
function retryDelayMs(response: Response, attempt: number, settings: TransportSettings): number | undefined {
  const header = response.headers.get('retry-after');
  if (header !== null && header.trim() !== '') {
    const seconds = Number(header);
    const wait = Number.isFinite(seconds) ? seconds : (Date.parse(header) - Date.now()) / 1000;
    if (Number.isNaN(wait)) return backoffMs(attempt);
    return wait > settings.maxRetryAfter ? undefined : Math.max(0, wait) * 1000;
  }
  return backoffMs(attempt);
}

/** 0.5 s, 1 s, 2 s, ... up to 8 s, less up to a quarter of jitter so clients do not retry in step. */
function backoffMs(attempt: number): number {
  return Math.min(500 * 2 ** attempt, 8_000) * (1 - Math.random() * 0.25);
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    signal?.throwIfAborted();
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
