import { PGlite } from '@electric-sql/pglite';
import { createPgConfig } from '@electric-sql/pglite/node-postgres';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource, DataSourceOptions } from 'typeorm';
import { PreparedStatementClient } from './prepared-statement-client';

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
        extra: { max: 10, idleTimeoutMillis: 0, keepAlive: true, Client: PreparedStatementClient },
      },
    };
  }
  const dir = settings.PGLITE_DATA_DIR;
  if (dir !== 'memory://') mkdirSync(dir, { recursive: true });
  const pglite = await PGlite.create(dir === 'memory://' ? undefined : dir);
  const pg = createPgConfig(pglite);
  return {
    pglite,
    options: {
      ...common,
      host: pg.host,
      port: pg.port,
      username: pg.user,
      password: pg.password,
      database: pg.database,
      // PGlite is one session: a second pool connection would interleave transactions.
      poolSize: 1,
      extra: { connection: pg.connection, idleTimeoutMillis: 0, Client: PreparedStatementClient },
    },
  };
}

/** A DataSource whose destroy() also closes the embedded database it runs on. */
export async function createDataSource(settings: DatabaseSettings): Promise<DataSource> {
  const { options, pglite } = await createDataSourceOptions(settings);
  const dataSource = new DataSource(options);
  if (pglite) {
    const destroy = dataSource.destroy.bind(dataSource);
    dataSource.destroy = async () => {
      await destroy();
      await pglite.close();
    };
  }
  return dataSource;
}
