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

const startedAt = Date.now();

/** A console line with the seconds since the benchmark started. */
export function log(message: string): void {
  const t = ((Date.now() - startedAt) / 1000).toFixed(1).padStart(6);
  console.log(`[${t}s] ${message}`);
}

export function elapsedSec(): number {
  return Math.round((Date.now() - startedAt) / 100) / 10;
}
