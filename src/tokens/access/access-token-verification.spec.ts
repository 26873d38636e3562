import { randomUUID } from 'node:crypto';
import { JwtModule } from '@nestjs/jwt';
import { Test } from '@nestjs/testing';
import jwt from 'jsonwebtoken';
import { AppConfig } from '../../config/app-config';
import { testConfig } from '../../config/test-config';
import { Clock } from '../../common/clock/clock';
import { FakeClock } from '../../common/clock/fake-clock';
import { RevocationService } from '../revocation/revocation.service';
import { AccessTokenService } from './access-token.service';
import { AccessTokenVerifier } from './access-token-verification';
import { JwtKeyRing, kidOf } from './jwt-key-ring';

describe('AccessTokenVerifier', () => {
  const config = testConfig({ JWT_SECRET: 'unit-spec-signing-secret-0123456789abcdef', JWT_ACCESS_TTL: '600', JWT_CLOCK_TOLERANCE: '5' });
  const realNow = Date.now;
  let now: number;
  let tokens: AccessTokenService;
  let verifier: AccessTokenVerifier;

  beforeEach(async () => {
    now = Date.UTC(2026, 0, 1, 12, 0, 0, 250);
    Date.now = () => now;
    const moduleRef = await Test.createTestingModule({
      imports: [JwtModule.register({})],
      providers: [
        AccessTokenService,
        AccessTokenVerifier,
        JwtKeyRing,
        { provide: AppConfig, useValue: config },
        { provide: Clock, useValue: new FakeClock(now) },
        { provide: RevocationService, useValue: { earliestIssuedAt: () => 0 } },
      ],
    }).compile();
    tokens = moduleRef.get(AccessTokenService);
    verifier = moduleRef.get(AccessTokenVerifier);
  });

  afterEach(() => {
    Date.now = realNow;
  });

  const issue = (): string => tokens.issue({ userId: randomUUID(), roles: ['user'], familyId: randomUUID() }).token;

  it('refuses a remembered token from its expiry plus the clock tolerance, as it refuses a new one', async () => {
    const remembered = issue();
    const claims = await verifier.verify(remembered);
    expect(claims).not.toBeNull();
    const expiresAtMs = (claims?.exp ?? 0) * 1000;

    now = expiresAtMs + 4_999;
    expect(await verifier.verify(remembered)).toEqual(claims);
    now = expiresAtMs + 5_000;
    expect(await verifier.verify(remembered)).toBeNull();
  });

  it('a token first seen after its expiry is refused, and so is one with a changed signature', async () => {
    const token = issue();
    now += 600_000 + 5_000;
    expect(await verifier.verify(token)).toBeNull();

    now -= 600_000;
    const fresh = issue();
    expect(await verifier.verify(fresh)).not.toBeNull();
    const tampered = `${fresh.slice(0, -2)}${fresh.endsWith('AA') ? 'BB' : 'AA'}`;
    expect(await verifier.verify(tampered)).toBeNull();
  });

  it('refuses a token dated more than a minute plus the clock tolerance ahead, and accepts one dated just within', async () => {
    const signed = (iat: number): string =>
      jwt.sign(
        { sub: randomUUID(), jti: randomUUID(), iat, exp: iat + 600, sid: randomUUID(), roles: ['user'], typ: 'access' },
        config.jwtSecrets[0] ?? '',
        { algorithm: 'HS256', keyid: kidOf(config.jwtSecrets[0] ?? ''), issuer: config.jwtIssuer, audience: config.jwtAudience },
      );
    const nowSeconds = Math.floor(now / 1000);
    expect(await verifier.verify(signed(nowSeconds + 65))).not.toBeNull();
    expect(await verifier.verify(signed(nowSeconds + 66))).toBeNull();
    expect(await verifier.verify(signed(nowSeconds + 3600))).toBeNull();
  });
});
