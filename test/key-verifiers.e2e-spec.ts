import Redis from 'ioredis';
import { KeyVerifier } from '../src/api-keys/verification/key-verifier';
import { BcryptScheduler } from '../src/bcrypt/bcrypt-scheduler';
import { bearer, createKey, forgeKey, registerOrg } from './helpers/fixtures';
import { startTestApp, TestApp } from './helpers/test-app';

// The cluster's key verifiers live in Redis: these run with REDIS_URL only.
const describeRedis = process.env.REDIS_URL ? describe : describe.skip;

describeRedis('key verifiers in Redis (e2e)', () => {
  const namespace = `${process.env.REDIS_NAMESPACE}-verifiers`;
  let t: TestApp;
  let redis: Redis;
  const verifierOf = (keyPrefix: string) => `${namespace}:key-verifier:${keyPrefix}`;

  beforeAll(async () => {
    t = await startTestApp({ redisNamespace: namespace });
    redis = new Redis(process.env.REDIS_URL!);
  });
  afterAll(async () => {
    redis?.disconnect();
    await t?.close();
  });

  it('stores a MAC at creation (never the key), lets another process verify without bcrypt, and drops it on revocation', async () => {
    const owner = await registerOrg(t);
    const key = await createKey(t, owner);
    const stored = await redis.getBuffer(verifierOf(key.key_prefix));
    expect(stored).not.toBeNull();
    expect(stored!.length).toBe(40);
    expect(stored!.toString('latin1')).not.toContain(key.key.slice(17));
    const ttl = await redis.pttl(verifierOf(key.key_prefix));
    expect(ttl).toBeGreaterThan(0);

    // As if this were another process: nothing in memory, the verifier vouches.
    t.app.get(KeyVerifier).forget(key.key_prefix);
    const compare = jest.spyOn(t.app.get(BcryptScheduler), 'compare');
    await t.api().get('/api/v1/agents').set('X-API-Key', key.key).expect(200);
    // A wrong secret for the prefix is refused by the verifier, without bcrypt.
    t.app.get(KeyVerifier).forget(key.key_prefix);
    await t.api().get('/api/v1/agents').set('X-API-Key', forgeKey(key.key_prefix, 'Q', 'Q')).expect(401);
    expect(compare).not.toHaveBeenCalled();
    compare.mockRestore();

    await t.api().delete(`/api/v1/api-keys/${key.id}`).set(bearer(owner.token)).expect(204);
    expect(await redis.exists(verifierOf(key.key_prefix))).toBe(0);
    t.app.get(KeyVerifier).forget(key.key_prefix);
    const refused = await t.api().get('/api/v1/agents').set('X-API-Key', key.key).expect(401);
    expect(refused.body.message).toContain('revoked');
  });

  it("caps the old key's verifier at the end of its grace period on rotation", async () => {
    const owner = await registerOrg(t);
    const key = await createKey(t, owner);
    const rotated = await t
      .api()
      .post(`/api/v1/api-keys/${key.id}/rotate`)
      .set(bearer(owner.token))
      .send({ grace_period_seconds: 60 })
      .expect(201);
    const ttl = await redis.pttl(verifierOf(key.key_prefix));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);
    expect(await redis.exists(verifierOf(rotated.body.key_prefix))).toBe(1);
  });

  it('renews nothing and stores nothing for a key that no verifier or compare vouched for', async () => {
    await t.api().get('/api/v1/agents').set('X-API-Key', `sk_live_zzzzzzzz_${'A'.repeat(32)}`).expect(401);
    expect(await redis.exists(verifierOf('sk_live_zzzzzzzz'))).toBe(0);
  });
});
