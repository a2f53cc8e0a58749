import { parseList, Item } from 'structured-headers';
import type { Response } from 'supertest';
import { createKey, registerOrg } from './helpers/fixtures';
import { startTestApp, TestApp } from './helpers/test-app';

/** The IETF fields as a client reads them: one Structured Field List item each, parsed by `structured-headers`. */
function ietf(res: Response) {
  const [policy, ...otherPolicies] = parseList(res.headers['ratelimit-policy']);
  const [state, ...otherStates] = parseList(res.headers['ratelimit']);
  expect(otherPolicies).toEqual([]);
  expect(otherStates).toEqual([]);
  const [policyName, policyParams] = policy as Item;
  const [stateName, stateParams] = state as Item;
  return {
    policy: { name: policyName, q: policyParams.get('q'), w: policyParams.get('w'), params: [...policyParams.keys()] },
    state: { name: stateName, r: stateParams.get('r'), t: stateParams.get('t'), params: [...stateParams.keys()] },
  };
}

/** The X-RateLimit-* trio, as numbers. */
const legacy = (res: Response) => ({
  limit: Number(res.headers['x-ratelimit-limit']),
  remaining: Number(res.headers['x-ratelimit-remaining']),
  reset: Number(res.headers['x-ratelimit-reset']),
});

describe('IETF RateLimit and RateLimit-Policy headers (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('parse as Structured Field Lists and say what X-RateLimit-* say, on 200, 403 and 429', async () => {
    const owner = await registerOrg(t);
    const key = await createKey(t, owner, { rate_limit: 3, scopes: ['agents:read'] });
    const served = await t.api().get('/api/v1/agents').set('X-API-Key', key.key).expect(200);
    const forbidden = await t.api().post('/api/v1/agents').set('X-API-Key', key.key).send({ name: 'a' }).expect(403);
    await t.api().get('/api/v1/agents').set('X-API-Key', key.key).expect(200);
    const limited = await t.api().get('/api/v1/agents').set('X-API-Key', key.key).expect(429);

    const seen = [served, forbidden, limited].map((res) => ({ status: res.status, legacy: legacy(res), ...ietf(res) }));
    expect(seen.map(({ status, legacy }) => [status, legacy.limit, legacy.remaining])).toEqual([
      [200, 3, 2],
      [403, 3, 1],
      [429, 3, 0],
    ]);
    for (const { legacy, policy, state } of seen) {
      expect(policy).toEqual({ name: 'default', q: legacy.limit, w: 60, params: ['q', 'w'] });
      expect(state).toEqual({ name: 'default', r: legacy.remaining, t: legacy.reset, params: ['r', 't'] });
      expect(legacy.reset).toBeGreaterThan(0);
      expect(legacy.reset).toBeLessThanOrEqual(60);
    }
    // On 429 the reset agrees with Retry-After, as the draft asks.
    expect(Number(limited.headers['retry-after'])).toBe(seen[2].state.t);
    expect(limited.headers['ratelimit']).toMatch(/^"default";r=0;t=\d+$/);
    expect(served.headers['ratelimit-policy']).toBe('"default";q=3;w=60');
  });

  it('are not sent to users, nor on a refused key', async () => {
    const owner = await registerOrg(t);
    const user = await t.api().get('/api/v1/agents').set('Authorization', `Bearer ${owner.token}`).expect(200);
    const refused = await t.api().get('/api/v1/agents').set('X-API-Key', 'sk_live_zzzzzzzz_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA').expect(401);
    for (const res of [user, refused]) {
      expect(res.headers['ratelimit']).toBeUndefined();
      expect(res.headers['ratelimit-policy']).toBeUndefined();
      expect(res.headers['x-ratelimit-limit']).toBeUndefined();
    }
  });
});
