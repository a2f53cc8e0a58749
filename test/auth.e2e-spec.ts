import { randomUUID } from 'node:crypto';
import { bearer, PASSWORD, registerOrg } from './helpers/fixtures';
import { startTestApp, TestApp } from './helpers/test-app';

describe('auth (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('registers an organization whose first user is its owner', async () => {
    const email = `Mixed-${randomUUID()}@Example.com`;
    const res = await t
      .api()
      .post('/api/v1/auth/register')
      .send({ email, password: PASSWORD, name: 'Ada', organization_name: 'Engines' })
      .expect(201);
    expect(res.body).toEqual({
      access_token: expect.any(String),
      token_type: 'Bearer',
      expires_in: expect.any(Number),
      user: { id: expect.any(String), email: email.toLowerCase(), name: 'Ada' },
      organization: { id: expect.any(String), name: 'Engines' },
      role: 'owner',
    });
    expect(JSON.stringify(res.body)).not.toContain(PASSWORD);
  });

  it('refuses a second account with the same email in another case (409)', async () => {
    const owner = await registerOrg(t);
    const res = await t
      .api()
      .post('/api/v1/auth/register')
      .send({ email: owner.email.toUpperCase(), password: PASSWORD, name: 'B', organization_name: 'B' })
      .expect(409);
    expect(res.body).toEqual({ statusCode: 409, error: 'Conflict', message: expect.stringContaining('email') });
  });

  it('logs in and answers /auth/me', async () => {
    const owner = await registerOrg(t, 'Login Org');
    const login = await t.api().post('/api/v1/auth/login').send({ email: owner.email, password: PASSWORD }).expect(200);
    const me = await t.api().get('/api/v1/auth/me').set(bearer(login.body.access_token)).expect(200);
    expect(me.body).toEqual({
      user: { id: owner.userId, email: owner.email, name: 'Owner' },
      organization: { id: owner.organizationId, name: 'Login Org' },
      role: 'owner',
    });
  });

  it('gives one message for a wrong email and a wrong password', async () => {
    const owner = await registerOrg(t);
    const wrongPassword = await t.api().post('/api/v1/auth/login').send({ email: owner.email, password: 'nope-nope-nope' }).expect(401);
    const wrongEmail = await t.api().post('/api/v1/auth/login').send({ email: `x${owner.email}`, password: PASSWORD }).expect(401);
    expect(wrongPassword.body.message).toBe(wrongEmail.body.message);
  });

  it('throttles repeated failures for one email with 429 and Retry-After', async () => {
    const owner = await registerOrg(t);
    for (let i = 0; i < 10; i++) {
      await t.api().post('/api/v1/auth/login').send({ email: owner.email, password: 'wrong-password' }).expect(401);
    }
    const res = await t.api().post('/api/v1/auth/login').send({ email: owner.email, password: PASSWORD }).expect(429);
    expect(res.headers['retry-after']).toMatch(/^\d+$/);
  });

  it.each([
    [{}, 'email'],
    [{ email: 'not-an-email', password: PASSWORD, name: 'A', organization_name: 'O' }, 'email'],
    [{ email: 'a@b.io', password: 'short', name: 'A', organization_name: 'O' }, 'password'],
    [{ email: 'a@b.io', password: PASSWORD, name: '   ', organization_name: 'O' }, 'name'],
    [{ email: 'a@b.io', password: PASSWORD, name: 'A', organization_name: 'O', admin: true }, 'admin'],
  ])('rejects a bad registration %j naming %s (400)', async (body, field) => {
    const res = await t.api().post('/api/v1/auth/register').send(body).expect(400);
    expect(res.body).toEqual({ statusCode: 400, error: 'Bad Request', message: expect.stringContaining(field) });
  });

  it('answers 401 with WWW-Authenticate when no credential is sent', async () => {
    const res = await t.api().get('/api/v1/auth/me').expect(401);
    expect(res.headers['www-authenticate']).toContain('Bearer');
  });

  it('answers 401 for a tampered or garbage token', async () => {
    const owner = await registerOrg(t);
    await t.api().get('/api/v1/auth/me').set(bearer(`${owner.token}x`)).expect(401);
    await t.api().get('/api/v1/auth/me').set('Authorization', 'Basic abc').expect(401);
    await t.api().get('/api/v1/auth/me').set(bearer('garbage')).expect(401);
  });

  it('answers malformed JSON with 400 and an oversized body with 413', async () => {
    await t.api().post('/api/v1/auth/login').set('Content-Type', 'application/json').send('{"email":').expect(400);
    const big = { email: 'a@b.io', password: PASSWORD, name: 'x'.repeat(200_000), organization_name: 'O' };
    const res = await t.api().post('/api/v1/auth/register').send(big).expect(413);
    expect(res.body.statusCode).toBe(413);
  });

  it('answers deeply nested JSON with 400, not a stack overflow', async () => {
    const deep = `{"email":${'['.repeat(3000)}${']'.repeat(3000)}}`;
    const res = await t.api().post('/api/v1/auth/login').set('Content-Type', 'application/json').send(deep).expect(400);
    expect(res.body).toEqual({ statusCode: 400, error: 'Bad Request', message: expect.stringContaining('nested') });
  });

  it('answers a NUL character in a stored string with 400', async () => {
    const owner = await registerOrg(t);
    const res = await t.api().post('/api/v1/agents').set(bearer(owner.token)).send({ name: 'a\u0000b' }).expect(400);
    expect(res.body.statusCode).toBe(400);
  });

  it('answers an unknown route with a JSON 404', async () => {
    const res = await t.api().get('/api/v1/no-such-thing').expect(404);
    expect(res.body).toEqual({ statusCode: 404, error: 'Not Found', message: expect.any(String) });
  });

  it('reports health without credentials', async () => {
    const res = await t.api().get('/api/v1/health').expect(200);
    expect(res.body.status).toBe('ok');
  });
});
