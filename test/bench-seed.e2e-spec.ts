import { DataSource } from 'typeorm';
import { seedStatements, SEED_KEYS, unseedStatements } from '../bench/seed';
import { Account, bearer, registerOrg } from './helpers/fixtures';
import { startTestApp, TestApp } from './helpers/test-app';

/**
 * The benchmark's noisy-neighbour scenario writes a tenant's year of usage straight into the tables
 * (bench/seed.ts). If the schema moves on, the seed must fail here rather than quietly measure
 * something else: the rows land, /metrics counts them exactly, the seeded keys open nothing, and
 * taking the seed back leaves the organization as it was.
 */
describe('the benchmark seed matches the schema (e2e)', () => {
  let t: TestApp;
  let ds: DataSource;
  let owner: Account;

  beforeAll(async () => {
    t = await startTestApp();
    ds = t.app.get(DataSource);
    owner = await registerOrg(t, 'Noisy');
  });

  afterAll(async () => {
    await t?.close();
  });

  const metrics = async () => (await t.api().get('/api/v1/metrics').set(bearer(owner.token)).expect(200)).body.requests;
  const usageRows = async () =>
    Number((await ds.query('SELECT count(*) AS n FROM api_key_usage WHERE organization_id = $1', [owner.organizationId]))[0].n);

  it('writes rows /metrics counts, keys that open nothing, and takes them back', async () => {
    const target = { organizationId: owner.organizationId, userId: owner.userId, rows: 2_050 };
    const before = await metrics();
    const { statements, rows } = seedStatements(target);
    expect(rows).toBe(2_000); // whole hours of SEED_KEYS keys
    for (const s of statements) await ds.query(s.text, s.values);

    expect(await usageRows()).toBe(2_000);
    const after = await metrics();
    expect(after.served_count - before.served_count).toBe(20_000);
    expect(after.refused_count - before.refused_count).toBe(2_000);

    const prefixes: { key_prefix: string }[] = await ds.query(
      `SELECT key_prefix FROM api_keys WHERE organization_id = $1 AND name LIKE 'bench seed %'`,
      [owner.organizationId],
    );
    expect(prefixes).toHaveLength(SEED_KEYS);
    await t
      .api()
      .get('/api/v1/metrics')
      .set('X-API-Key', `${prefixes[0].key_prefix}_${'x'.repeat(32)}`)
      .expect(401);

    for (const s of unseedStatements(target)) await ds.query(s.text, s.values);
    expect(await usageRows()).toBe(0);
    const undone = await metrics();
    expect([undone.served_count, undone.refused_count]).toEqual([before.served_count, before.refused_count]);
  });
});
