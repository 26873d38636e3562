import { randomUUID } from 'node:crypto';
import { Test } from '@nestjs/testing';
import { AppConfig } from '../../config/app-config';
import { Clock } from '../../common/clock/clock';
import { FakeClock } from '../../common/clock/fake-clock';
import { testConfig } from '../../config/test-config';
import { RevocableToken, RevocationCache } from './revocation-cache';

const ACCESS_TTL_S = 900;

describe('RevocationCache', () => {
  let clock: FakeClock;
  let cache: RevocationCache;

  beforeEach(async () => {
    clock = new FakeClock();
    const moduleRef = await Test.createTestingModule({
      providers: [
        RevocationCache,
        { provide: Clock, useValue: clock },
        { provide: AppConfig, useValue: testConfig({ JWT_ACCESS_TTL: String(ACCESS_TTL_S) }) },
      ],
    }).compile();
    cache = moduleRef.get(RevocationCache);
  });

  const nowSeconds = () => Math.floor(clock.now() / 1000);
  const token = (overrides: Partial<RevocableToken> = {}): RevocableToken => ({
    sub: randomUUID(),
    jti: randomUUID(),
    sid: randomUUID(),
    iat: nowSeconds(),
    roles: ['user'],
    ...overrides,
  });

  it('revokes nothing until told', () => {
    expect(cache.isRevoked(token())).toBe(false);
  });

  it('revokes a blocklisted jti and nothing else', () => {
    const revoked = token();
    cache.apply({ kind: 'access-token', jti: revoked.jti, expiresAt: clock.now() + 60_000 });

    expect(cache.isRevoked(revoked)).toBe(true);
    expect(cache.isRevoked(token({ sub: revoked.sub, sid: revoked.sid }))).toBe(false);
  });

  it('revokes every token of a revoked family', () => {
    const sid = randomUUID();
    cache.apply({ kind: 'family', familyId: sid, expiresAt: clock.now() + 86_400_000 });

    expect(cache.isRevoked(token({ sid }))).toBe(true);
    expect(cache.isRevoked(token({ sid }))).toBe(true);
    expect(cache.isRevoked(token())).toBe(false);
  });

  describe('roles', () => {
    it('gives every token of the user the roles of the latest change, whenever it was issued', () => {
      const sub = randomUUID();
      const before = token({ sub, roles: ['user', 'admin'] });
      clock.advance(2000);
      cache.apply({ kind: 'roles', userId: sub, roles: ['user'], at: clock.now() });

      expect(cache.rolesOf(before)).toEqual(['user']);
      expect(cache.rolesOf(token({ sub, iat: nowSeconds() + 1, roles: ['user', 'admin'] }))).toEqual(['user']);
      expect(cache.rolesOf(token({ roles: ['admin'] }))).toEqual(['admin']);
    });

    it('keeps the newest change when notifications arrive out of order', () => {
      const sub = randomUUID();
      const old = token({ sub, iat: nowSeconds() - 10, roles: ['user'] });
      cache.apply({ kind: 'roles', userId: sub, roles: ['user', 'admin'], at: clock.now() });
      cache.apply({ kind: 'roles', userId: sub, roles: ['user'], at: clock.now() - 5000 });

      expect(cache.rolesOf(old)).toEqual(['user', 'admin']);
    });

    it('forgets a change once no token issued before it can still verify', () => {
      const sub = randomUUID();
      cache.apply({ kind: 'roles', userId: sub, roles: ['user'], at: clock.now() });
      const sizeWithChange = cache.size;

      clock.advance((ACCESS_TTL_S + 1) * 1000);
      cache.sweep();

      expect(cache.size).toBe(sizeWithChange - 1);
    });
  });

  describe('tokens-valid-after', () => {
    it('stops tokens issued before the instant and in its very second, not those of later seconds', () => {
      const sub = randomUUID();
      const at = Date.UTC(2026, 0, 1, 12, 0, 0, 500);
      const atSecond = Math.floor(at / 1000);
      cache.apply({ kind: 'tokens-valid-after', userId: sub, at });

      expect(cache.isRevoked(token({ sub, iat: atSecond - 1 }))).toBe(true);
      expect(cache.isRevoked(token({ sub, iat: atSecond }))).toBe(true);
      expect(cache.isRevoked(token({ sub, iat: atSecond + 1 }))).toBe(false);
      expect(cache.isRevoked(token({ iat: atSecond - 1 }))).toBe(false);
    });

    it('tells the issuer to date new tokens from the next second, which then pass', () => {
      const sub = randomUUID();
      const at = clock.now() + 250;
      cache.apply({ kind: 'tokens-valid-after', userId: sub, at });

      const earliest = cache.earliestIssuedAt(sub);
      expect(earliest).toBe(Math.floor(at / 1000) + 1);
      expect(cache.isRevoked(token({ sub, iat: earliest }))).toBe(false);
      expect(cache.earliestIssuedAt(randomUUID())).toBe(0);
    });

    it('keeps the latest instant when an older one arrives late', () => {
      const sub = randomUUID();
      cache.apply({ kind: 'tokens-valid-after', userId: sub, at: clock.now() });
      cache.apply({ kind: 'tokens-valid-after', userId: sub, at: clock.now() - 60_000 });

      expect(cache.isRevoked(token({ sub, iat: nowSeconds() }))).toBe(true);
    });
  });

  describe('sweep', () => {
    it('forgets a jti once its token has expired, not before', () => {
      const revoked = token();
      cache.apply({ kind: 'access-token', jti: revoked.jti, expiresAt: clock.now() + 60_000 });

      clock.advance(59_000);
      cache.sweep();
      expect(cache.isRevoked(revoked)).toBe(true);

      clock.advance(2_000);
      cache.sweep();
      expect(cache.isRevoked(revoked)).toBe(false);
      expect(cache.size).toBe(0);
    });

    it('keeps a revoked family until its last access token can have expired', () => {
      const sid = randomUUID();
      const familyExpiresAt = clock.now() + 10_000;
      cache.apply({ kind: 'family', familyId: sid, expiresAt: familyExpiresAt });

      clock.set(familyExpiresAt + ACCESS_TTL_S * 1000 - 1);
      cache.sweep();
      expect(cache.isRevoked(token({ sid }))).toBe(true);

      clock.set(familyExpiresAt + ACCESS_TTL_S * 1000 + 1);
      cache.sweep();
      expect(cache.isRevoked(token({ sid }))).toBe(false);
    });

    it('forgets a tokens-valid-after instant once every token it stops has expired', () => {
      const sub = randomUUID();
      const at = clock.now();
      cache.apply({ kind: 'tokens-valid-after', userId: sub, at });

      clock.set(at + ACCESS_TTL_S * 1000 - 1);
      cache.sweep();
      expect(cache.isRevoked(token({ sub, iat: Math.floor(at / 1000) }))).toBe(true);

      clock.set(at + ACCESS_TTL_S * 1000 + 1);
      cache.sweep();
      expect(cache.size).toBe(0);
    });
  });
});
