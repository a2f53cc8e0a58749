import type { INestApplication } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { createApp } from '../src/app.factory';
import { KaizenApiError, KaizenClient, KaizenTimeoutError } from './src';

// The SDK against a real server on a free port: the app as main.ts builds it, on DATABASE_URL or
// the embedded database.
let app: INestApplication;
let baseUrl: string;
/** The organization owner's client (a user token): manages keys and creates resources. */
let owner: KaizenClient;

beforeAll(async () => {
  app = await createApp();
  await app.listen(0, '127.0.0.1');
  baseUrl = await app.getUrl();
  const session = await new KaizenClient({ baseUrl }).auth.register({
    email: `owner-${randomUUID()}@example.com`,
    password: 'correct-horse-9',
    name: 'Owner',
    organization_name: 'Acme',
  });
  owner = new KaizenClient({ accessToken: session.access_token, baseUrl });
});

afterAll(async () => {
  await app?.close();
});

/** The KaizenApiError `promise` rejects with (fails if it resolves or rejects with anything else). */
async function apiError(promise: Promise<unknown>): Promise<KaizenApiError> {
  const outcome = await promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  if (!('error' in outcome)) throw new Error(`expected a KaizenApiError, got ${JSON.stringify(outcome.value)}`);
  expect(outcome.error).toBeInstanceOf(KaizenApiError);
  return outcome.error as KaizenApiError;
}

/** A new key's client, as an API caller would build it. */
async function keyClient(body: Parameters<KaizenClient['apiKeys']['create']>[0]) {
  const created = await owner.apiKeys.create(body);
  return { created, client: new KaizenClient({ apiKey: created.key, baseUrl }) };
}

