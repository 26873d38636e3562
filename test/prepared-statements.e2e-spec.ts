import type { Pool } from 'pg';
import { createTestApp, TestApp } from './utils/create-test-app';
import { login, me, refresh, TokenPair } from './utils/jwt-helpers';
import { registerUser } from './utils/users';

const SPEND = 'refresh-spend-and-issue-successor';

/** The statements prepared on every connection of the app's pool, read from each connection itself. */
async function preparedOnThePool(t: TestApp): Promise<Array<{ name: string; statement: string }>> {
  const pool = (t.dataSource.driver as unknown as { master: Pool }).master;
  const clients = await Promise.all(Array.from({ length: pool.totalCount }, () => pool.connect()));
  try {
    const results = await Promise.all(
      clients.map((client) => client.query<{ name: string; statement: string }>('SELECT name, statement FROM pg_prepared_statements')),
    );
    return results.flatMap((result) => result.rows);
  } finally {
    for (const client of clients) client.release();
  }
}

const namesOf = (rows: ReadonlyArray<{ name: string }>) => new Set(rows.map((row) => row.name));

/** A chain of rotations, each successor working at /me; the first token is then refused (reuse). */
async function rotateTimes(t: TestApp, first: TokenPair, times: number): Promise<void> {
  let pair = first;
  for (let index = 0; index < times; index++) {
    pair = (await refresh(t, pair.refreshToken).expect(200)).body as TokenPair;
    await me(t, pair.accessToken).expect(200);
  }
  await refresh(t, first.refreshToken).expect(401);
  await me(t, pair.accessToken).expect(401);
}

describe.each<{ setting: string; env: Record<string, string>; prepared: boolean }>([
  { setting: 'default (on)', env: {}, prepared: true },
  { setting: 'DATABASE_PREPARED_STATEMENTS=false', env: { DATABASE_PREPARED_STATEMENTS: 'false' }, prepared: false },
])('the refresh statement with prepared statements $setting', ({ env, prepared }) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ env });
    await registerUser(t, 'preparer');
  });

  afterAll(async () => {
    await t.close();
  });

  it(`rotates as ever, and is ${prepared ? '' : 'not '}kept prepared on the connection that ran it`, async () => {
    expect(namesOf(await preparedOnThePool(t))).not.toContain(SPEND);
    // More than five runs: PostgreSQL may switch a prepared statement to its generic plan after five.
    await rotateTimes(t, await login(t, 'preparer'), 7);
    const names = namesOf(await preparedOnThePool(t));
    if (prepared) expect(names).toContain(SPEND);
    else expect(names).not.toContain(SPEND);
  });
});

describe('a connection that does not keep prepared statements (as behind a transaction-mode pooler)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
    await registerUser(t, 'preparer');
  });

  afterAll(async () => {
    await t.close();
  });

  it('answers the refresh all the same, and the process goes on with unnamed statements', async () => {
    const first = await login(t, 'preparer');
    // Every open connection already holds a statement of that name, as a pooler's server connection
    // would from another client: PostgreSQL refuses the app's Parse (42P05) before running anything.
    const pool = (t.dataSource.driver as unknown as { master: Pool }).master;
    const clients = await Promise.all(Array.from({ length: pool.totalCount }, () => pool.connect()));
    for (const client of clients) await client.query(`PREPARE "${SPEND}" AS SELECT 1`);
    for (const client of clients) client.release();

    await rotateTimes(t, first, 7);

    const statements = await preparedOnThePool(t);
    expect(statements.filter((row) => row.name === SPEND).every((row) => row.statement.endsWith('AS SELECT 1'))).toBe(true);
  });
});
