import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { AuditService } from '../src/audit/audit.service';
import { WEBHOOK_EVENT_TYPES } from '../src/webhooks/webhook-events';
import { eventually, withEnv } from './helpers/env';
import { Account, addMember, bearer, createKey, PASSWORD, registerOrg } from './helpers/fixtures';
import { freePort, ServerProcess, startServerProcess } from './helpers/server-process';
import { startTestApp, TestApp } from './helpers/test-app';
import { WebhookReceiver } from './helpers/webhook-receiver';

const WEBHOOKS = '/api/v1/webhooks';
// Seconds, not Svix's hours: 6 attempts over about 8 s (the production default spans 24 h).
const TEST_SCHEDULE = '0.5s,0.5s,1s,2s,4s';
const MAX_ATTEMPTS = 6;

const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('webhooks (e2e)', () => {
  let t: TestApp;
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    t = await withEnv(
      { WEBHOOK_ALLOW_PRIVATE_URLS: 'true', WEBHOOK_POLL_MS: '100', WEBHOOK_RETRY_SCHEDULE: TEST_SCHEDULE, WEBHOOK_TIMEOUT_MS: '2000' },
      () => startTestApp(),
    );
    receiver = await new WebhookReceiver().start();
  });
  afterAll(async () => {
    await t?.close();
    await receiver?.stop();
  });

  /** Registers an endpoint on the receiver's `path` and tells the receiver its secret. */
  async function register(owner: Account, path: string, events: string[] = [...WEBHOOK_EVENT_TYPES], url?: string) {
    const res = await t
      .api()
      .post(WEBHOOKS)
      .set(bearer(owner.token))
      .send({ url: url ?? receiver.url(path), events, description: 'test receiver' })
      .expect(201);
    expect(res.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]+={0,2}$/);
    expect(Buffer.from(res.body.secret.slice(6), 'base64').length).toBeGreaterThanOrEqual(24);
    receiver.secret(path, res.body.secret);
    return res.body as { id: string; secret: string };
  }

  const deliveries = async (owner: Account, endpointId: string) =>
    (await t.api().get(`${WEBHOOKS}/${endpointId}/deliveries`).query({ limit: 100 }).set(bearer(owner.token)).expect(200))
      .body.data as Array<{ id: string; event_id: string; event_type: string; status: string; attempts: number; last_status_code: number | null; last_error: string | null }>;

  it('delivers each key and member event once, signed so that standardwebhooks verifies it', async () => {
    const owner = await registerOrg(t);
    const path = '/all-events';
    const endpoint = await register(owner, path);

    const key = await createKey(t, owner, { scopes: ['agents:read'], rate_limit: 3 });
    await t.api().post(`/api/v1/api-keys/${key.id}/rotate`).set(bearer(owner.token)).send({ grace_period_seconds: 0 }).expect(201);
    const other = await createKey(t, owner, { name: 'to revoke' });
    await t.api().delete(`/api/v1/api-keys/${other.id}`).set(bearer(owner.token)).expect(204);
    const dev = await addMember(t, owner, 'developer');
    await t.api().patch(`/api/v1/organizations/current/members/${dev.userId}`).set(bearer(owner.token)).send({ role: 'viewer' }).expect(200);
    await t.api().delete(`/api/v1/organizations/current/members/${dev.userId}`).set(bearer(owner.token)).expect(204);
    // The limited key, hammered: 3 served, 37 refused, one api_key.rate_limited.
    const limited = await createKey(t, owner, { scopes: ['agents:read'], rate_limit: 3, name: 'limited' });
    const statuses = await Promise.all(
      Array.from({ length: 40 }, () => t.api().get('/api/v1/agents').set('X-API-Key', limited.key).then((r) => r.status)),
    );
    expect(statuses.filter((s) => s === 429)).toHaveLength(37);
    await t.api().post(`${WEBHOOKS}/${endpoint.id}/test`).set(bearer(owner.token)).expect(202);

    const expected: Record<string, number> = {
      'api_key.created': 3, // key, other, limited (the rotation's successor is api_key.rotated)
      'api_key.rotated': 1,
      'api_key.revoked': 1,
      'member.added': 1,
      'member.role_changed': 1,
      'member.removed': 1,
      'api_key.rate_limited': 1,
      'webhook.test': 1,
    };
    const total = Object.values(expected).reduce((a, b) => a + b, 0);
    expect(await eventually(async () => receiver.on(path).length >= total, 15_000)).toBe(true);
    await settle(1500); // anything sent twice would have arrived by now
    const counts: Record<string, number> = {};
    for (const e of receiver.on(path)) counts[e.type] = (counts[e.type] ?? 0) + 1;
    expect(counts).toEqual(expected);
    expect(receiver.rejected.filter((r) => r.path === path)).toEqual([]);
    expect(new Set(receiver.on(path).map((e) => e.id)).size).toBe(total);

    const revoked = receiver.on(path, 'api_key.revoked')[0];
    expect(revoked.id).toMatch(/^msg_[0-9a-f]{32}$/);
    expect(revoked.payload).toEqual({
      type: 'api_key.revoked',
      timestamp: expect.any(String),
      data: {
        organization_id: owner.organizationId,
        target_type: 'api_key',
        target_id: other.id,
        name: 'to revoke',
        key_prefix: other.key_prefix,
        reason: 'user',
        actor: { type: 'user', id: owner.userId },
      },
    });
    expect(receiver.on(path, 'api_key.rate_limited')[0].payload.data).toMatchObject({
      target_id: limited.id,
      name: 'limited',
      key_prefix: limited.key_prefix,
      rate_limit: 3,
      actor: { type: 'api_key', id: limited.id },
    });
    expect(receiver.on(path, 'member.role_changed')[0].payload.data).toMatchObject({ target_id: dev.userId });
    expect(revoked.headers['user-agent']).toMatch(/^Kaizen-Studio-Webhooks\//);
    // The secret is in the create response only.
    const read = await t.api().get(`${WEBHOOKS}/${endpoint.id}`).set(bearer(owner.token)).expect(200);
    expect(read.body).toEqual({
      id: endpoint.id,
      url: receiver.url(path),
      events: [...WEBHOOK_EVENT_TYPES],
      description: 'test receiver',
      enabled: true,
      disabled_reason: null,
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    // Hammered again within the hour: still no second rate_limited.
    await Promise.all(Array.from({ length: 10 }, () => t.api().get('/api/v1/agents').set('X-API-Key', limited.key)));
    await settle(1000);
    expect(receiver.on(path, 'api_key.rate_limited')).toHaveLength(1);
  });

  it('sends only the events an endpoint subscribed to, and nothing to another organization', async () => {
    const owner = await registerOrg(t);
    const stranger = await registerOrg(t);
    await register(owner, '/revoked-only', ['api_key.revoked']);
    await register(stranger, '/stranger');
    const key = await createKey(t, owner);
    await t.api().delete(`/api/v1/api-keys/${key.id}`).set(bearer(owner.token)).expect(204);
    expect(await eventually(async () => receiver.on('/revoked-only').length >= 1, 10_000)).toBe(true);
    await settle(1000);
    expect(receiver.on('/revoked-only').map((e) => e.type)).toEqual(['api_key.revoked']);
    expect(receiver.on('/stranger')).toEqual([]);
  });

  it('writes the outbox in the transaction of the change: a change rolled back emits nothing', async () => {
    const owner = await registerOrg(t);
    const endpoint = await register(owner, '/rollback');
    const audit = t.app.get(AuditService);
    const db = t.app.get(DataSource);
    const entry = (name: string) => ({
      organizationId: owner.organizationId,
      action: 'api_key.created' as const,
      actor: { type: 'user' as const, id: owner.userId, clientIp: null, userAgent: null },
      targetType: 'api_key' as const,
      targetId: null,
      metadata: { name },
    });
    await expect(
      db.transaction(async (tx) => {
        await audit.record(entry('rolled back'), tx);
        const [{ n }] = await tx.query('SELECT count(*)::int AS n FROM webhook_deliveries WHERE endpoint_id = $1', [endpoint.id]);
        expect(n).toBe(1); // written, inside the transaction
        throw new Error('the change fails');
      }),
    ).rejects.toThrow('the change fails');
    await audit.record(entry('committed')); // no transaction given: entry and outbox row in one of its own
    expect(await eventually(async () => receiver.on('/rollback').length >= 1, 10_000)).toBe(true);
    await settle(800);
    expect(receiver.on('/rollback').map((e) => e.payload.data.name)).toEqual(['committed']);
    const [{ n }] = await db.query('SELECT count(*)::int AS n FROM webhook_deliveries WHERE endpoint_id = $1', [endpoint.id]);
    expect(n).toBe(1);
  });

  it('retries while the receiver is down (refused connections, then 500s) and delivers once it is back', async () => {
    const owner = await registerOrg(t);
    const port = await freePort();
    const down = new WebhookReceiver();
    const path = '/flaky';
    const endpoint = await register(owner, path, ['api_key.created'], `http://127.0.0.1:${port}${path}`);
    down.secret(path, endpoint.secret);
    await createKey(t, owner);
    // Nothing listens on the port: attempts fail with "connection refused".
    expect(
      await eventually(async () => {
        const [d] = await deliveries(owner, endpoint.id);
        return d?.attempts >= 2 && d.last_error === 'connection refused';
      }, 10_000),
    ).toBe(true);
    // Back, but answering 500 twice first.
    await down.start(port);
    try {
      down.answer(path, (n) => ({ status: n <= 2 ? 500 : 200 }));
      expect(await eventually(async () => down.on(path).length >= 1, 20_000)).toBe(true);
      await settle(800);
      expect(down.on(path)).toHaveLength(1);
      expect(down.rejected).toEqual([]);
      const [d] = await deliveries(owner, endpoint.id);
      expect(d).toMatchObject({ status: 'succeeded', last_status_code: 204, last_error: null });
      expect(d.attempts).toBeGreaterThanOrEqual(5); // 2+ refused, 2 answered 500, 1 delivered
    } finally {
      await down.stop();
    }
  });

  it('never follows a redirect: a 3xx is a failed attempt', async () => {
    const owner = await registerOrg(t);
    const endpoint = await register(owner, '/redirecting', ['api_key.created']);
    receiver.answer('/redirecting', () => ({ status: 302, location: receiver.url('/redirect-target') }));
    receiver.secret('/redirect-target', endpoint.secret);
    await createKey(t, owner);
    expect(
      await eventually(async () => (await deliveries(owner, endpoint.id))[0]?.last_status_code === 302, 10_000),
    ).toBe(true);
    const [d] = await deliveries(owner, endpoint.id);
    expect(d.last_error).toBe('HTTP 302: redirects are not followed');
    expect(receiver.hits.get('/redirect-target')).toBeUndefined();
  });

  it('gives up after the last attempt, disables an endpoint that keeps failing, audits it, and re-enables it', async () => {
    const owner = await registerOrg(t);
    const path = '/always-500';
    const endpoint = await register(owner, path, ['api_key.created']);
    receiver.answer(path, () => ({ status: 500 }));
    await createKey(t, owner);
    expect(await eventually(async () => (await deliveries(owner, endpoint.id))[0]?.status === 'failed', 20_000)).toBe(true);
    const [d] = await deliveries(owner, endpoint.id);
    expect(d).toMatchObject({ attempts: MAX_ATTEMPTS, last_status_code: 500, last_error: 'HTTP 500' });
    expect(receiver.hits.get(path)).toBe(MAX_ATTEMPTS);

    const read = await t.api().get(`${WEBHOOKS}/${endpoint.id}`).set(bearer(owner.token)).expect(200);
    expect(read.body.enabled).toBe(false);
    expect(read.body.disabled_reason).toMatch(/6 delivery attempts in a row failed/);
    const audit = await t.api().get('/api/v1/audit-logs').query({ action: 'webhook_endpoint.disabled' }).set(bearer(owner.token)).expect(200);
    expect(audit.body.data).toHaveLength(1);
    expect(audit.body.data[0]).toMatchObject({ actor_type: 'system', target_type: 'webhook_endpoint', target_id: endpoint.id });

    // A disabled endpoint is sent nothing, and no event is queued for it.
    await createKey(t, owner, { name: 'while disabled' });
    await settle(800);
    expect(receiver.hits.get(path)).toBe(MAX_ATTEMPTS);
    // Enabled again (the receiver fixed): the failure count starts over and events flow again.
    receiver.answer(path, () => ({ status: 200 }));
    const enabled = await t.api().patch(`${WEBHOOKS}/${endpoint.id}`).set(bearer(owner.token)).send({ enabled: true }).expect(200);
    expect(enabled.body).toMatchObject({ enabled: true, disabled_reason: null });
    const [row] = await t.app.get(DataSource).query('SELECT consecutive_failures, failing_since FROM webhook_endpoints WHERE id = $1', [endpoint.id]);
    expect(row).toEqual({ consecutive_failures: 0, failing_since: null });
    await createKey(t, owner, { name: 'after enabling' });
    expect(await eventually(async () => receiver.on(path).length >= 1, 10_000)).toBe(true);
    expect(receiver.on(path).map((e) => e.payload.data.name)).toEqual(['after enabling']);
  });

  it('keeps a delivery log per endpoint and redelivers an event with the same webhook-id', async () => {
    const owner = await registerOrg(t);
    const path = '/log';
    const endpoint = await register(owner, path);
    const ping = await t.api().post(`${WEBHOOKS}/${endpoint.id}/test`).set(bearer(owner.token)).expect(202);
    expect(await eventually(async () => receiver.on(path).length >= 1, 10_000)).toBe(true);
    expect(await eventually(async () => (await deliveries(owner, endpoint.id))[0]?.status === 'succeeded', 5_000)).toBe(true);
    const [first] = await deliveries(owner, endpoint.id);
    expect(first).toEqual({
      id: ping.body.delivery_id,
      event_id: receiver.on(path)[0].id,
      event_type: 'webhook.test',
      status: 'succeeded',
      attempts: 1,
      last_status_code: 204,
      last_error: null,
      next_attempt_at: expect.any(String),
      created_at: expect.any(String),
      delivered_at: expect.any(String),
    });
    const again = await t
      .api()
      .post(`${WEBHOOKS}/${endpoint.id}/deliveries/${first.id}/redeliver`)
      .set(bearer(owner.token))
      .expect(202);
    expect(again.body.delivery_id).not.toBe(first.id);
    expect(await eventually(async () => receiver.on(path).length >= 2, 10_000)).toBe(true);
    const [a, b] = receiver.on(path);
    expect(b.id).toBe(a.id);
    expect(b.payload).toEqual(a.payload);
    expect((await deliveries(owner, endpoint.id)).map((d) => d.event_id)).toEqual([a.id, a.id]);
  });

  it('is for owners and admins: 403 for developers, viewers and API keys; 404 across organizations', async () => {
    const owner = await registerOrg(t);
    const endpoint = await register(owner, '/roles');
    const admin = await addMember(t, owner, 'admin');
    await t.api().get(`${WEBHOOKS}/${endpoint.id}`).set(bearer(admin.token)).expect(200);
    for (const role of ['developer', 'viewer'] as const) {
      const member = await addMember(t, owner, role);
      await t.api().get(WEBHOOKS).set(bearer(member.token)).expect(403);
      await t.api().post(WEBHOOKS).set(bearer(member.token)).send({ url: receiver.url('/x'), events: ['api_key.created'] }).expect(403);
    }
    const key = await createKey(t, owner, { scopes: ['agents:read'] });
    await t.api().get(WEBHOOKS).set('X-API-Key', key.key).expect(403);
    const stranger = await registerOrg(t);
    for (const req of [
      t.api().get(`${WEBHOOKS}/${endpoint.id}`),
      t.api().patch(`${WEBHOOKS}/${endpoint.id}`).send({ enabled: false }),
      t.api().delete(`${WEBHOOKS}/${endpoint.id}`),
      t.api().post(`${WEBHOOKS}/${endpoint.id}/test`),
      t.api().get(`${WEBHOOKS}/${endpoint.id}/deliveries`),
      t.api().post(`${WEBHOOKS}/${endpoint.id}/rotate-secret`),
    ]) {
      const res = await req.set(bearer(stranger.token));
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ statusCode: 404, error: 'Not Found', message: 'Webhook endpoint not found' });
    }
  });

  it('validates bodies: 400 naming the field', async () => {
    const owner = await registerOrg(t);
    const post = (body: object) => t.api().post(WEBHOOKS).set(bearer(owner.token)).send(body);
    expect((await post({ url: receiver.url('/v'), events: [] })).body.message).toMatch(/^events must be a non-empty list of: api_key.created, /);
    expect((await post({ url: receiver.url('/v'), events: ['api_key.nope'] })).status).toBe(400);
    expect((await post({ url: 'ftp://127.0.0.1/x', events: ['api_key.created'] })).body.message).toBe('url must use http or https');
    expect((await post({ url: 'not a url', events: ['api_key.created'] })).status).toBe(400);
    const endpoint = await register(owner, '/validated');
    // Nothing named, nothing changed.
    const same = await t.api().patch(`${WEBHOOKS}/${endpoint.id}`).set(bearer(owner.token)).send({}).expect(200);
    expect(same.body.updated_at).toBe(same.body.created_at);
  });

  it('rotates the secret: later events are signed with the new one only; lists, updates and deletes', async () => {
    const owner = await registerOrg(t);
    const path = '/rotating';
    const endpoint = await register(owner, path, ['api_key.created']);
    const rotated = await t.api().post(`${WEBHOOKS}/${endpoint.id}/rotate-secret`).set(bearer(owner.token)).expect(200);
    expect(rotated.body.secret).not.toBe(endpoint.secret);
    receiver.secret(path, rotated.body.secret);
    await createKey(t, owner);
    expect(await eventually(async () => receiver.on(path).length >= 1, 10_000)).toBe(true);
    expect(receiver.rejected.filter((r) => r.path === path)).toEqual([]);

    const patched = await t
      .api()
      .patch(`${WEBHOOKS}/${endpoint.id}`)
      .set(bearer(owner.token))
      .send({ description: 'renamed', events: ['api_key.revoked'] })
      .expect(200);
    expect(patched.body).toMatchObject({ description: 'renamed', events: ['api_key.revoked'] });
    const list = await t.api().get(WEBHOOKS).set(bearer(owner.token)).expect(200);
    expect(list.body).toEqual({ data: [patched.body], next_cursor: null });
    await t.api().delete(`${WEBHOOKS}/${endpoint.id}`).set(bearer(owner.token)).expect(204);
    await t.api().get(`${WEBHOOKS}/${endpoint.id}`).set(bearer(owner.token)).expect(404);
    const audit = await t.api().get('/api/v1/audit-logs').query({ target_id: endpoint.id }).set(bearer(owner.token)).expect(200);
    expect(audit.body.data.map((e: { action: string }) => e.action)).toEqual([
      'webhook_endpoint.deleted',
      'webhook_endpoint.updated',
      'webhook_endpoint.updated',
      'webhook_endpoint.created',
    ]);
    expect(JSON.stringify(audit.body)).not.toContain('whsec_');
  });

  it('keeps the signing secret encrypted at rest', async () => {
    const owner = await registerOrg(t);
    const endpoint = await register(owner, '/at-rest');
    const [row] = await t.app.get(DataSource).query('SELECT secret_encrypted FROM webhook_endpoints WHERE id = $1', [endpoint.id]);
    expect(row.secret_encrypted).toMatch(/^v1:/);
    expect(row.secret_encrypted).not.toContain(endpoint.secret.slice(6));
  });
});