describe('KaizenClient with an API key', () => {
  it("lists the organization's agents, as in the README", async () => {
    const agent = await owner.agents.create({ name: 'Support triage', model: 'gpt-4o' });
    const { key } = await owner.apiKeys.create({ name: 'CI/CD Pipeline', scopes: ['agents:read', 'deployments:write'] });

    const client = new KaizenClient({ apiKey: key, baseUrl });
    const agents = await client.agents.list();

    expect(agents.data).toContainEqual(agent);
    expect(agents.next_cursor).toBeNull();
    await expect(client.agents.get(agent.id)).resolves.toEqual(agent);
  });

  it('throws KaizenApiError 403 naming the missing scope', async () => {
    const { client } = await keyClient({ name: 'reader', scopes: ['agents:read', 'deployments:write'] });
    const err = await apiError(client.agents.create({ name: 'Not allowed' }));
    expect(err).toMatchObject({ name: 'KaizenApiError', status: 403, error: 'Forbidden' });
    expect(err.message).toContain('agents:write');
    expect(err.requestId).toEqual(expect.any(String));
    expect(err.body).toMatchObject({ statusCode: 403, error: 'Forbidden' });
    expect(err.retryAfter).toBeUndefined();
  });

  it('throws KaizenApiError 429 with retryAfter and the rate-limit window once over the limit', async () => {
    const { client } = await keyClient({ name: 'slow', scopes: ['agents:read'], rate_limit: 1 });
    await client.agents.list();
    const err = await apiError(client.agents.list());
    expect(err.status).toBe(429);
    expect(err.error).toBe('Too Many Requests');
    expect(err.message).toMatch(/rate limit/i);
    expect(err.retryAfter).toBeGreaterThan(0);
    expect(err.retryAfter).toBeLessThanOrEqual(60);
    expect(err.rateLimit).toEqual({ limit: 1, remaining: 0, reset: expect.any(Number) });
  });

  it('throws 404 for an id that does not exist and 401 for an unknown key', async () => {
    const { client } = await keyClient({ name: 'reader', scopes: ['agents:read'] });
    const missing = await apiError(client.agents.get(randomUUID()));
    expect(missing).toMatchObject({ status: 404, error: 'Not Found', message: 'Agent not found' });

    const stranger = new KaizenClient({ apiKey: `sk_live_0000abcd_${'x'.repeat(32)}`, baseUrl });
    await expect(apiError(stranger.agents.list())).resolves.toMatchObject({ status: 401, error: 'Unauthorized' });
  });

  it('creates, reads, lists, updates and deletes every resource, and reads metrics', async () => {
    const scopes = await owner.apiKeys.scopes();
    const { client } = await keyClient({ name: 'admin', scopes: scopes.data.map((s) => s.scope) });

    const agent = await client.agents.create({ name: 'Summarizer' });
    expect(await client.agents.update(agent.id, { status: 'inactive' })).toMatchObject({ id: agent.id, status: 'inactive' });

    const deployment = await client.deployments.create({ agent_id: agent.id, environment: 'staging', version: '1.0.0' });
    expect(await client.deployments.get(deployment.id)).toEqual(deployment);
    expect((await client.deployments.list({ limit: 10 })).data).toContainEqual(deployment);
    expect(await client.deployments.update(deployment.id, { status: 'running' })).toMatchObject({ status: 'running' });

    const pipeline = await client.pipelines.create({ name: 'Nightly', steps: [{ name: 'fetch', action: 'http.get' }] });
    expect(await client.pipelines.get(pipeline.id)).toEqual(pipeline);
    expect((await client.pipelines.list()).data).toContainEqual(pipeline);
    expect(await client.pipelines.update(pipeline.id, { steps: [] })).toMatchObject({ steps: [] });

    const gateway = await client.gateways.create({ name: 'EU edge', url: 'https://eu.gateway.example.com' });
    expect(await client.gateways.get(gateway.id)).toEqual(gateway);
    expect((await client.gateways.list()).data).toContainEqual(gateway);
    expect(await client.gateways.update(gateway.id, { name: 'EU edge 2' })).toMatchObject({ name: 'EU edge 2' });

    const metrics = await client.metrics.get();
    expect(metrics.resources).toMatchObject({ deployments: 1, pipelines: 1, gateways: 1 });
    expect(metrics.resources.agents).toBeGreaterThanOrEqual(1);
    expect(metrics.requests.request_count).toBeGreaterThan(0);

    await expect(client.deployments.delete(deployment.id)).resolves.toBeUndefined();
    await expect(client.pipelines.delete(pipeline.id)).resolves.toBeUndefined();
    await expect(client.gateways.delete(gateway.id)).resolves.toBeUndefined();
    await expect(client.agents.delete(agent.id)).resolves.toBeUndefined();
    for (const gone of [
      client.agents.get(agent.id),
      client.deployments.get(deployment.id),
      client.pipelines.get(pipeline.id),
      client.gateways.get(gateway.id),
    ]) {
      expect((await apiError(gone)).status).toBe(404);
    }
  });
});

describe('KaizenClient with a user token: apiKeys', () => {
  it('creates, lists, reads, reports usage of, rotates and revokes a key', async () => {
    const created = await owner.apiKeys.create({ name: 'deployer', scopes: ['agents:read'], rate_limit: 50 });
    expect(created.key).toMatch(/^sk_live_/);
    const old = new KaizenClient({ apiKey: created.key, baseUrl });
    await old.agents.list();

    expect((await owner.apiKeys.list({ status: 'active', limit: 100 })).data.map((k) => k.id)).toContain(created.id);
    expect(await owner.apiKeys.get(created.id)).toMatchObject({ id: created.id, name: 'deployer', status: 'active' });
    expect(await owner.apiKeys.usage(created.id)).toMatchObject({ key_id: created.id, rate_limit: 50 });
    expect(await owner.apiKeys.usageHistory(created.id, { granularity: 'hour' })).toEqual(expect.any(Object));

    const rotated = await owner.apiKeys.rotate(created.id, { grace_period_seconds: 0 });
    expect(rotated).toMatchObject({ name: 'deployer', scopes: ['agents:read'], rate_limit: 50 });
    expect(rotated.rotated_from).toMatchObject({ id: created.id, key_prefix: created.key_prefix });
    expect((await apiError(old.agents.list())).status).toBe(401);
    const current = new KaizenClient({ apiKey: rotated.key, baseUrl });
    await current.agents.list();

    await expect(owner.apiKeys.revoke(rotated.id)).resolves.toBeUndefined();
    expect((await apiError(current.agents.list())).status).toBe(401);
    expect(await owner.apiKeys.get(rotated.id)).toMatchObject({ status: 'revoked' });
    expect((await apiError(owner.apiKeys.rotate(rotated.id))).status).toBe(409);
  });

  it('refuses key management with an API key', async () => {
    const { client } = await keyClient({ name: 'reader', scopes: ['agents:read'] });
    expect((await apiError(client.apiKeys.list())).status).toBe(403);
  });
});

