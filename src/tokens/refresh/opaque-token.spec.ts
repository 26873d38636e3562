import { createHash } from 'node:crypto';
import { hashOpaqueToken, isOpaqueToken, newOpaqueToken } from './opaque-token';

describe('opaque refresh tokens', () => {
  it('are 256 random bits in base64url, all different', () => {
    const tokens = new Set(Array.from({ length: 100 }, () => newOpaqueToken()));

    expect(tokens.size).toBe(100);
    for (const token of tokens) {
      expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(token, 'base64url')).toHaveLength(32);
      expect(isOpaqueToken(token)).toBe(true);
    }
  });

  it('are stored as their hex SHA-256', () => {
    const token = newOpaqueToken();

    expect(hashOpaqueToken(token)).toBe(createHash('sha256').update(token).digest('hex'));
  });

  it.each([[''], ['short'], ['a'.repeat(44)], [`${'a'.repeat(42)}=`], ['eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig']])(
    'recognises %p as not a refresh token',
    (value) => {
      expect(isOpaqueToken(value)).toBe(false);
    },
  );
});
