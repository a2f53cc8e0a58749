import type { Server } from 'node:http';
import { AuditService } from '../src/audit/audit.service';
import { UsageRecorder } from '../src/api-keys/usage/usage-recorder';
import { bearer, createKey, registerOrg } from './helpers/fixtures';
import { rawRequest } from './helpers/raw-request';
import { startTestApp, TestApp } from './helpers/test-app';

/**
 * Issue 13 item 4: a key with an allow-list works from the addresses on it and is refused (403)
 * from any other. Clients are told apart by the local address their socket is bound to (any
 * 127.x.y.z is this machine). The app listens dual-stack (`::`), as a default Node server does, so
 * it sees IPv4 clients as IPv4-mapped IPv6 addresses (`::ffff:127.0.0.2`).
 */
describe('IP allow-lists (e2e)', () => {
  let t: TestApp;
  let baseUrl: string;
  beforeAll(async () => {
    t = await startTestApp();
    await t.app.listen(0, '::');
    const { port } = (t.app.getHttpServer() as Server).address() as { port: number };
    baseUrl = `http://127.0.0.1:${port}`;
  });
  afterAll(() => t.close());

  const useFrom = (localAddress: string, key: string) =>
    rawRequest(baseUrl, 'GET', '/api/v1/agents', { headers: { 'x-api-key': key }, localAddress });

  it('lets an allow-listed key in from 127.0.0.2 and refuses it from 127.0.0.3: 403, denied usage, one audit entry', async () => {
    const owner = await registerOrg(t);
    const key = await createKey(t, owner, { scopes: ['agents:read'], rate_limit: 40, ip_allowlist: ['127.0.0.2/32'] });
    expect(key).toMatchObject({ ip_allowlist: ['127.0.0.2'] });

    expect((await useFrom('127.0.0.2', key.key)).status).toBe(200);
    const refused = await useFrom('127.0.0.3', key.key);
    expect(refused.status).toBe(403);
    expect(refused.json()).toEqual({ statusCode: 403, error: 'Forbidden', message: 'client address not allowed for this key' });

    // Many refusals at once: each 403 (the key is genuine: no address failure budget, no 429), and
    // none spends the key's rate limit of 40, so its owner keeps working.
    const burst = await Promise.all(Array.from({ length: 60 }, () => useFrom('127.0.0.3', key.key)));
    expect(burst.map((res) => res.status)).toEqual(burst.map(() => 403));
    expect((await useFrom('127.0.0.2', key.key)).status).toBe(200);

    await t.app.get(AuditService).settled();
    const audit = await t.api().get(`/api/v1/audit-logs?action=api_key.refused_address&target_id=${key.id}`).set(bearer(owner.token)).expect(200);
    expect(audit.body.data).toHaveLength(1);
    expect(audit.body.data[0]).toMatchObject({
      actor_type: 'api_key',
      actor_id: key.id,
      target_type: 'api_key',
      client_ip: '::ffff:127.0.0.3',
      metadata: { path: '/api/v1/agents', method: 'GET' },
    });

    await t.app.get(UsageRecorder).flush();
    const history = await t.api().get(`/api/v1/api-keys/${key.id}/usage/history`).set(bearer(owner.token)).expect(200);
    const totals = history.body.data.reduce(
      (sum: Record<string, number>, bucket: Record<string, number>) => ({ served: sum.served + bucket.served_count, denied: sum.denied + bucket.denied_count }),
      { served: 0, denied: 0 },
    );
    expect(totals).toEqual({ served: 2, denied: 61 });
    const usage = await t.api().get(`/api/v1/api-keys/${key.id}/usage`).set(bearer(owner.token)).expect(200);
    expect(usage.body).toMatchObject({ request_count: 2, remaining: 38 });
  });

  it('applies a changed allow-list from the next request, and an empty one lets every address in', async () => {
    const owner = await registerOrg(t);
    const key = await createKey(t, owner, { scopes: ['agents:read'] });
    expect((await useFrom('127.0.0.3', key.key)).status).toBe(200);
    await t.api().patch(`/api/v1/api-keys/${key.id}`).set(bearer(owner.token)).send({ ip_allowlist: ['127.0.0.2', '10.0.0.0/8'] }).expect(200);
    expect((await useFrom('127.0.0.3', key.key)).status).toBe(403);
    expect((await useFrom('127.0.0.2', key.key)).status).toBe(200);
    await t.api().patch(`/api/v1/api-keys/${key.id}`).set(bearer(owner.token)).send({ ip_allowlist: ['127.0.0.0/30'] }).expect(200);
    expect((await useFrom('127.0.0.3', key.key)).status).toBe(200);
    expect((await useFrom('127.0.0.4', key.key)).status).toBe(403);
    await t.api().patch(`/api/v1/api-keys/${key.id}`).set(bearer(owner.token)).send({ ip_allowlist: null }).expect(200);
    expect((await useFrom('127.0.0.4', key.key)).status).toBe(200);
  });

  it('checks the address before the route: a refused key learns nothing about scopes or routes', async () => {
    const owner = await registerOrg(t);
    const key = await createKey(t, owner, { scopes: ['agents:read'], ip_allowlist: ['127.0.0.2'] });
    const missingScope = await rawRequest(baseUrl, 'GET', '/api/v1/gateways', { headers: { 'x-api-key': key.key }, localAddress: '127.0.0.3' });
    expect(missingScope.status).toBe(403);
    expect(missingScope.json().message).toBe('client address not allowed for this key');
  });
});
