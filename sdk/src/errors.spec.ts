import { KaizenApiError } from './errors';

const response = (status: number, headers: Record<string, string> = {}, statusText = '') =>
  new Response(null, { status, statusText, headers });

describe('KaizenApiError.fromResponse', () => {
  it("takes status, error and message from the server's error body and the request id from its header", () => {
    const body = { statusCode: 403, error: 'Forbidden', message: 'missing scope agents:write' };
    const err = KaizenApiError.fromResponse(response(403, { 'X-Request-Id': 'req-1' }), body);
    expect(err).toBeInstanceOf(Error);
    expect(err).toMatchObject({ name: 'KaizenApiError', status: 403, error: 'Forbidden', requestId: 'req-1', body });
    expect(err.message).toBe('missing scope agents:write');
    expect(err.retryAfter).toBeUndefined();
    expect(err.rateLimit).toBeUndefined();
  });

  it('reads Retry-After in seconds and X-RateLimit-* on a 429', () => {
    const headers = { 'Retry-After': '42', 'X-RateLimit-Limit': '1', 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': '42' };
    const err = KaizenApiError.fromResponse(response(429, headers), { statusCode: 429, error: 'Too Many Requests', message: 'slow down' });
    expect(err).toMatchObject({ status: 429, retryAfter: 42, rateLimit: { limit: 1, remaining: 0, reset: 42 } });
  });

  it('reads a Retry-After given as an HTTP date', () => {
    const at = new Date(Date.now() + 30_000).toUTCString();
    const { retryAfter } = KaizenApiError.fromResponse(response(429, { 'Retry-After': at }), undefined);
    expect(retryAfter).toBeGreaterThanOrEqual(29);
    expect(retryAfter).toBeLessThanOrEqual(31);
  });

  it('falls back to the status text, or a text body, when the body is not the server error shape', () => {
    expect(KaizenApiError.fromResponse(response(502, {}, 'Bad Gateway'), undefined)).toMatchObject({
      status: 502,
      error: 'Bad Gateway',
      message: '502 Bad Gateway',
    });
    expect(KaizenApiError.fromResponse(response(503, {}, 'Service Unavailable'), 'upstream down').message).toBe('upstream down');
  });
});
