import request from 'supertest';
import { createTestApp, TestApp } from './utils/create-test-app';
import { sessionLogin, SessionLogin } from './utils/session-login';
import { TestUser, registerUniqueUser } from './utils/users';
import { cookiePair, setCookies } from './utils/http';
import { totpCode } from './utils/totp';

describe('two-factor authentication (TOTP and recovery codes)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });

  afterAll(async () => {
    await t.close();
  });

  interface Enrolled {
    readonly user: TestUser;
    readonly secret: string;
    readonly recoveryCodes: string[];
    readonly session: SessionLogin;
  }

  async function enroll(prefix: string): Promise<Enrolled> {
    const user = await registerUniqueUser(t, prefix);
    const session = await sessionLogin(t.http, user);
    const other = await sessionLogin(t.http, user);
    const post = (path: string) => request(t.http).post(path).set('Cookie', session.cookie).set('X-CSRF-Token', session.csrfToken);
    await post('/auth/mfa/totp/setup').send({ currentPassword: 'not the password' }).expect(401);
    const setup = await post('/auth/mfa/totp/setup').send({ currentPassword: user.password }).expect(200);
    const secret = setup.body.secret as string;
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(setup.body.otpauthUrl).toMatch(/^otpauth:\/\/totp\/.*secret=[A-Z2-7]+.*/);
    expect(setup.body.otpauthUrl).toMatch(/algorithm=SHA1/);
    const [row] = await t.query<{ totp_pending_secret: string; mfa_enabled: boolean }>(
      'SELECT totp_pending_secret, mfa_enabled FROM users WHERE id = $1',
      [user.id],
    );
    expect(row.mfa_enabled).toBe(false);
    expect(row.totp_pending_secret).not.toContain(secret);

    await post('/auth/mfa/totp/confirm')
      .send({ code: String((Number(totpCode(secret, 0)) + 1) % 1_000_000).padStart(6, '0') })
      .expect(401);
    const confirmed = await post('/auth/mfa/totp/confirm')
      .send({ code: totpCode(secret, 0) })
      .expect(200);
    const recoveryCodes = confirmed.body.recoveryCodes as string[];
    expect(recoveryCodes).toHaveLength(10);
    expect(new Set(recoveryCodes).size).toBe(10);
    // Every other login ended; this one goes on.
    await request(t.http).get('/auth/session/me').set('Cookie', other.cookie).expect(401);
    const me = await request(t.http).get('/auth/me').set('Cookie', session.cookie).expect(200);
    expect(me.body.mfaEnabled).toBe(true);
    const stored = JSON.stringify(await t.query('SELECT * FROM mfa_recovery_codes WHERE user_id = $1', [user.id]));
    for (const code of recoveryCodes) expect(stored).not.toContain(code);
    // The confirming code's step is spent: wait for the next step before logging in with a fresh code.
    await t.query('UPDATE users SET totp_last_step = totp_last_step - 3 WHERE id = $1', [user.id]);
    return { user, secret, recoveryCodes, session };
  }

  const loginBody = (user: TestUser, extra: Record<string, unknown> = {}) => ({
    username: user.username,
    password: user.password,
    ...extra,
  });

  async function challenge(path: string, user: TestUser, extra: Record<string, unknown> = {}): Promise<string> {
    const response = await request(t.http).post(path).send(loginBody(user, extra)).expect(401);
    expect(response.body.code).toBe('MFA_REQUIRED');
    expect(typeof response.body.mfaToken).toBe('string');
    expect(response.headers['set-cookie']).toBeUndefined();
    expect(response.body.accessToken).toBeUndefined();
    expect(response.body.refreshToken).toBeUndefined();
    return response.body.mfaToken as string;
  }

  const verify = (mfaToken: string, code: string) => request(t.http).post('/auth/mfa/verify').send({ mfaToken, code });

  it('session login: 401 MFA_REQUIRED with no cookie and no session, then verify answers {user, csrfToken} and sid', async () => {
    const { user, secret } = await enroll('mfasession');
    const sessionsBefore = await t.query('SELECT id FROM sessions WHERE user_id = $1', [user.id]);
    const wrong = await request(t.http)
      .post('/auth/session/login')
      .send(loginBody(user, { password: 'wrong password!' }))
      .expect(401);
    expect(wrong.body.code).toBe('INVALID_CREDENTIALS');
    expect(wrong.body.mfaToken).toBeUndefined();

    const mfaToken = await challenge('/auth/session/login', user);
    expect(await t.query('SELECT id FROM sessions WHERE user_id = $1', [user.id])).toHaveLength(sessionsBefore.length);

    const code = totpCode(secret, 0);
    const done = await verify(mfaToken, code).expect(200);
    expect(done.body.user.username).toBe(user.username);
    expect(done.body.user.mfaEnabled).toBe(true);
    expect(typeof done.body.csrfToken).toBe('string');
    await request(t.http).get('/auth/session/me').set('Cookie', cookiePair(done, 'sid')).expect(200);

    // The token is spent; and the same code on a new challenge is a replay.
    await verify(mfaToken, totpCode(secret, 1)).expect(401);
    const replay = await verify(await challenge('/auth/session/login', user), code).expect(401);
    expect(replay.body.code).toBe('INVALID_MFA_CODE');
  });

  it('JWT body and cookie logins complete exactly as the login would have answered', async () => {
    const { user, secret } = await enroll('mfajwt');
    const bodyToken = await challenge('/auth/jwt/login', user);
    expect(await t.query('SELECT id FROM refresh_families WHERE user_id = $1', [user.id])).toEqual([]);
    const pair = await verify(bodyToken, totpCode(secret, -1)).expect(200);
    expect(pair.body).toEqual(
      expect.objectContaining({ tokenType: 'Bearer', accessToken: expect.any(String), refreshToken: expect.any(String) }),
    );
    expect(pair.headers['set-cookie']).toBeUndefined();
    await request(t.http).get('/auth/jwt/me').set('Authorization', `Bearer ${pair.body.accessToken}`).expect(200);

    const cookieToken = await challenge('/auth/jwt/login', user, { transport: 'cookie' });
    const cookies = await verify(cookieToken, totpCode(secret, 0)).expect(200);
    expect(cookies.body.accessToken).toBeUndefined();
    expect(typeof cookies.body.csrfToken).toBe('string');
    expect([...setCookies(cookies).keys()].sort()).toEqual(['access_token', 'csrf_token', 'refresh_token']);
    await request(t.http).get('/auth/jwt/me').set('Cookie', cookiePair(cookies, 'access_token')).expect(200);
  });

  it('a recovery code works once', async () => {
    const { user, recoveryCodes } = await enroll('mfarecovery');
    await verify(await challenge('/auth/jwt/login', user), recoveryCodes[0].toUpperCase()).expect(200);
    const again = await verify(await challenge('/auth/jwt/login', user), recoveryCodes[0]).expect(401);
    expect(again.body.code).toBe('INVALID_MFA_CODE');
    await verify(await challenge('/auth/jwt/login', user), recoveryCodes[1]).expect(200);
    const events = await t.query<{ type: string }>("SELECT type FROM auth_events WHERE user_id = $1 AND type LIKE 'mfa.%'", [user.id]);
    expect(events.map((event) => event.type)).toEqual(expect.arrayContaining(['mfa.enabled', 'mfa.recovery_code_used', 'mfa.failed']));
  });

  it('after 5 wrong codes the mfaToken is dead, even for the right code', async () => {
    const { user, secret } = await enroll('mfawrong');
    const mfaToken = await challenge('/auth/session/login', user);
    for (let i = 0; i < 5; i++) expect((await verify(mfaToken, '000000').expect(401)).body.code).toBe('INVALID_MFA_CODE');
    await verify(mfaToken, totpCode(secret, 0)).expect(401);
    expect(
      await t.query('SELECT id FROM sessions WHERE user_id = $1 AND id <> $2', [user.id, '00000000-0000-0000-0000-000000000000']),
    ).toHaveLength(1);
  });

  it('concurrent verifies with one mfaToken yield exactly one login', async () => {
    const { user, secret, recoveryCodes } = await enroll('mfarace');
    const mfaToken = await challenge('/auth/jwt/login', user);
    const codes = [totpCode(secret, 0), ...recoveryCodes.slice(0, 5), totpCode(secret, 1), totpCode(secret, -1)];
    const responses = await Promise.all(codes.map((code) => verify(mfaToken, code)));
    expect(responses.filter((response) => response.status === 200)).toHaveLength(1);
    expect(responses.every((response) => response.status === 200 || response.status === 401)).toBe(true);
    expect(await t.query('SELECT id FROM refresh_families WHERE user_id = $1', [user.id])).toHaveLength(1);
  });

  it('recovery codes can be regenerated and MFA disabled, each with the password and a code; admin can turn it off', async () => {
    const { user, secret, recoveryCodes, session } = await enroll('mfamanage');
    const post = (path: string) => request(t.http).post(path).set('Cookie', session.cookie).set('X-CSRF-Token', session.csrfToken);
    await post('/auth/mfa/recovery-codes').send({ currentPassword: user.password, code: '000000' }).expect(401);
    const fresh = await post('/auth/mfa/recovery-codes')
      .send({ currentPassword: user.password, code: totpCode(secret, 0) })
      .expect(200);
    expect(fresh.body.recoveryCodes).toHaveLength(10);
    await verify(await challenge('/auth/jwt/login', user), recoveryCodes[2]).expect(401);

    await post('/auth/mfa/disable').send({ currentPassword: user.password, code: fresh.body.recoveryCodes[0] }).expect(204);
    expect((await request(t.http).get('/auth/me').set('Cookie', session.cookie).expect(200)).body.mfaEnabled).toBe(false);
    await request(t.http).post('/auth/jwt/login').send(loginBody(user)).expect(200);

    const again = await enroll('mfaadmin');
    const admin = await registerUniqueUser(t, 'mfaadminuser');
    await t.query(`UPDATE users SET roles = '{user,admin}' WHERE id = $1`, [admin.id]);
    const adminSession = await sessionLogin(t.http, admin);
    await request(t.http)
      .delete(`/admin/users/${again.user.id}/mfa`)
      .set('Cookie', adminSession.cookie)
      .set('X-CSRF-Token', adminSession.csrfToken)
      .expect(204);
    await request(t.http).get('/auth/session/me').set('Cookie', again.session.cookie).expect(401);
    await request(t.http).post('/auth/session/login').send(loginBody(again.user)).expect(200);
  });

  it('closing an account with MFA on needs a code', async () => {
    const { user, secret, session } = await enroll('mfaclose');
    const close = (body: Record<string, string>) =>
      request(t.http).delete('/auth/account').set('Cookie', session.cookie).set('X-CSRF-Token', session.csrfToken).send(body);
    expect((await close({ currentPassword: user.password }).expect(401)).body.code).toBe('INVALID_MFA_CODE');
    await close({ currentPassword: user.password, code: totpCode(secret, 0) }).expect(204);
    expect(await t.query('SELECT id FROM users WHERE id = $1', [user.id])).toEqual([]);
  });
});
