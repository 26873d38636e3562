import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import request from 'supertest';
import { createTestApp, TestApp } from './utils/create-test-app';
import { accessClaims, base64url as b64, kid, login, refresh, signWith } from './utils/jwt-helpers';
import { TestUser, registerUser } from './utils/users';

const INVALID_TOKEN_CHALLENGE = 'Bearer error="invalid_token"';

describe('JwtGuard against forged and malformed tokens', () => {
  let t: TestApp;
  let user: TestUser;
  let secret: string;
  let validKid: string;

  beforeAll(async () => {
    t = await createTestApp();
    user = await registerUser(t, 'victim');
    secret = t.config.jwtSecrets[0] ?? '';
    validKid = kid(secret);
  });

  afterAll(async () => {
    await t.close();
  });

  const claims = (overrides: Record<string, unknown> = {}) => accessClaims(t, user.id, overrides);
  const sign = (overrides: Record<string, unknown> = {}) => signWith(claims(overrides), secret, { kid: validKid });
  const withBearer = (token: string) => request(t.http).get('/auth/jwt/me').set('Authorization', `Bearer ${token}`);

  async function expectRefused(token: string): Promise<void> {
    const response = await withBearer(token);
    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toBe(INVALID_TOKEN_CHALLENGE);
    expect(response.body).toEqual({ statusCode: 401, code: 'INVALID_TOKEN', message: 'Invalid or expired access token' });
  }

  it('accepts a token the test signs itself with the right key and claims (control for every case below)', async () => {
    const response = await withBearer(sign());

    expect(response.status).toBe(200);
    expect(response.body.id).toBe(user.id);
  });

  it.each(['none', 'None', 'NONE', 'nOnE'])('refuses alg "%s" with and without a signature', async (alg) => {
    const unsigned = `${b64({ alg, typ: 'JWT', kid: validKid })}.${b64(claims())}`;

    await expectRefused(`${unsigned}.`);
    await expectRefused(unsigned);
    await expectRefused(`${unsigned}.${randomBytes(32).toString('base64url')}`);
  });

  it.each(['HS384', 'HS512'] as const)('refuses %s even when signed with the right secret', async (algorithm) => {
    await expectRefused(signWith(claims(), secret, { algorithm, kid: validKid }));
  });

  it('refuses an RS256 token, whatever key it names', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

    await expectRefused(signWith(claims(), privateKey, { algorithm: 'RS256', kid: validKid }));
    await expectRefused(signWith(claims(), privateKey, { algorithm: 'RS256' }));
  });

  it('refuses an HS256 token signed with another secret under the right kid', async () => {
    await expectRefused(signWith(claims(), randomBytes(32).toString('hex'), { kid: validKid }));
  });

  it('refuses a token whose payload was changed after signing', async () => {
    const [header, , signature] = sign().split('.');

    await expectRefused(`${header}.${b64(claims({ roles: ['admin'] }))}.${signature}`);
  });

  it('refuses a token whose header was changed after signing', async () => {
    const [, payload, signature] = sign().split('.');

    await expectRefused(`${b64({ alg: 'HS256', typ: 'JWT', kid: validKid, x: 1 })}.${payload}.${signature}`);
  });

  it('refuses a token with its signature stripped', async () => {
    const [header, payload] = sign().split('.');

    await expectRefused(`${header}.${payload}.`);
    await expectRefused(`${header}.${payload}`);
  });

  it.each([
    ['a wrong issuer', { iss: 'someone-else' }],
    ['a wrong audience', { aud: 'another-api' }],
    ['typ "refresh"', { typ: 'refresh' }],
    ['no typ', { typ: undefined }],
    ['no exp', { exp: undefined }],
    ['no iat', { iat: undefined }],
    ['no jti', { jti: undefined }],
    ['no sid', { sid: undefined }],
    ['a sub that is not a user id', { sub: 'admin' }],
    ['an nbf in the future', { nbf: Math.floor(Date.now() / 1000) + 60 }],
    ['an exp in the past', { iat: Math.floor(Date.now() / 1000) - 120, exp: Math.floor(Date.now() / 1000) - 60 }],
    [
      'an iat an hour ahead (it would outlive every logout-all until then)',
      { iat: Math.floor(Date.now() / 1000) + 3600, exp: Math.floor(Date.now() / 1000) + 3660 },
    ],
  ])('refuses a correctly signed token with %s', async (_label, overrides) => {
    await expectRefused(sign(overrides));
  });

  it("accepts an iat a few seconds ahead: instances' clocks differ a little", async () => {
    expect((await withBearer(sign({ iat: Math.floor(Date.now() / 1000) + 5 }))).status).toBe(200);
  });

  it('accepts an nbf in the past (honoured, not forbidden)', async () => {
    expect((await withBearer(sign({ nbf: Math.floor(Date.now() / 1000) - 5 }))).status).toBe(200);
  });

  it('refuses an unknown kid and a missing kid', async () => {
    await expectRefused(signWith(claims(), secret, { kid: kid('a secret this service never had') }));
    await expectRefused(signWith(claims(), secret));
  });

  it.each([
    ['a path as kid', '../../../../dev/null'],
    ['a prototype key as kid', '__proto__'],
  ])('refuses %s', async (_label, badKid) => {
    await expectRefused(signWith(claims(), '', { kid: badKid }).replace(/\.[^.]*$/, '.'));
    await expectRefused(signWith(claims(), secret, { kid: badKid }));
  });

  it.each([
    ['a word', 'garbage'],
    ['three empty parts', '..'],
    ['three junk parts', 'a.b.c'],
    ['non-JSON base64 parts', `${Buffer.from('{not json').toString('base64url')}.${Buffer.from('x').toString('base64url')}.sig`],
    ['percent signs', '%%%.%%%.%%%'],
    ['a 10 kB string', 'x'.repeat(10_000)],
    ['a 10 kB three-part string', `${'a'.repeat(4000)}.${'b'.repeat(4000)}.${'c'.repeat(2000)}`],
  ])('refuses %s', async (_label, token) => {
    await expectRefused(token);
  });

  it('refuses an empty Bearer and another scheme as invalid, not as missing', async () => {
    for (const header of ['Bearer ', 'Bearer', 'Basic dXNlcjpwYXNz', `Token ${sign()}`]) {
      const response = await request(t.http).get('/auth/jwt/me').set('Authorization', header);
      expect(response.status).toBe(401);
      expect(response.headers['www-authenticate']).toBe(INVALID_TOKEN_CHALLENGE);
    }
  });

  it('never gets a 100 kB Authorization header to the app: the HTTP server refuses it (431)', async () => {
    const response = await withBearer('x'.repeat(100_000)).catch((error: unknown) => error);

    // Node's 16 kB header limit answers 431 and closes the socket; either way, never a 2xx or 5xx.
    const status = (response as { status?: number }).status;
    expect(status === undefined || status === 431).toBe(true);
  });

  it('refuses a refresh token presented as a Bearer token', async () => {
    const { refreshToken } = await login(t, 'victim');

    await expectRefused(refreshToken);
  });

  it('refuses an access token presented as a refresh token', async () => {
    const { accessToken } = await login(t, 'victim');
    const response = await refresh(t, accessToken);

    expect(response.status).toBe(401);
    expect(response.body.code).toBe('INVALID_TOKEN');
    expect((await refresh(t, sign())).status).toBe(401);
  });

  it.each([
    ['garbage', 'garbage'],
    ['a 90 kB string', 'r'.repeat(90_000)],
    ['a well-formed token nobody issued', randomBytes(32).toString('base64url')],
  ])('refuses %s as a refresh token with 401', async (_label, refreshToken) => {
    const response = await refresh(t, refreshToken);

    expect(response.status).toBe(401);
    expect(response.body).toEqual({ statusCode: 401, code: 'INVALID_TOKEN', message: 'Invalid or expired refresh token' });
  });

  it('never echoes a library message in the error body', async () => {
    const bodies = await Promise.all([sign({ exp: undefined }), 'garbage', signWith(claims(), 'wrong', { kid: validKid })].map(withBearer));

    for (const response of bodies) {
      expect(JSON.stringify(response.body)).not.toMatch(/jwt|signature|malformed|jwt expired|algorithm|kid|no auth token/i);
    }
  });

  describe('claims out of range', () => {
    const now = () => Math.floor(Date.now() / 1000);
    const logoutWith = (token: string) => request(t.http).post('/auth/jwt/logout').set('Authorization', `Bearer ${token}`).send({});

    it.each([
      ['an exp beyond what a Date holds', () => ({ exp: 8_640_000_000_001 })],
      ['an exp of 1e300', () => ({ exp: 1e300 })],
      ['an exp 100 years ahead', () => ({ exp: now() + 100 * 365 * 86_400 })],
      ['an exp - iat one second longer than JWT_ACCESS_TTL', () => ({ exp: now() + t.config.jwtAccessTtlSeconds + 1 })],
      ['an iat beyond what a Date holds', () => ({ iat: 8_640_000_000_001 })],
      ['an nbf beyond what a Date holds', () => ({ nbf: 1e300 })],
    ])('refuses a token with %s at the guard, and its logout, with the RFC 6750 401', async (_label, overrides) => {
      const token = sign(overrides());

      await expectRefused(token);
      const logout = await logoutWith(token);
      expect(logout.status).toBe(401);
      expect(logout.headers['www-authenticate']).toBe(INVALID_TOKEN_CHALLENGE);
    });

    it('accepts a lifetime of exactly JWT_ACCESS_TTL (control)', async () => {
      expect((await withBearer(sign({ exp: now() + t.config.jwtAccessTtlSeconds }))).status).toBe(200);
    });
  });

  describe('tokens of a user that no longer exists', () => {
    async function goneUserToken(username: string): Promise<string> {
      const gone = await registerUser(t, username);
      const pair = await login(t, username);
      await t.query('DELETE FROM users WHERE id = $1', [gone.id]);
      return pair.accessToken;
    }

    it.each([
      ['GET', '/auth/jwt/me'],
      ['GET', '/auth/me'],
      ['POST', '/auth/jwt/logout'],
    ])('answers %s %s with the RFC 6750 401', async (method, path) => {
      const token = await goneUserToken(`gone-${method.toLowerCase()}-${path.split('/').pop()}`);

      const call = method === 'GET' ? request(t.http).get(path) : request(t.http).post(path).send({});
      const response = await call.set('Authorization', `Bearer ${token}`);

      expect(response.status).toBe(401);
      expect(response.headers['www-authenticate']).toBe(INVALID_TOKEN_CHALLENGE);
      expect(response.body.code).toBe('INVALID_TOKEN');
    });

    it('answers a validly signed token naming a user that never existed with 401 on logout', async () => {
      const response = await request(t.http)
        .post('/auth/jwt/logout')
        .set('Authorization', `Bearer ${signWith(accessClaims(t, randomUUID()), secret, { kid: validKid })}`)
        .send({});

      expect(response.status).toBe(401);
      expect(response.headers['www-authenticate']).toBe(INVALID_TOKEN_CHALLENGE);
    });

    it.each([
      ['GET', '/auth/sessions', undefined],
      ['POST', '/auth/logout-all', {}],
      ['POST', '/auth/password/change', { currentPassword: 'a decent passphrase', newPassword: 'another decent passphrase' }],
      ['GET', '/auth/jwt/csrf', undefined],
    ])('never answers %s %s with a 5xx', async (method, path, body) => {
      const token = await goneUserToken(`gone${path.replace(/\W/g, '').slice(-12)}`);

      const call = method === 'GET' ? request(t.http).get(path) : request(t.http).post(path).send(body);
      const response = await call.set('Authorization', `Bearer ${token}`);

      expect(response.status).toBeLessThan(500);
    });
  });
});
