import { AuditService } from '../src/audit/audit.service';
import { bearer, createKey, registerOrg } from './helpers/fixtures';
import { startTestApp, TestApp } from './helpers/test-app';

describe('audit of API key events (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  /** The organization's key entries, newest first. */
  const entries = async (token: string, query = '') =>
    ((await t.api().get(`/api/v1/audit-logs${query}`).set(bearer(token)).expect(200)).body.data as Record<string, unknown>[]).filter(
      (e) => e.target_type === 'api_key',
    );

  it('records creation, rotation and revocation with the actor, address and user agent, and no secret', async () => {
    const owner = await registerOrg(t);
    const created = await t
      .api()
      .post('/api/v1/api-keys')
      .set(bearer(owner.token))
      .set('User-Agent', 'audit-test/1.0')
      .send({ name: 'audited', scopes: ['agents:read'] })
      .expect(201);
    const rotated = await t
      .api()
      .post(`/api/v1/api-keys/${created.body.id}/rotate`)
      .set(bearer(owner.token))
      .send({ grace_period_seconds: 60 })
      .expect(201);
    await t.api().delete(`/api/v1/api-keys/${rotated.body.id}`).set(bearer(owner.token)).expect(204);
    await t.api().delete(`/api/v1/api-keys/${rotated.body.id}`).set(bearer(owner.token)).expect(204);

    const log = await entries(owner.token, '?limit=100');
    expect(log.map((e) => e.action)).toEqual(['api_key.revoked', 'api_key.rotated', 'api_key.created']);
    expect(log[2]).toMatchObject({
      actor_type: 'user',
      actor_id: owner.userId,
      target_type: 'api_key',
      target_id: created.body.id,
      user_agent: 'audit-test/1.0',
      client_ip: expect.any(String),
      metadata: { name: 'audited', key_prefix: created.body.key_prefix },
    });
    expect(log[1]).toMatchObject({
      target_id: created.body.id,
      metadata: { new_key_id: rotated.body.id, new_key_prefix: rotated.body.key_prefix },
    });
    expect(log[0]).toMatchObject({ target_id: rotated.body.id });
    const json = JSON.stringify(log);
    for (const secret of [created.body.key, rotated.body.key, created.body.key.slice(17), rotated.body.key.slice(17)]) {
      expect(json).not.toContain(secret);
    }
  });

  it('records refused uses of a revoked or expired key, at most once a minute per key', async () => {
    const owner = await registerOrg(t);
    const revoked = await createKey(t, owner);
    const expired = await createKey(t, owner);
    await t.api().delete(`/api/v1/api-keys/${revoked.id}`).set(bearer(owner.token)).expect(204);
    await t.api().post(`/api/v1/api-keys/${expired.id}/rotate`).set(bearer(owner.token)).send({ grace_period_seconds: 0 }).expect(201);
    for (let i = 0; i < 5; i++) {
      await t.api().get('/api/v1/agents').set('X-API-Key', revoked.key).expect(401);
      await t.api().get('/api/v1/agents').set('X-API-Key', expired.key).expect(401);
    }
    await t.app.get(AuditService).settled();
    const refusedRevoked = await entries(owner.token, '?action=api_key.refused_revoked');
    expect(refusedRevoked).toHaveLength(1);
    expect(refusedRevoked[0]).toMatchObject({ actor_type: 'api_key', actor_id: revoked.id, target_id: revoked.id });
    const refusedExpired = await entries(owner.token, '?action=api_key.refused_expired');
    expect(refusedExpired).toHaveLength(1);
    expect(refusedExpired[0]).toMatchObject({ target_id: expired.id });
    expect(JSON.stringify([...refusedRevoked, ...refusedExpired])).not.toContain(revoked.key);
  });

  it('records nothing for a refused change', async () => {
    const owner = await registerOrg(t);
    const key = await createKey(t, owner);
    await t.api().delete(`/api/v1/api-keys/${key.id}`).set(bearer(owner.token)).expect(204);
    await t.api().post(`/api/v1/api-keys/${key.id}/rotate`).set(bearer(owner.token)).send({}).expect(409);
    await t.api().post('/api/v1/api-keys').set(bearer(owner.token)).send({ name: 'x', scopes: ['nope'] }).expect(400);
    expect((await entries(owner.token)).map((e) => e.action)).toEqual(['api_key.revoked', 'api_key.created']);
  });
});
