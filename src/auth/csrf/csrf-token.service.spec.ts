import { randomUUID } from 'node:crypto';
import { CsrfTokenService } from './csrf-token.service';
import { testConfig } from '../../config/test-config';

describe('CsrfTokenService', () => {
  const current = 'current-jwt-secret-0123456789abcdef0123';
  const previous = 'previous-jwt-secret-0123456789abcdef012';
  const csrf = new CsrfTokenService(testConfig({ JWT_SECRET: current }));
  const family = randomUUID();

  it('issues nonce.mac tokens that verify for their family', () => {
    const token = csrf.issue(family);

    expect(token).toMatch(/^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/);
    expect(csrf.verify(token, family)).toBe(true);
  });

  it('issues a different token each time', () => {
    expect(csrf.issue(family)).not.toBe(csrf.issue(family));
  });

  it('refuses a token issued for another family', () => {
    expect(csrf.verify(csrf.issue(randomUUID()), family)).toBe(false);
  });

  it('refuses a token whose nonce or mac was changed', () => {
    const [nonce, mac] = csrf.issue(family).split('.') as [string, string];
    const flipFirst = (text: string) => `${text.startsWith('A') ? 'B' : 'A'}${text.slice(1)}`;

    expect(csrf.verify(`${flipFirst(nonce)}.${mac}`, family)).toBe(false);
    expect(csrf.verify(`${nonce}.${flipFirst(mac)}`, family)).toBe(false);
  });

  it('refuses another base64url spelling of the same mac bytes', () => {
    const [nonce, mac] = csrf.issue(family).split('.') as [string, string];
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    // The last of 43 characters carries 4 bits of the mac and 2 unused ones: flip an unused one.
    const respelled = `${mac.slice(0, -1)}${alphabet[alphabet.indexOf(mac.slice(-1)) ^ 1]}`;

    expect(Buffer.from(respelled, 'base64url')).toEqual(Buffer.from(mac, 'base64url'));
    expect(csrf.verify(`${nonce}.${respelled}`, family)).toBe(false);
  });

  it.each([[''], ['.'], ['garbage'], ['a.b'], ['a.b.c'], ['x'.repeat(5000)]])('refuses the malformed token %#', (token) => {
    expect(csrf.verify(token, family)).toBe(false);
  });

  it('refuses a token signed with a key this service does not hold', () => {
    const foreign = new CsrfTokenService(testConfig({ JWT_SECRET: 'some-other-secret-0123456789abcdef0123' }));

    expect(csrf.verify(foreign.issue(family), family)).toBe(false);
  });

  it('verifies tokens of a rotated-out secret that is still configured', () => {
    const before = new CsrfTokenService(testConfig({ JWT_SECRET: previous }));
    const after = new CsrfTokenService(testConfig({ JWT_SECRET: `${current},${previous}` }));

    expect(after.verify(before.issue(family), family)).toBe(true);
    expect(csrf.verify(before.issue(family), family)).toBe(false);
  });

  describe('cookie-session tokens', () => {
    const sessions = new CsrfTokenService(testConfig({ SESSION_SECRET: 'current-session-secret-0123456789abcdef' }));
    const rotated = new CsrfTokenService(
      testConfig({ SESSION_SECRET: 'next-session-secret-0123456789abcdef01,current-session-secret-0123456789abcdef' }),
    );
    const nonce = 'nonce-kept-with-the-session-0123456789abc';

    it('derives the same token from the same nonce, and it verifies', () => {
      const token = sessions.forSession(nonce);

      expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(sessions.forSession(nonce)).toBe(token);
      expect(sessions.verifySession(token, nonce)).toBe(true);
    });

    it('refuses the token of another nonce, an empty nonce and garbage', () => {
      expect(sessions.verifySession(sessions.forSession('another nonce'), nonce)).toBe(false);
      expect(sessions.verifySession(sessions.forSession(''), '')).toBe(false);
      expect(sessions.verifySession('not-a-token', nonce)).toBe(false);
    });

    it('keeps verifying a token of a SESSION_SECRET that is no longer first', () => {
      expect(rotated.verifySession(sessions.forSession(nonce), nonce)).toBe(true);
      expect(rotated.forSession(nonce)).not.toBe(sessions.forSession(nonce));
    });
  });
});
