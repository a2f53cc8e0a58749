import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { addMember, bearer, createKey, forgeKey, registerOrg } from './helpers/fixtures';
import { startTestApp, TestApp } from './helpers/test-app';

const VALID_SCOPES = [
  'agents:read',
  'agents:write',
  'deployments:read',
  'deployments:write',
  'metrics:read',
  'pipelines:read',
  'pipelines:write',
  'gateways:read',
  'gateways:write',
];

describe('API keys (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  describe('management', () => {
    it('lists the nine scopes of the spec with descriptions', async () => {
      const owner = await registerOrg(t);
      const res = await t.api().get('/api/v1/api-keys/scopes').set(bearer(owner.token)).expect(200);
      expect(res.body.data.map((s: { scope: string }) => s.scope)).toEqual(VALID_SCOPES);
      expect(res.body.data.find((s: { scope: string }) => s.scope === 'agents:write').description).toContain(
        'agents:read',
      );
    });

    it('creates a key with exactly the spec response fields', async () => {
      const owner = await registerOrg(t);
      const expiresAt = new Date(Date.now() + 86_400_000).toISOString();
      const res = await t
        .api()
        .post('/api/v1/api-keys')
        .set(bearer(owner.token))
        .send({ name: '  CI/CD Pipeline  ', scopes: ['agents:read', 'deployments:write', 'agents:read'], rate_limit: 50, expires_at: expiresAt })
        .expect(201);
      expect(Object.keys(res.body).sort()).toEqual(
        ['created_at', 'enabled', 'expires_at', 'id', 'ip_allowlist', 'key', 'key_prefix', 'metadata', 'name', 'rate_limit', 'scopes'].sort(),
      );
      expect(res.body.key).toMatch(/^sk_live_[a-z0-9]{8}_[A-Za-z0-9]{32}$/);
      expect(res.body.key_prefix).toBe(res.body.key.slice(0, 16));
      expect(res.body).toMatchObject({
        name: 'CI/CD Pipeline',
        scopes: ['agents:read', 'deployments:write'],
        rate_limit: 50,
        expires_at: expiresAt,
      });
    });

    it('defaults rate_limit to 100 and expires_at to null', async () => {
      const owner = await registerOrg(t);
      const key = await createKey(t, owner, { expires_at: undefined });
      expect(key).toMatchObject({ rate_limit: 100, expires_at: null });
    });

    it('reads a key back without the key or its hash', async () => {
      const owner = await registerOrg(t);
      const key = await createKey(t, owner);
      const res = await t.api().get(`/api/v1/api-keys/${key.id}`).set(bearer(owner.token)).expect(200);
      expect(Object.keys(res.body).sort()).toEqual(
        ['created_at', 'created_by', 'enabled', 'expires_at', 'id', 'ip_allowlist', 'key_prefix', 'last_used_at', 'metadata', 'name', 'rate_limit', 'revoked_at', 'scopes', 'status'].sort(),
      );
      expect(res.body).toMatchObject({ id: key.id, status: 'active', created_by: owner.userId, last_used_at: null, revoked_at: null });
      expect(JSON.stringify(res.body)).not.toContain(key.key);
    });

    it('lists keys newest first with pagination and a status filter', async () => {
      const owner = await registerOrg(t);
      const first = await createKey(t, owner, { name: 'first' });
      const second = await createKey(t, owner, { name: 'second' });
      const third = await createKey(t, owner, { name: 'third' });
      await t.api().delete(`/api/v1/api-keys/${second.id}`).set(bearer(owner.token)).expect(204);

      const page1 = await t.api().get('/api/v1/api-keys?limit=2').set(bearer(owner.token)).expect(200);
      expect(page1.body.data.map((k: { id: string }) => k.id)).toEqual([third.id, second.id]);
      expect(page1.body.next_cursor).toEqual(expect.any(String));
      const page2 = await t
        .api()
        .get(`/api/v1/api-keys?limit=2&cursor=${page1.body.next_cursor}`)
        .set(bearer(owner.token))
        .expect(200);
      expect(page2.body).toEqual({ data: [expect.objectContaining({ id: first.id })], next_cursor: null });
      for (const row of [...page1.body.data, ...page2.body.data]) {
        expect(row).not.toHaveProperty('key');
        expect(row).not.toHaveProperty('key_hash');
      }

      const revoked = await t.api().get('/api/v1/api-keys?status=revoked').set(bearer(owner.token)).expect(200);
      expect(revoked.body.data.map((k: { id: string }) => k.id)).toEqual([second.id]);
      const active = await t.api().get('/api/v1/api-keys?status=active').set(bearer(owner.token)).expect(200);
      expect(active.body.data.map((k: { id: string }) => k.id)).toEqual([third.id, first.id]);
    });

    it('lists an expired key under status=expired', async () => {
      const owner = await registerOrg(t);
      const key = await createKey(t, owner, { expires_at: new Date(Date.now() + 1500).toISOString() });
      await new Promise((r) => setTimeout(r, 1600));
      const res = await t.api().get('/api/v1/api-keys?status=expired').set(bearer(owner.token)).expect(200);
      expect(res.body.data.map((k: { id: string }) => k.id)).toEqual([key.id]);
      const get = await t.api().get(`/api/v1/api-keys/${key.id}`).set(bearer(owner.token)).expect(200);
      expect(get.body.status).toBe('expired');
    });

    it.each([
      [{ scopes: ['agents:read'] }, 'name'],
      [{ name: '   ', scopes: ['agents:read'] }, 'name'],
      [{ name: 'x'.repeat(101), scopes: ['agents:read'] }, 'name'],
      [{ name: 'k' }, 'scopes'],
      [{ name: 'k', scopes: [] }, 'scopes'],
      [{ name: 'k', scopes: 'agents:read' }, 'scopes'],
      [{ name: 'k', scopes: ['agents:read', 7] }, 'scope'],
      [{ name: 'k', scopes: ['agents:read'], rate_limit: 0 }, 'rate_limit'],
      [{ name: 'k', scopes: ['agents:read'], rate_limit: 1_000_001 }, 'rate_limit'],
      [{ name: 'k', scopes: ['agents:read'], rate_limit: 1.5 }, 'rate_limit'],
      [{ name: 'k', scopes: ['agents:read'], rate_limit: '100' }, 'rate_limit'],
      [{ name: 'k', scopes: ['agents:read'], expires_at: '2020-01-01T00:00:00Z' }, 'expires_at must be in the future'],
      [{ name: 'k', scopes: ['agents:read'], expires_at: '2999-01-01T00:00:00' }, 'time zone'],
      [{ name: 'k', scopes: ['agents:read'], expires_at: 'tomorrow' }, 'expires_at'],
      [{ name: 'k', scopes: ['agents:read'], expires_at: '2999-02-30T00:00:00Z' }, 'expires_at'],
      [{ name: 'k', scopes: ['agents:read'], owner: 'me' }, 'owner'],
    ])('rejects %j with 400 naming %s, and writes nothing', async (body, field) => {
      const owner = await registerOrg(t);
      const res = await t.api().post('/api/v1/api-keys').set(bearer(owner.token)).send(body).expect(400);
      expect(res.body).toEqual({ statusCode: 400, error: 'Bad Request', message: expect.stringContaining(field) });
      const list = await t.api().get('/api/v1/api-keys').set(bearer(owner.token)).expect(200);
      expect(list.body.data).toEqual([]);
    });

    it('names an unknown scope and lists the valid ones', async () => {
      const owner = await registerOrg(t);
      const res = await t
        .api()
        .post('/api/v1/api-keys')
        .set(bearer(owner.token))
        .send({ name: 'k', scopes: ['agents:read', 'agent:read'] })
        .expect(400);
      expect(res.body.message).toContain('"agent:read"');
      for (const scope of VALID_SCOPES) expect(res.body.message).toContain(scope);
    });

    it.each([
      ['?status=gone', 'status'],
      ['?limit=0', 'limit'],
      ['?limit=101', 'limit'],
      ['?limit=abc', 'limit'],
      ['?cursor=%%%', 'cursor'],
      ['?cursor=bm9wZQ', 'cursor'],
    ])('rejects list query %s with 400', async (query, field) => {
      const owner = await registerOrg(t);
      const res = await t.api().get(`/api/v1/api-keys${query}`).set(bearer(owner.token)).expect(400);
      expect(res.body.message).toContain(field);
    });

    it('answers a malformed id with 400 and an unknown id with 404', async () => {
      const owner = await registerOrg(t);
      for (const path of ['', '/usage']) {
        await t.api().get(`/api/v1/api-keys/not-a-uuid${path}`).set(bearer(owner.token)).expect(400);
        await t.api().get(`/api/v1/api-keys/${randomUUID()}${path}`).set(bearer(owner.token)).expect(404);
      }
      await t.api().delete('/api/v1/api-keys/not-a-uuid').set(bearer(owner.token)).expect(400);
      await t.api().delete(`/api/v1/api-keys/${randomUUID()}`).set(bearer(owner.token)).expect(404);
    });

    it("treats another organization's key as not found, and leaves it working", async () => {
      const owner = await registerOrg(t);
      const other = await registerOrg(t, 'Other');
      const theirs = await createKey(t, other);
      const notFound = await t.api().get(`/api/v1/api-keys/${randomUUID()}`).set(bearer(owner.token)).expect(404);
      for (const req of [
        t.api().get(`/api/v1/api-keys/${theirs.id}`),
        t.api().get(`/api/v1/api-keys/${theirs.id}/usage`),
        t.api().delete(`/api/v1/api-keys/${theirs.id}`),
      ]) {
        const res = await req.set(bearer(owner.token)).expect(404);
        expect(res.body).toEqual(notFound.body);
      }
      const list = await t.api().get('/api/v1/api-keys').set(bearer(owner.token)).expect(200);
      expect(list.body.data).toEqual([]);
      await t.api().get('/api/v1/agents').set('X-API-Key', theirs.key).expect(200);
    });
  });

  describe('roles', () => {
    it('lets a developer create keys and revoke only their own', async () => {
      const owner = await registerOrg(t);
      const dev = await addMember(t, owner, 'developer');
      const ownersKey = await createKey(t, owner);
      const devKey = await createKey(t, dev);
      const res = await t.api().delete(`/api/v1/api-keys/${ownersKey.id}`).set(bearer(dev.token)).expect(403);
      expect(res.body.message).toContain('Developers');
      await t.api().delete(`/api/v1/api-keys/${devKey.id}`).set(bearer(dev.token)).expect(204);
    });

    it('lets an admin revoke any key of the organization', async () => {
      const owner = await registerOrg(t);
      const admin = await addMember(t, owner, 'admin');
      const ownersKey = await createKey(t, owner);
      await createKey(t, admin);
      await t.api().delete(`/api/v1/api-keys/${ownersKey.id}`).set(bearer(admin.token)).expect(204);
    });

    it('lets a viewer read but not create or revoke', async () => {
      const owner = await registerOrg(t);
      const viewer = await addMember(t, owner, 'viewer');
      const key = await createKey(t, owner);
      await t.api().get('/api/v1/api-keys/scopes').set(bearer(viewer.token)).expect(200);
      await t.api().get('/api/v1/api-keys').set(bearer(viewer.token)).expect(200);
      await t.api().get(`/api/v1/api-keys/${key.id}`).set(bearer(viewer.token)).expect(200);
      await t.api().get(`/api/v1/api-keys/${key.id}/usage`).set(bearer(viewer.token)).expect(200);
      const create = await t
        .api()
        .post('/api/v1/api-keys')
        .set(bearer(viewer.token))
        .send({ name: 'k', scopes: ['agents:read'] })
        .expect(403);
      expect(create.body.message).toContain('viewer');
      await t.api().delete(`/api/v1/api-keys/${key.id}`).set(bearer(viewer.token)).expect(403);
      const after = await t.api().get(`/api/v1/api-keys/${key.id}`).set(bearer(owner.token)).expect(200);
      expect(after.body.status).toBe('active');
    });

    it('refuses API keys on key management, organization and member routes', async () => {
      const owner = await registerOrg(t);
      const key = await createKey(t, owner, { scopes: VALID_SCOPES });
      const routes = [
        t.api().get('/api/v1/api-keys'),
        t.api().get('/api/v1/api-keys/scopes'),
        t.api().post('/api/v1/api-keys').send({ name: 'k', scopes: ['agents:read'] }),
        t.api().get(`/api/v1/api-keys/${key.id}`),
        t.api().delete(`/api/v1/api-keys/${key.id}`),
        t.api().get(`/api/v1/api-keys/${key.id}/usage`),
        t.api().get('/api/v1/organizations/current'),
        t.api().get('/api/v1/organizations/current/members'),
        t.api().get('/api/v1/auth/me'),
      ];
      for (const req of routes) {
        const res = await req.set('X-API-Key', key.key).expect(403);
        expect(res.body.message).toContain('API keys cannot call this route');
      }
    });
  });

  describe('using a key', () => {
    it('calls a protected route with either header', async () => {
      const owner = await registerOrg(t);
      const key = await createKey(t, owner);
      await t.api().get('/api/v1/agents').set('Authorization', `Bearer ${key.key}`).expect(200);
      await t.api().get('/api/v1/agents').set('X-API-Key', key.key).expect(200);
    });

    it('refuses a route the key has no scope for, naming the scope', async () => {
      const owner = await registerOrg(t);
      const key = await createKey(t, owner);
      const res = await t.api().post('/api/v1/agents').set('X-API-Key', key.key).send({ name: 'a' }).expect(403);
      expect(res.body.message).toContain('agents:write');
    });

    it('lets :write include :read', async () => {
      const owner = await registerOrg(t);
      const key = await createKey(t, owner, { scopes: ['deployments:write'] });
      await t.api().get('/api/v1/deployments').set('X-API-Key', key.key).expect(200);
    });

    it('acts only inside its organization', async () => {
      const owner = await registerOrg(t);
      const other = await registerOrg(t, 'Other');
      const agent = await t.api().post('/api/v1/agents').set(bearer(other.token)).send({ name: 'theirs' }).expect(201);
      const key = await createKey(t, owner, { scopes: ['agents:write'] });
      await t.api().get(`/api/v1/agents/${agent.body.id}`).set('X-API-Key', key.key).expect(404);
      const list = await t.api().get('/api/v1/agents').set('X-API-Key', key.key).expect(200);
      expect(list.body.data).toEqual([]);
      const mine = await t.api().post('/api/v1/agents').set('X-API-Key', key.key).send({ name: 'mine' }).expect(201);
      const ownersView = await t.api().get(`/api/v1/agents/${mine.body.id}`).set(bearer(owner.token)).expect(200);
      expect(ownersView.body.name).toBe('mine');
    });

    it('answers missing credentials with 401 and WWW-Authenticate', async () => {
      const res = await t.api().get('/api/v1/agents').expect(401);
      expect(res.headers['www-authenticate']).toBeDefined();
      expect(res.body).toEqual({ statusCode: 401, error: 'Unauthorized', message: expect.any(String) });
    });

    it.each([
      ['sk_live_short'],
      ['sk_live_ABCDEFGH_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'],
      ['sk_live_abcdefgh_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!'],
      ['sk_test_abcdefgh_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'],
      ['sk_live_abcdefgh_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'],
    ])('refuses the malformed key %s with 401 and does not echo it', async (bad) => {
      const res = await t.api().get('/api/v1/agents').set('X-API-Key', bad).expect(401);
      expect(res.body.message).toBe('API key is malformed');
      expect(JSON.stringify(res.body)).not.toContain(bad);
    });

    it('refuses an unknown key and a wrong secret with 401', async () => {
      const owner = await registerOrg(t);
      const key = await createKey(t, owner);
      const unknown = forgeKey('sk_live_zzzzzzzz', 'A', 'A');
      const wrongSecret = forgeKey(key.key_prefix, 'B', 'B');
      // ...and a key whose checksum fails, refused before any lookup with the same answer.
      const brokenChecksum = key.key.slice(0, 17) + 'B'.repeat(32);
      for (const bad of [unknown, wrongSecret, brokenChecksum]) {
        const res = await t.api().get('/api/v1/agents').set('Authorization', `Bearer ${bad}`).expect(401);
        expect(res.body.message).toBe('API key is invalid');
        expect(res.headers['www-authenticate']).toBeDefined();
      }
    });

    it('refuses two different credentials at once with 400', async () => {
      const owner = await registerOrg(t);
      const key = await createKey(t, owner);
      await t.api().get('/api/v1/agents').set(bearer(owner.token)).set('X-API-Key', key.key).expect(400);
    });

    it('refuses a revoked key at once, saying it was revoked; revoking again is 204', async () => {
      const owner = await registerOrg(t);
      const key = await createKey(t, owner);
      await t.api().get('/api/v1/agents').set('X-API-Key', key.key).expect(200);
      await t.api().delete(`/api/v1/api-keys/${key.id}`).set(bearer(owner.token)).expect(204);
      const res = await t.api().get('/api/v1/agents').set('X-API-Key', key.key).expect(401);
      expect(res.body.message).toContain('revoked');
      await t.api().delete(`/api/v1/api-keys/${key.id}`).set(bearer(owner.token)).expect(204);
      const get = await t.api().get(`/api/v1/api-keys/${key.id}`).set(bearer(owner.token)).expect(200);
      expect(get.body).toMatchObject({ status: 'revoked', revoked_at: expect.any(String) });
    });

    it('refuses an expired key, saying it expired', async () => {
      const owner = await registerOrg(t);
      const key = await createKey(t, owner, { expires_at: new Date(Date.now() + 1500).toISOString() });
      await t.api().get('/api/v1/agents').set('X-API-Key', key.key).expect(200);
      await new Promise((r) => setTimeout(r, 1600));
      const res = await t.api().get('/api/v1/agents').set('X-API-Key', key.key).expect(401);
      expect(res.body.message).toContain('expired');
    });
  });

  describe('rate limit and usage', () => {
    it('reports an unused window as full', async () => {
      const owner = await registerOrg(t);
      const key = await createKey(t, owner, { rate_limit: 7 });
      const res = await t.api().get(`/api/v1/api-keys/${key.id}/usage`).set(bearer(owner.token)).expect(200);
      expect(res.body).toMatchObject({ key_id: key.id, request_count: 0, rate_limit: 7, remaining: 7 });
      expect(Date.parse(res.body.reset_at) - Date.parse(res.body.window_start)).toBe(60_000);
    });

    it('counts requests across routes, sends X-RateLimit-* headers, then 429 with Retry-After', async () => {
      const owner = await registerOrg(t);
      const key = await createKey(t, owner, { rate_limit: 3, scopes: ['agents:read', 'deployments:read'] });
      const first = await t.api().get('/api/v1/agents').set('X-API-Key', key.key).expect(200);
      expect(first.headers['x-ratelimit-limit']).toBe('3');
      expect(first.headers['x-ratelimit-remaining']).toBe('2');
      expect(Number(first.headers['x-ratelimit-reset'])).toBeGreaterThan(0);
      expect(Number(first.headers['x-ratelimit-reset'])).toBeLessThanOrEqual(60);
      await t.api().get('/api/v1/deployments').set('X-API-Key', key.key).expect(200);
      // A scope refusal still counts and still carries the headers.
      const forbidden = await t.api().post('/api/v1/agents').set('X-API-Key', key.key).send({ name: 'a' }).expect(403);
      expect(forbidden.headers['x-ratelimit-remaining']).toBe('0');
      const limited = await t.api().get('/api/v1/agents').set('X-API-Key', key.key).expect(429);
      expect(limited.body).toEqual({ statusCode: 429, error: 'Too Many Requests', message: expect.stringContaining('3 requests per minute') });
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      expect(limited.headers['x-ratelimit-limit']).toBe('3');
      expect(limited.headers['x-ratelimit-remaining']).toBe('0');
      await t.api().get('/api/v1/agents').set('X-API-Key', key.key).expect(429);

      const usage = await t.api().get(`/api/v1/api-keys/${key.id}/usage`).set(bearer(owner.token)).expect(200);
      expect(usage.body).toMatchObject({ key_id: key.id, request_count: 5, rate_limit: 3, remaining: 0 });
      expect(Date.parse(usage.body.reset_at) - Date.parse(usage.body.window_start)).toBe(60_000);
      expect(Date.parse(usage.body.window_start)).toBeLessThanOrEqual(Date.now());
    });

    it('does not limit one key by another key’s traffic', async () => {
      const owner = await registerOrg(t);
      const a = await createKey(t, owner, { rate_limit: 1 });
      const b = await createKey(t, owner, { rate_limit: 1 });
      await t.api().get('/api/v1/agents').set('X-API-Key', a.key).expect(200);
      await t.api().get('/api/v1/agents').set('X-API-Key', a.key).expect(429);
      await t.api().get('/api/v1/agents').set('X-API-Key', b.key).expect(200);
    });
  });

  describe('secrecy', () => {
    it('stores only a bcrypt hash: no column of any row holds the plain key', async () => {
      const owner = await registerOrg(t);
      const key = await createKey(t, owner);
      await t.api().get('/api/v1/agents').set('X-API-Key', key.key).expect(200);
      const ds = t.app.get(DataSource);
      const [row] = await ds.query('SELECT * FROM api_keys WHERE id = $1', [key.id]);
      expect(row.key_hash).toMatch(/^\$2[aby]\$\d{2}\$/);
      expect(JSON.stringify(row)).not.toContain(key.key);
      expect(JSON.stringify(row)).not.toContain(key.key.slice(17));
      const tables: { table_name: string }[] = await ds.query(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'",
      );
      for (const { table_name } of tables) {
        const rows = await ds.query(`SELECT * FROM "${table_name}"`);
        expect(JSON.stringify(rows)).not.toContain(key.key.slice(17));
      }
    });
  });
});
