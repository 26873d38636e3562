import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { Request } from 'express';
import { Strategy } from 'passport-strategy';
import { isUnsafeMethod } from '../../common/http/unsafe-method';
import { AccessTokenClaims } from '../../tokens/access/access-token-claims';
import { AccessTokenVerifier } from '../../tokens/access/access-token-verification';
import { RevocationService } from '../../tokens/revocation/revocation.service';
import { assertJwtCsrf } from '../csrf/csrf-checks';
import { CsrfTokenService } from '../csrf/csrf-token.service';
import type { Principal } from '../principal';
import { readAccessToken } from './access-token.extractor';

/**
 * The `jwt` passport strategy, with the access-token rules of TokensModule ({@link AccessTokenVerifier}:
 * HS256, ES256 or EdDSA, pinned). `validate()` runs once the signature and times verified: it refuses
 * a revoked token (memory, no I/O while the revocation listener is live), applies CSRF when the token
 * came in a cookie on an unsafe request, and answers the principal with the user's current roles.
 * A falsy answer is a 401 (JwtGuard).
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    private readonly verifier: AccessTokenVerifier,
    private readonly revocation: RevocationService,
    private readonly csrf: CsrfTokenService,
  ) {
    super();
  }

  override authenticate(request: Request): void {
    const presented = readAccessToken(request);
    const token = presented?.token;
    if (!token) return this.fail(401);
    this.verifier
      .verify(token)
      .then(
        async (claims) => {
          const principal = claims === null ? null : await this.validate(request, claims, presented?.source ?? 'bearer');
          return principal === null ? this.fail(401) : this.success(principal);
        },
        (error: unknown) => this.error(error as Error),
      )
      .catch((error: unknown) => this.error(error as Error));
  }

  async validate(request: Request, claims: AccessTokenClaims, source: 'bearer' | 'cookie'): Promise<Principal | null> {
    if (await this.revocation.isRevoked(claims)) return null;
    if (source === 'cookie' && isUnsafeMethod(request.method)) assertJwtCsrf(request, claims.sid, this.csrf);
    return {
      userId: claims.sub,
      roles: await this.revocation.rolesOf(claims),
      authMethod: 'jwt',
      loginId: claims.sid,
      credential: source,
      accessToken: { jti: claims.jti, exp: claims.exp },
    };
  }
}
