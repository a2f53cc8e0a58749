import { startServerProcess, ServerProcess } from './helpers/server-process';

/**
 * Drives real traffic through the compiled server with logging at its most verbose and reads
 * everything it printed: no plain key, key secret or password may appear, and every request
 * line carries a request id that is also returned in X-Request-Id.
 */
describe('logs (e2e)', () => {
  let server: ServerProcess;
  const password = `pw-${Math.random().toString(36).slice(2)}-Secret!`;
  const secrets: string[] = [password];

  beforeAll(async () => {
    server = await startServerProcess({ LOG_LEVEL: 'trace', PGLITE_DATA_DIR: 'memory://' });
  });
  afterAll(async () => {
    await server.terminate();
  });

  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${server.baseUrl}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
  };

  it('never writes a key, a key secret or a password, and tags request lines with the request id', async () => {
    const reg = await call('POST', '/api/v1/auth/register', {
      email: `log-${Date.now()}@example.com`,
      password,
      name: 'Logger',
      organization_name: 'Logs Inc',
    });
    expect(reg.status).toBe(201);
    const auth = { authorization: `Bearer ${reg.body.access_token}` };
    secrets.push(reg.body.access_token);
    expect((await call('POST', '/api/v1/auth/login', { email: reg.body.user.email, password })).status).toBe(200);
    expect((await call('POST', '/api/v1/auth/login', { email: reg.body.user.email, password: `${password}x` })).status).toBe(401);

    const key = await call('POST', '/api/v1/api-keys', { name: 'logged', scopes: ['agents:read'], rate_limit: 3 }, auth);
    expect(key.status).toBe(201);
    secrets.push(key.body.key, key.body.key.slice(17));

    const withKey = await call('GET', '/api/v1/agents', undefined, { 'x-api-key': key.body.key });
    expect(withKey.status).toBe(200);
    const requestId = withKey.headers.get('x-request-id');
    expect(requestId).toBeTruthy();
    expect((await call('GET', '/api/v1/agents', undefined, { authorization: `Bearer ${key.body.key}` })).status).toBe(200);
    expect((await call('POST', '/api/v1/agents', { name: 'x' }, { 'x-api-key': key.body.key })).status).toBe(403);
    expect((await call('GET', '/api/v1/agents', undefined, { 'x-api-key': key.body.key })).status).toBe(429);
    // A key in a URL (a client mistake) is scrubbed too.
    expect((await call('GET', `/api/v1/agents?api_key=${key.body.key}`, undefined, { 'x-api-key': key.body.key })).status).toBe(429);
    const wrong = `${key.body.key.slice(0, 17)}${'W'.repeat(32)}`;
    secrets.push(wrong.slice(17));
    expect((await call('GET', '/api/v1/agents', undefined, { 'x-api-key': wrong })).status).toBe(401);

    const rotated = await call('POST', `/api/v1/api-keys/${key.body.id}/rotate`, { grace_period_seconds: 0 }, auth);
    expect(rotated.status).toBe(201);
    secrets.push(rotated.body.key, rotated.body.key.slice(17));
    expect((await call('DELETE', `/api/v1/api-keys/${rotated.body.id}`, undefined, auth)).status).toBe(204);
    expect((await call('GET', '/api/v1/agents', undefined, { 'x-api-key': rotated.body.key })).status).toBe(401);

    // Let the last response lines reach stdout.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const output = server.output();
    const lines = output.split('\n').filter((line) => line.startsWith('{'));
    expect(lines.length).toBeGreaterThan(10);
    for (const secret of secrets) expect(output).not.toContain(secret);
    expect(output).toContain('[REDACTED]');

    const requestLines = lines.map((line) => JSON.parse(line)).filter((entry) => entry.req);
    expect(requestLines.length).toBeGreaterThan(10);
    for (const entry of requestLines) expect(entry.req.id).toEqual(expect.any(String));
    expect(requestLines.some((entry) => entry.req.id === requestId)).toBe(true);
  });

  it('scrubs secrets from every header and the query string: JWTs anywhere, ?password=, SK_LIVE_ in any case, URL-encoded keys', async () => {
    const reg = await call('POST', '/api/v1/auth/register', {
      email: `scrub-${Date.now()}@example.com`,
      password,
      name: 'Scrubbed',
      organization_name: 'Scrub Inc',
    });
    expect(reg.status).toBe(201);
    const jwt: string = reg.body.access_token;
    const auth = { authorization: `Bearer ${jwt}` };
    const key = await call('POST', '/api/v1/api-keys', { name: 'scrubbed', scopes: ['agents:read'] }, auth);
    expect(key.status).toBe(201);
    const plainKey: string = key.body.key;
    const [, prefix, suffix] = /^sk_live_([a-z0-9]{8})_([A-Za-z0-9]{32})$/.exec(plainKey)!;
    const queryPassword = `qp-${Math.random().toString(36).slice(2)}-Hunter2`;
    // What must not appear anywhere: the token (and its signature alone), the key's secret part, the password.
    const leaks = [jwt, jwt.split('.')[2], suffix, suffix.toUpperCase(), queryPassword];

    const sent = [
      // A JWT in ?token= and in User-Agent, and in headers nobody thought of.
      await call('GET', `/api/v1/agents?token=${jwt}`),
      await call('GET', '/api/v1/health', undefined, { 'user-agent': `Mozilla/5.0 (compatible; ${jwt})` }),
      await call('GET', '/api/v1/health', undefined, { 'x-debug': `session ${jwt}`, referer: `http://example.com/?next=Bearer%20${jwt}` }),
      await call('GET', '/api/v1/health', undefined, { 'x-forwarded-authorization': `Bearer ${plainKey}` }),
      // ?password= (and its percent-encoded name).
      await call('GET', `/api/v1/agents?password=${queryPassword}`),
      await call('GET', `/api/v1/agents?limit=5&pass%77ord=${queryPassword}`),
      // sk_live_ in any case, in the URL and a header.
      await call('GET', `/api/v1/agents?q=SK_LIVE_${prefix.toUpperCase()}_${suffix.toUpperCase()}`),
      await call('GET', '/api/v1/health', undefined, { 'user-agent': `bot SK_LIVE_${prefix}_${suffix}` }),
      // URL-encoded, in the query string and the path.
      await call('GET', `/api/v1/agents?k=sk%5Flive%5F${prefix}%5F${suffix}`),
      await call('GET', `/api/v1/agents?k=%73k_live_${prefix}_${suffix}`),
      await call('GET', `/api/v1/agents?k=%2573k%255Flive%255F${prefix}%255F${suffix}`),
      await call('GET', `/api/v1/agents/sk%5Flive%5F${prefix}%5F${suffix}`, undefined, auth),
    ];
    expect(sent.map((res) => res.status)).toEqual([401, 200, 200, 200, 401, 401, 401, 200, 401, 401, 401, 400]);

    await new Promise((resolve) => setTimeout(resolve, 300));
    const output = server.output();
    for (const leak of leaks) expect(output).not.toContain(leak);
    // The request lines are there, with what was redacted marked.
    const requestLines = output
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line))
      .filter((entry) => entry.req);
    const urls = requestLines.map((entry) => entry.req.url as string);
    expect(urls).toContain('/api/v1/agents?token=[REDACTED]');
    expect(urls).toContain('/api/v1/agents?password=[REDACTED]');
    expect(urls).toContain('/api/v1/agents?limit=5&pass%77ord=[REDACTED]');
    expect(urls).toContain('/api/v1/agents?k=sk_live_[REDACTED]');
    const agents = requestLines.filter((entry) => String(entry.req.headers['user-agent']).startsWith('Mozilla/5.0'));
    expect(agents.map((entry) => entry.req.headers['user-agent'])).toContain('Mozilla/5.0 (compatible; [REDACTED_JWT])');
  });
});
