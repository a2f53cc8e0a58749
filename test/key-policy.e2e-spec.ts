import { DataSource } from 'typeorm';
import { BcryptScheduler } from '../src/bcrypt/bcrypt-scheduler';
import { Account, addMember, bearer, createKey, registerOrg } from './helpers/fixtures';
import { startTestApp, TestApp } from './helpers/test-app';

const POLICY = '/api/v1/organizations/current/key-policy';
const DAY_MS = 86_400_000;
const inDays = (days: number) => new Date(Date.now() + days * DAY_MS).toISOString();

describe('organization key policy (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  const patch = (owner: Account, body: unknown) => t.api().patch(POLICY).set(bearer(owner.token)).send(body as object);
  const rows = async (organizationId: string) => {
    const db = t.app.get(DataSource);
    const [keys] = await db.query('SELECT count(*)::int AS n FROM api_keys WHERE organization_id = $1', [organizationId]);
    const [audit] = await db.query('SELECT count(*)::int AS n FROM audit_logs WHERE organization_id = $1', [organizationId]);
    return { keys: keys.n as number, audit: audit.n as number };
  };

  describe('GET and PATCH', () => {
    it('starts at the defaults, changes only the fields sent, and audits each change with before and after', async () => {
      const owner = await registerOrg(t);
      const initial = await t.api().get(POLICY).set(bearer(owner.token)).expect(200);
      expect(initial.body).toEqual({
        require_expiry: false,
        max_lifetime_days: null,
        allowed_scopes: null,
        auto_revoke_unused_days: null,
        updated_at: null,
      });

      const first = await patch(owner, { require_expiry: true, max_lifetime_days: 90 }).expect(200);
      expect(first.body).toMatchObject({ require_expiry: true, max_lifetime_days: 90, allowed_scopes: null, auto_revoke_unused_days: null });
      expect(Date.parse(first.body.updated_at)).toBeGreaterThan(Date.now() - 60_000);
      const second = await patch(owner, { allowed_scopes: ['agents:read', 'agents:read', 'metrics:read'], max_lifetime_days: null }).expect(200);
      expect(second.body).toMatchObject({ require_expiry: true, max_lifetime_days: null, allowed_scopes: ['agents:read', 'metrics:read'] });
      const read = await t.api().get(POLICY).set(bearer(owner.token)).expect(200);
      expect(read.body).toEqual(second.body);

      // The same values again, or nothing at all, change nothing and record nothing.
      await patch(owner, { require_expiry: true }).expect(200);
      expect((await patch(owner, {}).expect(200)).body).toEqual(second.body);
      const audit = await t.api().get('/api/v1/audit-logs?action=key_policy.updated').set(bearer(owner.token)).expect(200);
      expect(audit.body.data).toHaveLength(2);
      const [latest, earliest] = audit.body.data;
      expect(earliest).toMatchObject({
        actor_type: 'user',
        actor_id: owner.userId,
        target_type: 'organization',
        target_id: owner.organizationId,
        metadata: { changes: { require_expiry: { before: false, after: true }, max_lifetime_days: { before: null, after: 90 } } },
      });
      expect(latest.metadata).toEqual({
        changes: {
          allowed_scopes: { before: null, after: ['agents:read', 'metrics:read'] },
          max_lifetime_days: { before: 90, after: null },
        },
      });
    });

    it('lets owners and admins read and change it, refuses developers, viewers and API keys with 403', async () => {
      const owner = await registerOrg(t);
      const admin = await addMember(t, owner, 'admin');
      await t.api().get(POLICY).set(bearer(admin.token)).expect(200);
      await patch(admin, { auto_revoke_unused_days: 30 }).expect(200);
      for (const role of ['developer', 'viewer'] as const) {
        const member = await addMember(t, owner, role);
        const read = await t.api().get(POLICY).set(bearer(member.token)).expect(403);
        expect(read.body.message).toBe(`Requires role owner or admin; you are ${role}`);
        await patch(member, { auto_revoke_unused_days: 1 }).expect(403);
      }
      const key = await createKey(t, owner);
      await t.api().get(POLICY).set('X-API-Key', key.key).expect(403);
      await t.api().patch(POLICY).set('X-API-Key', key.key).send({ require_expiry: true }).expect(403);
      const policy = await t.api().get(POLICY).set(bearer(owner.token)).expect(200);
      expect(policy.body.auto_revoke_unused_days).toBe(30);
    });

    it.each([
      [{ require_expiry: null }, 'require_expiry must be true or false'],
      [{ require_expiry: 'yes' }, 'require_expiry must be true or false'],
      [{ max_lifetime_days: 0 }, 'max_lifetime_days must be an integer from 1 to 3650, or null'],
      [{ max_lifetime_days: 3651 }, 'max_lifetime_days must be an integer from 1 to 3650, or null'],
      [{ max_lifetime_days: 1.5 }, 'max_lifetime_days must be an integer from 1 to 3650, or null'],
      [{ max_lifetime_days: '30' }, 'max_lifetime_days must be an integer from 1 to 3650, or null'],
      [{ auto_revoke_unused_days: 0 }, 'auto_revoke_unused_days must be an integer from 1 to 3650, or null'],
      [{ auto_revoke_unused_days: 4000 }, 'auto_revoke_unused_days must be an integer from 1 to 3650, or null'],
      [{ allowed_scopes: [] }, 'allowed_scopes must be a non-empty array of scopes, or null'],
      [{ allowed_scopes: 'agents:read' }, 'allowed_scopes must be a non-empty array of scopes, or null'],
      [{ allowed_scopes: ['agents:read', 'agent:write'] }, 'unknown scope "agent:write" in allowed_scopes; valid scopes: agents:read'],
      [{ require_expiry: true, owner: 'me' }, 'property owner should not exist'],
    ])('refuses %j with 400 and changes nothing', async (body, message) => {
      const owner = await registerOrg(t);
      const res = await patch(owner, body).expect(400);
      expect(res.body).toEqual({ statusCode: 400, error: 'Bad Request', message: expect.stringContaining(message) });
      const policy = await t.api().get(POLICY).set(bearer(owner.token)).expect(200);
      expect(policy.body.updated_at).toBeNull();
      const audit = await t.api().get('/api/v1/audit-logs?action=key_policy.updated').set(bearer(owner.token)).expect(200);
      expect(audit.body.data).toEqual([]);
    });
  });

  describe('keys that break the policy', () => {
    it.each([
      [{ require_expiry: true }, {}, 'key policy requires expires_at (require_expiry)'],
      [
        { max_lifetime_days: 30 },
        {},
        'key policy limits keys to 30 days, so a key without expires_at is refused too (max_lifetime_days)',
      ],
      [{ max_lifetime_days: 30 }, { expires_at: inDays(31) }, 'key policy limits keys to 30 days: expires_at must be no later than'],
      [
        { allowed_scopes: ['agents:read', 'deployments:write'] },
        { scopes: ['deployments:read', 'agents:write'] },
        "key policy does not allow scope 'agents:write' (allowed_scopes: agents:read, deployments:write)",
      ],
    ])('with policy %j, creating %j is 400 naming the rule, before bcrypt, writing nothing', async (policy, body, message) => {
      const owner = await registerOrg(t);
      await patch(owner, policy).expect(200);
      const before = await rows(owner.organizationId);
      const hash = jest.spyOn(t.app.get(BcryptScheduler), 'hash');
      try {
        const res = await t
          .api()
          .post('/api/v1/api-keys')
          .set(bearer(owner.token))
          .send({ name: 'k', scopes: ['agents:read'], ...body })
          .expect(400);
        expect(res.body).toEqual({ statusCode: 400, error: 'Bad Request', message: expect.stringContaining(message) });
        expect(hash).not.toHaveBeenCalled();
      } finally {
        hash.mockRestore();
      }
      expect(await rows(owner.organizationId)).toEqual(before);
    });

    it('accepts keys within the policy; an allowed x:write lets a key hold x:read', async () => {
      const owner = await registerOrg(t);
      await patch(owner, { require_expiry: true, max_lifetime_days: 30, allowed_scopes: ['agents:write'] }).expect(200);
      await createKey(t, owner, { scopes: ['agents:read'], expires_at: inDays(29) });
      await createKey(t, owner, { scopes: ['agents:write', 'agents:read'], expires_at: inDays(1) });
    });

    it.each([
      [{ require_expiry: true }, {}, 'key policy requires expires_at (require_expiry)'],
      [{ max_lifetime_days: 7 }, { expires_at: inDays(8) }, 'key policy limits keys to 7 days: expires_at must be no later than'],
      [{ allowed_scopes: ['metrics:read'] }, { expires_at: inDays(1) }, "key policy does not allow scope 'agents:read'"],
    ])('with policy %j, rotating with %j is 400 naming the rule, writing nothing', async (policy, body, message) => {
      const owner = await registerOrg(t);
      // Created before the policy, so the old key itself may break it: the successor is what is checked.
      const key = await createKey(t, owner, { scopes: ['agents:read'] });
      await patch(owner, policy).expect(200);
      const before = await rows(owner.organizationId);
      const res = await t.api().post(`/api/v1/api-keys/${key.id}/rotate`).set(bearer(owner.token)).send(body).expect(400);
      expect(res.body.message).toContain(message);
      expect(await rows(owner.organizationId)).toEqual(before);
      const old = await t.api().get(`/api/v1/api-keys/${key.id}`).set(bearer(owner.token)).expect(200);
      expect(old.body).toMatchObject({ status: 'active', expires_at: null });
      await t.api().get('/api/v1/agents').set('X-API-Key', key.key).expect(200);
      // With an expiry the policy accepts, the key rotates, unless its (inherited) scopes are what breaks it.
      await t
        .api()
        .post(`/api/v1/api-keys/${key.id}/rotate`)
        .set(bearer(owner.token))
        .send({ expires_at: inDays(1) })
        .expect('allowed_scopes' in policy ? 400 : 201);
    });

    it('holds a PATCH to the rules of the fields it sets, and lets keys made before the policy be renamed or disabled', async () => {
      const owner = await registerOrg(t);
      const key = await createKey(t, owner, { scopes: ['agents:read'] });
      await patch(owner, { require_expiry: true, max_lifetime_days: 30, allowed_scopes: ['agents:read'] }).expect(200);
      const edit = (body: object) => t.api().patch(`/api/v1/api-keys/${key.id}`).set(bearer(owner.token)).send(body);
      const before = await rows(owner.organizationId);
      expect((await edit({ scopes: ['agents:write'] }).expect(400)).body.message).toContain("key policy does not allow scope 'agents:write'");
      expect((await edit({ expires_at: null }).expect(400)).body.message).toContain('(require_expiry)');
      expect((await edit({ expires_at: inDays(31) }).expect(400)).body.message).toContain('(max_lifetime_days)');
      // Refused changes change nothing and are not audited.
      expect(await rows(owner.organizationId)).toEqual(before);
      await edit({ name: 'renamed', enabled: false }).expect(200);
      const changed = await edit({ enabled: true, expires_at: inDays(29) }).expect(200);
      expect(changed.body).toMatchObject({ name: 'renamed', enabled: true, scopes: ['agents:read'] });
    });

    it("applies a policy change to the next key at once, and only to the policy's own organization", async () => {
      const owner = await registerOrg(t);
      const other = await registerOrg(t);
      await createKey(t, owner); // the policy is now cached
      await patch(owner, { require_expiry: true }).expect(200);
      await t.api().post('/api/v1/api-keys').set(bearer(owner.token)).send({ name: 'k', scopes: ['agents:read'] }).expect(400);
      await createKey(t, other);
      await patch(owner, { require_expiry: false }).expect(200);
      await createKey(t, owner);
    });
  });
});

// Two instances need one database and one Redis: a policy changed through one applies on the other at once.
const shared = Boolean(process.env.DATABASE_URL && process.env.REDIS_URL);
(shared ? describe : describe.skip)('key policy on two instances (e2e)', () => {
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    const cluster = { redisNamespace: `${process.env.REDIS_NAMESPACE}-policy-cluster` };
    a = await startTestApp(cluster);
    b = await startTestApp(cluster);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  it('refuses on instance B, right after the change on A, a key that B had just allowed', async () => {
    const owner = await registerOrg(a);
    await createKey(b, owner); // B has read (and cached) the default policy
    await a.api().patch(POLICY).set(bearer(owner.token)).send({ require_expiry: true }).expect(200);
    // The change is published on commit; give the message a moment to cross Redis (far under the 1 s TTL).
    await new Promise((resolve) => setTimeout(resolve, 100));
    const res = await b.api().post('/api/v1/api-keys').set(bearer(owner.token)).send({ name: 'k', scopes: ['agents:read'] }).expect(400);
    expect(res.body.message).toBe('key policy requires expires_at (require_expiry)');
  });
});
