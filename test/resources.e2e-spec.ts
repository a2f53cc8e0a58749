import { randomUUID } from 'node:crypto';
import { Account, addMember, bearer, createKey, registerOrg } from './helpers/fixtures';
import { startTestApp, TestApp } from './helpers/test-app';

type Body = Record<string, unknown>;

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** What differs between the four resources; every test below runs against each of them. */
interface ResourceCase {
  resource: 'agents' | 'deployments' | 'pipelines' | 'gateways';
  notFound: string;
  /** A valid create body for `account`'s organization (deployments create their agent first). */
  validBody: (account: Account) => Promise<Body>;
  /** The exact response to a create with `body`, apart from id and timestamps. */
  expected: (body: Body) => Body;
  /** A partial update and the fields it must change. */
  patch: Body;
  /** Bodies refused on create, with the field the message must name. */
  badBodies: (account: Account, other: Account) => Promise<Array<[string, Body, string]>>;
  /** Bodies refused on update, with the field the message must name. */
  badPatches: Array<[string, Body, string]>;
}

let t: TestApp;

async function create(account: Account, path: string, body: Body): Promise<Body> {
  const res = await t.api().post(`/api/v1/${path}`).set(bearer(account.token)).send(body).expect(201);
  return res.body;
}

async function createAgent(account: Account, body: Body = {}): Promise<Body> {
  return create(account, 'agents', { name: `agent-${randomUUID().slice(0, 8)}`, ...body });
}

async function listAll(account: Account, resource: string): Promise<Body[]> {
  const res = await t.api().get(`/api/v1/${resource}?limit=100`).set(bearer(account.token)).expect(200);
  return res.body.data;
}

