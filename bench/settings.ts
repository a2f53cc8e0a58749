/** The benchmark's knobs, read once from the environment (see docs/benchmarks.md, "Running it"). */

function envInt(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new Error(`${name} must be a number from ${min} to ${max} (got ${JSON.stringify(raw)})`);
  }
  return value;
}

export type DatabaseKind = 'embedded' | 'postgres';

function databaseKinds(): DatabaseKind[] {
  const raw = (process.env.BENCH_DATABASES ?? '').trim();
  if (raw === '') return ['embedded', 'postgres'];
  const kinds = raw.split(',').map((s) => s.trim());
  for (const kind of kinds) {
    if (kind !== 'embedded' && kind !== 'postgres') {
      throw new Error(`BENCH_DATABASES must list embedded and/or postgres, comma-separated (got ${JSON.stringify(raw)})`);
    }
  }
  return [...new Set(kinds as DatabaseKind[])];
}

/** The scenario groups BENCH_ONLY can name; an attack figure's group is its id before any dash (g3-p99 → g3). */
export const SCENARIO_GROUPS = ['a', 'b', 'u', 'f', 'e', 'd', 'n', 'c', 'g1', 'g2', 'g3', 'g4', 'g5', 'g6'] as const;
export type ScenarioGroup = (typeof SCENARIO_GROUPS)[number];

/**
 * BENCH_ONLY: a comma-separated subset of SCENARIO_GROUPS (`attacks` stands for g1–g6), so one
 * scenario can be iterated on without the rest; unset runs everything. A partial run still writes
 * bench/results but leaves docs/benchmarks.md alone (its tables are for complete runs).
 */
function onlyGroups(): Set<ScenarioGroup> | undefined {
  const raw = (process.env.BENCH_ONLY ?? '').trim();
  if (raw === '') return undefined;
  const out = new Set<ScenarioGroup>();
  for (const name of raw.split(',').map((s) => s.trim().toLowerCase())) {
    if (name === 'attacks') {
      for (const g of SCENARIO_GROUPS) if (g.startsWith('g')) out.add(g);
    } else if ((SCENARIO_GROUPS as readonly string[]).includes(name)) out.add(name as ScenarioGroup);
    else throw new Error(`BENCH_ONLY lists ${SCENARIO_GROUPS.join(', ')} or attacks (got ${JSON.stringify(name)})`);
  }
  return out;
}

export const settings = {
  databases: databaseKinds(),
  durationSec: envInt('BENCH_DURATION', 10, 1, 120),
  warmupSec: envInt('BENCH_WARMUP', 3, 0, 60),
  connections: envInt('BENCH_CONNECTIONS', 50, 1, 1000),
  pipelining: envInt('BENCH_PIPELINING', 1, 1, 100),
  floodConnections: envInt('BENCH_FLOOD_CONNECTIONS', 10, 1, 1000),
  freshKeys: envInt('BENCH_FRESH_KEYS', 20, 1, 200),
  fixedRate: envInt('BENCH_FIXED_RATE', 1000, 1, 100_000),
  /** (n): tenant A's polling connections and tenant B's steady rate. */
  neighbourConnections: envInt('BENCH_NEIGHBOUR_CONNECTIONS', 10, 1, 1000),
  neighbourRate: envInt('BENCH_NEIGHBOUR_RATE', 100, 1, 10_000),
  /** (n): usage rows written straight into the database for tenant A (100 keys × rows/100 hours). */
  neighbourRows: envInt('BENCH_NEIGHBOUR_ROWS', 1_000_000, 0, 10_000_000),
  settleMaxMs: envInt('BENCH_SETTLE_MAX', 20, 1, 120) * 1000,
  startupTimeoutMs: envInt('BENCH_STARTUP_TIMEOUT', 90, 5, 600) * 1000,
  bcryptCost: envInt('BCRYPT_COST', 12, 4, 15),
  attacks: process.env.BENCH_ATTACKS !== '0',
  /** BENCH_ONLY's groups; undefined: all. */
  only: onlyGroups(),
  logLevel: 'warn',
  validClientAddress: '198.51.100.1',
  floodClientAddress: '203.0.113.7',
  firstUseClientAddress: '198.51.100.2',
  neighbourClientAddresses: { a: '198.51.100.10', b: '198.51.100.11' },
  redisUrl: process.env.REDIS_URL || 'redis://127.0.0.1:6379',
  /** PostgreSQL given by the caller; unset: a scratch database on the machine's server. */
  databaseUrl: process.env.DATABASE_URL || undefined,
  /** Where the scratch database is created (and dropped) when DATABASE_URL is unset. */
  scratchServerUrl: process.env.BENCH_POSTGRES_SERVER || 'postgres://postgres@127.0.0.1:5432/postgres',
};

export type Settings = typeof settings;

/** Whether a scenario group runs in this invocation (BENCH_ONLY; BENCH_ATTACKS=0 drops g1–g6). */
export function wanted(group: ScenarioGroup): boolean {
  if (group.startsWith('g') && !settings.attacks) return false;
  return settings.only === undefined || settings.only.has(group);
}

const startedAt = Date.now();

/** A console line with the seconds since the benchmark started. */
export function log(message: string): void {
  const t = ((Date.now() - startedAt) / 1000).toFixed(1).padStart(6);
  console.log(`[${t}s] ${message}`);
}

export function elapsedSec(): number {
  return Math.round((Date.now() - startedAt) / 100) / 10;
}
