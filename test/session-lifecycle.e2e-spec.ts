import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { startTestServer } from './utils/test-server';
import { createTestApp, TestApp, TestTarget } from './utils/create-test-app';
import { sessionLogin } from './utils/session-login';
import { TestUser, registerUniqueUser } from './utils/users';
import { setCookie, sleep } from './utils/http';

const me = (t: TestTarget, cookie: string) => request(t.http).get('/auth/session/me').set('Cookie', cookie);

describe('session lifetime', () => {
  let t: TestApp;
  let user: TestUser;

  beforeAll(async () => {
    t = await createTestApp({ env: { SESSION_IDLE_TIMEOUT: '2', SESSION_ABSOLUTE_TIMEOUT: '4' } });
    user = await registerUniqueUser(t);
  });

  afterAll(async () => {
    await t.close();
  });

  it('ends a session left idle longer than SESSION_IDLE_TIMEOUT, on the server', async () => {
    const login = await sessionLogin(t.http, user);
    expect((await me(t, login.cookie)).status).toBe(200);

    await sleep(2300);

    expect((await me(t, login.cookie)).status).toBe(401);
  });

  it('keeps a used session past the idle timeout, but ends it at SESSION_ABSOLUTE_TIMEOUT however active', async () => {
    const login = await sessionLogin(t.http, user);
    const started = Date.now();
    while (Date.now() - started < 3300) {
      expect((await me(t, login.cookie)).status).toBe(200);
      await sleep(700);
    }

    await sleep(Math.max(0, 4300 - (Date.now() - started)));

    expect((await me(t, login.cookie)).status).toBe(401);
  });
});

describe('session secret rotation', () => {
  const oldSecret = randomBytes(32).toString('hex');
  const newSecret = randomBytes(32).toString('hex');
  let signer: TestApp;
  let user: TestUser;

  beforeAll(async () => {
    signer = await createTestApp({ env: { SESSION_SECRET: oldSecret } });
    user = await registerUniqueUser(signer);
  });

  afterAll(async () => {
    await signer.close();
  });

  const instanceWith = (sessionSecret: string) =>
    startTestServer({ database: signer.database, env: { SESSION_SECRET: sessionSecret, PASSWORD_PEPPER: signer.config.passwordPepper } });

  it('accepts a cookie signed by a secret that is no longer first, and refuses it once that secret is removed', async () => {
    const login = await sessionLogin(signer.http, user);

    const rotated = await instanceWith(`${newSecret},${oldSecret}`);
    try {
      expect((await me(rotated, login.cookie)).status).toBe(200);
      const fresh = await sessionLogin(rotated.http, user);
      expect((await me(signer, fresh.cookie)).status).toBe(401);
    } finally {
      await rotated.close();
    }

    const removed = await instanceWith(newSecret);
    try {
      expect((await me(removed, login.cookie)).status).toBe(401);
    } finally {
      await removed.close();
    }
  }, 90_000);
});

describe('Secure cookie', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ env: { COOKIE_SECURE: 'true', TRUST_PROXY: '1' } });
  });

  afterAll(async () => {
    await t.close();
  });

  it('marks sid Secure with COOKIE_SECURE=true (behind a TLS-terminating proxy)', async () => {
    const user = await registerUniqueUser(t);
    const response = await request(t.http)
      .post('/auth/session/login')
      .set('X-Forwarded-Proto', 'https')
      .send({ username: user.username, password: user.password });

    expect(response.status).toBe(200);
    expect(setCookie(response, 'sid')?.attributes).toMatchObject({ secure: true, httponly: true, samesite: 'Lax', path: '/' });
  });
});
