import { randomBytes } from 'node:crypto';
import { startTestServer, TestServer } from './utils/test-server';
import { accessClaims, decode, kid, login, me, refresh, signWith } from './utils/jwt-helpers';
import { TestUser, registerUser } from './utils/users';

// Three differently configured instances on one database, each in its own process, as production runs them.
describe('JWT_SECRET rotation', () => {
  const newSecret = randomBytes(32).toString('hex');
  const oldSecret = randomBytes(32).toString('hex');
  const pepper = randomBytes(32).toString('hex');
  let before: TestServer;
  let during: TestServer;
  let after: TestServer;
  let user: TestUser;

  beforeAll(async () => {
    during = await startTestServer({ env: { JWT_SECRET: `${newSecret},${oldSecret}`, PASSWORD_PEPPER: pepper } });
    [before, after] = await Promise.all([
      startTestServer({ database: during.database, env: { JWT_SECRET: oldSecret, PASSWORD_PEPPER: pepper } }),
      startTestServer({ database: during.database, env: { JWT_SECRET: newSecret, PASSWORD_PEPPER: pepper } }),
    ]);
    user = await registerUser(during, 'rotating');
  }, 90_000);

  afterAll(async () => {
    await Promise.all([before?.close(), after?.close()]);
    await during?.close();
  }, 30_000);

  it('signs with the first secret and names it by kid', async () => {
    const { accessToken } = await login(during, 'rotating');

    expect(decode(accessToken).header.kid).toBe(kid(newSecret));
  });

  it('still verifies a token signed with the second secret', async () => {
    const issuedBeforeRotation = await login(before, 'rotating');
    expect(decode(issuedBeforeRotation.accessToken).header.kid).toBe(kid(oldSecret));

    expect((await me(during, issuedBeforeRotation.accessToken)).status).toBe(200);
    expect((await me(during, signWith(accessClaims(during, user.id), oldSecret, { kid: kid(oldSecret) }))).status).toBe(200);
  });

  it('refuses a token of the second secret once it is removed, and keeps the first', async () => {
    const old = await login(before, 'rotating');
    const current = await login(during, 'rotating');

    const refused = await me(after, old.accessToken);
    expect(refused.status).toBe(401);
    expect(refused.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
    expect((await me(after, current.accessToken)).status).toBe(200);
  });

  it('refuses a token signed with one secret under the kid of another', async () => {
    expect((await me(during, signWith(accessClaims(during, user.id), oldSecret, { kid: kid(newSecret) }))).status).toBe(401);
  });

  it('does not log anyone out: a refresh token of the old key still rotates, into a token of the new key', async () => {
    const old = await login(before, 'rotating');

    const response = await refresh(after, old.refreshToken);

    expect(response.status).toBe(200);
    expect(decode(response.body.accessToken).header.kid).toBe(kid(newSecret));
    expect((await me(after, response.body.accessToken)).status).toBe(200);
  });
});
