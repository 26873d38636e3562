import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { startEmbeddedPostgres } from './embedded-postgres';

export interface DatabaseRuntime {
  readonly config: AppConfig;
  /** Stops the embedded server, if one was started; a no-op otherwise. */
  stop(): Promise<void>;
}

/** With DATABASE_URL unset, starts the embedded PostgreSQL in the data folder and points the config at it. */
export async function startDatabase(config: AppConfig): Promise<DatabaseRuntime> {
  if (config.databaseUrl !== undefined) return { config, stop: async () => undefined };
  const logger = new Logger('EmbeddedPostgres');
  logger.log(`DATABASE_URL is unset: starting the embedded PostgreSQL in ${config.dataDir}`);
  const server = await startEmbeddedPostgres({
    dataDir: join(config.dataDir, 'postgres'),
    log: (line) => logger.log(line),
  });
  return { config: { ...config, databaseUrl: server.url }, stop: () => server.stop() };
}