const CASES: ResourceCase[] = [
  {
    resource: 'agents',
    notFound: 'Agent not found',
    validBody: async () => ({ name: '  Support triage  ', description: 'Routes tickets', model: 'gpt-4o' }),
    expected: (body) => ({
      name: String(body.name).trim(),
      description: body.description ?? null,
      model: body.model ?? null,
      status: body.status ?? 'active',
    }),
    patch: { status: 'inactive', description: null },
    badBodies: async () => [
      ['missing name', {}, 'name'],
      ['blank name', { name: '   ' }, 'name'],
      ['name too long', { name: 'x'.repeat(101) }, 'name'],
      ['name not a string', { name: 42 }, 'name'],
      ['description too long', { name: 'A', description: 'x'.repeat(1001) }, 'description'],
      ['model too long', { name: 'A', model: 'x'.repeat(101) }, 'model'],
      ['bad status', { name: 'A', status: 'paused' }, 'status'],
      ['null status', { name: 'A', status: null }, 'status'],
      ['unknown field', { name: 'A', owner: 'me' }, 'owner'],
    ],
    badPatches: [
      ['null name', { name: null }, 'name'],
      ['blank name', { name: ' ' }, 'name'],
      ['bad status', { status: 'on' }, 'status'],
      ['unknown field', { organization_id: randomUUID() }, 'organization_id'],
    ],
  },
  {
    resource: 'deployments',
    notFound: 'Deployment not found',
    validBody: async (account) => ({
      agent_id: (await createAgent(account)).id,
      environment: 'production',
      version: ' 1.4.2 ',
    }),
    expected: (body) => ({
      agent_id: body.agent_id,
      environment: body.environment,
      version: String(body.version).trim(),
      status: body.status ?? 'pending',
    }),
    patch: { status: 'running', environment: 'staging' },
    badBodies: async (account, other) => {
      const agentId = (await createAgent(account)).id;
      const foreignAgentId = (await createAgent(other)).id;
      const ok = { agent_id: agentId, environment: 'staging', version: '1' };
      return [
        ['missing agent_id', { environment: 'staging', version: '1' }, 'agent_id'],
        ['agent_id not a uuid', { ...ok, agent_id: 'agent-1' }, 'agent_id'],
        ['agent_id of no agent', { ...ok, agent_id: randomUUID() }, 'agent_id'],
        ["another organization's agent_id", { ...ok, agent_id: foreignAgentId }, 'agent_id'],
        ['missing environment', { agent_id: agentId, version: '1' }, 'environment'],
        ['bad environment', { ...ok, environment: 'prod' }, 'environment'],
        ['missing version', { agent_id: agentId, environment: 'staging' }, 'version'],
        ['version too long', { ...ok, version: 'v'.repeat(51) }, 'version'],
        ['version not a string', { ...ok, version: 1 }, 'version'],
        ['bad status', { ...ok, status: 'done' }, 'status'],
        ['unknown field', { ...ok, replicas: 3 }, 'replicas'],
      ];
    },
    badPatches: [
      ['null version', { version: null }, 'version'],
      ['bad environment', { environment: 'qa' }, 'environment'],
      ['agent_id of no agent', { agent_id: randomUUID() }, 'agent_id'],
    ],
  },
  {
    resource: 'pipelines',
    notFound: 'Pipeline not found',
    validBody: async () => ({
      name: 'Nightly',
      steps: [{ name: 'fetch', with: { url: 'https://example.com', retries: 2, tags: ['a', null] } }, 'notify', 7],
    }),
    expected: (body) => ({
      name: body.name,
      description: body.description ?? null,
      steps: body.steps,
    }),
    patch: { steps: [], description: 'Runs at 02:00' },
    badBodies: async () => [
      ['missing steps', { name: 'P' }, 'steps'],
      ['steps not an array', { name: 'P', steps: { a: 1 } }, 'steps'],
      ['steps a string', { name: 'P', steps: '[]' }, 'steps'],
      ['null steps', { name: 'P', steps: null }, 'steps'],
      ['too many steps', { name: 'P', steps: Array.from({ length: 101 }, (_, i) => ({ i })) }, 'steps'],
      ['missing name', { steps: [] }, 'name'],
      ['description not a string', { name: 'P', steps: [], description: 5 }, 'description'],
      ['unknown field', { name: 'P', steps: [], schedule: '@daily' }, 'schedule'],
    ],
    badPatches: [
      ['steps not an array', { steps: 'build' }, 'steps'],
      ['null steps', { steps: null }, 'steps'],
    ],
  },
  {
    resource: 'gateways',
    notFound: 'Gateway not found',
    validBody: async () => ({ name: 'EU edge', url: 'https://eu.gateway.example.com/v1' }),
    expected: (body) => ({ name: body.name, url: body.url, status: body.status ?? 'active' }),
    patch: { url: 'http://localhost:8080', status: 'inactive' },
    badBodies: async () => [
      ['ftp url', { name: 'G', url: 'ftp://x' }, 'url'],
      ['javascript url', { name: 'G', url: 'javascript:alert(1)' }, 'url'],
      ['url without scheme', { name: 'G', url: 'example.com' }, 'url'],
      ['url too long', { name: 'G', url: `https://example.com/${'a'.repeat(2048)}` }, 'url'],
      ['missing url', { name: 'G' }, 'url'],
      ['missing name', { url: 'https://example.com' }, 'name'],
      ['bad status', { name: 'G', url: 'https://example.com', status: 'up' }, 'status'],
      ['unknown field', { name: 'G', url: 'https://example.com', region: 'eu' }, 'region'],
    ],
    badPatches: [
      ['file url', { url: 'file:///etc/passwd' }, 'url'],
      ['null url', { url: null }, 'url'],
    ],
  },
];

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

