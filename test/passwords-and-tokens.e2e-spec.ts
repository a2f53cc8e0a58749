import { JwtService } from '@nestjs/jwt';
import { randomUUID } from 'node:crypto';
import { bearer, registerOrg } from './helpers/fixtures';
import { startTestApp, TestApp } from './helpers/test-app';

const BYTE_LIMIT = /^password must be at most 72 bytes in UTF-8/;

/**
 * bcrypt reads 72 bytes of a password and ignores the rest, so a longer password would be cut
 * short without a word: it is refused (400 naming the limit) on register, login and add member,
 * counted in UTF-8 bytes, not characters. And a user token must carry `exp`.
 */
describe('passwords and access tokens (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  const register = (password: string) =>
    t
      .api()
      .post('/api/v1/auth/register')
      .send({ email: `pw-${randomUUID()}@example.com`, password, name: 'P', organization_name: 'P' });

  it('refuses passwords over 72 bytes with 400 on register, login and add member', async () => {
    const owner = await registerOrg(t, 'Byte Limits');
    // 73 ASCII bytes; 37 'é' (37 characters, 74 bytes); 19 '😀' (38 UTF-16 units, 76 bytes).
    for (const long of ['a'.repeat(73), 'é'.repeat(37), '😀'.repeat(19)]) {
      const registered = await register(long).expect(400);
      expect(registered.body).toEqual({ statusCode: 400, error: 'Bad Request', message: expect.stringMatching(BYTE_LIMIT) });
      const login = await t.api().post('/api/v1/auth/login').send({ email: owner.email, password: long }).expect(400);
      expect(login.body.message).toMatch(BYTE_LIMIT);
      const added = await t
        .api()
        .post('/api/v1/organizations/current/members')
        .set(bearer(owner.token))
        .send({ email: `m-${randomUUID()}@example.com`, password: long, name: 'M', role: 'viewer' })
        .expect(400);
      expect(added.body.message).toMatch(BYTE_LIMIT);
    }
  });

  it('accepts exactly 72 bytes, and the same password with more after it never logs in', async () => {
    const exact = 'é'.repeat(36); // 36 characters, 72 bytes
    const email = `exact-${randomUUID()}@example.com`;
    await t.api().post('/api/v1/auth/register').send({ email, password: exact, name: 'E', organization_name: 'E' }).expect(201);
    await t.api().post('/api/v1/auth/login').send({ email, password: exact }).expect(200);
    // bcrypt alone would say yes: it never reads past byte 72.
    await t.api().post('/api/v1/auth/login').send({ email, password: `${exact}x` }).expect(400);
    await t.api().post('/api/v1/auth/login').send({ email, password: `${exact}-anything-at-all` }).expect(400);
  });

  it('refuses an access token without exp, signed with the server secret (401)', async () => {
    const owner = await registerOrg(t, 'Token Expiry');
    await t.api().get('/api/v1/auth/me').set(bearer(owner.token)).expect(200);
    const jwt = new JwtService({ secret: process.env.JWT_SECRET });
    const claims = { sub: owner.userId, org: owner.organizationId };

    const forever = await jwt.signAsync(claims, { algorithm: 'HS256' });
    expect(jwt.decode<Record<string, unknown>>(forever).exp).toBeUndefined();
    const refused = await t.api().get('/api/v1/auth/me').set(bearer(forever)).expect(401);
    expect(refused.body).toEqual({ statusCode: 401, error: 'Unauthorized', message: 'Access token is invalid' });
    await t.api().get('/api/v1/agents').set(bearer(forever)).expect(401);

    // The same claims with an expiry are accepted; an expired one is not.
    await t.api().get('/api/v1/auth/me').set(bearer(await jwt.signAsync(claims, { algorithm: 'HS256', expiresIn: 60 }))).expect(200);
    const expired = await jwt.signAsync({ ...claims, exp: Math.floor(Date.now() / 1000) - 10 }, { algorithm: 'HS256' });
    expect((await t.api().get('/api/v1/auth/me').set(bearer(expired)).expect(401)).body.message).toBe('Access token has expired');
  });
});
