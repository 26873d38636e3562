import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { sessionLogin } from './utils/session-login';
import { startTestServer, TestServer } from './utils/test-server';
import { totpCode } from './utils/totp';
import { TestUser, registerUniqueUser } from './utils/users';

// TOTP secrets across a JWT_SECRET rotation: instances before, during and after it on one database, each in its own process.
describe('TOTP secrets across a JWT_SECRET rotation', () => {
  const newSecret = randomBytes(32).toString('hex');
  const oldSecret = randomBytes(32).toString('hex');
  const pepper = randomBytes(32).toString('hex');
  let before: TestServer;
  const started: TestServer[] = [];

  const start = async (jwtSecret: string) => {
    const server = await startTestServer({
      database: before?.database,
      env: { JWT_SECRET: jwtSecret, PASSWORD_PEPPER: pepper, LOG_LEVEL: 'info' },
    });
    started.push(server);
    return server;
  };

  beforeAll(async () => {
    before = await start(oldSecret);
  }, 60_000);

  afterAll(async () => {
    // `before` owns the database: it goes last.
    for (const server of started.reverse()) await server.close();
  }, 60_000);

  async function enroll(server: TestServer, prefix: string): Promise<{ user: TestUser; secret: string }> {
    const user = await registerUniqueUser(server, prefix);
    const session = await sessionLogin(server.http, user);
    const post = (path: string) => request(server.http).post(path).set('Cookie', session.cookie).set('X-CSRF-Token', session.csrfToken);
    const setup = await post('/auth/mfa/totp/setup').send({ currentPassword: user.password }).expect(200);
    const secret = setup.body.secret as string;
    await post('/auth/mfa/totp/confirm')
      .send({ code: totpCode(secret) })
      .expect(200);
    return { user, secret };
  }

  const keyIdOf = async (user: TestUser) => {
    const [row] = await before.query<{ totp_secret: string }>('SELECT totp_secret FROM users WHERE id = $1', [user.id]);
    return row.totp_secret.split('.')[1];
  };

  /** A JWT login through the second factor; the user's last spent step is cleared first, so the current code is fresh. */
  async function mfaLogin(server: TestServer, user: TestUser, secret: string) {
    await before.query('UPDATE users SET totp_last_step = NULL WHERE id = $1', [user.id]);
    const challenge = await request(server.http)
      .post('/auth/jwt/login')
      .send({ username: user.username, password: user.password })
      .expect(401);
    expect(challenge.body.code).toBe('MFA_REQUIRED');
    return request(server.http)
      .post('/auth/mfa/verify')
      .send({ mfaToken: challenge.body.mfaToken, code: totpCode(secret) });
  }

  async function eventually(check: () => Promise<boolean>): Promise<void> {
    for (let attempt = 0; attempt < 100 && !(await check()); attempt++) await new Promise((resolve) => setTimeout(resolve, 100));
  }

  it('moves every secret under the new key, at start and on use, so the old JWT_SECRET can go', async () => {
    const enrolledBefore = await enroll(before, 'totpold');
    const oldKeyId = await keyIdOf(enrolledBefore.user);

    const during = await start(`${newSecret},${oldSecret}`);
    await eventually(async () => (await keyIdOf(enrolledBefore.user)) !== oldKeyId);
    const newKeyId = await keyIdOf(enrolledBefore.user);
    expect(newKeyId).not.toBe(oldKeyId);
    expect(during.output()).toContain('Re-encrypted 1 TOTP secret(s) under the first JWT_SECRET');

    // Written by an instance still on the old list after the sweep: moved when it is next used.
    const enrolledDuring = await enroll(before, 'totpmid');
    expect(await keyIdOf(enrolledDuring.user)).toBe(oldKeyId);
    expect((await mfaLogin(during, enrolledDuring.user, enrolledDuring.secret)).status).toBe(200);
    expect(await keyIdOf(enrolledDuring.user)).toBe(newKeyId);

    // Never used while both keys were configured: unreadable once the old one is gone, and said so at start.
    const neverUsed = await enroll(before, 'totpidle');
    const after = await start(newSecret);
    expect((await mfaLogin(after, enrolledBefore.user, enrolledBefore.secret)).status).toBe(200);
    expect((await mfaLogin(after, enrolledDuring.user, enrolledDuring.secret)).status).toBe(200);
    const refused = await mfaLogin(after, neverUsed.user, neverUsed.secret);
    expect(refused.status).toBe(401);
    expect(refused.body.code).toBe('INVALID_MFA_CODE');
    expect(await keyIdOf(neverUsed.user)).toBe(oldKeyId);
    await eventually(async () => after.output().includes('are under a JWT_SECRET no longer configured'));
    expect(after.output()).toContain('1 TOTP secret(s) are under a JWT_SECRET no longer configured');
  }, 90_000);
});
