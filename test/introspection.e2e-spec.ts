import { randomBytes } from 'node:crypto';
import { jest } from '@jest/globals';
import request from 'supertest';
import type { App } from 'supertest/types';
import { createTestApp, TestApp } from './utils/create-test-app';
import { accessClaims, kid, signWith, within } from './utils/jwt-helpers';
import { startTestServer, TestServer } from './utils/test-server';
import { TestUser, registerUniqueUser } from './utils/users';

// Instance A (production build, own process) and instance B (in process), sharing secrets and a database.
describe('token introspection (RFC 7662)', () => {
  const jwtSecret = randomBytes(32).toString('hex');
  const env = { JWT_SECRET: jwtSecret, PASSWORD_PEPPER: randomBytes(32).toString('hex') };
  let a: TestServer;
  let b: TestApp;
  let user: TestUser;
  let introspector: string;

  beforeAll(async () => {
    a = await startTestServer({ env });
    b = await createTestApp({ database: a.database, env });
    user = await registerUniqueUser(b, 'introspected');
    introspector = await createKey(b.http, await login(b.http, user), ['introspect']);
  }, 90_000);

  afterAll(async () => {
    await b?.close();
    await a?.close();
  }, 30_000);

  async function login(http: App, who: TestUser): Promise<string> {
    const response = await request(http).post('/auth/jwt/login').send({ username: who.username, password: who.password });
    if (response.status !== 200) throw new Error(`login: ${response.status}`);
    return response.body.accessToken as string;
  }
  async function createKey(http: App, accessToken: string, scopes: string[]): Promise<string> {
    const response = await request(http).post('/auth/api-keys').set('Authorization', `Bearer ${accessToken}`).send({ name: 'k', scopes });
    if (response.status !== 201) throw new Error(`create key: ${response.status}`);
    return response.body.key as string;
  }
  const introspect = (http: App, token: unknown, key = introspector) =>
    request(http).post('/auth/introspect').set('Authorization', `Bearer ${key}`).send({ token });

  it('needs an API key with scope introspect, and a token', async () => {
    const accessToken = await login(b.http, user);
    expect((await request(b.http).post('/auth/introspect').send({ token: accessToken })).status).toBe(401);
    expect(
      (await request(b.http).post('/auth/introspect').set('Authorization', `Bearer ${accessToken}`).send({ token: accessToken })).status,
    ).toBe(401);
    const reader = await createKey(b.http, accessToken, ['reports:read']);
    expect((await introspect(b.http, accessToken, reader)).status).toBe(403);
    for (const body of [{}, { token: 42 }, { token: accessToken, extra: true }]) {
      expect((await request(b.http).post('/auth/introspect').set('Authorization', `Bearer ${introspector}`).send(body)).status).toBe(400);
    }
  });

  it('describes a live access token, and says active: false alone within 1 s of its logout on another instance', async () => {
    const response = await request(a.http).post('/auth/jwt/login').send({ username: user.username, password: user.password }).expect(200);
    const { accessToken, refreshToken } = response.body as { accessToken: string; refreshToken: string };

    const live = await introspect(b.http, accessToken);
    expect(live.status).toBe(200);
    expect(live.headers['cache-control']).toBe('no-store');
    expect(live.body).toEqual({
      active: true,
      sub: user.id,
      exp: expect.any(Number),
      iat: expect.any(Number),
      jti: expect.any(String),
      token_type: 'Bearer',
    });

    await request(a.http).post('/auth/jwt/logout').set('Authorization', `Bearer ${accessToken}`).send({ refreshToken }).expect(204);
    const took = await within(1000, async () => (await introspect(b.http, accessToken)).body.active === false);
    expect(took ?? 'more than 1 s').toBeLessThanOrEqual(1000);
    expect((await introspect(b.http, accessToken)).body).toEqual({ active: false });
  });

  it('says active: false alone for an expired, a forged, a malformed token, and a refresh token', async () => {
    const now = Math.floor(Date.now() / 1000);
    const response = await request(b.http).post('/auth/jwt/login').send({ username: user.username, password: user.password }).expect(200);
    const inactive = {
      expired: signWith(accessClaims(b, user.id, { iat: now - 100, exp: now - 10 }), jwtSecret, { kid: kid(jwtSecret) }),
      forged: signWith(accessClaims(b, user.id), randomBytes(32).toString('hex'), { kid: kid(jwtSecret) }),
      malformed: 'not.a.token',
      refresh: response.body.refreshToken as string,
      'an unknown API key': `nab_${randomBytes(32).toString('base64url')}`,
    };
    const genuine = signWith(accessClaims(b, user.id), jwtSecret, { kid: kid(jwtSecret) });
    expect((await introspect(b.http, genuine)).body.active).toBe(true);

    for (const [label, token] of Object.entries(inactive)) {
      const answer = await introspect(b.http, token);
      expect({ label, status: answer.status, body: answer.body }).toEqual({ label, status: 200, body: { active: false } });
    }
  });

  it('describes a live API key with its scopes, and not once it is revoked on another instance', async () => {
    const accessToken = await login(b.http, user);
    const created = await request(b.http)
      .post('/auth/api-keys')
      .set('Authorization', `Bearer ${accessToken}`)
      .send({ name: 'svc', scopes: ['reports:read', 'reports:export'], expiresInDays: 7 });
    const { id, key, createdAt, expiresAt } = created.body as { id: string; key: string; createdAt: string; expiresAt: string };

    expect((await introspect(b.http, key)).body).toEqual({
      active: true,
      sub: user.id,
      iat: Math.floor(Date.parse(createdAt) / 1000),
      exp: Math.floor(Date.parse(expiresAt) / 1000),
      jti: id,
      scope: 'reports:read reports:export',
      token_type: 'api_key',
    });
    await request(a.http)
      .delete(`/auth/api-keys/${id}`)
      .set('Authorization', `Bearer ${await login(a.http, user)}`)
      .expect(204);
    const took = await within(1000, async () => (await introspect(b.http, key)).body.active === false);
    expect(took ?? 'more than 1 s').toBeLessThanOrEqual(1000);
  });

  it('answers from memory: no database query per call', async () => {
    const accessToken = await login(b.http, user);
    await introspect(b.http, accessToken).expect(200);
    const query = jest.spyOn(b.dataSource, 'query');
    try {
      const answers = await Promise.all(Array.from({ length: 10 }, () => introspect(b.http, accessToken)));
      expect(answers.map(({ body }) => body.active)).toEqual(Array(10).fill(true));
      // The listener's liveness probe (a NOTIFY every 100 ms through the pool) is the only query, whatever the traffic.
      expect(query.mock.calls.filter(([sql]) => !String(sql).startsWith('SELECT pg_notify'))).toEqual([]);
    } finally {
      query.mockRestore();
    }
  });
});
