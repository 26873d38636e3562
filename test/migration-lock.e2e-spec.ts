import { Client } from 'pg';
import { MIGRATIONS } from '../migrations';
import { migrateThrough } from '../src/database/run-migrations';
import { within } from './utils/jwt-helpers';
import { createTestDatabase, TestDatabase } from './utils/test-database';

const MIGRATION_LOCK_KEY = 724_911_001;

describe('the migration lock', () => {
  let database: TestDatabase;
  let holder: Client;

  beforeAll(async () => {
    database = await createTestDatabase();
    holder = new Client({ connectionString: database.url });
    await holder.connect();
  });

  afterAll(async () => {
    await holder.end();
    await database.drop();
  });

  const advisoryLocks = async (granted: boolean) =>
    Number(
      (
        await holder.query<{ n: string }>(
          "SELECT count(*)::text AS n FROM pg_locks l JOIN pg_database d ON d.oid = l.database WHERE l.locktype = 'advisory' AND l.granted = $1 AND d.datname = $2",
          [granted, database.name],
        )
      ).rows[0]?.n,
    );

  it('is transaction-scoped: a start waits while another transaction holds it, and nothing stays held afterwards', async () => {
    await holder.query('BEGIN');
    await holder.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    let done = false;
    const migrating = migrateThrough(database.url).then(() => (done = true));

    expect(await within(10_000, async () => (await advisoryLocks(false)) === 1)).toBeDefined();
    expect(done).toBe(false);

    await holder.query('COMMIT');
    await migrating;

    const applied = await holder.query('SELECT name FROM migrations');
    expect(applied.rows).toHaveLength(MIGRATIONS.length);
    expect(await advisoryLocks(true)).toBe(0);
    expect(await advisoryLocks(false)).toBe(0);
  });
});
