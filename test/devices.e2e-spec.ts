import request from 'supertest';
import { createTestApp, TestApp } from './utils/create-test-app';
import { sessionLogin, SessionLogin } from './utils/session-login';
import { TestUser, registerUniqueUser } from './utils/users';
import { cookiePair, sleep } from './utils/http';

interface CookieJwtLogin {
  /** `access_token=…; csrf_token=…` */
  readonly cookies: string;
  readonly csrfToken: string;
}

interface ThreeLogins {
  readonly session: SessionLogin;
  readonly bearer: { accessToken: string; refreshToken: string };
  readonly cookie: CookieJwtLogin;
}

describe('devices, logout-all and /auth/me', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });

  afterAll(async () => {
    await t.close();
  });

  async function loginThreeWays(user: TestUser): Promise<ThreeLogins> {
    const session = await sessionLogin(t.http, user);
    const bearer = await request(t.http)
      .post('/auth/jwt/login')
      .set('User-Agent', 'mobile-app/1.0')
      .send({ username: user.username, password: user.password });
    const cookie = await request(t.http)
      .post('/auth/jwt/login')
      .send({ username: user.username, password: user.password, transport: 'cookie' });
    expect([bearer.status, cookie.status]).toEqual([200, 200]);
    return {
      session,
      bearer: bearer.body as { accessToken: string; refreshToken: string },
      cookie: {
        cookies: `${cookiePair(cookie, 'access_token')}; ${cookiePair(cookie, 'csrf_token')}`,
        csrfToken: cookie.body.csrfToken as string,
      },
    };
  }

  const viaSession = (call: request.Test, login: ThreeLogins) =>
    call.set('Cookie', login.session.cookie).set('X-CSRF-Token', login.session.csrfToken);
  const viaBearer = (call: request.Test, login: ThreeLogins) => call.set('Authorization', `Bearer ${login.bearer.accessToken}`);
  const viaCookie = (call: request.Test, login: ThreeLogins) =>
    call.set('Cookie', login.cookie.cookies).set('X-CSRF-Token', login.cookie.csrfToken);
  const meStatuses = async (login: ThreeLogins) => [
    (await viaSession(request(t.http).get('/auth/me'), login)).status,
    (await viaBearer(request(t.http).get('/auth/me'), login)).status,
    (await viaCookie(request(t.http).get('/auth/me'), login)).status,
  ];

  it('reports the user and how it authenticated through /auth/me', async () => {
    const user = await registerUniqueUser(t);
    const login = await loginThreeWays(user);

    const bySession = await viaSession(request(t.http).get('/auth/me'), login);
    const byBearer = await viaBearer(request(t.http).get('/auth/me'), login);
    const byCookie = await viaCookie(request(t.http).get('/auth/me'), login);

    expect(bySession.body).toEqual({
      id: user.id,
      username: user.username,
      email: user.email,
      roles: ['user'],
      createdAt: expect.any(String),
      emailVerified: false,
      mfaEnabled: false,
      authMethod: 'session',
    });
    expect(byBearer.body.authMethod).toBe('jwt');
    expect(byCookie.body.authMethod).toBe('jwt');
    expect((await request(t.http).get('/auth/me')).status).toBe(401);
  });

  it('lists the three logins of a user logged in three ways, marking the current one', async () => {
    const user = await registerUniqueUser(t);
    const login = await loginThreeWays(user);

    const fromSession = await viaSession(request(t.http).get('/auth/sessions'), login);
    const fromBearer = await viaBearer(request(t.http).get('/auth/sessions'), login);

    expect(fromSession.status).toBe(200);
    expect(fromSession.body).toHaveLength(3);
    for (const { userAgent, ...entry } of fromSession.body) {
      expect([null, 'mobile-app/1.0']).toContain(userAgent);
      expect(entry).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        kind: expect.stringMatching(/^(session|jwt)$/),
        createdAt: expect.any(String),
        lastUsedAt: expect.any(String),
        expiresAt: expect.any(String),
        ip: expect.any(String),
        current: expect.any(Boolean),
      });
    }
    expect(fromSession.body.map((entry: { kind: string }) => entry.kind).sort()).toEqual(['jwt', 'jwt', 'session']);
    expect(fromSession.body.filter((entry: { current: boolean; kind: string }) => entry.current)).toEqual([
      expect.objectContaining({ kind: 'session' }),
    ]);
    const bearerCurrent = fromBearer.body.filter((entry: { current: boolean }) => entry.current);
    expect(bearerCurrent).toEqual([expect.objectContaining({ kind: 'jwt', userAgent: 'mobile-app/1.0' })]);
  });

  it('ends exactly the login it is asked to end, at once', async () => {
    const user = await registerUniqueUser(t);
    const login = await loginThreeWays(user);
    const list = (await viaBearer(request(t.http).get('/auth/sessions'), login)).body as Array<{
      id: string;
      kind: string;
      current: boolean;
    }>;
    const sessionEntry = list.find((entry) => entry.kind === 'session');

    const ended = await viaBearer(request(t.http).delete(`/auth/sessions/${sessionEntry?.id}`), login);

    expect(ended.status).toBe(204);
    expect(await meStatuses(login)).toEqual([401, 200, 200]);

    const cookieFamily = list.find((entry) => entry.kind === 'jwt' && !entry.current);
    expect((await viaBearer(request(t.http).delete(`/auth/sessions/${cookieFamily?.id}`), login)).status).toBe(204);
    expect(await meStatuses(login)).toEqual([401, 200, 401]);
  });

  it('answers 404 for another user’s login and for an unknown id, and 400 for a malformed one', async () => {
    const owner = await registerUniqueUser(t);
    const ownerLogin = await loginThreeWays(owner);
    const stranger = await registerUniqueUser(t);
    const strangerLogin = await loginThreeWays(stranger);
    const ownerIds = ((await viaBearer(request(t.http).get('/auth/sessions'), ownerLogin)).body as Array<{ id: string }>).map(
      (entry) => entry.id,
    );

    for (const id of ownerIds) {
      expect((await viaBearer(request(t.http).delete(`/auth/sessions/${id}`), strangerLogin)).status).toBe(404);
    }
    expect(await meStatuses(ownerLogin)).toEqual([200, 200, 200]);
    expect((await viaBearer(request(t.http).delete('/auth/sessions/00000000-0000-4000-8000-000000000000'), strangerLogin)).status).toBe(
      404,
    );
    expect((await viaBearer(request(t.http).delete('/auth/sessions/not-a-uuid'), strangerLogin)).status).toBe(400);
  });

  it('refuses DELETE through a cookie without the CSRF token (403) and ends nothing', async () => {
    const user = await registerUniqueUser(t);
    const login = await loginThreeWays(user);
    const list = (await viaBearer(request(t.http).get('/auth/sessions'), login)).body as Array<{ id: string; kind: string }>;
    const target = list.find((entry) => entry.kind === 'jwt');

    const bySessionCookie = await request(t.http).delete(`/auth/sessions/${target?.id}`).set('Cookie', login.session.cookie);
    const byJwtCookie = await request(t.http).delete(`/auth/sessions/${target?.id}`).set('Cookie', login.cookie.cookies);

    expect([bySessionCookie.status, byJwtCookie.status]).toEqual([403, 403]);
    expect(await meStatuses(login)).toEqual([200, 200, 200]);
  });

  it('logout-all ends all three logins within a second, the current one and outstanding access tokens included', async () => {
    const user = await registerUniqueUser(t);
    const login = await loginThreeWays(user);

    const response = await viaSession(request(t.http).post('/auth/logout-all'), login);
    expect(response.status).toBe(204);

    await sleep(1000);
    expect(await meStatuses(login)).toEqual([401, 401, 401]);
    expect((await request(t.http).post('/auth/jwt/refresh').send({ refreshToken: login.bearer.refreshToken })).status).toBe(401);
    expect(await t.query('SELECT id FROM sessions WHERE user_id = $1', [user.id])).toEqual([]);
    expect(await t.query('SELECT id FROM refresh_families WHERE user_id = $1 AND revoked_at IS NULL', [user.id])).toEqual([]);
    const fresh = await request(t.http).post('/auth/jwt/login').send({ username: user.username, password: user.password });
    expect((await request(t.http).get('/auth/me').set('Authorization', `Bearer ${fresh.body.accessToken}`)).status).toBe(200);
  });
});
