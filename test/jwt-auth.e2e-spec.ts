import request from 'supertest';
import { createTestApp, TestApp } from './utils/create-test-app';
import { decode, kid, login, me, refresh } from './utils/jwt-helpers';
import { PASSWORD, TestUser, registerUser } from './utils/users';

describe('JWT flavour: login, me, refresh, logout', () => {
  let t: TestApp;
  let alice: TestUser;

  beforeAll(async () => {
    t = await createTestApp();
    alice = await registerUser(t, 'alice');
  });

  afterAll(async () => {
    await t.close();
  });

  it('logs in with the username and answers the token pair of the contract', async () => {
    const response = await request(t.http).post('/auth/jwt/login').send({ username: 'alice', password: PASSWORD });

    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      accessToken: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
      refreshToken: expect.stringMatching(/^[\w-]{43}$/),
      tokenType: 'Bearer',
      expiresIn: 900,
      refreshExpiresIn: 2_592_000,
    });
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.headers['set-cookie']).toBeUndefined();
  });

  it('signs access tokens with HS256, the kid of the first secret, and exactly the contract claims', async () => {
    const { accessToken } = await login(t, 'alice');
    const { header, payload } = decode(accessToken);

    expect(header).toEqual({ alg: 'HS256', typ: 'JWT', kid: kid(t.config.jwtSecrets[0] ?? '') });
    expect(Object.keys(payload).sort()).toEqual(['aud', 'exp', 'iat', 'iss', 'jti', 'roles', 'sid', 'sub', 'typ']);
    expect(payload).toMatchObject({
      sub: alice.id,
      iss: t.config.jwtIssuer,
      aud: t.config.jwtAudience,
      roles: ['user'],
      typ: 'access',
    });
    expect(payload.exp).toBe((payload.iat as number) + 900);
    expect(Math.abs((payload.iat as number) - Date.now() / 1000)).toBeLessThan(5);
  });

  it('logs in with the email in the username field', async () => {
    const response = await request(t.http).post('/auth/jwt/login').send({ username: 'ALICE@example.com', password: PASSWORD });

    expect(response.status).toBe(200);
  });

  it.each([
    ['a wrong password', { username: 'alice', password: 'not the password' }],
    ['an unknown user', { username: 'nobody', password: PASSWORD }],
  ])('answers 401 INVALID_CREDENTIALS for %s, with the same body', async (_label, body) => {
    const response = await request(t.http).post('/auth/jwt/login').send(body);

    expect(response.status).toBe(401);
    expect(response.body).toEqual({ statusCode: 401, code: 'INVALID_CREDENTIALS', message: 'Invalid username or password' });
  });

  it.each([
    ['no password', { username: 'alice' }],
    ['an unknown transport', { username: 'alice', password: PASSWORD, transport: 'query' }],
    ['an unknown property', { username: 'alice', password: PASSWORD, roles: ['admin'] }],
    ['a numeric username', { username: 42, password: PASSWORD }],
  ])('answers 400 for a login body with %s', async (_label, body) => {
    const response = await request(t.http).post('/auth/jwt/login').send(body);

    expect(response.status).toBe(400);
    expect(response.body.code).toBe('VALIDATION_FAILED');
  });

  it('answers GET /auth/jwt/me with the user object', async () => {
    const { accessToken } = await login(t, 'alice');
    const response = await me(t, accessToken);

    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      id: alice.id,
      username: 'alice',
      email: 'alice@example.com',
      roles: ['user'],
      createdAt: expect.any(String),
      emailVerified: false,
      mfaEnabled: false,
    });
  });

  it('answers 401 UNAUTHENTICATED with a bare Bearer challenge when no token is sent', async () => {
    const response = await request(t.http).get('/auth/jwt/me');

    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toBe('Bearer');
    expect(response.body).toEqual({ statusCode: 401, code: 'UNAUTHENTICATED', message: 'Authentication required' });
  });

  it('never reads the token from the query string', async () => {
    const { accessToken } = await login(t, 'alice');
    const response = await request(t.http).get('/auth/jwt/me').query({ access_token: accessToken, token: accessToken });

    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toBe('Bearer');
  });

  it('refreshes into a new pair of the same login, with the same absolute expiry', async () => {
    const first = await login(t, 'alice');
    const response = await refresh(t, first.refreshToken);

    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      accessToken: expect.any(String),
      refreshToken: expect.stringMatching(/^[\w-]{43}$/),
      tokenType: 'Bearer',
      expiresIn: 900,
      refreshExpiresIn: expect.any(Number),
    });
    expect(response.body.refreshToken).not.toBe(first.refreshToken);
    expect(response.body.refreshExpiresIn).toBeLessThanOrEqual(first.refreshExpiresIn);
    expect(decode(response.body.accessToken).payload.sid).toBe(decode(first.accessToken).payload.sid);
    expect((await me(t, response.body.accessToken)).status).toBe(200);
  });

  it('answers 401 for a refresh without any token', async () => {
    const response = await request(t.http).post('/auth/jwt/refresh').send({});

    expect(response.status).toBe(401);
  });

  it('logs out: 204, then the access token and the refresh token are refused at once', async () => {
    const pair = await login(t, 'alice');
    const response = await request(t.http).post('/auth/jwt/logout').set('Authorization', `Bearer ${pair.accessToken}`);

    expect(response.status).toBe(204);
    const after = await me(t, pair.accessToken);
    expect(after.status).toBe(401);
    expect(after.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
    expect((await refresh(t, pair.refreshToken)).status).toBe(401);
  });

  it('logs out another login of the caller named by its refresh token, and leaves a third alone', async () => {
    const current = await login(t, 'alice');
    const other = await login(t, 'alice');
    const third = await login(t, 'alice');

    const response = await request(t.http)
      .post('/auth/jwt/logout')
      .set('Authorization', `Bearer ${current.accessToken}`)
      .send({ refreshToken: other.refreshToken });

    expect(response.status).toBe(204);
    expect((await me(t, other.accessToken)).status).toBe(401);
    expect((await refresh(t, other.refreshToken)).status).toBe(401);
    expect((await me(t, third.accessToken)).status).toBe(200);
  });

  it("ignores another user's refresh token at logout", async () => {
    await registerUser(t, 'bob');
    const bobs = await login(t, 'bob');
    const alices = await login(t, 'alice');

    await request(t.http)
      .post('/auth/jwt/logout')
      .set('Authorization', `Bearer ${alices.accessToken}`)
      .send({ refreshToken: bobs.refreshToken })
      .expect(204);

    expect((await me(t, bobs.accessToken)).status).toBe(200);
    expect((await refresh(t, bobs.refreshToken)).status).toBe(200);
  });

  it('lists the JWT endpoints in the OpenAPI document', async () => {
    const response = await request(t.http).get('/docs-json');

    for (const path of ['/auth/jwt/login', '/auth/jwt/me', '/auth/jwt/refresh', '/auth/jwt/logout']) {
      expect(response.body.paths[path]).toBeDefined();
    }
    expect(response.body.paths['/auth/jwt/me'].get.security).toEqual([{ access_token: [] }, { bearer: [] }]);
  });
});
