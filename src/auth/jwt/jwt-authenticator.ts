import { Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { DomainException } from '../../common/errors/domain.exception';
import { ErrorCode } from '../../common/errors/error-code';
import { CsrfTokenService } from '../csrf/csrf-token.service';
import { RevocationService } from '../../tokens/revocation/revocation.service';
import { isUnsafeMethod } from '../../common/http/unsafe-method';
import { assertJwtCsrf } from '../csrf/jwt-csrf';
import type { Principal } from '../principal';
import { readAccessToken } from './access-token.extractor';
import { JwtStrategy } from './jwt.strategy';

/**
 * The work behind {@link JwtGuard}: verify the access token (passport-jwt), refuse a revoked one
 * (memory, no I/O while the revocation listener is live), and apply CSRF when the token came in a
 * cookie on an unsafe request. Failures never echo the library's reason.
 */
@Injectable()
export class JwtAuthenticator {
  constructor(
    private readonly strategy: JwtStrategy,
    private readonly revocation: RevocationService,
    private readonly csrf: CsrfTokenService,
  ) {}

  async authenticate(request: Request): Promise<Principal> {
    const presented = readAccessToken(request);
    if (presented === undefined) {
      throw new DomainException(ErrorCode.UNAUTHENTICATED, 'Authentication required', { 'WWW-Authenticate': 'Bearer' });
    }
    const claims = await this.strategy.claimsOf(request);
    if (claims === undefined || (await this.revocation.isRevoked(claims))) {
      throw new DomainException(ErrorCode.INVALID_TOKEN, 'Invalid or expired access token', {
        'WWW-Authenticate': 'Bearer error="invalid_token"',
      });
    }
    if (presented.source === 'cookie' && isUnsafeMethod(request.method)) assertJwtCsrf(request, claims.sid, this.csrf);
    return {
      userId: claims.sub,
      roles: await this.revocation.rolesOf(claims),
      authMethod: 'jwt',
      loginId: claims.sid,
      credential: presented.source,
      accessToken: { jti: claims.jti, exp: claims.exp },
    };
  }
}
