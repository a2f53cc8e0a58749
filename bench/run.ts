/**
 * `npm run bench`: a benchmark, not a test. Starts the compiled server (dist/src/main.js) as a child
 * process, sets up an organization, an agent and an API key over HTTP, and measures the scenarios of
 * issue 4 one at a time with autocannon (and (f) with the paced generator of bench/paced.ts):
 *   (a) GET /health, the ceiling            (b) GET /agents with a valid key
 *   (f) (b) at a fixed 1,000 req/s          (e) (b) while a second client floods wrong secrets
 *   (d) first use of fresh keys (bcrypt)    (a'), (c) health and (b) on a second server with REDIS_URL
 * Prints a table and the target ratios, writes bench/results/<date>.json and the table in
 * docs/benchmarks.md. Exits 0 whether targets pass or fail (it is a report); non-zero only when the
 * benchmark itself could not run.
 *
 * Environment: BENCH_DURATION (s, 10), BENCH_WARMUP (s, 3), BENCH_CONNECTIONS (50), BENCH_PIPELINING (1),
 * BENCH_FLOOD_CONNECTIONS (10), BENCH_FRESH_KEYS (20), BENCH_FIXED_RATE (1000), BENCH_SETTLE_MAX (s, 20),
 * BENCH_STARTUP_TIMEOUT (s, 90), BENCH_ATTACKS (1; 0 skips issue 9's attack scenarios), BCRYPT_COST (12), DATABASE_URL (unset: embedded PGlite in a temp dir),
 * REDIS_URL (for (c); default redis://127.0.0.1:6379).
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join, relative } from 'node:path';
import { Redis } from 'ioredis';
import { startCpuWindow } from './cpu';
import { httpRequest } from './http';
import {
  BenchReport,
  fixedRateTarget,
  markdownSection,
  printReport,
  ratioTarget,
  resultsPath,
  ScenarioOutcome,
  TargetOutcome,
  updateDocs,
  writeJson,
} from './report';
import { AttackFigure, runAttacks } from './attacks';
import { runPacedInChild } from './paced';
import { firstUseLatency, loadProblems, LoadSpec, runLoad, settle, warmThenMeasure } from './scenarios';
import { API, beginShutdown, killAllChildrenNow, ServerProcess, stopAllChildren } from './server';

function envInt(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new Error(`${name} must be a number from ${min} to ${max} (got ${JSON.stringify(raw)})`);
  }
  return value;
}

const ROOT = process.cwd();
const settings = {
  durationSec: envInt('BENCH_DURATION', 10, 1, 120),
  warmupSec: envInt('BENCH_WARMUP', 3, 0, 60),
  connections: envInt('BENCH_CONNECTIONS', 50, 1, 1000),
  pipelining: envInt('BENCH_PIPELINING', 1, 1, 100),
  floodConnections: envInt('BENCH_FLOOD_CONNECTIONS', 10, 1, 1000),
  freshKeys: envInt('BENCH_FRESH_KEYS', 20, 1, 200),
  fixedRate: envInt('BENCH_FIXED_RATE', 1000, 1, 100_000),
  settleMaxMs: envInt('BENCH_SETTLE_MAX', 20, 1, 120) * 1000,
  startupTimeoutMs: envInt('BENCH_STARTUP_TIMEOUT', 90, 5, 600) * 1000,
  bcryptCost: envInt('BCRYPT_COST', 12, 4, 15),
  logLevel: 'warn',
  validClientAddress: '198.51.100.1',
  floodClientAddress: '203.0.113.7',
  firstUseClientAddress: '198.51.100.2',
  redisUrl: process.env.REDIS_URL || 'redis://127.0.0.1:6379',
  databaseUrl: process.env.DATABASE_URL || undefined,
};

let tempDir: string | undefined;
function removeTempDir(): void {
  if (!tempDir) return;
  try {
    rmSync(tempDir, { recursive: true, force: true, maxRetries: 3 });
  } catch {
    /* best effort */
  }
  tempDir = undefined;
}
process.once('exit', () => {
  killAllChildrenNow();
  removeTempDir();
});
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    beginShutdown();
    console.error(`\n${signal}: stopping the server(s) and exiting`);
    void stopAllChildren(3000).finally(() => {
      removeTempDir();
      process.exit(signal === 'SIGINT' ? 130 : 143);
    });
  });
}
process.on('uncaughtException', (err) => {
  console.error('bench: uncaught error:', err);
  killAllChildrenNow();
  removeTempDir();
  process.exit(1);
});

function git(args: string[]): string {
  try {
    return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return '';
  }
}

