import { ExecutionContext, Injectable } from '@nestjs/common';
import { AuthGuard, AuthGuardAuthenticateOptions } from '@nestjs/passport';
import type { Request } from 'express';
import { DomainException } from '../../common/errors/domain.exception';
import { ErrorCode } from '../../common/errors/error-code';
import type { Principal } from '../principal';
import { readAccessToken } from './access-token.extractor';
import { invalidAccessToken } from './invalid-access-token';

/**
 * `AuthGuard('jwt')`: admits requests that carry a valid, unrevoked access token of this service, in
 * `Authorization: Bearer <token>` or the `access_token` cookie, and sets `request.user` (read it
 * with `@CurrentUser()`). Unsafe requests authenticated by the cookie must also send `X-CSRF-Token`.
 *
 * Answers 401 `UNAUTHENTICATED` with `WWW-Authenticate: Bearer` when no token was sent, 401
 * `INVALID_TOKEN` with `WWW-Authenticate: Bearer error="invalid_token"` when the token is forged,
 * expired or revoked (never the library's reason), and 403 `CSRF_FAILED` when the CSRF check fails.
 *
 * @example
 * import { AuthModule, CurrentUser, JwtGuard, Principal } from '../auth';
 *
 * @Controller('orders')
 * @UseGuards(JwtGuard)
 * export class OrdersController {
 *   @Get()
 *   list(@CurrentUser() user: Principal) {
 *     return this.orders.forUser(user.userId);
 *   }
 * }
 *
 * @Module({ imports: [AuthModule], controllers: [OrdersController] })
 * export class OrdersModule {}
 */
@Injectable()
export class JwtGuard extends AuthGuard('jwt') {
  override getAuthenticateOptions(): AuthGuardAuthenticateOptions {
    return { session: false };
  }

  override handleRequest<TUser = Principal>(
    error: unknown,
    principal: TUser | false | null,
    _info: unknown,
    context: ExecutionContext,
  ): TUser {
    // Errors come from validate() (CSRF, or the database behind a revocation check), never from a bad token.
    if (error) throw error;
    if (principal) return principal;
    if (readAccessToken(context.switchToHttp().getRequest<Request>()) === undefined) {
      throw new DomainException(ErrorCode.UNAUTHENTICATED, 'Authentication required', { 'WWW-Authenticate': 'Bearer' });
    }
    throw invalidAccessToken();
  }
}
