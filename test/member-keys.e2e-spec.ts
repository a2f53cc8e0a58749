import { getRepositoryToken } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { Membership } from '../src/organizations/membership.entity';
import { Account, addMember, bearer, createKey, registerOrg } from './helpers/fixtures';
import { eventually, withEnv } from './helpers/env';
import { startTestApp, TestApp } from './helpers/test-app';

const MEMBERS = '/api/v1/organizations/current/members';
const WRITE_KEY = { name: 'agent writer', scopes: ['agents:write', 'deployments:read'] };

interface AuditEntry {
  action: string;
  target_id: string;
  actor_id: string;
  metadata: Record<string, unknown>;
}

async function auditOf(t: TestApp, owner: Account, query: Record<string, string>): Promise<AuditEntry[]> {
  const res = await t.api().get('/api/v1/audit-logs').query({ limit: 100, ...query }).set(bearer(owner.token)).expect(200);
  return res.body.data;
}

const createAgent = (t: TestApp, key: string) =>
  t.api().post('/api/v1/agents').set('X-API-Key', key).send({ name: `agent-${randomUUID()}` });
const listAgents = (t: TestApp, key: string) => t.api().get('/api/v1/agents').set('X-API-Key', key);
const setRole = (t: TestApp, owner: Account, userId: string, role: string) =>
  t.api().patch(`${MEMBERS}/${userId}`).set(bearer(owner.token)).send({ role }).expect(200);

