import { DataSource } from 'typeorm';
import { loadConfig } from '../config/load-config';
import { startDatabase } from './database-runtime';
import { revertLastMigrationExclusively, runMigrationsExclusively } from './run-migrations';
import { typeOrmOptions } from './typeorm-options';

type Command = 'run' | 'revert';

/**
 * `npm run migration:run` applies pending migrations, `npm run migration:revert` reverts the last
 * one: to DATABASE_MIGRATION_URL (default DATABASE_URL), or else to the embedded PostgreSQL of the data folder, the one a running
 * `npm start` uses (attached to) or, when none runs, one started for the command and stopped after.
 */
async function migrate(command: Command): Promise<void> {
  const database = await startDatabase(loadConfig(), { attachToRunning: true });
  try {
    const url = database.config.databaseMigrationUrl;
    if (url === undefined) throw new Error('No database URL');
    const dataSource = await new DataSource(typeOrmOptions(url)).initialize();
    try {
      if (command === 'run') {
        await runMigrationsExclusively(dataSource);
        const applied = await dataSource.query<{ name: string }[]>('SELECT name FROM migrations ORDER BY id');
        process.stdout.write(`Migrations applied: ${applied.map((row) => row.name).join(', ')}\n`);
      } else {
        const last = await dataSource.query<{ name: string }[]>('SELECT name FROM migrations ORDER BY id DESC LIMIT 1');
        if (last[0] === undefined) {
          process.stdout.write('No migration to revert\n');
          return;
        }
        await revertLastMigrationExclusively(dataSource);
        process.stdout.write(`Migration reverted: ${last[0].name}\n`);
      }
    } finally {
      await dataSource.destroy();
    }
  } finally {
    await database.stop();
  }
}

const command = process.argv[2] ?? 'run';
if (command !== 'run' && command !== 'revert') {
  process.stderr.write(`Usage: migrate.cli.js run|revert (got "${command}")\n`);
  process.exit(2);
}
migrate(command).catch((error: unknown) => {
  process.stderr.write(
    `Migration ${command} failed: ${error instanceof Error ? error.message.replace(/\s*\n\s*/g, ' | ') : String(error)}\n`,
  );
  process.exit(1);
});
