import { DataSource } from 'typeorm';
import { loadConfig } from './src/config/load-config';
import { typeOrmOptions } from './src/database/typeorm-options';

// The TypeORM CLI needs a server URL: set DATABASE_URL (the embedded server's URL is logged at start).
const { databaseUrl } = loadConfig();
if (databaseUrl === undefined) throw new Error('Set DATABASE_URL to run the TypeORM CLI');

export default new DataSource(typeOrmOptions(databaseUrl));
