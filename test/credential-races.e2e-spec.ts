import request from 'supertest';
import { createTestApp, TestApp } from './utils/create-test-app';
import { sessionLogin } from './utils/session-login';
import { TestUser, registerUniqueUser } from './utils/users';
import { sleep } from './utils/http';

/**
 * Someone who knows the old password keeps logging in while the owner changes it (or an admin
 * disables the account): no login obtained in the race may survive the change.
 */
describe('logins racing a password change', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ env: { BCRYPT_COST: '10' } });
  });

  afterAll(async () => {
    await t.close();
  });

  async function raceLogins(user: TestUser, change: () => Promise<number>) {
    const jwt: Array<Promise<request.Response>> = [];
    const sessions: Array<Promise<request.Response>> = [];
    for (let i = 0; i < 30; i++) {
      jwt.push(
        request(t.http)
          .post('/auth/jwt/login')
          .send({ username: user.username, password: user.password })
          .then((r) => r),
      );
      sessions.push(
        request(t.http)
          .post('/auth/session/login')
          .send({ username: user.username, password: user.password })
          .then((r) => r),
      );
      if (i === 10) expect(await change()).toBe(204);
      await sleep(15);
    }
    return { jwt: await Promise.all(jwt), sessions: await Promise.all(sessions) };
  }

  async function expectAllDead(results: Awaited<ReturnType<typeof raceLogins>>) {
    const pairs = results.jwt.filter((r) => r.status === 200).map((r) => r.body as { accessToken: string; refreshToken: string });
    const cookies = results.sessions.filter((r) => r.status === 200).map((r) => String(r.headers['set-cookie']).split(';')[0]);
    for (const pair of pairs) {
      expect((await request(t.http).get('/auth/me').set('Authorization', `Bearer ${pair.accessToken}`)).status).toBe(401);
      expect((await request(t.http).post('/auth/jwt/refresh').send({ refreshToken: pair.refreshToken })).status).toBe(401);
    }
    for (const cookie of cookies) {
      expect((await request(t.http).get('/auth/session/me').set('Cookie', cookie)).status).toBe(401);
    }
  }

  it('ends every login made with the old password, even those checked before the change and created after it', async () => {
    const user = await registerUniqueUser(t, 'raced');
    const owner = await sessionLogin(t.http, user);

    const results = await raceLogins(user, async () => {
      const response = await request(t.http)
        .post('/auth/password/change')
        .set('Cookie', owner.cookie)
        .set('X-CSRF-Token', owner.csrfToken)
        .send({ currentPassword: user.password, newPassword: 'the owner took it back' });
      return response.status;
    });

    await expectAllDead(results);
  });

  it('ends every login racing an admin disabling the account', async () => {
    const user = await registerUniqueUser(t, 'disabledrace');
    const admin = await registerUniqueUser(t, 'raceadmin');
    await t.query("UPDATE users SET roles = '{user,admin}' WHERE id = $1", [admin.id]);
    const adminToken = (await request(t.http).post('/auth/jwt/login').send({ username: admin.username, password: admin.password })).body
      .accessToken as string;

    const results = await raceLogins(
      user,
      async () => (await request(t.http).post(`/admin/users/${user.id}/disable`).set('Authorization', `Bearer ${adminToken}`)).status,
    );

    await expectAllDead(results);
  });
});
