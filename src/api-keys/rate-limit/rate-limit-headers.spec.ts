import { Item, parseList, serializeList } from 'structured-headers';
import { setRateLimitHeaders } from './rate-limit-headers';

function headersFor(state: { limit: number; remaining: number; reset: number }): Record<string, string | number> {
  const headers: Record<string, string | number> = {};
  setRateLimitHeaders({ setHeader: (name: string, value: string | number) => ((headers[name] = value), undefined) } as never, state);
  return headers;
}

describe('setRateLimitHeaders', () => {
  it.each([
    { limit: 100, remaining: 55, reset: 30 },
    { limit: 1, remaining: 0, reset: 60 },
    { limit: 1_000_000, remaining: 999_999, reset: 1 },
  ])('writes the IETF fields exactly as serializeList would, agreeing with X-RateLimit-* (%j)', (state) => {
    const headers = headersFor(state);
    expect(headers).toMatchObject({ 'X-RateLimit-Limit': state.limit, 'X-RateLimit-Remaining': state.remaining, 'X-RateLimit-Reset': state.reset });
    expect(headers['RateLimit-Policy']).toBe(serializeList([['default', new Map([['q', state.limit], ['w', 60]])]]));
    expect(headers['RateLimit']).toBe(serializeList([['default', new Map([['r', state.remaining], ['t', state.reset]])]]));
    const [name, params] = parseList(String(headers['RateLimit']))[0] as Item;
    expect([name, Object.fromEntries(params)]).toEqual(['default', { r: state.remaining, t: state.reset }]);
  });

  it('never reports a negative remaining or reset', () => {
    const headers = headersFor({ limit: 5, remaining: -3, reset: -1 });
    expect(headers).toMatchObject({ 'X-RateLimit-Remaining': 0, 'X-RateLimit-Reset': 0, RateLimit: '"default";r=0;t=0' });
  });
});
