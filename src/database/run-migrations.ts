import type { DataSource } from 'typeorm';

// An arbitrary constant shared by every instance: only one of them migrates at a time.
const MIGRATION_LOCK_KEY = 724_911_001;

/** Applies pending migrations under an advisory lock, so instances starting together do not race. */
export async function runMigrationsExclusively(dataSource: DataSource): Promise<void> {
  await runExclusively(dataSource, async () => {
    await dataSource.runMigrations({ transaction: 'each' });
  });
}

/** Runs a schema change while holding the migration lock. */
export async function runExclusively(dataSource: DataSource, change: () => Promise<void>): Promise<void> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    await change();
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await runner.release();
  }
}
