/**
 * Every scenario on one database, in this order:
 *   server 1 (no REDIS_URL): (a) health ceiling, (b) GET /agents with a key, (k) the same with a key that
 *     carries an IP allow-list (issue 13), (u) the same with a user's
 *     access token, (f) (b) at a fixed rate, (e) (b) during a wrong-secret flood, (d) fresh keys' first use;
 *   tenant A's year of usage written into the database (server stopped), then server 1 again for
 *     (n) tenant B's /agents alone and while tenant A polls /metrics;
 *   server 2 (REDIS_URL): (a') its health ceiling and (c) (b) against it;
 *   issue 9's attack scenarios (bench/attacks.ts).
 * Servers run one after another: the embedded database can be opened by one process at a time.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { AttackFigure, runAttacks } from './attacks';
import { startCpuWindow } from './cpu';
import { BenchDatabase } from './databases';
import { httpRequest } from './http';
import { measureNeighbour, SLOW_POLL_RATE } from './neighbour';
import { runPacedInChild } from './paced';
import { fixedRateTarget, latencyRatioTarget, ratioTarget, ScenarioId, ScenarioOutcome, TargetOutcome } from './report';
import { firstUseLatency, LoadResult, loadProblems, LoadSpec, runLoad, settle, warmThenMeasure } from './scenarios';
import { seedEmbedded, seedPostgres, SeedResult, SeedTarget, unseedPostgres } from './seed';
import { API, ServerProcess } from './server';
import { elapsedSec, log, settings, wanted } from './settings';

export interface DatabaseRun {
  servers: Record<string, unknown>[];
  scenarios: ScenarioOutcome[];
  targets: TargetOutcome[];
  informational: TargetOutcome[];
  attacks: AttackFigure[];
  setupProblems: string[];
  /** What (n) ran against: tenant A's seeded usage, or why it was not seeded. */
  neighbourSeed: (SeedResult & { note?: string }) | { skipped: string };
  durationSec: number;
}

interface Tenant {
  organizationId: string;
  userId: string;
  accessToken: string;
  key: string;
  keyPrefix: string;
}

const ORDER: ScenarioId[] = ['a', 'b', 'k', 'u', 'c', "a'", 'd', 'e', 'e-flood', 'f', 'n-alone', 'n', 'n-noisy', 'n-slow'];

async function registerTenant(
  server: ServerProcess,
  label: string,
  scopes: string[],
  problems: string[],
  ipAllowlist: string[] = [],
): Promise<Tenant> {
  const base = `${server.baseUrl}${API}`;
  const suffix = randomBytes(4).toString('hex');
  const register = await httpRequest('POST', `${base}/auth/register`, {
    body: {
      email: `bench-${label}-${suffix}@example.com`,
      password: randomBytes(12).toString('base64url'),
      name: `Bench ${label}`,
      organization_name: `Bench ${label} ${suffix}`,
    },
  });
  const accessToken: unknown = register.json?.access_token;
  const user = register.json?.user as { id?: unknown } | undefined;
  const org = register.json?.organization as { id?: unknown } | undefined;
  if (register.status !== 201 || typeof accessToken !== 'string' || typeof user?.id !== 'string' || typeof org?.id !== 'string') {
    throw new Error(`POST /auth/register answered ${register.status}: ${register.text.slice(0, 300)}`);
  }
  const auth = { authorization: `Bearer ${accessToken}` };
  if (scopes.includes('agents:read')) {
    const agent = await httpRequest('POST', `${base}/agents`, { headers: auth, body: { name: 'bench-agent' } });
    if (agent.status !== 201) problems.push(`POST /agents answered ${agent.status}: ${agent.text.slice(0, 200)}`);
  }
  const created = await httpRequest('POST', `${base}/api-keys`, {
    headers: auth,
    body: { name: `bench ${label}`, scopes, rate_limit: 1_000_000, ip_allowlist: ipAllowlist },
  });
  const key: unknown = created.json?.key;
  const keyPrefix: unknown = created.json?.key_prefix;
  if (created.status !== 201 || typeof key !== 'string' || typeof keyPrefix !== 'string') {
    throw new Error(`POST /api-keys answered ${created.status}: ${created.text.slice(0, 300)}`);
  }
  return { organizationId: org.id, userId: user.id, accessToken, key, keyPrefix };
}

