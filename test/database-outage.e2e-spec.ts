import { Client } from 'pg';
import request from 'supertest';
import type { Response } from 'supertest';
import { createTestApp, TestApp } from './utils/create-test-app';
import { decode, login, me, refresh, TokenPair } from './utils/jwt-helpers';
import { rawSessionId, sessionLogin, SessionLogin } from './utils/session-login';
import { createHash } from 'node:crypto';
import { PASSWORD, registerUser } from './utils/users';
import { RevocationListener } from '../src/tokens/revocation/revocation-listener.service';

/**
 * The database fails in the middle of a request: its query is already waiting on the server when
 * the connection dies. `killed`: only that connection is terminated (a blip; the database answers
 * again at once, so whatever the app does next succeeds). `outage`: the database refuses every
 * connection until the test lets it back. Either way the answer is 503 and nothing is ended.
 */
type Failure = 'killed' | 'outage';

describe('the database failing mid-request', () => {
  let t: TestApp;
  const answered: number[] = [];

  beforeAll(async () => {
    t = await createTestApp();
    await registerUser(t, 'outage');
  });

  afterAll(async () => {
    await t.database.admin(`ALTER DATABASE "${t.database.name}" ALLOW_CONNECTIONS true`);
    await t.close();
  });

  afterEach(async () => {
    await t.database.admin(`ALTER DATABASE "${t.database.name}" ALLOW_CONNECTIONS true`);
    // An outage also ends the revocation listener. Until it is back, memory is current only while the
    // 300 ms poll of the event log keeps up; a late poll on a loaded machine sends JwtGuard to the
    // database, where it waits on the locked table instead of reaching the statement the test targets
    // (seen once in CI: the JWT logout never reached its INSERT).
    await until(async () => t.app.get(RevocationListener).isLive, 'the revocation listener');
  });

  /**
   * Backends of this database other than `except`, whose waiting query contains `pattern` if given.
   * Read on a connection of its own: inside a transaction, pg_stat_activity is a snapshot.
   */
  async function backends(except: number, pattern?: string): Promise<number[]> {
    const rows = await t.database.admin<{ pid: number; wait_event_type: string | null; query: string }>(
      `SELECT pid, wait_event_type, query FROM pg_stat_activity WHERE datname = '${t.database.name}' AND pid <> ${except}`,
    );
    return rows
      .filter((row) => pattern === undefined || (row.wait_event_type === 'Lock' && row.query.includes(pattern)))
      .map((row) => row.pid);
  }

  async function until(condition: () => Promise<boolean>, what: string): Promise<void> {
    // Polls at most 10 s.
    for (let i = 0; i < 400; i++) {
      if (await condition()) return;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error(`timed out waiting for ${what}`);
  }

  /**
   * Holds `table` locked, sends the request, and once the app's query (text containing `query`)
   * waits on the lock, fails the database; in `killed` the lock is released only after the app's backend was terminated.
   */
  async function failMidFlight(table: string, query: string, failure: Failure, send: () => request.Test): Promise<Response> {
    const locker = new Client({ connectionString: t.database.url });
    locker.on('error', () => undefined);
    await locker.connect();
    await locker.query('BEGIN');
    await locker.query(`LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE`);
    const [{ pid: lockerPid }] = (await locker.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows as [{ pid: number }];
    const pending = send().then((response) => response);
    let waiting: number[] = [];
    await until(async () => (waiting = await backends(lockerPid, query)).length > 0, `the app's query on ${table}`).catch(
      async (error: unknown) => {
        await locker.end();
        throw error;
      },
    );
    if (failure === 'outage') {
      await t.database.admin(`ALTER DATABASE "${t.database.name}" ALLOW_CONNECTIONS false`);
      // The app's waiting backends first, and until they have exited (the timeout makes it wait): were
      // the locker to die first, its lock would pass to the app's query, which could still complete.
      await t.database.admin(`SELECT pg_terminate_backend(pid, 5000) FROM unnest(ARRAY[${waiting.join(',')}]::int[]) AS pid`);
      await t.database.admin(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${t.database.name}'`);
      await locker.end().catch(() => undefined);
    } else {
      // With a timeout, pg_terminate_backend waits until they have exited: the lock must outlive them.
      await locker.query('SELECT pg_terminate_backend(pid, 5000) FROM unnest($1::int[]) AS pid', [waiting]);
      // Released only now: what the app does after the failure (a destroy, say) meets a healthy database.
      await locker.query('ROLLBACK');
      await locker.end();
    }
    const response = await pending;
    answered.push(response.status);
    await t.database.admin(`ALTER DATABASE "${t.database.name}" ALLOW_CONNECTIONS true`);
    return response;
  }

  function expect503(response: Response): void {
    expect(response.status).toBe(503);
    expect(response.body).toEqual({ statusCode: 503, code: 'DATABASE_UNAVAILABLE', message: expect.any(String) });
  }

  const sessionMe = (session: SessionLogin) => request(t.http).get('/auth/session/me').set('Cookie', session.cookie);
  const sessionRows = (session: SessionLogin) =>
    t.query('SELECT id FROM sessions WHERE sid_hash = $1', [createHash('sha256').update(rawSessionId(session.cookie)).digest('hex')]);
  const user = { username: 'outage', password: PASSWORD };

  describe.each<Failure>(['killed', 'outage'])('(%s)', (failure) => {
    it('a failed session load answers 503 and the same session works once the database does', async () => {
      const session = await sessionLogin(t.http, user);

      expect503(await failMidFlight('sessions', 'FROM sessions s JOIN users', failure, () => sessionMe(session)));

      expect(await sessionRows(session)).toHaveLength(1);
      expect((await sessionMe(session)).status).toBe(200);
    });

    it('a session logout that fails answers 503 and leaves the session working', async () => {
      const session = await sessionLogin(t.http, user);
      const logout = () =>
        request(t.http).post('/auth/session/logout').set('Cookie', session.cookie).set('X-CSRF-Token', session.csrfToken);

      expect503(await failMidFlight('sessions', 'FROM sessions s JOIN users', failure, logout));

      expect(await sessionRows(session)).toHaveLength(1);
      expect((await sessionMe(session)).status).toBe(200);
      expect((await logout()).status).toBe(204);
    });

    it('a session login that fails answers 503; the next login works', async () => {
      const response = await failMidFlight('sessions', 'sessions', failure, () =>
        request(t.http).post('/auth/session/login').send({ username: user.username, password: PASSWORD }),
      );

      expect503(response);
      const cookies = ([] as string[]).concat(response.headers['set-cookie'] ?? []);
      expect(cookies.filter((cookie) => cookie.startsWith('sid='))).toEqual([]);
      expect((await sessionMe(await sessionLogin(t.http, user))).status).toBe(200);
    });

    it('a JWT login that fails answers 503; the next login works', async () => {
      expect503(
        await failMidFlight('refresh_families', 'INSERT INTO refresh_families', failure, () =>
          request(t.http).post('/auth/jwt/login').send({ username: user.username, password: PASSWORD }),
        ),
      );

      expect((await me(t, (await login(t, 'outage')).accessToken)).status).toBe(200);
    });

    it('a refresh that fails answers 503, spends nothing, and the same token refreshes afterwards', async () => {
      const pair = await login(t, 'outage');

      expect503(await failMidFlight('refresh_families', 'FOR UPDATE OF f', failure, () => refresh(t, pair.refreshToken)));

      const [family] = await t.query<{ revoked_at: Date | null }>('SELECT revoked_at FROM refresh_families WHERE id = $1', [
        decode(pair.accessToken).payload.sid,
      ]);
      expect(family?.revoked_at).toBeNull();
      const again = await refresh(t, pair.refreshToken);
      expect(again.status).toBe(200);
      expect((await me(t, (again.body as TokenPair).accessToken)).status).toBe(200);
    });

    it('a JWT logout that fails answers 503 and ends nothing; the logout succeeds afterwards', async () => {
      const pair = await login(t, 'outage');
      const logout = () => request(t.http).post('/auth/jwt/logout').set('Authorization', `Bearer ${pair.accessToken}`).send({});

      expect503(await failMidFlight('revoked_access_tokens', 'INSERT INTO revoked_access_tokens', failure, logout));

      expect((await me(t, pair.accessToken)).status).toBe(200);
      expect((await logout()).status).toBe(204);
      expect((await me(t, pair.accessToken)).status).toBe(401);
      expect((await refresh(t, pair.refreshToken)).status).toBe(401);
    });
  });

  it('never answered 500 while the database failed', () => {
    expect(answered.length).toBe(12);
    expect(answered.filter((status) => status === 500)).toEqual([]);
  });
});
