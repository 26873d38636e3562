import request from 'supertest';
import { CookieSessionService } from '../src/auth';
import { createTestApp, TestApp } from './utils/create-test-app';
import { registerUniqueUser } from './utils/users';
import { setCookie } from './utils/http';

describe('login lifetime (remember)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ env: { SESSION_ABSOLUTE_TIMEOUT: '3600', JWT_REFRESH_TTL: '86400' } });
  });

  afterAll(async () => {
    await t.close();
  });

  it('session: remember (default) sets a persistent sid; remember: false a browser-session cookie', async () => {
    const user = await registerUniqueUser(t, 'remember');
    const persistent = await request(t.http)
      .post('/auth/session/login')
      .send({ username: user.username, password: user.password })
      .expect(200);
    const sid = setCookie(persistent, 'sid');
    expect(sid?.attributes.expires ?? sid?.attributes['max-age']).toBeDefined();

    const browser = await request(t.http)
      .post('/auth/session/login')
      .send({ username: user.username, password: user.password, remember: false })
      .expect(200);
    const browserSid = setCookie(browser, 'sid');
    expect(browserSid).toBeDefined();
    expect(browserSid?.attributes.expires).toBeUndefined();
    expect(browserSid?.attributes['max-age']).toBeUndefined();
    await request(t.http).get('/auth/session/me').set('Cookie', `sid=${browserSid?.value}`).expect(200);

    await request(t.http)
      .post('/auth/session/login')
      .send({ username: user.username, password: user.password, remember: 'no' })
      .expect(400);
  });

  it('JWT: remember: false caps the refresh family at SESSION_ABSOLUTE_TIMEOUT', async () => {
    const user = await registerUniqueUser(t, 'rememberjwt');
    const long = await request(t.http).post('/auth/jwt/login').send({ username: user.username, password: user.password }).expect(200);
    expect(long.body.refreshExpiresIn).toBeGreaterThan(80_000);
    const short = await request(t.http)
      .post('/auth/jwt/login')
      .send({ username: user.username, password: user.password, remember: false })
      .expect(200);
    expect(short.body.refreshExpiresIn).toBeLessThanOrEqual(3600);
    expect(short.body.refreshExpiresIn).toBeGreaterThan(3500);
  });

  it('CookieSessionService.setExpiry shortens the current session on the server', async () => {
    const user = await registerUniqueUser(t, 'setexpiry');
    const login = await request(t.http).post('/auth/session/login').send({ username: user.username, password: user.password }).expect(200);
    const cookie = `sid=${setCookie(login, 'sid')?.value}`;
    const [row] = await t.query<{ id: string }>('SELECT id FROM sessions WHERE user_id = $1', [user.id]);
    const service = t.app.get(CookieSessionService);
    await service.setExpiry({ session: { loaded: { id: row.id } } } as never, 0);
    await request(t.http).get('/auth/session/me').set('Cookie', cookie).expect(401);
  });
});
