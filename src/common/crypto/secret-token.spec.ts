import { createHash } from 'node:crypto';
import { hashSecret, isSecretToken, newSecretToken } from './secret-token';

describe('secret tokens', () => {
  it('are 256 random bits in base64url, all different', () => {
    const tokens = new Set(Array.from({ length: 100 }, () => newSecretToken()));

    expect(tokens.size).toBe(100);
    for (const token of tokens) {
      expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(token, 'base64url')).toHaveLength(32);
      expect(isSecretToken(token)).toBe(true);
    }
  });

  it('are stored as their hex SHA-256', () => {
    const token = newSecretToken();

    expect(hashSecret(token)).toBe(createHash('sha256').update(token).digest('hex'));
  });

  it.each([[''], ['short'], ['a'.repeat(44)], [`${'a'.repeat(42)}=`], ['eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig']])(
    'recognises %p as not a secret token',
    (value) => {
      expect(isSecretToken(value)).toBe(false);
    },
  );
});
