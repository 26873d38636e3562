import request from 'supertest';
import { ReportsModule } from './fixtures/reports.module';
import { createTestApp, TestApp } from './utils/create-test-app';
import { sessionLogin } from './utils/session-login';
import { TestUser, registerUniqueUser } from './utils/users';

describe('RolesGuard after each authentication guard, in a product module', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ imports: [ReportsModule] });
  });

  afterAll(async () => {
    await t.close();
  });

  async function credentials(user: TestUser) {
    const session = await sessionLogin(t.http, user);
    const jwt = await request(t.http).post('/auth/jwt/login').send({ username: user.username, password: user.password });
    return { cookie: session.cookie, bearer: `Bearer ${jwt.body.accessToken as string}` };
  }

  it('answers 401 without credentials on every route', async () => {
    for (const path of ['/reports/browser', '/reports/api', '/reports/any']) {
      expect((await request(t.http).get(path)).status).toBe(401);
    }
  });

  it('answers 403 to a user without the role, through each guard', async () => {
    const user = await registerUniqueUser(t);
    const { cookie, bearer } = await credentials(user);

    expect((await request(t.http).get('/reports/browser').set('Cookie', cookie)).status).toBe(403);
    expect((await request(t.http).get('/reports/api').set('Authorization', bearer)).status).toBe(403);
    expect((await request(t.http).get('/reports/any').set('Cookie', cookie)).status).toBe(403);
    expect((await request(t.http).get('/reports/any').set('Authorization', bearer)).status).toBe(403);
  });

  it('admits a holder of the role through each guard', async () => {
    const user = await registerUniqueUser(t);
    await t.query("UPDATE users SET roles = '{user,auditor}' WHERE id = $1", [user.id]);
    const { cookie, bearer } = await credentials(user);

    expect((await request(t.http).get('/reports/browser').set('Cookie', cookie)).body).toEqual({ via: 'session' });
    expect((await request(t.http).get('/reports/api').set('Authorization', bearer)).body).toEqual({ via: 'jwt' });
    expect((await request(t.http).get('/reports/any').set('Cookie', cookie)).body).toEqual({ via: 'session' });
    expect((await request(t.http).get('/reports/any').set('Authorization', bearer)).body).toEqual({ via: 'jwt' });
  });

  it('fails closed on a route that names no role', async () => {
    const user = await registerUniqueUser(t);
    await t.query("UPDATE users SET roles = '{user,auditor,admin}' WHERE id = $1", [user.id]);
    const { bearer } = await credentials(user);

    expect((await request(t.http).get('/reports/no-roles').set('Authorization', bearer)).status).toBe(403);
  });
});
