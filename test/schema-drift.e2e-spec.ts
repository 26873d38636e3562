import { createTestApp, TestApp } from './utils/create-test-app';

describe('migrations', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });

  afterAll(async () => {
    await t.close();
  });

  it('build exactly the schema the entities describe (no drift)', async () => {
    const pending = await t.dataSource.driver.createSchemaBuilder().log();

    expect(pending.upQueries.map((query) => query.query)).toEqual([]);
  });

  it('can all be reverted and applied again', async () => {
    const applied = await t.query<{ name: string }>('SELECT name FROM migrations');
    for (let i = 0; i < applied.length; i++) await t.dataSource.undoLastMigration({ transaction: 'each' });
    expect(await t.query("SELECT to_regclass('public.users') AS users")).toEqual([{ users: null }]);

    await t.dataSource.runMigrations({ transaction: 'each' });
    expect(await t.query('SELECT name FROM migrations')).toHaveLength(applied.length);
  });
});
