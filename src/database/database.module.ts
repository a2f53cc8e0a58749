import { Logger, Module } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { TypeOrmModule, TypeOrmModuleOptions } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { StartupError } from '../common/startup-error';
import { appConfig } from '../config/app.config';
import { describeConnectionError } from './connection-errors';
import { DatabaseAvailability } from './database-availability';
import { createDataSource, DatabaseSettings } from './data-source-options';

type OptionsWithSettings = TypeOrmModuleOptions & { settings: DatabaseSettings };

const logger = new Logger('Database');

/** Connects, then applies pending migrations with one log line each; failures say what to fix. */
async function openDatabase(settings: DatabaseSettings): Promise<DataSource> {
  const dataSource = await createDataSource(settings);
  // Run below rather than on initialize(), so each applied migration can be named in the log.
  dataSource.setOptions({ migrationsRun: false });
  try {
    await dataSource.initialize();
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    for (const migration of applied) logger.log(`applied migration ${migration.name}`);
    return dataSource;
  } catch (err) {
    await dataSource.destroy().catch(() => undefined);
    const described = settings.DATABASE_URL && describeConnectionError(err, settings.DATABASE_URL);
    throw described ? new StartupError(described) : err;
  }
}

@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [appConfig.KEY],
      // The real options are built in dataSourceFactory, because the embedded database needs
      // async start-up and must be closed together with the DataSource.
      useFactory: (config: ConfigType<typeof appConfig>): OptionsWithSettings => ({
        type: 'postgres',
        settings: { DATABASE_URL: config.DATABASE_URL, PGLITE_DATA_DIR: config.PGLITE_DATA_DIR },
        // No retries with a stack trace each: a database that is wrong at start-up stops the
        // service at once with one line saying why (main.ts); an orchestrator restarts it.
        toRetry: () => false,
      }),
      dataSourceFactory: (options) => openDatabase((options as OptionsWithSettings).settings),
    }),
  ],
  providers: [DatabaseAvailability],
  exports: [DatabaseAvailability],
})
export class DatabaseModule {}
