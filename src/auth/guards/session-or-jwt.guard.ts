import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { DomainException } from '../../common/errors/domain.exception';
import { ErrorCode } from '../../common/errors/error-code';
import { CookieSessionService } from '../cookie-session/cookie-session.service';
import { readAccessToken } from '../jwt/access-token.extractor';
import { JwtGuard } from '../jwt/jwt.guard';

/**
 * Admits a request that `JwtGuard` or `SessionGuard` would admit, for routes that browsers and API
 * clients share. An `Authorization: Bearer` header decides for the JWT; otherwise a live `sid`
 * session; otherwise the `access_token` cookie. CSRF applies whenever a cookie is the credential.
 * `@CurrentUser().authMethod` says which one it was.
 *
 * @example
 * import { CurrentUser, Principal, SessionOrJwtGuard } from '../auth';
 *
 * @Controller('profile')
 * @UseGuards(SessionOrJwtGuard)
 * export class ProfileController {
 *   @Get()
 *   show(@CurrentUser() user: Principal) { return this.profiles.find(user.userId); }
 * }
 */
@Injectable()
export class SessionOrJwtGuard implements CanActivate {
  constructor(
    private readonly sessions: CookieSessionService,
    private readonly jwt: JwtGuard,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<Request>();
    const token = readAccessToken(request);
    if (token?.source === 'bearer') return this.jwt.canActivate(context) as Promise<boolean>;
    if (this.sessions.hasSession(request)) {
      request.user = this.sessions.principalOf(request);
      return true;
    }
    if (token !== undefined) return this.jwt.canActivate(context) as Promise<boolean>;
    throw new DomainException(ErrorCode.UNAUTHENTICATED, 'Authentication required', { 'WWW-Authenticate': 'Bearer' });
  }
}
