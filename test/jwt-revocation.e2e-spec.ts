import { randomUUID } from 'node:crypto';
import { jest } from '@jest/globals';
import request from 'supertest';
import { DevicesService } from '../src/auth/account/devices.service';
import { LISTENER_APPLICATION_NAME, RevocationListener } from '../src/tokens/revocation/revocation-listener.service';
import { RevocationFeed } from '../src/tokens/revocation/revocation-feed.service';
import { RevocationStore } from '../src/tokens/revocation/revocation-store.service';
import { RevocationService } from '../src/tokens/revocation/revocation.service';
import { createTestApp, TestApp, testSecrets, TestTarget } from './utils/create-test-app';
import { startTestServer, TestServer } from './utils/test-server';
import { decode, login, me, refresh, within } from './utils/jwt-helpers';
import { TestUser, registerUser } from './utils/users';

// A runs in this process (its services are at hand); B is the production build in a process of its own.
describe('revocation across two instances on one database', () => {
  let a: TestApp;
  let b: TestServer;
  let user: TestUser;

  beforeAll(async () => {
    const secrets = testSecrets();
    a = await createTestApp({ env: secrets });
    b = await startTestServer({ database: a.database, env: secrets });
    user = await registerUser(a, 'twoinstances');
  }, 60_000);

  afterAll(async () => {
    await b?.close();
    await a?.close();
  }, 30_000);

  const refusedBy = (t: TestTarget, accessToken: string) => async () => (await me(t, accessToken)).status === 401;

  it('a logout through instance A stops the access token on instance B within 1 second', async () => {
    const pair = await login(a, 'twoinstances');
    expect((await me(b, pair.accessToken)).status).toBe(200);

    await request(a.http).post('/auth/jwt/logout').set('Authorization', `Bearer ${pair.accessToken}`).expect(204);

    expect((await me(a, pair.accessToken)).status).toBe(401);
    const elapsed = await within(1000, refusedBy(b, pair.accessToken));
    expect(elapsed).toBeDefined();
  });

  it('a family revoked on A (refresh reuse) stops its access tokens on B within 1 second', async () => {
    const pair = await login(a, 'twoinstances');
    const rotated = (await refresh(b, pair.refreshToken).expect(200)).body as { accessToken: string };
    expect((await me(a, rotated.accessToken)).status).toBe(200);

    await refresh(a, pair.refreshToken).expect(401);

    expect(await within(1000, refusedBy(b, rotated.accessToken))).toBeDefined();
  });

  it('revoking every family of the user through A stops them all on B within 1 second', async () => {
    const first = await login(a, 'twoinstances');
    const second = await login(b, 'twoinstances');

    await a.app.get(RevocationService).revokeAllFamiliesOfUser(user.id);

    expect(await within(1000, refusedBy(b, first.accessToken))).toBeDefined();
    expect(await within(1000, refusedBy(b, second.accessToken))).toBeDefined();
    expect((await refresh(b, first.refreshToken)).status).toBe(401);
    expect((await refresh(b, second.refreshToken)).status).toBe(401);
  });

  it('a tokens-valid-after instant set through A stops older tokens on B, not tokens issued after it in the same second', async () => {
    const before = await login(a, 'twoinstances');

    await a.app.get(RevocationService).setUserTokensValidAfter(user.id, new Date());
    const justAfter = await login(a, 'twoinstances');

    expect((await me(a, before.accessToken)).status).toBe(401);
    expect((await me(a, justAfter.accessToken)).status).toBe(200);
    expect(await within(1000, refusedBy(b, before.accessToken))).toBeDefined();
    expect((await me(b, justAfter.accessToken)).status).toBe(200);
    const [row] = await a.query<{ tokens_valid_after: Date }>('SELECT tokens_valid_after FROM users WHERE id = $1', [user.id]);
    expect(row?.tokens_valid_after).toBeInstanceOf(Date);
  });

  it('a role change through A applies within 1 second on B to access tokens issued before it', async () => {
    const pair = await login(a, 'twoinstances');
    const adminListOnB = async () => (await request(b.http).get('/admin/users').set('Authorization', `Bearer ${pair.accessToken}`)).status;
    expect(await adminListOnB()).toBe(403);

    await a.app.get(DevicesService).changeRoles(user.id, ['user', 'admin']);

    const promoted = await within(1000, async () => (await adminListOnB()) === 200);
    await a.app.get(DevicesService).changeRoles(user.id, ['user']);
    const demoted = await within(1000, async () => (await adminListOnB()) === 403);
    expect(promoted).toBeDefined();
    expect(demoted).toBeDefined();
  });
});

