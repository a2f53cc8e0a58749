// The DataSource the TypeORM CLI uses (npm run migration:generate / migration:run):
// PostgreSQL when DATABASE_URL is set, else the same embedded database `npm start` uses.
import 'reflect-metadata';
import { createDataSource } from './src/database/data-source-options';

export default createDataSource({
  DATABASE_URL: process.env.DATABASE_URL || undefined,
  PGLITE_DATA_DIR: process.env.PGLITE_DATA_DIR || './.data/pglite',
}).then((dataSource) => {
  // The CLI runs migrations itself; it must not run them twice on initialize().
  dataSource.setOptions({ migrationsRun: false });
  return dataSource;
});
