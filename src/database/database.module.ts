import { Module } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { TypeOrmModule, TypeOrmModuleOptions } from '@nestjs/typeorm';
import { appConfig } from '../config/app.config';
import { createDataSource, DatabaseSettings } from './data-source-options';

type OptionsWithSettings = TypeOrmModuleOptions & { settings: DatabaseSettings };

@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [appConfig.KEY],
      // The real options are built in dataSourceFactory, because the embedded database needs
      // async start-up and must be closed together with the DataSource.
      useFactory: (config: ConfigType<typeof appConfig>): OptionsWithSettings => ({
        type: 'postgres',
        settings: { DATABASE_URL: config.DATABASE_URL, PGLITE_DATA_DIR: config.PGLITE_DATA_DIR },
      }),
      dataSourceFactory: async (options) => {
        const dataSource = await createDataSource((options as OptionsWithSettings).settings);
        return dataSource.initialize();
      },
    }),
  ],
})
export class DatabaseModule {}