// A minute of waiting, once per CI run (on the embedded default): the retry schedule does not depend on
// the database, and the dispatcher's claims run on both databases in the specs above.
(process.env.DATABASE_URL ? describe.skip : describe)('webhooks: a receiver down for a minute (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    // Waits of 1, 4, 10, 20, 30 and 60 s: attempts at about 0, 1, 5, 15, 35, 65 and 125 s.
    t = await withEnv({ WEBHOOK_POLL_MS: '200', WEBHOOK_RETRY_SCHEDULE: '1s,4s,10s,20s,30s,60s', WEBHOOK_TIMEOUT_MS: '2000' }, () =>
      startTestApp(),
    );
  });
  afterAll(() => t?.close());

  it('gets the event after 30 s of refused connections and 30 s of 500s', async () => {
    const owner = await registerOrg(t);
    const port = await freePort();
    const path = '/down-a-minute';
    const created = await t
      .api()
      .post(WEBHOOKS)
      .set(bearer(owner.token))
      .send({ url: `http://127.0.0.1:${port}${path}`, events: ['api_key.revoked'] })
      .expect(201);
    const key = await createKey(t, owner);
    await t.api().delete(`/api/v1/api-keys/${key.id}`).set(bearer(owner.token)).expect(204);
    const wentDown = Date.now();
    await settle(30_000);
    const receiver = await new WebhookReceiver().start(port);
    try {
      receiver.secret(path, created.body.secret);
      receiver.answer(path, () => ({ status: Date.now() - wentDown < 60_000 ? 500 : 200 }));
      expect(await eventually(async () => receiver.on(path).length >= 1, 90_000, 250)).toBe(true);
      expect(Date.now() - wentDown).toBeGreaterThanOrEqual(60_000);
      await settle(1000);
      expect(receiver.on(path)).toHaveLength(1);
      expect(receiver.on(path)[0].payload.data).toMatchObject({ target_id: key.id, reason: 'user' });
      expect(receiver.rejected).toEqual([]);
      const log = await t.api().get(`${WEBHOOKS}/${created.body.id}/deliveries`).set(bearer(owner.token)).expect(200);
      expect(log.body.data).toEqual([expect.objectContaining({ status: 'succeeded', last_status_code: 204 })]);
      expect(log.body.data[0].attempts).toBeGreaterThanOrEqual(5);
    } finally {
      await receiver.stop();
    }
  }, 180_000);
});

