/**
 * The databases the benchmark runs on: the embedded PGlite in a fresh temporary folder, and
 * PostgreSQL — DATABASE_URL when given, else a scratch database created on the machine's server for
 * this run and dropped at the end. A PostgreSQL that cannot be reached is reported as skipped.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { DatabaseKind, settings } from './settings';

export interface BenchDatabase {
  kind: DatabaseKind;
  /** How the report names it, e.g. "PostgreSQL 15.4, scratch database kaizen_bench_1764480000000". */
  description: string;
  /** The server's environment for this database (undefined removes a variable). */
  env: { DATABASE_URL: string | undefined; PGLITE_DATA_DIR: string | undefined };
  /** Several server processes may open it at once (PostgreSQL), or one at a time (the embedded one). */
  shared: boolean;
  /** False when the caller gave DATABASE_URL: what the benchmark writes there beyond its API calls is removed. */
  scratch: boolean;
  dispose(): Promise<void>;
}

export type Prepared = { database: BenchDatabase } | { skipped: string };

const open = new Set<BenchDatabase>();

/** Drops or removes every database still open (Ctrl-C, errors). */
export async function disposeAllDatabases(): Promise<void> {
  await Promise.all([...open].map((db) => db.dispose()));
}

export function prepareDatabase(kind: DatabaseKind): Promise<Prepared> {
  return kind === 'embedded' ? Promise.resolve(embedded()) : postgres();
}

function embedded(): Prepared {
  const dir = mkdtempSync(join(tmpdir(), 'kaizen-bench-'));
  const database: BenchDatabase = {
    kind: 'embedded',
    description: 'PGlite (embedded, temp dir)',
    env: { DATABASE_URL: undefined, PGLITE_DATA_DIR: join(dir, 'pglite') },
    shared: false,
    scratch: true,
    dispose: async () => {
      if (!open.delete(database)) return;
      rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    },
  };
  open.add(database);
  return { database };
}

/** Connects with a short timeout, so an absent server is reported in seconds. */
async function connect(url: string): Promise<Client> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

const redacted = (url: string) => url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');

async function postgres(): Promise<Prepared> {
  if (settings.databaseUrl) {
    const url = settings.databaseUrl;
    let version: string;
    try {
      const client = await connect(url);
      try {
        version = (await client.query<{ v: string }>(`SELECT current_setting('server_version') AS v`)).rows[0].v;
      } finally {
        await client.end();
      }
    } catch (err) {
      return { skipped: `DATABASE_URL (${redacted(url)}) unreachable: ${message(err)}` };
    }
    const database: BenchDatabase = {
      kind: 'postgres',
      description: `PostgreSQL ${version} (DATABASE_URL)`,
      env: { DATABASE_URL: url, PGLITE_DATA_DIR: undefined },
      shared: true,
      scratch: false,
      dispose: async () => {
        open.delete(database);
      },
    };
    open.add(database);
    return { database };
  }

  const serverUrl = settings.scratchServerUrl;
  let admin: Client;
  try {
    admin = await connect(serverUrl);
  } catch (err) {
    return { skipped: `no PostgreSQL at ${redacted(serverUrl)} (${message(err)}); set DATABASE_URL or BENCH_POSTGRES_SERVER` };
  }
  const name = `kaizen_bench_${Date.now()}`;
  let version: string;
  try {
    version = (await admin.query<{ v: string }>(`SELECT current_setting('server_version') AS v`)).rows[0].v;
    await admin.query(`CREATE DATABASE ${name}`);
  } catch (err) {
    await admin.end().catch(() => undefined);
    return { skipped: `could not create a scratch database on ${redacted(serverUrl)}: ${message(err)}` };
  }
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const database: BenchDatabase = {
    kind: 'postgres',
    description: `PostgreSQL ${version}, scratch database ${name} (dropped at the end)`,
    env: { DATABASE_URL: url.toString(), PGLITE_DATA_DIR: undefined },
    shared: true,
    scratch: true,
    dispose: async () => {
      if (!open.delete(database)) return;
      try {
        const client = await connect(serverUrl);
        // FORCE (PostgreSQL 13+): a server process killed mid-run may leave a session behind.
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).finally(() => client.end());
      } catch (err) {
        console.error(`bench: could not drop the scratch database ${name}: ${message(err)}`);
      }
    },
  };
  open.add(database);
  return { database };
}

function message(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length) return err.errors.map(message).join('; ');
  return err instanceof Error ? err.message || err.constructor.name : String(err);
}