describe('revocation check while the listener is down', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
    await registerUser(t, 'degraded');
  });

  afterAll(async () => {
    await t.database.admin(`ALTER DATABASE "${t.database.name}" ALLOW_CONNECTIONS true`);
    await t.close();
  });

  const listener = () => t.app.get(RevocationListener);

  it('answers from memory alone while the listener is live: no query per request', async () => {
    const pair = await login(t, 'degraded');
    const spy = jest.spyOn(t.app.get(RevocationStore), 'isRevoked');
    const querySpy = jest.spyOn(t.dataSource, 'query');
    try {
      expect(listener().isLive).toBe(true);
      for (let i = 0; i < 10; i++) {
        const response = await request(t.http).get('/auth/jwt/me').set('Authorization', `Bearer ${pair.accessToken}`);
        expect(response.status).toBe(200);
      }
      expect(spy).not.toHaveBeenCalled();
      // The listener's liveness probe (a NOTIFY every 100 ms through the pool) is the only query, whatever the traffic.
      expect(querySpy.mock.calls.filter(([sql]) => !String(sql).startsWith('SELECT pg_notify'))).toEqual([]);
    } finally {
      spy.mockRestore();
      querySpy.mockRestore();
    }
  });

  // A revocation as another instance writes it: the row and its event-log entry, but no NOTIFY heard here.
  const revokeSilently = async (accessToken: string) => {
    const { jti, exp, sub } = decode(accessToken).payload as { jti: string; exp: number; sub: string };
    await t.query('INSERT INTO revoked_access_tokens (jti, user_id, expires_at) VALUES ($1, $2, $3)', [jti, sub, new Date(exp * 1000)]);
    await t.query('INSERT INTO revocation_events (event) VALUES ($1::jsonb)', [
      JSON.stringify({ kind: 'access-token', jti, expiresAt: exp * 1000 }),
    ]);
  };

  it('polls the event log while the listener cannot reconnect: a missed revocation is refused within 1 second, from memory', async () => {
    const revoked = await login(t, 'degraded');
    const untouched = await login(t, 'degraded');

    // Keep the pool's open connections; refuse new ones and cut the listener's.
    await t.database.admin(`ALTER DATABASE "${t.database.name}" ALLOW_CONNECTIONS false`);
    await t.database.admin(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${t.database.name}' AND application_name = '${LISTENER_APPLICATION_NAME}'`,
    );
    expect(await within(2000, async () => !listener().isLive)).toBeDefined();
    await revokeSilently(revoked.accessToken);

    expect(await within(1000, async () => (await me(t, revoked.accessToken)).status === 401)).toBeDefined();
    const spy = jest.spyOn(t.app.get(RevocationStore), 'isRevoked');
    try {
      expect(t.app.get(RevocationFeed).isCurrent).toBe(true);
      expect((await me(t, untouched.accessToken)).status).toBe(200);
      expect(spy).not.toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }

    await t.database.admin(`ALTER DATABASE "${t.database.name}" ALLOW_CONNECTIONS true`);
    expect(await within(8000, async () => listener().isLive)).toBeDefined();
    expect((await me(t, revoked.accessToken)).status).toBe(401);
    expect((await me(t, untouched.accessToken)).status).toBe(200);
  }, 15_000);

  it('checks the database while neither the listener nor a read of the event log is current (fail closed)', async () => {
    const revoked = await login(t, 'degraded');
    const untouched = await login(t, 'degraded');
    const { jti, exp, sub } = decode(revoked.accessToken).payload as { jti: string; exp: number; sub: string };
    const spy = jest.spyOn(t.app.get(RevocationStore), 'isRevoked');
    // Reads of the log hang behind this lock, and the listener is cut: memory can no longer be trusted.
    const blocker = await t.dataSource.createQueryRunner();
    await blocker.connect();
    await blocker.startTransaction();
    try {
      await blocker.query('LOCK TABLE revocation_events IN ACCESS EXCLUSIVE MODE');
      await t.database.admin(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${t.database.name}' AND application_name = '${LISTENER_APPLICATION_NAME}'`,
      );
      expect(await within(3000, async () => !t.app.get(RevocationFeed).isCurrent)).toBeDefined();
      // Written straight to the table, not logged: only the database check can see it.
      await t.query('INSERT INTO revoked_access_tokens (jti, user_id, expires_at) VALUES ($1, $2, $3)', [jti, sub, new Date(exp * 1000)]);

      expect((await me(t, revoked.accessToken)).status).toBe(401);
      expect((await me(t, untouched.accessToken)).status).toBe(200);
      expect(spy).toHaveBeenCalled();
    } finally {
      spy.mockRestore();
      await blocker.rollbackTransaction();
      await blocker.release();
    }
    expect(await within(8000, async () => listener().isLive)).toBeDefined();
  }, 20_000);

  it('fails over to the event log within 1 second when LISTEN silently stops delivering while the connection still answers, then recovers', async () => {
    const revoked = await login(t, 'degraded');
    expect(await within(2000, async () => listener().isLive)).toBeDefined();

    // What a transaction-mode pooler does to LISTEN: the session no longer hears, yet every query answers.
    const client = (listener() as unknown as { client: { query(sql: string): Promise<unknown> } }).client;
    await client.query('UNLISTEN *');
    await client.query('SELECT 1');
    await revokeSilently(revoked.accessToken);

    expect(await within(1000, async () => (await me(t, revoked.accessToken)).status === 401)).toBeDefined();
    expect(await within(5000, async () => listener().isLive)).toBeDefined();
    expect((await me(t, revoked.accessToken)).status).toBe(401);
  }, 15_000);

  it('refuses, in the database check, a token whose family does not exist', async () => {
    const pair = await login(t, 'degraded');
    const { sub } = decode(pair.accessToken).payload as { sub: string };

    const claims = { sub, jti: randomUUID(), sid: randomUUID(), iat: Math.floor(Date.now() / 1000), roles: ['user'] };
    expect(await t.app.get(RevocationStore).isRevoked(claims)).toBe(true);
    expect(await t.app.get(RevocationStore).isRevoked({ ...claims, sid: decode(pair.accessToken).payload.sid as string })).toBe(false);
  });
});
