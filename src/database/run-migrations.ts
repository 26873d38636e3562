import { DataSource, MigrationExecutor, QueryRunner } from 'typeorm';
import { typeOrmOptions } from './typeorm-options';

// An arbitrary constant shared by every instance: only one of them migrates at a time.
const MIGRATION_LOCK_KEY = 724_911_001;

/**
 * Applies pending migrations, all in one transaction that first takes a transaction-level advisory
 * lock, so instances starting together do not race. The lock ends with the transaction, on the
 * connection that took it: it cannot outlive a failed start, nor be left behind by an unlock that a
 * transaction pooler sent to another server connection.
 */
export async function runMigrationsExclusively(dataSource: DataSource): Promise<void> {
  await runExclusively(dataSource, async (queryRunner) => {
    const executor = new MigrationExecutor(dataSource, queryRunner);
    executor.transaction = 'all';
    await executor.executePendingMigrations();
  });
}

/** Reverts the last applied migration under the same lock, in one transaction. */
export async function revertLastMigrationExclusively(dataSource: DataSource): Promise<void> {
  await runExclusively(dataSource, async (queryRunner) => {
    const executor = new MigrationExecutor(dataSource, queryRunner);
    executor.transaction = 'all';
    await executor.undoLastMigration();
  });
}

/** Brings the schema up to date through a short-lived connection of its own to `migrationUrl`. */
export async function migrateThrough(migrationUrl: string): Promise<void> {
  const direct = await new DataSource({ ...typeOrmOptions(migrationUrl), extra: { max: 1, connectionTimeoutMillis: 3000 } }).initialize();
  try {
    await runMigrationsExclusively(direct);
  } finally {
    await direct.destroy();
  }
}

/** Runs a schema change in one transaction that holds the migration lock. */
export async function runExclusively(dataSource: DataSource, change: (queryRunner: QueryRunner) => Promise<void>): Promise<void> {
  const queryRunner = dataSource.createQueryRunner();
  await queryRunner.connect();
  try {
    await queryRunner.startTransaction();
    try {
      await queryRunner.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
      await change(queryRunner);
      await queryRunner.commitTransaction();
    } catch (error) {
      await queryRunner.rollbackTransaction().catch(() => undefined);
      throw error;
    }
  } finally {
    await queryRunner.release();
  }
}
