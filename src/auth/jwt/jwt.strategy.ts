import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { Request } from 'express';
import { Strategy } from 'passport-jwt';
import { isUnsafeMethod } from '../../common/http/unsafe-method';
import { AppConfig } from '../../config/app-config';
import { parseAccessTokenClaims } from '../../tokens/access/access-token-claims';
import { accessTokenVerification } from '../../tokens/access/access-token-verification';
import { JwtKeyRing } from '../../tokens/access/jwt-key-ring';
import { RevocationService } from '../../tokens/revocation/revocation.service';
import { assertJwtCsrf } from '../csrf/csrf-checks';
import { CsrfTokenService } from '../csrf/csrf-token.service';
import type { Principal } from '../principal';
import { readAccessToken } from './access-token.extractor';

/**
 * passport-jwt with the access-token rules of TokensModule. `validate()` runs once the signature and
 * times verified: it insists on an access token, refuses a revoked one (memory, no I/O while the
 * revocation listener is live), applies CSRF when the token came in a cookie on an unsafe request,
 * and answers the principal with the user's current roles. A falsy answer is a 401 (JwtGuard).
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    keys: JwtKeyRing,
    private readonly config: AppConfig,
    private readonly revocation: RevocationService,
    private readonly csrf: CsrfTokenService,
  ) {
    super({
      jwtFromRequest: (request: Request) => readAccessToken(request)?.token || null,
      passReqToCallback: true,
      ...accessTokenVerification(keys, config),
    });
  }

  async validate(request: Request, payload: unknown): Promise<Principal | null> {
    const claims = parseAccessTokenClaims(payload, this.config.jwtAccessTtlSeconds);
    if (claims === null || (await this.revocation.isRevoked(claims))) return null;
    const source = readAccessToken(request)?.source ?? 'bearer';
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
