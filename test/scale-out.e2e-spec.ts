import { BcryptScheduler } from '../src/bcrypt/bcrypt-scheduler';
import { KeyVerifier } from '../src/api-keys/verification/key-verifier';
import { REFUSAL_DELAY_MS } from '../src/api-keys/verification/key-failures';
import { bearer, createKey, forgeKey, registerOrg } from './helpers/fixtures';
import { eventually, withEnv } from './helpers/env';
import { startTestApp, TestApp } from './helpers/test-app';

// Two instances need one database and one Redis: the PostgreSQL + Redis run of .ci/run has both.
const shared = Boolean(process.env.DATABASE_URL && process.env.REDIS_URL);
const describeShared = shared ? describe : describe.skip;

describeShared('two instances sharing PostgreSQL and Redis (e2e)', () => {
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    // One cluster: both count and verify in the same Redis keys.
    const cluster = { redisNamespace: `${process.env.REDIS_NAMESPACE}-cluster` };
    a = await startTestApp(cluster);
    b = await startTestApp(cluster);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  it('admits exactly rate_limit requests in total across both instances', async () => {
    const owner = await registerOrg(a);
    const key = await createKey(a, owner, { rate_limit: 100, scopes: ['agents:read'] });
    const statuses: number[] = [];
    // 300 requests, 20 at a time, alternating instances.
    for (let batch = 0; batch < 15; batch++) {
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          (i % 2 === 0 ? a : b).api().get('/api/v1/agents').set('X-API-Key', key.key),
        ),
      );
      statuses.push(...results.map((r) => r.status));
    }
    expect(statuses.filter((s) => s === 200)).toHaveLength(100);
    expect(statuses.filter((s) => s === 429)).toHaveLength(200);
    const usage = await b.api().get(`/api/v1/api-keys/${key.id}/usage`).set(bearer(owner.token)).expect(200);
    expect(usage.body).toMatchObject({ request_count: 300, remaining: 0, rate_limit: 100 });
  });

  it('refuses on instance B, within a second, a key revoked through instance A', async () => {
    const owner = await registerOrg(a);
    const key = await createKey(a, owner);
    // Both instances have verified (and cached) the key.
    await a.api().get('/api/v1/agents').set('X-API-Key', key.key).expect(200);
    await b.api().get('/api/v1/agents').set('X-API-Key', key.key).expect(200);
    await a.api().delete(`/api/v1/api-keys/${key.id}`).set(bearer(owner.token)).expect(204);
    const refused = await eventually(
      async () => (await b.api().get('/api/v1/agents').set('X-API-Key', key.key)).status === 401,
      1000,
    );
    expect(refused).toBe(true);
  });

  it('lets a key created on A work on B at once', async () => {
    const owner = await registerOrg(a);
    const key = await createKey(a, owner);
    await b.api().get('/api/v1/agents').set('X-API-Key', key.key).expect(200);
  });
});

describe('verified-key cache (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('knows a key it issued without bcrypt, and verifies one it has not seen with bcrypt at most once', async () => {
    const owner = await registerOrg(t);
    const key = await createKey(t, owner);
    const compare = jest.spyOn(t.app.get(BcryptScheduler), 'compare');
    for (let i = 0; i < 5; i++) await t.api().get('/api/v1/agents').set('X-API-Key', key.key).expect(200);
    expect(compare).not.toHaveBeenCalled();
    // As if another process had issued it: with Redis its verifier vouches for it, without Redis one compare.
    t.app.get(KeyVerifier).forget(key.key_prefix);
    for (let i = 0; i < 5; i++) await t.api().get('/api/v1/agents').set('X-API-Key', key.key).expect(200);
    expect(compare).toHaveBeenCalledTimes(process.env.REDIS_URL ? 0 : 1);
    compare.mockRestore();
  });

  it('still refuses a cached key once revoked, and once expired', async () => {
    const owner = await registerOrg(t);
    const revoked = await createKey(t, owner);
    const expiring = await createKey(t, owner, { expires_at: new Date(Date.now() + 1500).toISOString() });
    await t.api().get('/api/v1/agents').set('X-API-Key', revoked.key).expect(200);
    await t.api().get('/api/v1/agents').set('X-API-Key', expiring.key).expect(200);
    await t.api().delete(`/api/v1/api-keys/${revoked.id}`).set(bearer(owner.token)).expect(204);
    const r = await t.api().get('/api/v1/agents').set('X-API-Key', revoked.key).expect(401);
    expect(r.body.message).toContain('revoked');
    await new Promise((resolve) => setTimeout(resolve, 1600));
    const e = await t.api().get('/api/v1/agents').set('X-API-Key', expiring.key).expect(401);
    expect(e.body.message).toContain('expired');
  });

  it('does not accept a wrong secret for a cached prefix', async () => {
    const owner = await registerOrg(t);
    const key = await createKey(t, owner);
    await t.api().get('/api/v1/agents').set('X-API-Key', key.key).expect(200);
    const wrong = forgeKey(key.key_prefix, 'Z');
    await t.api().get('/api/v1/agents').set('X-API-Key', wrong).expect(401);
  });
});

