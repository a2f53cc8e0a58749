/**
 * `npm run bench`: a benchmark, not a test. For each database — the embedded PGlite and PostgreSQL
 * (DATABASE_URL, or a scratch database on the machine's server) — starts the compiled server
 * (dist/src/main.js) as a child process and runs the scenarios of bench/suite.ts one at a time:
 *   (a) GET /health, the ceiling            (b) GET /agents with a valid key
 *   (u) (b) with a user's access token      (f) (b) at a fixed 1,000 req/s
 *   (e) (b) while a second client floods wrong secrets
 *   (d) first use of fresh keys (bcrypt)    (n) tenant B's /agents while tenant A polls /metrics
 *   (a'), (c) health and (b) on a second server with REDIS_URL; then issue 9's attack scenarios.
 * Prints both databases' tables side by side with the target ratios, writes bench/results/<date>.json
 * and the tables in docs/benchmarks.md. Exits 0 whether targets pass or fail (it is a report);
 * non-zero only when the benchmark itself could not run.
 *
 * Environment (bench/settings.ts): BENCH_DATABASES (embedded,postgres), BENCH_DURATION (s, 10),
 * BENCH_WARMUP (s, 3), BENCH_CONNECTIONS (50), BENCH_PIPELINING (1), BENCH_FLOOD_CONNECTIONS (10),
 * BENCH_FRESH_KEYS (20), BENCH_FIXED_RATE (1000), BENCH_NEIGHBOUR_CONNECTIONS (10), BENCH_NEIGHBOUR_RATE (100),
 * BENCH_NEIGHBOUR_ROWS (1000000), BENCH_SETTLE_MAX (s, 20), BENCH_STARTUP_TIMEOUT (s, 90),
 * BENCH_ATTACKS (1; 0 skips issue 9's attack scenarios), BCRYPT_COST (12), DATABASE_URL (unset: a scratch
 * database on BENCH_POSTGRES_SERVER, postgres://postgres@127.0.0.1:5432/postgres), REDIS_URL (for (c);
 * default redis://127.0.0.1:6379), BENCH_ONLY (a subset of a,b,u,f,e,d,n,c,g1…g6 or attacks; a partial run
 * leaves docs/benchmarks.md alone), BENCH_NODE_ARGS (flags for the servers' node, e.g. --cpu-prof).
 */
import { execFileSync } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';
import { join, relative } from 'node:path';
import { disposeAllDatabases, prepareDatabase } from './databases';
import { BenchReport, DatabaseReport, markdownSection, printReport, resultsPath, updateDocs, writeJson } from './report';
import { beginShutdown, killAllChildrenNow, stopAllChildren } from './server';
import { DatabaseKind, elapsedSec, log, settings } from './settings';
import { runDatabase } from './suite';

const ROOT = process.cwd();
const TITLES: Record<DatabaseKind, string> = { embedded: 'Embedded database (PGlite)', postgres: 'PostgreSQL + Redis' };

/** Stops the servers and drops the scratch databases, at most `ms` long. */
async function cleanUp(ms: number): Promise<void> {
  beginShutdown();
  await Promise.race([
    stopAllChildren(3000).then(() => disposeAllDatabases()),
    new Promise((resolve) => setTimeout(resolve, ms).unref()),
  ]);
}

process.once('exit', () => killAllChildrenNow());
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping the server(s), dropping scratch databases and exiting`);
    void cleanUp(10_000).finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  });
}
process.on('uncaughtException', (err) => {
  console.error('bench: uncaught error:', err);
  void cleanUp(10_000).finally(() => process.exit(1));
});

function git(args: string[]): string {
  try {
    return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return '';
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

async function benchOne(kind: DatabaseKind): Promise<DatabaseReport> {
  const title = TITLES[kind];
  const empty = { servers: [], scenarios: [], targets: [], informational: [], attacks: [], setupProblems: [] };
  log(`==== ${title} ====`);
  const prepared = await prepareDatabase(kind);
  if ('skipped' in prepared) {
    log(`${title} skipped: ${prepared.skipped}`);
    return { kind, title, status: 'skipped', reason: prepared.skipped, ...empty };
  }
  const db = prepared.database;
  log(`database: ${db.description}`);
  try {
    const run = await runDatabase(db);
    return { kind, title, status: 'ran', database: db.description, ...run, neighbourSeed: { ...run.neighbourSeed } };
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    log(`${title} failed: ${reason}`);
    await stopAllChildren(3000);
    return { kind, title, status: 'failed', database: db.description, reason: reason.split('\n')[0], ...empty };
  } finally {
    await db.dispose();
  }
}

async function main(): Promise<void> {
  const gitCommit = git(['rev-parse', 'HEAD']);
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
    gitDirty: git(['status', '--porcelain', '--untracked-files=no']) !== '',
    bcryptCost: settings.bcryptCost,
    autocannon: autocannonVersion(),
  };
  if (loadavg()[0] > meta.cpuCount * 0.5) {
    log(`WARNING: load average ${meta.loadAverageAtStart} on ${meta.cpuCount} CPUs: other processes are using the CPU; the numbers may be low and noisy`);
  }
  log(`node ${meta.node}, ${meta.cpuCount} CPUs, databases ${settings.databases.join(' and ')}, bcrypt cost ${meta.bcryptCost}, ` +
    `${settings.connections} connections, ${settings.warmupSec} s warm-up + ${settings.durationSec} s per scenario`);

  const databases: DatabaseReport[] = [];
  for (const kind of settings.databases) databases.push(await benchOne(kind));
  if (!databases.some((d) => d.status === 'ran')) {
    throw new Error(`no database could be benchmarked: ${databases.map((d) => `${d.title}: ${d.reason}`).join('; ')}`);
  }

  const report: BenchReport = {
    meta,
    settings: { ...settings, databaseUrl: settings.databaseUrl ? '(set)' : undefined, scratchServerUrl: undefined },
    databases,
    durationSec: elapsedSec(),
  };
  // A partial run writes beside the day's complete result, never over it.
  const jsonPath = resultsPath(ROOT, new Date(), settings.only === undefined ? '' : '-partial');
  writeJson(jsonPath, report);
  // A partial run (BENCH_ONLY) is for iterating: the docs keep the last complete run's tables.
  if (settings.only === undefined) updateDocs(join(ROOT, 'docs', 'benchmarks.md'), markdownSection(report, relative(ROOT, jsonPath)));
  console.log(printReport(report));
  console.log(`\nreq/s and ratios count 2xx responses per second; latencies are of 2xx responses (the flood row: all responses).`);
  console.log(`c/a uses server 1's (a); (a') is the health ceiling of the Redis server, for reference.`);
  console.log(`wrote ${relative(ROOT, jsonPath)}${settings.only === undefined ? ' and docs/benchmarks.md' : ''} in ${report.durationSec} s`);
}

main()
  .then(() => process.exit(0))
  .catch(async (err: unknown) => {
    console.error(`\nbench failed: ${err instanceof Error ? err.message : String(err)}`);
    await cleanUp(10_000);
    process.exit(1);
  });
