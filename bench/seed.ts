/**
 * A year of one busy tenant's usage for the noisy-neighbour scenario (n), written straight into the
 * database with SQL (as test/growth.e2e-spec.ts does): SEED_KEYS keys that can never be used (their
 * hash is not a bcrypt hash), one usage row per key and hour going back `rows / SEED_KEYS` hours, and
 * the organization's usage totals raised by the same counts, so /metrics stays true to the rows.
 * PostgreSQL is written through `pg`; the embedded database by a child process that takes the data
 * folder's lock (the server must be stopped) and opens it with PGlite.
 */
import { fork } from 'node:child_process';
import { join } from 'node:path';
import { Client } from 'pg';

export const SEED_KEYS = 100;
const SEED_NAME = 'bench seed';
const SERVED_PER_ROW = 10;
const REFUSED_PER_ROW = 1;

export interface SeedTarget {
  organizationId: string;
  userId: string;
  /** Usage rows wanted; rounded down to whole hours of SEED_KEYS keys. */
  rows: number;
}

export interface SeedResult {
  keys: number;
  rows: number;
  ms: number;
}

export interface Statement {
  text: string;
  values: unknown[];
}

export function seedStatements(target: SeedTarget): { statements: Statement[]; rows: number } {
  const hours = Math.floor(target.rows / SEED_KEYS);
  const rows = hours * SEED_KEYS;
  const org = target.organizationId;
  return {
    rows,
    statements: [
      {
        // Prefixes are random so that a second run on the same database cannot collide with the first.
        text: `INSERT INTO api_keys (organization_id, name, key_hash, key_prefix, scopes, rate_limit, status, created_by, created_at)
               SELECT $1, '${SEED_NAME} ' || i, 'x', 'sk_live_' || substr(md5(random()::text || i), 1, 8), '{metrics:read}', 100,
                      'active', $2, now() - (i || ' minutes')::interval
               FROM generate_series(1, ${SEED_KEYS}) AS i`,
        values: [org, target.userId],
      },
      {
        // From the previous hour back, so no seeded bucket is one the live flusher writes to.
        text: `INSERT INTO api_key_usage (key_id, organization_id, bucket_start, served_count, refused_count)
               SELECT k.id, $1, date_trunc('hour', now()) - (h || ' hours')::interval, ${SERVED_PER_ROW}, ${REFUSED_PER_ROW}
               FROM api_keys k CROSS JOIN generate_series(1, $2::int) AS h
               WHERE k.organization_id = $1 AND k.name LIKE '${SEED_NAME} %'`,
        values: [org, hours],
      },
      {
        text: `INSERT INTO organization_usage_totals (organization_id, served_count, refused_count) VALUES ($1, $2, $3)
               ON CONFLICT (organization_id) DO UPDATE SET
                 served_count = organization_usage_totals.served_count + EXCLUDED.served_count,
                 refused_count = organization_usage_totals.refused_count + EXCLUDED.refused_count`,
        values: [org, rows * SERVED_PER_ROW, rows * REFUSED_PER_ROW],
      },
      // Fresh statistics, as a database that grew over a year would have.
      { text: 'ANALYZE api_keys, api_key_usage, organization_usage_totals', values: [] },
    ],
  };
}

/** Seeds a PostgreSQL database in one transaction. */
export async function seedPostgres(url: string, target: SeedTarget): Promise<SeedResult> {
  const started = Date.now();
  const { statements, rows } = seedStatements(target);
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.query('BEGIN');
    for (const s of statements.slice(0, -1)) await client.query(s.text, s.values);
    await client.query('COMMIT');
    const analyze = statements[statements.length - 1];
    await client.query(analyze.text);
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    await client.end();
  }
  return { keys: SEED_KEYS, rows, ms: Date.now() - started };
}

/** What takes a seed back: the seeded keys, their usage rows (ON DELETE CASCADE) and their share of the totals. */
export function unseedStatements(target: SeedTarget): Statement[] {
  const { rows } = seedStatements(target);
  return [
    { text: `DELETE FROM api_keys WHERE organization_id = $1 AND name LIKE '${SEED_NAME} %'`, values: [target.organizationId] },
    {
      text: `UPDATE organization_usage_totals SET served_count = served_count - $2, refused_count = refused_count - $3 WHERE organization_id = $1`,
      values: [target.organizationId, rows * SERVED_PER_ROW, rows * REFUSED_PER_ROW],
    },
  ];
}

/** Takes back what seedPostgres wrote, so a caller's own DATABASE_URL is left as the benchmark's API calls left it. */
export async function unseedPostgres(url: string, target: SeedTarget): Promise<void> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.query('BEGIN');
    for (const s of unseedStatements(target)) await client.query(s.text, s.values);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    await client.end();
  }
}

/** Seeds the embedded database in `dataDir` from a child process (bench/seed-worker.ts); no server may hold it. */
export function seedEmbedded(dataDir: string, target: SeedTarget): Promise<SeedResult> {
  return new Promise((resolve, reject) => {
    const child = fork(join(__dirname, 'seed-worker.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let answered = false;
    child.once('message', (msg: { result?: SeedResult; error?: string }) => {
      answered = true;
      if (msg.result) resolve(msg.result);
      else reject(new Error(`seeding the embedded database: ${msg.error}`));
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (!answered) reject(new Error(`the seeding process exited with code ${code} before answering`));
    });
    child.send({ dataDir, target });
  });
}
