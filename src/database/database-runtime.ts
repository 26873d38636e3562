import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { describeEmbeddedPostgres, startEmbeddedPostgres } from './embedded-postgres';

export interface DatabaseRuntime {
  readonly config: AppConfig;
  /** Stops the embedded server, if this process started one; a no-op otherwise. */
  stop(): Promise<void>;
}

export interface StartDatabaseOptions {
  /** Use the embedded server a running app has started on the same cluster (the migration commands). */
  readonly attachToRunning?: boolean;
}

/** With DATABASE_URL unset, starts the embedded PostgreSQL of the data folder and points the config at it. */
export async function startDatabase(config: AppConfig, options: StartDatabaseOptions = {}): Promise<DatabaseRuntime> {
  if (config.databaseUrl !== undefined) return { config, stop: async () => undefined };
  const logger = new Logger('EmbeddedPostgres');
  const dataDir = join(config.dataDir, 'postgres');
  logger.log(`DATABASE_URL is unset: starting the embedded PostgreSQL of ${dataDir}`);
  const server = await startEmbeddedPostgres({
    dataDir,
    log: (line) => logger.log(line),
    serviceDir: config.embeddedPostgresDir,
    attachToRunning: options.attachToRunning,
  });
  logger.log(`Embedded PostgreSQL (data in ${server.dataDir}) at ${describeEmbeddedPostgres(server)}`);
  return {
    config: { ...config, databaseUrl: server.url, databaseListenUrl: server.url, databaseMigrationUrl: server.url },
    stop: () => server.stop(),
  };
}