describe('keys follow their holder (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it("removing a member revokes their keys from the next request, each audited with reason member_removed", async () => {
    const owner = await registerOrg(t);
    const dev = await addMember(t, owner, 'developer');
    const devKey = await createKey(t, dev, WRITE_KEY);
    const devOldKey = await createKey(t, dev);
    await t.api().delete(`/api/v1/api-keys/${devOldKey.id}`).set(bearer(dev.token)).expect(204);
    const ownerKey = await createKey(t, owner);
    await createAgent(t, devKey.key).expect(201);

    await t.api().delete(`${MEMBERS}/${dev.userId}`).set(bearer(owner.token)).expect(204);

    const refused = await listAgents(t, devKey.key).expect(401);
    expect(refused.body.message).toBe('API key has been revoked');
    const record = await t.api().get(`/api/v1/api-keys/${devKey.id}`).set(bearer(owner.token)).expect(200);
    expect(record.body).toMatchObject({ status: 'revoked', revoked_at: expect.any(String) });
    await listAgents(t, ownerKey.key).expect(200);

    const revocations = await auditOf(t, owner, { action: 'api_key.revoked' });
    // The key revoked earlier by its developer keeps its one entry (reason user); the live one gets member_removed.
    expect(revocations.map((e) => [e.target_id, e.metadata.key_prefix, e.metadata.reason, e.actor_id])).toEqual(
      expect.arrayContaining([
        [devKey.id, devKey.key_prefix, 'member_removed', owner.userId],
        [devOldKey.id, devOldKey.key_prefix, 'user', dev.userId],
      ]),
    );
    expect(revocations).toHaveLength(2);
    const [removed] = await auditOf(t, owner, { action: 'member.removed' });
    expect(removed.metadata).toMatchObject({ role: 'developer', keys_revoked: 1 });
  });

  it('?transfer_keys_to= hands the keys to another member: they keep working, audited as api_key.transferred', async () => {
    const owner = await registerOrg(t);
    const dev = await addMember(t, owner, 'developer');
    const heir = await addMember(t, owner, 'developer');
    const key = await createKey(t, dev, WRITE_KEY);
    await createAgent(t, key.key).expect(201);

    await t
      .api()
      .delete(`${MEMBERS}/${dev.userId}`)
      .query({ transfer_keys_to: heir.userId })
      .set(bearer(owner.token))
      .expect(204);

    await createAgent(t, key.key).expect(201);
    const record = await t.api().get(`/api/v1/api-keys/${key.id}`).set(bearer(owner.token)).expect(200);
    expect(record.body).toMatchObject({ status: 'active', created_by: heir.userId });
    const transfers = await auditOf(t, owner, { action: 'api_key.transferred' });
    expect(transfers).toHaveLength(1);
    expect(transfers[0]).toMatchObject({
      target_id: key.id,
      actor_id: owner.userId,
      metadata: { key_prefix: key.key_prefix, from_user_id: dev.userId, to_user_id: heir.userId, reason: 'member_removed' },
    });
    expect(await auditOf(t, owner, { action: 'api_key.revoked' })).toHaveLength(0);
    const [removed] = await auditOf(t, owner, { action: 'member.removed' });
    expect(removed.metadata).toMatchObject({ keys_transferred: 1, keys_transferred_to: heir.userId });
    // The heir now holds the key: it is theirs to revoke, and their role caps it.
    await setRole(t, owner, heir.userId, 'viewer');
    await createAgent(t, key.key).expect(403);
    await listAgents(t, key.key).expect(200);
  });

  it.each([
    ['not-a-uuid', 400, 'transfer_keys_to must be a UUID'],
    ['self', 400, 'transfer_keys_to must name another member, not the one being removed'],
    ['viewer', 400, 'transfer_keys_to names a viewer, who cannot hold API keys'],
    ['stranger', 404, 'transfer_keys_to: no member with this user id in the organization'],
    ['unknown', 404, 'transfer_keys_to: no member with this user id in the organization'],
  ])('refuses transfer_keys_to=%s with %i and changes nothing', async (kind, status, message) => {
    const owner = await registerOrg(t);
    const dev = await addMember(t, owner, 'developer');
    const key = await createKey(t, dev, WRITE_KEY);
    const targets: Record<string, () => Promise<string>> = {
      'not-a-uuid': async () => 'someone',
      self: async () => dev.userId,
      viewer: async () => (await addMember(t, owner, 'viewer')).userId,
      stranger: async () => (await registerOrg(t, 'Other')).userId,
      unknown: async () => randomUUID(),
    };
    const res = await t
      .api()
      .delete(`${MEMBERS}/${dev.userId}`)
      .query({ transfer_keys_to: await targets[kind]() })
      .set(bearer(owner.token))
      .expect(status);
    expect(res.body.message).toContain(message);
    const members = await t.api().get(MEMBERS).set(bearer(owner.token)).expect(200);
    expect(members.body.data.map((m: { user_id: string }) => m.user_id)).toContain(dev.userId);
    await createAgent(t, key.key).expect(201);
  });

  it('leaves no live key to a member removed while creating or rotating one', async () => {
    for (let trial = 0; trial < 5; trial++) {
      const owner = await registerOrg(t);
      const dev = await addMember(t, owner, 'developer');
      const existing = await createKey(t, dev);
      const [created, rotated] = await Promise.all([
        t.api().post('/api/v1/api-keys').set(bearer(dev.token)).send({ name: 'racing', scopes: ['agents:read'] }),
        t.api().post(`/api/v1/api-keys/${existing.id}/rotate`).set(bearer(dev.token)).send({}),
        t.api().delete(`${MEMBERS}/${dev.userId}`).set(bearer(owner.token)).expect(204),
      ]);
      // Each either happened before the removal (and its key was revoked with it) or was refused.
      expect([201, 401]).toContain(created.status);
      expect([201, 401, 409]).toContain(rotated.status); // 409: the old key was revoked by then
      const keys = await t.api().get('/api/v1/api-keys').query({ limit: 100 }).set(bearer(owner.token)).expect(200);
      const live = keys.body.data.filter((k: { created_by: string; status: string }) => k.status !== 'revoked');
      expect(live).toEqual([]);
      for (const res of [created, rotated].filter((r) => r.status === 201)) {
        await listAgents(t, res.body.key).expect(401);
      }
    }
  });

  it("caps a key by its holder's current role: a demoted developer's write key only reads, from the next request", async () => {
    const owner = await registerOrg(t);
    const dev = await addMember(t, owner, 'developer');
    const key = await createKey(t, dev, WRITE_KEY);
    await createAgent(t, key.key).expect(201);

    await setRole(t, owner, dev.userId, 'viewer');
    const denied = await createAgent(t, key.key).expect(403);
    expect(denied.body.message).toBe("Missing scope 'agents:write'");
    // agents:write shrinks to agents:read; the read scope the key had stays; nothing beyond the key's own scopes appears.
    await listAgents(t, key.key).expect(200);
    await t.api().get('/api/v1/deployments').set('X-API-Key', key.key).expect(200);
    await t.api().get('/api/v1/metrics').set('X-API-Key', key.key).expect(403);

    // The cap follows the role both ways: promoted again, the key writes again.
    await setRole(t, owner, dev.userId, 'developer');
    await createAgent(t, key.key).expect(201);
  });

  it('reads a member\'s role for keys and tokens without a database query per request', async () => {
    const owner = await registerOrg(t);
    const key = await createKey(t, owner);
    await listAgents(t, key.key).expect(200);
    await t.api().get('/api/v1/agents').set(bearer(owner.token)).expect(200);
    const memberships = t.app.get(getRepositoryToken(Membership));
    const findOne = jest.spyOn(memberships, 'findOne');
    try {
      for (let i = 0; i < 20; i++) {
        await listAgents(t, key.key).expect(200);
        await t.api().get('/api/v1/agents').set(bearer(owner.token)).expect(200);
      }
      // KEY_CACHE_FRESH_MS (5 s by default) re-reads an entry in the background at most every half of it.
      expect(findOne.mock.calls.length).toBeLessThanOrEqual(2);
    } finally {
      findOne.mockRestore();
    }
  });
});

