import { randomUUID, sign } from 'node:crypto';
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

/**
 * Signs access tokens with the first key of the ring, its `kid` in the header: HS256 (the first
 * `JWT_SECRET`) through @nestjs/jwt, or ES256 / EdDSA (the first `JWT_PRIVATE_KEYS`) with node:crypto,
 * synchronously (jsonwebtoken 9 has no EdDSA; jose signs only asynchronously). The e2e interop tests
 * verify these tokens with jose.
 */
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
    const token =
      this.keys.algorithm === 'HS256'
        ? this.jwt.sign({ ...claims }, { algorithm: 'HS256', keyid: this.keys.signing.kid, privateKey: this.keys.signing.key })
        : this.signAsymmetric(claims);
    return { token, jti: claims.jti, exp, expiresIn: exp - now };
  }

  private signAsymmetric(claims: AccessTokenClaims): string {
    const { algorithm, signing } = this.keys;
    const header = { alg: algorithm, typ: 'JWT', kid: signing.kid };
    const input = `${base64url(header)}.${base64url(claims)}`;
    // ES256 signatures are r||s (IEEE P1363, RFC 7518 §3.4), not DER; Ed25519 takes no digest.
    const signature =
      algorithm === 'ES256'
        ? sign('sha256', Buffer.from(input), { key: signing.key, dsaEncoding: 'ieee-p1363' })
        : sign(null, Buffer.from(input), signing.key);
    return `${input}.${signature.toString('base64url')}`;
  }
}

function base64url(value: object): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}
