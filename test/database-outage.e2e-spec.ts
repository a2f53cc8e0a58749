import { Logger } from '@nestjs/common';
import { Client } from 'pg';
import { createKey, registerOrg } from './helpers/fixtures';
import { withEnv } from './helpers/env';
import { privatePort } from './helpers/process-tools';
import { TcpProxy } from './helpers/tcp-proxy';
import { startTestApp, TestApp } from './helpers/test-app';

/**
 * PostgreSQL goes away for 8 s under load (a proxy in front of it is cut): every request that
 * needs it gets 503 "database unavailable" with Retry-After, never 500; health says the database
 * is down; the log says once that it went away and once that it came back; and the service
 * recovers by itself. Uses the machine's PostgreSQL (127.0.0.1:5432) in both CI modes.
 */
const PG = { host: '127.0.0.1', port: 5432 };
const OUTAGE_MS = 8_000;
const database = `kaizen_ops_outage_${process.pid}`;

async function admin(sql: string): Promise<void> {
  const client = new Client({ ...PG, user: 'postgres', database: 'postgres' });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

interface Answer {
  status: number;
  retryAfter?: string;
  message?: string;
  at: number;
}

describe('when PostgreSQL goes away under load (e2e)', () => {
  let proxy: TcpProxy;
  let t: TestApp;
  const logged: Array<{ level: string; context?: string; message: string }> = [];

  beforeAll(async () => {
    await admin(`DROP DATABASE IF EXISTS ${database}`);
    await admin(`CREATE DATABASE ${database}`);
    proxy = new TcpProxy(await privatePort(), PG);
    await proxy.start();
    for (const level of ['log', 'warn', 'error'] as const) {
      jest.spyOn(Logger.prototype, level).mockImplementation(function (this: Logger, message: unknown, ..._rest: unknown[]) {
        logged.push({ level, context: (this as unknown as { context?: string }).context, message: String(message) });
      });
    }
    t = await withEnv({ DATABASE_URL: `postgres://postgres@127.0.0.1:${proxy.port}/${database}`, REDIS_URL: undefined }, () => startTestApp());
  });

  afterAll(async () => {
    await t?.close();
    await proxy?.stop();
    jest.restoreAllMocks();
    await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  });

  it('answers 503 with Retry-After while it is gone, logs the outage once, and recovers by itself', async () => {
    const owner = await registerOrg(t);
    const key = await createKey(t, owner, { rate_limit: 1_000_000, scopes: ['agents:read', 'deployments:read'] });
    // Never used before the outage: its check needs the database, as a user's membership does.
    const unusedKey = await createKey(t, owner, { scopes: ['agents:read'] });
    const answers: Answer[] = [];
    let stop = false;
    const loop = async (path: string) => {
      while (!stop) {
        const res = await t.api().get(path).set('X-API-Key', key.key);
        answers.push({ status: res.status, retryAfter: res.headers['retry-after'], message: res.body?.message, at: Date.now() });
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    const loops = [loop('/api/v1/agents'), loop('/api/v1/agents'), loop('/api/v1/deployments?limit=5')];
    await new Promise((resolve) => setTimeout(resolve, 1_000));

    const cutAt = Date.now();
    await proxy.cut();
    await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS / 2));
    const health = await t.api().get('/api/v1/health');
    const firstUse = await t.api().get('/api/v1/agents').set('X-API-Key', unusedKey.key);
    const asUser = await t.api().get('/api/v1/agents').set('Authorization', `Bearer ${owner.token}`);
    await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS / 2));
    const restoredAt = Date.now();
    await proxy.restore();

    // Back by itself: answers turn 200 again without anyone restarting anything.
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline && !answers.some((a) => a.at > restoredAt && a.status === 200)) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    stop = true;
    await Promise.all(loops);

    const during = answers.filter((a) => a.at > cutAt + 500 && a.at < restoredAt);
    const unavailable = answers.filter((a) => a.status === 503);
    const recoveredAfter = Math.min(...answers.filter((a) => a.at > restoredAt && a.status === 200).map((a) => a.at)) - restoredAt;
    console.log(
      `database outage: ${answers.length} answers, statuses ${JSON.stringify(countBy(answers.map((a) => a.status)))}, ` +
        `200 again ${recoveredAfter} ms after the database returned; warnings and errors logged by context: ` +
        JSON.stringify(countBy(logged.filter((l) => l.level !== 'log').map((l) => `${l.level} ${l.context}`))),
    );
    expect(answers.filter((a) => a.status >= 500 && a.status !== 503)).toEqual([]);
    expect(during.length).toBeGreaterThan(10);
    expect(during.every((a) => a.status === 503)).toBe(true);
    for (const a of unavailable) expect(a).toMatchObject({ retryAfter: expect.stringMatching(/^\d+$/), message: 'database unavailable' });
    for (const res of [firstUse, asUser]) {
      expect({ status: res.status, retryAfter: res.headers['retry-after'], body: res.body }).toEqual({
        status: 503,
        retryAfter: expect.stringMatching(/^\d+$/),
        body: { statusCode: 503, error: 'Service Unavailable', message: 'database unavailable' },
      });
    }
    expect(health.status).toBe(503);
    expect(health.headers['retry-after']).toMatch(/^\d+$/);
    expect(health.body).toMatchObject({ status: 'error', details: { database: { status: 'down' }, redis: expect.any(Object) } });
    expect(answers.filter((a) => a.at > restoredAt + 5_000 && a.status !== 200)).toEqual([]);
    expect(answers[answers.length - 1].status).toBe(200);

    // Once down, once back; no stack trace per failed request.
    const database = logged.filter((l) => l.context === 'Database');
    expect(database.filter((l) => /database unavailable/.test(l.message))).toHaveLength(1);
    expect(database.filter((l) => /database available again/.test(l.message))).toHaveLength(1);
    expect(logged.filter((l) => l.context === 'HttpExceptionFilter')).toEqual([]);
    // Background work that failed for want of the database (key and membership refreshes, usage flushes)
    // leaves the telling to the one 'Database' line: nothing per refresh or per flush.
    expect(logged.filter((l) => l.level !== 'log' && l.context !== 'Database')).toEqual([]);
    const health200 = await t.api().get('/api/v1/health').expect(200);
    expect(health200.body.details.database.status).toBe('up');
  });
});

function countBy(values: (string | number)[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const v of values) counts[String(v)] = (counts[String(v)] ?? 0) + 1;
  return counts;
}
