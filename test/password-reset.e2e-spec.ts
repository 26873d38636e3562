import request from 'supertest';
import { createTestApp, TestApp } from './utils/create-test-app';
import { outboxMessagesTo, resetLink, waitForMessage, RESET_SUBJECT } from './utils/outbox';
import { sessionLogin } from './utils/session-login';
import { TestUser, registerUniqueUser } from './utils/users';
import { sleep } from './utils/http';

describe('forgot and reset password', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ env: { APP_URL: 'https://example.com/accounts/' } });
  });

  afterAll(async () => {
    await t.close();
  });

  const forgot = (email: string) => request(t.http).post('/auth/password/forgot').set('Host', 'evil.example.net').send({ email });
  const reset = (token: string, newPassword: string) => request(t.http).post('/auth/password/reset').send({ token, newPassword });
  const loginStatus = async (username: string, password: string) =>
    (await request(t.http).post('/auth/session/login').send({ username, password })).status;

  async function requestToken(user: TestUser): Promise<string> {
    const before = outboxMessagesTo(t.config.mailOutboxDir, user.email, RESET_SUBJECT).length;
    expect((await forgot(user.email)).status).toBe(202);
    const link = resetLink(await waitForMessage(t.config.mailOutboxDir, user.email, before + 1, RESET_SUBJECT));
    return link.searchParams.get('token') ?? '';
  }

  it('answers an existing and an unknown email with the same status and body', async () => {
    const user = await registerUniqueUser(t);

    const known = await forgot(user.email);
    const unknown = await forgot('nobody@example.com');

    expect(known.status).toBe(202);
    expect(unknown.status).toBe(202);
    expect(known.text).toBe(unknown.text);
  });

  it('mails a link built from APP_URL (never from the Host header) with a single-use token', async () => {
    const user = await registerUniqueUser(t);
    await forgot(user.email);

    const link = resetLink(await waitForMessage(t.config.mailOutboxDir, user.email, 1, RESET_SUBJECT));

    expect(`${link.origin}${link.pathname}`).toBe('https://example.com/accounts/reset-password');
    expect(link.searchParams.get('token')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(outboxMessagesTo(t.config.mailOutboxDir, 'nobody@example.com')).toHaveLength(0);
  });

  it('sets the new password, ends every login, and the token works once', async () => {
    const user = await registerUniqueUser(t);
    const session = await sessionLogin(t.http, user);
    const token = await requestToken(user);

    expect((await reset(token, 'a brand new passphrase')).status).toBe(204);

    expect((await request(t.http).get('/auth/session/me').set('Cookie', session.cookie)).status).toBe(401);
    expect(await loginStatus(user.username, user.password)).toBe(401);
    expect(await loginStatus(user.username, 'a brand new passphrase')).toBe(200);
    const again = await reset(token, 'yet another passphrase');
    expect(again.status).toBe(401);
    expect(again.body.code).toBe('INVALID_RESET_TOKEN');
    expect(await loginStatus(user.username, 'yet another passphrase')).toBe(401);
  });

  it('refuses a new password the policy rejects without spending the token', async () => {
    const user = await registerUniqueUser(t);
    const token = await requestToken(user);

    const weak = await reset(token, 'password');
    expect(weak.status).toBe(400);
    expect(weak.body.code).toBe('WEAK_PASSWORD');

    expect((await reset(token, 'a much better passphrase')).status).toBe(204);
  });

  it('lets exactly one of 10 concurrent resets with one token through', async () => {
    const user = await registerUniqueUser(t);
    const token = await requestToken(user);

    const statuses = (await Promise.all(Array.from({ length: 10 }, (_, i) => reset(token, `concurrent passphrase ${i}`)))).map(
      (r) => r.status,
    );

    expect(statuses.filter((status) => status === 204)).toHaveLength(1);
    expect(statuses.filter((status) => status === 401)).toHaveLength(9);
  });

  it('answers 401 for an unknown token and 400 for a malformed one', async () => {
    expect((await reset('A'.repeat(43), 'a decent passphrase')).status).toBe(401);
    expect((await reset('not a token!', 'a decent passphrase')).status).toBe(400);
  });

  it('keeps only hashes of reset tokens, and an older link stops working when a new one is sent', async () => {
    const user = await registerUniqueUser(t);
    const first = await requestToken(user);
    await t.query("UPDATE password_reset_tokens SET created_at = now() - interval '2 minutes'");
    const second = await requestToken(user);

    const rows = await t.query<{ row: string }>('SELECT row_to_json(p)::text AS row FROM password_reset_tokens p');
    expect(rows.filter((row) => row.row.includes(first) || row.row.includes(second))).toEqual([]);
    expect((await reset(first, 'a decent passphrase')).status).toBe(401);
    expect((await reset(second, 'a decent passphrase')).status).toBe(204);
  });

  it('voids an unspent reset link when the password is changed', async () => {
    const user = await registerUniqueUser(t);
    const token = await requestToken(user);
    const session = await sessionLogin(t.http, user);

    await request(t.http)
      .post('/auth/password/change')
      .set('Cookie', session.cookie)
      .set('X-CSRF-Token', session.csrfToken)
      .send({ currentPassword: user.password, newPassword: 'changed before the link was used' })
      .expect(204);

    expect((await reset(token, 'an attacker-chosen passphrase')).status).toBe(401);
  });

  it('sends at most one mail a minute per account', async () => {
    const user = await registerUniqueUser(t);
    await requestToken(user);

    expect((await forgot(user.email)).status).toBe(202);
    await sleep(300);

    expect(outboxMessagesTo(t.config.mailOutboxDir, user.email, RESET_SUBJECT)).toHaveLength(1);
  });

  it('records the request and the reset in the audit log, without the token', async () => {
    const user = await registerUniqueUser(t);
    const token = await requestToken(user);
    await reset(token, 'an audited passphrase');

    const events = await t.query<{ type: string; row: string }>(
      'SELECT type, row_to_json(e)::text AS row FROM auth_events e WHERE user_id = $1',
      [user.id],
    );
    expect(events.map((event) => event.type)).toEqual(expect.arrayContaining(['password.reset_requested', 'password.reset']));
    expect(events.filter((event) => event.row.includes(token))).toEqual([]);
  });
});
