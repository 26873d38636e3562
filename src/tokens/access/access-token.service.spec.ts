import { randomUUID } from 'node:crypto';
import { JwtModule } from '@nestjs/jwt';
import { Test } from '@nestjs/testing';
import jwt from 'jsonwebtoken';
import { AppConfig } from '../../config/app-config';
import { AccessTokenService } from './access-token.service';
import { Clock } from '../../common/clock/clock';
import { JwtKeyRing, kidOf } from './jwt-key-ring';
import { RevocationService } from '../revocation/revocation.service';
import { FakeClock } from '../../common/clock/fake-clock';
import { testConfig } from '../../config/test-config';

describe('AccessTokenService', () => {
  const secret = 'unit-spec-signing-secret-0123456789abcdef';
  const config = testConfig({ JWT_SECRET: `${secret},older-secret-0123456789abcdef0123456789`, JWT_ACCESS_TTL: '600' });
  let clock: FakeClock;
  let earliestIssuedAt: number;
  let tokens: AccessTokenService;

  beforeEach(async () => {
    clock = new FakeClock(Date.UTC(2026, 0, 1, 12, 0, 0, 250));
    earliestIssuedAt = 0;
    const moduleRef = await Test.createTestingModule({
      imports: [JwtModule.register({})],
      providers: [
        AccessTokenService,
        JwtKeyRing,
        { provide: AppConfig, useValue: config },
        { provide: Clock, useValue: clock },
        { provide: RevocationService, useValue: { earliestIssuedAt: () => earliestIssuedAt } },
      ],
    }).compile();
    tokens = moduleRef.get(AccessTokenService);
  });

  const subject = { userId: randomUUID(), roles: ['user'], familyId: randomUUID() };

  it('signs HS256 with the first key, naming it by kid, with exactly the contract claims', () => {
    const issued = tokens.issue(subject);
    const decoded = jwt.verify(issued.token, secret, { algorithms: ['HS256'], complete: true, clockTimestamp: clock.now() / 1000 });

    expect(decoded.header).toEqual({ alg: 'HS256', typ: 'JWT', kid: kidOf(secret) });
    expect(decoded.payload).toEqual({
      sub: subject.userId,
      jti: issued.jti,
      iat: 1_767_268_800,
      exp: 1_767_268_800 + 600,
      iss: config.jwtIssuer,
      aud: config.jwtAudience,
      sid: subject.familyId,
      roles: ['user'],
      typ: 'access',
    });
    expect(issued.expiresIn).toBe(600);
  });

  it('gives every token its own jti', () => {
    expect(tokens.issue(subject).jti).not.toBe(tokens.issue(subject).jti);
  });

  it('dates a token from the next second when a logout-all happened in the current one', () => {
    earliestIssuedAt = Math.floor(clock.now() / 1000) + 1;
    const issued = tokens.issue(subject);
    const payload = jwt.decode(issued.token) as { iat: number; exp: number };

    expect(payload.iat).toBe(earliestIssuedAt);
    expect(payload.exp).toBe(earliestIssuedAt + 600);
    expect(issued.expiresIn).toBe(601);
  });
});
