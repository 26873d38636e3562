import request from 'supertest';
import { createTestApp, TestApp } from './utils/create-test-app';
import { TestUser, registerUniqueUser } from './utils/users';

const THROTTLED = { THROTTLE_LOGIN_LIMIT: '5', THROTTLE_TTL: '60' };
let clientNumber = 0;
/** A distinct client IP per test (the app trusts one proxy hop), so per-IP budgets do not mix. */
const nextClientIp = () => `203.0.113.${++clientNumber}`;

function expectThrottled(response: request.Response): void {
  expect(response.status).toBe(429);
  expect(response.body).toEqual({ statusCode: 429, code: 'TOO_MANY_REQUESTS', message: expect.any(String) });
  const retryAfter = Number(response.headers['retry-after']);
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(60);
}

describe('per-account login throttling (THROTTLE_LOGIN_LIMIT=5, THROTTLE_TTL=60)', () => {
  let t: TestApp;
  let alice: TestUser;
  let clientIp: string;

  beforeAll(async () => {
    t = await createTestApp({ env: { ...THROTTLED, TRUST_PROXY: '1' } });
    alice = await registerUniqueUser(t, 'alice');
  });

  afterAll(async () => {
    await t.close();
  });

  beforeEach(() => {
    clientIp = nextClientIp();
  });

  const login = (username: string, password: string) =>
    request(t.http).post('/auth/session/login').set('X-Forwarded-For', clientIp).send({ username, password });

  it('answers the sixth rapid failed login of an account with 429 and Retry-After, even with the right password', async () => {
    for (let i = 0; i < 5; i++) expect((await login(alice.username, 'wrong password!')).status).toBe(401);

    expectThrottled(await login(alice.username, 'wrong password!'));
    expectThrottled(await login(alice.username, alice.password));
  });

  it('throttles an unknown username exactly like a real one', async () => {
    for (let i = 0; i < 5; i++) expect((await login('no-such-user', 'wrong password!')).status).toBe(401);

    expectThrottled(await login('no-such-user', 'wrong password!'));
  });

  it('counts the username and the email of one account together', async () => {
    const erin = await registerUniqueUser(t, 'erin');
    for (let i = 0; i < 3; i++) expect((await login(erin.username, 'wrong password!')).status).toBe(401);
    for (let i = 0; i < 2; i++) expect((await login(erin.email.toUpperCase(), 'wrong password!')).status).toBe(401);

    expectThrottled(await login(erin.email, erin.password));
    expectThrottled(await login(erin.username, erin.password));
  });

  it('throttles wrong current passwords on a password change like failed logins', async () => {
    const frank = await registerUniqueUser(t, 'frank');
    const jwtLogin = await request(t.http)
      .post('/auth/jwt/login')
      .set('X-Forwarded-For', clientIp)
      .send({ username: frank.username, password: frank.password });
    const { accessToken } = jwtLogin.body as { accessToken: string };
    const change = (currentPassword: string) =>
      request(t.http)
        .post('/auth/password/change')
        .set('X-Forwarded-For', clientIp)
        .set('Authorization', `Bearer ${accessToken}`)
        .send({ currentPassword, newPassword: 'a brand new passphrase' });

    for (let i = 0; i < 5; i++) expect((await change('not my password')).status).toBe(401);

    expectThrottled(await change(frank.password));
    expect(await t.query('SELECT id FROM auth_events WHERE user_id = $1 AND type = $2', [frank.id, 'login.failed'])).toHaveLength(5);
  });

  it('counts per account: another account still logs in', async () => {
    const bob = await registerUniqueUser(t, 'bob');

    expect((await login(bob.username, bob.password)).status).toBe(200);
  });

  it('starts afresh after a successful login', async () => {
    const carol = await registerUniqueUser(t, 'carol');
    for (let i = 0; i < 4; i++) expect((await login(carol.username, 'wrong password!')).status).toBe(401);
    expect((await login(carol.username, carol.password)).status).toBe(200);

    for (let i = 0; i < 4; i++) expect((await login(carol.username, 'wrong password!')).status).toBe(401);
    expect((await login(carol.username, carol.password)).status).toBe(200);
  });

  it('holds under concurrency: of 12 simultaneous wrong guesses at most 5 are checked', async () => {
    const dave = await registerUniqueUser(t, 'dave');
    const responses = await Promise.all(Array.from({ length: 12 }, () => login(dave.username, 'wrong password!')));
    const statuses = responses.map((response) => response.status);

    expect(statuses.filter((status) => status === 401)).toHaveLength(5);
    expect(statuses.filter((status) => status === 429)).toHaveLength(7);
  });

  it('records each failure in the audit log without the password', async () => {
    const rows = await t.query<{ details: { reason: string }; user_id: string | null }>(
      "SELECT details, user_id FROM auth_events WHERE type = 'login.failed'",
    );

    expect(rows.some((row) => row.user_id === alice.id && row.details.reason === 'wrong_password')).toBe(true);
    expect(rows.some((row) => row.user_id === null && row.details.reason === 'unknown_user')).toBe(true);
    expect(JSON.stringify(rows)).not.toContain('wrong password!');
  });
});

describe('per-IP throttling of credential endpoints', () => {
  const register = (t: TestApp, i: number) =>
    request(t.http)
      .post('/auth/register')
      .set('X-Forwarded-For', `198.51.100.${i}`)
      .send({ username: `flood${i}`, email: `flood${i}@example.com`, password: 'a decent passphrase' });

  it('allows 4 × THROTTLE_LOGIN_LIMIT registrations per IP and window, and ignores X-Forwarded-For without TRUST_PROXY', async () => {
    const t = await createTestApp({ env: THROTTLED });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 21; i++) statuses.push((await register(t, i)).status);

      expect(statuses.slice(0, 20)).toEqual(Array(20).fill(201));
      expectThrottled(await register(t, 99));
    } finally {
      await t.close();
    }
  });

  it('counts each forwarded client separately when TRUST_PROXY names the proxy hop', async () => {
    const t = await createTestApp({ env: { ...THROTTLED, TRUST_PROXY: '1' } });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 25; i++) statuses.push((await register(t, i)).status);

      expect(statuses).toEqual(Array(25).fill(201));
    } finally {
      await t.close();
    }
  });
});
