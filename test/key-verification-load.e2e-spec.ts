import Redis from 'ioredis';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { randomString, withChecksum } from '../src/api-keys/verification/key-format';
import { eventually } from './helpers/env';
import { Answer, call, inPool, statusCounts } from './helpers/load';
import { ServerProcess, startServerProcess } from './helpers/server-process';

// Issue 9's rows for key verification, measured against the compiled server (`npm run build` first).
// Client addresses are 127.x.y.z sockets: the server counts failures per socket address.
const withRedis = Boolean(process.env.REDIS_URL);
const shared = Boolean(process.env.DATABASE_URL && process.env.REDIS_URL);
const itWithRedis = withRedis ? it : it.skip;

const PASSWORD = 'correct-horse-9';
const AGENTS = '/api/v1/agents';

/** A database the server keeps across a restart: DATABASE_URL when set, else an embedded one in a folder. */
function database(): { env: Record<string, string>; remove: () => void } {
  if (process.env.DATABASE_URL) return { env: {}, remove: () => undefined };
  const dir = mkdtempSync(join(tmpdir(), 'kaizen-verify-'));
  return { env: { PGLITE_DATA_DIR: dir }, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

// Every server this file starts, stopped at the end even when a test failed half-way.
const started: ServerProcess[] = [];
afterAll(() => Promise.all(started.map((s) => (s.child.exitCode === null ? s.terminate() : undefined))));

async function start(env: Record<string, string> = {}): Promise<ServerProcess> {
  const server = await startServerProcess({ LOG_LEVEL: 'warn', ...env });
  started.push(server);
  // A server that dies under load is a finding: show why.
  server.child.once('exit', (code, signal) => {
    if (signal !== 'SIGTERM' && code !== 0) process.stderr.write(`server exited (${code ?? signal}):\n${server.output()}\n`);
  });
  return server;
}

// Server starts, hundreds of requests and realistic bcrypt costs on a shared 2-core machine.
const SLOW = 300_000;

interface Owner {
  token: string;
  email: string;
}

async function register(s: ServerProcess, label: string): Promise<Owner> {
  const email = `${label}-${randomString('abcdefghijklmnopqrstuvwxyz0123456789', 12)}@example.com`;
  const res = await call(s.baseUrl, {
    method: 'POST',
    path: '/api/v1/auth/register',
    body: { email, password: PASSWORD, name: label, organization_name: label },
  });
  expect(res.status).toBe(201);
  return { token: JSON.parse(res.body).access_token, email };
}

interface Key {
  id: string;
  key: string;
  key_prefix: string;
}

async function createKeys(s: ServerProcess, owner: Owner, count: number): Promise<Key[]> {
  return inPool(Array.from({ length: count }), 8, async () => {
    const res = await call(s.baseUrl, {
      method: 'POST',
      path: '/api/v1/api-keys',
      headers: { authorization: `Bearer ${owner.token}` },
      body: { name: 'load', scopes: ['agents:read'], rate_limit: 1000 },
    });
    expect(res.status).toBe(201);
    return JSON.parse(res.body) as Key;
  });
}

const useKey = (s: ServerProcess, key: string, from: string) =>
  call(s.baseUrl, { path: AGENTS, headers: { 'x-api-key': key }, from });

const login = (s: ServerProcess, email: string, password: string, from: string) =>
  call(s.baseUrl, { method: 'POST', path: '/api/v1/auth/login', body: { email, password }, from });

interface BcryptStats {
  compares: Record<'key_first_use' | 'key_suspect' | 'password', number>;
  running: number;
  waiting: Record<string, number>;
}

async function bcryptStats(s: ServerProcess): Promise<BcryptStats> {
  const res = await call(s.baseUrl, { path: '/api/v1/health' });
  return JSON.parse(res.body).details.bcrypt as BcryptStats;
}

const keyCompares = (stats: BcryptStats) => stats.compares.key_first_use + stats.compares.key_suspect;

// With a valid checksum, so that each one reaches the prefix lookup (a broken checksum would stop sooner).
const unknownKey = () =>
  withChecksum(`sk_live_${randomString('abcdefghijklmnopqrstuvwxyz0123456789', 8)}_${randomString('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', 26)}`);

/** Deletes keys' cluster verifiers, as if Redis had lost them: their next verification needs bcrypt. */
async function dropVerifiers(keys: Key[]): Promise<void> {
  if (!withRedis) return;
  const redis = new Redis(process.env.REDIS_URL!);
  try {
    await redis.del(...keys.map((k) => `${process.env.REDIS_NAMESPACE}:key-verifier:${k.key_prefix}`));
  } finally {
    redis.disconnect();
  }
}

describe('300 concurrent keys with unknown prefixes from one address (compiled server)', () => {
  it('one instance: at most 20 × 401, the rest 429, and no bcrypt', async () => {
    const s = await start();
    const answers = await Promise.all(Array.from({ length: 300 }, () => useKey(s, unknownKey(), '127.0.9.1')));
    const counts = statusCounts(answers);
    expect(counts[401]).toBeLessThanOrEqual(20);
    expect((counts[401] ?? 0) + (counts[429] ?? 0)).toBe(300);
    expect(keyCompares(await bcryptStats(s))).toBe(0);
  }, SLOW);

  itWithRedis('two instances sharing Redis: still at most 20 × 401 between them', async () => {
    const pair = [await start(), await start()];
    const answers = await Promise.all(
      Array.from({ length: 300 }, (_, i) => useKey(pair[i % 2], unknownKey(), '127.0.9.2')),
    );
    const counts = statusCounts(answers);
    expect(counts[401]).toBeLessThanOrEqual(20);
    expect((counts[401] ?? 0) + (counts[429] ?? 0)).toBe(300);
  }, SLOW);
});

describe('restart, then 300 warm keys at concurrency 100 from one address (compiled server)', () => {
  const db = database();
  let server: ServerProcess | undefined;
  afterAll(() => db.remove());

  it(`answers every key: 0 × 429, 0 × 503${withRedis ? ', 0 bcrypt compares (the cluster verifiers vouch)' : ', at most one bcrypt compare per key'}`, async () => {
    server = await start(db.env);
    const owner = await register(server, 'warm');
    const keys = await createKeys(server, owner, 300);
    const warm = await inPool(keys, 20, (k) => useKey(server!, k.key, '127.0.10.1'));
    expect(statusCounts(warm)).toEqual({ 200: 300 });
    await server.terminate();

    server = await start(db.env);
    const answers = await inPool(keys, 100, (k) => useKey(server!, k.key, '127.0.10.2'));
    expect(statusCounts(answers)).toEqual({ 200: 300 });
    const compares = keyCompares(await bcryptStats(server));
    if (withRedis) expect(compares).toBe(0);
    else expect(compares).toBeLessThanOrEqual(300);
  }, SLOW);
});

describe('fair bcrypt at a realistic cost (compiled server, BCRYPT_COST=10)', () => {
  const db = database();
  const env = { ...db.env, BCRYPT_COST: '10' };
  let server: ServerProcess;
  let other: Owner;
  let genuine: Key[];
  let target: Key;

  beforeAll(async () => {
    const before = await start(env);
    const owner = await register(before, 'fair');
    other = await register(before, 'other');
    [target, ...genuine] = await createKeys(before, owner, 3);
    await before.terminate();
    // A fresh process knows none of these keys; without their verifiers only bcrypt can tell.
    server = await start(env);
    await dropVerifiers([target, ...genuine]);
  }, SLOW);
  afterAll(() => db.remove());

  it("during 600 concurrent logins from one address, a new key's first use and another user's login jump the flood's queue", async () => {
    const flood = Array.from({ length: 600 }, (_, i) => login(server, `nobody-${i}@example.com`, 'wrong-password-1', '127.0.11.1'));
    // The flood's line of the password queue is (nearly) full: first come, first served would put both behind it.
    expect(await eventually(async () => (await bcryptStats(server)).waiting.password >= 24, 30_000)).toBe(true);
    const [keyUse, otherLogin] = await Promise.all([
      useKey(server, genuine[0].key, '127.0.11.2'),
      login(server, other.email, PASSWORD, '127.0.11.3'),
    ]);
    const floodAnswers = await Promise.all(flood);
    expect(keyUse.status).toBe(200);
    expect(otherLogin.status).toBe(200);
    // Order, not time, is what cannot flake on a loaded machine: each waited for a compare or two, and
    // at least 16 of the flood's queued logins were checked (401: the password was compared) after it.
    const checkedAfter = (a: Answer) => floodAnswers.filter((f) => f.status === 401 && f.answeredAt > a.answeredAt).length;
    expect(checkedAfter(keyUse)).toBeGreaterThanOrEqual(16);
    expect(checkedAfter(otherLogin)).toBeGreaterThanOrEqual(16);
    const took = (a: Answer) => a.answeredAt - a.sentAt;
    // Issue 9 measured 23.4 s and 23 s (targets 1 s and 2 s; `npm run bench` measures those).
    expect(took(keyUse)).toBeLessThan(5_000);
    expect(took(otherLogin)).toBeLessThan(5_000);
    process.stdout.write(
      `600 logins: key first use ${took(keyUse)} ms (${checkedAfter(keyUse)} flood logins checked after it), ` +
        `other login ${took(otherLogin)} ms (${checkedAfter(otherLogin)} after), flood ${JSON.stringify(statusCounts(floodAnswers))}\n`,
    );
  }, SLOW);

  it("during 50 addresses × 20 wrong secrets for a known prefix, a never-seen genuine key's first use is served, never 503", async () => {
    const before = await bcryptStats(server);
    // Checksums valid (a guesser computes them), so each reaches the prefix's budget and bcrypt, not only the checksum.
    const wrong = () => withChecksum(`${target.key_prefix}_${randomString('ABCDEFGHIJKLMNOPQRSTUVWXYZ', 26)}`);
    const flood = Array.from({ length: 1000 }, (_, i) => useKey(server, wrong(), `127.0.12.${1 + (i % 50)}`));
    await sleep(50);
    const keyUse = await useKey(server, genuine[1].key, '127.0.12.200');
    const floodAnswers = await Promise.all(flood);
    expect(keyUse.status).toBe(200);
    // Issue 9 saw 503 here. What remains of its latency is the 1,000 connections themselves, opened and
    // answered by this test's process and the server on one loaded 2-core machine (the flood's bcrypt
    // work is bounded below); `npm run bench` measures the figure. A wide bound that cannot flake:
    expect(keyUse.answeredAt - keyUse.sentAt).toBeLessThan(10_000);
    const counts = statusCounts(floodAnswers);
    expect(counts[200]).toBeUndefined();
    expect(counts[503]).toBeUndefined();
    // The prefix's wrong-secret budget (10 a minute) bounds the compares, plus the genuine key's one; the
    // rest are refused without bcrypt. (When Redis answers after its 500 ms command timeout, as on a loaded
    // machine, the process counts in-process instead: at most one more budget.)
    const after = await bcryptStats(server);
    expect(keyCompares(after) - keyCompares(before)).toBeLessThanOrEqual(withRedis ? 2 * 10 + 1 : 10 + 1);
    process.stdout.write(`1,000 wrong secrets: genuine first use ${keyUse.answeredAt - keyUse.sentAt} ms, flood ${JSON.stringify(counts)}\n`);
  }, SLOW);
});

describe('a revocation landing during a first verification (compiled server, BCRYPT_COST=12)', () => {
  const db = database();
  const env = { ...db.env, BCRYPT_COST: '12' };
  afterAll(() => db.remove());

  it(`takes effect: after the 204, no request is served the key for more than 1 s (20 trials${shared ? ', revoked on another instance' : ''})`, async () => {
    const before = await start(env);
    const owner = await register(before, 'revoke');
    const keys = await createKeys(before, owner, 20);
    await before.terminate();
    const verifying = await start(env);
    const revoking = shared ? await start(env) : verifying;
    await dropVerifiers(keys);

    let servedLate = 0;
    let landedDuring = 0;
    for (const [trial, key] of keys.entries()) {
      const from = `127.0.13.${trial + 1}`;
      const first = useKey(verifying, key.key, from);
      // The first verification is running: its bcrypt compare has started.
      expect(await eventually(async () => (await bcryptStats(verifying)).running > 0, 5_000, 5)).toBe(true);
      const revoked = await call(revoking.baseUrl, {
        method: 'DELETE',
        path: `/api/v1/api-keys/${key.id}`,
        headers: { authorization: `Bearer ${owner.token}` },
      });
      expect(revoked.status).toBe(204);
      const firstAnswer = await first;
      if (firstAnswer.answeredAt > revoked.answeredAt) landedDuring += 1;
      const later: Answer[] = [];
      while (Date.now() < revoked.answeredAt + 1_300) {
        later.push(await useKey(verifying, key.key, from));
        await sleep(50);
      }
      if (later.some((a) => a.status === 200 && a.sentAt > revoked.answeredAt + 1_000)) servedLate += 1;
      // Stronger than the target: this design refuses the key from the moment of the 204.
      expect(later.filter((a) => a.status === 200 && (!shared || a.sentAt > revoked.answeredAt + 100))).toEqual([]);
    }
    expect(servedLate).toBe(0);
    // The scenario was exercised: most revocations did land while the first verification ran.
    expect(landedDuring).toBeGreaterThanOrEqual(10);
    process.stdout.write(`revocation during first verification: landed during ${landedDuring}/20, served late ${servedLate}/20\n`);
  }, SLOW);
});
