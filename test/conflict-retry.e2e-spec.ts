import { DataSource } from 'typeorm';
import { PG_DEADLOCK_DETECTED, pgErrorCode, retryOnConflict } from '../src/common/errors/database-errors';
import { createTestApp, TestApp } from './utils/create-test-app';

/**
 * retryOnConflict against real PostgreSQL conflicts: two transactions that lock two rows in opposite
 * orders deadlock, PostgreSQL aborts one of them (40P01), and the retry runs it again to success.
 */
describe('retryOnConflict on a real deadlock', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
    await t.query('CREATE TABLE conflict_rows (id int PRIMARY KEY, hits int NOT NULL DEFAULT 0)');
    await t.query('INSERT INTO conflict_rows (id) VALUES (1), (2)');
  });

  afterAll(async () => {
    await t.close();
  });

  /** Locks `first`, waits until the other transaction holds its first row too, then locks `second`. */
  function crossing(dataSource: DataSource, first: number, second: number, bothHoldOne: Promise<void>, holds: () => void) {
    return dataSource.transaction(async (manager) => {
      await manager.query('UPDATE conflict_rows SET hits = hits + 1 WHERE id = $1', [first]);
      holds();
      await bothHoldOne;
      await manager.query('UPDATE conflict_rows SET hits = hits + 1 WHERE id = $1', [second]);
    });
  }

  it('without a retry one side fails with 40P01; with it both commit, and the aborted attempt left nothing behind', async () => {
    const run = (retry: boolean) => {
      let held = 0;
      let release: () => void = () => undefined;
      const bothHoldOne = new Promise<void>((resolve) => (release = resolve));
      const holds = () => (++held === 2 ? release() : undefined);
      // A rerun finds the promise settled and the other side committed: it does not wait again.
      const sides = [() => crossing(t.dataSource, 1, 2, bothHoldOne, holds), () => crossing(t.dataSource, 2, 1, bothHoldOne, holds)];
      return Promise.allSettled(sides.map((side) => (retry ? retryOnConflict(side) : side())));
    };

    const plain = await run(false);
    const failures = plain.filter((result) => result.status === 'rejected');
    expect(failures).toHaveLength(1);
    expect(pgErrorCode((failures[0] as PromiseRejectedResult).reason)).toBe(PG_DEADLOCK_DETECTED);

    await t.query('UPDATE conflict_rows SET hits = 0');
    const retried = await run(true);
    expect(retried.map((result) => result.status)).toEqual(['fulfilled', 'fulfilled']);
    // Each side's two updates landed exactly once.
    expect(await t.query('SELECT id, hits FROM conflict_rows ORDER BY id')).toEqual([
      { id: 1, hits: 2 },
      { id: 2, hits: 2 },
    ]);
  });
});
