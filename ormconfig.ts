import { loadConfig } from './src/config/load-config';
import { startDatabase } from './src/database/database-runtime';
import { typeOrmOptions } from './src/database/typeorm-options';
import { DataSource } from 'typeorm';

// The DataSource of the TypeORM CLI (`npm run migration:generate`): DATABASE_URL, or else the
// embedded PostgreSQL of the data folder, the one a running `npm start` uses or, when none runs,
// one started for the command (stopped when the CLI exits). `npm start` logs that server's URL,
// without its password, and the file that holds the password.
export default (async () => {
  const database = await startDatabase(loadConfig(), { attachToRunning: true });
  const url = database.config.databaseUrl;
  if (url === undefined) throw new Error('No database URL');
  return new DataSource(typeOrmOptions(url));
})();