describe('webhooks: outbound safety (e2e)', () => {
  let t: TestApp;
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    t = await withEnv({ WEBHOOK_ALLOW_PRIVATE_URLS: 'false', WEBHOOK_POLL_MS: '100', WEBHOOK_RETRY_SCHEDULE: '60s' }, () =>
      startTestApp(),
    );
    receiver = await new WebhookReceiver().start();
  });
  afterAll(async () => {
    await t?.close();
    await receiver?.stop();
  });

  it.each([
    'http://127.0.0.1/hook',
    'http://169.254.169.254/latest/meta-data/',
    'http://[::1]/hook',
    'http://10.0.0.1/hook',
    'http://192.168.1.10/hook',
    'http://100.64.0.1/hook',
    'http://[fd00::1]/hook',
    'http://[::ffff:127.0.0.1]/hook',
    'http://0.0.0.0/hook',
    'http://localhost/hook',
  ])('refuses to register %s', async (url) => {
    const owner = await registerOrg(t);
    const res = await t.api().post(WEBHOOKS).set(bearer(owner.token)).send({ url, events: ['api_key.created'] });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/non-public address/);
  });

  it('checks the address connected to at delivery: a host that now resolves to loopback is not called', async () => {
    const owner = await registerOrg(t);
    // A public address passes registration; then its name "rebinds" to this machine (row edited directly).
    const created = await t
      .api()
      .post(WEBHOOKS)
      .set(bearer(owner.token))
      .send({ url: 'http://93.184.215.14/hook', events: ['api_key.created'] })
      .expect(201);
    await t.app.get(DataSource).query('UPDATE webhook_endpoints SET url = $2 WHERE id = $1', [
      created.body.id,
      `http://localhost:${receiver.port}/rebound`,
    ]);
    await t.api().post(`${WEBHOOKS}/${created.body.id}/test`).set(bearer(owner.token)).expect(202);
    const log = async () =>
      (await t.api().get(`${WEBHOOKS}/${created.body.id}/deliveries`).set(bearer(owner.token)).expect(200)).body.data;
    expect(await eventually(async () => (await log())[0]?.attempts === 1 && (await log())[0]?.last_error !== null, 10_000)).toBe(true);
    expect((await log())[0].last_error).toBe('localhost resolves to a non-public address');
    expect(receiver.hits.get('/rebound')).toBeUndefined();
  });
});

