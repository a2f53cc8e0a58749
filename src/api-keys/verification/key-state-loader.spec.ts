import { registerOrg } from '../../../test/helpers/fixtures';
import { startTestApp, TestApp } from '../../../test/helpers/test-app';
import { ApiKeysService } from '../api-keys.service';
import { KeyStateLoader } from './key-state-loader';

/** g3 of issue 9: a restart's warm keys, asked for together, cost the database one query, not one each. */
describe('KeyStateLoader', () => {
  let t: TestApp;
  let loader: KeyStateLoader;
  const keys: { id: string; keyPrefix: string }[] = [];

  beforeAll(async () => {
    t = await startTestApp();
    loader = t.app.get(KeyStateLoader);
    const owner = await registerOrg(t);
    const service = t.app.get(ApiKeysService);
    for (let i = 0; i < 12; i++) {
      const { record } = await service.create(owner.organizationId, { name: `k${i}`, scopes: ['agents:read'] }, owner.userId);
      keys.push({ id: record.id, keyPrefix: record.keyPrefix });
    }
  }, 180_000);
  afterAll(() => t.close());

  it('reads the prefixes asked for in one turn with one query, each answer its own row', async () => {
    const before = { ...loader.stats };
    const unknown = 'sk_live_zzzzzzzz';
    const asked = [...keys.map((k) => k.keyPrefix), unknown, keys[0].keyPrefix];
    const rows = await Promise.all(asked.map((prefix) => loader.byPrefix(prefix)));
    expect(loader.stats.queries - before.queries).toBe(1);
    // The repeated prefix is read once.
    expect(loader.stats.prefixes - before.prefixes).toBe(keys.length + 1);
    expect(rows.slice(0, keys.length).map((row) => row?.id)).toEqual(keys.map((k) => k.id));
    expect(rows[keys.length]).toBeNull();
    expect(rows[keys.length + 1]?.id).toBe(keys[0].id);
    // The state a request needs, never the hash.
    expect(rows[0]).toMatchObject({ status: 'active', scopes: ['agents:read'] });
    expect((rows[0] as { keyHash?: string }).keyHash).toBeUndefined();
  });

  it('asks again in a later turn (no answer is kept)', async () => {
    const before = loader.stats.queries;
    await loader.byPrefix(keys[1].keyPrefix);
    await loader.byPrefix(keys[1].keyPrefix);
    expect(loader.stats.queries - before).toBe(2);
  });
});