describe('failed key checks per client address (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await withEnv({ TRUST_PROXY: 'loopback', KEY_FAILURES_PER_MINUTE: '30' }, () => startTestApp());
  });
  afterAll(() => t.close());

  const from = (ip: string) => ({ 'X-Forwarded-For': ip });

  it('answers 401 for 30 failures, then 429 without a lookup, while verified keys keep working', async () => {
    const owner = await registerOrg(t);
    const good = await createKey(t, owner);
    await t.api().get('/api/v1/agents').set(from('203.0.113.9')).set('X-API-Key', good.key).expect(200);
    const wrongSecret = forgeKey(good.key_prefix, 'Q', 'Q');
    const attempts = ['sk_live_bad', forgeKey('sk_live_zzzzzzzz', 'A', 'A'), wrongSecret];
    for (let i = 0; i < 30; i++) {
      await t.api().get('/api/v1/agents').set(from('203.0.113.9')).set('X-API-Key', attempts[i % 3]).expect(401);
    }
    const run = jest.spyOn(t.app.get(BcryptScheduler), 'compare');
    for (const attempt of attempts) {
      const asked = Date.now();
      const res = await t.api().get('/api/v1/agents').set(from('203.0.113.9')).set('X-API-Key', attempt).expect(429);
      // Held back before it is answered (a deliberate pause, so only a lower bound is checked).
      expect(Date.now() - asked).toBeGreaterThanOrEqual(REFUSAL_DELAY_MS - 20);
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      expect(res.body.message).toContain('Too many failed API key checks');
    }
    expect(run).not.toHaveBeenCalled();
    run.mockRestore();
    // The key this process already verified still works from the blocked address...
    await t.api().get('/api/v1/agents').set(from('203.0.113.9')).set('X-API-Key', good.key).expect(200);
    // ...and other addresses are unaffected.
    await t.api().get('/api/v1/agents').set(from('198.51.100.4')).set('X-API-Key', 'sk_live_bad').expect(401);
  });

  it('does not count uses of a revoked key as failures', async () => {
    const owner = await registerOrg(t);
    const key = await createKey(t, owner);
    await t.api().delete(`/api/v1/api-keys/${key.id}`).set(bearer(owner.token)).expect(204);
    for (let i = 0; i < 40; i++) {
      await t.api().get('/api/v1/agents').set(from('192.0.2.77')).set('X-API-Key', key.key).expect(401);
    }
    await t.api().get('/api/v1/agents').set(from('192.0.2.77')).set('X-API-Key', 'sk_live_bad').expect(401);
  });

  it('ignores X-Forwarded-For from an untrusted address', async () => {
    const direct = await withEnv({ TRUST_PROXY: undefined, KEY_FAILURES_PER_MINUTE: '30' }, () => startTestApp());
    try {
      for (let i = 0; i < 30; i++) {
        await direct.api().get('/api/v1/agents').set(from(`10.9.9.${i}`)).set('X-API-Key', 'sk_live_bad').expect(401);
      }
      // Rotating the header does not help: the socket address is what counts.
      await direct.api().get('/api/v1/agents').set(from('10.9.9.200')).set('X-API-Key', 'sk_live_bad').expect(429);
    } finally {
      await direct.close();
    }
  });
});

describe('concurrent wrong secrets from one address (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await withEnv({ KEY_FAILURES_PER_MINUTE: '20' }, () => startTestApp());
  });
  afterAll(() => t.close());

  it('runs no more bcrypt compares than the address may fail, however many arrive at once', async () => {
    const owner = await registerOrg(t);
    const key = await createKey(t, owner);
    await t.api().get('/api/v1/agents').set('X-API-Key', key.key).expect(200);
    const run = jest.spyOn(t.app.get(BcryptScheduler), 'compare');
    const guesses = Array.from({ length: 60 }, (_, i) => forgeKey(key.key_prefix, String(i), 'x'));
    const statuses = (await Promise.all(guesses.map((g) => t.api().get('/api/v1/agents').set('X-API-Key', g)))).map(
      (r) => r.status,
    );
    expect(statuses.filter((s) => s === 401)).toHaveLength(20);
    expect(statuses.filter((s) => s === 429)).toHaveLength(40);
    // The genuine key is verified here, so every other secret for its prefix is wrong without bcrypt.
    expect(run).not.toHaveBeenCalled();
    run.mockRestore();
    // The genuine key, already verified here, keeps working from the blocked address.
    await t.api().get('/api/v1/agents').set('X-API-Key', key.key).expect(200);
  });
});
