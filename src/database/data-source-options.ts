import { PGlite } from '@electric-sql/pglite';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource, DataSourceOptions } from 'typeorm';
import { CONNECT_TIMEOUT_MS } from './connection-errors';
import { DataFolderLock } from './data-folder-lock';
import { PgliteClient } from './pglite-connection';
import { PgliteSession } from './pglite-session';
import { PreparedStatementClient } from './prepared-statement-client';

/** Connections to the embedded database's one session: enough for the requests one event-loop turn brings. */
const PGLITE_POOL_SIZE = 10;

export interface DatabaseSettings {
  DATABASE_URL?: string;
  PGLITE_DATA_DIR: string;
}

/**
 * TypeORM options for PostgreSQL, or for the embedded PGlite when no DATABASE_URL is given.
 * The schema comes only from migrations; synchronize stays off.
 */
export async function createDataSourceOptions(settings: DatabaseSettings): Promise<{
  options: DataSourceOptions;
  pglite?: PGlite;
  lock?: DataFolderLock;
}> {
  const common = {
    type: 'postgres' as const,
    // gen_random_uuid() is built in since PG 13; uuid-ossp is absent from PGlite.
    uuidExtension: 'pgcrypto' as const,
    installExtensions: false,
    synchronize: false,
    migrationsRun: true,
    migrationsTransactionMode: 'each' as const,
    migrations: [join(__dirname, 'migrations', '*.{ts,js}')],
    entities: [join(__dirname, '..', '**', '*.entity.{ts,js}')],
  };
  if (settings.DATABASE_URL) {
    return {
      options: {
        ...common,
        url: settings.DATABASE_URL,
        // Keep connections alive: reconnecting under bcrypt load was seen to stall for seconds.
        // A database that does not answer fails a new connection (and start-up) in seconds, not minutes.
        extra: {
          max: 10,
          idleTimeoutMillis: 0,
          keepAlive: true,
          connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
          Client: PreparedStatementClient,
        },
      },
    };
  }
  const dir = settings.PGLITE_DATA_DIR;
  let lock: DataFolderLock | undefined;
  if (dir !== 'memory://') {
    mkdirSync(dir, { recursive: true });
    lock = DataFolderLock.acquire(dir);
  }
  let pglite: PGlite;
  try {
    pglite = await PGlite.create(dir === 'memory://' ? undefined : dir);
  } catch (err) {
    lock?.release();
    throw err;
  }
  return {
    pglite,
    lock,
    options: {
      ...common,
      // Never dialled: pg talks to PGlite through the connection object below.
      host: 'localhost',
      port: 5432,
      username: 'postgres',
      password: 'pglite',
      database: 'postgres',
      // PGlite is one session; PgliteSession shares it between the pool's connections a transaction at a time.
      poolSize: PGLITE_POOL_SIZE,
      extra: { pgliteSession: new PgliteSession(pglite), idleTimeoutMillis: 0, Client: PgliteClient },
    },
  };
}

/** A DataSource whose destroy() also closes the embedded database it runs on and frees its folder. */
export async function createDataSource(settings: DatabaseSettings): Promise<DataSource> {
  const { options, pglite, lock } = await createDataSourceOptions(settings);
  const dataSource = new DataSource(options);
  if (pglite) {
    const destroy = dataSource.destroy.bind(dataSource);
    dataSource.destroy = async () => {
      try {
        if (dataSource.isInitialized) await destroy();
        await pglite.close();
      } finally {
        lock?.release();
      }
    };
  }
  return dataSource;
}