function log(message: string): void {
  const t = ((Date.now() - startedAt) / 1000).toFixed(1).padStart(6);
  console.log(`[${t}s] ${message}`);
}

const startedAt = Date.now();

interface Session {
  accessToken: string;
  key: string;
  keyPrefix: string;
  setupProblems: string[];
}

async function setUp(server: ServerProcess): Promise<Session> {
  const base = `${server.baseUrl}${API}`;
  const problems: string[] = [];
  const suffix = randomBytes(4).toString('hex');
  const register = await httpRequest('POST', `${base}/auth/register`, {
    body: {
      email: `bench-${suffix}@example.com`,
      password: randomBytes(12).toString('base64url'),
      name: 'Bench Runner',
      organization_name: `Bench ${suffix}`,
    },
  });
  const accessToken: unknown = register.json?.access_token;
  if (register.status !== 201 || typeof accessToken !== 'string') {
    throw new Error(`POST /auth/register answered ${register.status}: ${register.text.slice(0, 300)}`);
  }
  const auth = { authorization: `Bearer ${accessToken}` };
  const agent = await httpRequest('POST', `${base}/agents`, { headers: auth, body: { name: 'bench-agent' } });
  if (agent.status !== 201) problems.push(`POST /agents answered ${agent.status}: ${agent.text.slice(0, 200)}`);
  const created = await httpRequest('POST', `${base}/api-keys`, {
    headers: auth,
    body: { name: 'bench', scopes: ['agents:read'], rate_limit: 1_000_000 },
  });
  const key: unknown = created.json?.key;
  const keyPrefix: unknown = created.json?.key_prefix;
  if (created.status !== 201 || typeof key !== 'string' || typeof keyPrefix !== 'string') {
    throw new Error(`POST /api-keys answered ${created.status}: ${created.text.slice(0, 300)}`);
  }
  // The key's first use (bcrypt), so the measured scenarios start from the cached path.
  const first = await httpRequest('GET', `${base}/agents`, {
    headers: { 'x-api-key': key, 'x-forwarded-for': settings.validClientAddress },
  });
  if (first.status !== 200) problems.push(`first GET /agents with the key answered ${first.status}: ${first.text.slice(0, 200)}`);
  else log(`key ${keyPrefix}… works (first use ${first.ms.toFixed(0)} ms)`);
  return { accessToken, key, keyPrefix, setupProblems: problems };
}