describe.each(CASES)('/api/v1/$resource (e2e)', (c) => {
  const path = `/api/v1/${c.resource}`;

  it('creates, reads, updates and deletes, answering snake_case objects', async () => {
    const owner = await registerOrg(t);
    const body = await c.validBody(owner);

    const created = await t.api().post(path).set(bearer(owner.token)).send(body).expect(201);
    expect(created.body).toEqual({
      id: expect.stringMatching(UUID),
      ...c.expected(body),
      created_at: expect.stringMatching(ISO),
      updated_at: expect.stringMatching(ISO),
    });
    const id = created.body.id;

    const read = await t.api().get(`${path}/${id}`).set(bearer(owner.token)).expect(200);
    expect(read.body).toEqual(created.body);

    await new Promise((resolve) => setTimeout(resolve, 5)); // so the new updated_at is a later millisecond
    const patched = await t.api().patch(`${path}/${id}`).set(bearer(owner.token)).send(c.patch).expect(200);
    expect(patched.body).toEqual({ ...created.body, ...c.patch, updated_at: expect.stringMatching(ISO) });
    expect(Date.parse(patched.body.updated_at)).toBeGreaterThan(Date.parse(created.body.updated_at));
    expect((await t.api().get(`${path}/${id}`).set(bearer(owner.token)).expect(200)).body).toEqual(patched.body);
    // The list (its SQL compiled once, rows hydrated from raw results) answers the same object as a read.
    expect(await listAll(owner, c.resource)).toEqual([patched.body]);

    // An empty PATCH changes nothing.
    const unchanged = await t.api().patch(`${path}/${id}`).set(bearer(owner.token)).send({}).expect(200);
    expect(unchanged.body).toEqual(patched.body);

    const deleted = await t.api().delete(`${path}/${id}`).set(bearer(owner.token)).expect(204);
    expect(deleted.text).toBe('');
    const gone = await t.api().get(`${path}/${id}`).set(bearer(owner.token)).expect(404);
    expect(gone.body).toEqual({ statusCode: 404, error: 'Not Found', message: c.notFound });
    await t.api().delete(`${path}/${id}`).set(bearer(owner.token)).expect(404);
    expect(await listAll(owner, c.resource)).toEqual([]);
  });

  it('pages newest first with a stable cursor, even when a row is inserted between pages', async () => {
    const owner = await registerOrg(t);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await create(owner, c.resource, await c.validBody(owner))).id as string);

    const all = await listAll(owner, c.resource);
    expect(all.map((r) => r.id).sort()).toEqual([...ids].sort());
    // Newest first: created_at descending, id descending within one millisecond.
    const order = [...all].sort(
      (a, b) =>
        Date.parse(b.created_at as string) - Date.parse(a.created_at as string) ||
        (b.id as string).localeCompare(a.id as string),
    );
    expect(all).toEqual(order);

    const first = await t.api().get(`${path}?limit=2`).set(bearer(owner.token)).expect(200);
    expect(first.body).toEqual({ data: all.slice(0, 2), next_cursor: expect.any(String) });

    const inserted = await create(owner, c.resource, await c.validBody(owner));

    const second = await t
      .api()
      .get(path)
      .query({ limit: 2, cursor: first.body.next_cursor })
      .set(bearer(owner.token))
      .expect(200);
    expect(second.body).toEqual({ data: all.slice(2, 4), next_cursor: expect.any(String) });
    const third = await t
      .api()
      .get(path)
      .query({ limit: 2, cursor: second.body.next_cursor })
      .set(bearer(owner.token))
      .expect(200);
    expect(third.body).toEqual({ data: all.slice(4), next_cursor: null });

    // The new row heads a fresh first page; the default limit is 20.
    const fresh = await t.api().get(path).set(bearer(owner.token)).expect(200);
    expect(fresh.body.data.map((r: Body) => r.id)).toEqual([inserted.id, ...all.map((r) => r.id)]);
    expect(fresh.body.next_cursor).toBeNull();
  });

  it.each([['0'], ['101'], ['abc'], ['1.5']])('refuses limit=%s (400 naming limit)', async (limit) => {
    const owner = await registerOrg(t);
    const res = await t.api().get(path).query({ limit }).set(bearer(owner.token)).expect(400);
    expect(res.body).toEqual({ statusCode: 400, error: 'Bad Request', message: expect.stringContaining('limit') });
  });

  it('refuses a garbage cursor (400 naming cursor)', async () => {
    const owner = await registerOrg(t);
    for (const cursor of ['garbage', Buffer.from('not-a-date|x').toString('base64url')]) {
      const res = await t.api().get(path).query({ cursor }).set(bearer(owner.token)).expect(400);
      expect(res.body).toEqual({ statusCode: 400, error: 'Bad Request', message: expect.stringContaining('cursor') });
    }
  });

  it('answers a malformed id with 400 and an unknown id with 404', async () => {
    const owner = await registerOrg(t);
    const auth = bearer(owner.token);
    for (const req of [
      t.api().get(`${path}/not-a-uuid`).set(auth),
      t.api().patch(`${path}/not-a-uuid`).set(auth).send({}),
      t.api().delete(`${path}/not-a-uuid`).set(auth),
    ]) {
      const res = await req.expect(400);
      expect(res.body).toEqual({ statusCode: 400, error: 'Bad Request', message: 'id must be a UUID' });
    }
    const unknown = randomUUID();
    for (const req of [
      t.api().get(`${path}/${unknown}`).set(auth),
      t.api().patch(`${path}/${unknown}`).set(auth).send({}),
      t.api().delete(`${path}/${unknown}`).set(auth),
    ]) {
      const res = await req.expect(404);
      expect(res.body).toEqual({ statusCode: 404, error: 'Not Found', message: c.notFound });
    }
  });

  it("hides another organization's object (404 on GET, PATCH and DELETE) and leaves it unchanged", async () => {
    const owner = await registerOrg(t);
    const other = await registerOrg(t, 'Other');
    const created = await create(owner, c.resource, await c.validBody(owner));
    const url = `${path}/${created.id}`;

    for (const req of [
      t.api().get(url).set(bearer(other.token)),
      t.api().patch(url).set(bearer(other.token)).send(c.patch),
      t.api().patch(url).set(bearer(other.token)).send({}),
      t.api().delete(url).set(bearer(other.token)),
    ]) {
      const res = await req.expect(404);
      expect(res.body).toEqual({ statusCode: 404, error: 'Not Found', message: c.notFound });
    }
    expect(await listAll(other, c.resource)).toEqual([]);
    expect((await t.api().get(url).set(bearer(owner.token)).expect(200)).body).toEqual(created);
  });

  it('lets a viewer read but not write (403 naming the scope)', async () => {
    const owner = await registerOrg(t);
    const created = await create(owner, c.resource, await c.validBody(owner));
    const viewer = await addMember(t, owner, 'viewer');
    const auth = bearer(viewer.token);

    const list = await t.api().get(path).set(auth).expect(200);
    expect(list.body.data).toEqual([created]);
    await t.api().get(`${path}/${created.id}`).set(auth).expect(200);

    for (const req of [
      t.api().post(path).set(auth).send(await c.validBody(owner)),
      t.api().patch(`${path}/${created.id}`).set(auth).send(c.patch),
      t.api().delete(`${path}/${created.id}`).set(auth),
    ]) {
      const res = await req.expect(403);
      expect(res.body).toEqual({
        statusCode: 403,
        error: 'Forbidden',
        message: expect.stringContaining(`${c.resource}:write`),
      });
    }
    expect(await listAll(owner, c.resource)).toEqual([created]);
  });

  it('answers 401 without a credential', async () => {
    await t.api().get(path).expect(401);
    await t.api().post(path).send({}).expect(401);
  });

  it('refuses bad bodies on create with a 400 naming the field, and writes nothing', async () => {
    const owner = await registerOrg(t);
    const other = await registerOrg(t, 'Other');
    const before = await listAll(owner, c.resource);
    for (const [label, body, field] of await c.badBodies(owner, other)) {
      const res = await t.api().post(path).set(bearer(owner.token)).send(body);
      expect({ label, status: res.status, body: res.body }).toEqual({
        label,
        status: 400,
        body: { statusCode: 400, error: 'Bad Request', message: expect.stringContaining(field) },
      });
    }
    expect(await listAll(owner, c.resource)).toEqual(before);
  });

  it('refuses bad bodies on update with a 400 naming the field, and changes nothing', async () => {
    const owner = await registerOrg(t);
    const created = await create(owner, c.resource, await c.validBody(owner));
    for (const [label, body, field] of c.badPatches) {
      const res = await t.api().patch(`${path}/${created.id}`).set(bearer(owner.token)).send(body);
      expect({ label, status: res.status, body: res.body }).toEqual({
        label,
        status: 400,
        body: { statusCode: 400, error: 'Bad Request', message: expect.stringContaining(field) },
      });
    }
    expect((await t.api().get(`${path}/${created.id}`).set(bearer(owner.token)).expect(200)).body).toEqual(created);
  });
});

