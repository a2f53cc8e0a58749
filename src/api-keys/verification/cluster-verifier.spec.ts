import { randomUUID } from 'node:crypto';
import { AttemptBudget } from '../../attempts/attempt-budget';
import { RedisService } from '../../redis/redis.service';
import { ServerSecrets } from '../../secrets/server-secrets';
import { ClusterVerifier } from './cluster-verifier';

const redisUrl = process.env.REDIS_URL;
const describeRedis = redisUrl ? describe : describe.skip;

describeRedis('ClusterVerifier on Redis', () => {
  const config = { REDIS_URL: redisUrl, REDIS_NAMESPACE: `spec-${randomUUID()}`, KEY_VERIFIER_TTL_SECONDS: 3600 };
  const secrets = (value: string) => ({ get: async () => Buffer.from(value) }) as unknown as ServerSecrets;
  let redis: RedisService;

  beforeAll(async () => {
    redis = new RedisService(config as never);
    for (let i = 0; i < 100 && !redis.available; i++) await new Promise((resolve) => setTimeout(resolve, 20));
  });
  afterAll(() => redis.onApplicationShutdown());

  const verifier = async (secret = 's'.repeat(32)) => {
    const v = new ClusterVerifier(redis, secrets(secret), config as never);
    await v.onModuleInit();
    return v;
  };
  const key = `sk_live_abcdefgh_${'K'.repeat(32)}`;

  it('answers match for the stored key, mismatch for another secret, absent when none or when made under another secret', async () => {
    const v = await verifier();
    await v.store('sk_live_abcdefgh', key, null);
    expect(await v.check('sk_live_abcdefgh', key)).toBe('match');
    expect(await v.check('sk_live_abcdefgh', `sk_live_abcdefgh_${'X'.repeat(32)}`)).toBe('mismatch');
    expect(await v.check('sk_live_zzzzzzzz', key)).toBe('absent');
    // After KEY_VERIFIER_SECRET changed, old verifiers neither vouch nor refuse: bcrypt decides.
    expect(await (await verifier('t'.repeat(32))).check('sk_live_abcdefgh', key)).toBe('absent');
    await v.remove('sk_live_abcdefgh');
    expect(await v.check('sk_live_abcdefgh', key)).toBe('absent');
  });

  it('never outlives the key: the TTL is capped at its expiry, and capAt only shortens', async () => {
    const v = await verifier();
    await v.store('sk_live_abcdefgh', key, Date.now() + 30_000);
    const pttl = () => redis.client!.pttl(`${config.REDIS_NAMESPACE}:key-verifier:sk_live_abcdefgh`);
    expect(await pttl()).toBeLessThanOrEqual(30_000);
    await v.capAt('sk_live_abcdefgh', new Date(Date.now() + 10_000));
    expect(await pttl()).toBeLessThanOrEqual(10_000);
    await v.capAt('sk_live_abcdefgh', new Date(Date.now() + 20_000));
    expect(await pttl()).toBeLessThanOrEqual(10_000);
  });

  it('a verifier read and the first budget script in one tick do not break the auto-pipeline', async () => {
    // Regression: a Lua command defined while an auto-pipeline was open crashed the process.
    const fresh = new RedisService({ ...config, REDIS_NAMESPACE: `spec-${randomUUID()}` } as never);
    try {
      for (let i = 0; i < 100 && !fresh.available; i++) await new Promise((resolve) => setTimeout(resolve, 20));
      const v = new ClusterVerifier(fresh, secrets('s'.repeat(32)), config as never);
      await v.onModuleInit();
      const budget = new AttemptBudget(fresh);
      budget.onModuleInit();
      const [answer, reservation] = await Promise.all([v.check('sk_live_abcdefgh', key), budget.reserve('spec', 'x', 1, 1000)]);
      expect(answer).toBe('absent');
      expect(reservation).toMatchObject({ granted: true, store: 'redis' });
    } finally {
      await fresh.onApplicationShutdown();
    }
  });
});
