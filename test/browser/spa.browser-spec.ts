import { Client } from 'pg';
import type { Page } from 'playwright-core';
import { resetLink, RESET_SUBJECT, waitForMessage } from '../utils/outbox';
import { startTestServer, TestServer } from '../utils/test-server';
import { launchBrowser, screenshot, TestBrowser } from './browser';
import { startStaticServer, StaticServer } from './static-server';

/**
 * A plain-JS SPA (test/browser/spa) in a real headless Chromium, talking to the production build.
 * One server process serves both topologies: it listens on 127.0.0.1, so the SPA on
 * http://localhost:<spa> reaches it as http://localhost:<api> (another origin, the same site) or as
 * http://127.0.0.1:<api> (another site). CORS_ORIGINS lists the SPA's origin only.
 */

interface CallResult {
  status?: number;
  body?: Record<string, unknown> | string | null;
  error?: string;
}

/** What spa.js puts on window.spa (evaluated in the page, hence the globalThis cast below). */
interface Spa {
  call(method: string, path: string, options?: { body?: unknown; headers?: Record<string, string> }): Promise<CallResult>;
  cookies(): string;
  sessionLogin(username: string, password: string): Promise<CallResult>;
  fetchSessionCsrf(): Promise<CallResult>;
  hasSessionCsrf(): boolean;
  sessionUnsafe(method: string, path: string, body: unknown, withCsrf: boolean): Promise<CallResult>;
  jwtCookieLogin(username: string, password: string): Promise<CallResult>;
  cookieUnsafe(method: string, path: string, body: unknown, withCsrf: boolean): Promise<CallResult>;
  bearerLogin(username: string, password: string): Promise<CallResult>;
  bearerCall(method: string, path: string, body?: unknown): Promise<CallResult>;
  bearerRefresh(): Promise<CallResult>;
  bearerTokens(): { accessToken: string; refreshToken: string } | null;
}

const PASSWORD = 'a decent passphrase';
const NEW_PASSWORD = 'another decent passphrase';