describe('resource specifics (e2e)', () => {
  it('refuses a deployment of another organization’s agent with the exact message', async () => {
    const owner = await registerOrg(t);
    const other = await registerOrg(t, 'Other');
    const foreign = await createAgent(other);
    const res = await t
      .api()
      .post('/api/v1/deployments')
      .set(bearer(owner.token))
      .send({ agent_id: foreign.id, environment: 'production', version: '1' })
      .expect(400);
    expect(res.body).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: 'agent_id does not name an agent of this organization',
    });
  });

  it('moves a deployment to another agent of the same organization only', async () => {
    const owner = await registerOrg(t);
    const other = await registerOrg(t, 'Other');
    const [a, b, foreign] = [await createAgent(owner), await createAgent(owner), await createAgent(other)];
    const dep = await create(owner, 'deployments', { agent_id: a.id, environment: 'development', version: '1' });

    const moved = await t
      .api()
      .patch(`/api/v1/deployments/${dep.id}`)
      .set(bearer(owner.token))
      .send({ agent_id: b.id })
      .expect(200);
    expect(moved.body.agent_id).toBe(b.id);

    const refused = await t
      .api()
      .patch(`/api/v1/deployments/${dep.id}`)
      .set(bearer(owner.token))
      .send({ agent_id: foreign.id })
      .expect(400);
    expect(refused.body.message).toBe('agent_id does not name an agent of this organization');
    expect((await t.api().get(`/api/v1/deployments/${dep.id}`).set(bearer(owner.token))).body.agent_id).toBe(b.id);
  });

  it("deletes an agent's deployments with it", async () => {
    const owner = await registerOrg(t);
    const agent = await createAgent(owner);
    const keep = await createAgent(owner);
    const dep = await create(owner, 'deployments', { agent_id: agent.id, environment: 'staging', version: '2' });
    const kept = await create(owner, 'deployments', { agent_id: keep.id, environment: 'staging', version: '2' });

    await t.api().delete(`/api/v1/agents/${agent.id}`).set(bearer(owner.token)).expect(204);
    await t.api().get(`/api/v1/deployments/${dep.id}`).set(bearer(owner.token)).expect(404);
    expect(await listAll(owner, 'deployments')).toEqual([kept]);
  });

  it('clears an agent’s optional fields with null and keeps them when omitted', async () => {
    const owner = await registerOrg(t);
    const agent = await createAgent(owner, { description: 'd', model: 'm' });
    const renamed = await t
      .api()
      .patch(`/api/v1/agents/${agent.id}`)
      .set(bearer(owner.token))
      .send({ name: ' Renamed ' })
      .expect(200);
    expect(renamed.body).toMatchObject({ name: 'Renamed', description: 'd', model: 'm', status: 'active' });
    const cleared = await t
      .api()
      .patch(`/api/v1/agents/${agent.id}`)
      .set(bearer(owner.token))
      .send({ description: null, model: null })
      .expect(200);
    expect(cleared.body).toMatchObject({ name: 'Renamed', description: null, model: null });
  });

  it('stores an empty steps array and 100 steps', async () => {
    const owner = await registerOrg(t);
    const empty = await create(owner, 'pipelines', { name: 'Empty', steps: [] });
    expect(empty.steps).toEqual([]);
    const steps = Array.from({ length: 100 }, (_, i) => ({ n: i }));
    const full = await create(owner, 'pipelines', { name: 'Full', steps });
    expect((await t.api().get(`/api/v1/pipelines/${full.id}`).set(bearer(owner.token))).body.steps).toEqual(steps);
  });

  it('enforces API-key scopes on the resource routes (write includes read)', async () => {
    const owner = await registerOrg(t);
    const agent = await createAgent(owner);
    const key = await createKey(t, owner, { scopes: ['agents:read', 'deployments:write'] });
    const auth = { 'X-API-Key': key.key };

    expect((await t.api().get('/api/v1/agents').set(auth).expect(200)).body.data).toEqual([agent]);
    const refused = await t.api().post('/api/v1/agents').set(auth).send({ name: 'A' }).expect(403);
    expect(refused.body.message).toContain('agents:write');
    await t.api().get('/api/v1/deployments').set(auth).expect(200);
    await t
      .api()
      .post('/api/v1/deployments')
      .set(auth)
      .send({ agent_id: agent.id, environment: 'production', version: '1' })
      .expect(201);
    const noPipelines = await t.api().get('/api/v1/pipelines').set(auth).expect(403);
    expect(noPipelines.body.message).toContain('pipelines:read');
  });
});