describe('KaizenClient with a user token: organizations, members, auditLogs', () => {
  it('reads and renames the organization', async () => {
    const org = await owner.organizations.get();
    expect(org).toMatchObject({ id: expect.any(String), name: expect.any(String) });
    const renamed = await owner.organizations.update({ name: 'Acme Renamed' });
    expect(renamed).toMatchObject({ id: org.id, name: 'Acme Renamed' });
    expect(await owner.organizations.get()).toEqual(renamed);
  });

  it('adds, lists, changes and removes a member, and the audit log records it', async () => {
    const email = `dev-${randomUUID()}@example.com`;
    const added = await owner.members.add({ email, password: 'correct-horse-9', name: 'Dev', role: 'developer' });
    expect(added).toMatchObject({ user_id: expect.any(String), email, name: 'Dev', role: 'developer' });
    expect((await owner.members.list({ limit: 100 })).data).toContainEqual(added);

    expect(await owner.members.update(added.user_id, { role: 'viewer' })).toMatchObject({ user_id: added.user_id, role: 'viewer' });
    const dev = new KaizenClient({ baseUrl, accessToken: (await owner.auth.login({ email, password: 'correct-horse-9' })).access_token });
    expect((await apiError(dev.members.remove(added.user_id))).status).toBe(403);

    await expect(owner.members.remove(added.user_id)).resolves.toBeUndefined();
    expect((await owner.members.list({ limit: 100 })).data.map((m) => m.user_id)).not.toContain(added.user_id);
    expect((await apiError(owner.members.remove(added.user_id))).status).toBe(404);

    const log = await owner.auditLogs.list({ target_id: added.user_id, limit: 10 });
    expect(log.data.map((entry) => entry.action)).toEqual(['member.removed', 'member.role_changed', 'member.added']);
    expect((await owner.auditLogs.list({ action: 'member.removed', limit: 1 })).data[0]).toMatchObject({ target_id: added.user_id });
  });

  it('refuses organization, member and audit routes with an API key', async () => {
    const { client } = await keyClient({ name: 'reader', scopes: ['agents:read'] });
    for (const call of [client.organizations.get(), client.members.list(), client.auditLogs.list()]) {
      expect((await apiError(call)).status).toBe(403);
    }
  });
});

