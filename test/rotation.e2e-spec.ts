import { randomUUID } from 'node:crypto';
import { addMember, bearer, createKey, registerOrg } from './helpers/fixtures';
import { startTestApp, TestApp } from './helpers/test-app';

describe('key rotation (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  const rotate = (token: string, id: string, body: Record<string, unknown> = {}) =>
    t.api().post(`/api/v1/api-keys/${id}/rotate`).set(bearer(token)).send(body);

  it('issues a new key with the same name, scopes and rate limit; the old one works until the grace ends', async () => {
    const owner = await registerOrg(t);
    const old = await createKey(t, owner, { name: 'deployer', scopes: ['agents:read'], rate_limit: 42 });
    await t.api().get('/api/v1/agents').set('X-API-Key', old.key).expect(200);
    const before = Date.now();
    const res = await rotate(owner.token, old.id, { grace_period_seconds: 3600 }).expect(201);
    expect(Object.keys(res.body).sort()).toEqual(
      ['created_at', 'enabled', 'expires_at', 'id', 'ip_allowlist', 'key', 'key_prefix', 'metadata', 'name', 'rate_limit', 'rotated_from', 'scopes'].sort(),
    );
    expect(res.body).toMatchObject({ name: 'deployer', scopes: ['agents:read'], rate_limit: 42, expires_at: null });
    expect(res.body.key).toMatch(/^sk_live_[a-z0-9]{8}_[A-Za-z0-9]{32}$/);
    expect(res.body.id).not.toBe(old.id);
    expect(res.body.rotated_from).toMatchObject({ id: old.id, key_prefix: old.key_prefix });
    const graceEnd = Date.parse(res.body.rotated_from.expires_at);
    expect(graceEnd).toBeGreaterThanOrEqual(before + 3_600_000 - 1000);
    expect(graceEnd).toBeLessThanOrEqual(Date.now() + 3_600_000 + 1000);

    await t.api().get('/api/v1/agents').set('X-API-Key', res.body.key).expect(200);
    await t.api().get('/api/v1/agents').set('X-API-Key', old.key).expect(200);
    const oldNow = await t.api().get(`/api/v1/api-keys/${old.id}`).set(bearer(owner.token)).expect(200);
    expect(oldNow.body).toMatchObject({ status: 'active', expires_at: res.body.rotated_from.expires_at });
  });

  it('ends the old key at once with a grace period of 0, even where it is cached', async () => {
    const owner = await registerOrg(t);
    const old = await createKey(t, owner);
    await t.api().get('/api/v1/agents').set('X-API-Key', old.key).expect(200);
    const res = await rotate(owner.token, old.id, { grace_period_seconds: 0 }).expect(201);
    const refused = await t.api().get('/api/v1/agents').set('X-API-Key', old.key).expect(401);
    expect(refused.body.message).toContain('expired');
    await t.api().get('/api/v1/agents').set('X-API-Key', res.body.key).expect(200);
  });

  it('defaults the grace period to 24 hours, keeps an earlier expiry, and takes the new expires_at', async () => {
    const owner = await registerOrg(t);
    const plain = await createKey(t, owner);
    const res = await rotate(owner.token, plain.id).expect(201);
    const grace = Date.parse(res.body.rotated_from.expires_at) - Date.now();
    expect(grace).toBeGreaterThan(86_400_000 - 60_000);
    expect(grace).toBeLessThanOrEqual(86_400_000);

    const soon = new Date(Date.now() + 600_000).toISOString();
    const expiring = await createKey(t, owner, { expires_at: soon });
    const newExpiry = new Date(Date.now() + 30 * 86_400_000).toISOString();
    const res2 = await rotate(owner.token, expiring.id, { expires_at: newExpiry }).expect(201);
    expect(res2.body.rotated_from.expires_at).toBe(soon);
    expect(res2.body.expires_at).toBe(newExpiry);
  });

  it('refuses to rotate a revoked or expired key with 409', async () => {
    const owner = await registerOrg(t);
    const revoked = await createKey(t, owner);
    await t.api().delete(`/api/v1/api-keys/${revoked.id}`).set(bearer(owner.token)).expect(204);
    const r = await rotate(owner.token, revoked.id).expect(409);
    expect(r.body.message).toContain('revoked');
    const expiring = await createKey(t, owner, { expires_at: new Date(Date.now() + 1000).toISOString() });
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const e = await rotate(owner.token, expiring.id).expect(409);
    expect(e.body.message).toBe('API key is expired and cannot be rotated');
    const list = await t.api().get('/api/v1/api-keys').set(bearer(owner.token)).expect(200);
    expect(list.body.data).toHaveLength(2);
  });

  it('rotates a key once: rotating it again is 409 naming its successor, during the grace period and after', async () => {
    const owner = await registerOrg(t);
    const old = await createKey(t, owner);
    const first = await rotate(owner.token, old.id, { grace_period_seconds: 3600 }).expect(201);
    const again = await rotate(owner.token, old.id).expect(409);
    expect(again.body).toEqual({
      statusCode: 409,
      error: 'Conflict',
      message: `API key was already rotated; its successor is ${first.body.key_prefix}`,
    });
    // The grace period is untouched by the refused rotation, and the successor rotates as usual.
    const oldNow = await t.api().get(`/api/v1/api-keys/${old.id}`).set(bearer(owner.token)).expect(200);
    expect(oldNow.body.expires_at).toBe(first.body.rotated_from.expires_at);
    await t.api().get('/api/v1/agents').set('X-API-Key', old.key).expect(200);
    const second = await rotate(owner.token, first.body.id, { grace_period_seconds: 0 }).expect(201);
    const third = await rotate(owner.token, first.body.id).expect(409);
    expect(third.body.message).toBe(`API key was already rotated; its successor is ${second.body.key_prefix}`);
    // Revoking the old key does not make it rotatable again.
    await t.api().delete(`/api/v1/api-keys/${old.id}`).set(bearer(owner.token)).expect(204);
    const revoked = await rotate(owner.token, old.id).expect(409);
    expect(revoked.body.message).toContain(first.body.key_prefix);
  });

  it('lets exactly one of 10 concurrent rotations of a key through', async () => {
    const owner = await registerOrg(t);
    const old = await createKey(t, owner, { name: 'contended' });
    const results = await Promise.all(Array.from({ length: 10 }, () => rotate(owner.token, old.id)));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(9);
    const winner = results.find((r) => r.status === 201)!.body;
    for (const refused of results.filter((r) => r.status === 409)) {
      expect(refused.body.message).toBe(`API key was already rotated; its successor is ${winner.key_prefix}`);
    }
    // One successor: the organization holds the old key and exactly one new one.
    const list = await t.api().get('/api/v1/api-keys').set(bearer(owner.token)).expect(200);
    expect(list.body.data.map((k: { id: string }) => k.id).sort()).toEqual([old.id, winner.id].sort());
    await t.api().get('/api/v1/agents').set('X-API-Key', winner.key).expect(200);
    const audit = await t
      .api()
      .get('/api/v1/audit-logs')
      .query({ action: 'api_key.rotated', target_id: old.id })
      .set(bearer(owner.token))
      .expect(200);
    expect(audit.body.data).toHaveLength(1);
  });

  it('follows the revoke rules: developers rotate their own keys, viewers none', async () => {
    const owner = await registerOrg(t);
    const dev = await addMember(t, owner, 'developer');
    const viewer = await addMember(t, owner, 'viewer');
    const ownersKey = await createKey(t, owner);
    const devKey = await createKey(t, dev);
    const denied = await rotate(dev.token, ownersKey.id).expect(403);
    expect(denied.body.message).toContain('Developers');
    await rotate(dev.token, devKey.id).expect(201);
    await rotate(viewer.token, ownersKey.id).expect(403);
    const admin = await addMember(t, owner, 'admin');
    await rotate(admin.token, ownersKey.id).expect(201);
  });

  it("treats another organization's key as not found", async () => {
    const owner = await registerOrg(t);
    const other = await registerOrg(t);
    const theirs = await createKey(t, other);
    await rotate(owner.token, theirs.id).expect(404);
    await rotate(owner.token, randomUUID()).expect(404);
    await rotate(owner.token, 'nope').expect(400);
    await t.api().get('/api/v1/agents').set('X-API-Key', theirs.key).expect(200);
  });

  it.each([
    [{ grace_period_seconds: -1 }, 'grace_period_seconds'],
    [{ grace_period_seconds: 604_801 }, 'grace_period_seconds'],
    [{ grace_period_seconds: '60' }, 'grace_period_seconds'],
    [{ expires_at: '2020-01-01T00:00:00Z' }, 'expires_at'],
    [{ name: 'renamed' }, 'name'],
  ])('rejects %j with 400 and changes nothing', async (body, field) => {
    const owner = await registerOrg(t);
    const key = await createKey(t, owner);
    const res = await rotate(owner.token, key.id, body).expect(400);
    expect(res.body.message).toContain(field);
    const list = await t.api().get('/api/v1/api-keys').set(bearer(owner.token)).expect(200);
    expect(list.body.data).toHaveLength(1);
    expect(list.body.data[0].expires_at).toBeNull();
  });

  it('refuses an API key on the rotate route', async () => {
    const owner = await registerOrg(t);
    const key = await createKey(t, owner);
    await t.api().post(`/api/v1/api-keys/${key.id}/rotate`).set('X-API-Key', key.key).send({}).expect(403);
  });
});
