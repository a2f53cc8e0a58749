import { randomUUID } from 'node:crypto';
import type { Response } from 'supertest';
import { bearer, createKey, PASSWORD, registerOrg } from './helpers/fixtures';
import { startTestApp, TestApp } from './helpers/test-app';

/**
 * What a browser or a cache in between is told: nosniff on every response, no-store on every API
 * response (those that carry a secret above all), and a CSP with framing protection on the docs
 * page and on the JSON API.
 */
describe('security headers (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  const csp = (res: Response) =>
    Object.fromEntries(
      String(res.headers['content-security-policy'])
        .split(';')
        .map((directive) => directive.trim().split(/\s+/))
        .map(([name, ...sources]) => [name, sources]),
    );

  it('sends Cache-Control: no-store on the responses that carry a secret: register, login, create and rotate a key', async () => {
    const email = `headers-${randomUUID()}@example.com`;
    const registered = await t
      .api()
      .post('/api/v1/auth/register')
      .send({ email, password: PASSWORD, name: 'H', organization_name: 'Headers' })
      .expect(201);
    const login = await t.api().post('/api/v1/auth/login').send({ email, password: PASSWORD }).expect(200);
    const token = login.body.access_token as string;
    const created = await t.api().post('/api/v1/api-keys').set(bearer(token)).send({ name: 'k', scopes: ['agents:read'] }).expect(201);
    const rotated = await t.api().post(`/api/v1/api-keys/${created.body.id}/rotate`).set(bearer(token)).send({}).expect(201);
    for (const res of [registered, login, created, rotated]) {
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
    }
    expect(created.body.key).toMatch(/^sk_live_/);
    expect(rotated.body.key).toMatch(/^sk_live_/);
    // And on the rest of the API, errors included.
    const list = await t.api().get('/api/v1/api-keys').set(bearer(token)).expect(200);
    const unauthorized = await t.api().get('/api/v1/agents').expect(401);
    for (const res of [list, unauthorized]) expect(res.headers['cache-control']).toBe('no-store');
  });

  it('sends X-Content-Type-Options: nosniff on every response: API, errors, docs, assets, unknown paths', async () => {
    const owner = await registerOrg(t);
    const { key } = await createKey(t, owner);
    const responses = [
      await t.api().get('/api/v1/agents').set('X-API-Key', key).expect(200),
      await t.api().get('/api/v1/health').expect(200),
      await t.api().get('/api/v1/agents').expect(401),
      await t.api().post('/api/v1/agents').set(bearer(owner.token)).send({}).expect(400),
      await t.api().get('/api/v1/no-such-route').expect(404),
      await t.api().get('/api/docs').expect(200),
      await t.api().get('/api/docs/swagger-ui-init.js').expect(200),
      await t.api().get('/api/docs-json').expect(200),
      await t.api().get('/not-the-api'),
    ];
    for (const res of responses) expect([res.status, res.headers['x-content-type-options']]).toEqual([res.status, 'nosniff']);
  });

  it('gives the docs page a CSP that allows only its own scripts and may not be framed', async () => {
    const docs = await t.api().get('/api/docs').expect(200);
    const policy = csp(docs);
    expect(policy['script-src']).toEqual(["'self'"]);
    expect(policy['default-src']).toEqual(["'self'"]);
    expect(policy['object-src']).toEqual(["'none'"]);
    expect(policy['frame-ancestors']).toEqual(["'none'"]);
    expect(policy['script-src-attr']).toEqual(["'none'"]);
    expect(docs.headers['x-frame-options']).toBe('DENY');
    // Every script the page loads comes from this origin, as the policy requires.
    const scripts = [...docs.text.matchAll(/<script([^>]*)>/g)].map(([, attributes]) => attributes);
    expect(scripts.length).toBeGreaterThan(0);
    for (const attributes of scripts) expect(attributes).toMatch(/src="\.\/docs\//);
  });

  it('tells browsers to render and frame nothing from the JSON API', async () => {
    for (const res of [await t.api().get('/api/v1/health'), await t.api().get('/api/docs-json')]) {
      expect(csp(res)).toEqual({ 'default-src': ["'none'"], 'frame-ancestors': ["'none'"] });
      expect(res.headers['x-frame-options']).toBe('DENY');
    }
  });

  it("leaves pages outside /api to whoever serves them: the web console's own CSP, not the JSON API's", async () => {
    const outside = await t.api().get('/not-the-api');
    const policy = outside.headers['content-security-policy'];
    if (policy === undefined) return; // the console is not built: nothing is served there
    expect(csp(outside)['default-src']).toEqual(["'self'"]);
    expect(csp(outside)['script-src']).toEqual(["'self'"]);
  });

  it('does not tell Swagger UI to keep credentials in the browser', async () => {
    const init = await t.api().get('/api/docs/swagger-ui-init.js').expect(200);
    expect(init.text).toContain('"persistAuthorization": false');
  });
});