async function redisProblem(url: string): Promise<string | undefined> {
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

function loadOutcome(id: ScenarioOutcome['id'], title: string, server: 1 | 2, load: LoadResult, flood = false): ScenarioOutcome {
  const problems = flood ? [] : loadProblems(load);
  return { id, title, server, status: problems.length ? 'invalid' : 'valid', problems, load };
}
type LoadResult = Awaited<ReturnType<typeof runLoad>>;

function failed(id: ScenarioOutcome['id'], title: string, server: 1 | 2, err: unknown): ScenarioOutcome {
  return { id, title, server, status: 'failed', problems: [err instanceof Error ? err.message : String(err)] };
}

async function main(): Promise<void> {
  const scenarios: ScenarioOutcome[] = [];
  const servers: Record<string, unknown>[] = [];
  const gitCommit = git(['rev-parse', 'HEAD']);
  const gitDirty = git(['status', '--porcelain', '--untracked-files=no']) !== '';
  const cpuList = cpus();
  const meta = {
    date: new Date().toISOString(),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    cpuCount: cpuList.length,
    cpuModel: cpuList[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    loadAverageAtStart: loadavg().map((v) => v.toFixed(2)).join(' '),
    gitCommit: gitCommit || 'unknown',
    gitDirty,
    database: settings.databaseUrl ? 'postgresql (DATABASE_URL)' : 'pglite (embedded, temp dir)',
    bcryptCost: settings.bcryptCost,
    autocannon: autocannonVersion(),
  };

  if (!settings.databaseUrl) tempDir = mkdtempSync(join(tmpdir(), 'kaizen-bench-'));
  const baseEnv: Record<string, string | undefined> = {
    NODE_ENV: 'production',
    LOG_LEVEL: settings.logLevel,
    BCRYPT_COST: String(settings.bcryptCost),
    JWT_SECRET: randomBytes(32).toString('hex'),
    TRUST_PROXY: 'loopback',
    DATABASE_URL: settings.databaseUrl,
    PGLITE_DATA_DIR: settings.databaseUrl ? undefined : join(tempDir!, 'pglite'),
  };
  const common = { connections: settings.connections, pipelining: settings.pipelining, durationSec: settings.durationSec };
  const validHeaders = (key: string) => ({ 'x-api-key': key, 'x-forwarded-for': settings.validClientAddress });

  if (loadavg()[0] > meta.cpuCount * 0.5) {
    log(`WARNING: load average ${meta.loadAverageAtStart} on ${meta.cpuCount} CPUs: other processes are using the CPU; the numbers may be low and noisy`);
  }
  log(`node ${meta.node}, ${meta.cpuCount} CPUs, database ${meta.database}, bcrypt cost ${meta.bcryptCost}, ` +
    `${settings.connections} connections, ${settings.warmupSec} s warm-up + ${settings.durationSec} s per scenario`);

  // ---------------- server 1: in-process limits ----------------
  log('starting server 1 (no REDIS_URL)…');
  const s1 = await ServerProcess.start({ label: 'server 1', env: { ...baseEnv, REDIS_URL: undefined }, startupTimeoutMs: settings.startupTimeoutMs });
  log(`server 1 up on port ${s1.port} (pid ${s1.pid}) in ${s1.startupMs} ms`);
  const session = await setUp(s1);
  for (const p of session.setupProblems) log(`set-up problem: ${p}`);

  const measure = async (
    id: ScenarioOutcome['id'],
    title: string,
    server: ServerProcess,
    serverNo: 1 | 2,
    spec: Omit<LoadSpec, 'baseUrl'>,
  ) => {
    log(`(${id}) ${title}…`);
    const cpu = startCpuWindow(server.pid);
    let outcome: ScenarioOutcome;
    try {
      outcome = loadOutcome(id, title, serverNo, await warmThenMeasure({ baseUrl: server.baseUrl, ...spec }, settings.warmupSec));
    } catch (err) {
      outcome = failed(id, title, serverNo, err);
    }
    outcome.otherCpuCores = cpu.finish();
    outcome.settleMs = (await settle(server.baseUrl, settings.settleMaxMs)).ms;
    scenarios.push(outcome);
    logOutcome(outcome);
    return outcome;
  };

  // Both routes are warmed up before either is measured, so neither pays for the JIT compiling the
  // code the two share (or the other's) inside its measured window.
  log('warming up both routes…');
  await runLoad({ ...common, baseUrl: s1.baseUrl, path: `${API}/health`, durationSec: Math.max(settings.warmupSec, 1) });
  await runLoad({ ...common, baseUrl: s1.baseUrl, path: `${API}/agents`, headers: validHeaders(session.key), durationSec: Math.max(settings.warmupSec, 1) });
  await measure('a', 'GET /health (ceiling)', s1, 1, { ...common, path: `${API}/health` });
  await measure('b', 'GET /agents, valid key', s1, 1, { ...common, path: `${API}/agents`, headers: validHeaders(session.key) });
  {
    const title = `(b) at ${settings.fixedRate} req/s`;
    log(`(f) ${title}…`);
    const cpu = startCpuWindow(s1.pid);
    const paced = {
      baseUrl: s1.baseUrl,
      path: `${API}/agents`,
      headers: validHeaders(session.key),
      rate: settings.fixedRate,
      connections: settings.connections,
    };
    let outcome: ScenarioOutcome;
    try {
      if (settings.warmupSec > 0) await runPacedInChild({ ...paced, durationSec: settings.warmupSec });
      outcome = loadOutcome('f', title, 1, await runPacedInChild({ ...paced, durationSec: settings.durationSec }));
    } catch (err) {
      outcome = failed('f', title, 1, err);
    }
    outcome.otherCpuCores = cpu.finish();
    outcome.settleMs = (await settle(s1.baseUrl, settings.settleMaxMs)).ms;
    scenarios.push(outcome);
    logOutcome(outcome);
  }

  // (e): the valid client is warmed up alone; then both run together, so the flood's first
  // failures (before any lock-out) fall inside the measured window.
  log(`(e) (b) while ${settings.floodConnections} connections flood wrong secrets for ${session.keyPrefix}…`);
  const cpuE = startCpuWindow(s1.pid);
  try {
    const validSpec: LoadSpec = { ...common, baseUrl: s1.baseUrl, path: `${API}/agents`, headers: validHeaders(session.key) };
    if (settings.warmupSec > 0) await runLoad({ ...validSpec, durationSec: settings.warmupSec });
    const [valid, flood] = await Promise.all([
      runLoad(validSpec),
      runLoad({
        ...common,
        connections: settings.floodConnections,
        baseUrl: s1.baseUrl,
        path: `${API}/agents`,
        headers: { 'x-forwarded-for': settings.floodClientAddress },
        wrongSecretsForPrefix: session.keyPrefix,
      }),
    ]);
    const otherCpuCores = cpuE.finish();
    scenarios.push({ ...loadOutcome('e', '(b) during wrong-secret flood', 1, valid), otherCpuCores });
    scenarios.push({ ...loadOutcome('e-flood', 'the flood itself', 1, flood, true), otherCpuCores });
  } catch (err) {
    scenarios.push(failed('e', '(b) during wrong-secret flood', 1, err));
  }
  {
    const settled = await settle(s1.baseUrl, settings.settleMaxMs);
    for (const s of scenarios.filter((x) => x.id === 'e' || x.id === 'e-flood')) {
      s.settleMs = settled.ms;
      logOutcome(s);
    }
  }

  log(`(d) creating ${settings.freshKeys} fresh keys, then timing each one's first request…`);
  const cpuD = startCpuWindow(s1.pid);
  try {
    const fu = await firstUseLatency(s1.baseUrl, session.accessToken, settings.freshKeys, settings.firstUseClientAddress);
    const d: ScenarioOutcome = {
      id: 'd',
      title: 'first use of a fresh key (bcrypt)',
      server: 1,
      status: fu.problems.length ? 'invalid' : 'valid',
      problems: fu.problems,
      firstUse: fu,
      otherCpuCores: cpuD.finish(),
    };
    scenarios.push(d);
    logOutcome(d);
  } catch (err) {
    scenarios.push(failed('d', 'first use of a fresh key (bcrypt)', 1, err));
  }

  log('stopping server 1 (SIGTERM)…');
  const exit1 = await s1.stop();
  servers.push({ label: s1.label, redis: false, startupMs: s1.startupMs, exit: exit1 });
  log(`server 1 exited (code ${exit1.code}, signal ${exit1.signal}${exit1.graceful ? '' : ', needed SIGKILL'})`);

  // ---------------- server 2: REDIS_URL ----------------
  const titleA2 = 'GET /health (ceiling, Redis server)';
  const titleC = 'GET /agents, valid key, Redis';
  const redisIssue = await redisProblem(settings.redisUrl);
  if (redisIssue) {
    const reason = `Redis at ${settings.redisUrl} unreachable: ${redisIssue}`;
    log(`(c) skipped: ${reason}`);
    scenarios.push({ id: "a'", title: titleA2, server: 2, status: 'skipped', problems: [reason] });
    scenarios.push({ id: 'c', title: titleC, server: 2, status: 'skipped', problems: [reason] });
  } else {
    log(`starting server 2 (REDIS_URL=${settings.redisUrl}, same database)…`);
    let s2: ServerProcess | undefined;
    try {
      s2 = await ServerProcess.start({ label: 'server 2', env: { ...baseEnv, REDIS_URL: settings.redisUrl }, startupTimeoutMs: settings.startupTimeoutMs });
      log(`server 2 up on port ${s2.port} (pid ${s2.pid}) in ${s2.startupMs} ms`);
    } catch (err) {
      const reason = `server 2 did not start: ${err instanceof Error ? err.message : String(err)}`;
      log(reason);
      scenarios.push({ id: "a'", title: titleA2, server: 2, status: 'skipped', problems: [reason.split('\n')[0]] });
      scenarios.push({ id: 'c', title: titleC, server: 2, status: 'skipped', problems: [reason.split('\n')[0]] });
    }
    if (s2) {
      const first = await httpRequest('GET', `${s2.baseUrl}${API}/agents`, { headers: validHeaders(session.key) }).catch(
        (err: Error) => ({ status: 0, text: err.message, ms: 0 }),
      );
      log(`server 2: first use of the key answered ${first.status} in ${first.ms.toFixed(0)} ms`);
      await runLoad({ ...common, baseUrl: s2.baseUrl, path: `${API}/health`, durationSec: Math.max(settings.warmupSec, 1) });
      await runLoad({ ...common, baseUrl: s2.baseUrl, path: `${API}/agents`, headers: validHeaders(session.key), durationSec: Math.max(settings.warmupSec, 1) });
      await measure("a'", titleA2, s2, 2, { ...common, path: `${API}/health` });
      await measure('c', titleC, s2, 2, { ...common, path: `${API}/agents`, headers: validHeaders(session.key) });
      log('stopping server 2 (SIGTERM)…');
      const exit2 = await s2.stop();
      servers.push({ label: s2.label, redis: true, startupMs: s2.startupMs, exit: exit2 });
      log(`server 2 exited (code ${exit2.code}, signal ${exit2.signal}${exit2.graceful ? '' : ', needed SIGKILL'})`);
    }
  }
  // ---------------- issue 9: concurrency, floods and restarts ----------------
  let attacks: AttackFigure[] = [];
  if (process.env.BENCH_ATTACKS === '0') {
    log('attack scenarios skipped (BENCH_ATTACKS=0)');
  } else {
    try {
      attacks = await runAttacks({
        baseEnv,
        redisUrl: redisIssue ? undefined : settings.redisUrl,
        sharedDatabase: Boolean(settings.databaseUrl),
        startupTimeoutMs: settings.startupTimeoutMs,
        log,
      });
    } catch (err) {
      log(`attack scenarios failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  removeTempDir();

  // ---------------- report ----------------
  const order = ['a', 'b', 'c', "a'", 'd', 'e', 'e-flood', 'f'];
  scenarios.sort((x, y) => order.indexOf(x.id) - order.indexOf(y.id));
  const targets: TargetOutcome[] = [
    ratioTarget(scenarios, 'b/a', 'b', 'a', 0.85),
    ratioTarget(scenarios, 'c/a (a = server 1)', 'c', 'a', 0.7),
    ratioTarget(scenarios, 'e/b', 'e', 'b', 0.8),
    fixedRateTarget(scenarios, settings.fixedRate, 5),
  ];
  const cA2 = ratioTarget(scenarios, "c/a' (a' = Redis server)", 'c', "a'", 0.7);
  const informational: TargetOutcome[] = [{ ...cA2, note: `${cA2.note}; the target uses c/a` }];
  const report: BenchReport = {
    meta,
    settings: { ...settings, databaseUrl: settings.databaseUrl ? '(set)' : undefined, setupProblems: session.setupProblems },
    servers,
    scenarios,
    targets,
    informational,
    attacks,
    durationSec: Math.round((Date.now() - startedAt) / 100) / 10,
  };

  const jsonPath = resultsPath(ROOT);
  writeJson(jsonPath, report);
  updateDocs(join(ROOT, 'docs', 'benchmarks.md'), markdownSection(report, relative(ROOT, jsonPath)));
  console.log(printReport(report));
  console.log(`\nreq/s and ratios count 2xx responses per second; latencies are of 2xx responses (the flood row: all responses).`);
  console.log(`c/a uses server 1's (a); (a') is the health ceiling of the Redis server, for reference.`);
  if (session.setupProblems.length) console.log(`set-up problems: ${session.setupProblems.join('; ')}`);
  console.log(`wrote ${relative(ROOT, jsonPath)} and docs/benchmarks.md in ${report.durationSec} s`);
}

function logOutcome(s: ScenarioOutcome): void {
  const settleNote = s.settleMs !== undefined && s.settleMs > 500 ? `, server busy ${(s.settleMs / 1000).toFixed(1)} s afterwards` : '';
  if (s.load) {
    const l = s.load;
    const lat = s.id === 'e-flood' ? l.latencyAllMs : l.latencyMs;
    log(
      `  (${s.id}) ${(s.id === 'e-flood' ? l.rps : l.okRps).toFixed(0)} req/s, p50 ${lat.p50.toFixed(2)} ms, p99 ${lat.p99.toFixed(2)} ms, ` +
        `codes ${JSON.stringify(l.statusCodes)}, errors ${l.errors}${settleNote}${s.status === 'valid' ? '' : ` — ${s.status.toUpperCase()}: ${s.problems.join('; ')}`}`,
    );
  } else if (s.firstUse) {
    const f = s.firstUse.latencyMs;
    log(`  (${s.id}) ${s.firstUse.keys} keys: p50 ${f.p50.toFixed(1)} ms, p99 ${f.p99.toFixed(1)} ms, mean ${f.mean.toFixed(1)} ms ` +
      `(created in ${s.firstUse.createMs} ms)${s.status === 'valid' ? '' : ` — ${s.status.toUpperCase()}: ${s.problems.join('; ')}`}`);
  } else {
    log(`  (${s.id}) ${s.status.toUpperCase()}: ${s.problems.join('; ')}`);
  }
}

function autocannonVersion(): string {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require('autocannon/package.json') as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

main()
  .then(() => process.exit(0))
  .catch(async (err: unknown) => {
    beginShutdown();
    console.error(`\nbench failed: ${err instanceof Error ? err.message : String(err)}`);
    await stopAllChildren(3000);
    removeTempDir();
    process.exit(1);
  });