describe('a browser SPA on another origin (headless Chromium)', () => {
  let spaFiles: StaticServer;
  let otherFiles: StaticServer;
  let server: TestServer;
  let browser: TestBrowser;
  let spaOrigin: string;
  let apiSameSite: string;
  let apiCrossSite: string;
  let users = 0;

  beforeAll(async () => {
    spaFiles = await startStaticServer();
    otherFiles = await startStaticServer();
    spaOrigin = `http://localhost:${spaFiles.port}`;
    server = await startTestServer({ env: { CORS_ORIGINS: spaOrigin } });
    const apiPort = new URL(server.http).port;
    apiSameSite = `http://localhost:${apiPort}`;
    apiCrossSite = `http://127.0.0.1:${apiPort}`;
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await otherFiles?.close();
    await spaFiles?.close();
  }, 60_000);

  /** A new user, registered from Node (no Origin header). */
  async function newUser(): Promise<{ id: string; username: string }> {
    const username = `browser${++users}`;
    const response = await fetch(`${server.http}/auth/register`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username, email: `${username}@example.com`, password: PASSWORD }),
    });
    if (response.status !== 201) throw new Error(`register ${username}: ${response.status} ${await response.text()}`);
    return { id: ((await response.json()) as { id: string }).id, username };
  }

  /** A fresh browser context on the SPA (or another page of test/browser/spa), talking to `api`. */
  async function open(api: string, origin = spaOrigin, file = 'index.html'): Promise<Page> {
    const page = await browser.newPage();
    await page.goto(`${origin}/${file}?api=${encodeURIComponent(api)}`);
    await page.waitForFunction(() => 'spa' in globalThis);
    return page;
  }

  const spa = <R, A>(page: Page, run: (spa: Spa, argument: A) => R | Promise<R>, argument: A): Promise<R> =>
    page.evaluate(
      ([source, value]) => {
        const fn = new Function('spa', 'argument', `return (${source})(spa, argument);`) as (spa: unknown, argument: unknown) => R;
        return fn((globalThis as unknown as { spa: unknown }).spa, value);
      },
      [run.toString(), argument] as const,
    );

  /** Runs a check with a page and always leaves a screenshot of its final state. */
  async function withPage(name: string, page: Page, check: () => Promise<void>): Promise<void> {
    try {
      await check();
    } finally {
      await screenshot(page, name);
    }
  }

  /**
   * Session rows of a user, over a connection of its own that is closed at once: an idle pooled
   * connection killed by someone else's pg_terminate_backend on this shared server would surface
   * as an unhandled error in whichever test runs then.
   */
  async function sessionsOf(userId: string): Promise<number> {
    const client = new Client({ connectionString: server.database.url });
    client.on('error', () => undefined);
    await client.connect();
    try {
      return Number((await client.query<{ n: string }>('SELECT count(*) AS n FROM sessions WHERE user_id = $1', [userId])).rows[0].n);
    } finally {
      await client.end();
    }
  }

  describe('same site (SPA on localhost:<spa>, API on localhost:<api>)', () => {
    it('session login: sid is HttpOnly, unsafe requests need X-CSRF-Token, a reload re-fetches it', async () => {
      const user = await newUser();
      const page = await open(apiSameSite);
      await withPage('session-login-csrf', page, async () => {
        const login = await spa(page, (s, [u, p]) => s.sessionLogin(u, p), [user.username, PASSWORD]);
        expect(login.status).toBe(200);
        expect(login.body).toMatchObject({ user: { username: user.username }, csrfToken: expect.any(String) });

        const sid = (await page.context().cookies(apiSameSite)).find((cookie) => cookie.name === 'sid');
        expect(sid).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
        expect(await spa(page, (s) => s.cookies(), null)).not.toContain('sid=');
        expect((await spa(page, (s) => s.call('GET', '/auth/session/me'), null)).status).toBe(200);

        const change = { currentPassword: PASSWORD, newPassword: NEW_PASSWORD };
        const refused = await spa(page, (s, body) => s.sessionUnsafe('POST', '/auth/password/change', body, false), change);
        expect(refused).toMatchObject({ status: 403, body: { code: 'CSRF_FAILED' } });
        const accepted = await spa(page, (s, body) => s.sessionUnsafe('POST', '/auth/password/change', body, true), change);
        expect(accepted.status).toBe(204);

        await screenshot(page, 'session-login-csrf-before-reload');
        // A reload loses the in-memory token; the session cookie stays and GET /auth/session/csrf gives it again.
        await page.reload();
        await page.waitForFunction(() => 'spa' in globalThis);
        expect(await spa(page, (s) => s.hasSessionCsrf(), null)).toBe(false);
        expect((await spa(page, (s) => s.sessionUnsafe('POST', '/auth/session/logout', undefined, false), null)).status).toBe(403);
        const csrf = await spa(page, (s) => s.fetchSessionCsrf(), null);
        expect(csrf).toMatchObject({ status: 200, body: { csrfToken: expect.any(String) } });
        expect((await spa(page, (s) => s.sessionUnsafe('POST', '/auth/session/logout', undefined, true), null)).status).toBe(204);
        expect((await spa(page, (s) => s.call('GET', '/auth/session/me'), null)).status).toBe(401);
        expect((await page.context().cookies(apiSameSite)).map((cookie) => cookie.name)).not.toContain('sid');
        expect(await sessionsOf(user.id)).toBe(0);
      });
    });

    it('CORS: a page on an origin outside CORS_ORIGINS cannot read a response, even with the cookie sent', async () => {
      const user = await newUser();
      const page = await open(apiSameSite);
      const context = page.context();
      expect((await spa(page, (s, [u, p]) => s.sessionLogin(u, p), [user.username, PASSWORD])).status).toBe(200);
      // Same site, other port (the browser sends sid along), and another site altogether.
      const sameSiteOther = await context.newPage();
      await sameSiteOther.goto(`http://localhost:${otherFiles.port}/index.html?api=${encodeURIComponent(apiSameSite)}`);
      const crossSiteOther = await context.newPage();
      await crossSiteOther.goto(`http://127.0.0.1:${otherFiles.port}/index.html?api=${encodeURIComponent(apiSameSite)}`);
      await withPage('cors-other-origin', sameSiteOther, async () => {
        for (const other of [sameSiteOther, crossSiteOther]) {
          await other.waitForFunction(() => 'spa' in globalThis);
          for (const path of ['/auth/session/me', '/health']) {
            const result = await spa(other, (s, p) => s.call('GET', p), path);
            expect(result.status).toBeUndefined();
            expect(result.error).toMatch(/TypeError|Failed to fetch/);
          }
          // A JSON POST needs a preflight, which fails: the request itself is never sent.
          const post = await spa(other, (s) => s.call('POST', '/auth/session/logout', { body: {} }), null);
          expect(post.error).toBeDefined();
        }
        // The listed origin reads the very same responses, and the session survived.
        expect((await spa(page, (s) => s.call('GET', '/auth/session/me'), null)).status).toBe(200);
        expect(await sessionsOf(user.id)).toBe(1);
      });
      await screenshot(crossSiteOther, 'cors-other-site');
    });

    it('login CSRF: a form on another site auto-posting to /auth/session/login logs nobody in', async () => {
      const user = await newUser();
      const page = await browser.newPage();
      const attacker = `http://127.0.0.1:${otherFiles.port}`;
      const target = `${apiSameSite}/auth/session/login`;
      await withPage('login-csrf-form', page, async () => {
        for (const enctype of ['urlencoded', 'text']) {
          const query = new URLSearchParams({ action: target, username: user.username, password: PASSWORD, enctype });
          const answered = page.waitForResponse((response) => response.url() === target, { timeout: 15_000 });
          await page.goto(`${attacker}/attacker-form.html?${query.toString()}`);
          const response = await answered;
          await page.waitForLoadState('load');
          expect(response.status()).toBeGreaterThanOrEqual(400);
          expect(response.status()).toBeLessThan(500);
          expect(await response.headerValue('set-cookie')).toBeNull();
          expect((await page.context().cookies(apiSameSite)).map((cookie) => cookie.name)).not.toContain('sid');
        }
        expect(await sessionsOf(user.id)).toBe(0);
        // The SPA, opened afterwards in the same browser, finds no session.
        const victim = await page.context().newPage();
        await victim.goto(`${spaOrigin}/index.html?api=${encodeURIComponent(apiSameSite)}`);
        await victim.waitForFunction(() => 'spa' in globalThis);
        expect((await spa(victim, (s) => s.call('GET', '/auth/session/me'), null)).status).toBe(401);
        expect((await spa(victim, (s) => s.call('GET', '/auth/me'), null)).status).toBe(401);
      });
    });

    it('JWT cookie transport: login, a guarded POST with the csrf_token cookie, refresh rotates, logout clears', async () => {
      const user = await newUser();
      const page = await open(apiSameSite);
      // The URLs whose cookies matter: refresh_token has Path=/auth/jwt.
      const jar = async () =>
        new Map((await page.context().cookies([apiSameSite, `${apiSameSite}/auth/jwt/refresh`])).map((cookie) => [cookie.name, cookie]));
      await withPage('jwt-cookie-transport', page, async () => {
        const login = await spa(page, (s, [u, p]) => s.jwtCookieLogin(u, p), [user.username, PASSWORD]);
        expect(login).toMatchObject({ status: 200, body: { tokenType: 'Bearer', csrfToken: expect.any(String) } });
        const issued = await jar();
        expect([...issued.keys()].sort()).toEqual(['access_token', 'csrf_token', 'refresh_token']);
        expect(issued.get('access_token')?.httpOnly).toBe(true);
        expect(issued.get('refresh_token')).toMatchObject({ httpOnly: true, path: '/auth/jwt', sameSite: 'Strict' });
        // The SPA's script sees the CSRF cookie (same host, another port) and nothing else.
        const visible = await spa(page, (s) => s.cookies(), null);
        expect(visible).toContain(`csrf_token=${issued.get('csrf_token')?.value}`);
        expect(visible).not.toMatch(/access_token|refresh_token/);

        const change = { currentPassword: PASSWORD, newPassword: NEW_PASSWORD };
        const refused = await spa(page, (s, body) => s.cookieUnsafe('POST', '/auth/password/change', body, false), change);
        expect(refused).toMatchObject({ status: 403, body: { code: 'CSRF_FAILED' } });
        const accepted = await spa(page, (s, body) => s.cookieUnsafe('POST', '/auth/password/change', body, true), change);
        expect(accepted.status).toBe(204);

        expect((await spa(page, (s) => s.cookieUnsafe('POST', '/auth/jwt/refresh', undefined, false), null)).status).toBe(403);
        const refreshed = await spa(page, (s) => s.cookieUnsafe('POST', '/auth/jwt/refresh', undefined, true), null);
        expect(refreshed).toMatchObject({ status: 200, body: { tokenType: 'Bearer', csrfToken: expect.any(String) } });
        const rotated = await jar();
        for (const name of ['access_token', 'refresh_token', 'csrf_token']) {
          expect(rotated.get(name)?.value).toBeTruthy();
          expect(rotated.get(name)?.value).not.toBe(issued.get(name)?.value);
        }
        expect(await spa(page, (s) => s.cookies(), null)).toContain(`csrf_token=${rotated.get('csrf_token')?.value}`);
        expect(await spa(page, (s) => s.call('GET', '/auth/jwt/me'), null)).toMatchObject({
          status: 200,
          body: { username: user.username },
        });

        expect((await spa(page, (s) => s.cookieUnsafe('POST', '/auth/jwt/logout', undefined, true), null)).status).toBe(204);
        expect([...(await jar()).keys()]).toEqual([]);
        expect(await spa(page, (s) => s.cookies(), null)).not.toContain('csrf_token');
        expect((await spa(page, (s) => s.call('GET', '/auth/jwt/me'), null)).status).toBe(401);
      });
    });
  });

  describe('cross site (SPA on localhost:<spa>, API on 127.0.0.1:<api>)', () => {
    // Contract (API.md, login CSRF): a JWT login with body transport sets no cookie and is never
    // refused for its origin. Until the login-origin fix is merged, the server answers this login
    // with 403 "Cross-site login refused" and this test fails at its first expectation.
    it('a Bearer SPA logs in with body transport, calls /auth/jwt/me with Authorization, and refreshes', async () => {
      const user = await newUser();
      const page = await open(apiCrossSite);
      await withPage('bearer-cross-site', page, async () => {
        const login = await spa(page, (s, [u, p]) => s.bearerLogin(u, p), [user.username, PASSWORD]);
        if (login.status === 403) {
          throw new Error(`body-transport login refused for its origin (pending login-origin fix): ${JSON.stringify(login.body)}`);
        }
        expect(login).toMatchObject({
          status: 200,
          body: { tokenType: 'Bearer', accessToken: expect.any(String), refreshToken: expect.any(String) },
        });
        expect(await page.context().cookies(apiCrossSite)).toEqual([]);

        expect(await spa(page, (s) => s.bearerCall('GET', '/auth/jwt/me'), null)).toMatchObject({
          status: 200,
          body: { username: user.username },
        });
        const first = await spa(page, (s) => s.bearerTokens(), null);
        const refreshed = await spa(page, (s) => s.bearerRefresh(), null);
        expect(refreshed).toMatchObject({ status: 200, body: { accessToken: expect.any(String), refreshToken: expect.any(String) } });
        const second = await spa(page, (s) => s.bearerTokens(), null);
        expect(second?.refreshToken).not.toBe(first?.refreshToken);
        expect(await spa(page, (s) => s.bearerCall('GET', '/auth/jwt/me'), null)).toMatchObject({ status: 200 });
        expect((await spa(page, (s) => s.bearerCall('POST', '/auth/jwt/logout', {}), null)).status).toBe(204);
        expect((await spa(page, (s) => s.bearerCall('GET', '/auth/jwt/me'), null)).status).toBe(401);
      });
    });
  });

  it('the reset-password page the service serves, used end to end from the mail in the outbox', async () => {
    const user = await newUser();
    const forgot = await fetch(`${server.http}/auth/password/forgot`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: `${user.username}@example.com` }),
    });
    expect(forgot.status).toBe(202);
    const link = resetLink(await waitForMessage(server.config.mailOutboxDir, `${user.username}@example.com`, 1, RESET_SUBJECT));
    expect(link.pathname).toBe('/reset-password');

    const page = await browser.newPage();
    // The link's path and token, on the address this test's server listens on (APP_URL is the default).
    await page.goto(`${server.http}${link.pathname}${link.search}`);
    await withPage('reset-password-page', page, async () => {
      await page.waitForLoadState('load');
      expect(new URL(page.url()).search).toBe('');
      await page.getByLabel('New password').fill(NEW_PASSWORD);
      await page.getByRole('button', { name: 'Set the new password' }).click();
      await page.getByText('Your password is changed').waitFor();
    });

    const login = (password: string) =>
      fetch(`${server.http}/auth/jwt/login`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ username: user.username, password }),
      });
    expect((await login(NEW_PASSWORD)).status).toBe(200);
    expect((await login(PASSWORD)).status).toBe(401);
  });
});
