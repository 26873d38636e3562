import { testConfig } from '../../config/test-config';
import { TotpSecretCipher } from './totp-secret-cipher';

describe('TotpSecretCipher', () => {
  const old = 'old-jwt-secret-for-unit-specs-0123456789abcdef';
  const fresh = 'new-jwt-secret-for-unit-specs-0123456789abcdef';

  it('round-trips, and the ciphertext does not contain the secret', () => {
    const cipher = new TotpSecretCipher(testConfig({ JWT_SECRET: old }));
    const stored = cipher.encrypt('JBSWY3DPEHPK3PXP');
    expect(stored).not.toContain('JBSWY3DPEHPK3PXP');
    expect(cipher.decrypt(stored)).toBe('JBSWY3DPEHPK3PXP');
  });

  it('still decrypts after a rotation that keeps the old secret, and not once it is gone', () => {
    const stored = new TotpSecretCipher(testConfig({ JWT_SECRET: old })).encrypt('JBSWY3DPEHPK3PXP');
    expect(new TotpSecretCipher(testConfig({ JWT_SECRET: `${fresh},${old}` })).decrypt(stored)).toBe('JBSWY3DPEHPK3PXP');
    expect(new TotpSecretCipher(testConfig({ JWT_SECRET: fresh })).decrypt(stored)).toBeUndefined();
  });

  it('tells a ciphertext under the current key from one under an older key', () => {
    const stored = new TotpSecretCipher(testConfig({ JWT_SECRET: old })).encrypt('JBSWY3DPEHPK3PXP');
    const rotated = new TotpSecretCipher(testConfig({ JWT_SECRET: `${fresh},${old}` }));
    expect(rotated.isCurrent(stored)).toBe(false);
    expect(rotated.isCurrent(rotated.encrypt('JBSWY3DPEHPK3PXP'))).toBe(true);
    expect(rotated.encrypt('JBSWY3DPEHPK3PXP').split('.')[1]).toBe(rotated.currentKeyId);
    expect(new TotpSecretCipher(testConfig({ JWT_SECRET: old })).isCurrent(stored)).toBe(true);
  });

  it('refuses a tampered ciphertext', () => {
    const cipher = new TotpSecretCipher(testConfig({ JWT_SECRET: old }));
    const parts = cipher.encrypt('JBSWY3DPEHPK3PXP').split('.');
    parts[4] = Buffer.from('tampered').toString('base64url');
    expect(cipher.decrypt(parts.join('.'))).toBeUndefined();
  });
});
