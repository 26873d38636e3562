import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { AppConfig } from '../../config/app-config';
import { ACCESS_TOKEN_TYPE, AccessTokenClaims } from './access-token-claims';
import { Clock } from '../../common/clock/clock';
import { JwtKeyRing } from './jwt-key-ring';
import { RevocationService } from '../revocation/revocation.service';

export interface AccessTokenSubject {
  readonly userId: string;
  readonly roles: readonly string[];
  /** The refresh family (login) the token belongs to: its `sid` claim. */
  readonly familyId: string;
}

export interface IssuedAccessToken {
  readonly token: string;
  readonly jti: string;
  /** Seconds since the epoch. */
  readonly exp: number;
  /** Seconds from now. */
  readonly expiresIn: number;
}

/** Signs access tokens: HS256 with the first JWT secret, its `kid` in the header. */
@Injectable()
export class AccessTokenService {
  constructor(
    private readonly jwt: JwtService,
    private readonly keys: JwtKeyRing,
    private readonly revocation: RevocationService,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  issue(subject: AccessTokenSubject): IssuedAccessToken {
    const now = Math.floor(this.clock.now() / 1000);
    // A token may not be dated in the second of a logout-all, or that logout-all would stop it.
    const iat = Math.max(now, this.revocation.earliestIssuedAt(subject.userId));
    const exp = iat + this.config.jwtAccessTtlSeconds;
    const claims: AccessTokenClaims = {
      sub: subject.userId,
      jti: randomUUID(),
      iat,
      exp,
      iss: this.config.jwtIssuer,
      aud: this.config.jwtAudience,
      sid: subject.familyId,
      roles: [...subject.roles],
      typ: ACCESS_TOKEN_TYPE,
    };
    const token = this.jwt.sign({ ...claims }, { algorithm: 'HS256', keyid: this.keys.signing.kid, privateKey: this.keys.signing.key });
    return { token, jti: claims.jti, exp, expiresIn: exp - now };
  }
}
