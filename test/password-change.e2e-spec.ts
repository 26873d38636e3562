import request from 'supertest';
import { createTestApp, TestApp } from './utils/create-test-app';
import { rawSessionId, sessionLogin } from './utils/session-login';
import { registerUniqueUser } from './utils/users';
import { cookiePair, setCookie } from './utils/http';

describe('POST /auth/password/change', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });

  afterAll(async () => {
    await t.close();
  });

  const jwtLogin = async (username: string, password: string) =>
    (await request(t.http).post('/auth/jwt/login').send({ username, password })).body as { accessToken: string; refreshToken: string };
  const loginStatus = async (username: string, password: string) =>
    (await request(t.http).post('/auth/session/login').send({ username, password })).status;

  it('from a session: old password 401, other logins 401, this session alive under a new id', async () => {
    const user = await registerUniqueUser(t);
    const current = await sessionLogin(t.http, user);
    const otherSession = await sessionLogin(t.http, user);
    const otherJwt = await jwtLogin(user.username, user.password);

    const response = await request(t.http)
      .post('/auth/password/change')
      .set('Cookie', current.cookie)
      .set('X-CSRF-Token', current.csrfToken)
      .send({ currentPassword: user.password, newPassword: 'a freshly changed passphrase' });

    expect(response.status).toBe(204);
    const renewed = cookiePair(response, 'sid');
    expect(rawSessionId(renewed)).not.toBe(rawSessionId(current.cookie));
    expect(setCookie(response, 'sid')?.attributes).toMatchObject({ httponly: true, samesite: 'Lax', path: '/' });
    expect((await request(t.http).get('/auth/session/me').set('Cookie', renewed)).status).toBe(200);
    expect((await request(t.http).get('/auth/session/me').set('Cookie', current.cookie)).status).toBe(401);
    expect((await request(t.http).get('/auth/session/me').set('Cookie', otherSession.cookie)).status).toBe(401);
    expect((await request(t.http).get('/auth/me').set('Authorization', `Bearer ${otherJwt.accessToken}`)).status).toBe(401);
    expect((await request(t.http).post('/auth/jwt/refresh').send({ refreshToken: otherJwt.refreshToken })).status).toBe(401);
    expect(await loginStatus(user.username, user.password)).toBe(401);
    expect(await loginStatus(user.username, 'a freshly changed passphrase')).toBe(200);
    const csrf = await request(t.http).post('/auth/session/logout').set('Cookie', renewed).set('X-CSRF-Token', current.csrfToken);
    expect(csrf.status).toBe(204);
  });

  it('from a JWT: its own access token keeps working, other logins end', async () => {
    const user = await registerUniqueUser(t);
    const current = await jwtLogin(user.username, user.password);
    const other = await jwtLogin(user.username, user.password);
    const session = await sessionLogin(t.http, user);

    const response = await request(t.http)
      .post('/auth/password/change')
      .set('Authorization', `Bearer ${current.accessToken}`)
      .send({ currentPassword: user.password, newPassword: 'another changed passphrase' });

    expect(response.status).toBe(204);
    expect((await request(t.http).get('/auth/me').set('Authorization', `Bearer ${current.accessToken}`)).status).toBe(200);
    expect((await request(t.http).post('/auth/jwt/refresh').send({ refreshToken: current.refreshToken })).status).toBe(200);
    expect((await request(t.http).get('/auth/me').set('Authorization', `Bearer ${other.accessToken}`)).status).toBe(401);
    expect((await request(t.http).get('/auth/session/me').set('Cookie', session.cookie)).status).toBe(401);
  });

  it('refuses a wrong current password (401) and a weak new one (400), changing nothing', async () => {
    const user = await registerUniqueUser(t);
    const current = await jwtLogin(user.username, user.password);
    const session = await sessionLogin(t.http, user);
    const change = (body: object) =>
      request(t.http).post('/auth/password/change').set('Authorization', `Bearer ${current.accessToken}`).send(body);

    const wrong = await change({ currentPassword: 'not my password', newPassword: 'a perfectly fine passphrase' });
    const weak = await change({ currentPassword: user.password, newPassword: 'password1' });
    const sameAsName = await change({ currentPassword: user.password, newPassword: user.username });

    expect(wrong.status).toBe(401);
    expect(wrong.body.code).toBe('INVALID_CREDENTIALS');
    expect([weak.status, sameAsName.status]).toEqual([400, 400]);
    expect(await loginStatus(user.username, user.password)).toBe(200);
    expect((await request(t.http).get('/auth/session/me').set('Cookie', session.cookie)).status).toBe(200);
  });

  it('needs the CSRF token when a session cookie authenticates it', async () => {
    const user = await registerUniqueUser(t);
    const session = await sessionLogin(t.http, user);

    const response = await request(t.http)
      .post('/auth/password/change')
      .set('Cookie', session.cookie)
      .send({ currentPassword: user.password, newPassword: 'a csrf protected passphrase' });

    expect(response.status).toBe(403);
    expect(await loginStatus(user.username, user.password)).toBe(200);
  });

  it('answers 401 without credentials', async () => {
    const response = await request(t.http).post('/auth/password/change').send({ currentPassword: 'x', newPassword: 'a decent passphrase' });

    expect(response.status).toBe(401);
  });
});
