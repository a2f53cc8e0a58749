import { ApiKeysService } from '../src/api-keys/api-keys.service';
import { ALL_SCOPES } from '../src/auth/scopes';
import { Account, addMember, bearer, registerOrg } from './helpers/fixtures';
import { startTestApp, TestApp } from './helpers/test-app';

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const ORG = '/api/v1/organizations/current';

describe('organizations (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  const getOrg = (account: Account) => t.api().get(ORG).set(bearer(account.token));

  it("answers the caller's organization", async () => {
    const owner = await registerOrg(t, 'Engines');
    const res = await getOrg(owner).expect(200);
    expect(res.body).toEqual({
      id: owner.organizationId,
      name: 'Engines',
      created_at: expect.stringMatching(ISO),
      updated_at: expect.stringMatching(ISO),
    });
  });

  it.each(['admin', 'developer', 'viewer'] as const)('lets a %s read the organization', async (role) => {
    const owner = await registerOrg(t, 'Readable');
    const member = await addMember(t, owner, role);
    const res = await getOrg(member).expect(200);
    expect(res.body).toMatchObject({ id: owner.organizationId, name: 'Readable' });
  });

  it.each(['owner', 'admin'] as const)('lets an %s rename the organization (trimmed)', async (role) => {
    const owner = await registerOrg(t, 'Old name');
    const caller = role === 'owner' ? owner : await addMember(t, owner, role);
    const before = (await getOrg(owner).expect(200)).body;

    const res = await t.api().patch(ORG).set(bearer(caller.token)).send({ name: '  New name  ' }).expect(200);
    expect(res.body).toEqual({
      id: owner.organizationId,
      name: 'New name',
      created_at: before.created_at,
      updated_at: expect.stringMatching(ISO),
    });
    expect(Date.parse(res.body.updated_at)).toBeGreaterThanOrEqual(Date.parse(before.updated_at));
    expect((await getOrg(owner).expect(200)).body).toEqual(res.body);
  });

  it.each(['developer', 'viewer'] as const)('refuses a rename by a %s (403) and keeps the name', async (role) => {
    const owner = await registerOrg(t, 'Kept');
    const member = await addMember(t, owner, role);
    const res = await t.api().patch(ORG).set(bearer(member.token)).send({ name: 'Taken over' }).expect(403);
    expect(res.body).toEqual({
      statusCode: 403,
      error: 'Forbidden',
      message: `Requires role owner or admin; you are ${role}`,
    });
    expect((await getOrg(owner).expect(200)).body.name).toBe('Kept');
  });

  it.each([
    [{}, 'name'],
    [{ name: '   ' }, 'name'],
    [{ name: 'x'.repeat(101) }, 'name'],
    [{ name: 42 }, 'name'],
    [{ name: 'Fine', id: '3f1c1a52-6a47-4b8c-9d2a-0c7a8d1e2f30' }, 'id'],
  ])('rejects the rename %j naming %s (400) and keeps the name', async (body, field) => {
    const owner = await registerOrg(t, 'Unchanged');
    const res = await t.api().patch(ORG).set(bearer(owner.token)).send(body).expect(400);
    expect(res.body).toEqual({ statusCode: 400, error: 'Bad Request', message: expect.stringContaining(field) });
    expect((await getOrg(owner).expect(200)).body.name).toBe('Unchanged');
  });

  it('accepts a name of exactly 100 characters', async () => {
    const owner = await registerOrg(t);
    const name = 'n'.repeat(100);
    const res = await t.api().patch(ORG).set(bearer(owner.token)).send({ name }).expect(200);
    expect(res.body.name).toBe(name);
  });

  it("renames only the caller's organization", async () => {
    const a = await registerOrg(t, 'Org A');
    const b = await registerOrg(t, 'Org B');
    await t.api().patch(ORG).set(bearer(a.token)).send({ name: 'Org A2' }).expect(200);
    expect((await getOrg(b).expect(200)).body).toMatchObject({ id: b.organizationId, name: 'Org B' });
  });

  it('answers 401 without a credential', async () => {
    await t.api().get(ORG).expect(401);
    await t.api().patch(ORG).send({ name: 'X' }).expect(401);
  });

  it('refuses API keys, even with every scope (403)', async () => {
    const owner = await registerOrg(t, 'Keyed');
    const { plainKey } = await t.app
      .get(ApiKeysService)
      .create(owner.organizationId, { name: 'all', scopes: [...ALL_SCOPES] }, owner.userId);
    const read = await t.api().get(ORG).set(bearer(plainKey)).expect(403);
    expect(read.body.message).toContain('API keys');
    await t.api().patch(ORG).set('X-API-Key', plainKey).send({ name: 'By key' }).expect(403);
    expect((await getOrg(owner).expect(200)).body.name).toBe('Keyed');
  });
});
