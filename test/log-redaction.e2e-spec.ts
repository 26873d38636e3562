import request from 'supertest';
import { createTestApp, TestApp } from './utils/create-test-app';
import { resetLink, waitForMessage, RESET_SUBJECT } from './utils/outbox';
import { sessionLogin } from './utils/session-login';
import { registerUniqueUser } from './utils/users';
import { cookiePair } from './utils/http';

describe('logs', () => {
  let t: TestApp;
  const lines: string[] = [];

  beforeAll(async () => {
    t = await createTestApp({ env: { LOG_LEVEL: 'info' }, logDestination: { write: (line: string) => lines.push(line) } });
  });

  afterAll(async () => {
    await t.close();
  });

  it('never carry a password, token, session id, CSRF token or mail content, yet record the requests', async () => {
    const user = await registerUniqueUser(t, 'logged');
    const session = await sessionLogin(t.http, user);
    await request(t.http).post('/auth/session/login').send({ username: user.username, password: 'a wrong secret guess' });
    const jwt = await request(t.http).post('/auth/jwt/login').send({ username: user.username, password: user.password });
    const cookieLogin = await request(t.http)
      .post('/auth/jwt/login')
      .send({ username: user.username, password: user.password, transport: 'cookie' });
    await request(t.http).get('/auth/me').set('Authorization', `Bearer ${jwt.body.accessToken}`);
    await request(t.http)
      .get('/auth/me')
      .set('Cookie', `${cookiePair(cookieLogin, 'access_token')}`);
    await request(t.http).post('/auth/session/logout').set('Cookie', session.cookie).set('X-CSRF-Token', session.csrfToken);
    await request(t.http).post('/auth/jwt/refresh').send({ refreshToken: jwt.body.refreshToken });
    await request(t.http).post('/auth/password/forgot').send({ email: user.email });
    const resetToken =
      resetLink(await waitForMessage(t.config.mailOutboxDir, user.email, 1, RESET_SUBJECT)).searchParams.get('token') ?? '';
    await request(t.http).get(`/reset-password?token=${resetToken}`);
    await request(t.http).post('/auth/password/reset').send({ token: resetToken, newPassword: 'a logged new passphrase' });

    const probe = await request(t.http).get('/auth/session/me?token=query-secret');
    const probeLine = lines
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .find((line) => {
        const req = line.req as { id?: unknown } | undefined;
        return req?.id === probe.headers['x-request-id'];
      });
    expect(probeLine).toMatchObject({
      level: 30,
      msg: 'request completed',
      req: { method: 'GET', path: '/auth/session/me' },
      res: { statusCode: 401 },
    });

    const log = lines.join('');
    expect(log).not.toContain('query-secret');
    expect(lines.filter((line) => /"level":(50|60)/.test(line))).toEqual([]);
    expect(log).toContain('"path":"/auth/session/login"');
    expect(log).toMatch(/"statusCode":200/);
    expect(log).toMatch(/"responseTime":\d/);
    expect(log).not.toContain('"headers"');
    const secrets = {
      password: user.password,
      wrongPassword: 'a wrong secret guess',
      newPassword: 'a logged new passphrase',
      sessionId: decodeURIComponent(session.cookie.slice(4)),
      csrfToken: session.csrfToken,
      accessToken: jwt.body.accessToken as string,
      refreshToken: jwt.body.refreshToken as string,
      cookieAccessToken: cookiePair(cookieLogin, 'access_token').slice('access_token='.length),
      resetToken,
    };
    for (const [name, secret] of Object.entries(secrets)) {
      expect({ name, found: log.includes(secret) }).toEqual({ name, found: false });
    }
  });
});
