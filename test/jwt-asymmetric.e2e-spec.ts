import { createPublicKey, generateKeyPairSync, KeyObject, sign as cryptoSign } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import request from 'supertest';
import { thumbprintOf } from '../src/tokens/access/jwt-key-ring';
import { createTestApp } from './utils/create-test-app';
import { accessClaims, base64url, decode, login, me, signWith } from './utils/jwt-helpers';
import { startTestServer, TestServer } from './utils/test-server';
import { TestUser, registerUser } from './utils/users';

type Asymmetric = 'ES256' | 'EdDSA';

function generate(algorithm: Asymmetric): KeyObject {
  return algorithm === 'ES256' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey : generateKeyPairSync('ed25519').privateKey;
}

/** Signs exactly the given header and claims with node:crypto, never through the service. */
function signAsymmetric(header: Record<string, unknown>, claims: Record<string, unknown>, key: KeyObject): string {
  const input = `${base64url(header)}.${base64url(claims)}`;
  const signature =
    key.asymmetricKeyType === 'ec'
      ? cryptoSign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' })
      : cryptoSign(null, Buffer.from(input), key);
  return `${input}.${signature.toString('base64url')}`;
}

describe('tokens other services verify (JWKS)', () => {
  it('publishes no key under HS256, cacheable outside /auth', async () => {
    const t = await createTestApp();
    try {
      const response = await request(t.http).get('/.well-known/jwks.json').expect(200);
      expect(response.body).toEqual({ keys: [] });
      expect(response.headers['cache-control']).toBe('public, max-age=300');
    } finally {
      await t.close();
    }
  });

  describe.each(['ES256', 'EdDSA'] as const)('%s', (algorithm) => {
    const dir = mkdtempSync(join(tmpdir(), `jwks-${algorithm}-`));
    const oldKey = generate(algorithm);
    const newKey = generate(algorithm);
    const oldKid = thumbprintOf(createPublicKey(oldKey));
    const newKid = thumbprintOf(createPublicKey(newKey));
    const pem = (name: string, key: KeyObject) => {
      const file = join(dir, name);
      writeFileSync(file, key.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
      return file;
    };
    const pepper = 'shared-pepper-of-the-jwks-spec-0123456789';
    // Before the rotation (old key only) and after its first two steps (new key signs, old still verifies), on one database.
    let before: TestServer;
    let during: TestServer;
    let after: TestServer;
    let user: TestUser;
    const verifyRemotely = (server: TestServer, token: string) =>
      jwtVerify(token, createRemoteJWKSet(new URL(`${server.http}/.well-known/jwks.json`)), {
        issuer: server.config.jwtIssuer,
        audience: server.config.jwtAudience,
        algorithms: [algorithm],
      });

    beforeAll(async () => {
      const env = { JWT_ALGORITHM: algorithm, PASSWORD_PEPPER: pepper };
      before = await startTestServer({ env: { ...env, JWT_PRIVATE_KEYS: pem('old.pem', oldKey) } });
      during = await startTestServer({
        database: before.database,
        env: { ...env, JWT_PRIVATE_KEYS: `${pem('new.pem', newKey)},${join(dir, 'old.pem')}` },
      });
      // After the last step: the old key removed.
      after = await startTestServer({ database: before.database, env: { ...env, JWT_PRIVATE_KEYS: join(dir, 'new.pem') } });
      user = await registerUser(before, `jwks-${algorithm.toLowerCase()}`);
    }, 90_000);

    afterAll(async () => {
      await Promise.all([during?.close(), after?.close()]);
      await before?.close();
      rmSync(dir, { recursive: true, force: true });
    }, 30_000);

    it('lists every verifying public key by its RFC 7638 thumbprint, public parameters only', async () => {
      const response = await request(during.http).get('/.well-known/jwks.json').expect(200);

      expect(response.headers['cache-control']).toBe('public, max-age=300');
      const keys = (response.body as { keys: Array<Record<string, unknown>> }).keys;
      expect(keys.map((key) => key.kid)).toEqual([newKid, oldKid]);
      for (const key of keys) {
        expect(key).toMatchObject({ alg: algorithm, use: 'sig', kty: algorithm === 'ES256' ? 'EC' : 'OKP' });
        expect(Object.keys(key).sort()).toEqual(
          algorithm === 'ES256' ? ['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y'] : ['alg', 'crv', 'kid', 'kty', 'use', 'x'],
        );
      }
      expect(
        (await request(before.http).get('/.well-known/jwks.json').expect(200)).body.keys.map((key: { kid: string }) => key.kid),
      ).toEqual([oldKid]);
    });

    it('signs with the first key, and jose verifies the token against the published key set', async () => {
      const { accessToken } = await login(during, user.username);

      expect(decode(accessToken).header).toEqual({ alg: algorithm, typ: 'JWT', kid: newKid });
      const { payload, protectedHeader } = await verifyRemotely(during, accessToken);
      expect(payload).toMatchObject({ sub: user.id, typ: 'access' });
      expect(protectedHeader.kid).toBe(newKid);
      expect((await me(during, accessToken)).status).toBe(200);
    });

    it('keeps a token of the old key valid during the rotation, for the service and for jose', async () => {
      const { accessToken } = await login(before, user.username);

      expect(decode(accessToken).header.kid).toBe(oldKid);
      expect((await me(during, accessToken)).status).toBe(200);
      await expect(verifyRemotely(during, accessToken)).resolves.toMatchObject({ payload: { sub: user.id } });
      // The new key is not yet known where the rotation has not reached: why it is published before it signs.
      expect((await me(before, (await login(during, user.username)).accessToken)).status).toBe(401);
    });

    it('once the old key is removed, refuses its tokens and keeps those of the new key, which nobody had to re-login for', async () => {
      const old = await login(before, user.username);
      const current = await login(during, user.username);

      expect((await me(after, old.accessToken)).status).toBe(401);
      expect((await me(after, current.accessToken)).status).toBe(200);
      expect(
        (await request(after.http).get('/.well-known/jwks.json').expect(200)).body.keys.map((key: { kid: string }) => key.kid),
      ).toEqual([newKid]);
      const refreshed = await request(after.http).post('/auth/jwt/refresh').send({ refreshToken: old.refreshToken }).expect(200);
      expect(decode(refreshed.body.accessToken as string).header.kid).toBe(newKid);
    });

    it('a token of a wrong key, or a tampered one, verifies neither with jose nor with the service', async () => {
      const stranger = generate(algorithm);
      const claims = accessClaims(during, user.id);
      const genuine = signAsymmetric({ alg: algorithm, typ: 'JWT', kid: newKid }, claims, newKey);
      const wrongKey = signAsymmetric({ alg: algorithm, typ: 'JWT', kid: newKid }, claims, stranger);
      const [header, , signature] = (await login(during, user.username)).accessToken.split('.');
      const tampered = `${header}.${base64url({ ...claims, roles: ['user', 'admin'] })}.${signature}`;

      expect((await me(during, genuine)).status).toBe(200);
      await expect(verifyRemotely(during, genuine)).resolves.toBeDefined();
      for (const token of [wrongKey, tampered]) {
        await expect(verifyRemotely(during, token)).rejects.toThrow();
        const response = await me(during, token);
        expect(response.status).toBe(401);
        expect(response.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
      }
    });

    it('refuses every forgery: HS256 keyed with the public key, none, an embedded jwk, a jku, an unknown kid', async () => {
      const stranger = generate(algorithm);
      const strangerJwk = createPublicKey(stranger).export({ format: 'jwk' });
      const claims = accessClaims(during, user.id);
      const publicPem = createPublicKey(newKey).export({ format: 'pem', type: 'spki' }).toString();
      const forgeries: Record<string, string> = {
        'HS256 with the public key as secret': signWith(claims, publicPem, { kid: newKid }),
        'HS256 with the public JWK as secret': signWith(claims, JSON.stringify(createPublicKey(newKey).export({ format: 'jwk' })), {
          kid: newKid,
        }),
        'alg none': `${base64url({ alg: 'none', typ: 'JWT', kid: newKid })}.${base64url(claims)}.`,
        'alg none, no signature part': `${base64url({ alg: 'none', typ: 'JWT', kid: newKid })}.${base64url(claims)}`,
        'an embedded jwk of the signer': signAsymmetric({ alg: algorithm, typ: 'JWT', kid: newKid, jwk: strangerJwk }, claims, stranger),
        'an embedded jwk, no kid': signAsymmetric({ alg: algorithm, typ: 'JWT', jwk: strangerJwk }, claims, stranger),
        'a jku': signAsymmetric({ alg: algorithm, typ: 'JWT', kid: newKid, jku: `${during.http}/.well-known/jwks.json` }, claims, stranger),
        'an unknown kid': signAsymmetric({ alg: algorithm, typ: 'JWT', kid: thumbprintOf(createPublicKey(stranger)) }, claims, stranger),
        'no kid': signAsymmetric({ alg: algorithm, typ: 'JWT' }, claims, newKey),
        'the other algorithm': signAsymmetric(
          { alg: algorithm === 'ES256' ? 'EdDSA' : 'ES256', typ: 'JWT', kid: newKid },
          claims,
          generate(algorithm === 'ES256' ? 'EdDSA' : 'ES256'),
        ),
      };
      const answers = await Promise.all(Object.entries(forgeries).map(async ([label, token]) => [label, (await me(during, token)).status]));

      expect(Object.fromEntries(answers)).toEqual(Object.fromEntries(Object.keys(forgeries).map((label) => [label, 401])));
    });
  });
});