/** Nine documentation networks and the bench client's own address (settings.validClientAddress). */
const ALLOWLIST = [
  '192.0.2.0/24',
  '203.0.113.0/24',
  '10.20.0.0/16',
  '172.16.5.0/24',
  '100.64.1.0/24',
  '2001:db8::/32',
  '2001:db8:1::/48',
  'fd00:1234::/32',
  '192.168.77.0/24',
  settings.validClientAddress,
];

/** The key's first use (bcrypt), so the measured scenarios start from the cached path. */
async function useOnce(server: ServerProcess, path: string, key: string, problems: string[]): Promise<void> {
  const first = await httpRequest('GET', `${server.baseUrl}${API}${path}`, {
    headers: { 'x-api-key': key, 'x-forwarded-for': settings.validClientAddress },
  });
  if (first.status !== 200) problems.push(`first GET ${path} with the key answered ${first.status}: ${first.text.slice(0, 200)}`);
  else log(`key ${key.slice(0, 16)}… works on ${path} (first use ${first.ms.toFixed(0)} ms)`);
}

export async function redisProblem(url: string): Promise<string | undefined> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 2000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  let lastError: Error | undefined;
  redis.on('error', (err: Error) => {
    lastError = err;
  });
  try {
    await redis.connect();
    const pong = await redis.ping();
    return pong === 'PONG' ? undefined : `PING answered ${pong}`;
  } catch (err) {
    // ioredis reports "Connection is closed"; the socket error says why.
    return lastError?.message ?? (err instanceof Error ? err.message : String(err));
  } finally {
    redis.disconnect();
  }
}

function loadOutcome(id: ScenarioId, title: string, server: string, load: LoadResult, expectNon2xx = false): ScenarioOutcome {
  const problems = expectNon2xx ? [] : loadProblems(load);
  return { id, title, server, status: problems.length ? 'invalid' : 'valid', problems, load };
}

function failed(id: ScenarioId, title: string, server: string, err: unknown): ScenarioOutcome {
  return { id, title, server, status: 'failed', problems: [err instanceof Error ? err.message.split('\n')[0] : String(err)] };
}

function skipped(id: ScenarioId, title: string, server: string, reason: string): ScenarioOutcome {
  return { id, title, server, status: 'skipped', problems: [reason] };
}

export function logOutcome(s: ScenarioOutcome): void {
  const settleNote = s.settleMs !== undefined && s.settleMs > 500 ? `, server busy ${(s.settleMs / 1000).toFixed(1)} s afterwards` : '';
  const verdict = s.status === 'valid' ? '' : ` — ${s.status.toUpperCase()}: ${s.problems.join('; ')}`;
  if (s.load) {
    const l = s.load;
    const all = s.id === 'e-flood';
    const lat = all ? l.latencyAllMs : l.latencyMs;
    log(
      `  (${s.id}) ${(all ? l.rps : l.okRps).toFixed(0)} req/s, p50 ${lat.p50.toFixed(2)} ms, p99 ${lat.p99.toFixed(2)} ms, ` +
        `codes ${JSON.stringify(l.statusCodes)}, errors ${l.errors}${settleNote}${verdict}`,
    );
  } else if (s.firstUse) {
    const f = s.firstUse.latencyMs;
    log(`  (${s.id}) ${s.firstUse.keys} keys: p50 ${f.p50.toFixed(1)} ms, p99 ${f.p99.toFixed(1)} ms, mean ${f.mean.toFixed(1)} ms ` +
      `(created in ${s.firstUse.createMs} ms)${verdict}`);
  } else {
    log(`  (${s.id}) ${s.status.toUpperCase()}: ${s.problems.join('; ')}`);
  }
}

