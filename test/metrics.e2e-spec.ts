import { randomUUID } from 'node:crypto';
import { Account, addMember, bearer, registerOrg } from './helpers/fixtures';
import { startTestApp, TestApp } from './helpers/test-app';

describe('/api/v1/metrics (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  const create = async (account: Account, resource: string, body: Record<string, unknown>) =>
    (await t.api().post(`/api/v1/${resource}`).set(bearer(account.token)).send(body).expect(201)).body;
  const metrics = async (account: Account) =>
    (await t.api().get('/api/v1/metrics').set(bearer(account.token)).expect(200)).body.resources;

  it('counts nothing for a fresh organization', async () => {
    const owner = await registerOrg(t);
    expect(await metrics(owner)).toEqual({ agents: 0, deployments: 0, pipelines: 0, gateways: 0 });
    const whole = await t.api().get('/api/v1/metrics').set(bearer(owner.token)).expect(200);
    expect(whole.body).toEqual({
      resources: { agents: 0, deployments: 0, pipelines: 0, gateways: 0 },
      requests: { request_count: 0, served_count: 0, refused_count: 0, denied_count: 0, failed_count: 0, rejected_count: 0 },
    });
  });

  it("counts exactly the caller's organization's resources, isolated from another organization", async () => {
    const owner = await registerOrg(t);
    const other = await registerOrg(t, 'Other');
    const [a, b] = [
      await create(owner, 'agents', { name: 'A' }),
      await create(owner, 'agents', { name: 'B' }),
    ];
    await create(owner, 'deployments', { agent_id: a.id, environment: 'production', version: '1' });
    await create(owner, 'deployments', { agent_id: a.id, environment: 'staging', version: '1' });
    await create(owner, 'deployments', { agent_id: b.id, environment: 'staging', version: '1' });
    for (let i = 0; i < 3; i++) await create(owner, 'pipelines', { name: `P${i}`, steps: [] });
    await create(owner, 'gateways', { name: 'G', url: 'https://g.example.com' });
    const otherAgent = await create(other, 'agents', { name: `O-${randomUUID()}` });
    await create(other, 'deployments', { agent_id: otherAgent.id, environment: 'development', version: '9' });

    expect(await metrics(owner)).toEqual({ agents: 2, deployments: 3, pipelines: 3, gateways: 1 });
    expect(await metrics(other)).toEqual({ agents: 1, deployments: 1, pipelines: 0, gateways: 0 });

    // Deleting an agent takes its deployments with it.
    await t.api().delete(`/api/v1/agents/${a.id}`).set(bearer(owner.token)).expect(204);
    expect(await metrics(owner)).toEqual({ agents: 1, deployments: 1, pipelines: 3, gateways: 1 });
  });

  it('is open to viewers (metrics:read) and closed to anonymous callers', async () => {
    const owner = await registerOrg(t);
    await create(owner, 'pipelines', { name: 'P', steps: [] });
    const viewer = await addMember(t, owner, 'viewer');
    expect(await metrics(viewer)).toEqual({ agents: 0, deployments: 0, pipelines: 1, gateways: 0 });
    await t.api().get('/api/v1/metrics').expect(401);
  });
});
