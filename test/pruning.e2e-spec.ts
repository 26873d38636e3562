import request from 'supertest';
import { LoginFailuresPruner } from '../src/auth/throttling/login-failures.pruner';
import { TokensExpiredRowsPruner } from '../src/tokens/tokens-expired-rows.pruner';
import { UsersExpiredRowsPruner } from '../src/users/users-expired-rows.pruner';
import { createTestApp, TestApp } from './utils/create-test-app';
import { sessionLogin } from './utils/session-login';
import { registerUniqueUser } from './utils/users';

describe('pruning of rows that can no longer matter', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ env: { THROTTLE_LOGIN_LIMIT: '5' } });
  });

  afterAll(async () => {
    await t.close();
  });

  const count = async (sql: string) => Number((await t.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${sql}`))[0].n);

  it('deletes expired sessions and spent reset tokens, keeps live ones', async () => {
    const user = await registerUniqueUser(t);
    const live = await sessionLogin(t.http, user);
    await sessionLogin(t.http, user);
    await t.query(
      "UPDATE sessions SET absolute_expires_at = now() - interval '1 second' WHERE id = (SELECT id FROM sessions ORDER BY created_at DESC LIMIT 1)",
    );
    await t.query(
      "INSERT INTO password_reset_tokens (token_hash, user_id, expires_at) VALUES (repeat('a', 64), $1, now() - interval '1 minute'), (repeat('b', 64), $1, now() + interval '10 minutes')",
      [user.id],
    );

    await t.app.get(UsersExpiredRowsPruner).prune();

    expect(await count('sessions')).toBe(1);
    expect((await request(t.http).get('/auth/session/me').set('Cookie', live.cookie)).status).toBe(200);
    expect(await t.query('SELECT token_hash FROM password_reset_tokens')).toEqual([{ token_hash: 'b'.repeat(64) }]);
  });

  it('deletes blocklist entries and families that nothing they stop can outlive, keeps the rest', async () => {
    const user = await registerUniqueUser(t);
    const login = await request(t.http).post('/auth/jwt/login').send({ username: user.username, password: user.password });
    await request(t.http).post('/auth/jwt/logout').set('Authorization', `Bearer ${login.body.accessToken}`).expect(204);
    const live = await request(t.http).post('/auth/jwt/login').send({ username: user.username, password: user.password });
    await t.query(
      "INSERT INTO revoked_access_tokens (jti, user_id, expires_at) VALUES ('00000000-0000-4000-8000-00000000000a', $1, now() - interval '1 minute')",
      [user.id],
    );
    await t.query(
      "INSERT INTO refresh_families (user_id, expires_at, last_used_at) VALUES ($1, now() - interval '2 hours', now() - interval '2 hours')",
      [user.id],
    );

    await t.query(`INSERT INTO revocation_events (event, created_at) VALUES ('{"kind":"family"}', now() - interval '1 day')`);
    const recentEvents = await count("revocation_events WHERE created_at > now() - interval '1 hour'");

    await t.app.get(TokensExpiredRowsPruner).prune();

    expect(await count('revocation_events')).toBe(recentEvents);
    expect(recentEvents).toBeGreaterThan(0);
    expect(await t.query("SELECT jti FROM revoked_access_tokens WHERE jti = '00000000-0000-4000-8000-00000000000a'")).toEqual([]);
    expect(await count('revoked_access_tokens')).toBe(1);
    expect(await count(`refresh_families WHERE user_id = '${user.id}'`)).toBe(2);
    expect((await request(t.http).get('/auth/me').set('Authorization', `Bearer ${live.body.accessToken}`)).status).toBe(200);
    expect((await request(t.http).get('/auth/me').set('Authorization', `Bearer ${login.body.accessToken}`)).status).toBe(401);
  });

  it('deletes login counters with no recent failure, keeps the consecutive-failure count of the last hour', async () => {
    await t.query(`INSERT INTO login_failures (account_key, window_started_at, window_attempts, consecutive_failures, last_failure_at) VALUES
      (repeat('1', 64), now() - interval '2 minutes', 3, 3, now() - interval '2 minutes'),
      (repeat('2', 64), now(), 3, 3, now()),
      (repeat('3', 64), now() - interval '2 minutes', 1, 100, now() - interval '2 minutes'),
      (repeat('4', 64), now() - interval '2 hours', 2, 2, now() - interval '2 hours'),
      (repeat('5', 64), now() - interval '2 minutes', 1, 0, NULL)`);

    await t.app.get(LoginFailuresPruner).prune();

    const kept = await t.query<{ account_key: string }>('SELECT account_key FROM login_failures ORDER BY account_key');
    expect(kept.map((row) => row.account_key[0])).toEqual(['1', '2', '3']);
  });

  it('runs each job once per period for the whole cluster: concurrent runs skip, and so does the next timer in the period', async () => {
    await t.query("DELETE FROM housekeeping_runs WHERE name = 'UsersExpiredRowsPruner'");
    const pruner = t.app.get(UsersExpiredRowsPruner);

    const ran = await Promise.all([pruner.prune(), pruner.prune(), pruner.prune()]);

    expect(ran.filter(Boolean)).toHaveLength(1);
    expect(await pruner.prune()).toBe(false);
    await t.query("UPDATE housekeeping_runs SET ran_at = now() - interval '10 minutes' WHERE name = 'UsersExpiredRowsPruner'");
    expect(await pruner.prune()).toBe(true);
  });
});