export async function runDatabase(db: BenchDatabase): Promise<DatabaseRun> {
  const started = elapsedSec();
  const scenarios: ScenarioOutcome[] = [];
  const servers: Record<string, unknown>[] = [];
  const problems: string[] = [];
  const baseEnv: Record<string, string | undefined> = {
    NODE_ENV: 'production',
    LOG_LEVEL: settings.logLevel,
    BCRYPT_COST: String(settings.bcryptCost),
    JWT_SECRET: randomBytes(32).toString('hex'),
    TRUST_PROXY: 'loopback',
    ...db.env,
  };
  const common = { connections: settings.connections, pipelining: settings.pipelining, durationSec: settings.durationSec };
  const keyHeaders = (key: string) => ({ 'x-api-key': key, 'x-forwarded-for': settings.validClientAddress });
  const start = (label: string, redisUrl: string | undefined) =>
    ServerProcess.start({ label, env: { ...baseEnv, REDIS_URL: redisUrl }, startupTimeoutMs: settings.startupTimeoutMs });
  const stop = async (server: ServerProcess, redis: boolean) => {
    log(`stopping ${server.label} (SIGTERM)…`);
    const exit = await server.stop();
    servers.push({ label: server.label, redis, startupMs: server.startupMs, exit });
    log(`${server.label} exited (code ${exit.code}, signal ${exit.signal}${exit.graceful ? '' : ', needed SIGKILL'})`);
  };
  const record = async (outcome: ScenarioOutcome, server: ServerProcess, cpu: ReturnType<typeof startCpuWindow>) => {
    outcome.otherCpuCores = cpu.finish();
    outcome.settleMs = (await settle(server.baseUrl, settings.settleMaxMs)).ms;
    scenarios.push(outcome);
    logOutcome(outcome);
  };
  const measure = async (id: ScenarioId, title: string, server: ServerProcess, spec: Omit<LoadSpec, 'baseUrl'>) => {
    log(`(${id}) ${title}…`);
    const cpu = startCpuWindow(server.pid);
    let outcome: ScenarioOutcome;
    try {
      outcome = loadOutcome(id, title, server.label, await warmThenMeasure({ baseUrl: server.baseUrl, ...spec }, settings.warmupSec));
    } catch (err) {
      outcome = failed(id, title, server.label, err);
    }
    await record(outcome, server, cpu);
  };

  // ---------------- server 1: in-process limits ----------------
  log('starting server 1 (no REDIS_URL)…');
  const s1 = await start('server 1', undefined);
  log(`server 1 up on port ${s1.port} (pid ${s1.pid}) in ${s1.startupMs} ms`);
  let tenantB: Tenant;
  let tenantA: Tenant;
  let tenantC: Tenant;
  try {
    tenantB = await registerTenant(s1, 'B', ['agents:read'], problems);
    // Issue 13: the hot path with a checksum check (every new key) and an IP allow-list of ten networks,
    // the client's among them, in tenant C of its own (same data as B: one agent).
    tenantC = await registerTenant(s1, 'C', ['agents:read'], problems, ALLOWLIST);
    await useOnce(s1, '/agents', tenantC.key, problems);
    tenantA = await registerTenant(s1, 'A', ['metrics:read'], problems);
    await useOnce(s1, '/agents', tenantB.key, problems);
  } catch (err) {
    await stop(s1, false);
    throw err;
  }
  for (const p of problems) log(`set-up problem: ${p}`);
  const userHeaders = { authorization: `Bearer ${tenantB.accessToken}`, 'x-forwarded-for': settings.validClientAddress };

  // The routes are warmed up before any is measured, so none pays for the JIT compiling the code
  // they share inside its measured window.
  log('warming up the routes…');
  const warm = Math.max(settings.warmupSec, 1);
  const loadOnServer1 = (['a', 'b', 'u', 'f', 'e'] as const).some(wanted);
  if (loadOnServer1) {
    await runLoad({ ...common, baseUrl: s1.baseUrl, path: `${API}/health`, durationSec: warm });
    await runLoad({ ...common, baseUrl: s1.baseUrl, path: `${API}/agents`, headers: keyHeaders(tenantB.key), durationSec: warm });
    await runLoad({ ...common, baseUrl: s1.baseUrl, path: `${API}/agents`, headers: userHeaders, durationSec: warm });
  }
  if (wanted('a')) await measure('a', 'GET /health (ceiling)', s1, { ...common, path: `${API}/health` });
  if (wanted('b')) await measure('b', 'GET /agents, valid key', s1, { ...common, path: `${API}/agents`, headers: keyHeaders(tenantB.key) });
  if (wanted('b')) {
    await measure('k', 'GET /agents, valid key with a 10-network IP allow-list', s1, { ...common, path: `${API}/agents`, headers: keyHeaders(tenantC.key) });
  }
  if (wanted('u')) await measure('u', "GET /agents, user's access token", s1, { ...common, path: `${API}/agents`, headers: userHeaders });
  if (wanted('f')) {
    const title = `(b) at ${settings.fixedRate} req/s`;
    log(`(f) ${title}…`);
    const cpu = startCpuWindow(s1.pid);
    const paced = { baseUrl: s1.baseUrl, path: `${API}/agents`, headers: keyHeaders(tenantB.key), rate: settings.fixedRate, connections: settings.connections };
    let outcome: ScenarioOutcome;
    try {
      if (settings.warmupSec > 0) await runPacedInChild({ ...paced, durationSec: settings.warmupSec });
      outcome = loadOutcome('f', title, s1.label, await runPacedInChild({ ...paced, durationSec: settings.durationSec }));
    } catch (err) {
      outcome = failed('f', title, s1.label, err);
    }
    await record(outcome, s1, cpu);
  }

  // (e): the valid client is warmed up alone; then both run together, so the flood's first
  // failures (before any lock-out) fall inside the measured window.
  if (wanted('e')) {
    log(`(e) (b) while ${settings.floodConnections} connections flood wrong secrets for ${tenantB.keyPrefix}…`);
    const cpuE = startCpuWindow(s1.pid);
    try {
      const validSpec: LoadSpec = { ...common, baseUrl: s1.baseUrl, path: `${API}/agents`, headers: keyHeaders(tenantB.key) };
      if (settings.warmupSec > 0) await runLoad({ ...validSpec, durationSec: settings.warmupSec });
      const [valid, flood] = await Promise.all([
        runLoad(validSpec),
        runLoad({
          ...common,
          connections: settings.floodConnections,
          baseUrl: s1.baseUrl,
          path: `${API}/agents`,
          headers: { 'x-forwarded-for': settings.floodClientAddress },
          wrongSecretsForPrefix: tenantB.keyPrefix,
        }),
      ]);
      const otherCpuCores = cpuE.finish();
      const settleMs = (await settle(s1.baseUrl, settings.settleMaxMs)).ms;
      for (const s of [
        loadOutcome('e', '(b) during wrong-secret flood', s1.label, valid),
        loadOutcome('e-flood', 'the flood itself', s1.label, flood, true),
      ]) {
        scenarios.push({ ...s, otherCpuCores, settleMs });
        logOutcome(s);
      }
    } catch (err) {
      scenarios.push(failed('e', '(b) during wrong-secret flood', s1.label, err));
    }
  }

  if (wanted('d')) {
    log(`(d) creating ${settings.freshKeys} fresh keys, then timing each one's first request…`);
    const cpuD = startCpuWindow(s1.pid);
    try {
      const fu = await firstUseLatency(s1.baseUrl, tenantB.accessToken, settings.freshKeys, settings.firstUseClientAddress);
      const d: ScenarioOutcome = {
        id: 'd',
        title: 'first use of a fresh key (bcrypt)',
        server: s1.label,
        status: fu.problems.length ? 'invalid' : 'valid',
        problems: fu.problems,
        firstUse: fu,
        otherCpuCores: cpuD.finish(),
      };
      scenarios.push(d);
      logOutcome(d);
    } catch (err) {
      scenarios.push(failed('d', 'first use of a fresh key (bcrypt)', s1.label, err));
    }
  }
  await stop(s1, false);

  // ---------------- (n): tenant A's year of usage, then server 1 again ----------------
  const neighbourSeed = wanted('n')
    ? await neighbour(db, baseEnv, tenantA, tenantB, scenarios, servers, problems)
    : { skipped: 'not in BENCH_ONLY' };

  // ---------------- server 2: REDIS_URL ----------------
  const titleA2 = 'GET /health (ceiling, Redis server)';
  const titleC = 'GET /agents, valid key, Redis';
  const redisIssue = await redisProblem(settings.redisUrl);
  if (!wanted('c')) {
    log('(c) skipped: not in BENCH_ONLY');
  } else if (redisIssue) {
    const reason = `Redis at ${settings.redisUrl} unreachable: ${redisIssue}`;
    log(`(c) skipped: ${reason}`);
    scenarios.push(skipped("a'", titleA2, 'server 2', reason), skipped('c', titleC, 'server 2', reason));
  } else {
    log(`starting server 2 (REDIS_URL=${settings.redisUrl}, same database)…`);
    let s2: ServerProcess | undefined;
    try {
      s2 = await start('server 2', settings.redisUrl);
      log(`server 2 up on port ${s2.port} (pid ${s2.pid}) in ${s2.startupMs} ms`);
    } catch (err) {
      const reason = `server 2 did not start: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`;
      log(reason);
      scenarios.push(skipped("a'", titleA2, 'server 2', reason), skipped('c', titleC, 'server 2', reason));
    }
    if (s2) {
      await useOnce(s2, '/agents', tenantB.key, problems);
      await runLoad({ ...common, baseUrl: s2.baseUrl, path: `${API}/health`, durationSec: warm });
      await runLoad({ ...common, baseUrl: s2.baseUrl, path: `${API}/agents`, headers: keyHeaders(tenantB.key), durationSec: warm });
      await measure("a'", titleA2, s2, { ...common, path: `${API}/health` });
      await measure('c', titleC, s2, { ...common, path: `${API}/agents`, headers: keyHeaders(tenantB.key) });
      await stop(s2, true);
    }
  }

  // ---------------- issue 9: concurrency, floods and restarts ----------------
  let attacks: AttackFigure[] = [];
  if (!(['g1', 'g2', 'g3', 'g4', 'g5', 'g6'] as const).some(wanted)) {
    log('attack scenarios skipped (BENCH_ATTACKS=0 or BENCH_ONLY)');
  } else {
    try {
      attacks = await runAttacks({
        baseEnv,
        redisUrl: redisIssue ? undefined : settings.redisUrl,
        sharedDatabase: db.shared,
        startupTimeoutMs: settings.startupTimeoutMs,
        log,
        wanted,
      });
    } catch (err) {
      log(`attack scenarios failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  scenarios.sort((x, y) => ORDER.indexOf(x.id) - ORDER.indexOf(y.id));
  const targets: TargetOutcome[] = [
    ratioTarget(scenarios, 'b/a', 'b', 'a', 0.85),
    ratioTarget(scenarios, 'k/a (allow-list + checksum)', 'k', 'a', 0.85),
    ratioTarget(scenarios, 'u/b', 'u', 'b', 0.85),
    ratioTarget(scenarios, 'c/a (a = server 1)', 'c', 'a', 0.7),
    ratioTarget(scenarios, 'e/b', 'e', 'b', 0.8),
    fixedRateTarget(scenarios, settings.fixedRate, 5),
    latencyRatioTarget(scenarios, 'n: p50 during / p50 alone', 'n', 'n-alone', 2),
  ];
  const cA2 = ratioTarget(scenarios, "c/a' (a' = Redis server)", 'c', "a'", 0.7);
  const informational: TargetOutcome[] = [
    { ...cA2, note: `${cA2.note}; the target uses c/a` },
    latencyRatioTarget(scenarios, `n at ${SLOW_POLL_RATE} req/s: p50 during / p50 alone`, 'n-slow', 'n-alone', 2),
  ];
  return {
    servers,
    scenarios,
    targets,
    informational,
    attacks,
    setupProblems: problems,
    neighbourSeed,
    durationSec: Math.round((elapsedSec() - started) * 10) / 10,
  };
}

/** Seeds tenant A (server stopped), starts server 1 again and measures (n); adds its rows to `scenarios`. */
async function neighbour(
  db: BenchDatabase,
  baseEnv: Record<string, string | undefined>,
  tenantA: Tenant,
  tenantB: Tenant,
  scenarios: ScenarioOutcome[],
  servers: Record<string, unknown>[],
  problems: string[],
): Promise<DatabaseRun['neighbourSeed']> {
  const titles: [ScenarioId, string][] = [
    ['n-alone', `tenant B's GET /agents at ${settings.neighbourRate} req/s, alone`],
    ['n', `the same while tenant A polls GET /metrics (${settings.neighbourConnections} connections)`],
    ['n-noisy', "tenant A's polling itself"],
    ['n-slow', `the same while tenant A polls GET /metrics at ${SLOW_POLL_RATE} req/s`],
  ];
  const seedTarget: SeedTarget = { organizationId: tenantA.organizationId, userId: tenantA.userId, rows: settings.neighbourRows };
  let seed: DatabaseRun['neighbourSeed'];
  log(`(n) writing ${settings.neighbourRows.toLocaleString('en-US')} usage rows for tenant A into the ${db.kind} database…`);
  try {
    const result =
      db.kind === 'postgres' ? await seedPostgres(db.env.DATABASE_URL!, seedTarget) : await seedEmbedded(db.env.PGLITE_DATA_DIR!, seedTarget);
    seed = result;
    log(`(n) ${result.rows.toLocaleString('en-US')} usage rows and ${result.keys} keys written in ${(result.ms / 1000).toFixed(1)} s`);
  } catch (err) {
    const reason = `seeding tenant A failed: ${err instanceof Error ? err.message : String(err)}`;
    log(`(n) skipped: ${reason}`);
    for (const [id, title] of titles) scenarios.push(skipped(id, title, 'server 1 (seeded)', reason));
    return { skipped: reason };
  }

  let server: ServerProcess | undefined;
  try {
    server = await ServerProcess.start({
      label: 'server 1 (seeded)',
      env: { ...baseEnv, REDIS_URL: undefined },
      startupTimeoutMs: settings.startupTimeoutMs,
    });
    log(`server 1 (seeded) up on port ${server.port} (pid ${server.pid}) in ${server.startupMs} ms`);
    await useOnce(server, '/agents', tenantB.key, problems);
    await useOnce(server, '/metrics', tenantA.key, problems);
    log(`(n) tenant B's /agents alone, then while tenant A polls /metrics…`);
    const cpu = startCpuWindow(server.pid);
    const n = await measureNeighbour({
      server,
      keyA: tenantA.key,
      keyB: tenantB.key,
      addressA: settings.neighbourClientAddresses.a,
      addressB: settings.neighbourClientAddresses.b,
      connectionsA: settings.neighbourConnections,
      rateB: settings.neighbourRate,
      warmupSec: settings.warmupSec,
      durationSec: settings.durationSec,
      settleMaxMs: settings.settleMaxMs,
    });
    const otherCpuCores = cpu.finish();
    for (const [[id, title], load] of titles.map((t, i) => [t, [n.alone, n.during, n.noisy, n.duringSlow][i]] as const)) {
      const outcome = { ...loadOutcome(id, title, server.label, load), otherCpuCores };
      scenarios.push(outcome);
      logOutcome(outcome);
    }
  } catch (err) {
    for (const [id, title] of titles) scenarios.push(failed(id, title, 'server 1 (seeded)', err));
  } finally {
    if (server) {
      log('stopping server 1 (seeded) (SIGTERM)…');
      const exit = await server.stop();
      servers.push({ label: server.label, redis: false, startupMs: server.startupMs, exit });
    }
  }
  if (!db.scratch) {
    // The caller's own database: the seeded keys and their usage go again.
    try {
      await unseedPostgres(db.env.DATABASE_URL!, seedTarget);
      log('(n) seeded rows removed from DATABASE_URL');
    } catch (err) {
      log(`(n) could not remove the seeded rows: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return seed;
}
