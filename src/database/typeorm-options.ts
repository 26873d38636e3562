import { Logger } from '@nestjs/common';
import type { DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from '../../migrations';
import { ENTITIES } from './entities';

const poolLogger = new Logger('DatabasePool');

/** The one definition of the connection, shared by the app and ormconfig.ts (the CLI). */
export function typeOrmOptions(databaseUrl: string): DataSourceOptions {
  return {
    type: 'postgres',
    url: databaseUrl,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    synchronize: false,
    migrationsRun: false,
    extra: { max: 20, connectionTimeoutMillis: 3000 },
    // An idle client whose connection dies (server restart, pg_terminate_backend) is dropped from
    // the pool, which opens a new one on demand; the error must not reach the process.
    poolErrorHandler: (error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      poolLogger.warn(`An idle database connection failed and was dropped: ${message}`);
    },
  };
}
