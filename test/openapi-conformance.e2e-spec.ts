import { ContractChecker, exchangeOf } from './helpers/contract';
import { startTestApp, TestApp } from './helpers/test-app';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

interface Call {
  token?: string;
  key?: string;
  /** Sent as X-API-Key (the key above goes in Authorization unless this is set). */
  apiKeyHeader?: string;
  body?: unknown;
  /** A raw body with its own Content-Type, for the parser's refusals. */
  raw?: { contentType: string; text: string };
  headers?: Record<string, string>;
}

const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

/**
 * The e2e flows a client goes through — register, log in, members, keys, resources, audit, and
 * errors of every kind (400, 401, 403, 404, 409, 413, 415, 429) — replayed against the app, each
 * response checked against the OpenAPI document the app serves: a status the operation does not
 * document, a body that breaks its schema or a header that is not declared fails the test.
 */
describe('OpenAPI conformance of a realistic workload (e2e)', () => {
  let t: TestApp;
  let checker: ContractChecker;

  beforeAll(async () => {
    t = await startTestApp();
    const res = await t.api().get('/api/docs-json').expect(200);
    checker = new ContractChecker(res.body);
  });
  afterAll(() => t.close());

  /** One request, recorded and checked; returns the response for the flow to go on with. */
  async function call(method: 'get' | 'post' | 'patch' | 'delete', url: string, options: Call = {}) {
    let req = t.api()[method](url);
    if (options.token) req = req.set('Authorization', `Bearer ${options.token}`);
    if (options.key && !options.apiKeyHeader) req = req.set('Authorization', `Bearer ${options.key}`);
    if (options.apiKeyHeader) req = req.set('X-API-Key', options.apiKeyHeader);
    for (const [name, value] of Object.entries(options.headers ?? {})) req = req.set(name, value);
    if (options.raw) req = req.set('Content-Type', options.raw.contentType).send(options.raw.text);
    else if (options.body !== undefined) req = req.send(options.body as object);
    const res = await req;
    checker.check(exchangeOf(method, url, res));
    return res;
  }

  const expectStatus = (res: { status: number; body: Json }, status: number) =>
    expect({ status: res.status, body: res.body }).toEqual({ status, body: expect.anything() });

  it('every response of the workload is one the document describes', async () => {
    expectStatus(await call('get', '/api/v1/health'), 200);

    // Register and log in.
    const ownerEmail = `owner-${Date.now()}@example.com`;
    const password = 'correct-horse-9';
    const registered = await call('post', '/api/v1/auth/register', {
      body: { email: ownerEmail, password, name: 'Ada Lovelace', organization_name: 'Analytical Engines' },
    });
    expectStatus(registered, 201);
    const owner: string = registered.body.access_token;
    expectStatus(await call('post', '/api/v1/auth/register', { body: { email: ownerEmail, password, name: 'Again', organization_name: 'X' } }), 409);
    expectStatus(await call('post', '/api/v1/auth/register', { body: { email: 'not-an-email', password: 'short', name: '' } }), 400);
    expectStatus(await call('post', '/api/v1/auth/register', { raw: { contentType: 'application/json', text: '{"email":' } }), 400);
    expectStatus(await call('post', '/api/v1/auth/register', { body: { name: 'x'.repeat(110_000) } }), 413);
    expectStatus(
      await call('post', '/api/v1/auth/register', { raw: { contentType: 'application/json; charset=latin1', text: '{}' } }),
      415,
    );
    expectStatus(await call('post', '/api/v1/auth/login', { body: { email: ownerEmail, password } }), 200);
    expectStatus(await call('post', '/api/v1/auth/login', { body: { email: ownerEmail, password: 'wrong-password' } }), 401);
    expectStatus(await call('get', '/api/v1/auth/me', { token: owner, headers: { 'X-Request-Id': 'trace-42' } }), 200);
    expectStatus(await call('get', '/api/v1/auth/me'), 401);
    expectStatus(await call('get', '/api/v1/auth/me', { token: 'not.a.jwt' }), 401);

    // The organization and its members.
    expectStatus(await call('get', '/api/v1/organizations/current', { token: owner }), 200);
    expectStatus(await call('patch', '/api/v1/organizations/current', { token: owner, body: { name: 'Analytical Engines Ltd' } }), 200);
    expectStatus(await call('patch', '/api/v1/organizations/current', { token: owner, body: { name: '   ' } }), 400);
    const member = (role: string) => ({ email: `${role}-${Date.now()}@example.com`, password, name: `A ${role}`, role });
    const developerBody = member('developer');
    const developer = await call('post', '/api/v1/organizations/current/members', { token: owner, body: developerBody });
    expectStatus(developer, 201);
    expectStatus(await call('post', '/api/v1/organizations/current/members', { token: owner, body: developerBody }), 409);
    const viewer = await call('post', '/api/v1/organizations/current/members', { token: owner, body: member('viewer') });
    expectStatus(viewer, 201);
    const developerToken: string = (await call('post', '/api/v1/auth/login', { body: { email: developerBody.email, password } })).body.access_token;
    expectStatus(await call('get', '/api/v1/organizations/current/members?limit=2', { token: owner }), 200);
    expectStatus(await call('get', '/api/v1/organizations/current/members?limit=0', { token: owner }), 400);
    expectStatus(await call('patch', `/api/v1/organizations/current/members/${viewer.body.user_id}`, { token: owner, body: { role: 'developer' } }), 200);
    expectStatus(await call('patch', `/api/v1/organizations/current/members/${registered.body.user.id}`, { token: owner, body: { role: 'admin' } }), 409);
    expectStatus(await call('patch', `/api/v1/organizations/current/members/${UNKNOWN_ID}`, { token: owner, body: { role: 'admin' } }), 404);
    expectStatus(await call('patch', '/api/v1/organizations/current/members/not-a-uuid', { token: owner, body: { role: 'admin' } }), 400);
    expectStatus(await call('post', '/api/v1/organizations/current/members', { token: developerToken, body: member('admin') }), 403);
    expectStatus(await call('delete', `/api/v1/organizations/current/members/${viewer.body.user_id}`, { token: owner }), 204);
    expectStatus(await call('delete', `/api/v1/organizations/current/members/${UNKNOWN_ID}`, { token: owner }), 404);

    // API keys.
    expectStatus(await call('get', '/api/v1/api-keys/scopes', { token: owner }), 200);
    const created = await call('post', '/api/v1/api-keys', {
      token: owner,
      body: { name: 'CI/CD Pipeline', scopes: ['agents:write', 'deployments:write', 'pipelines:write', 'gateways:write', 'metrics:read'], rate_limit: 1000, expires_at: '2030-12-31T23:59:59Z' },
    });
    expectStatus(created, 201);
    const key: string = created.body.key;
    expectStatus(await call('post', '/api/v1/api-keys', { token: owner, body: { name: 'x', scopes: ['agent:read'] } }), 400);
    expectStatus(await call('post', '/api/v1/api-keys', { token: owner, body: { name: 'x', scopes: ['agents:read'], extra: 1 } }), 400);
    expectStatus(await call('get', '/api/v1/api-keys?status=active&limit=5', { token: owner }), 200);
    expectStatus(await call('get', '/api/v1/api-keys?unused_for_days=30', { token: owner }), 200);
    expectStatus(await call('get', '/api/v1/api-keys?cursor=bm9wZQ', { token: owner }), 400);
    expectStatus(await call('get', `/api/v1/api-keys/${created.body.id}`, { token: owner }), 200);
    expectStatus(await call('get', `/api/v1/api-keys/${UNKNOWN_ID}`, { token: owner }), 404);
    expectStatus(await call('get', '/api/v1/api-keys/nope', { token: owner }), 400);
    expectStatus(await call('get', `/api/v1/api-keys/${created.body.id}/usage`, { token: owner }), 200);
    expectStatus(await call('get', `/api/v1/api-keys/${created.body.id}/usage/history?granularity=day`, { token: owner }), 200);
    expectStatus(
      await call('get', `/api/v1/api-keys/${created.body.id}/usage/history?from=2030-01-02T00:00:00Z&to=2030-01-01T00:00:00Z`, { token: owner }),
      400,
    );
    const spare = await call('post', '/api/v1/api-keys', { token: owner, body: { name: 'Spare', scopes: ['agents:read'] } });
    const rotated = await call('post', `/api/v1/api-keys/${spare.body.id}/rotate`, { token: owner });
    expectStatus(rotated, 201);
    expectStatus(await call('post', `/api/v1/api-keys/${rotated.body.id}/rotate`, { token: owner, body: { grace_period_seconds: 0 } }), 201);
    expectStatus(await call('get', '/api/v1/agents', { key: rotated.body.key }), 401); // expired by the rotation above
    expectStatus(await call('delete', `/api/v1/api-keys/${spare.body.id}`, { token: owner }), 204);
    expectStatus(await call('delete', `/api/v1/api-keys/${spare.body.id}`, { token: owner }), 204);
    expectStatus(await call('post', `/api/v1/api-keys/${spare.body.id}/rotate`, { token: owner, body: {} }), 409);
    expectStatus(await call('get', '/api/v1/agents', { key: spare.body.key }), 401); // revoked
    expectStatus(await call('post', '/api/v1/api-keys', { token: developerToken, body: { name: 'Mine', scopes: ['agents:read'] } }), 201);
    expectStatus(await call('delete', `/api/v1/api-keys/${created.body.id}`, { token: developerToken }), 403);

    // Editing keys: PATCH, disable, allow-list, metadata.
    const edited = await call('post', '/api/v1/api-keys', {
      token: owner,
      body: { name: 'Edited', scopes: ['agents:read'], ip_allowlist: ['10.0.0.0/8', '2001:db8::1'], metadata: { team: 'ops' } },
    });
    expectStatus(edited, 201);
    expectStatus(await call('patch', `/api/v1/api-keys/${edited.body.id}`, { token: owner, body: { name: 'Edited 2', rate_limit: 50, expires_at: null, metadata: null } }), 200);
    expectStatus(await call('patch', `/api/v1/api-keys/${edited.body.id}`, { token: owner, body: {} }), 400);
    expectStatus(await call('patch', `/api/v1/api-keys/${edited.body.id}`, { token: owner, body: { ip_allowlist: ['nope'] } }), 400);
    expectStatus(await call('patch', `/api/v1/api-keys/${UNKNOWN_ID}`, { token: owner, body: { enabled: false } }), 404);
    expectStatus(await call('patch', `/api/v1/api-keys/${edited.body.id}`, { token: developerToken, body: { enabled: false } }), 403);
    expectStatus(await call('get', '/api/v1/agents', { key: edited.body.key }), 403); // from 127.0.0.1: not on the allow-list
    expectStatus(await call('patch', `/api/v1/api-keys/${edited.body.id}`, { token: owner, body: { ip_allowlist: null, enabled: false } }), 200);
    expectStatus(await call('get', '/api/v1/agents', { key: edited.body.key }), 401); // disabled
    expectStatus(await call('patch', `/api/v1/api-keys/${edited.body.id}`, { token: owner, body: { enabled: true } }), 200);
    expectStatus(await call('get', '/api/v1/agents', { key: edited.body.key }), 200);
    expectStatus(await call('get', `/api/v1/api-keys/${edited.body.id}`, { token: owner }), 200);
    expectStatus(await call('delete', `/api/v1/api-keys/${edited.body.id}`, { token: owner }), 204);
    expectStatus(await call('patch', `/api/v1/api-keys/${edited.body.id}`, { token: owner, body: { enabled: true } }), 409);

    // Resources, with the key in either header.
    const agent = await call('post', '/api/v1/agents', { key, body: { name: 'Support triage', description: 'Routes tickets', model: 'gpt-4o' } });
    expectStatus(agent, 201);
    expectStatus(await call('get', '/api/v1/agents?limit=1', { apiKeyHeader: key }), 200);
    expectStatus(await call('get', `/api/v1/agents/${agent.body.id}`, { key }), 200);
    expectStatus(await call('patch', `/api/v1/agents/${agent.body.id}`, { key }), 200);
    expectStatus(await call('patch', `/api/v1/agents/${agent.body.id}`, { key, body: { status: 'inactive', description: null } }), 200);
    expectStatus(await call('patch', `/api/v1/agents/${agent.body.id}`, { key, body: { status: 'paused' } }), 400);
    const deployment = await call('post', '/api/v1/deployments', { key, body: { agent_id: agent.body.id, environment: 'production', version: '1.4.2' } });
    expectStatus(deployment, 201);
    expectStatus(await call('post', '/api/v1/deployments', { key, body: { agent_id: UNKNOWN_ID, environment: 'staging', version: '1' } }), 400);
    expectStatus(await call('get', '/api/v1/deployments', { key }), 200);
    expectStatus(await call('patch', `/api/v1/deployments/${deployment.body.id}`, { key, body: { status: 'running' } }), 200);
    const pipeline = await call('post', '/api/v1/pipelines', { key, body: { name: 'Nightly evaluation', steps: [{ name: 'fetch' }, 'summarize', 3] } });
    expectStatus(pipeline, 201);
    expectStatus(await call('get', `/api/v1/pipelines/${pipeline.body.id}`, { key }), 200);
    expectStatus(await call('patch', `/api/v1/pipelines/${pipeline.body.id}`, { key, body: { steps: [] } }), 200);
    const gateway = await call('post', '/api/v1/gateways', { key, body: { name: 'EU edge', url: 'https://eu.gateway.example.com' } });
    expectStatus(gateway, 201);
    expectStatus(await call('post', '/api/v1/gateways', { key, body: { name: 'Bad', url: 'javascript:alert(1)' } }), 400);
    expectStatus(await call('get', '/api/v1/gateways', { key }), 200);
    expectStatus(await call('patch', `/api/v1/gateways/${gateway.body.id}`, { key, body: {} }), 200);
    expectStatus(await call('get', '/api/v1/metrics', { key }), 200);
    expectStatus(await call('delete', `/api/v1/deployments/${deployment.body.id}`, { key }), 204);
    expectStatus(await call('delete', `/api/v1/pipelines/${pipeline.body.id}`, { key }), 204);
    expectStatus(await call('delete', `/api/v1/gateways/${gateway.body.id}`, { key }), 204);
    expectStatus(await call('delete', `/api/v1/agents/${agent.body.id}`, { key }), 204);
    expectStatus(await call('get', `/api/v1/agents/${agent.body.id}`, { key }), 404);
    expectStatus(await call('get', '/api/v1/agents', { token: owner }), 200);

    // A key where it may not go, and one credential too many.
    const readOnly = (await call('post', '/api/v1/api-keys', { token: owner, body: { name: 'Reader', scopes: ['agents:read'], rate_limit: 3 } })).body.key;
    expectStatus(await call('post', '/api/v1/agents', { key: readOnly, body: { name: 'Nope' } }), 403);
    expectStatus(await call('get', '/api/v1/auth/me', { key: readOnly }), 403);
    expectStatus(await call('get', '/api/v1/agents', { token: owner, apiKeyHeader: readOnly }), 400);
    // The key's rate limit (3 a minute) is used up: 429 with Retry-After and X-RateLimit-*.
    expectStatus(await call('get', '/api/v1/agents', { key: readOnly }), 200);
    const limited = await call('get', '/api/v1/agents', { key: readOnly });
    expectStatus(limited, 429);
    expect(limited.headers['retry-after']).toMatch(/^\d+$/);

    // A leak report (public; the reader key above is genuine and gets revoked), and GitHub's endpoint, not configured here.
    expectStatus(await call('post', '/api/v1/api-keys/leaked', { body: { keys: [readOnly, 'noise'], url: 'https://example.com/paste' } }), 202);
    expectStatus(await call('post', '/api/v1/api-keys/leaked', { body: { keys: [] } }), 400);
    const scanned = [{ token: 'noise', type: 'kaizen_studio_api_key', url: '', source: 'content' }];
    expectStatus(await call('post', '/api/v1/secret-scanning/github', { body: scanned }), 404);

    // The audit log.
    expectStatus(await call('get', '/api/v1/audit-logs?action=api_key.rotated', { token: owner }), 200);
    expectStatus(await call('get', '/api/v1/audit-logs?actor_type=robot', { token: owner }), 400);
    expectStatus(await call('get', '/api/v1/audit-logs', { token: developerToken }), 403);

    // Failed logins, then failed keys, from this address: both end in 429 with Retry-After.
    let login;
    for (let i = 0; i < 12 && login?.status !== 429; i++) {
      login = await call('post', '/api/v1/auth/login', { body: { email: ownerEmail, password: `wrong-${i}` } });
    }
    expectStatus(login!, 429);
    let refused;
    for (let i = 0; i < 40 && refused?.status !== 429; i++) {
      refused = await call('get', '/api/v1/agents', { key: `sk_live_bad${i}` });
    }
    expectStatus(refused!, 429);
    expectStatus(await call('get', '/api/v1/auth/me', { key: 'sk_live_zzzzzzzz_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }), 429);

    expect(checker.violations).toEqual([]);
    const checked = [...checker.seen.values()].reduce((a, b) => a + b, 0);
    console.info(`${checked} responses of the workload checked against the document: ${checker.violations.length} violations`);
    const statuses = new Set([...checker.seen.keys()].map((seen) => seen.split(' ').pop()));
    expect([...statuses].sort()).toEqual(expect.arrayContaining(['200', '201', '204', '400', '401', '403', '404', '409', '413', '415', '429']));
  });
});
