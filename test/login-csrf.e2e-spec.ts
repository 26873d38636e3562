import request from 'supertest';
import { createTestApp, TestApp } from './utils/create-test-app';
import { TestUser, registerUniqueUser } from './utils/users';
import { setCookies } from './utils/http';

const LISTED = 'https://app.example.test';

/** Login CSRF (API.md, Session flavour): which logins a browser on another origin may make. */
describe('login CSRF', () => {
  let t: TestApp;
  let alice: TestUser;

  beforeAll(async () => {
    // APP_URL is deliberately not in CORS_ORIGINS: the contract allows CORS_ORIGINS only.
    t = await createTestApp({ env: { CORS_ORIGINS: `${LISTED},https://admin.example.test`, APP_URL: 'https://accounts.example.test/' } });
    alice = await registerUniqueUser(t, 'alice');
  });

  afterAll(async () => {
    await t.close();
  });

  const cookieLogins = [
    ['a session login', '/auth/session/login', {}],
    ['a JWT login with transport: "cookie"', '/auth/jwt/login', { transport: 'cookie' }],
  ] as const;
  const login = (path: string, extra: object, headers: Record<string, string>) =>
    request(t.http)
      .post(path)
      .set(headers)
      .send({ username: alice.username, password: alice.password, ...extra });

  describe.each(cookieLogins)('%s', (_label, path, extra) => {
    it.each([
      ['an Origin outside CORS_ORIGINS', { Origin: 'https://evil.example.net' }],
      ['an unlisted Origin even with Sec-Fetch-Site: same-origin', { Origin: 'https://evil.example.net', 'Sec-Fetch-Site': 'same-origin' }],
      ['Origin: null (sandboxed frame, data: URL)', { Origin: 'null' }],
      ["APP_URL's origin, which is not in CORS_ORIGINS", { Origin: 'https://accounts.example.test' }],
      ['a listed origin with another scheme', { Origin: 'http://app.example.test' }],
      ['Sec-Fetch-Site: cross-site without an Origin', { 'Sec-Fetch-Site': 'cross-site' }],
    ])('is 403 FORBIDDEN with %s, and sets no cookie', async (_case, headers) => {
      const response = await login(path, extra, headers);

      expect(response.status).toBe(403);
      expect(response.body).toEqual({ statusCode: 403, code: 'FORBIDDEN', message: 'Cross-site login refused' });
      expect(response.headers['set-cookie']).toBeUndefined();
    });

    it.each([
      ['a listed Origin with Sec-Fetch-Site: cross-site', { Origin: LISTED, 'Sec-Fetch-Site': 'cross-site' }],
      ['another listed Origin', { Origin: 'https://admin.example.test', 'Sec-Fetch-Site': 'same-site' }],
      ['neither Origin nor Sec-Fetch-Site (not a browser)', {}],
      ['Sec-Fetch-Site: same-origin without an Origin', { 'Sec-Fetch-Site': 'same-origin' }],
    ])('passes with %s and sets its cookies', async (_case, headers) => {
      const response = await login(path, extra, headers);

      expect(response.status).toBe(200);
      expect(setCookies(response).size).toBeGreaterThan(0);
    });

    it('refuses the origin before checking the password (no failure is counted or audited)', async () => {
      const events = async () => (await t.query('SELECT id FROM auth_events')).length;
      const before = await events();

      const response = await request(t.http)
        .post(path)
        .set('Origin', 'https://evil.example.net')
        .send({ username: alice.username, password: 'wrong password', ...extra });

      expect(response.status).toBe(403);
      expect(await events()).toBe(before);
    });
  });

  describe('a JWT login with body transport', () => {
    it.each([
      ['an Origin outside CORS_ORIGINS', { Origin: 'https://evil.example.net', 'Sec-Fetch-Site': 'cross-site' }],
      ['Sec-Fetch-Site: cross-site without an Origin', { 'Sec-Fetch-Site': 'cross-site' }],
    ])('is never refused for its origin: 200 with %s, and sets no cookie', async (_case, headers) => {
      for (const extra of [{}, { transport: 'body' }]) {
        const response = await login('/auth/jwt/login', extra, headers);

        expect(response.status).toBe(200);
        expect(response.body).toMatchObject({ tokenType: 'Bearer', accessToken: expect.any(String), refreshToken: expect.any(String) });
        expect(response.headers['set-cookie']).toBeUndefined();
      }
    });

    it('still answers 400 to a malformed transport from an unlisted origin', async () => {
      const response = await login('/auth/jwt/login', { transport: 'COOKIE' }, { Origin: 'https://evil.example.net' });

      expect(response.status).toBe(400);
      expect(response.headers['set-cookie']).toBeUndefined();
    });
  });
});
