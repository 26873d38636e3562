import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { POLL_STALE_MS } from '../src/tokens/revocation/revocation-feed.service';
import request from 'supertest';
import { testSecrets, TestTarget } from './utils/create-test-app';
import { sleep } from './utils/http';
import { sessionLogin, SessionLogin } from './utils/session-login';
import { startTestServer, TestServer } from './utils/test-server';
import { PASSWORD, registerUniqueUser, TestUser } from './utils/users';

// Both instances are the production build in processes of their own, on one database. B's revocation
// listener connects as a role of its own, so the tests can cut it (and keep it out) without touching A's.

const ADMIN = { username: 'cacheadmin', email: 'cacheadmin@example.com', password: 'the cache admin passphrase' };
const DEADLINE_MS = 1000;
const POLL_MS = 25;

const me = (t: TestTarget, cookie: string) => request(t.http).get('/auth/session/me').set('Cookie', cookie);
const statusOf = async (t: TestTarget, cookie: string) => (await me(t, cookie)).status;
const rolesOf = async (t: TestTarget, cookie: string) => ((await me(t, cookie)).body as { roles?: string[] }).roles;

/** Polls every 25 ms until `check` holds; the milliseconds it took, or undefined past `timeoutMs`. */
async function within(timeoutMs: number, check: () => Promise<boolean>): Promise<number | undefined> {
  const started = Date.now();
  while (Date.now() - started <= timeoutMs) {
    if (await check()) return Date.now() - started;
    await sleep(POLL_MS);
  }
  return undefined;
}

const refusedBy = (t: TestTarget, cookie: string) => async () => (await statusOf(t, cookie)) === 401;

/** Loads the session into the instance's memory (and proves it is live there). */
async function warm(t: TestTarget, cookie: string): Promise<void> {
  expect(await statusOf(t, cookie)).toBe(200);
  expect(await statusOf(t, cookie)).toBe(200);
}

/** SQL no trigger sees: no event is logged or NOTIFYed, so only a read of the database can notice it. */
const silently = (sql: string) => `BEGIN; SET LOCAL session_replication_role = replica; ${sql}; COMMIT;`;

async function startPair(env: Record<string, string>, listenerRole: string): Promise<[TestServer, TestServer]> {
  const a = await startTestServer({ env });
  const password = randomBytes(16).toString('hex');
  await a.query(`CREATE ROLE "${listenerRole}" LOGIN PASSWORD '${password}'`);
  const listenUrl = new URL(a.database.url);
  listenUrl.username = listenerRole;
  listenUrl.password = password;
  const b = await startTestServer({ database: a.database, env: { ...env, DATABASE_LISTEN_URL: listenUrl.toString() } });
  // B's listener is up (connected as its own role): B serves from memory from here on.
  const connected = await within(
    10_000,
    async () => (await a.query('SELECT 1 FROM pg_stat_activity WHERE usename = $1', [listenerRole])).length > 0,
  );
  if (connected === undefined) throw new Error(`B's listener did not connect:\n${b.output()}`);
  return [a, b];
}

async function stopPair(a: TestServer | undefined, b: TestServer | undefined, listenerRole: string): Promise<void> {
  await b?.close();
  await a?.query(`DROP ROLE IF EXISTS "${listenerRole}"`);
  await a?.close();
}

