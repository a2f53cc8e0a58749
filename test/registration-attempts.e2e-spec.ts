import { randomUUID } from 'node:crypto';
import { PASSWORD } from './helpers/fixtures';
import { randomAddress, randomNetwork64 } from './helpers/addresses';
import { withEnv } from './helpers/env';
import { startTestApp, TestApp } from './helpers/test-app';

const shared = Boolean(process.env.DATABASE_URL && process.env.REDIS_URL);
const describeShared = shared ? describe : describe.skip;
const LIMITED = { TRUST_PROXY: 'loopback', REGISTRATIONS_PER_ADDRESS_PER_HOUR: '10' };

const registerFrom = (t: TestApp, address: string, email = `flood-${randomUUID()}@example.com`) =>
  t
    .api()
    .post('/api/v1/auth/register')
    .set('X-Forwarded-For', address)
    .send({ email, password: PASSWORD, name: 'Flood', organization_name: 'Flood Inc' });

const statusesOf = (responses: { status: number }[]) => responses.map((r) => r.status);

describe('registrations per client address (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await withEnv(LIMITED, () => startTestApp());
  });
  afterAll(() => t.close());

  it('admits exactly the limit of 60 concurrent registrations from one address; the rest get 429', async () => {
    const address = randomAddress();
    const responses = await Promise.all(Array.from({ length: 60 }, () => registerFrom(t, address)));
    const statuses = statusesOf(responses);
    expect(statuses.filter((s) => s === 201)).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(50);
    const refused = responses.find((r) => r.status === 429)!;
    expect(refused.body).toMatchObject({ statusCode: 429, error: 'Too Many Requests' });
    expect(refused.body.message).toContain('Too many registrations from this address');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(3600);
    // Another address is not affected.
    await registerFrom(t, randomAddress()).expect(201);
  });

  it('counts a registration that found its email taken (its password was hashed all the same)', async () => {
    const address = randomAddress();
    const email = `taken-${randomUUID()}@example.com`;
    await registerFrom(t, address, email).expect(201);
    for (let i = 0; i < 9; i++) await registerFrom(t, address, email).expect(409);
    await registerFrom(t, address).expect(429);
  });

  it('does not count a request refused as invalid (400)', async () => {
    const address = randomAddress();
    for (let i = 0; i < 15; i++) {
      await t.api().post('/api/v1/auth/register').set('X-Forwarded-For', address).send({ email: 'not-an-email' }).expect(400);
    }
    await registerFrom(t, address).expect(201);
  });

  it('counts every address of one IPv6 /64 together', async () => {
    const network = randomNetwork64();
    const groups = network.split(':');
    const neighbour = [...groups.slice(0, 3), (parseInt(groups[3], 16) ^ 1).toString(16)].join(':');
    for (let i = 1; i <= 10; i++) await registerFrom(t, `${network}::${i.toString(16)}`).expect(201);
    await registerFrom(t, `${network}:ffff:ffff:ffff:ffff`).expect(429);
    await registerFrom(t, `${neighbour}::1`).expect(201);
    // An IPv4 client seen as IPv4-mapped IPv6 counts as that IPv4 address.
    const v4 = randomAddress();
    for (let i = 0; i < 10; i++) await registerFrom(t, `::ffff:${v4}`).expect(201);
    await registerFrom(t, v4).expect(429);
  });
});

describeShared('registrations per client address on two instances sharing Redis (e2e)', () => {
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    // One cluster: both count in the same Redis keys.
    const cluster = { redisNamespace: `${process.env.REDIS_NAMESPACE}-registrations` };
    a = await withEnv(LIMITED, () => startTestApp(cluster));
    b = await withEnv(LIMITED, () => startTestApp(cluster));
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  it('admits exactly the limit across both', async () => {
    const address = randomAddress();
    const statuses = statusesOf(await Promise.all(Array.from({ length: 60 }, (_, i) => registerFrom(i % 2 ? a : b, address))));
    expect(statuses.filter((s) => s === 201)).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(50);
  });
});
