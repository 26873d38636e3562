import { resolve } from 'node:path';
import { startEmbeddedPostgres } from '../../src/database/embedded-postgres';

declare global {
  var __embeddedPostgresStop: (() => Promise<void>) | undefined;
}

/**
 * e2e specs need a PostgreSQL server: the one in DATABASE_URL, or else an embedded one started
 * here once for the whole run. Each spec file then creates its own database on it.
 */
export default async function globalSetup(): Promise<void> {
  if (process.env.DATABASE_URL) return;
  const server = await startEmbeddedPostgres({
    dataDir: resolve('.data', 'test-postgres'),
    log: () => undefined,
  });
  process.env.DATABASE_URL = server.url;
  globalThis.__embeddedPostgresStop = () => server.stop();
}
