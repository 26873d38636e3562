import request from 'supertest';
import { createTestApp, TestApp } from './utils/create-test-app';
import { outboxMessagesTo, resetLink, waitForMessage, RESET_SUBJECT } from './utils/outbox';
import { sessionLogin, SessionLogin } from './utils/session-login';
import { TestUser, registerUniqueUser } from './utils/users';

const ADMIN = { username: 'chief', email: 'chief@example.com', password: 'the chief admin passphrase' };

describe('administration', () => {
  let t: TestApp;
  let admin: SessionLogin;

  beforeAll(async () => {
    t = await createTestApp({
      env: { BOOTSTRAP_ADMIN_USERNAME: ADMIN.username, BOOTSTRAP_ADMIN_EMAIL: ADMIN.email, BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password },
    });
    admin = await sessionLogin(t.http, ADMIN);
  });

  afterAll(async () => {
    await t.close();
  });

  const asAdmin = (call: request.Test) => call.set('Cookie', admin.cookie).set('X-CSRF-Token', admin.csrfToken);
  const jwtLogin = async (user: Pick<TestUser, 'username' | 'password'>) =>
    (await request(t.http).post('/auth/jwt/login').send({ username: user.username, password: user.password })).body as {
      accessToken: string;
      refreshToken: string;
    };
  const bearer = (call: request.Test, accessToken: string) => call.set('Authorization', `Bearer ${accessToken}`);

  describe('access', () => {
    it('answers 401 to anonymous requests and 403 to a user without the admin role', async () => {
      const user = await registerUniqueUser(t);
      const { accessToken } = await jwtLogin(user);
      const session = await sessionLogin(t.http, user);

      expect((await request(t.http).get('/admin/users')).status).toBe(401);
      expect((await bearer(request(t.http).get('/admin/users'), accessToken)).status).toBe(403);
      expect((await request(t.http).get('/admin/audit').set('Cookie', session.cookie)).status).toBe(403);
    });

    it('refuses a user setting their own roles (403) and changes nothing', async () => {
      const user = await registerUniqueUser(t);
      const { accessToken } = await jwtLogin(user);

      const response = await bearer(request(t.http).put(`/admin/users/${user.id}/roles`), accessToken).send({ roles: ['user', 'admin'] });

      expect(response.status).toBe(403);
      expect(await t.query('SELECT roles FROM users WHERE id = $1', [user.id])).toEqual([{ roles: ['user'] }]);
    });
  });

  describe('GET /admin/users', () => {
    it('pages the users with their total', async () => {
      await registerUniqueUser(t);
      const [{ count }] = await t.query<{ count: string }>('SELECT count(*)::text AS count FROM users');

      const page = await asAdmin(request(t.http).get('/admin/users?limit=2&offset=1'));

      expect(page.status).toBe(200);
      expect(page.body.total).toBe(Number(count));
      expect(page.body.items).toHaveLength(2);
      expect(Object.keys(page.body.items[0]).sort()).toEqual([
        'createdAt',
        'disabled',
        'email',
        'emailVerified',
        'id',
        'mfaEnabled',
        'roles',
        'username',
      ]);
    });

    it.each(['limit=0', 'limit=101', 'limit=abc', 'offset=-1', 'limit=1.5', 'extra=1', 'offset=1e21', 'offset=99999999999999999999'])(
      'answers 400 for %s',
      async (query) => {
        expect((await asAdmin(request(t.http).get(`/admin/users?${query}`))).status).toBe(400);
      },
    );
  });

  describe('disable and enable', () => {
    it('ends every login of the user at once and refuses login like a wrong password; enable restores login', async () => {
      const user = await registerUniqueUser(t);
      const session = await sessionLogin(t.http, user);
      const tokens = await jwtLogin(user);
      await request(t.http).post('/auth/password/forgot').send({ email: user.email }).expect(202);
      await waitForMessage(t.config.mailOutboxDir, user.email, 1, RESET_SUBJECT);

      expect((await asAdmin(request(t.http).post(`/admin/users/${user.id}/disable`))).status).toBe(204);

      expect((await request(t.http).get('/auth/session/me').set('Cookie', session.cookie)).status).toBe(401);
      expect((await bearer(request(t.http).get('/auth/jwt/me'), tokens.accessToken)).status).toBe(401);
      expect((await request(t.http).post('/auth/jwt/refresh').send({ refreshToken: tokens.refreshToken })).status).toBe(401);
      const disabledLogin = await request(t.http).post('/auth/session/login').send({ username: user.username, password: user.password });
      const wrongPassword = await request(t.http)
        .post('/auth/session/login')
        .send({ username: user.username, password: 'not the password' });
      expect(disabledLogin.status).toBe(401);
      expect(disabledLogin.text).toBe(wrongPassword.text);

      expect(await t.query('SELECT id FROM password_reset_tokens WHERE user_id = $1 AND used_at IS NULL', [user.id])).toEqual([]);

      expect((await asAdmin(request(t.http).post(`/admin/users/${user.id}/enable`))).status).toBe(204);
      expect((await request(t.http).post('/auth/session/login').send({ username: user.username, password: user.password })).status).toBe(
        200,
      );
    });

    it('answers 404 for an unknown user, 400 for a malformed id, 409 for disabling oneself', async () => {
      const [{ id: adminId }] = await t.query<{ id: string }>('SELECT id FROM users WHERE username = $1', [ADMIN.username]);

      expect((await asAdmin(request(t.http).post('/admin/users/00000000-0000-4000-8000-000000000000/disable'))).status).toBe(404);
      expect((await asAdmin(request(t.http).post('/admin/users/nope/disable'))).status).toBe(400);
      const self = await asAdmin(request(t.http).post(`/admin/users/${adminId}/disable`));
      expect(self.status).toBe(409);
      expect((await asAdmin(request(t.http).get('/admin/users'))).status).toBe(200);
    });

    it('needs the CSRF token when the admin uses a session', async () => {
      const user = await registerUniqueUser(t);

      const response = await request(t.http).post(`/admin/users/${user.id}/disable`).set('Cookie', admin.cookie);

      expect(response.status).toBe(403);
      expect(await t.query('SELECT disabled FROM users WHERE id = $1', [user.id])).toEqual([{ disabled: false }]);
    });
  });

  describe('roles', () => {
    it('applies a demotion at once: 403 on /admin through the session and through an access token issued before', async () => {
      const deputy = await registerUniqueUser(t, 'deputy');
      expect((await asAdmin(request(t.http).put(`/admin/users/${deputy.id}/roles`)).send({ roles: ['user', 'admin'] })).status).toBe(200);
      const session = await sessionLogin(t.http, deputy);
      const tokens = await jwtLogin(deputy);
      expect((await request(t.http).get('/admin/users').set('Cookie', session.cookie)).status).toBe(200);
      expect((await bearer(request(t.http).get('/admin/users'), tokens.accessToken)).status).toBe(200);

      const demoted = await asAdmin(request(t.http).put(`/admin/users/${deputy.id}/roles`)).send({ roles: ['user'] });
      expect(demoted.status).toBe(200);
      expect(demoted.body).toEqual({
        id: deputy.id,
        username: deputy.username,
        email: deputy.email,
        roles: ['user'],
        createdAt: expect.any(String),
        emailVerified: false,
        mfaEnabled: false,
      });

      expect((await request(t.http).get('/admin/users').set('Cookie', session.cookie)).status).toBe(403);
      expect((await bearer(request(t.http).get('/admin/users'), tokens.accessToken)).status).toBe(403);
      const refreshed = await request(t.http).post('/auth/jwt/refresh').send({ refreshToken: tokens.refreshToken });
      const claims = JSON.parse(Buffer.from(refreshed.body.accessToken.split('.')[1], 'base64url').toString()) as { roles: string[] };
      expect(claims.roles).toEqual(['user']);
    });

    it('applies a promotion at once to an existing session', async () => {
      const user = await registerUniqueUser(t, 'rising');
      const session = await sessionLogin(t.http, user);
      expect((await request(t.http).get('/admin/users').set('Cookie', session.cookie)).status).toBe(403);

      await asAdmin(request(t.http).put(`/admin/users/${user.id}/roles`))
        .send({ roles: ['user', 'admin'] })
        .expect(200);

      expect((await request(t.http).get('/admin/users').set('Cookie', session.cookie)).status).toBe(200);
    });

    it.each([
      ['an empty list', { roles: [] }],
      ['a malformed role', { roles: ['Admin!'] }],
      ['a non-array', { roles: 'admin' }],
      ['an unknown property', { roles: ['user'], disabled: true }],
    ])('answers 400 for %s', async (_label, body) => {
      const user = await registerUniqueUser(t);

      expect((await asAdmin(request(t.http).put(`/admin/users/${user.id}/roles`)).send(body)).status).toBe(400);
      expect(await t.query('SELECT roles FROM users WHERE id = $1', [user.id])).toEqual([{ roles: ['user'] }]);
    });
  });

  describe('GET /admin/audit', () => {
    it('holds every listed event, newest first, and no secret', async () => {
      const user = await registerUniqueUser(t, 'audited');
      const session = await sessionLogin(t.http, user);
      await request(t.http).post('/auth/session/login').send({ username: user.username, password: 'a wrong password' });
      const tokens = await jwtLogin(user);
      const rotated = await request(t.http).post('/auth/jwt/refresh').send({ refreshToken: tokens.refreshToken });
      await request(t.http).post('/auth/jwt/refresh').send({ refreshToken: tokens.refreshToken });
      await request(t.http).post('/auth/session/logout').set('Cookie', session.cookie).set('X-CSRF-Token', session.csrfToken);
      const second = await jwtLogin(user);
      await bearer(request(t.http).post('/auth/password/change'), second.accessToken).send({
        currentPassword: user.password,
        newPassword: 'changed for the audit',
      });
      await request(t.http).post('/auth/password/forgot').send({ email: user.email });
      const message = await waitForMessage(t.config.mailOutboxDir, user.email, 1, RESET_SUBJECT);
      const resetToken = resetLink(message).searchParams.get('token') ?? '';
      await request(t.http).post('/auth/password/reset').send({ token: resetToken, newPassword: 'reset for the audit' });
      const third = await jwtLogin({ username: user.username, password: 'reset for the audit' });
      await bearer(request(t.http).post('/auth/logout-all'), third.accessToken);
      await asAdmin(request(t.http).post(`/admin/users/${user.id}/disable`));
      await asAdmin(request(t.http).post(`/admin/users/${user.id}/enable`));
      await asAdmin(request(t.http).put(`/admin/users/${user.id}/roles`)).send({ roles: ['user', 'auditor'] });

      const response = await asAdmin(request(t.http).get(`/admin/audit?userId=${user.id}&limit=100`));

      expect(response.status).toBe(200);
      const types = (response.body as Array<{ type: string }>).map((event) => event.type);
      expect(new Set(types)).toEqual(
        new Set([
          'register',
          'login.succeeded',
          'login.failed',
          'refresh.reuse_detected',
          'logout',
          'password.changed',
          'password.reset_requested',
          'password.reset',
          'logout_all',
          'user.disabled',
          'user.enabled',
          'user.roles_changed',
          'email.verification_sent',
        ]),
      );
      const times = (response.body as Array<{ createdAt: string }>).map((event) => event.createdAt);
      expect([...times].sort().reverse()).toEqual(times);
      expect(response.body[0]).toMatchObject({ type: 'user.roles_changed', actorId: expect.any(String), ip: expect.any(String) });
      const everything = JSON.stringify(await t.query('SELECT * FROM auth_events'));
      for (const secret of [
        user.password,
        'changed for the audit',
        'reset for the audit',
        tokens.refreshToken,
        rotated.body.refreshToken,
        tokens.accessToken,
        resetToken,
        session.csrfToken,
      ]) {
        expect(everything).not.toContain(secret);
      }
      expect(outboxMessagesTo(t.config.mailOutboxDir, user.email, RESET_SUBJECT)).toHaveLength(1);

      const filtered = await asAdmin(request(t.http).get(`/admin/audit?userId=${user.id}&type=login.failed`));
      expect(filtered.body.map((event: { type: string }) => event.type)).toEqual(['login.failed']);
      expect((await asAdmin(request(t.http).get('/admin/audit?limit=0'))).status).toBe(400);
      expect((await asAdmin(request(t.http).get('/admin/audit?userId=nope'))).status).toBe(400);
    });
  });
});
