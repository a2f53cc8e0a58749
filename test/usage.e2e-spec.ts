import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { UsageRecorder } from '../src/api-keys/usage/usage-recorder';
import { createDataSource } from '../src/database/data-source-options';
import { bearer, createKey, registerOrg } from './helpers/fixtures';
import { withEnv } from './helpers/env';
import { startServerProcess } from './helpers/server-process';
import { startTestApp, TestApp } from './helpers/test-app';

/** A database both a test app and a later reader can open: DATABASE_URL, or an embedded one on disk. */
function sharedDatabase(): { env: Record<string, string | undefined>; open: () => Promise<DataSource> } {
  if (process.env.DATABASE_URL) {
    return {
      env: {},
      open: () => createDataSource({ DATABASE_URL: process.env.DATABASE_URL, PGLITE_DATA_DIR: 'memory://' }).then((ds) => ds.initialize()),
    };
  }
  const dir = mkdtempSync(join(tmpdir(), 'kaizen-usage-'));
  return {
    env: { PGLITE_DATA_DIR: dir },
    open: () => createDataSource({ PGLITE_DATA_DIR: dir }).then((ds) => ds.initialize()),
  };
}

async function storedUsage(ds: DataSource, keyId: string) {
  const [usage] = await ds.query(
    'SELECT COALESCE(SUM(request_count), 0)::int AS served, COALESCE(SUM(refused_count), 0)::int AS refused FROM api_key_usage WHERE key_id = $1',
    [keyId],
  );
  const [key] = await ds.query('SELECT last_used_at FROM api_keys WHERE id = $1', [keyId]);
  return { ...usage, lastUsedAt: key.last_used_at as Date | null };
}

describe('usage recording (e2e)', () => {
  it('stores every counted request when the app is closed, without a write per request', async () => {
    const db = sharedDatabase();
    const t = await withEnv({ ...db.env, USAGE_FLUSH_MS: '60000' }, () => startTestApp());
    const owner = await registerOrg(t);
    const key = await createKey(t, owner, { rate_limit: 30 });
    const query = jest.spyOn(t.app.get(DataSource), 'query');
    const statuses = await Promise.all(
      Array.from({ length: 37 }, () => t.api().get('/api/v1/agents').set('X-API-Key', key.key)),
    ).then((all) => all.map((r) => r.status));
    expect(statuses.filter((s) => s === 200)).toHaveLength(30);
    expect(statuses.filter((s) => s === 429)).toHaveLength(7);
    const usageWrites = query.mock.calls.filter(([sql]) => /api_key_usage|last_used_at/.test(String(sql)));
    expect(usageWrites).toHaveLength(0);
    query.mockRestore();
    await t.close();

    const ds = await db.open();
    try {
      const stored = await storedUsage(ds, key.id);
      expect(stored).toMatchObject({ served: 30, refused: 7 });
      expect(stored.lastUsedAt).toBeInstanceOf(Date);
    } finally {
      await ds.destroy();
    }
  });

  it('flushes on SIGTERM: the compiled server stops accepting, writes its counts, then exits', async () => {
    const db = sharedDatabase();
    const server = await startServerProcess({ ...db.env, USAGE_FLUSH_MS: '60000', LOG_LEVEL: 'warn' });
    const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${server.baseUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, string> }));
    let keyId: string;
    try {
      const reg = await post('/api/v1/auth/register', {
        email: `sigterm-${Date.now()}@example.com`,
        password: 'correct-horse-9',
        name: 'S',
        organization_name: 'S',
      });
      const key = await post(
        '/api/v1/api-keys',
        { name: 'k', scopes: ['agents:read'] },
        { authorization: `Bearer ${reg.body.access_token}` },
      );
      keyId = key.body.id;
      for (let i = 0; i < 25; i++) {
        const res = await fetch(`${server.baseUrl}/api/v1/agents`, { headers: { 'x-api-key': key.body.key } });
        expect(res.status).toBe(200);
      }
    } finally {
      // Nest re-raises the signal after shutting down cleanly.
      const exit = await server.terminate();
      expect(exit.code === 0 || exit.signal === 'SIGTERM').toBe(true);
      expect(server.output()).not.toMatch(/error/i);
    }
    const ds = await db.open();
    try {
      expect(await storedUsage(ds, keyId!)).toMatchObject({ served: 25, refused: 0 });
    } finally {
      await ds.destroy();
    }
  });
});

