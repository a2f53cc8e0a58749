import Redis from 'ioredis';
import { execFileSync, ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { startServerProcess, ServerProcess } from './helpers/server-process';
import { startRedis } from './helpers/private-redis';

/**
 * Redis (no persistence) is SIGKILLed for 10 s under steady load on a 120/min key served by two
 * instances, then restarted empty. Before the fix each instance counted alone with the full limit
 * and the key got a fresh window when Redis came back: 450 admitted in one 60 s span.
 * Now: during the outage the two together admit about one limit, and no 60 s span around the
 * outage admits more than two.
 *
 * Two compiled servers share one database (the PostgreSQL run: DATABASE_URL) and a private
 * redis-server on a port of this suite's own (7900-7999); skipped without either.
 */
const LIMIT = 120;
const WINDOW_MS = 60_000;
const OUTAGE_MS = 10_000;
/** The client's pace: 20 requests a second, alternating instances (10 a second each). */
const EVERY_MS = 50;

const hasRedisServer = (() => {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

async function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

async function freePortInRange(from: number, to: number): Promise<number> {
  const start = from + Math.floor(Math.random() * (to - from + 1));
  for (let i = 0; i <= to - from; i++) {
    const port = from + ((start - from + i) % (to - from + 1));
    if (await portIsFree(port)) return port;
  }
  throw new Error(`no free port in ${from}-${to}`);
}

function sigkill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

interface Answer {
  at: number;
  status: number;
}

/** The most 200s whose answers fall in any WINDOW_MS span. */
function busiestSpan(admittedAt: number[]): number {
  const sorted = [...admittedAt].sort((a, b) => a - b);
  let most = 0;
  let first = 0;
  for (let last = 0; last < sorted.length; last++) {
    while (sorted[last] - sorted[first] >= WINDOW_MS) first++;
    most = Math.max(most, last - first + 1);
  }
  return most;
}

const runs = hasRedisServer && Boolean(process.env.DATABASE_URL);

(runs ? describe : describe.skip)('when Redis is killed and comes back empty, with two instances (e2e)', () => {
  let redisPort: number;
  let redis: ChildProcess | undefined;
  const servers: ServerProcess[] = [];

  beforeAll(async () => {
    redisPort = await freePortInRange(7900, 7999);
    redis = await startRedis(redisPort);
    const env = { REDIS_URL: `redis://127.0.0.1:${redisPort}`, LOG_LEVEL: 'warn' };
    // One after the other: the first applies the migrations.
    servers.push(await startServerProcess(env));
    servers.push(await startServerProcess(env));
  }, 120_000);

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.terminate()));
    if (redis) await sigkill(redis);
  });

  it('admits about one limit during the outage and at most two in any 60 s around it', async () => {
    const [a] = servers;
    const post = async (path: string, body: unknown, headers: Record<string, string> = {}) => {
      const res = await fetch(`${a.baseUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
      expect(res.status).toBe(201);
      return (await res.json()) as Record<string, string>;
    };
    const owner = await post('/api/v1/auth/register', {
      email: `redis-kill-${Date.now()}@example.com`,
      password: 'correct-horse-9',
      name: 'Owner',
      organization_name: 'Redis kill',
    });
    const key = await post(
      '/api/v1/api-keys',
      { name: 'steady client', scopes: ['agents:read'], rate_limit: LIMIT },
      { authorization: `Bearer ${owner.access_token}` },
    );
    // Both instances have said they are alive (heartbeats every 2 s) and seen each other.
    const instancesAlive = async () => {
      const client = new Redis(redisPort, '127.0.0.1', { lazyConnect: true });
      try {
        await client.connect();
        // The servers inherit this run's REDIS_NAMESPACE (test/setup-env.ts).
        return await client.zcard(`${process.env.REDIS_NAMESPACE}:instances`);
      } finally {
        client.disconnect();
      }
    };
    await sleep(4_500);
    expect(await instancesAlive()).toBe(2);

    const answers: Answer[] = [];
    let sent = 0;
    let running = true;
    const inFlight = new Set<Promise<void>>();
    const load = (async () => {
      for (let next = Date.now(); running; next += EVERY_MS) {
        const server = servers[sent++ % 2];
        const request = fetch(`${server.baseUrl}/api/v1/agents`, { headers: { 'x-api-key': key.key } })
          .then(async (res) => {
            await res.arrayBuffer();
            answers.push({ at: Date.now(), status: res.status });
          })
          .catch(() => {
            answers.push({ at: Date.now(), status: 0 });
          })
          .finally(() => inFlight.delete(request));
        inFlight.add(request);
        await sleep(Math.max(0, next + EVERY_MS - Date.now()));
      }
      await Promise.all(inFlight);
    })();

    // A few seconds into the key's window (about 60 of its 120 used), Redis dies without a trace...
    await sleep(3_000);
    const killedAt = Date.now();
    await sigkill(redis!);
    await sleep(OUTAGE_MS);
    // ...and comes back empty.
    const restartedAt = Date.now();
    redis = await startRedis(redisPort);
    // Long enough for the window that was open at the kill to end and the next to be used up.
    await sleep(57_000);
    running = false;
    await load;
    // The registry came back with Redis.
    expect(await instancesAlive()).toBe(2);

    const admitted = answers.filter((x) => x.status === 200).map((x) => x.at);
    const duringOutage = admitted.filter((at) => at >= killedAt && at < restartedAt).length;
    const busiest = busiestSpan(admitted);
    console.log(
      `${answers.length} requests, ${admitted.length} admitted; during the ${OUTAGE_MS / 1000} s outage ${duringOutage}; ` +
        `busiest ${WINDOW_MS / 1000} s span ${busiest} (limit ${LIMIT})`,
    );
    // Every request was answered, with 200 or 429: the outage costs no errors.
    expect(answers.filter((x) => x.status !== 200 && x.status !== 429)).toEqual([]);
    // The limit was reached again after the outage (the bounds below are not met by refusing everything).
    expect(admitted.filter((at) => at >= restartedAt).length).toBeGreaterThanOrEqual(LIMIT / 2);
    expect(duringOutage).toBeLessThanOrEqual(1.2 * LIMIT);
    expect(busiest).toBeLessThanOrEqual(2 * LIMIT);
  }, 180_000);
});
