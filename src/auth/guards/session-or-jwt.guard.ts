import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { DomainException } from '../../common/errors/domain.exception';
import { ErrorCode } from '../../common/errors/error-code';
import { JwtAuthenticator } from '../jwt/jwt-authenticator';
import { SessionAuthenticator } from '../cookie-session/session-authenticator';
import { readAccessToken } from '../jwt/access-token.extractor';

/**
 * Admits a request that `JwtGuard` or `SessionGuard` would admit, for routes that browsers and API
 * clients share. An `Authorization: Bearer` header decides for the JWT; otherwise a live `sid`
 * session; otherwise the `access_token` cookie. CSRF applies whenever a cookie is the credential.
 * `@CurrentUser().authMethod` says which one it was.
 *
 * @example
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
    private readonly sessions: SessionAuthenticator,
    private readonly jwt: JwtAuthenticator,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<Request>();
    const token = readAccessToken(request);
    if (token?.source === 'bearer') request.principal = await this.jwt.authenticate(request);
    else if (this.sessions.hasSession(request)) request.principal = this.sessions.authenticate(request);
    else if (token !== undefined) request.principal = await this.jwt.authenticate(request);
    else throw new DomainException(ErrorCode.UNAUTHENTICATED, 'Authentication required', { 'WWW-Authenticate': 'Bearer' });
    return true;
  }
}
