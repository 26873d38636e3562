import { loadConfig } from '../../src/config/load-config';
import { startDatabase } from '../../src/database/database-runtime';
import { die, exitWithParent, send } from '../lib/child';

/**
 * Without DATABASE_URL: the product's own embedded PostgreSQL (startDatabase, as src/main.ts does
 * in development), in the bench's DATA_DIR, held by this process so that it is stopped even if the
 * orchestrator dies. It reports the server URL; the orchestrator makes a scratch database on it.
 */
async function main(): Promise<void> {
  const runtime = await startDatabase(loadConfig({ DATA_DIR: process.env.DATA_DIR, LOG_LEVEL: 'warn' }));
  exitWithParent(() => runtime.stop());
  await send({ type: 'ready', url: runtime.config.databaseUrl });
}

main().catch(die);