// Two compiled servers on one PostgreSQL and one Redis (the rate limit and its once-an-hour notice are cluster-wide there): each event delivered once, whichever claims it.
const shared = Boolean(process.env.DATABASE_URL && process.env.REDIS_URL);
(shared ? describe : describe.skip)('webhooks: two instances sharing PostgreSQL (e2e)', () => {
  let servers: ServerProcess[] = [];
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    const env = {
      WEBHOOK_ALLOW_PRIVATE_URLS: 'true',
      WEBHOOK_POLL_MS: '100',
      REDIS_NAMESPACE: `${process.env.REDIS_NAMESPACE}-webhooks-cluster`,
      LOG_LEVEL: 'warn',
    };
    servers = await Promise.all([startServerProcess(env), startServerProcess(env)]);
    receiver = await new WebhookReceiver().start();
  }, 120_000);
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.terminate()));
    await receiver?.stop();
  });

  async function call(i: number, method: string, path: string, token: string | null, body?: object, apiKey?: string) {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (token) headers.authorization = `Bearer ${token}`;
    if (apiKey) headers['x-api-key'] = apiKey;
    const res = await fetch(`${servers[i % 2].baseUrl}/api/v1${path}`, { method, headers, body: body && JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  }

  it('delivers every event exactly once (counted by webhook-id), rate_limited once across both', async () => {
    const email = `owner-${Date.now()}@example.com`;
    const reg = await call(0, 'POST', '/auth/register', null, { email, password: PASSWORD, name: 'Owner', organization_name: 'Two' });
    expect(reg.status).toBe(201);
    const token = reg.body.access_token as string;
    const path = '/cluster';
    const endpoint = await call(0, 'POST', '/webhooks', token, { url: receiver.url(path), events: [...WEBHOOK_EVENT_TYPES] });
    expect(endpoint.status).toBe(201);
    receiver.secret(path, endpoint.body.secret);

    const created = await Promise.all(
      Array.from({ length: 30 }, (_, i) => call(i, 'POST', '/api-keys', token, { name: `k${i}`, scopes: ['agents:read'], rate_limit: 2 })),
    );
    expect(created.map((r) => r.status)).toEqual(Array(30).fill(201));
    const limited = created[0].body.key as string;
    const statuses = await Promise.all(Array.from({ length: 40 }, (_, i) => call(i, 'GET', '/agents', null, undefined, limited)));
    expect(statuses.filter((r) => r.status === 429)).toHaveLength(38);

    expect(await eventually(async () => receiver.on(path).length >= 31, 20_000)).toBe(true);
    await settle(2000);
    const ids = receiver.on(path).map((e) => e.id);
    expect(ids).toHaveLength(31);
    expect(new Set(ids).size).toBe(31);
    expect(receiver.on(path, 'api_key.created')).toHaveLength(30);
    expect(receiver.on(path, 'api_key.rate_limited')).toHaveLength(1);
    expect(receiver.rejected).toEqual([]);
  });
});

