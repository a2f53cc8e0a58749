import { ChildProcess, spawn } from 'node:child_process';
import { bearer, createKey, registerOrg } from './helpers/fixtures';
import { eventually, withEnv } from './helpers/env';
import { freePort } from './helpers/server-process';
import { startTestApp, TestApp } from './helpers/test-app';

/** A throwaway Redis on its own port, so the test can stop and restart it. */
function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('Ready to accept connections')) resolve(child);
    });
  });
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

describe('when Redis becomes unreachable (e2e)', () => {
  let t: TestApp;
  let redis: ChildProcess | undefined;
  let port: number;

  beforeAll(async () => {
    port = await freePort();
    redis = await startRedis(port);
    t = await withEnv({ REDIS_URL: `redis://127.0.0.1:${port}` }, () => startTestApp());
  });
  afterAll(async () => {
    await t?.close();
    if (redis && redis.exitCode === null) await stop(redis);
  });

  const health = async () => (await t.api().get('/api/v1/health')).body;

  it('keeps serving with in-process limits, reports degraded health, and reconnects by itself', async () => {
    expect(await eventually(async () => (await health()).status === 'ok', 10_000)).toBe(true);
    const owner = await registerOrg(t);
    const key = await createKey(t, owner, { rate_limit: 3 });
    await t.api().get('/api/v1/agents').set('X-API-Key', key.key).expect(200);

    await stop(redis!);
    expect(await eventually(async () => (await health()).status === 'degraded', 10_000)).toBe(true);
    const degraded = await t.api().get('/api/v1/health').expect(200);
    expect(degraded.body.details.redis).toMatchObject({ status: 'down' });
    expect(degraded.body.details.database.status).toBe('up');

    // Served, and still limited: by this instance's own counter now, which goes on from the 1 Redis counted.
    await t.api().get('/api/v1/agents').set('X-API-Key', key.key).expect(200);
    await t.api().get('/api/v1/agents').set('X-API-Key', key.key).expect(200);
    await t.api().get('/api/v1/agents').set('X-API-Key', key.key).expect(429);
    // Key management keeps working too (revocation is published when Redis is back; this instance knows at once).
    await t.api().delete(`/api/v1/api-keys/${key.id}`).set(bearer(owner.token)).expect(204);
    await t.api().get('/api/v1/agents').set('X-API-Key', key.key).expect(401);

    redis = await startRedis(port);
    expect(await eventually(async () => (await health()).status === 'ok', 15_000, 200)).toBe(true);
    const fresh = await createKey(t, owner, { rate_limit: 1 });
    await t.api().get('/api/v1/agents').set('X-API-Key', fresh.key).expect(200);
    await t.api().get('/api/v1/agents').set('X-API-Key', fresh.key).expect(429);
  });
});
