import { randomUUID } from 'node:crypto';
import { ApiKeysService } from '../src/api-keys/api-keys.service';
import { ALL_SCOPES } from '../src/auth/scopes';
import type { Role } from '../src/organizations/role';
import { Account, addMember, bearer, PASSWORD, registerOrg } from './helpers/fixtures';
import { startTestApp, TestApp } from './helpers/test-app';

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const MEMBERS = '/api/v1/organizations/current/members';
const LAST_OWNER = 'An organization must keep at least one owner';

interface Member {
  user_id: string;
  email: string;
  name: string;
  role: Role;
  created_at: string;
}

describe('members (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  /** Every member of the account's organization, newest first (one page of up to 100). */
  async function members(account: Account): Promise<Member[]> {
    const res = await t.api().get(MEMBERS).query({ limit: 100 }).set(bearer(account.token)).expect(200);
    return res.body.data;
  }
  const roles = async (account: Account) =>
    Object.fromEntries((await members(account)).map((m) => [m.user_id, m.role]));

  const newMember = (role: string, extra: Record<string, unknown> = {}) => ({
    email: `new-${randomUUID()}@example.com`,
    password: PASSWORD,
    name: 'New Member',
    role,
    ...extra,
  });
  const post = (caller: Account, body: object) => t.api().post(MEMBERS).set(bearer(caller.token)).send(body);
  const patch = (caller: Account, userId: string, body: object) =>
    t.api().patch(`${MEMBERS}/${userId}`).set(bearer(caller.token)).send(body);
  const del = (caller: Account, userId: string) => t.api().delete(`${MEMBERS}/${userId}`).set(bearer(caller.token));

  describe('GET /members', () => {
    it('lists the owner alone in a new organization', async () => {
      const owner = await registerOrg(t);
      const res = await t.api().get(MEMBERS).set(bearer(owner.token)).expect(200);
      expect(res.body).toEqual({
        data: [{ user_id: owner.userId, email: owner.email, name: 'Owner', role: 'owner', created_at: expect.stringMatching(ISO) }],
        next_cursor: null,
      });
    });

    it('pages through members newest first with a cursor', async () => {
      const owner = await registerOrg(t);
      const dev = await addMember(t, owner, 'developer');
      const viewer = await addMember(t, owner, 'viewer');
      const seen: Member[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < 5; page++) {
        const res = await t
          .api()
          .get(MEMBERS)
          .query(cursor ? { limit: 1, cursor } : { limit: 1 })
          .set(bearer(owner.token))
          .expect(200);
        expect(res.body.data).toHaveLength(1);
        seen.push(...res.body.data);
        cursor = res.body.next_cursor ?? undefined;
        if (!cursor) break;
      }
      expect(seen.map((m) => m.user_id)).toEqual([viewer.userId, dev.userId, owner.userId]);
      expect(seen.map((m) => m.role)).toEqual(['viewer', 'developer', 'owner']);
      const times = seen.map((m) => Date.parse(m.created_at));
      expect([...times].sort((a, b) => b - a)).toEqual(times);
    });

    it('lets a viewer list members, and shows only their organization', async () => {
      const owner = await registerOrg(t);
      const viewer = await addMember(t, owner, 'viewer');
      const other = await registerOrg(t);
      await addMember(t, other, 'developer');
      const listed = await members(viewer);
      expect(listed.map((m) => m.user_id).sort()).toEqual([owner.userId, viewer.userId].sort());
    });

    it.each([
      [{ limit: 0 }, 'limit'],
      [{ limit: 101 }, 'limit'],
      [{ limit: 'abc' }, 'limit'],
      [{ limit: 1.5 }, 'limit'],
      [{ cursor: 'not-a-cursor' }, 'cursor'],
      [{ cursor: Buffer.from('2024-01-01T00:00:00.000Z|nope').toString('base64url') }, 'cursor'],
      [{ sort: 'email' }, 'sort'],
    ])('rejects the query %j naming %s (400)', async (query, field) => {
      const owner = await registerOrg(t);
      const res = await t.api().get(MEMBERS).query(query).set(bearer(owner.token)).expect(400);
      expect(res.body).toEqual({ statusCode: 400, error: 'Bad Request', message: expect.stringContaining(field) });
    });
  });

  describe('POST /members', () => {
    it('creates the user and membership, lower-casing the email; the new member can log in', async () => {
      const owner = await registerOrg(t);
      const email = `Grace-${randomUUID()}@Example.COM`;
      const res = await post(owner, { email, password: PASSWORD, name: '  Grace  ', role: 'developer' }).expect(201);
      expect(res.body).toEqual({
        user_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        email: email.toLowerCase(),
        name: 'Grace',
        role: 'developer',
        created_at: expect.stringMatching(ISO),
      });
      expect(JSON.stringify(res.body)).not.toContain(PASSWORD);
      expect((await members(owner))[0]).toEqual(res.body);

      const login = await t.api().post('/api/v1/auth/login').send({ email, password: PASSWORD }).expect(200);
      expect(login.body).toMatchObject({
        user: { id: res.body.user_id, email: email.toLowerCase(), name: 'Grace' },
        organization: { id: owner.organizationId },
        role: 'developer',
      });
    });

    it.each(['owner', 'admin', 'developer', 'viewer'] as const)('lets an owner add a %s', async (role) => {
      const owner = await registerOrg(t);
      const res = await post(owner, newMember(role)).expect(201);
      expect(res.body.role).toBe(role);
    });

    it.each(['admin', 'developer', 'viewer'] as const)('lets an admin add a %s', async (role) => {
      const owner = await registerOrg(t);
      const admin = await addMember(t, owner, 'admin');
      const res = await post(admin, newMember(role)).expect(201);
      expect(res.body.role).toBe(role);
    });

    it('refuses an admin adding an owner (403) and writes nothing', async () => {
      const owner = await registerOrg(t);
      const admin = await addMember(t, owner, 'admin');
      const body = newMember('owner');
      const res = await post(admin, body).expect(403);
      expect(res.body).toEqual({ statusCode: 403, error: 'Forbidden', message: expect.stringContaining('owner') });
      expect(await members(owner)).toHaveLength(2);
      await t.api().post('/api/v1/auth/login').send({ email: body.email, password: PASSWORD }).expect(401);
    });

    it.each(['developer', 'viewer'] as const)('refuses a %s (403 naming the needed roles) and writes nothing', async (role) => {
      const owner = await registerOrg(t);
      const member = await addMember(t, owner, role);
      const res = await post(member, newMember('viewer')).expect(403);
      expect(res.body).toEqual({
        statusCode: 403,
        error: 'Forbidden',
        message: `Requires role owner or admin; you are ${role}`,
      });
      expect(await members(owner)).toHaveLength(2);
    });

    it.each([
      [{}, 'email'],
      [newMember('developer', { email: 'not-an-email' }), 'email'],
      [newMember('developer', { password: 'short' }), 'password'],
      [newMember('developer', { password: 'p'.repeat(73) }), 'password'],
      [newMember('developer', { name: '   ' }), 'name'],
      [newMember('developer', { name: 'n'.repeat(101) }), 'name'],
      [newMember('superuser'), 'role must be one of: owner, admin, developer, viewer'],
      [newMember('Owner'), 'role'],
      [newMember(''), 'role'],
      [newMember('developer', { organization_id: randomUUID() }), 'organization_id'],
    ])('rejects %j naming %s (400) and writes nothing', async (body, field) => {
      const owner = await registerOrg(t);
      const res = await post(owner, body).expect(400);
      expect(res.body).toEqual({ statusCode: 400, error: 'Bad Request', message: expect.stringContaining(field) });
      expect(await members(owner)).toHaveLength(1);
    });

    it('refuses an email already in use, in any case and in any organization (409), and writes nothing', async () => {
      const owner = await registerOrg(t);
      const other = await registerOrg(t);
      for (const email of [owner.email.toUpperCase(), other.email]) {
        const res = await post(owner, newMember('developer', { email })).expect(409);
        expect(res.body).toEqual({ statusCode: 409, error: 'Conflict', message: 'A user with this email already exists' });
      }
      expect(await members(owner)).toHaveLength(1);
      expect(await members(other)).toHaveLength(1);
    });

    it('creates one user when the same email is added twice at once', async () => {
      const owner = await registerOrg(t);
      const body = newMember('developer');
      const statuses = (await Promise.all([post(owner, body), post(owner, body)])).map((r) => r.status).sort();
      expect(statuses).toEqual([201, 409]);
      expect(await members(owner)).toHaveLength(2);
    });
  });

  describe('PATCH /members/:user_id', () => {
    it("changes a member's role and answers the member", async () => {
      const owner = await registerOrg(t);
      const dev = await addMember(t, owner, 'developer');
      const before = (await members(owner)).find((m) => m.user_id === dev.userId)!;
      const res = await patch(owner, dev.userId, { role: 'admin' }).expect(200);
      expect(res.body).toEqual({ ...before, role: 'admin' });
      expect((await roles(owner))[dev.userId]).toBe('admin');
      // The new role applies to the member's existing token at once.
      await post(dev, newMember('viewer')).expect(201);
    });

    it('lets an admin change non-owners, including other admins', async () => {
      const owner = await registerOrg(t);
      const admin = await addMember(t, owner, 'admin');
      const otherAdmin = await addMember(t, owner, 'admin');
      const dev = await addMember(t, owner, 'developer');
      await patch(admin, dev.userId, { role: 'viewer' }).expect(200);
      await patch(admin, otherAdmin.userId, { role: 'developer' }).expect(200);
      expect(await roles(owner)).toEqual({
        [owner.userId]: 'owner',
        [admin.userId]: 'admin',
        [otherAdmin.userId]: 'developer',
        [dev.userId]: 'viewer',
      });
    });

    it("refuses an admin promoting to owner or changing an owner's role (403) and changes nothing", async () => {
      const owner = await registerOrg(t);
      const secondOwner = await addMember(t, owner, 'owner');
      const admin = await addMember(t, owner, 'admin');
      const dev = await addMember(t, owner, 'developer');
      const before = await roles(owner);
      for (const [userId, role] of [
        [dev.userId, 'owner'],
        [admin.userId, 'owner'],
        [secondOwner.userId, 'developer'],
        [owner.userId, 'admin'],
      ] as const) {
        const res = await patch(admin, userId, { role }).expect(403);
        expect(res.body).toEqual({ statusCode: 403, error: 'Forbidden', message: expect.stringContaining('owner') });
      }
      expect(await roles(owner)).toEqual(before);
    });

    it.each(['developer', 'viewer'] as const)('refuses a %s (403) and changes nothing', async (role) => {
      const owner = await registerOrg(t);
      const member = await addMember(t, owner, role);
      const dev = await addMember(t, owner, 'developer');
      const res = await patch(member, dev.userId, { role: 'viewer' }).expect(403);
      expect(res.body.message).toBe(`Requires role owner or admin; you are ${role}`);
      await patch(member, member.userId, { role: 'admin' }).expect(403);
      expect((await roles(owner))[dev.userId]).toBe('developer');
      expect((await roles(owner))[member.userId]).toBe(role);
    });

    it('never demotes the last owner (409), but does when another owner exists', async () => {
      const owner = await registerOrg(t);
      const admin = await addMember(t, owner, 'admin');
      const res = await patch(owner, owner.userId, { role: 'admin' }).expect(409);
      expect(res.body).toEqual({ statusCode: 409, error: 'Conflict', message: LAST_OWNER });
      expect((await roles(owner))[owner.userId]).toBe('owner');

      await patch(owner, admin.userId, { role: 'owner' }).expect(200);
      await patch(owner, owner.userId, { role: 'developer' }).expect(200);
      // The former admin is now the only owner.
      const last = await patch(admin, admin.userId, { role: 'viewer' }).expect(409);
      expect(last.body.message).toBe(LAST_OWNER);
      expect(await roles(admin)).toEqual({ [owner.userId]: 'developer', [admin.userId]: 'owner' });
    });

    it("takes rights from a demoted member's existing token at once", async () => {
      const owner = await registerOrg(t);
      const admin = await addMember(t, owner, 'admin'); // token issued while admin
      await post(admin, newMember('viewer')).expect(201);
      await patch(owner, admin.userId, { role: 'viewer' }).expect(200);
      const res = await post(admin, newMember('viewer')).expect(403);
      expect(res.body.message).toBe('Requires role owner or admin; you are viewer');
      await t.api().patch('/api/v1/organizations/current').set(bearer(admin.token)).send({ name: 'X' }).expect(403);
      await t.api().get(MEMBERS).set(bearer(admin.token)).expect(200);
    });

    it("answers 404 for another organization's member and leaves them unchanged", async () => {
      const owner = await registerOrg(t);
      const other = await registerOrg(t);
      const otherDev = await addMember(t, other, 'developer');
      for (const userId of [otherDev.userId, other.userId, randomUUID()]) {
        const res = await patch(owner, userId, { role: 'viewer' }).expect(404);
        expect(res.body).toEqual({ statusCode: 404, error: 'Not Found', message: 'Member not found' });
      }
      expect(await roles(other)).toEqual({ [other.userId]: 'owner', [otherDev.userId]: 'developer' });
      await post(other, newMember('viewer')).expect(201);
    });

    it.each([
      ['not-a-uuid', { role: 'viewer' }, 'user_id'],
      ['123', { role: 'viewer' }, 'user_id'],
      [undefined, { role: 'superuser' }, 'role must be one of: owner, admin, developer, viewer'],
      [undefined, {}, 'role'],
      [undefined, { role: 'viewer', email: 'x@example.com' }, 'email'],
    ])('rejects user_id %s with %j naming %s (400)', async (userId, body, field) => {
      const owner = await registerOrg(t);
      const dev = await addMember(t, owner, 'developer');
      const res = await patch(owner, userId ?? dev.userId, body).expect(400);
      expect(res.body).toEqual({ statusCode: 400, error: 'Bad Request', message: expect.stringContaining(field) });
      expect((await roles(owner))[dev.userId]).toBe('developer');
    });

    it('keeps one owner when two owners demote themselves at once', async () => {
      const owner = await registerOrg(t);
      const second = await addMember(t, owner, 'owner');
      const results = await Promise.all([
        patch(owner, owner.userId, { role: 'admin' }),
        patch(second, second.userId, { role: 'admin' }),
      ]);
      expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
      expect(Object.values(await roles(owner)).filter((r) => r === 'owner')).toHaveLength(1);
    });
  });

  describe('DELETE /members/:user_id', () => {
    it('removes the member and their account: their token stops working and the email is free', async () => {
      const owner = await registerOrg(t);
      const dev = await addMember(t, owner, 'developer');
      await t.api().get('/api/v1/auth/me').set(bearer(dev.token)).expect(200);

      const res = await del(owner, dev.userId).expect(204);
      expect(res.text).toBe('');
      const after = await t.api().get('/api/v1/auth/me').set(bearer(dev.token)).expect(401);
      expect(after.body.statusCode).toBe(401);
      await t.api().get(MEMBERS).set(bearer(dev.token)).expect(401);
      expect((await members(owner)).map((m) => m.user_id)).toEqual([owner.userId]);
      await t.api().post('/api/v1/auth/login').send({ email: dev.email, password: PASSWORD }).expect(401);

      const again = await post(owner, newMember('viewer', { email: dev.email })).expect(201);
      expect(again.body.user_id).not.toBe(dev.userId);
      await del(owner, dev.userId).expect(404);
    });

    it('lets an admin remove non-owners', async () => {
      const owner = await registerOrg(t);
      const admin = await addMember(t, owner, 'admin');
      const otherAdmin = await addMember(t, owner, 'admin');
      const viewer = await addMember(t, owner, 'viewer');
      await del(admin, viewer.userId).expect(204);
      await del(admin, otherAdmin.userId).expect(204);
      expect(await roles(owner)).toEqual({ [owner.userId]: 'owner', [admin.userId]: 'admin' });
    });

    it('refuses an admin removing an owner (403) and removes nothing', async () => {
      const owner = await registerOrg(t);
      const second = await addMember(t, owner, 'owner');
      const admin = await addMember(t, owner, 'admin');
      for (const userId of [owner.userId, second.userId]) {
        const res = await del(admin, userId).expect(403);
        expect(res.body).toEqual({ statusCode: 403, error: 'Forbidden', message: expect.stringContaining('owner') });
      }
      expect(await members(owner)).toHaveLength(3);
      await t.api().get('/api/v1/auth/me').set(bearer(second.token)).expect(200);
    });

    it.each(['developer', 'viewer'] as const)('refuses a %s (403) and removes nothing', async (role) => {
      const owner = await registerOrg(t);
      const member = await addMember(t, owner, role);
      const dev = await addMember(t, owner, 'developer');
      const res = await del(member, dev.userId).expect(403);
      expect(res.body.message).toBe(`Requires role owner or admin; you are ${role}`);
      await del(member, member.userId).expect(403);
      expect(await members(owner)).toHaveLength(3);
    });

    it('never removes the last owner (409), but does when another owner exists', async () => {
      const owner = await registerOrg(t);
      const res = await del(owner, owner.userId).expect(409);
      expect(res.body).toEqual({ statusCode: 409, error: 'Conflict', message: LAST_OWNER });
      expect(await members(owner)).toHaveLength(1);

      const second = await addMember(t, owner, 'owner');
      await del(second, owner.userId).expect(204);
      await t.api().get('/api/v1/auth/me').set(bearer(owner.token)).expect(401);
      const last = await del(second, second.userId).expect(409);
      expect(last.body.message).toBe(LAST_OWNER);
      expect(await roles(second)).toEqual({ [second.userId]: 'owner' });
    });

    it("answers 404 for another organization's member and leaves them in place", async () => {
      const owner = await registerOrg(t);
      const other = await registerOrg(t);
      const otherDev = await addMember(t, other, 'developer');
      for (const userId of [otherDev.userId, other.userId, randomUUID()]) {
        const res = await del(owner, userId).expect(404);
        expect(res.body).toEqual({ statusCode: 404, error: 'Not Found', message: 'Member not found' });
      }
      expect(await roles(other)).toEqual({ [other.userId]: 'owner', [otherDev.userId]: 'developer' });
      await t.api().get('/api/v1/auth/me').set(bearer(otherDev.token)).expect(200);
    });

    it('answers 400 naming user_id for a malformed id', async () => {
      const owner = await registerOrg(t);
      const res = await del(owner, 'not-a-uuid').expect(400);
      expect(res.body).toEqual({ statusCode: 400, error: 'Bad Request', message: 'user_id must be a UUID' });
    });

    it('keeps one owner when two owners remove each other at once', async () => {
      const owner = await registerOrg(t);
      const second = await addMember(t, owner, 'owner');
      const results = await Promise.all([del(owner, second.userId), del(second, owner.userId)]);
      // The first removal wins; the loser's own account is gone by the time its turn comes.
      expect(results.map((r) => r.status).sort()).toEqual([204, 401]);
      const survivor = results[0].status === 204 ? owner : second;
      expect(await roles(survivor)).toEqual({ [survivor.userId]: 'owner' });
    });
  });

  it('refuses API keys on every member route (403), even with every scope', async () => {
    const owner = await registerOrg(t);
    const dev = await addMember(t, owner, 'developer');
    const { plainKey } = await t.app
      .get(ApiKeysService)
      .create(owner.organizationId, { name: 'all', scopes: [...ALL_SCOPES] }, owner.userId);
    const key = bearer(plainKey);
    await t.api().get(MEMBERS).set(key).expect(403);
    await t.api().post(MEMBERS).set(key).send(newMember('admin')).expect(403);
    await t.api().patch(`${MEMBERS}/${dev.userId}`).set(key).send({ role: 'admin' }).expect(403);
    await t.api().delete(`${MEMBERS}/${dev.userId}`).set(key).expect(403);
    expect(await roles(owner)).toEqual({ [owner.userId]: 'owner', [dev.userId]: 'developer' });
  });
});
