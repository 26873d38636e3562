import { createHmac, hkdfSync } from 'node:crypto';
import { testConfig } from '../../config/test-config';
import { ApiKeySecret, looksLikeApiKey } from './api-key-secret';

describe('ApiKeySecret', () => {
  const pepper = 'pepper-of-the-api-key-spec-0123456789abcdef';
  const secret = new ApiKeySecret(testConfig({ PASSWORD_PEPPER: pepper }));

  it('makes nab_ keys of 256 random bits, each different', () => {
    const keys = new Set(Array.from({ length: 100 }, () => secret.generate()));

    expect(keys.size).toBe(100);
    for (const key of keys) {
      expect(key).toMatch(/^nab_[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(key.slice(4), 'base64url')).toHaveLength(32);
      expect(looksLikeApiKey(key)).toBe(true);
    }
  });

  it('hashes with HMAC-SHA-256 under a key derived from PASSWORD_PEPPER, never a bare hash', () => {
    const key = secret.generate();
    const hmacKey = Buffer.from(hkdfSync('sha256', pepper, 'nest-auth-backend', 'api-key-hash/v1', 32));

    expect(secret.hash(key)).toBe(createHmac('sha256', hmacKey).update(key).digest('hex'));
    expect(new ApiKeySecret(testConfig({ PASSWORD_PEPPER: `${pepper}-other` })).hash(key)).not.toBe(secret.hash(key));
  });

  it.each([
    '',
    'nab_',
    'nab_short',
    `NAB_${'a'.repeat(43)}`,
    `nab_${'a'.repeat(44)}`,
    `nab_${'a'.repeat(42)}!`,
    'eyJhbGciOiJIUzI1NiJ9.e30.x',
  ])('refuses the shape %p before any lookup', (value) => {
    expect(looksLikeApiKey(value)).toBe(false);
  });
});
