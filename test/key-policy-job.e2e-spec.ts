import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { randomUUID } from 'node:crypto';
import { eventually, withEnv } from './helpers/env';
import { bearer } from './helpers/fixtures';
import { startServerProcess, ServerProcess } from './helpers/server-process';
import { startTestApp, TestApp } from './helpers/test-app';

/**
 * The key-policy job as it runs by itself: every KEY_POLICY_JOB_MS (small here), on the real clock,
 * with rows backdated in SQL instead of a moved clock. Once in-process (the embedded database by
 * default), and once as two compiled instances sharing PostgreSQL and Redis.
 */
const JOB_MS = '150';
const DAY_MS = 86_400_000;
const ago = (days: number) => new Date(Date.now() - days * DAY_MS);
const ahead = (hours: number) => new Date(Date.now() + hours * 3_600_000).toISOString();

/** What a client sees of one organization's audit log. */
interface Entry {
  action: string;
  target_id: string;
  actor_type: string;
  metadata: Record<string, unknown>;
}

/** A response as the scenario reads it: JSON bodies of the shapes the API documents. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the scenario reads several documented shapes
type Answer = { status: number; body: any };
type Http = (method: string, path: string, token?: string, body?: unknown) => Promise<Answer>;

/** The scenario, the same on both set-ups: `http` talks to an instance, `sql` to its database. */
async function scenario(
  http: Http,
  sql: (text: string, params: unknown[]) => Promise<unknown[]>,
  runs: () => Promise<number>,
) {
  // A lease left by a process killed in an earlier run (same database) would hold the job for minutes: lapse it.
  await sql(`UPDATE scheduled_jobs SET locked_until = now() WHERE name = 'key-policy'`, []);
  const email = `job-${randomUUID()}@example.com`;
  const reg = await http('POST', '/api/v1/auth/register', undefined, { email, password: 'correct-horse-9', name: 'J', organization_name: 'J' });
  expect(reg.status).toBe(201);
  const token: string = reg.body.access_token;
  const create = async (body: Record<string, unknown> = {}) => {
    const res = await http('POST', '/api/v1/api-keys', token, { name: 'k', scopes: ['agents:read'], ...body });
    expect(res.status).toBe(201);
    return res.body as { id: string; key: string; key_prefix: string };
  };
  const unused = await create();
  const used = await create();
  const week = await create({ expires_at: ahead(6 * 24) });
  const day = await create({ expires_at: ahead(12) });
  // Both made 40 days ago; one of them was used yesterday.
  await sql(`UPDATE api_keys SET created_at = $2 WHERE id = ANY($1)`, [[unused.id, used.id], ago(40)]);
  await sql(`UPDATE api_keys SET last_used_at = $2 WHERE id = $1`, [used.id, ago(1)]);
  expect((await http('PATCH', '/api/v1/organizations/current/key-policy', token, { auto_revoke_unused_days: 30 })).status).toBe(200);

  const started = await runs();
  const revoked = await eventually(async () => (await http('GET', `/api/v1/api-keys/${unused.id}`, token)).body.status === 'revoked', 10_000);
  expect(revoked).toBe(true);
  // A few more runs after the one that acted: none of them may act again.
  expect(await eventually(async () => (await runs()) >= started + 4, 10_000)).toBe(true);

  const log = (await http('GET', '/api/v1/audit-logs?limit=100', token)).body.data as Entry[];
  const of = (action: string) => log.filter((e) => e.action === action).map((e) => ({ target_id: e.target_id, actor_type: e.actor_type, metadata: e.metadata }));
  expect(of('api_key.revoked')).toEqual([
    { target_id: unused.id, actor_type: 'system', metadata: { name: 'k', key_prefix: unused.key_prefix, reason: 'unused' } },
  ]);
  expect(of('api_key.expiring').sort((a, b) => Number(a.metadata.days_left) - Number(b.metadata.days_left))).toEqual([
    { target_id: day.id, actor_type: 'system', metadata: expect.objectContaining({ key_prefix: day.key_prefix, days_left: 1 }) },
    { target_id: week.id, actor_type: 'system', metadata: expect.objectContaining({ key_prefix: week.key_prefix, days_left: 7 }) },
  ]);
  expect((await http('GET', `/api/v1/api-keys/${used.id}`, token)).body.status).toBe('active');
  expect((await http('GET', '/api/v1/agents', unused.key)).status).toBe(401);
  expect((await http('GET', '/api/v1/agents', used.key)).status).toBe(200);
}