// Two instances need one database and one Redis: the PostgreSQL + Redis run of .ci/run has both.
const shared = Boolean(process.env.DATABASE_URL && process.env.REDIS_URL);
const describeShared = shared ? describe : describe.skip;

describeShared('member changes on a second instance sharing PostgreSQL and Redis (e2e)', () => {
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    // One deployment: the two apps share a Redis namespace, so they hear each other's member events.
    const cluster = { redisNamespace: `${process.env.REDIS_NAMESPACE}-members` };
    a = await startTestApp(cluster);
    b = await startTestApp(cluster);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  const within = (ms: number, check: () => Promise<boolean>) => eventually(check, ms);

  it("a demotion through A caps the key and the token on B within a second", async () => {
    const owner = await registerOrg(a);
    const dev = await addMember(a, owner, 'developer');
    const key = await createKey(a, dev, WRITE_KEY);
    // B has verified the key and read the developer's role.
    await createAgent(b, key.key).expect(201);
    await b.api().post('/api/v1/agents').set(bearer(dev.token)).send({ name: 'by token' }).expect(201);

    await setRole(a, owner, dev.userId, 'viewer');
    expect(await within(1000, async () => (await createAgent(b, key.key)).status === 403)).toBe(true);
    expect(await within(1000, async () => (await b.api().post('/api/v1/agents').set(bearer(dev.token)).send({ name: 'x' })).status === 403)).toBe(true);
    await listAgents(b, key.key).expect(200);
  });

  it('a removal through A revokes the key on B within a second', async () => {
    const owner = await registerOrg(a);
    const dev = await addMember(a, owner, 'developer');
    const key = await createKey(a, dev, WRITE_KEY);
    await listAgents(b, key.key).expect(200);

    await a.api().delete(`${MEMBERS}/${dev.userId}`).set(bearer(owner.token)).expect(204);
    expect(await within(1000, async () => (await listAgents(b, key.key)).status === 401)).toBe(true);
    // Once the revocation event has arrived, B says why.
    expect(await within(1000, async () => (await listAgents(b, key.key)).body.message === 'API key has been revoked')).toBe(true);
  });

  it('a transfer through A keeps the key working on B, capped by the new holder', async () => {
    const owner = await registerOrg(a);
    const dev = await addMember(a, owner, 'developer');
    const heir = await addMember(a, owner, 'developer');
    const key = await createKey(a, dev, WRITE_KEY);
    await createAgent(b, key.key).expect(201);

    await a.api().delete(`${MEMBERS}/${dev.userId}`).query({ transfer_keys_to: heir.userId }).set(bearer(owner.token)).expect(204);
    await createAgent(b, key.key).expect(201);
    await setRole(a, owner, heir.userId, 'viewer');
    expect(await within(1000, async () => (await createAgent(b, key.key)).status === 403)).toBe(true);
  });
});

// Without Redis nothing tells B; its entries age out after KEY_CACHE_FRESH_MS. Needs a shared database.
const describeSharedDb = process.env.DATABASE_URL ? describe : describe.skip;

describeSharedDb('member changes on a second instance that misses the event (no Redis) (e2e)', () => {
  const FRESH_MS = 1000;
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    const env = { REDIS_URL: undefined, KEY_CACHE_FRESH_MS: String(FRESH_MS) };
    a = await withEnv(env, () => startTestApp());
    b = await withEnv(env, () => startTestApp());
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  it('caps the key on B within the freshness bound after a demotion through A', async () => {
    const owner = await registerOrg(a);
    const dev = await addMember(a, owner, 'developer');
    const key = await createKey(a, dev, WRITE_KEY);
    await createAgent(b, key.key).expect(201);
    await setRole(a, owner, dev.userId, 'viewer');
    // The bound plus a wide margin for a busy machine; only the upper bound is asserted.
    expect(await eventually(async () => (await createAgent(b, key.key)).status === 403, FRESH_MS * 3)).toBe(true);
    await listAgents(b, key.key).expect(200);
  });
});
