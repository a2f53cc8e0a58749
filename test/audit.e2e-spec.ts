import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { ApiKeysService } from '../src/api-keys/api-keys.service';
import { ALL_SCOPES } from '../src/auth/scopes';
import { AUDIT_ACTIONS } from '../src/audit/audit-log.entity';
import { AuditActor, AuditService } from '../src/audit/audit.service';
import { Account, addMember, bearer, PASSWORD, registerOrg } from './helpers/fixtures';
import { startTestApp, TestApp } from './helpers/test-app';

const AUDIT = '/api/v1/audit-logs';
const MEMBERS = '/api/v1/organizations/current/members';
const UA = 'kaizen-audit-e2e/1.0 (+https://example.com/tests)';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const LOOPBACK = /^(::ffff:)?127\.0\.0\.1$|^::1$/;
const PLAIN_KEY = 'sk_live_a1b2c3d4_abcdefghijklmnopqrstuvwxyzABCDEF';

interface Entry {
  id: string;
  action: string;
  actor_type: string;
  actor_id: string | null;
  target_type: string;
  target_id: string | null;
  client_ip: string | null;
  user_agent: string | null;
  metadata: Record<string, unknown>;
  created_at: string;
}

describe('audit log (e2e)', () => {
  let t: TestApp;
  let audit: AuditService;
  beforeAll(async () => {
    t = await startTestApp();
    audit = t.app.get(AuditService);
  });
  afterAll(() => t.close());

  /**
   * Every entry the account's organization sees, newest first (one page of up to 100), without the
   * entry its registration wrote (tested on its own below).
   */
  async function entries(account: Account, query: Record<string, string | number> = {}): Promise<Entry[]> {
    const res = await t.api().get(AUDIT).query({ limit: 100, ...query }).set(bearer(account.token)).expect(200);
    expect(res.body.next_cursor).toBeNull();
    return (res.body.data as Entry[]).filter((e) => e.metadata.via !== 'registration');
  }

  it('records the registration that created the organization and its owner', async () => {
    const owner = await registerOrg(t);
    const res = await t.api().get(AUDIT).set(bearer(owner.token)).expect(200);
    expect(res.body.data).toEqual([
      expect.objectContaining({
        action: 'member.added',
        actor_type: 'user',
        actor_id: owner.userId,
        target_type: 'member',
        target_id: owner.userId,
        client_ip: expect.any(String),
        metadata: { email: owner.email, role: 'owner', via: 'registration' },
      }),
    ]);
    expect(JSON.stringify(res.body)).not.toContain(owner.password);
  });

  const newMember = (role: string) => ({
    email: `new-${randomUUID()}@example.com`,
    password: PASSWORD,
    name: 'New Member',
    role,
  });
  const post = (caller: Account, body: object) =>
    t.api().post(MEMBERS).set(bearer(caller.token)).set('User-Agent', UA).send(body);
  const patch = (caller: Account, userId: string, role: string) =>
    t.api().patch(`${MEMBERS}/${userId}`).set(bearer(caller.token)).set('User-Agent', UA).send({ role });
  const del = (caller: Account, userId: string) =>
    t.api().delete(`${MEMBERS}/${userId}`).set(bearer(caller.token)).set('User-Agent', UA);

  const byOwner = (owner: Account) => ({
    actor_type: 'user',
    actor_id: owner.userId,
    client_ip: expect.stringMatching(LOOPBACK),
    user_agent: UA,
  });

  describe('member events', () => {
    it('records member.added once, with the actor, address, user agent, email and role, and never the password', async () => {
      const owner = await registerOrg(t);
      const body = newMember('developer');
      const added = await post(owner, body).expect(201);

      const res = await t.api().get(AUDIT).query({ target_id: added.body.user_id }).set(bearer(owner.token)).expect(200);
      expect(res.body).toEqual({
        data: [
          {
            id: expect.stringMatching(UUID),
            action: 'member.added',
            ...byOwner(owner),
            target_type: 'member',
            target_id: added.body.user_id,
            metadata: { email: body.email, role: 'developer' },
            created_at: expect.stringMatching(ISO),
          },
        ],
        next_cursor: null,
      });
      expect(JSON.stringify(res.body)).not.toContain(PASSWORD);
    });

    it('records member.role_changed once with from and to; setting the same role records nothing', async () => {
      const owner = await registerOrg(t);
      const dev = await addMember(t, owner, 'developer');
      await patch(owner, dev.userId, 'admin').expect(200);
      await patch(owner, dev.userId, 'admin').expect(200);

      const changes = await entries(owner, { action: 'member.role_changed' });
      expect(changes).toEqual([
        expect.objectContaining({
          ...byOwner(owner),
          target_type: 'member',
          target_id: dev.userId,
          metadata: { from: 'developer', to: 'admin' },
        }),
      ]);
    });

    it('records member.removed once with the email and role the member had', async () => {
      const owner = await registerOrg(t);
      const viewer = await addMember(t, owner, 'viewer');
      await del(owner, viewer.userId).expect(204);

      const removals = await entries(owner, { action: 'member.removed' });
      expect(removals).toEqual([
        expect.objectContaining({
          ...byOwner(owner),
          target_type: 'member',
          target_id: viewer.userId,
          metadata: { email: viewer.email, role: 'viewer' },
        }),
      ]);
      expect((await entries(owner)).map((e) => e.action)).toEqual(['member.removed', 'member.added']);
    });

    it('writes nothing for a refused or failed change', async () => {
      const owner = await registerOrg(t);
      const admin = await addMember(t, owner, 'admin');
      const dev = await addMember(t, owner, 'developer');
      const before = await entries(owner);
      expect(before).toHaveLength(2);

      await patch(owner, owner.userId, 'admin').expect(409); // the last owner
      await del(owner, owner.userId).expect(409);
      await post(admin, newMember('owner')).expect(403);
      await patch(admin, owner.userId, 'viewer').expect(403);
      await post(owner, { ...newMember('viewer'), email: dev.email }).expect(409);
      await patch(owner, randomUUID(), 'viewer').expect(404);
      await post(owner, { ...newMember('viewer'), role: 'superuser' }).expect(400);

      expect(await entries(owner)).toEqual(before);
    });

    it('rolls the change back when its audit entry cannot be written', async () => {
      const owner = await registerOrg(t);
      const dev = await addMember(t, owner, 'developer');
      const spy = jest.spyOn(audit, 'record').mockRejectedValueOnce(new Error('audit store unavailable'));
      try {
        await patch(owner, dev.userId, 'admin').expect(500);
      } finally {
        spy.mockRestore();
      }
      const listed = await t.api().get(MEMBERS).set(bearer(owner.token)).expect(200);
      expect(listed.body.data.find((m: { user_id: string }) => m.user_id === dev.userId).role).toBe('developer');
      expect(await entries(owner, { action: 'member.role_changed' })).toEqual([]);
    });

    it('record() with a transaction manager commits and rolls back with that transaction', async () => {
      const owner = await registerOrg(t);
      const actor: AuditActor = { type: 'system', id: null, clientIp: null, userAgent: null };
      const entry = (note: string) =>
        ({ organizationId: owner.organizationId, action: 'member.added', actor, targetType: 'member', targetId: null, metadata: { note } }) as const;
      const dataSource = t.app.get(DataSource);
      await expect(
        dataSource.transaction(async (tx) => {
          await audit.record(entry('rolled back'), tx);
          throw new Error('abort');
        }),
      ).rejects.toThrow('abort');
      await dataSource.transaction((tx) => audit.record(entry('committed'), tx));
      expect((await entries(owner)).map((e) => e.metadata)).toEqual([{ note: 'committed' }]);
    });
  });

  describe('GET /audit-logs filters', () => {
    let owner: Account;
    let admin: Account;
    let dev: Account;
    let all: Entry[];

    beforeAll(async () => {
      owner = await registerOrg(t);
      admin = await addMember(t, owner, 'admin'); // member.added by owner
      dev = await addMember(t, owner, 'developer'); // member.added by owner
      await patch(admin, dev.userId, 'viewer').expect(200); // by admin
      await patch(owner, dev.userId, 'developer').expect(200); // by owner
      await del(admin, dev.userId).expect(204); // by admin
      all = await entries(owner);
    });

    it('lists every entry newest first', () => {
      expect(all.map((e) => e.action)).toEqual([
        'member.removed',
        'member.role_changed',
        'member.role_changed',
        'member.added',
        'member.added',
      ]);
      const times = all.map((e) => Date.parse(e.created_at));
      expect([...times].sort((a, b) => b - a)).toEqual(times);
    });

    it('filters by action', async () => {
      const added = await entries(owner, { action: 'member.added' });
      expect(added.map((e) => e.target_id)).toEqual([dev.userId, admin.userId]);
      expect(await entries(owner, { action: 'api_key.revoked' })).toEqual([]);
    });

    it('filters by actor_id and actor_type', async () => {
      const byAdmin = await entries(owner, { actor_id: admin.userId });
      expect(byAdmin.map((e) => [e.action, e.metadata])).toEqual([
        ['member.removed', { email: dev.email, role: 'developer' }],
        ['member.role_changed', { from: 'developer', to: 'viewer' }],
      ]);
      expect(await entries(owner, { actor_id: owner.userId, action: 'member.role_changed' })).toEqual([
        expect.objectContaining({ metadata: { from: 'viewer', to: 'developer' } }),
      ]);
      expect(await entries(owner, { actor_type: 'user' })).toEqual(all);
      expect(await entries(owner, { actor_type: 'api_key' })).toEqual([]);
    });

    it('filters by target_id', async () => {
      const aboutDev = await entries(owner, { target_id: dev.userId });
      expect(aboutDev.map((e) => e.action)).toEqual(['member.removed', 'member.role_changed', 'member.role_changed', 'member.added']);
    });

    it('filters by time: from inclusive, to exclusive, in any zone', async () => {
      const pivot = all[2].created_at;
      const at = Date.parse(pivot);
      const from = await entries(owner, { from: pivot });
      expect(from.map((e) => e.id)).toEqual(all.filter((e) => Date.parse(e.created_at) >= at).map((e) => e.id));
      expect(from.map((e) => e.id)).toContain(all[2].id);
      const to = await entries(owner, { to: pivot });
      expect(to.map((e) => e.id)).toEqual(all.filter((e) => Date.parse(e.created_at) < at).map((e) => e.id));
      expect(to.map((e) => e.id)).not.toContain(all[2].id);

      // The same instant written at +02:00.
      const plusTwo = new Date(at + 2 * 3_600_000).toISOString().replace('Z', '+02:00');
      expect(await entries(owner, { from: plusTwo })).toEqual(from);
      const [oldest, newest] = [Date.parse(all[4].created_at), Date.parse(all[0].created_at)];
      const window = await entries(owner, { from: all[4].created_at, to: all[0].created_at });
      const inWindow = all.filter((e) => Date.parse(e.created_at) >= oldest && Date.parse(e.created_at) < newest);
      expect(window.map((e) => e.id)).toEqual(inWindow.map((e) => e.id));
      expect(window.map((e) => e.id)).toContain(all[4].id);
      expect(await entries(owner, { from: '2000-01-01T00:00:00Z', to: '2000-01-02T00:00:00Z' })).toEqual([]);
    });

    it('pages with limit and cursor, combined with a filter', async () => {
      const seen: Entry[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < 10; page++) {
        const res = await t
          .api()
          .get(AUDIT)
          .query({ limit: 2, ...(cursor ? { cursor } : {}) })
          .set(bearer(owner.token))
          .expect(200);
        expect(res.body.data.length).toBeLessThanOrEqual(2);
        seen.push(...res.body.data);
        cursor = res.body.next_cursor ?? undefined;
        if (!cursor) break;
      }
      expect(seen.filter((e) => e.metadata.via !== 'registration')).toEqual(all);

      const first = await t.api().get(AUDIT).query({ limit: 1, target_id: dev.userId }).set(bearer(owner.token)).expect(200);
      const second = await t
        .api()
        .get(AUDIT)
        .query({ limit: 1, target_id: dev.userId, cursor: first.body.next_cursor })
        .set(bearer(owner.token))
        .expect(200);
      expect([...first.body.data, ...second.body.data].map((e: Entry) => e.id)).toEqual(all.slice(0, 2).map((e) => e.id));
    });

    it.each([
      [{ action: 'member.deleted' }, `action must be one of: ${AUDIT_ACTIONS.join(', ')}`],
      [{ action: 'MEMBER.ADDED' }, 'action must be one of'],
      [{ actor_id: 'not-a-uuid' }, 'actor_id must be a UUID'],
      [{ actor_type: 'robot' }, 'actor_type must be one of: user, api_key, system'],
      [{ target_id: '123' }, 'target_id must be a UUID'],
      [{ from: '2024-01-15' }, 'from must be an ISO-8601 date-time with a time zone'],
      [{ from: '2024-01-15T10:00:00' }, 'from must be an ISO-8601 date-time with a time zone'],
      [{ to: 'yesterday' }, 'to must be an ISO-8601 date-time with a time zone'],
      [{ to: '2024-02-30T00:00:00Z' }, 'to must be an ISO-8601 date-time'],
      [{ from: '2024-01-15T10:00:00Z', to: '2024-01-15T10:00:00Z' }, 'from must be before to'],
      [{ from: '2024-01-16T00:00:00Z', to: '2024-01-15T00:00:00Z' }, 'from must be before to'],
      [{ limit: 0 }, 'limit'],
      [{ limit: 101 }, 'limit'],
      [{ cursor: 'not-a-cursor' }, 'cursor'],
      [{ organization_id: randomUUID() }, 'organization_id'],
    ])('rejects %j (400: %s)', async (query, message) => {
      const res = await t.api().get(AUDIT).query(query).set(bearer(owner.token)).expect(400);
      expect(res.body).toEqual({ statusCode: 400, error: 'Bad Request', message: expect.stringContaining(message) });
    });
  });

  describe('who may read', () => {
    it('lets an admin read', async () => {
      const owner = await registerOrg(t);
      const admin = await addMember(t, owner, 'admin');
      expect(await entries(admin)).toEqual(await entries(owner));
    });

    it.each(['developer', 'viewer'] as const)('refuses a %s (403)', async (role) => {
      const owner = await registerOrg(t);
      const member = await addMember(t, owner, role);
      const res = await t.api().get(AUDIT).set(bearer(member.token)).expect(403);
      expect(res.body).toEqual({ statusCode: 403, error: 'Forbidden', message: `Requires role owner or admin; you are ${role}` });
    });

    it('refuses an API key, even with every scope (403), and an anonymous caller (401)', async () => {
      const owner = await registerOrg(t);
      const { plainKey } = await t.app
        .get(ApiKeysService)
        .create(owner.organizationId, { name: 'all', scopes: [...ALL_SCOPES] }, owner.userId);
      await t.api().get(AUDIT).set(bearer(plainKey)).expect(403);
      await t.api().get(AUDIT).set('X-API-Key', plainKey).expect(403);
      await t.api().get(AUDIT).expect(401);
    });

    it("never shows another organization's entries, whatever the filter", async () => {
      const a = await registerOrg(t);
      const b = await registerOrg(t);
      const aDev = await addMember(t, a, 'developer');
      const bDev = await addMember(t, b, 'developer');
      await patch(b, bDev.userId, 'viewer').expect(200);

      expect((await entries(a)).map((e) => e.target_id)).toEqual([aDev.userId]);
      expect((await entries(b)).map((e) => e.target_id)).toEqual([bDev.userId, bDev.userId]);
      expect(await entries(a, { actor_id: b.userId })).toEqual([]);
      expect(await entries(a, { target_id: bDev.userId })).toEqual([]);
      expect(await entries(a, { action: 'member.role_changed' })).toEqual([]);
    });

    it('is documented in the OpenAPI document under the audit tag', async () => {
      const res = await t.api().get('/api/docs-json').expect(200);
      const operation = res.body.paths['/api/v1/audit-logs'].get;
      expect(operation.tags).toContain('audit');
      expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '403']));
    });
  });

  describe('secrets', () => {
    it('drops secret-named metadata and key-shaped values before storing', async () => {
      const owner = await registerOrg(t);
      await audit.record({
        organizationId: owner.organizationId,
        action: 'api_key.created',
        actor: { type: 'user', id: owner.userId, clientIp: '203.0.113.7', userAgent: `client (${PLAIN_KEY})` },
        targetType: 'api_key',
        targetId: randomUUID(),
        metadata: {
          name: 'CI/CD Pipeline',
          key_prefix: 'sk_live_a1b2c3d4',
          key: PLAIN_KEY,
          plainKey: PLAIN_KEY,
          key_hash: '$2b$12$abcdefghijklmnopqrstuv',
          password: PASSWORD,
          access_token: 'eyJhbGciOiJIUzI1NiJ9.e30.x',
          client_secret: 'shh',
          note: `made from ${PLAIN_KEY}`,
          nested: { token: 'x', scopes: ['agents:read'] },
        },
      });
      const [entry] = await entries(owner);
      expect(entry.metadata).toEqual({
        name: 'CI/CD Pipeline',
        key_prefix: 'sk_live_a1b2c3d4',
        note: '[REDACTED]',
        nested: { scopes: ['agents:read'] },
      });
      expect(entry.user_agent).toBe('client (sk_live_[REDACTED])');
      const json = JSON.stringify(entry);
      for (const secret of [PLAIN_KEY, PLAIN_KEY.slice(17), PASSWORD, '$2b$', 'eyJhbGci', 'shh']) {
        expect(json).not.toContain(secret);
      }
    });

    it('truncates a user agent longer than 512 characters', async () => {
      const owner = await registerOrg(t);
      const long = `agent/${'x'.repeat(600)}`;
      await t.api().post(MEMBERS).set(bearer(owner.token)).set('User-Agent', long).send(newMember('viewer')).expect(201);
      const [entry] = await entries(owner);
      expect(entry.user_agent).toBe(long.slice(0, 512));
    });
  });

  describe('recordRefusedUse', () => {
    const refusal = (owner: Account, keyId: string, action: 'api_key.refused_revoked' | 'api_key.refused_expired') => ({
      organizationId: owner.organizationId,
      action,
      actor: { type: 'api_key' as const, id: keyId, clientIp: '198.51.100.1', userAgent: 'broken-client/0.1' },
      targetType: 'api_key' as const,
      targetId: keyId,
      metadata: { key_prefix: 'sk_live_a1b2c3d4' },
    });

    it('records one entry per key and action per minute, and returns without waiting', async () => {
      const owner = await registerOrg(t);
      const keyA = randomUUID();
      const keyB = randomUUID();
      for (let i = 0; i < 5; i++) {
        expect(audit.recordRefusedUse(refusal(owner, keyA, 'api_key.refused_revoked'))).toBeUndefined();
      }
      audit.recordRefusedUse(refusal(owner, keyB, 'api_key.refused_revoked'));
      audit.recordRefusedUse(refusal(owner, keyB, 'api_key.refused_revoked'));
      audit.recordRefusedUse(refusal(owner, keyA, 'api_key.refused_expired'));
      await audit.settled();

      const revoked = await entries(owner, { action: 'api_key.refused_revoked' });
      expect(revoked.map((e) => e.target_id).sort()).toEqual([keyA, keyB].sort());
      expect(revoked.find((e) => e.target_id === keyA)).toMatchObject({
        actor_type: 'api_key',
        actor_id: keyA,
        target_type: 'api_key',
        client_ip: '198.51.100.1',
        user_agent: 'broken-client/0.1',
        metadata: { key_prefix: 'sk_live_a1b2c3d4' },
      });
      expect(await entries(owner, { target_id: keyA })).toHaveLength(2);
      expect(await entries(owner, { actor_id: keyB })).toHaveLength(1);
    });

    it('never throws when the entry cannot be stored', async () => {
      // An organization that does not exist: the insert fails on its foreign key.
      const ghost = { organizationId: randomUUID() } as Account;
      expect(() => audit.recordRefusedUse(refusal(ghost, randomUUID(), 'api_key.refused_expired'))).not.toThrow();
      await expect(audit.settled()).resolves.toBeUndefined();
    });
  });
});