describe('webhooks: graceful shutdown (e2e)', () => {
  let receiver: WebhookReceiver;
  let dir: string;
  beforeAll(async () => {
    receiver = await new WebhookReceiver().start();
    dir = await mkdtemp(join(tmpdir(), 'kaizen-webhooks-'));
  });
  afterAll(async () => {
    await receiver?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('on SIGTERM lets a delivery in flight finish and records it: not sent again after a restart', async () => {
    // The embedded database in a folder (or DATABASE_URL), so a second start sees what the first recorded.
    const env = { WEBHOOK_ALLOW_PRIVATE_URLS: 'true', WEBHOOK_POLL_MS: '100', PGLITE_DATA_DIR: join(dir, 'db'), LOG_LEVEL: 'warn' };
    let server = await startServerProcess(env);
    const api = async (method: string, path: string, token: string | null, body?: object) => {
      const res = await fetch(`${server.baseUrl}/api/v1${path}`, {
        method,
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: body && JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : null };
    };
    try {
      const email = `owner-${Date.now()}@example.com`;
      const reg = await api('POST', '/auth/register', null, {
        email,
        password: PASSWORD,
        name: 'Owner',
        organization_name: 'Shutdown',
      });
      const token = reg.body.access_token as string;
      const path = '/slow';
      const endpoint = await api('POST', '/webhooks', token, { url: receiver.url(path), events: ['api_key.created'] });
      receiver.secret(path, endpoint.body.secret);
      receiver.answer(path, () => ({ status: 200, delayMs: 1500 }));
      await api('POST', `/webhooks/${endpoint.body.id}/test`, token);
      // The request has arrived; its answer is 1.5 s away when the server is told to stop.
      expect(await eventually(async () => receiver.on(path).length === 1, 10_000)).toBe(true);
      const exit = await server.terminate();
      expect(exit.code === 0 || exit.signal === 'SIGTERM').toBe(true);
      expect(server.output()).not.toMatch(/result not recorded/);

      server = await startServerProcess(env);
      const login = await api('POST', '/auth/login', null, { email, password: PASSWORD });
      const log = await api('GET', `/webhooks/${endpoint.body.id}/deliveries`, login.body.access_token);
      expect(log.body.data).toEqual([expect.objectContaining({ status: 'succeeded', attempts: 1, last_status_code: 204 })]);
      await settle(1000);
      expect(receiver.on(path)).toHaveLength(1);
    } finally {
      await server.terminate();
    }
  }, 120_000);
});
