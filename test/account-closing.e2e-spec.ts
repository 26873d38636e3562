import request from 'supertest';
import { createTestApp, TestApp, testSecrets, TestTarget } from './utils/create-test-app';
import { within } from './utils/jwt-helpers';
import { sessionLogin } from './utils/session-login';
import { startTestServer, TestServer } from './utils/test-server';
import { TestUser, registerUniqueUser } from './utils/users';
import { cookiePair } from './utils/http';

// A runs in this process; B is the production build in a process of its own, on the same database.
describe('closing an account (DELETE /auth/account, DELETE /admin/users/:id)', () => {
  let a: TestApp;
  let b: TestServer;

  beforeAll(async () => {
    const secrets = testSecrets();
    a = await createTestApp({ env: secrets });
    b = await startTestServer({ database: a.database, env: secrets });
  }, 60_000);

  afterAll(async () => {
    await b?.close();
    await a?.close();
  }, 30_000);

  const jwtLogin = async (t: TestTarget, user: TestUser, transport?: 'cookie') => {
    const response = await request(t.http)
      .post('/auth/jwt/login')
      .send({ username: user.username, password: user.password, ...(transport ? { transport } : {}) })
      .expect(200);
    return response;
  };
  const meWithBearer = (t: TestTarget, token: string) => request(t.http).get('/auth/me').set('Authorization', `Bearer ${token}`);

  it('ends every kind of login on both instances within 1 s, frees the username and leaves no row with the email', async () => {
    const user = await registerUniqueUser(a, 'closing');
    const sessionA = await sessionLogin(a.http, user);
    const sessionB = await sessionLogin(b.http as never, user);
    const bodyA = (await jwtLogin(a, user)).body as { accessToken: string; refreshToken: string };
    const bodyB = (await jwtLogin(b, user)).body as { accessToken: string; refreshToken: string };
    const cookieLogin = await jwtLogin(b, user, 'cookie');
    const accessCookie = cookiePair(cookieLogin, 'access_token');
    for (const t of [a, b]) {
      expect((await meWithBearer(t, bodyA.accessToken)).status).toBe(200);
      expect((await meWithBearer(t, bodyB.accessToken)).status).toBe(200);
    }

    await request(a.http)
      .delete('/auth/account')
      .set('Authorization', `Bearer ${bodyA.accessToken}`)
      .send({ currentPassword: 'wrong password here' })
      .expect(401);
    expect(await a.query('SELECT id FROM users WHERE id = $1', [user.id])).toHaveLength(1);

    await request(a.http)
      .delete('/auth/account')
      .set('Authorization', `Bearer ${bodyA.accessToken}`)
      .send({ currentPassword: user.password })
      .expect(204);

    const refused = (t: TestTarget, check: () => request.Test) => async () => (await check()).status === 401;
    for (const t of [a, b]) {
      for (const token of [bodyA.accessToken, bodyB.accessToken]) {
        expect(
          await within(
            1000,
            refused(t, () => meWithBearer(t, token)),
          ),
        ).toBeDefined();
        const challenge = (await meWithBearer(t, token)).headers['www-authenticate'];
        expect(challenge).toBe('Bearer error="invalid_token"');
      }
      expect(
        await within(
          1000,
          refused(t, () => request(t.http).get('/auth/me').set('Cookie', accessCookie)),
        ),
      ).toBeDefined();
      for (const session of [sessionA, sessionB]) {
        expect((await request(t.http).get('/auth/session/me').set('Cookie', session.cookie)).status).toBe(401);
      }
      await request(t.http).post('/auth/jwt/refresh').send({ refreshToken: bodyB.refreshToken }).expect(401);
    }

    expect(
      await a.query('SELECT id FROM users WHERE id = $1 OR email = $2 OR username = $3', [user.id, user.email, user.username]),
    ).toEqual([]);
    expect(await a.query('SELECT id FROM sessions WHERE user_id = $1', [user.id])).toEqual([]);
    expect(await a.query('SELECT id FROM refresh_families WHERE user_id = $1', [user.id])).toEqual([]);
    const events = await a.query<{ type: string; ip: string | null; user_agent: string | null }>(
      'SELECT type, ip, user_agent FROM auth_events WHERE user_id = $1',
      [user.id],
    );
    expect(events.map((event) => event.type)).toEqual(expect.arrayContaining(['register', 'login.succeeded', 'account.deleted']));
    expect(events.every((event) => event.ip === null && event.user_agent === null)).toBe(true);
    expect(JSON.stringify(events)).not.toContain(user.email);

    // The username and the email are free again.
    await request(a.http).post('/auth/register').send({ username: user.username, email: user.email, password: user.password }).expect(201);
  }, 30_000);

  it("a deleted user's token stays refused by an instance that starts after the deletion", async () => {
    const user = await registerUniqueUser(a, 'closinglate');
    const { accessToken } = (await jwtLogin(a, user)).body as { accessToken: string };
    await request(a.http)
      .delete('/auth/account')
      .set('Authorization', `Bearer ${accessToken}`)
      .send({ currentPassword: user.password })
      .expect(204);

    const c = await startTestServer({
      database: a.database,
      env: {
        JWT_SECRET: a.config.jwtSecrets.join(','),
        SESSION_SECRET: a.config.sessionSecrets.join(','),
        PASSWORD_PEPPER: a.config.passwordPepper,
      },
    });
    try {
      const response = await meWithBearer(c, accessToken);
      expect(response.status).toBe(401);
      expect(response.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
    } finally {
      await c.close();
    }
  }, 60_000);

  it('admin: DELETE /admin/users/:id closes another account; an admin cannot delete themself (409)', async () => {
    const admin = await registerUniqueUser(a, 'closingadmin');
    await a.query(`UPDATE users SET roles = '{user,admin}' WHERE id = $1`, [admin.id]);
    const victim = await registerUniqueUser(a, 'closingvictim');
    const victimSession = await sessionLogin(a.http, victim);
    const adminSession = await sessionLogin(a.http, admin);

    await request(a.http)
      .delete(`/admin/users/${admin.id}`)
      .set('Cookie', adminSession.cookie)
      .set('X-CSRF-Token', adminSession.csrfToken)
      .expect(409);
    await request(a.http)
      .delete(`/admin/users/${victim.id}`)
      .set('Cookie', adminSession.cookie)
      .set('X-CSRF-Token', adminSession.csrfToken)
      .expect(204);
    await request(a.http)
      .delete(`/admin/users/${victim.id}`)
      .set('Cookie', adminSession.cookie)
      .set('X-CSRF-Token', adminSession.csrfToken)
      .expect(404);

    await request(a.http).get('/auth/session/me').set('Cookie', victimSession.cookie).expect(401);
    expect(await a.query('SELECT id FROM users WHERE email = $1', [victim.email])).toEqual([]);
    const [event] = await a.query<{ actor_id: string }>(
      "SELECT actor_id FROM auth_events WHERE user_id = $1 AND type = 'account.deleted'",
      [victim.id],
    );
    expect(event?.actor_id).toBe(admin.id);
  });
});
