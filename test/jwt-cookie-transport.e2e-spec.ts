import request from 'supertest';
import type { Response } from 'supertest';
import { createTestApp, TestApp } from './utils/create-test-app';
import { decode } from './utils/jwt-helpers';
import { PASSWORD, registerUser } from './utils/users';
import { cookieHeader, setCookies } from './utils/http';

interface CookieLogin {
  access: string;
  refresh: string;
  csrf: string;
  familyId: string;
  response: Response;
}

async function cookieLogin(t: TestApp, username: string): Promise<CookieLogin> {
  const response = await request(t.http).post('/auth/jwt/login').send({ username, password: PASSWORD, transport: 'cookie' });
  if (response.status !== 200) throw new Error(`cookie login: ${response.status}`);
  const cookies = setCookies(response);
  const access = cookies.get('access_token')?.value ?? '';
  return {
    access,
    refresh: cookies.get('refresh_token')?.value ?? '',
    csrf: cookies.get('csrf_token')?.value ?? '',
    familyId: decode(access).payload.sid as string,
    response,
  };
}

describe('JWT cookie transport', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
    await registerUser(t, 'browser');
  });

  afterAll(async () => {
    await t.close();
  });

  const familyRevoked = async (familyId: string) =>
    (await t.query<{ revoked_at: Date | null }>('SELECT revoked_at FROM refresh_families WHERE id = $1', [familyId]))[0]?.revoked_at !==
    null;
  const meWithCookie = (login: CookieLogin) =>
    request(t.http)
      .get('/auth/jwt/me')
      .set('Cookie', cookieHeader({ access_token: login.access }));
  const logoutWithCookies = (cookies: Record<string, string>, csrfHeader?: string) => {
    const call = request(t.http).post('/auth/jwt/logout').set('Cookie', cookieHeader(cookies));
    return csrfHeader === undefined ? call : call.set('X-CSRF-Token', csrfHeader);
  };

  it('answers {tokenType, expiresIn, csrfToken} and sets the three cookies with the contract flags', async () => {
    const login = await cookieLogin(t, 'browser');
    const cookies = setCookies(login.response);

    expect(login.response.body).toEqual({ tokenType: 'Bearer', expiresIn: 900, csrfToken: expect.any(String) });
    expect([...cookies.keys()].sort()).toEqual(['access_token', 'csrf_token', 'refresh_token']);
    expect(cookies.get('access_token')?.attributes).toEqual({
      'max-age': '900',
      path: '/',
      expires: expect.any(String),
      httponly: true,
      samesite: 'Lax',
    });
    expect(cookies.get('refresh_token')?.attributes).toEqual({
      'max-age': '2592000',
      path: '/auth/jwt',
      expires: expect.any(String),
      httponly: true,
      samesite: 'Strict',
    });
    expect(cookies.get('csrf_token')?.attributes).toEqual({
      'max-age': '2592000',
      path: '/',
      expires: expect.any(String),
      samesite: 'Strict',
    });
    expect(cookies.get('csrf_token')?.value).toBe(login.response.body.csrfToken);
    expect(decode(login.access).payload.typ).toBe('access');
    expect(login.refresh).toMatch(/^[\w-]{43}$/);
  });

  it('authenticates a safe request by the access_token cookie without a CSRF token', async () => {
    const login = await cookieLogin(t, 'browser');

    expect((await meWithCookie(login)).status).toBe(200);
  });

  describe('an unsafe request authenticated by the cookie', () => {
    it('is 403 CSRF_FAILED without X-CSRF-Token, and has no effect', async () => {
      const login = await cookieLogin(t, 'browser');

      const response = await logoutWithCookies({ access_token: login.access, csrf_token: login.csrf });

      expect(response.status).toBe(403);
      expect(response.body).toEqual({ statusCode: 403, code: 'CSRF_FAILED', message: expect.any(String) });
      expect((await meWithCookie(login)).status).toBe(200);
      expect(await familyRevoked(login.familyId)).toBe(false);
    });

    it('is 403 with a header that differs from the cookie', async () => {
      const login = await cookieLogin(t, 'browser');
      const other = await cookieLogin(t, 'browser');

      const response = await logoutWithCookies({ access_token: login.access, csrf_token: login.csrf }, other.csrf);

      expect(response.status).toBe(403);
      expect(await familyRevoked(login.familyId)).toBe(false);
    });

    it('is 403 without the csrf_token cookie, even with the right header', async () => {
      const login = await cookieLogin(t, 'browser');

      expect((await logoutWithCookies({ access_token: login.access }, login.csrf)).status).toBe(403);
      expect(await familyRevoked(login.familyId)).toBe(false);
    });

    it('is 403 when header and cookie match but were issued for another login (signed double submit)', async () => {
      const victim = await cookieLogin(t, 'browser');
      const attacker = await cookieLogin(t, 'browser');

      const response = await logoutWithCookies({ access_token: victim.access, csrf_token: attacker.csrf }, attacker.csrf);

      expect(response.status).toBe(403);
      expect(await familyRevoked(victim.familyId)).toBe(false);
      expect((await meWithCookie(victim)).status).toBe(200);
    });

    it('is 403 when header and cookie match but were made up', async () => {
      const login = await cookieLogin(t, 'browser');
      const forged = `${'A'.repeat(22)}.${'B'.repeat(43)}`;

      expect((await logoutWithCookies({ access_token: login.access, csrf_token: forged }, forged)).status).toBe(403);
    });

    it('goes through with the right token: logout is 204, clears the cookies and stops the token', async () => {
      const login = await cookieLogin(t, 'browser');

      const response = await logoutWithCookies(
        { access_token: login.access, refresh_token: login.refresh, csrf_token: login.csrf },
        login.csrf,
      );

      expect(response.status).toBe(204);
      const cleared = setCookies(response);
      for (const name of ['access_token', 'refresh_token', 'csrf_token']) {
        expect(cleared.get(name)?.value).toBe('');
        expect(new Date(String(cleared.get(name)?.attributes.expires)).getTime()).toBeLessThan(Date.now());
      }
      expect(cleared.get('refresh_token')?.attributes.path).toBe('/auth/jwt');
      expect((await meWithCookie(login)).status).toBe(401);
      expect(await familyRevoked(login.familyId)).toBe(true);
    });
  });

  it('needs no CSRF token when the same access token comes as a Bearer header', async () => {
    const login = await cookieLogin(t, 'browser');

    const response = await request(t.http).post('/auth/jwt/logout').set('Authorization', `Bearer ${login.access}`);

    expect(response.status).toBe(204);
  });

  describe('refresh by the refresh_token cookie', () => {
    const refreshWithCookies = (cookies: Record<string, string>, csrfHeader?: string) => {
      const call = request(t.http).post('/auth/jwt/refresh').set('Cookie', cookieHeader(cookies));
      return csrfHeader === undefined ? call : call.set('X-CSRF-Token', csrfHeader);
    };
    const spent = async (familyId: string) =>
      (await t.query<{ used_at: Date | null }>('SELECT used_at FROM refresh_tokens WHERE family_id = $1', [familyId])).some(
        (row) => row.used_at !== null,
      );

    it.each([
      ['without a CSRF token', (login: CookieLogin) => [{ refresh_token: login.refresh, csrf_token: login.csrf }, undefined] as const],
      [
        "with another login's matching pair",
        (login: CookieLogin, other: CookieLogin) => [{ refresh_token: login.refresh, csrf_token: other.csrf }, other.csrf] as const,
      ],
      [
        'with a header that differs from the cookie',
        (login: CookieLogin, other: CookieLogin) => [{ refresh_token: login.refresh, csrf_token: login.csrf }, other.csrf] as const,
      ],
    ])('is 403 %s and spends nothing', async (_label, build) => {
      const login = await cookieLogin(t, 'browser');
      const other = await cookieLogin(t, 'browser');
      const [cookies, header] = build(login, other);

      const response = await refreshWithCookies(cookies, header);

      expect(response.status).toBe(403);
      expect(response.body.code).toBe('CSRF_FAILED');
      expect(await spent(login.familyId)).toBe(false);
    });

    it('rotates with the right CSRF token: new cookies, the same login, and the old cookie is then reuse', async () => {
      const login = await cookieLogin(t, 'browser');

      const response = await refreshWithCookies({ refresh_token: login.refresh, csrf_token: login.csrf }, login.csrf);

      expect(response.status).toBe(200);
      expect(response.body).toEqual({ tokenType: 'Bearer', expiresIn: 900, csrfToken: expect.any(String) });
      const cookies = setCookies(response);
      const nextRefresh = cookies.get('refresh_token')?.value ?? '';
      const nextAccess = cookies.get('access_token')?.value ?? '';
      expect(nextRefresh).not.toBe(login.refresh);
      expect(decode(nextAccess).payload.sid).toBe(login.familyId);
      expect(cookies.get('csrf_token')?.value).toBe(response.body.csrfToken);

      const reuse = await refreshWithCookies({ refresh_token: login.refresh, csrf_token: login.csrf }, login.csrf);
      expect(reuse.status).toBe(401);
      expect(reuse.body.code).toBe('REFRESH_TOKEN_REUSED');
    });
  });

  describe('GET /auth/jwt/csrf', () => {
    const csrfWithCookies = (cookies: Record<string, string>) => request(t.http).get('/auth/jwt/csrf').set('Cookie', cookieHeader(cookies));

    it('answers a fresh token of the login and sets the csrf_token cookie to it again', async () => {
      const login = await cookieLogin(t, 'browser');

      const response = await csrfWithCookies({ access_token: login.access });

      expect(response.status).toBe(200);
      expect(response.body).toEqual({ csrfToken: expect.stringMatching(/^[\w-]{22}\.[\w-]{43}$/) });
      expect(response.body.csrfToken).not.toBe(login.csrf);
      expect(response.headers['cache-control']).toBe('no-store');
      const cookie = setCookies(response).get('csrf_token');
      expect(cookie?.value).toBe(response.body.csrfToken);
      expect(cookie?.attributes).toMatchObject({ path: '/', samesite: 'Strict' });
      expect(Number(cookie?.attributes['max-age'])).toBeGreaterThan(2_592_000 - 60);
      expect(Number(cookie?.attributes['max-age'])).toBeLessThanOrEqual(2_592_000);
    });

    it('gives a token that passes an unsafe request with the cookie (logout 204)', async () => {
      const login = await cookieLogin(t, 'browser');
      const { csrfToken } = (await csrfWithCookies({ access_token: login.access }).expect(200)).body as { csrfToken: string };

      const response = await logoutWithCookies({ access_token: login.access, csrf_token: csrfToken }, csrfToken);

      expect(response.status).toBe(204);
      expect(await familyRevoked(login.familyId)).toBe(true);
    });

    it('gives a token that passes a cookie refresh', async () => {
      const login = await cookieLogin(t, 'browser');
      const { csrfToken } = (await csrfWithCookies({ access_token: login.access }).expect(200)).body as { csrfToken: string };

      const response = await request(t.http)
        .post('/auth/jwt/refresh')
        .set('Cookie', cookieHeader({ refresh_token: login.refresh, csrf_token: csrfToken }))
        .set('X-CSRF-Token', csrfToken);

      expect(response.status).toBe(200);
    });

    it('does not pass with the old csrf_token cookie: the double submit needs the cookie it set', async () => {
      const login = await cookieLogin(t, 'browser');
      const { csrfToken } = (await csrfWithCookies({ access_token: login.access }).expect(200)).body as { csrfToken: string };

      expect((await logoutWithCookies({ access_token: login.access, csrf_token: login.csrf }, csrfToken)).status).toBe(403);
      expect(await familyRevoked(login.familyId)).toBe(false);
    });

    it('is 401 without an access token, and after logout', async () => {
      const login = await cookieLogin(t, 'browser');
      expect((await request(t.http).get('/auth/jwt/csrf')).status).toBe(401);

      await logoutWithCookies({ access_token: login.access, csrf_token: login.csrf }, login.csrf).expect(204);

      const response = await csrfWithCookies({ access_token: login.access });
      expect(response.status).toBe(401);
      expect(setCookies(response).has('csrf_token')).toBe(false);
    });

    it('is 403 for a Bearer request (the body transport needs no CSRF token) and sets no cookie', async () => {
      const login = await cookieLogin(t, 'browser');

      const response = await request(t.http).get('/auth/jwt/csrf').set('Authorization', `Bearer ${login.access}`);

      expect(response.status).toBe(403);
      expect(response.body.code).toBe('FORBIDDEN');
      expect(response.headers['set-cookie']).toBeUndefined();
    });
  });
});

describe('JWT cookie transport with COOKIE_SECURE=true', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ env: { COOKIE_SECURE: 'true' } });
    await registerUser(t, 'secure');
  });

  afterAll(async () => {
    await t.close();
  });

  it('marks all three cookies Secure', async () => {
    const login = await cookieLogin(t, 'secure');
    const cookies = setCookies(login.response);

    for (const name of ['access_token', 'refresh_token', 'csrf_token']) expect(cookies.get(name)?.attributes.secure).toBe(true);
  });
});
