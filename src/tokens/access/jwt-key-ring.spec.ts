import { createHash, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { calculateJwkThumbprint } from 'jose';
import { JwtKeyRing, kidOf, thumbprintOf } from './jwt-key-ring';
import { testConfig } from '../../config/test-config';

describe('kidOf', () => {
  it('is the first 16 base64url characters of SHA-256("kid:" + secret)', () => {
    const expected = createHash('sha256').update('kid:some-secret').digest('base64url').slice(0, 16);

    expect(kidOf('some-secret')).toBe(expected);
    expect(kidOf('some-secret')).toMatch(/^[A-Za-z0-9_-]{16}$/);
  });

  it('names different secrets differently and never contains the secret', () => {
    expect(kidOf('secret-one')).not.toBe(kidOf('secret-two'));
    expect(kidOf('secret-one')).not.toContain('secret');
  });
});

describe('JwtKeyRing', () => {
  const newer = 'newer-secret-0123456789abcdef0123456789';
  const older = 'older-secret-0123456789abcdef0123456789';
  const ring = new JwtKeyRing(testConfig({ JWT_SECRET: `${newer},${older}` }));

  it('signs with the first secret', () => {
    expect(ring.signing.kid).toBe(kidOf(newer));
    expect(ring.signing.key.type).toBe('secret');
    expect(ring.signing.key.export().toString('utf8')).toBe(newer);
  });

  it('finds every configured secret by its kid, as a KeyObject', () => {
    expect(ring.find(kidOf(older))?.export().toString('utf8')).toBe(older);
    expect(ring.find(kidOf(newer))).toBe(ring.signing.key);
  });

  it('finds nothing for an unknown kid, a path or a prototype key', () => {
    for (const kid of [kidOf('unknown'), '../../dev/null', '__proto__', 'constructor', '']) {
      expect(ring.find(kid)).toBeUndefined();
    }
  });
});

describe('JwtKeyRing with asymmetric keys', () => {
  it.each([
    ['ES256', () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey],
    ['EdDSA', () => generateKeyPairSync('ed25519').privateKey],
  ] as const)(
    '%s: names each key by its RFC 7638 thumbprint, signs with the first, publishes public halves only',
    async (algorithm, generate) => {
      const first = generate();
      const second = generate();
      const config = { ...testConfig(), jwtAlgorithm: algorithm, jwtPrivateKeys: [first, second] };
      const ring = new JwtKeyRing(config);
      const firstPublic = createPublicKey(first);

      expect(thumbprintOf(firstPublic)).toBe(await calculateJwkThumbprint(firstPublic.export({ format: 'jwk' }) as never, 'sha256'));
      expect(ring.signing).toEqual({ kid: thumbprintOf(firstPublic), key: first });
      expect(ring.find(ring.signing.kid)?.type).toBe('public');
      expect(ring.jwks.map(({ kid }) => kid)).toEqual([thumbprintOf(firstPublic), thumbprintOf(createPublicKey(second))]);
      for (const jwk of ring.jwks) {
        expect(jwk).toMatchObject({ alg: algorithm, use: 'sig' });
        expect(jwk).not.toHaveProperty('d');
      }
      expect(ring.find(kidOf(config.jwtSecrets[0] ?? ''))).toBeUndefined();
    },
  );

  it('publishes nothing under HS256', () => {
    expect(new JwtKeyRing(testConfig()).jwks).toEqual([]);
  });
});
