import { DataSource } from 'typeorm';
import { loadConfig } from '../config/load-config';
import { startDatabase } from './database-runtime';
import { runMigrationsExclusively } from './run-migrations';
import { typeOrmOptions } from './typeorm-options';

/** `npm run migration:run`: applies pending migrations to DATABASE_URL, or to the embedded server. */
async function migrate(): Promise<void> {
  const database = await startDatabase(loadConfig());
  try {
    const url = database.config.databaseUrl;
    if (url === undefined) throw new Error('No database URL');
    const dataSource = await new DataSource(typeOrmOptions(url)).initialize();
    try {
      await runMigrationsExclusively(dataSource);
      const applied = await dataSource.query<{ name: string }[]>('SELECT name FROM migrations ORDER BY id');
      process.stdout.write(`Migrations applied: ${applied.map((row) => row.name).join(', ')}\n`);
    } finally {
      await dataSource.destroy();
    }
  } finally {
    await database.stop();
  }
}

migrate().catch((error: unknown) => {
  process.stderr.write(`Migration failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