/** How many runs have finished so far, as the job's lease row records them (any instance's). */
const finishedRuns = (sql: (text: string, params: unknown[]) => Promise<unknown[]>) => {
  let seen: string | null = null;
  let count = 0;
  return async () => {
    const [row] = (await sql(`SELECT last_finished_at::text AS at FROM scheduled_jobs WHERE name = 'key-policy'`, [])) as { at: string | null }[];
    if (row?.at && row.at !== seen) {
      seen = row.at;
      count += 1;
    }
    return count;
  };
};

describe('key-policy job, one instance (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await withEnv({ KEY_POLICY_JOB_MS: JOB_MS }, () => startTestApp());
  });
  afterAll(() => t.close());

  it('revokes the key unused past the limit once, leaves the used one, and records expiring once for 7 and for 1 day', async () => {
    const db = t.app.get(DataSource);
    const sql = (text: string, params: unknown[]) => db.query(text, params) as Promise<unknown[]>;
    const http = async (method: string, path: string, token?: string, body?: unknown) => {
      let req = t.api()[method.toLowerCase() as 'get'](path);
      if (token) req = token.startsWith('sk_live_') ? req.set('X-API-Key', token) : req.set(bearer(token));
      const res = body === undefined ? await req : await req.send(body as object);
      return { status: res.status, body: res.body };
    };
    await scenario(http, sql, finishedRuns(sql));
  });
});

const shared = Boolean(process.env.DATABASE_URL && process.env.REDIS_URL);
(shared ? describe : describe.skip)('key-policy job, two compiled instances sharing PostgreSQL and Redis (e2e)', () => {
  let a: ServerProcess;
  let b: ServerProcess;
  let pg: Client;
  beforeAll(async () => {
    const env = { KEY_POLICY_JOB_MS: JOB_MS, LOG_LEVEL: 'warn', REDIS_NAMESPACE: `${process.env.REDIS_NAMESPACE}-job-cluster` };
    [a, b] = await Promise.all([startServerProcess(env), startServerProcess(env)]);
    pg = new Client({ connectionString: process.env.DATABASE_URL });
    await pg.connect();
  });
  afterAll(async () => {
    await pg?.end();
    await Promise.all([a?.terminate(), b?.terminate()]);
  });

  it('acts once per key between them: one revocation, one notice per threshold', async () => {
    const sql = async (text: string, params: unknown[]) => (await pg.query(text, params)).rows as unknown[];
    let turn = 0;
    const http = async (method: string, path: string, token?: string, body?: unknown) => {
      // Requests alternate between the instances.
      const base = (turn++ % 2 === 0 ? a : b).baseUrl;
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (token?.startsWith('sk_live_')) headers['x-api-key'] = token;
      else if (token) headers.authorization = `Bearer ${token}`;
      const res = await fetch(`${base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    };
    // Both instances take turns at the job: the lease row names each of them at some point.
    const holders = new Set<string>();
    const runs = finishedRuns(sql);
    const watch = async () => {
      const [row] = (await sql(`SELECT locked_by FROM scheduled_jobs WHERE name = 'key-policy'`, [])) as { locked_by: string }[];
      if (row) holders.add(row.locked_by);
      return runs();
    };
    await scenario(http, sql, watch);
    await eventually(async () => (await watch(), holders.size >= 2), 10_000, 50);
    expect(holders.size).toBeGreaterThanOrEqual(2);
  });
});
