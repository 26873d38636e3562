import request from 'supertest';
import { createTestApp, TestApp } from './utils/create-test-app';
import { outboxMessagesTo, waitForMessage } from './utils/outbox';
import { sessionLogin } from './utils/session-login';
import { registerUniqueUser } from './utils/users';
import { sleep } from './utils/http';

function verifyLink(message: string): URL {
  const match = /(https?:\/\/\S+\/verify-email\?token=[A-Za-z0-9_-]+)/.exec(message);
  if (match === null) throw new Error(`no verification link in:\n${message}`);
  return new URL(match[1]);
}

describe('email verification and email change', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ env: { APP_URL: 'https://accounts.example.com/app/', MAIL_FROM: 'Accounts <accounts@example.com>' } });
  });

  afterAll(async () => {
    await t.close();
  });

  const me = async (cookie: string) =>
    (await request(t.http).get('/auth/me').set('Cookie', cookie).expect(200)).body as Record<string, unknown>;

  it('registration mails a single-use link under APP_URL; following it makes emailVerified true', async () => {
    const user = await registerUniqueUser(t, 'verify');
    const login = await sessionLogin(t.http, user);
    expect((await me(login.cookie)).emailVerified).toBe(false);
    expect((await me(login.cookie)).mfaEnabled).toBe(false);

    const message = await waitForMessage(t.config.mailOutboxDir, user.email);
    expect(message).toMatch(/^From: Accounts <accounts@example.com>$/m);
    const link = verifyLink(message);
    expect(`${link.origin}${link.pathname}`).toBe('https://accounts.example.com/app/verify-email');
    const token = link.searchParams.get('token') ?? '';
    expect(JSON.stringify(await t.query('SELECT * FROM email_tokens WHERE user_id = $1', [user.id]))).not.toContain(token);

    await request(t.http).post('/auth/email/verify').send({ token }).expect(204);
    expect((await me(login.cookie)).emailVerified).toBe(true);
    expect((await request(t.http).get('/auth/session/me').set('Cookie', login.cookie).expect(200)).body.emailVerified).toBe(true);

    const again = await request(t.http).post('/auth/email/verify').send({ token }).expect(401);
    expect(again.body.code).toBe('INVALID_EMAIL_TOKEN');
    expect(
      (
        await request(t.http)
          .post('/auth/email/verify')
          .send({ token: 'x'.repeat(43) })
          .expect(401)
      ).body.code,
    ).toBe('INVALID_EMAIL_TOKEN');
  });

  it('an expired link is 401 INVALID_EMAIL_TOKEN', async () => {
    const user = await registerUniqueUser(t, 'verifyexp');
    const token = verifyLink(await waitForMessage(t.config.mailOutboxDir, user.email)).searchParams.get('token') ?? '';
    await t.query(`UPDATE email_tokens SET expires_at = now() - interval '1 second' WHERE user_id = $1`, [user.id]);
    expect((await request(t.http).post('/auth/email/verify').send({ token }).expect(401)).body.code).toBe('INVALID_EMAIL_TOKEN');
  });

  it('resend: 202, a new link voids the previous one, at most one mail a minute', async () => {
    const user = await registerUniqueUser(t, 'resend');
    const first = verifyLink(await waitForMessage(t.config.mailOutboxDir, user.email)).searchParams.get('token') ?? '';
    const login = await sessionLogin(t.http, user);
    const resend = () => request(t.http).post('/auth/email/verify/resend').set('Cookie', login.cookie).set('X-CSRF-Token', login.csrfToken);

    await resend().expect(202);
    await sleep(300);
    expect(outboxMessagesTo(t.config.mailOutboxDir, user.email)).toHaveLength(1);

    await t.query(`UPDATE email_tokens SET created_at = now() - interval '2 minutes' WHERE user_id = $1`, [user.id]);
    await resend().expect(202);
    const second = verifyLink(await waitForMessage(t.config.mailOutboxDir, user.email, 2)).searchParams.get('token') ?? '';
    expect(second).not.toBe(first);
    await request(t.http).post('/auth/email/verify').send({ token: first }).expect(401);
    await request(t.http).post('/auth/email/verify').send({ token: second }).expect(204);
  });

  it('email change: link to the new address, notice to the old; nothing changes until the link is used; 409 when taken', async () => {
    const user = await registerUniqueUser(t, 'change');
    const other = await registerUniqueUser(t, 'changeother');
    const login = await sessionLogin(t.http, user);
    const change = (body: Record<string, string>) =>
      request(t.http).post('/auth/email/change').set('Cookie', login.cookie).set('X-CSRF-Token', login.csrfToken).send(body);

    await change({ newEmail: other.email.toUpperCase(), currentPassword: user.password }).expect(409);
    await change({ newEmail: 'new-address@example.net', currentPassword: 'not the password' }).expect(401);
    await change({ newEmail: `new-${user.username}@example.net`, currentPassword: user.password }).expect(202);

    const newAddress = `new-${user.username}@example.net`;
    const link = verifyLink(await waitForMessage(t.config.mailOutboxDir, newAddress));
    // The old address got the registration link, then the notice (which carries no link).
    const notice = await waitForMessage(t.config.mailOutboxDir, user.email, 2);
    expect(notice).toMatch(/change of your email address/i);
    expect(notice).not.toMatch(/token=/);
    expect((await me(login.cookie)).email).toBe(user.email);

    await request(t.http)
      .post('/auth/email/verify')
      .send({ token: link.searchParams.get('token') })
      .expect(204);
    const after = await me(login.cookie);
    expect(after.email).toBe(newAddress);
    expect(after.emailVerified).toBe(true);
    expect(await waitForMessage(t.config.mailOutboxDir, user.email, 3)).toMatch(/was changed/);
  });

  it('a registration of the address before the link is used: the link answers a clean 409, nothing changes', async () => {
    const user = await registerUniqueUser(t, 'race');
    const login = await sessionLogin(t.http, user);
    const newAddress = `raced-${user.username}@example.net`;
    await request(t.http)
      .post('/auth/email/change')
      .set('Cookie', login.cookie)
      .set('X-CSRF-Token', login.csrfToken)
      .send({ newEmail: newAddress, currentPassword: user.password })
      .expect(202);
    const token = verifyLink(await waitForMessage(t.config.mailOutboxDir, newAddress)).searchParams.get('token');
    await request(t.http)
      .post('/auth/register')
      .send({ username: `r${user.username}`.slice(0, 32), email: newAddress, password: user.password })
      .expect(201);

    const response = await request(t.http).post('/auth/email/verify').send({ token }).expect(409);
    expect(response.body.code).toBe('EMAIL_TAKEN');
    expect((await me(login.cookie)).email).toBe(user.email);
  });
});