describe('usage history, metrics and unused keys (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('returns hourly and daily buckets of served and refused requests, stored or pending', async () => {
    const owner = await registerOrg(t);
    const key = await createKey(t, owner, { rate_limit: 4 });
    for (let i = 0; i < 6; i++) await t.api().get('/api/v1/agents').set('X-API-Key', key.key);
    const hourStart = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000).toISOString();
    const pending = await t.api().get(`/api/v1/api-keys/${key.id}/usage/history`).set(bearer(owner.token)).expect(200);
    expect(pending.body).toEqual({ data: [{ bucket_start: hourStart, request_count: 4, refused_count: 2 }] });

    await t.app.get(UsageRecorder).flush();
    const hourly = await t.api().get(`/api/v1/api-keys/${key.id}/usage/history?granularity=hour`).set(bearer(owner.token)).expect(200);
    expect(hourly.body).toEqual(pending.body);
    const dayStart = `${hourStart.slice(0, 10)}T00:00:00.000Z`;
    const daily = await t
      .api()
      .get(`/api/v1/api-keys/${key.id}/usage/history?granularity=day`)
      .set(bearer(owner.token))
      .expect(200);
    expect(daily.body).toEqual({ data: [{ bucket_start: dayStart, request_count: 4, refused_count: 2 }] });
    const [{ last_used_at }] = await t.app.get(DataSource).query('SELECT last_used_at FROM api_keys WHERE id = $1', [key.id]);
    expect(last_used_at).toBeInstanceOf(Date);
    const get = await t.api().get(`/api/v1/api-keys/${key.id}`).set(bearer(owner.token)).expect(200);
    expect(get.body.last_used_at).toEqual(expect.any(String));
  });

  it.each([
    ['?granularity=week', 'granularity'],
    ['?from=yesterday', 'from'],
    ['?to=2024-01-01T00:00:00', 'to'],
    ['?from=2024-01-02T00:00:00Z&to=2024-01-01T00:00:00Z', 'from must be before to'],
    ['?granularity=hour&from=2024-01-01T00:00:00Z&to=2024-03-01T00:00:00Z', 'at most 31 days'],
  ])('rejects history query %s with 400', async (query, message) => {
    const owner = await registerOrg(t);
    const key = await createKey(t, owner);
    const res = await t.api().get(`/api/v1/api-keys/${key.id}/usage/history${query}`).set(bearer(owner.token)).expect(400);
    expect(res.body.message).toContain(message);
  });

  it("keeps another organization's key history a 404", async () => {
    const owner = await registerOrg(t);
    const other = await registerOrg(t);
    const theirs = await createKey(t, other);
    await t.api().get(`/api/v1/api-keys/${theirs.id}/usage/history`).set(bearer(owner.token)).expect(404);
  });

  it("adds the organization's request totals to the metrics", async () => {
    const owner = await registerOrg(t);
    const key = await createKey(t, owner, { rate_limit: 2, scopes: ['metrics:read', 'agents:read'] });
    for (let i = 0; i < 3; i++) await t.api().get('/api/v1/agents').set('X-API-Key', key.key);
    await t.app.get(UsageRecorder).flush();
    const other = await registerOrg(t);
    const metrics = await t.api().get('/api/v1/metrics').set(bearer(owner.token)).expect(200);
    expect(metrics.body.requests).toEqual({ request_count: 2, refused_count: 1 });
    const theirs = await t.api().get('/api/v1/metrics').set(bearer(other.token)).expect(200);
    expect(theirs.body.requests).toEqual({ request_count: 0, refused_count: 0 });
  });

  it('lists keys unused for N days', async () => {
    const owner = await registerOrg(t);
    const old = await createKey(t, owner, { name: 'old' });
    const used = await createKey(t, owner, { name: 'used' });
    const fresh = await createKey(t, owner, { name: 'fresh' });
    const ds = t.app.get(DataSource);
    await ds.query("UPDATE api_keys SET created_at = now() - interval '40 days' WHERE id = ANY($1)", [[old.id, used.id]]);
    await ds.query("UPDATE api_keys SET last_used_at = now() - interval '2 days' WHERE id = $1", [used.id]);
    const res = await t.api().get('/api/v1/api-keys?unused_for_days=30').set(bearer(owner.token)).expect(200);
    expect(res.body.data.map((k: { id: string }) => k.id)).toEqual([old.id]);
    const week = await t.api().get('/api/v1/api-keys?unused_for_days=1').set(bearer(owner.token)).expect(200);
    expect(week.body.data.map((k: { id: string }) => k.id).sort()).toEqual([old.id, used.id].sort());
    expect(week.body.data.map((k: { id: string }) => k.id)).not.toContain(fresh.id);
    await t.api().get('/api/v1/api-keys?unused_for_days=0').set(bearer(owner.token)).expect(400);
  });
});