describe('sessions served from memory, across two instances', () => {
  const listenerRole = `listener_b_${randomBytes(4).toString('hex')}`;
  let a: TestServer;
  let b: TestServer;
  let admin: SessionLogin;

  beforeAll(async () => {
    const env = {
      ...testSecrets(),
      BOOTSTRAP_ADMIN_USERNAME: ADMIN.username,
      BOOTSTRAP_ADMIN_EMAIL: ADMIN.email,
      BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
    };
    [a, b] = await startPair(env, listenerRole);
    admin = await sessionLogin(a.http, ADMIN);
  }, 120_000);

  afterAll(async () => {
    await stopPair(a, b, listenerRole);
  }, 60_000);

  const asAdmin = (call: request.Test) => call.set('Cookie', admin.cookie).set('X-CSRF-Token', admin.csrfToken);
  const withCsrf = (call: request.Test, login: SessionLogin) => call.set('Cookie', login.cookie).set('X-CSRF-Token', login.csrfToken);
  /** True when B answered a session from memory: its row was deleted by SQL no trigger sees, and B still admits it. */
  const servedFromMemory = async () => {
    const probeUser = await registerUniqueUser(a, 'cached');
    const login = await sessionLogin(a.http, probeUser);
    await warm(b, login.cookie);
    await a.query(silently(`DELETE FROM sessions WHERE user_id = '${probeUser.id}'`));
    return (await statusOf(b, login.cookie)) === 200;
  };
  const listenerPids = async () =>
    (await a.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE usename = $1', [listenerRole])).map(({ pid }) => pid);

  describe('a change on A is honoured at once on A and within 1 second on B, whose memory held the session', () => {
    let user: TestUser;

    beforeEach(async () => {
      user = await registerUniqueUser(a, 'cached');
    });

    it('logout', async () => {
      const login = await sessionLogin(a.http, user);
      await warm(a, login.cookie);
      await warm(b, login.cookie);

      // The CSRF check reads the nonce of the cached session: without the token, nothing happens.
      expect((await request(a.http).post('/auth/session/logout').set('Cookie', login.cookie)).status).toBe(403);
      expect((await withCsrf(request(a.http).post('/auth/session/logout'), login)).status).toBe(204);

      expect(await statusOf(a, login.cookie)).toBe(401);
      expect(await within(DEADLINE_MS, refusedBy(b, login.cookie))).toBeDefined();
    });

    it('logout-all', async () => {
      const caller = await sessionLogin(a.http, user);
      const other = await sessionLogin(b.http, user);
      for (const login of [caller, other]) {
        await warm(a, login.cookie);
        await warm(b, login.cookie);
      }

      expect((await withCsrf(request(a.http).post('/auth/logout-all'), caller)).status).toBe(204);

      expect(await statusOf(a, caller.cookie)).toBe(401);
      expect(await statusOf(a, other.cookie)).toBe(401);
      expect(await within(DEADLINE_MS, refusedBy(b, caller.cookie))).toBeDefined();
      expect(await within(DEADLINE_MS, refusedBy(b, other.cookie))).toBeDefined();
    });

    it('an admin disabling the user', async () => {
      const login = await sessionLogin(a.http, user);
      await warm(a, login.cookie);
      await warm(b, login.cookie);

      expect((await asAdmin(request(a.http).post(`/admin/users/${user.id}/disable`))).status).toBe(204);

      expect(await statusOf(a, login.cookie)).toBe(401);
      expect(await within(DEADLINE_MS, refusedBy(b, login.cookie))).toBeDefined();
    });

    it('a password change: every other session ends, the caller moves to a new session id', async () => {
      const caller = await sessionLogin(a.http, user);
      const other = await sessionLogin(a.http, user);
      for (const login of [caller, other]) {
        await warm(a, login.cookie);
        await warm(b, login.cookie);
      }

      const response = await withCsrf(request(a.http).post('/auth/password/change'), caller).send({
        currentPassword: PASSWORD,
        newPassword: 'another decent passphrase',
      });
      expect(response.status).toBe(204);

      expect(await statusOf(a, other.cookie)).toBe(401);
      expect(await statusOf(a, caller.cookie)).toBe(401);
      expect(await within(DEADLINE_MS, refusedBy(b, other.cookie))).toBeDefined();
      expect(await within(DEADLINE_MS, refusedBy(b, caller.cookie))).toBeDefined();
    });

    it('an admin changing the roles', async () => {
      const login = await sessionLogin(a.http, user);
      await warm(a, login.cookie);
      await warm(b, login.cookie);
      expect(await rolesOf(b, login.cookie)).toEqual(['user']);

      const response = await asAdmin(request(a.http).put(`/admin/users/${user.id}/roles`)).send({ roles: ['user', 'auditor'] });
      expect(response.status).toBe(200);

      expect(await rolesOf(a, login.cookie)).toEqual(['user', 'auditor']);
      const hasNewRoles = async () => JSON.stringify(await rolesOf(b, login.cookie)) === JSON.stringify(['user', 'auditor']);
      expect(await within(DEADLINE_MS, hasNewRoles)).toBeDefined();
    });
  });

  describe("while B's listener is down", () => {
    it('and the event log cannot be read either, B answers from the database; once the listener is back, from memory again', async () => {
      const endedUser = await registerUniqueUser(a, 'cached');
      const ended = await sessionLogin(a.http, endedUser);
      const promotedUser = await registerUniqueUser(a, 'cached');
      const promoted = await sessionLogin(a.http, promotedUser);
      await warm(b, ended.cookie);
      await warm(b, promoted.cookie);

      // Reads of the event log hang behind this lock (B's poll and its listener's replay): B's memory cannot be current.
      const blocker = new Client({ connectionString: a.database.url });
      await blocker.connect();
      try {
        await blocker.query('BEGIN');
        await blocker.query('LOCK TABLE revocation_events IN ACCESS EXCLUSIVE MODE');
        const [cut] = await listenerPids();
        await a.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1', [listenerRole]);
        // B noticed: its listener reconnects (and then waits on the lock to replay the log).
        expect(await within(5000, async () => (await listenerPids()).some((pid) => pid !== cut))).toBeDefined();
        // Every read of the log that completed started before the lock: none counts as recent any more.
        await sleep(POLL_STALE_MS + 200);

        await a.query(silently(`DELETE FROM sessions WHERE user_id = '${endedUser.id}'`));
        await a.query(silently(`UPDATE users SET roles = '{user,auditor}' WHERE id = '${promotedUser.id}'`));

        expect(await statusOf(b, ended.cookie)).toBe(401);
        expect(await rolesOf(b, promoted.cookie)).toEqual(['user', 'auditor']);
      } finally {
        await blocker.query('ROLLBACK').catch(() => undefined);
        await blocker.end();
      }

      // Back: a session B has loaded is served from memory (a change no trigger reports goes unseen)…
      expect(await within(10_000, servedFromMemory)).toBeDefined();
      // …and a session ended on A is again refused by B within 1 second.
      const login = await sessionLogin(a.http, await registerUniqueUser(a, 'cached'));
      await warm(b, login.cookie);
      expect((await withCsrf(request(a.http).post('/auth/session/logout'), login)).status).toBe(204);
      expect(await within(DEADLINE_MS, refusedBy(b, login.cookie))).toBeDefined();
    }, 30_000);

    it('and cannot reconnect, B follows the event log: from memory, yet a session ended on A is refused by B within 1 second', async () => {
      await a.query(`ALTER ROLE "${listenerRole}" NOLOGIN`);
      try {
        await a.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1', [listenerRole]);
        expect(await within(5000, async () => (await listenerPids()).length === 0)).toBeDefined();
        // Recent reads of the event log make B's memory current again without the listener.
        expect(await within(5000, servedFromMemory)).toBeDefined();
        const login = await sessionLogin(a.http, await registerUniqueUser(a, 'cached'));
        await warm(b, login.cookie);

        expect((await withCsrf(request(a.http).post('/auth/session/logout'), login)).status).toBe(204);

        expect(await within(DEADLINE_MS, refusedBy(b, login.cookie))).toBeDefined();
        expect(await listenerPids()).toEqual([]);
      } finally {
        await a.query(`ALTER ROLE "${listenerRole}" LOGIN`);
      }
      expect(await within(15_000, async () => (await listenerPids()).length > 0)).toBeDefined();
    }, 30_000);
  });
});

describe("with Redis, while B's listener is kept out", () => {
  const listenerRole = `listener_b_${randomBytes(4).toString('hex')}`;
  let a: TestServer;
  let b: TestServer;

  beforeAll(async () => {
    const redis = { REDIS_URL: 'redis://127.0.0.1:6379', REDIS_KEY_PREFIX: `session-cache-${randomBytes(4).toString('hex')}:` };
    [a, b] = await startPair({ ...testSecrets(), ...redis }, listenerRole);
  }, 120_000);

  afterAll(async () => {
    await a?.query(`ALTER ROLE "${listenerRole}" LOGIN`);
    await stopPair(a, b, listenerRole);
  }, 60_000);

  it('a session ended on A is refused by B within 1 second: Redis carries no trigger event, so B still follows the event log', async () => {
    await a.query(`ALTER ROLE "${listenerRole}" NOLOGIN`);
    await a.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1', [listenerRole]);
    expect(
      await within(5000, async () => (await a.query('SELECT 1 FROM pg_stat_activity WHERE usename = $1', [listenerRole])).length === 0),
    ).toBeDefined();
    const user = await registerUniqueUser(a, 'redis');
    const login = await sessionLogin(a.http, user);
    await warm(b, login.cookie);
    const [session] = await a.query<{ id: string }>('SELECT id FROM sessions WHERE user_id = $1', [user.id]);

    expect(
      (
        await request(a.http)
          .delete(`/auth/sessions/${session?.id ?? ''}`)
          .set('Cookie', login.cookie)
          .set('X-CSRF-Token', login.csrfToken)
      ).status,
    ).toBe(204);

    expect(await within(DEADLINE_MS, refusedBy(b, login.cookie))).toBeDefined();
  }, 30_000);
});

describe('timeouts of a session served from memory', () => {
  const listenerRole = `listener_b_${randomBytes(4).toString('hex')}`;
  let a: TestServer;
  let b: TestServer;
  let user: TestUser;

  beforeAll(async () => {
    [a, b] = await startPair({ ...testSecrets(), SESSION_IDLE_TIMEOUT: '2', SESSION_ABSOLUTE_TIMEOUT: '4' }, listenerRole);
    user = await registerUniqueUser(a, 'timed');
  }, 120_000);

  afterAll(async () => {
    await stopPair(a, b, listenerRole);
  }, 60_000);

  it('idle: a session kept busy on B outlives the idle timeout (hits still touch it), then ends once left idle longer', async () => {
    const login = await sessionLogin(b.http, user);
    const started = Date.now();
    while (Date.now() - started < 3000) {
      expect(await statusOf(b, login.cookie)).toBe(200);
      await sleep(300);
    }

    await sleep(2300);

    expect(await statusOf(b, login.cookie)).toBe(401);
  }, 20_000);

  it('idle: when the idle expiry B holds has passed, B asks the database, where A kept the session alive', async () => {
    const login = await sessionLogin(a.http, user);
    await warm(b, login.cookie);
    const started = Date.now();
    while (Date.now() - started < 3000) {
      expect(await statusOf(a, login.cookie)).toBe(200);
      await sleep(300);
    }

    expect(await statusOf(b, login.cookie)).toBe(200);
  }, 20_000);

  it('absolute: a session busy on B is served only before its absolute expiry and refused right after it', async () => {
    const login = await sessionLogin(b.http, user);
    const [row] = await a.query<{ absolute_expires_at: Date }>(
      'SELECT absolute_expires_at FROM sessions WHERE user_id = $1 ORDER BY created_at DESC LIMIT 1',
      [user.id],
    );
    const expiresAt = row!.absolute_expires_at.getTime();
    let refusedAt: number | undefined;
    while (refusedAt === undefined && Date.now() < expiresAt + 2000) {
      const sentAt = Date.now();
      const status = await statusOf(b, login.cookie);
      if (status === 401) refusedAt = sentAt;
      else {
        expect(status).toBe(200);
        expect(sentAt).toBeLessThan(expiresAt);
      }
      await sleep(POLL_MS);
    }

    expect(refusedAt).toBeDefined();
    expect(refusedAt!).toBeGreaterThanOrEqual(expiresAt - 200);
    expect(refusedAt!).toBeLessThanOrEqual(expiresAt + 200);
  }, 20_000);
});