describe('KaizenClient auto-pagination', () => {
  it('listAll yields every item across pages in list order, fetching a page only when the loop needs it', async () => {
    const { created, client } = await keyClient({ name: 'pager', scopes: ['pipelines:write'] });
    for (let i = 0; i < 5; i++) await client.pipelines.create({ name: `step ${i}`, steps: [] });
    const everything = (await client.pipelines.list({ limit: 100 })).data.map((p) => p.id);
    expect(everything.length).toBeGreaterThanOrEqual(5);

    const requests: string[] = [];
    const counted = new KaizenClient({ apiKey: created.key, baseUrl, fetch: recording(requests) });
    const seen: string[] = [];
    for await (const pipeline of counted.pipelines.listAll({ limit: 2 })) seen.push(pipeline.id);
    expect(seen).toEqual(everything);
    expect(requests).toHaveLength(Math.ceil(everything.length / 2)); // the last page says next_cursor: null
    expect(requests[1]).toMatch(/cursor=/);

    requests.length = 0;
    for await (const pipeline of counted.pipelines.listAll({ limit: 2 })) {
      expect(pipeline.id).toBe(everything[0]);
      break;
    }
    expect(requests).toHaveLength(1);
  });

  it('pages every list: agents, deployments, gateways, apiKeys, members and auditLogs', async () => {
    const lists = [
      [owner.agents.listAll({ limit: 1 }), (await owner.agents.list({ limit: 100 })).data],
      [owner.deployments.listAll({ limit: 1 }), (await owner.deployments.list({ limit: 100 })).data],
      [owner.gateways.listAll({ limit: 1 }), (await owner.gateways.list({ limit: 100 })).data],
      [owner.apiKeys.listAll({ limit: 1 }), (await owner.apiKeys.list({ limit: 100 })).data],
      [owner.members.listAll({ limit: 1 }), (await owner.members.list({ limit: 100 })).data],
      [owner.auditLogs.listAll({ limit: 1 }), (await owner.auditLogs.list({ limit: 100 })).data],
    ] as const;
    for (const [iterator, firstPage] of lists) {
      const all: { id?: string; user_id?: string }[] = [];
      for await (const item of iterator) all.push(item as { id?: string; user_id?: string });
      // The same items in the same order; fields such as a key's last_used_at may move between the reads.
      const ids = (items: readonly unknown[]) => items.map((i) => (i as { id?: string; user_id?: string }).id ?? (i as { user_id?: string }).user_id);
      expect(ids(all)).toEqual(ids(firstPage));
      expect(ids(all).every(Boolean)).toBe(true);
    }
    expect((await owner.apiKeys.list({ limit: 100 })).data.length).toBeGreaterThan(1);
  });
});

describe('KaizenClient retries', () => {
  it('retries an idempotent call answered 429 after Retry-After when maxRetries is set', async () => {
    const { created } = await keyClient({ name: 'retry', scopes: ['agents:read'] });
    const requests: string[] = [];
    const client = new KaizenClient({ apiKey: created.key, baseUrl, maxRetries: 2, fetch: refusing([429, 503], requests) });
    const started = Date.now();
    await expect(client.agents.list()).resolves.toMatchObject({ data: expect.any(Array) });
    expect(requests).toEqual(['GET 429', 'GET 503', 'GET 200']);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900); // the 429 said Retry-After: 1
  });

  it('does not retry by default, nor a POST unless the call asks', async () => {
    const { created } = await keyClient({ name: 'retry-post', scopes: ['agents:write'] });
    const requests: string[] = [];
    const noRetries = new KaizenClient({ apiKey: created.key, baseUrl, fetch: refusing([503], requests) });
    expect((await apiError(noRetries.agents.list())).status).toBe(503);
    expect(requests).toEqual(['GET 503']);

    requests.length = 0;
    const client = new KaizenClient({ apiKey: created.key, baseUrl, maxRetries: 3, fetch: refusing([503], requests) });
    expect((await apiError(client.agents.create({ name: 'once' }))).status).toBe(503);
    expect(requests).toEqual(['POST 503']);
    expect((await client.agents.list({ limit: 100 })).data.map((a) => a.name)).not.toContain('once');

    requests.length = 0;
    const retried = new KaizenClient({ apiKey: created.key, baseUrl, fetch: refusing([503], requests) });
    await expect(retried.agents.create({ name: 'asked' }, { maxRetries: 1 })).resolves.toMatchObject({ name: 'asked' });
    expect(requests).toEqual(['POST 503', 'POST 201']);
  });

  it("throws the server's own 429 at once when its Retry-After is longer than maxRetryAfter", async () => {
    const { created } = await keyClient({ name: 'one-a-minute', scopes: ['agents:read'], rate_limit: 1 });
    const requests: string[] = [];
    const client = new KaizenClient({ apiKey: created.key, baseUrl, maxRetries: 3, maxRetryAfter: 1, fetch: recording(requests) });
    await client.agents.list();
    const err = await apiError(client.agents.list());
    expect(err).toMatchObject({ status: 429, rateLimit: { limit: 1, remaining: 0 } });
    expect(err.retryAfter).toBeGreaterThan(1);
    expect(requests).toHaveLength(2);
  });
});

