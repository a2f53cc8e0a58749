import { eventually } from './helpers/env';
import { rawRequest } from './helpers/raw-request';
import { startServerProcess, ServerProcess } from './helpers/server-process';

/**
 * A PATCH made through one instance reaches the others within a second: two compiled servers share
 * PostgreSQL and Redis (the PostgreSQL + Redis run: DATABASE_URL and REDIS_URL, and this file's
 * REDIS_NAMESPACE, so they are one cluster); skipped without them. Instance B has the key cached
 * (verified and fresh for KEY_CACHE_FRESH_MS, 5 s), so only the change event can tell it in time.
 */
const shared = Boolean(process.env.DATABASE_URL && process.env.REDIS_URL);

(shared ? describe : describe.skip)('a PATCH on one instance, seen by another (e2e, compiled servers)', () => {
  let a: ServerProcess;
  let b: ServerProcess;
  beforeAll(async () => {
    // One after the other: the first applies the migrations.
    a = await startServerProcess({ LOG_LEVEL: 'warn' });
    b = await startServerProcess({ LOG_LEVEL: 'warn' });
  }, 120_000);
  afterAll(async () => {
    await Promise.all([a?.terminate(), b?.terminate()]);
  });

  const call = async (server: ServerProcess, method: string, path: string, headers: Record<string, string>, body?: unknown) => {
    const res = await fetch(`${server.baseUrl}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json().catch(() => null)) as Record<string, unknown> };
  };

  async function ownerAndKey(body: Record<string, unknown>) {
    const owner = await call(a, 'POST', '/api/v1/auth/register', {}, {
      email: `keyedit-${Date.now()}-${Math.random()}@example.com`,
      password: 'correct-horse-9',
      name: 'Owner',
      organization_name: 'Two instances',
    });
    expect(owner.status).toBe(201);
    const auth = { authorization: `Bearer ${owner.body.access_token as string}` };
    const key = await call(a, 'POST', '/api/v1/api-keys', auth, { name: 'shared', ...body });
    expect(key.status).toBe(201);
    return { auth, id: key.body.id as string, key: { 'x-api-key': key.body.key as string } };
  }

  /** Milliseconds from the PATCH's answer on A until B answers `status` (or -1 if not within 1 s). */
  async function reachesB(patch: () => Promise<{ status: number }>, request: () => Promise<{ status: number }>, status: number): Promise<number> {
    expect((await patch()).status).toBe(200);
    const start = Date.now();
    const seen = await eventually(async () => (await request()).status === status, 1000, 10);
    return seen ? Date.now() - start : -1;
  }

  it('disables, re-enables and narrows the scopes of a key cached on B within 1 s', async () => {
    const { auth, id, key } = await ownerAndKey({ scopes: ['agents:write'] });
    const readOnB = () => call(b, 'GET', '/api/v1/agents', key);
    const writeOnB = () => call(b, 'POST', '/api/v1/agents', key, { name: 'agent' });
    expect((await readOnB()).status).toBe(200);
    expect((await writeOnB()).status).toBe(201);

    const disabled = await reachesB(() => call(a, 'PATCH', `/api/v1/api-keys/${id}`, auth, { enabled: false }), readOnB, 401);
    expect((await readOnB()).body.message).toBe('API key is disabled');
    const enabled = await reachesB(() => call(a, 'PATCH', `/api/v1/api-keys/${id}`, auth, { enabled: true }), readOnB, 200);
    const narrowed = await reachesB(() => call(a, 'PATCH', `/api/v1/api-keys/${id}`, auth, { scopes: ['agents:read'] }), writeOnB, 403);
    expect((await writeOnB()).body.message).toBe("Missing scope 'agents:write'");
    const limited = await reachesB(
      () => call(a, 'PATCH', `/api/v1/api-keys/${id}`, auth, { ip_allowlist: ['127.0.0.2'] }),
      () => rawRequest(b.baseUrl, 'GET', '/api/v1/agents', { headers: key, localAddress: '127.0.0.3' }),
      403,
    );
    expect((await rawRequest(b.baseUrl, 'GET', '/api/v1/agents', { headers: key, localAddress: '127.0.0.2' })).status).toBe(200);
    console.info(`PATCH seen by the other instance after (ms): disable ${disabled}, enable ${enabled}, scopes ${narrowed}, allow-list ${limited}`);
    for (const ms of [disabled, enabled, narrowed, limited]) {
      expect(ms).toBeGreaterThanOrEqual(0);
      expect(ms).toBeLessThanOrEqual(1000);
    }
  });

  it('reads the key’s current state when B first meets it through the cluster verifier', async () => {
    const { auth, id, key } = await ownerAndKey({ scopes: ['agents:read'], metadata: { team: 'a' } });
    // Created on A: its verifier is in Redis, B has never seen it. Disabled before B's first use.
    expect((await call(a, 'PATCH', `/api/v1/api-keys/${id}`, auth, { enabled: false })).status).toBe(200);
    const first = await call(b, 'GET', '/api/v1/agents', key);
    expect(first).toMatchObject({ status: 401, body: { message: 'API key is disabled' } });
    expect((await call(a, 'PATCH', `/api/v1/api-keys/${id}`, auth, { enabled: true })).status).toBe(200);
    expect((await call(b, 'GET', '/api/v1/agents', key)).status).toBe(200);
  });
});