describe('REQUIRE_EMAIL_VERIFICATION=true', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ env: { REQUIRE_EMAIL_VERIFICATION: 'true' } });
  });

  afterAll(async () => {
    await t.close();
  });

  it('unverified: the right password is 403 EMAIL_NOT_VERIFIED and creates nothing; a wrong one the ordinary 401; verified logs in', async () => {
    const user = await registerUniqueUser(t, 'required');
    for (const path of ['/auth/session/login', '/auth/jwt/login']) {
      const refused = await request(t.http).post(path).send({ username: user.username, password: user.password }).expect(403);
      expect(refused.body.code).toBe('EMAIL_NOT_VERIFIED');
      expect(refused.headers['set-cookie']).toBeUndefined();
      expect(refused.body.accessToken).toBeUndefined();
      const wrong = await request(t.http).post(path).send({ username: user.username, password: 'a wrong password!' }).expect(401);
      expect(wrong.body.code).toBe('INVALID_CREDENTIALS');
    }
    expect(await t.query('SELECT id FROM sessions WHERE user_id = $1', [user.id])).toEqual([]);
    expect(await t.query('SELECT id FROM refresh_families WHERE user_id = $1', [user.id])).toEqual([]);

    const token = verifyLink(await waitForMessage(t.config.mailOutboxDir, user.email)).searchParams.get('token');
    await request(t.http).post('/auth/email/verify').send({ token }).expect(204);
    await request(t.http).post('/auth/session/login').send({ username: user.username, password: user.password }).expect(200);
  });
});
