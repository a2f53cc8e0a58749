import { randomUUID } from 'node:crypto';
import { ApiKeysService } from '../src/api-keys/api-keys.service';
import { randomAddress } from './helpers/addresses';
import { Account, addMember, bearer, createKey, registerOrg } from './helpers/fixtures';
import { withEnv } from './helpers/env';
import { startTestApp, TestApp } from './helpers/test-app';

/** More than KEY_FAILURES_PER_MINUTE (20): were these failures, some would be 429. */
const BEYOND_FAILURE_BUDGET = 30;

/** Issue 13 item 5: PATCH /api-keys/{id}, disable without revoking, metadata. */
describe('editable keys (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    // Behind a proxy on loopback: X-Forwarded-For names the client, as in a typical deployment.
    t = await withEnv({ TRUST_PROXY: 'loopback' }, () => startTestApp());
  });
  afterAll(() => t.close());

  const patch = (token: string, id: string, body: unknown) => t.api().patch(`/api/v1/api-keys/${id}`).set(bearer(token)).send(body as object);
  const get = (token: string, id: string) => t.api().get(`/api/v1/api-keys/${id}`).set(bearer(token)).expect(200);
  const updates = async (owner: Account, keyId: string) =>
    (await t.api().get(`/api/v1/audit-logs?action=api_key.updated&target_id=${keyId}`).set(bearer(owner.token)).expect(200)).body
      .data as { metadata: Record<string, unknown>; actor_id: string }[];

  it('creates a key with an allow-list (stored canonical, once each) and metadata, returned by GET and the list', async () => {
    const owner = await registerOrg(t);
    const metadata = { team: 'payments', tier: 2, tags: ['ci', 'eu'], nested: { ok: true } };
    const key = await createKey(t, owner, { ip_allowlist: ['127.0.0.2/32', '127.0.0.2', '10.1.2.3/8', '2001:DB8::/32'], metadata });
    expect(key).toMatchObject({ enabled: true, ip_allowlist: ['127.0.0.2', '10.0.0.0/8', '2001:db8::/32'], metadata });
    expect((await get(owner.token, key.id)).body).toMatchObject({ enabled: true, ip_allowlist: ['127.0.0.2', '10.0.0.0/8', '2001:db8::/32'], metadata });
    const list = await t.api().get('/api/v1/api-keys').set(bearer(owner.token)).expect(200);
    expect(list.body.data[0]).toMatchObject({ id: key.id, enabled: true, metadata });
    // Without them: any address, empty metadata.
    const plain = await createKey(t, owner);
    expect(plain).toMatchObject({ enabled: true, ip_allowlist: [], metadata: {} });
  });

  it.each([
    ['a name instead of an address', { ip_allowlist: ['10.0.0.1', 'localhost'] }, /^ip_allowlist entry "localhost" is not an IPv4\/IPv6 address or CIDR$/],
    ['a prefix longer than the address', { ip_allowlist: ['10.0.0.0/33'] }, /ip_allowlist entry "10.0.0.0\/33"/],
    ['a string, not an array', { ip_allowlist: '10.0.0.1' }, /^ip_allowlist must be an array/],
    ['101 entries', { ip_allowlist: Array.from({ length: 101 }, (_, i) => `10.0.0.${i}`) }, /^ip_allowlist must have at most 100 entries$/],
    ['an array as metadata', { metadata: ['a'] }, /^metadata must be a JSON object$/],
    ['a string as metadata', { metadata: 'x' }, /^metadata must be a JSON object$/],
    // 2,100 characters, 4,200 bytes in UTF-8 (plus 11 for `{"blob":""}`).
    ['metadata over 4 KB', { metadata: { blob: 'é'.repeat(2100) } }, /^metadata must be at most 4096 bytes as JSON \(UTF-8\); it is 4211$/],
  ])('refuses at creation %s with 400 naming the field', async (_label, body, message) => {
    const owner = await registerOrg(t);
    const res = await t.api().post('/api/v1/api-keys').set(bearer(owner.token)).send({ name: 'k', scopes: ['agents:read'], ...body }).expect(400);
    expect(res.body.message).toMatch(message);
  });

  it('accepts metadata of exactly 4096 bytes', async () => {
    const owner = await registerOrg(t);
    const blob = 'x'.repeat(4096 - JSON.stringify({ blob: '' }).length);
    const key = await createKey(t, owner, { metadata: { blob } });
    expect(key).toMatchObject({ metadata: { blob } });
  });

  it('changes each field, audits the before and after of the changed ones only, and records nothing for a no-op', async () => {
    const owner = await registerOrg(t);
    const key = await createKey(t, owner, { name: 'deployer', scopes: ['agents:read'], rate_limit: 10 });
    const expiresAt = new Date(Date.now() + 86_400_000).toISOString();
    const steps: [Record<string, unknown>, Record<string, unknown>, Record<string, { before: unknown; after: unknown }>][] = [
      [{ name: 'deployer 2' }, { name: 'deployer 2' }, { name: { before: 'deployer', after: 'deployer 2' } }],
      [{ scopes: ['agents:write', 'metrics:read'] }, { scopes: ['agents:write', 'metrics:read'] }, { scopes: { before: ['agents:read'], after: ['agents:write', 'metrics:read'] } }],
      [{ rate_limit: 500 }, { rate_limit: 500 }, { rate_limit: { before: 10, after: 500 } }],
      [{ expires_at: expiresAt }, { expires_at: expiresAt }, { expires_at: { before: null, after: expiresAt } }],
      [{ expires_at: null }, { expires_at: null }, { expires_at: { before: expiresAt, after: null } }],
      [{ ip_allowlist: ['192.0.2.0/24', '192.0.2.9/24'] }, { ip_allowlist: ['192.0.2.0/24'] }, { ip_allowlist: { before: [], after: ['192.0.2.0/24'] } }],
      [{ ip_allowlist: null }, { ip_allowlist: [] }, { ip_allowlist: { before: ['192.0.2.0/24'], after: [] } }],
      [{ metadata: { team: 'a' } }, { metadata: { team: 'a' } }, { metadata: { before: {}, after: { team: 'a' } } }],
      [{ metadata: null }, { metadata: {} }, { metadata: { before: { team: 'a' }, after: {} } }],
      [{ enabled: false }, { enabled: false }, { enabled: { before: true, after: false } }],
      // Two fields at once, one of them unchanged: only the changed one is recorded.
      [{ enabled: true, rate_limit: 500, name: 'deployer 3' }, { enabled: true, rate_limit: 500, name: 'deployer 3' }, { enabled: { before: false, after: true }, name: { before: 'deployer 2', after: 'deployer 3' } }],
    ];
    for (const [body, shown] of steps) {
      const res = await patch(owner.token, key.id, body).expect(200);
      expect(res.body).toMatchObject({ id: key.id, key_prefix: key.key_prefix, status: 'active', ...shown });
      expect(res.body).not.toHaveProperty('key');
      expect((await get(owner.token, key.id)).body).toMatchObject(shown);
    }
    const entries = (await updates(owner, key.id)).reverse();
    expect(entries.map((entry) => entry.metadata.changes)).toEqual(steps.map(([, , changes]) => changes));
    expect(entries.every((entry) => entry.actor_id === owner.userId && entry.metadata.key_prefix === key.key_prefix)).toBe(true);
    expect(entries[entries.length - 1].metadata.name).toBe('deployer 3');

    // Sent again, nothing changes: 200 with the key, and no entry.
    await patch(owner.token, key.id, { name: 'deployer 3', scopes: ['metrics:read', 'agents:write'], enabled: true, metadata: {} }).expect(200);
    expect(await updates(owner, key.id)).toHaveLength(steps.length);
  });

  it('keeps secrets out of the audit entry', async () => {
    const owner = await registerOrg(t);
    const key = await createKey(t, owner);
    await patch(owner.token, key.id, { metadata: { note: `was ${key.key}`, password: 'hunter2' } }).expect(200);
    const [entry] = await updates(owner, key.id);
    expect(JSON.stringify(entry)).not.toContain(key.key);
    expect(JSON.stringify(entry)).not.toContain('hunter2');
  });

  it.each([
    [{}, /^the body must name at least one field to change: name, scopes, rate_limit, expires_at, ip_allowlist, metadata, enabled$/],
    [{ name: null }, /name must be a string/],
    [{ name: '   ' }, /^name must be 1 to 100 characters$/],
    [{ scopes: [] }, /^scopes must be a non-empty array of scopes$/],
    [{ scopes: null }, /scopes must be a non-empty array of scopes/],
    [{ scopes: ['agent:read'] }, /^unknown scope "agent:read" in scopes/],
    [{ rate_limit: 0 }, /^rate_limit must be between 1 and 1000000$/],
    [{ rate_limit: null }, /rate_limit must be an integer/],
    [{ expires_at: '2000-01-01T00:00:00Z' }, /^expires_at must be in the future$/],
    [{ expires_at: 'tomorrow' }, /^expires_at must be an ISO-8601 date-time/],
    [{ enabled: 'false' }, /^enabled must be a boolean$/],
    [{ enabled: null }, /^enabled must be a boolean$/],
    [{ ip_allowlist: ['300.0.0.1'] }, /^ip_allowlist entry "300.0.0.1" is not an IPv4\/IPv6 address or CIDR$/],
    [{ metadata: [1] }, /^metadata must be a JSON object$/],
    [{ key_prefix: 'sk_live_aaaaaaaa' }, /property key_prefix should not exist/],
  ])('refuses PATCH %j with 400 and changes nothing', async (body, message) => {
    const owner = await registerOrg(t);
    const key = await createKey(t, owner, { name: 'unchanged' });
    const res = await patch(owner.token, key.id, body).expect(400);
    expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    expect(res.body.message).toMatch(message);
    expect((await get(owner.token, key.id)).body).toMatchObject({ name: 'unchanged', enabled: true });
    expect(await updates(owner, key.id)).toHaveLength(0);
  });

  it('is 404 for another organization’s key and a missing one, 403 for a viewer, an API key and another developer, 409 for a revoked key', async () => {
    const owner = await registerOrg(t);
    const other = await registerOrg(t);
    const viewer = await addMember(t, owner, 'viewer');
    const developer = await addMember(t, owner, 'developer');
    const colleague = await addMember(t, owner, 'developer');
    const admin = await addMember(t, owner, 'admin');
    const key = await createKey(t, owner);
    await patch(other.token, key.id, { name: 'x' }).expect(404);
    await patch(owner.token, randomUUID(), { name: 'x' }).expect(404);
    expect((await patch(viewer.token, key.id, { name: 'x' }).expect(403)).body.message).toBe('Requires role owner or admin or developer; you are viewer');
    await t.api().patch(`/api/v1/api-keys/${key.id}`).set('X-API-Key', key.key).send({ name: 'x' }).expect(403);

    const devKey = await createKey(t, developer, { scopes: ['agents:read'] });
    const refused = await patch(colleague.token, devKey.id, { enabled: false }).expect(403);
    expect(refused.body.message).toBe('Developers can change, rotate or revoke only the keys they created');
    await patch(developer.token, devKey.id, { enabled: false }).expect(200);
    await patch(admin.token, devKey.id, { enabled: true }).expect(200);
    await patch(developer.token, key.id, { name: 'x' }).expect(403);

    await t.api().delete(`/api/v1/api-keys/${key.id}`).set(bearer(owner.token)).expect(204);
    const gone = await patch(owner.token, key.id, { enabled: true }).expect(409);
    expect(gone.body.message).toBe('API key is revoked and cannot be changed');
    expect(await updates(owner, key.id)).toHaveLength(0);
  });

  it('does not move the end of a rotated key’s grace period, but rotation hands allow-list and metadata to the successor', async () => {
    const owner = await registerOrg(t);
    const key = await createKey(t, owner, { ip_allowlist: ['198.51.100.0/24'], metadata: { team: 'a' } });
    await patch(owner.token, key.id, { enabled: false }).expect(200);
    const rotated = await t.api().post(`/api/v1/api-keys/${key.id}/rotate`).set(bearer(owner.token)).send({}).expect(201);
    expect(rotated.body).toMatchObject({ enabled: true, ip_allowlist: ['198.51.100.0/24'], metadata: { team: 'a' } });
    const res = await patch(owner.token, key.id, { expires_at: null }).expect(409);
    expect(res.body.message).toMatch(/^API key was rotated/);
    // Other fields of the old key stay editable during its grace period.
    await patch(owner.token, key.id, { name: 'old one' }).expect(200);
  });

  it('refuses a disabled key with 401 "API key is disabled", without spending its address’s failure budget, until enabled again', async () => {
    const owner = await registerOrg(t);
    const key = await createKey(t, owner, { scopes: ['agents:read'] });
    const from = randomAddress();
    const use = () => t.api().get('/api/v1/agents').set('X-API-Key', key.key).set('X-Forwarded-For', from);
    await use().expect(200);
    await patch(owner.token, key.id, { enabled: false }).expect(200);
    const statuses = await Promise.all(Array.from({ length: BEYOND_FAILURE_BUDGET }, () => use()));
    expect(statuses.map((res) => res.status)).toEqual(statuses.map(() => 401));
    expect(statuses[0].body.message).toBe('API key is disabled');
    expect(statuses[0].headers['www-authenticate']).toBeDefined();
    // A disabled key is not valid to another module either.
    expect(await t.app.get(ApiKeysService).validate(key.key)).toBeNull();
    await patch(owner.token, key.id, { enabled: true }).expect(200);
    await use().expect(200);
    expect((await get(owner.token, key.id)).body.status).toBe('active');
  });

  it('applies new scopes and a new rate limit from the next request', async () => {
    const owner = await registerOrg(t);
    const key = await createKey(t, owner, { scopes: ['agents:write'], rate_limit: 50 });
    const write = () => t.api().post('/api/v1/agents').set('X-API-Key', key.key).send({ name: 'a' });
    await write().expect(201);
    await patch(owner.token, key.id, { scopes: ['agents:read'] }).expect(200);
    expect((await write().expect(403)).body.message).toBe("Missing scope 'agents:write'");
    const read = await t.api().get('/api/v1/agents').set('X-API-Key', key.key).expect(200);
    expect(read.headers['x-ratelimit-limit']).toBe('50');
    await patch(owner.token, key.id, { rate_limit: 5 }).expect(200);
    // Three requests counted in this window already (201, 403, 200): two more fit under the new limit.
    const after = await t.api().get('/api/v1/agents').set('X-API-Key', key.key).expect(200);
    expect(after.headers).toMatchObject({ 'x-ratelimit-limit': '5', 'x-ratelimit-remaining': '1' });
    await t.api().get('/api/v1/agents').set('X-API-Key', key.key).expect(200);
    await t.api().get('/api/v1/agents').set('X-API-Key', key.key).expect(429);
  });

  it('hands the metadata to other modules through validate() and the principal', async () => {
    const owner = await registerOrg(t);
    const key = await createKey(t, owner, { metadata: { customer: 'c-42' } });
    const service = t.app.get(ApiKeysService);
    expect((await service.validate(key.key))?.metadata).toEqual({ customer: 'c-42' });
    expect((await service.authenticate(key.key, () => '127.0.0.1')).metadata).toEqual({ customer: 'c-42' });
    await patch(owner.token, key.id, { metadata: { customer: 'c-43' } }).expect(200);
    const principal = await service.authenticate(key.key, () => '127.0.0.1');
    expect(principal.metadata).toEqual({ customer: 'c-43' });
    // Shared by every request of the key in this process: read-only.
    expect(Object.isFrozen(principal.metadata)).toBe(true);
  });

  it('serializes concurrent PATCHes and rotations: no write is lost and the key gets one successor', async () => {
    const owner = await registerOrg(t);
    const key = await createKey(t, owner, { name: 'busy', scopes: ['agents:read'], rate_limit: 10 });
    const work = [
      patch(owner.token, key.id, { name: 'busy 2' }),
      patch(owner.token, key.id, { rate_limit: 20 }),
      patch(owner.token, key.id, { metadata: { a: 1 } }),
      patch(owner.token, key.id, { ip_allowlist: ['203.0.113.0/24'] }),
      patch(owner.token, key.id, { scopes: ['agents:read', 'metrics:read'] }),
      patch(owner.token, key.id, { enabled: false }),
      ...Array.from({ length: 4 }, () => t.api().post(`/api/v1/api-keys/${key.id}/rotate`).set(bearer(owner.token)).send({})),
    ];
    const results = await Promise.all(work);
    expect(results.slice(0, 6).map((res) => res.status)).toEqual([200, 200, 200, 200, 200, 200]);
    const rotations = results.slice(6).map((res) => res.status).sort();
    expect(rotations).toEqual([201, 409, 409, 409]);
    expect((await get(owner.token, key.id)).body).toMatchObject({
      name: 'busy 2',
      rate_limit: 20,
      metadata: { a: 1 },
      ip_allowlist: ['203.0.113.0/24'],
      scopes: ['agents:read', 'metrics:read'],
      enabled: false,
    });
    expect(await updates(owner, key.id)).toHaveLength(6);
    const keys = await t.api().get('/api/v1/api-keys').set(bearer(owner.token)).expect(200);
    expect(keys.body.data).toHaveLength(2);
    // The successor inherited whatever of the allow-list and metadata had committed before the rotation took the lock.
    const successor = results.slice(6).find((res) => res.status === 201)!.body;
    expect([[], ['203.0.113.0/24']]).toContainEqual(successor.ip_allowlist);
    expect([{}, { a: 1 }]).toContainEqual(successor.metadata);
    expect(successor.enabled).toBe(true);
  });

  it('checks the allow-list against the client address X-Forwarded-For gives under TRUST_PROXY', async () => {
    const owner = await registerOrg(t);
    const allowed = randomAddress();
    const key = await createKey(t, owner, { scopes: ['agents:read'], ip_allowlist: [allowed] });
    await t.api().get('/api/v1/agents').set('X-API-Key', key.key).set('X-Forwarded-For', allowed).expect(200);
    // The loopback proxy vouches only for the hop it saw: the client is the right-most address it did not add.
    const spoofed = await t.api().get('/api/v1/agents').set('X-API-Key', key.key).set('X-Forwarded-For', `${allowed}, 10.0.0.1`).expect(403);
    expect(spoofed.body.message).toBe('client address not allowed for this key');
    await t.api().get('/api/v1/agents').set('X-API-Key', key.key).set('X-Forwarded-For', `192.0.2.1, ${allowed}`).expect(200);
  });
});