describe('KaizenClient timeouts', () => {
  it('fails an attempt that outlasts the timeout with KaizenTimeoutError, and honours an abort signal', async () => {
    const { createServer } = await import('node:http');
    const silent = createServer(() => undefined); // accepts requests and never answers
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const silentUrl = `http://127.0.0.1:${(silent.address() as { port: number }).port}`;
    try {
      const client = new KaizenClient({ baseUrl: silentUrl, apiKey: 'sk_live_unused', timeout: 200 });
      const err = await client.metrics.get().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(KaizenTimeoutError);
      expect(err).toMatchObject({ timeout: 200, call: 'GET /api/v1/metrics' });

      const slower = new KaizenClient({ baseUrl: silentUrl, timeout: 60_000 });
      await expect(slower.metrics.get({ timeout: 100 })).rejects.toBeInstanceOf(KaizenTimeoutError);
      const aborted = await slower.metrics.get({ signal: AbortSignal.timeout(100) }).catch((e: unknown) => e);
      expect(aborted).not.toBeInstanceOf(KaizenTimeoutError);
      expect(aborted).toMatchObject({ name: 'TimeoutError' });
    } finally {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});

/** A fetch that records `METHOD status ?query` of each request it passes to the real server. */
function recording(log: string[]): typeof fetch {
  return async (input, init) => {
    const request = new Request(input, init);
    const response = await fetch(request);
    log.push(`${request.method} ${response.status} ${new URL(request.url).search}`.trim());
    return response;
  };
}

/**
 * A fetch standing in for an overloaded proxy: it answers the first requests with `statuses` (429 with
 * Retry-After: 1, 503 without it) before passing requests on to the real server.
 */
function refusing(statuses: number[], log: string[]): typeof fetch {
  const pending = [...statuses];
  return async (input, init) => {
    const request = new Request(input, init);
    const status = pending.shift();
    if (status !== undefined) {
      log.push(`${request.method} ${status}`);
      const headers: Record<string, string> = status === 429 ? { 'Retry-After': '1' } : {};
      return Response.json({ statusCode: status, error: 'Refused', message: 'try again' }, { status, headers });
    }
    const response = await fetch(request);
    log.push(`${request.method} ${response.status}`);
    return response;
  };
}

describe('KaizenClient transport', () => {
  it('sends requests through the fetch it is given', async () => {
    const seen: string[] = [];
    const client = new KaizenClient({
      baseUrl,
      fetch: (input, init) => {
        const request = new Request(input, init);
        seen.push(`${request.method} ${new URL(request.url).pathname} ${request.headers.get('x-api-key')}`);
        return fetch(request);
      },
      apiKey: 'sk_live_bad',
    });
    await apiError(client.agents.list());
    expect(seen).toEqual(['GET /api/v1/agents sk_live_bad']);
  });

  it('lets network failures through as they are', async () => {
    const closed = await createServerPort();
    const client = new KaizenClient({ baseUrl: `http://127.0.0.1:${closed}` });
    const err = await client.metrics.get().catch((e: unknown) => e);
    // fetch's own TypeError (from Node's realm, hence no toBeInstanceOf), not wrapped.
    expect(err).toMatchObject({ name: 'TypeError', message: 'fetch failed' });
    expect(err).not.toBeInstanceOf(KaizenApiError);
  });
});

/** A port nothing listens on: one the OS handed out and that was closed again. */
async function createServerPort(): Promise<number> {
  const { createServer } = await import('node:net');
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
