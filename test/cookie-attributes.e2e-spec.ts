import request from 'supertest';
import type { Response } from 'supertest';
import { createTestApp, TestApp } from './utils/create-test-app';
import { TestUser, registerUniqueUser } from './utils/users';
import { setCookie, setCookies } from './utils/http';

const ALL_COOKIES = ['sid', 'access_token', 'refresh_token', 'csrf_token'];

/** COOKIE_SAMESITE and COOKIE_DOMAIN on every cookie the service sets and clears. */
describe('cookie attributes with COOKIE_SAMESITE=none, COOKIE_SECURE=true and COOKIE_DOMAIN', () => {
  let t: TestApp;
  let alice: TestUser;

  beforeAll(async () => {
    // express-session sets a Secure cookie only on a request it knows came over TLS: behind a proxy that says so.
    t = await createTestApp({ env: { COOKIE_SAMESITE: 'none', COOKIE_SECURE: 'true', COOKIE_DOMAIN: 'example.test', TRUST_PROXY: '1' } });
    alice = await registerUniqueUser(t, 'alice');
  });

  afterAll(async () => {
    await t.close();
  });

  const post = (path: string) => request(t.http).post(path).set('X-Forwarded-Proto', 'https');
  const credentials = () => ({ username: alice.username, password: alice.password });
  const sessionLogin = () => post('/auth/session/login').send(credentials());
  const cookieLogin = () => post('/auth/jwt/login').send({ ...credentials(), transport: 'cookie' });
  const pairs = (...responses: Response[]) =>
    responses
      .flatMap((response) => [...setCookies(response).values()])
      .map((cookie) => `${cookie.name}=${cookie.raw}`)
      .join('; ');
  const expectCleared = (response: Response, names: readonly string[]) => {
    for (const name of names) {
      const cookie = setCookie(response, name);
      expect({ name, value: cookie?.value, domain: cookie?.attributes.domain }).toEqual({ name, value: '', domain: 'example.test' });
      expect(new Date(String(cookie?.attributes.expires)).getTime()).toBeLessThan(Date.now());
    }
  };

  it('sets sid with SameSite=None; Secure; Domain=example.test', async () => {
    const response = await sessionLogin();

    expect(response.status).toBe(200);
    expect(setCookie(response, 'sid')?.attributes).toMatchObject({
      samesite: 'None',
      secure: true,
      domain: 'example.test',
      httponly: true,
    });
  });

  it('sets access_token SameSite=None, refresh_token Strict, csrf_token None: all Secure, all Domain=example.test', async () => {
    const response = await cookieLogin();

    expect(response.status).toBe(200);
    const attributes = (name: string) => setCookie(response, name)?.attributes;
    expect(attributes('access_token')).toMatchObject({ samesite: 'None', secure: true, domain: 'example.test', httponly: true });
    expect(attributes('refresh_token')).toMatchObject({ samesite: 'Strict', secure: true, domain: 'example.test', path: '/auth/jwt' });
    expect(attributes('csrf_token')).toMatchObject({ samesite: 'None', secure: true, domain: 'example.test' });
    expect(attributes('csrf_token')).not.toHaveProperty('httponly');
  });

  it('clears sid with the same Domain at session logout', async () => {
    const login = await sessionLogin();

    const response = await request(t.http)
      .post('/auth/session/logout')
      .set('Cookie', pairs(login))
      .set('X-CSRF-Token', login.body.csrfToken);

    expect(response.status).toBe(204);
    expectCleared(response, ['sid']);
  });

  it('clears the three JWT cookies with the same Domain at JWT logout', async () => {
    const login = await cookieLogin();

    const response = await post('/auth/jwt/logout').set('Cookie', pairs(login)).set('X-CSRF-Token', login.body.csrfToken);

    expect(response.status).toBe(204);
    expectCleared(response, ['access_token', 'refresh_token', 'csrf_token']);
  });

  it('clears all four cookies with the same Domain at logout-all', async () => {
    const login = await sessionLogin();

    const response = await post('/auth/logout-all').set('Cookie', pairs(login)).set('X-CSRF-Token', login.body.csrfToken);

    expect(response.status).toBe(204);
    expectCleared(response, ALL_COOKIES);
  });

  it('sets csrf_token with the same attributes again at GET /auth/jwt/csrf', async () => {
    const login = await cookieLogin();

    const response = await request(t.http).get('/auth/jwt/csrf').set('X-Forwarded-Proto', 'https').set('Cookie', pairs(login));

    expect(response.status).toBe(200);
    expect(setCookie(response, 'csrf_token')?.attributes).toMatchObject({
      samesite: 'None',
      secure: true,
      domain: 'example.test',
      path: '/',
    });
  });
});

describe('cookie attributes by default', () => {
  let t: TestApp;
  let alice: TestUser;

  beforeAll(async () => {
    t = await createTestApp();
    alice = await registerUniqueUser(t, 'alice');
  });

  afterAll(async () => {
    await t.close();
  });

  it('sets host-only cookies (no Domain), sid and access_token SameSite=Lax', async () => {
    const session = await request(t.http).post('/auth/session/login').send({ username: alice.username, password: alice.password });
    const jwt = await request(t.http)
      .post('/auth/jwt/login')
      .send({ username: alice.username, password: alice.password, transport: 'cookie' });

    const cookies = [...setCookies(session).values(), ...setCookies(jwt).values()];
    expect(cookies.map((cookie) => cookie.name).sort()).toEqual([...ALL_COOKIES].sort());
    for (const cookie of cookies) expect(cookie.attributes).not.toHaveProperty('domain');
    expect(setCookie(session, 'sid')?.attributes.samesite).toBe('Lax');
    expect(setCookie(jwt, 'access_token')?.attributes.samesite).toBe('Lax');
  });
});

describe('cookie attributes with COOKIE_SAMESITE=strict', () => {
  let t: TestApp;
  let alice: TestUser;

  beforeAll(async () => {
    t = await createTestApp({ env: { COOKIE_SAMESITE: 'strict' } });
    alice = await registerUniqueUser(t, 'alice');
  });

  afterAll(async () => {
    await t.close();
  });

  it('sets sid and access_token SameSite=Strict', async () => {
    const session = await request(t.http).post('/auth/session/login').send({ username: alice.username, password: alice.password });
    const jwt = await request(t.http)
      .post('/auth/jwt/login')
      .send({ username: alice.username, password: alice.password, transport: 'cookie' });

    expect(setCookie(session, 'sid')?.attributes.samesite).toBe('Strict');
    expect(setCookie(jwt, 'access_token')?.attributes.samesite).toBe('Strict');
  });
});
